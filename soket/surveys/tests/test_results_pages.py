"""The results pages: who may open them (404 unseen, 403 seen but not read), the chart
as SVG and PNG, the export that opens in a spreadsheet with text kept as text, and the
quote that lands in a report section under its source. Bad input is never a 500."""

from __future__ import annotations

import io

import openpyxl
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from soket.orgs.models import Role
from soket.reports.models import Report, SectionText
from soket.surveys import access
from soket.surveys.models import Respondent, Stratum, Survey
from soket.surveys.results import Scope, results
from soket.surveys.tests.making import make_survey
from soket.surveys.tests.test_results import ResultsTestCase, give
from soket.surveys.views.results import left_out_text, method_text, waiting_text
from soket.testing import make_user

HX = {"HTTP_HX_REQUEST": "true"}


class ResultsPagesTests(ResultsTestCase):
    def setUp(self):
        self.enterContext(translation.override(settings.LANGUAGE_CODE))
        self.page = reverse("survey_results", args=[self.survey.pk])
        self.export = reverse("survey_results_xlsx", args=[self.survey.pk])
        self.quote = reverse("survey_result_quote", args=[self.survey.pk])

    def chart(self, code: str, file_format: str = "svg", survey=None) -> str:
        return reverse("survey_result_chart", args=[(survey or self.survey).pk, code, file_format])

    def test_the_page_shows_each_question_with_its_figures_and_charts(self):
        self.client.force_login(self.carol)
        page = self.client.get(self.page)
        self.assertContains(page, self.q_agreement.label)
        self.assertContains(page, "n = 6")
        self.assertContains(page, self.chart("tlu"))
        self.assertContains(page, self.chart("hai-long"))
        self.assertNotContains(page, self.chart("kien-nghi"))
        self.assertContains(page, "Tăng lương")  # a text answer, listed
        self.assertContains(page, self.export)
        narrowed = self.client.get(self.page, {"don-vi": self.district_a2.pk})
        self.assertContains(narrowed, "n = 2")

    def test_a_unit_asked_sees_its_own_answer_only(self):
        self.client.force_login(self.gina)
        page = self.client.get(self.page)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "n = 1")
        self.assertContains(page, "=1+1")
        self.assertNotContains(page, "Tăng lương")  # another unit's answer

    def test_the_methods_are_refused(self):
        self.client.force_login(self.dave)
        for url in (self.page, self.export, self.chart("tlu")):
            self.assertEqual(self.client.post(url).status_code, 405)
        self.assertEqual(self.client.get(self.quote).status_code, 405)

    def test_a_survey_not_seen_is_not_found(self):
        self.client.force_login(self.erin)  # province B
        for url in (self.page, self.export, self.chart("tlu")):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(self.quote, {"cau-hoi": "tlu"}).status_code, 404)

    def test_anonymous_people_are_sent_to_log_in(self):
        response = self.client.get(self.page)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse(settings.LOGIN_URL)))

    def test_who_sees_the_survey_but_reads_no_result_is_refused(self):
        # A1-02: below the province, neither asked nor above a unit asked.
        self.client.force_login(make_user("otto", self.grassroots_a1_closed, Role.Kind.APPROVER))
        for url in (self.page, self.export, self.chart("tlu")):
            self.assertEqual(self.client.get(url).status_code, 403)
        response = self.client.post(self.quote, {"cau-hoi": "tlu"})
        self.assertEqual(response.status_code, 403)

    def test_bad_addresses_are_not_found_never_a_500(self):
        self.client.force_login(self.carol)
        for given in ({"don-vi": "abc"}, {"don-vi": "9" * 30}, {"don-vi": self.province_b.pk},
                      {"cap": "x"}, {"cap": 999999}, {"don-vi": "²"}):  # fmt: skip
            self.assertEqual(self.client.get(self.page, given).status_code, 404, given)
            self.assertEqual(self.client.get(self.export, given).status_code, 404, given)
        for url in (self.chart("nothing"), self.chart("kien-nghi"), self.chart("tlu", "gif"),
                    self.chart("tlu-nam"), self.chart("doan-vien")):  # fmt: skip
            self.assertEqual(self.client.get(url).status_code, 404, url)
        odd = self.client.get(self.page, {"cau-hoi": "kien-nghi", "trang": "-1"})
        self.assertEqual(odd.status_code, 200)
        far = self.client.get(self.page, {"cau-hoi": "kien-nghi", "trang": "9" * 30})
        self.assertEqual(far.status_code, 200)

    def test_a_chart_is_an_svg_or_a_png_of_its_own(self):
        self.client.force_login(self.carol)
        svg = self.client.get(self.chart("tlu"), {"don-vi": self.district_a1.pk})
        self.assertEqual(svg.status_code, 200)
        self.assertEqual(svg["Content-Type"], "image/svg+xml")
        self.assertIn(b"<svg", svg.content)
        self.assertIn("'unsafe-inline'", svg["Content-Security-Policy"])
        self.assertIn("script-src 'none'", svg["Content-Security-Policy"])
        self.assertTrue(svg["ETag"])
        png = self.client.get(self.chart("hoat-dong", "png"))
        self.assertEqual(png.status_code, 200)
        self.assertTrue(png.content.startswith(b"\x89PNG"))

    def test_the_export_opens_with_numbers_as_numbers_and_text_as_text(self):
        self.client.force_login(self.carol)
        response = self.client.get(self.export)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
        formula = [cell for cell in cells if cell.value == "=1+1"]
        self.assertEqual(len(formula), 1)
        self.assertEqual(formula[0].data_type, "s")
        self.assertFalse(any(cell.data_type == "f" for cell in cells))
        first = book.worksheets[0]
        rows = [[cell.value for cell in row] for row in first.iter_rows()]
        yes = next(row for row in rows if row[0] == "tlu" and row[2] == "Có")
        self.assertEqual(yes[3], 4)  # counted, as a number
        self.assertEqual(yes[4], 6)
        self.assertIsInstance(yes[5], float)

    def test_a_result_quoted_lands_in_the_section_under_its_source(self):
        self.client.force_login(self.dave)
        page = self.client.get(self.page)
        self.assertContains(page, self.quote)
        given = {"cau-hoi": "tlu", "muc": self.section_results.pk, "don-vi": self.province_a.pk}
        response = self.client.post(self.quote, given, **HX)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, _("Quoted into your draft, under the survey as its source."))
        report = Report.objects.get(campaign=self.campaign, unit=self.province_a)
        text = SectionText.objects.get(report=report, section=self.section_results).text
        self.assertIn(self.survey.title, text)
        self.assertIn("n = 6", text)
        self.assertIn(self.q_agreement.label, text)
        self.assertIn("10/02/2016", text)  # the day of the last answer
        again = self.client.post(self.quote, given, **HX)
        self.assertContains(again, _("This result is already in your draft under its source."))
        self.assertEqual(SectionText.objects.get(report=report).text, text)
        # Without htmx: back to the results, with the message.
        response = self.client.post(self.quote, {**given, "cau-hoi": "doan-vien"})
        self.assertRedirects(response, f"{self.page}?don-vi={self.province_a.pk}#cau-hoi-doan-vien")

    def test_a_quote_refused_says_why_in_place(self):
        self.client.force_login(self.dave)
        wrong = self.client.post(self.quote, {"cau-hoi": "tlu", "muc": "abc"}, **HX)
        self.assertContains(wrong, _("Choose the section of your report the result goes to."))
        text = self.client.post(
            self.quote, {"cau-hoi": "kien-nghi", "muc": self.section_results.pk}, **HX
        )
        self.assertContains(text, _("This question has no figure to quote."))
        self.assertFalse(SectionText.objects.exists())
        missing = self.client.post(self.quote, {"cau-hoi": "nothing"}, **HX)
        self.assertEqual(missing.status_code, 404)

    def test_a_district_between_reads_its_own_units_only(self):
        self.client.force_login(self.alice)  # district A1: its units A1-01, A1-g1, A1-g2
        page = self.client.get(self.page)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "n = 3")
        self.assertContains(page, "Tăng lương")  # A1-g2's
        self.assertEqual(self.client.get(self.page, {"don-vi": self.district_a2.pk}).status_code,
                         404)  # fmt: skip
        self.assertEqual(self.client.get(self.chart("tlu")).status_code, 200)

    def test_a_quote_refused_writes_nothing_not_even_a_draft(self):
        self.client.force_login(self.dave)
        for section in ("abc", "", "999999", self.section_results.pk + 1000):
            given = {"cau-hoi": "tlu", "muc": section}
            refused = self.client.post(self.quote, given, **HX)
            self.assertContains(refused, _("Choose the section of your report the result goes to."))
        self.assertFalse(Report.objects.exists())

    def test_a_reader_who_writes_no_report_cannot_quote(self):
        self.client.force_login(self.carol)  # a viewer
        page = self.client.get(self.page)
        self.assertNotContains(page, self.quote)
        given = {"cau-hoi": "tlu", "muc": self.section_results.pk}
        self.assertEqual(self.client.post(self.quote, given).status_code, 403)
        self.assertFalse(Report.objects.exists())

    def test_a_reader_above_the_plan_reads_but_quotes_into_no_report_of_it(self):
        above = make_user("zed", self.confederation, Role.Kind.APPROVER)
        self.client.force_login(above)
        page = self.client.get(self.page)
        self.assertContains(page, "n = 6")
        self.assertNotContains(page, self.quote)
        given = {"cau-hoi": "tlu", "muc": self.section_results.pk}
        self.assertEqual(self.client.post(self.quote, given).status_code, 403)
        self.assertFalse(Report.objects.exists())


