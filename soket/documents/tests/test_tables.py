import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
from django.test import SimpleTestCase

from soket.documents import export, xlsx_stream
from soket.documents.tests.tools import calc_sheets
from soket.reports import services
from soket.reports.models import Report
from soket.testing import CampaignTestCase


def sample_workbook() -> bytes:
    output = io.BytesIO()
    with xlsx_stream.Workbook(output) as book:
        with book.sheet("Tổng hợp", widths=[10, 30, 12, 12], freeze=(1, 0)) as sheet:
            sheet.header(["Mã", "Tên", "Số", "Ngày"])
            sheet.row(["A", '  <b>Đoàn & "hội"</b>\x01', Decimal("1234.50"), None])
            sheet.row(["B", None, Decimal("40.00"), datetime.date(2016, 1, 4)])
        with book.sheet(
            "Theo đơn vị", widths=[10, 30, 12], freeze=(1, 2), outline_levels=2
        ) as sheet:
            sheet.header(["Mã", "Tên"])
            sheet.row(["X", "Huyện", 7], level=1)
            sheet.row(["Y", "Cơ sở", 0.25], level=2)
    return output.getvalue()


class StreamedWorkbookTests(SimpleTestCase):
    def setUp(self):
        self.data = sample_workbook()
        self.book = openpyxl.load_workbook(io.BytesIO(self.data))

    def test_it_reads_back_with_its_values_and_their_types(self):
        summary = self.book["Tổng hợp"]
        self.assertEqual(self.book.sheetnames, ["Tổng hợp", "Theo đơn vị"])
        rows = list(summary.iter_rows(values_only=True))
        self.assertEqual(rows[0], ("Mã", "Tên", "Số", "Ngày"))
        self.assertEqual(rows[1][2], 1234.5)
        self.assertIsNone(rows[1][3])
        self.assertEqual(rows[2], ("B", None, 40, datetime.datetime(2016, 1, 4)))

    def test_hostile_text_is_text_and_keeps_its_spaces(self):
        self.assertEqual(self.book["Tổng hợp"]["B2"].value, '  <b>Đoàn & "hội"</b>')

    def test_numbers_dates_and_headings_carry_their_formats(self):
        summary = self.book["Tổng hợp"]
        self.assertEqual(summary["C2"].number_format, "#,##0.0#")
        self.assertEqual(summary["C3"].number_format, "#,##0")
        self.assertEqual(summary["D3"].number_format, "dd/mm/yyyy")
        self.assertTrue(summary["A1"].font.b)
        self.assertFalse(summary["A2"].font.b)
        self.assertEqual(summary["A2"].font.name, "Times New Roman")

    def test_panes_widths_and_outline_levels(self):
        units = self.book["Theo đơn vị"]
        self.assertEqual(self.book["Tổng hợp"].freeze_panes, "A2")
        self.assertEqual(units.freeze_panes, "C2")
        self.assertEqual(units.column_dimensions["B"].width, 30)
        self.assertEqual([units.row_dimensions[row].outline_level for row in (1, 2, 3)], [0, 1, 2])
        self.assertFalse(units.sheet_properties.outlinePr.summaryBelow)

    def test_a_spreadsheet_program_opens_every_sheet(self):
        sheets = calc_sheets(self.data)
        self.assertEqual(sheets["Tổng hợp"][1][:3], ["A", '  <b>Đoàn & "hội"</b>', "1234.5"])
        self.assertEqual(sheets["Theo đơn vị"][2], ["Y", "Cơ sở", "0.25"])

    def test_it_is_a_plain_zip_of_xml_parts(self):
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            self.assertIsNone(archive.testzip())
            self.assertIn("xl/styles.xml", archive.namelist())

    def test_a_row_wider_than_the_sheet_or_of_an_unknown_type_is_refused(self):
        with xlsx_stream.Workbook(io.BytesIO()) as book, book.sheet("x", widths=[10]) as sheet:
            with self.assertRaises(ValueError):
                sheet.row(["a", "b"])
            with self.assertRaises(TypeError):
                sheet.row([True])


class ConsolidatedTableTests(CampaignTestCase):
    """The table of every unit below the one asked for, as the level above reads it."""

    def setUp(self):
        self.district = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_save(
            report=self.district, by=self.alice, revision=self.district.revision,
            figures={
                self.t_sum.pk: services.FigureInput(value=Decimal("120")),
                self.t_ratio.pk: services.FigureInput(numerator=3, denominator=4),
            },
        )  # fmt: skip
        services.report_submit(report=self.district, by=self.alice, warnings_confirmed=True)
        Report.objects.filter(pk=self.district.pk).update(
            first_submitted_at=datetime.datetime(2015, 12, 30, 20, tzinfo=datetime.UTC)
        )
        services.report_accept(report=self.district, by=self.province_approver)
        thematic = services.report_for(
            campaign=self.campaign, unit=self.province_a, department=self.department
        )
        services.report_save(
            report=thematic, by=self.department_writer, revision=thematic.revision,
            figures={self.t_sum.pk: services.FigureInput(value=Decimal("999"))},
        )  # fmt: skip

    def export(self):
        output = io.BytesIO()
        written = export.consolidated_table(
            campaign=self.campaign, within=self.province_a, output=output
        )
        return written, output.getvalue()

    def test_it_has_a_row_per_unit_in_tree_order_with_state_date_and_figures(self):
        written, data = self.export()
        units = openpyxl.load_workbook(io.BytesIO(data))["Theo đơn vị"]
        rows = {row[0]: row for row in units.iter_rows(min_row=2, values_only=True)}
        codes = list(rows)
        self.assertEqual(written, len(codes))
        self.assertEqual(codes[0], self.province_a.code)
        self.assertLess(codes.index(self.district_a1.code), codes.index(self.grassroots_a1.code))
        self.assertNotIn(self.district_b1.code, codes)
        header = next(units.iter_rows(max_row=1, values_only=True))
        column = {heading.split(" ")[0]: index for index, heading in enumerate(header)}
        district = rows[self.district_a1.code]
        self.assertEqual(district[3], "Đã duyệt")
        self.assertEqual(district[4], datetime.datetime(2015, 12, 31))  # local date, UTC+7
        self.assertEqual(district[column["S"]], 120)
        self.assertEqual(district[column["R"]], 75)
        self.assertEqual(rows[self.district_a2.code][3], "Chưa gửi")
        # The province's own row is its unit report, never a department's figures.
        self.assertIsNone(rows[self.province_a.code][column["S"]])

    def test_rows_are_outlined_by_depth_below_the_unit(self):
        _written, data = self.export()
        units = openpyxl.load_workbook(io.BytesIO(data))["Theo đơn vị"]
        levels = {
            units.cell(row, 1).value: units.row_dimensions[row].outline_level
            for row in range(2, units.max_row + 1)
        }
        self.assertEqual(levels[self.province_a.code], 0)
        self.assertEqual(levels[self.district_a1.code], 1)
        self.assertEqual(levels[self.grassroots_a1.code], 2)

    def test_the_summary_sums_what_was_accepted_below(self):
        _written, data = self.export()
        summary = openpyxl.load_workbook(io.BytesIO(data))["Tổng hợp"]
        rows = {row[0]: row for row in summary.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(rows["S"][1:5], ("Đoàn viên mới", None, 100, 120))
