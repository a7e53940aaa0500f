"""NUL and control characters are removed wherever text comes in, on both databases:
pasted from Word into a form, typed into a spreadsheet, or put in a query string."""

import io
import string

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from soket.core.tabular import CellError
from soket.documents import report_form
from soket.orgs.models import Unit
from soket.reports import limits, services
from soket.reports.models import Figure, ItemAssessment, Report, SectionText
from soket.testing import build_campaign, build_tree

CONTROLS = "".join(chr(code) for code in range(32)) + "\x7f\ufffe\uffff"
HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from(CONTROLS),
        st.sampled_from(string.printable + "ăâđêôơưÁÀẢÃẠ\u0300"),
        st.characters(min_codepoint=0x80, max_codepoint=0x2FFF),
    ),
    max_size=60,
) | st.sampled_from(['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\x00" * 5])
FORBIDDEN = set(chr(code) for code in range(32)) - {"\t", "\n"} | {"\ufffe", "\uffff"}


def assert_clean(test, text: str) -> None:
    test.assertFalse(FORBIDDEN & set(text), repr(text))


class HostileFormTests(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        build_tree(cls)
        build_campaign(cls)

    def setUp(self):
        self.client = Client()
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)

    @settings(max_examples=40, deadline=None)
    @given(section=HOSTILE, item=HOSTILE, causes=HOSTILE, reason=HOSTILE, value=HOSTILE)
    def test_any_text_in_any_field_of_the_report_form_is_saved_clean_or_refused(
        self, section, item, causes, reason, value
    ):
        report = Report.objects.get(pk=self.report.pk)
        response = self.client.post(
            reverse("report_save", args=[report.pk]),
            {
                "revision": report.revision,
                f"section-{self.section_results.pk}": section,
                f"item-{self.item.pk}": item,
                f"override-{self.t_sum.pk}": "achieved",
                f"value-{self.t_sum.pk}": value,
                f"reason-{self.t_sum.pk}": reason,
                f"causes-{self.t_sum.pk}": causes,
            },
        )
        self.assertIn(response.status_code, (302, 400))
        for text in SectionText.objects.filter(report=report).values_list("text", flat=True):
            assert_clean(self, text)
        for text in ItemAssessment.objects.filter(report=report).values_list("text", flat=True):
            assert_clean(self, text)
        for figure in Figure.objects.filter(report=report):
            assert_clean(self, figure.causes)
            assert_clean(self, figure.override_reason)

    @settings(max_examples=25, deadline=None)
    @given(causes=HOSTILE, text=HOSTILE)
    def test_any_text_survives_the_excel_form_round_trip(self, causes, text):
        report = Report.objects.get(pk=self.report.pk)
        # Text stored as it was before the door cleaned it, control characters and all
        # (but NUL, which PostgreSQL never stored).
        services.report_save(
            report=report,
            by=self.alice,
            revision=report.revision,
            sections={self.section_results.pk: text.replace("\x00", "")},
            figures={self.t_sum.pk: services.FigureInput(causes=causes.replace("\x00", ""))},
        )
        response = self.client.get(reverse("report_form_download", args=[report.pk]))
        self.assertEqual(response.status_code, 200)
        response = self.client.post(
            reverse("report_form_upload", args=[report.pk]),
            {"file": SimpleUploadedFile("bieu-mau.xlsx", response.content)},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        messages = " ".join(str(m) for m in response.context["messages"])
        self.assertNotIn("công thức", messages)  # never read back as a formula
        self.assertNotIn("Chưa lưu gì", messages)
        figure = Figure.objects.get(report=report, target=self.t_sum)
        assert_clean(self, figure.causes)
        self.assertEqual(figure.causes, _cleaned(causes))


def _cleaned(text: str) -> str:
    from soket.core.text import clean_text

    return clean_text(text.replace("\x00", "")).strip()


class FormulaTests(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        build_tree(cls)
        build_campaign(cls)

    def setUp(self):
        self.client = Client()

    def test_a_cause_that_looks_like_a_formula_goes_out_and_comes_back_as_text(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        cause = '=HYPERLINK("http://example.invalid/steal","Bấm vào đây")'
        services.report_save(
            report=report,
            by=self.alice,
            revision=report.revision,
            figures={self.t_sum.pk: services.FigureInput(causes=cause)},
        )
        self.client.force_login(self.alice)
        data = self.client.get(reverse("report_form_download", args=[report.pk])).content
        sheet = openpyxl.load_workbook(io.BytesIO(data))[report_form.TARGETS]
        [cell] = [row[7] for row in sheet.iter_rows(min_row=2) if row[0].value == "S"]
        self.assertEqual((cell.value, cell.data_type, cell.number_format), (cause, "s", "@"))
        response = self.client.post(
            reverse("report_form_upload", args=[report.pk]),
            {"file": SimpleUploadedFile("bieu-mau.xlsx", data)},
            follow=True,
        )
        messages = " ".join(str(m) for m in response.context["messages"])
        self.assertIn("không có gì mới", messages)
        self.assertEqual(Figure.objects.get(report=report, target=self.t_sum).causes, cause)

    def test_the_web_and_the_form_share_one_length_limit(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)
        too_long = "x" * (limits.SHORT_TEXT + 1)
        response = self.client.post(
            reverse("report_save", args=[report.pk]),
            {
                "revision": report.revision,
                f"override-{self.t_sum.pk}": "",
                f"causes-{self.t_sum.pk}": too_long,
            },
        )
        self.assertEqual(response.status_code, 400)
        [error] = response.context["form_errors"]
        self.assertIn("S", error)
        self.assertIn("5.000", error)
        self.assertFalse(Figure.objects.filter(report=report).exists())
        column = next(c for c in report_form.TARGET_COLUMNS if c.key == "causes")
        with self.assertRaises(CellError):
            column.parse(too_long)
        column.parse("x" * limits.SHORT_TEXT)

    def test_the_shared_text_limit_is_what_an_excel_cell_holds(self):
        # An Excel cell holds 32,767 characters; openpyxl cuts the rest without a word.
        self.assertEqual(limits.TEXT, 32_767)
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("report_save", args=[report.pk]),
            {"revision": report.revision, f"section-{self.section_results.pk}": "x" * 32_768},
        )
        self.assertEqual(response.status_code, 400)
        [error] = response.context["form_errors"]
        self.assertIn("32.767", error)
        self.assertIn("32.768", error)
        self.assertFalse(SectionText.objects.filter(report=report).exists())
        column = next(c for c in report_form.TEXT_COLUMNS if c.key == "text")
        with self.assertRaises(CellError):
            column.parse("x" * 32_768)
        self.assertEqual(len(column.parse("x" * 32_767)), 32_767)


class HostileQueryAndImportTests(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        build_tree(cls)

    def setUp(self):
        self.client = Client()

    def test_a_nul_in_a_query_string_is_not_a_server_error(self):
        self.client.force_login(self.alice)
        response = self.client.get(
            reverse("unit_children", args=[self.district_a1.pk]), {"dot": "1\x00"}
        )
        self.assertIn(response.status_code, (200, 404))

    @settings(max_examples=25, deadline=None)
    @given(name=HOSTILE.filter(lambda text: _cleaned(text)))
    def test_an_imported_name_is_stored_clean(self, name):
        import csv

        buffer = io.StringIO()
        csv.writer(buffer).writerows(
            [["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên"],
             ["A1-99", name, "grassroots", "A1"]]
        )  # fmt: skip
        self.client.force_login(self.dave)
        response = self.client.post(
            reverse("unit_import"),
            {"file": SimpleUploadedFile("don-vi.csv", buffer.getvalue().encode())},
        )
        self.assertIn(response.status_code, (302, 400))
        for stored in Unit.objects.filter(code="A1-99").values_list("name", flat=True):
            assert_clean(self, stored)
