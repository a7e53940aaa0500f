import io
import zipfile
from decimal import Decimal

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from soket.core.tabular import TableError
from soket.documents import report_form
from soket.documents import services as document_services
from soket.reports import limits, services
from soket.reports.models import Figure, Report, SectionText
from soket.testing import CampaignTestCase


class ReportFormTestCase(CampaignTestCase):
    def setUp(self):
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)

    def download(self) -> openpyxl.Workbook:
        response = self.client.get(reverse("report_form_download", args=[self.report.pk]))
        self.assertEqual(response.status_code, 200)
        return openpyxl.load_workbook(io.BytesIO(response.content))

    def filled(self, workbook=None, **cells) -> bytes:
        workbook = workbook or self.download()
        targets = workbook[report_form.TARGETS]
        rows = {row[0].value: row[0].row for row in targets.iter_rows(min_row=2)}
        targets.cell(rows["S"], 5, cells.get("sum", 120))
        targets.cell(rows["R"], 6, cells.get("numerator", 8))
        targets.cell(rows["R"], 7, cells.get("denominator", 10))
        texts = workbook[report_form.TEXTS]
        texts.cell(2, 3, cells.get("text", "Kết quả nổi bật của huyện."))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def upload(self, data: bytes, name: str = "bieu-mau.xlsx"):
        return self.client.post(
            reverse("report_form_upload", args=[self.report.pk]),
            {"file": SimpleUploadedFile(name, data)},
            follow=True,
        )

    def messages_of(self, response) -> str:
        return " ".join(str(message) for message in response.context["messages"])

    def assert_nothing_written(self):
        self.assertFalse(Figure.objects.filter(report=self.report).exists())
        self.assertFalse(SectionText.objects.filter(report=self.report).exclude(text="").exists())


class RoundTripTests(ReportFormTestCase):
    def test_the_form_lists_the_targets_and_sections_with_instructions(self):
        workbook = self.download()
        self.assertEqual(workbook.sheetnames[:3], ["Hướng dẫn", "Chỉ tiêu", "Nội dung"])
        self.assertIn("Cách điền", " ".join(str(c.value) for c in workbook["Hướng dẫn"]["A"]))
        codes = [row[0] for row in workbook["Chỉ tiêu"].iter_rows(min_row=2, values_only=True)]
        self.assertEqual(codes, ["S", "R", "H", "Q"])
        validations = workbook["Chỉ tiêu"].data_validations.dataValidation
        self.assertEqual(validations[0].type, "decimal")
        self.assertIn("E2", str(validations[0].sqref))

    def test_a_filled_form_lands_its_figures_and_text(self):
        response = self.upload(self.filled())
        self.assertIn("đã lưu", self.messages_of(response))
        figures = {
            f.target.code: f
            for f in Figure.objects.filter(report=self.report).select_related("target")
        }
        self.assertEqual(figures["S"].value, Decimal(120))
        self.assertEqual(figures["R"].value, Decimal(80))
        self.assertEqual(
            SectionText.objects.get(report=self.report, section=self.section_results).text,
            "Kết quả nổi bật của huyện.",
        )

    def test_uploading_the_same_file_twice_changes_nothing(self):
        data = self.filled()
        self.upload(data)
        revision = Report.objects.get(pk=self.report.pk).revision
        response = self.upload(data)
        self.assertIn("không có gì mới", self.messages_of(response))
        self.assertEqual(Report.objects.get(pk=self.report.pk).revision, revision)

    def test_a_stale_form_does_not_overwrite_changes_made_since(self):
        workbook = self.download()
        services.report_save(
            report=self.report, by=self.alice, revision=self.report.revision,
            sections={self.section_lessons.pk: "Sửa trên web"},
        )  # fmt: skip
        response = self.upload(self.filled(workbook))
        self.assertIn("tải lại biểu mẫu", self.messages_of(response).lower())
        self.assertFalse(Figure.objects.filter(report=self.report).exists())