class WorkerPagesTests(ResultsTestCase):
    def setUp(self):
        self.enterContext(translation.override(settings.LANGUAGE_CODE))
        self.workers = make_survey(
            self, respondents=Survey.Respondents.PEOPLE, title="Đời sống",
            state=Survey.State.OPEN,
        )  # fmt: skip
        stratum = Stratum.objects.create(
            survey=self.workers, branch=self.district_a1, kind=self.kinds["grassroots"],
            population=7, drawn=1,
        )  # fmt: skip
        self.ours = Respondent.objects.create(
            survey=self.workers, unit=self.grassroots_a1, stratum=stratum
        )
        self.page = reverse("survey_results", args=[self.workers.pk])

    def test_a_unit_with_too_few_workers_answering_sees_a_message(self):
        for _n in range(access.SMALLEST_GROUP_SHOWN - 1):
            give(self.ours, worker=True, tlu=["co"], kien_nghi="Bí mật")
        self.client.force_login(self.gina)
        page = self.client.get(self.page)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Bí mật")
        self.assertNotContains(page, "n = 4")
        chart = reverse("survey_result_chart", args=[self.workers.pk, "tlu", "svg"])
        self.assertEqual(self.client.get(chart).status_code, 404)
        quote = reverse("survey_result_quote", args=[self.workers.pk])
        refused = self.client.post(quote, {"cau-hoi": "tlu", "muc": self.section_results.pk}, **HX)
        self.assertEqual(refused.status_code, 200)
        self.assertFalse(SectionText.objects.exists())
        self.assertFalse(Report.objects.exists())
        export = self.client.get(reverse("survey_results_xlsx", args=[self.workers.pk]))
        book = openpyxl.load_workbook(io.BytesIO(export.content))
        values = {cell.value for sheet in book for row in sheet.iter_rows() for cell in row}
        self.assertNotIn("Bí mật", values)
        give(self.ours, worker=True, tlu=["khong"], kien_nghi="Công khai")
        # Five now, but the survey is open: the unit waits for its closing.
        page = self.client.get(self.page)
        self.assertContains(page, escape(waiting_text()))
        self.assertNotContains(page, "n = 5")
        self.assertNotContains(page, "Công khai")
        self.assertEqual(self.client.get(chart).status_code, 404)
        Survey.objects.filter(pk=self.workers.pk).update(state=Survey.State.CLOSED)
        page = self.client.get(self.page)
        self.assertNotContains(page, escape(waiting_text()))
        self.assertContains(page, "n = 5")
        self.assertContains(page, "Công khai")
        self.assertEqual(self.client.get(chart).status_code, 200)

    def test_the_page_says_how_many_units_are_not_counted_and_how_the_margin_is_made(self):
        give(self.ours, worker=True, tlu=["co"], kien_nghi="Bí mật")
        other = Respondent.objects.create(survey=self.workers, unit=self.grassroots_a2)
        for _n in range(6):
            give(other, worker=True, tlu=["khong"])
        # Closed: while open, the figures of the one unit counted would wait for it.
        Survey.objects.filter(pk=self.workers.pk).update(state=Survey.State.CLOSED)
        self.client.force_login(self.dave)
        page = self.client.get(self.page)
        found = results_of(self.workers, self.province_a)
        self.assertEqual(found.left_out, 1)
        self.assertContains(page, escape(left_out_text(found)))
        self.assertContains(page, escape(method_text(found)))
        self.assertContains(page, "n = 6")
        self.assertNotContains(page, "Bí mật")


def results_of(survey, unit):
    return results(survey=survey, scope=Scope(unit=unit))
