"""Quoting a passage into the committee's draft: one click, its source kept, once
however often it is clicked, refused where the draft cannot change or the person may
not write it; and the page's checklist."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from soket.lessons import selectors
from soket.lessons.tests.making import operators, written
from soket.reports import provenance, services
from soket.reports.models import Report, SectionText
from soket.testing import CampaignTestCase, make_operators, make_unit

PASSAGE = "Bài học: phải bám sát cơ sở."


class QuoteTestCase(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_operators()
        written(
            cls, cls.district_a1, texts={cls.section_lessons: f"Mở đầu.\n{PASSAGE}"},
            causes="Thiếu kinh phí",
        )  # fmt: skip

    def setUp(self):
        self.client.force_login(self.province_approver)
        self.url = reverse("lesson_quote", args=[self.campaign.pk])

    def passage(self, query="bam sat"):
        found = selectors.lessons(
            user=self.province_approver, campaign=self.campaign, unit=self.province_a,
            query=query,
        )  # fmt: skip
        return found.groups[0].passages[0]

    def quote(self, passage=None, htmx=False, **extra):
        passage = passage or self.passage()
        data = {
            "don-vi": self.province_a.pk, "loai": passage.kind, "dong": passage.row_id,
            "doan": passage.number, "dau": passage.seen, "tim": "q=bam+sat&evil=1", **extra,
        }  # fmt: skip
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(self.url, data, headers=headers)

    def draft_text(self, section=None):
        report = Report.objects.get(campaign=self.campaign, unit=self.province_a)
        return SectionText.objects.get(report=report, section=section or self.section_lessons).text

    def test_a_quote_lands_under_its_section_with_its_source_and_prints_without_it(self):
        response = self.quote()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            response["Location"], reverse("lessons", args=[self.campaign.pk]) + "?q=bam+sat"
        )
        text = self.draft_text()
        self.assertEqual(text, provenance.with_source(self.district_a1.name, PASSAGE))
        self.assertEqual(provenance.printed(text).strip(), PASSAGE)

    def test_a_cause_goes_to_the_section_holding_its_target(self):
        self.quote(self.passage("thieu kinh phi"))
        self.assertIn("Thiếu kinh phí", self.draft_text(self.section_results))

    def test_double_click_quotes_once(self):
        passage = self.passage()
        self.quote(passage)
        report = Report.objects.get(campaign=self.campaign, unit=self.province_a)
        response = self.quote(passage, htmx=True)
        self.assertContains(response, _("This passage is already in your draft under its source."))
        self.assertEqual(self.draft_text().count(PASSAGE), 1)
        report.refresh_from_db()
        self.assertEqual(report.revision, Report.objects.get(pk=report.pk).revision)

    def test_htmx_gets_the_answer_in_place(self):
        response = self.quote(htmx=True)
        self.assertContains(response, _("Quoted into your draft, under its source."))
        self.assertNotContains(response, "<html")

    def test_refused_when_the_draft_is_with_the_level_above(self):
        sender, _reviewer = operators()
        report = services.report_for(campaign=self.campaign, unit=self.province_a)
        services.report_submit(report=report, by=sender, warnings_confirmed=True)
        response = self.quote(htmx=True)
        self.assertContains(response, _("This report is %s and cannot be edited.") % _("Submitted"))
        self.assertFalse(SectionText.objects.filter(report=report).exclude(text="").exists())

    def test_read_only_people_cannot_quote(self):
        self.client.force_login(self.carol)  # viewer of the province
        self.assertEqual(self.quote().status_code, 403)
        self.assertFalse(Report.objects.filter(unit=self.province_a).exists())
        page = self.client.get(reverse("lessons", args=[self.campaign.pk]))
        self.assertContains(page, PASSAGE)
        self.assertNotContains(page, reverse("lesson_quote", args=[self.campaign.pk]))

    def test_someone_outside_the_branch_gets_nothing(self):
        self.client.force_login(self.bob)  # approver of district A2
        self.assertEqual(self.quote().status_code, 404)
        page = self.client.get(
            reverse("lessons", args=[self.campaign.pk]), {"don-vi": self.district_a1.pk}
        )
        self.assertEqual(page.status_code, 404)

    def test_a_changed_passage_is_not_quoted_blind(self):
        passage = self.passage()
        response = self.quote(passage, htmx=True, dau="0" * 16)
        self.assertContains(
            response, _("This passage has changed since the page was opened: search again.")
        )

    def test_a_page_far_beyond_the_list_is_an_empty_page_not_an_error(self):
        url = reverse("lessons", args=[self.campaign.pk])
        for page in ("999999999999999999", "100001", "-3", "x"):
            with self.subTest(page=page):
                self.assertEqual(self.client.get(url, {"trang": page}).status_code, 200)

    def test_wrong_method(self):
        self.assertEqual(self.client.get(self.url).status_code, 405)
        lessons = reverse("lessons", args=[self.campaign.pk])
        self.assertEqual(self.client.post(lessons).status_code, 405)

    def test_a_stale_revision_is_refused_by_the_service(self):
        sender, _reviewer = operators()
        report = services.report_for(campaign=self.campaign, unit=self.province_a)
        with self.assertRaises(services.ReportConflict):
            services.report_quote(
                report=report, by=sender, text=PASSAGE, source="X",
                section_id=self.section_lessons.pk, revision=report.revision - 1,
            )  # fmt: skip

    def test_the_page_and_its_htmx_results(self):
        url = reverse("lessons", args=[self.campaign.pk])
        page = self.client.get(url, {"q": "BAM SAT"})
        self.assertContains(page, "<mark>bám sát</mark>")
        self.assertContains(page, _("Quote into the draft"))
        part = self.client.get(url, {"q": "bam sat"}, headers={"HX-Request": "true"})
        self.assertNotContains(part, "<html")
        self.assertIn("HX-Request", part["Vary"])
        self.assertEqual(self.client.get(url, {"don-vi": "x"}).status_code, 404)

    def test_the_reports_page_links_to_the_lessons(self):
        page = self.client.get(reverse("campaign_reports", args=[self.campaign.pk]))
        self.assertContains(page, reverse("lessons", args=[self.campaign.pk]))

    def test_a_constant_number_of_queries(self):
        url = reverse("lessons", args=[self.campaign.pk])
        self.client.get(url)
        with CaptureQueriesContext(connection) as small:
            self.client.get(url, {"q": "a"})
        for number in range(6):
            unit = make_unit(f"A2-{number + 10}", self.kinds["grassroots"], self.district_a2)
            written(self, unit, texts={self.section_lessons: f"Bài học số {number}"},
                    causes="Thiếu kinh phí", items={self.item: "Đã làm"})  # fmt: skip
        with CaptureQueriesContext(connection) as large:
            response = self.client.get(url, {"q": "a"})
        self.assertContains(
            response, 'class="passage"', count=2 + 6 + 6
        )  # no "a" in "thieu kinh phi"
        self.assertEqual(len(large), len(small))