class RejectionTests(ReportFormTestCase):
    def test_a_text_longer_than_a_cell_is_named_on_download_not_cut(self):
        SectionText.objects.create(
            report=self.report, section=self.section_results, text="x" * 40_799
        )
        response = self.client.get(
            reverse("report_form_download", args=[self.report.pk]), follow=True
        )
        self.assertIn("40.799", self.messages_of(response))

    def test_text_in_a_number_cell_names_sheet_row_and_column(self):
        response = self.upload(self.filled(sum="một trăm"))
        text = self.messages_of(response)
        self.assertIn("Trang tính “Chỉ tiêu”, dòng 2, cột “Kết quả”", text)
        self.assertIn("Chưa lưu gì", text)
        self.assert_nothing_written()

    def test_a_formula_is_refused(self):
        response = self.upload(self.filled(sum="=1+1"))
        self.assertIn("công thức", self.messages_of(response))
        self.assert_nothing_written()

    def test_a_wrong_type_is_refused(self):
        import datetime

        response = self.upload(self.filled(denominator=datetime.datetime(2015, 1, 1)))
        self.assertIn("dòng 3", self.messages_of(response))
        self.assert_nothing_written()

    def test_a_corrupt_file_is_refused(self):
        response = self.upload(b"PK\x03\x04 not really a workbook")
        self.assertIn("không phải là bảng tính .xlsx hợp lệ", self.messages_of(response))
        self.assert_nothing_written()

    def test_another_workbook_is_refused_as_the_wrong_template(self):
        buffer = io.BytesIO()
        openpyxl.Workbook().save(buffer)
        response = self.upload(buffer.getvalue())
        self.assertIn("không phải biểu mẫu báo cáo", self.messages_of(response))

    def test_the_form_of_another_unit_is_refused(self):
        data = self.filled()
        other = services.report_for(campaign=self.campaign, unit=self.district_a2)
        with self.assertRaises(TableError):
            document_services.report_form_upload(
                report=other, by=self.bob, filename="f.xlsx", data=data
            )

    def test_an_oversized_file_is_refused(self):
        with override_settings(SOKET_MAX_UPLOAD_BYTES=1000):
            response = self.upload(self.filled())
        self.assertIn("lớn hơn", self.messages_of(response))
        self.assert_nothing_written()

    def test_a_zip_bomb_is_refused(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
        response = self.upload(buffer.getvalue())
        self.assertIn("không an toàn", self.messages_of(response))
        self.assert_nothing_written()

    def test_a_submitted_report_cannot_be_changed_by_form(self):
        data = self.filled()
        Report.objects.filter(pk=self.report.pk).update(state="submitted")
        response = self.upload(data)
        self.assertIn("không sửa được", self.messages_of(response))
        self.assert_nothing_written()

    def test_someone_outside_the_unit_cannot_download_or_upload(self):
        data = self.filled()
        self.client.force_login(self.erin)
        self.assertEqual(
            self.client.get(reverse("report_form_download", args=[self.report.pk])).status_code, 404
        )
        response = self.client.post(
            reverse("report_form_upload", args=[self.report.pk]),
            {"file": SimpleUploadedFile("f.xlsx", data)},
        )
        self.assertEqual(response.status_code, 404)
        self.assert_nothing_written()


class ShareOfUnitsTests(ReportFormTestCase):
    """A district counts the units below that met a share target (15 of 16); a
    grassroots union, with none below, gives its own value (1 of 1 or 0 of 1)."""

    def store_share(self, **given):
        services.report_save(
            report=self.report, by=self.alice, revision=self.report.revision,
            figures={self.t_share.pk: services.FigureInput(**given)},
        )  # fmt: skip
        self.report.refresh_from_db()

    def share(self) -> tuple:
        figure = Figure.objects.get(report=self.report, target=self.t_share)
        return figure.value, figure.numerator, figure.denominator

    def share_row(self, workbook) -> int:
        sheet = workbook[report_form.TARGETS]
        return next(row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == "H")

    def saved(self, workbook) -> bytes:
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def test_an_untouched_form_keeps_the_units_counted_below(self):
        self.store_share(numerator=Decimal(15), denominator=Decimal(16))
        response = self.upload(self.saved(self.download()))
        self.assertIn("không có gì mới", self.messages_of(response))
        self.assertEqual(self.share(), (Decimal("93.75"), Decimal(15), Decimal(16)))
        self.assertEqual(Report.objects.get(pk=self.report.pk).revision, self.report.revision)

    def test_units_counted_below_are_asked_as_numerator_and_denominator(self):
        self.store_share(numerator=Decimal(15), denominator=Decimal(16))
        workbook = self.download()
        sheet, row = workbook[report_form.TARGETS], self.share_row(workbook)
        self.assertEqual([sheet.cell(row, column).value for column in (5, 6, 7)], [None, 15, 16])
        self.assertEqual(
            [sheet.cell(row, column).protection.locked for column in (5, 6, 7)],
            [True, False, False],
        )
        sheet.cell(row, 6, 14)
        response = self.upload(self.saved(workbook))
        self.assertIn("đã lưu", self.messages_of(response))
        self.assertEqual(self.share(), (Decimal("87.5"), Decimal(14), Decimal(16)))

    def test_a_value_where_units_are_counted_is_refused_rather_than_dropped(self):
        # What a form made before this change carries: the value in "Kết quả".
        self.store_share(numerator=Decimal(15), denominator=Decimal(16))
        workbook = self.download()
        sheet, row = workbook[report_form.TARGETS], self.share_row(workbook)
        sheet.cell(row, 5, 93.75)
        sheet.cell(row, 6).value = sheet.cell(row, 7).value = None
        text = self.messages_of(self.upload(self.saved(workbook)))
        self.assertIn(f"Trang tính “Chỉ tiêu”, dòng {row}, cột “Kết quả”", text)
        self.assertIn("“Tử số”, “Mẫu số”", text)
        self.assertIn("Chưa lưu gì", text)
        self.assertEqual(self.share(), (Decimal("93.75"), Decimal(15), Decimal(16)))

    def test_a_row_that_comes_back_as_it_left_is_not_rewritten(self):
        # Stored from a value alone, as the web form did at a district: 93.75 and 0/1.
        self.store_share(value=Decimal("93.75"))
        self.assertEqual(self.share(), (Decimal("93.75"), Decimal(0), Decimal(1)))
        workbook = self.download()
        workbook[report_form.TEXTS].cell(2, 3, "Một đoạn mới.")
        response = self.upload(self.saved(workbook))
        self.assertIn("đã lưu", self.messages_of(response))
        self.assertEqual(self.share(), (Decimal("93.75"), Decimal(0), Decimal(1)))

    def test_a_grassroots_union_gives_its_own_value(self):
        self.report = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        self.client.force_login(self.grassroots_reporter)
        workbook = self.download()
        sheet, row = workbook[report_form.TARGETS], self.share_row(workbook)
        self.assertEqual(
            [sheet.cell(row, column).protection.locked for column in (5, 6, 7)],
            [False, True, True],
        )
        sheet.cell(row, 5, 100)
        self.upload(self.saved(workbook))
        self.assertEqual(self.share(), (Decimal(100), Decimal(1), Decimal(1)))
        self.report.refresh_from_db()
        response = self.upload(self.saved(self.download()))
        self.assertIn("không có gì mới", self.messages_of(response))


class TextLengthTests(ReportFormTestCase):
    """An Excel cell holds 32,767 characters; the web and the form share that limit."""

    def store_text(self, text: str) -> None:
        services.report_save(
            report=self.report, by=self.alice, revision=self.report.revision,
            sections={self.section_results.pk: text},
        )  # fmt: skip
        self.report.refresh_from_db()

    def stored_text(self) -> str:
        return SectionText.objects.get(report=self.report, section=self.section_results).text

    def test_the_longest_text_the_web_takes_goes_out_and_comes_back_whole(self):
        text = ("Đoàn viên công đoàn cơ sở. " * 1300)[: limits.TEXT]
        self.assertEqual(len(text), 32_767)
        self.store_text(text)
        buffer = io.BytesIO()
        self.download().save(buffer)
        response = self.upload(buffer.getvalue())
        self.assertIn("không có gì mới", self.messages_of(response))
        self.assertEqual(self.stored_text(), text)

    def store_old_text(self, text: str) -> None:
        """As the web stored it when its limit was 50,000 (the service refuses it now)."""
        SectionText.objects.create(report=self.report, section=self.section_results, text=text)

    def test_a_text_stored_under_the_old_limit_is_refused_by_name_not_cut(self):
        self.store_old_text("x" * 40_799)
        with self.assertRaises(services.ReportError) as refused:
            report_form.form_xlsx(self.report)
        self.assertIn("I. Kết quả", str(refused.exception))
        self.assertIn("40.799", str(refused.exception))
        self.assertIn("32.767", str(refused.exception))

    def test_a_form_that_carries_a_cut_text_is_refused_by_name(self):
        # A form downloaded before the limit fitted a cell carries the text cut at 32,767.
        workbook = self.download()
        SectionText.objects.create(
            report=self.report, section=self.section_results, text="x" * 40_799
        )
        workbook[report_form.TEXTS].cell(2, 3, "x" * 32_767)
        buffer = io.BytesIO()
        workbook.save(buffer)
        text = self.messages_of(self.upload(buffer.getvalue()))
        self.assertIn("Trang tính “Nội dung”, dòng 2", text)
        self.assertIn("I. Kết quả", text)
        self.assertIn("40.799", text)
        self.assertIn("Chưa lưu gì", text)
        self.assertEqual(len(self.stored_text()), 40_799)
