"""Every unit below, one click away: the reports page lists the units under the reviewer's
level with their state, date sent, lateness and report, filtered and paginated, and
reminds one unit or all of them, saying whom it reached and which units have nobody."""

import datetime
from zoneinfo import ZoneInfo

from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soket.core import clock
from soket.notices.models import Notice
from soket.orgs.models import Role
from soket.reports import selectors, services
from soket.reports.models import Report
from soket.testing import CampaignTestCase, make_unit, make_user

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
REASON = "Số liệu CT01 chưa khớp"


class UnitsBelowWorld(CampaignTestCase):
    """A1 sent a day late (00:30 on 01/01/2016, due 31/12/2015); A2 returned with a reason;
    A1-01 a draft (gina writes it); A2-01 nothing, and nobody there to remind."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a1 = services.report_for(campaign=cls.campaign, unit=cls.district_a1)
        with clock.frozen_at(datetime.datetime(2016, 1, 1, 0, 30, tzinfo=HANOI)):
            services.report_submit(report=a1, by=cls.alice, warnings_confirmed=True)
        a2 = services.report_for(campaign=cls.campaign, unit=cls.district_a2)
        with clock.frozen_at(datetime.datetime(2015, 12, 30, 9, tzinfo=HANOI)):
            services.report_submit(report=a2, by=cls.bob, warnings_confirmed=True)
        services.report_return(report=a2, by=cls.province_approver, reason=REASON)
        cls.a1_report, cls.a2_report = a1, a2
        cls.a1_01_report = services.report_for(campaign=cls.campaign, unit=cls.grassroots_a1)

    def in_english(self):
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})

    def said(self, response) -> str:
        return " ".join(str(message) for message in get_messages(response.wsgi_request))


class UnitListTestCase(UnitsBelowWorld):
    def setUp(self):
        self.client.force_login(self.province_approver)
        self.url = reverse("campaign_reports", args=[self.campaign.pk])

    def rows(self, response) -> dict:
        return {row.unit.code: row for row in response.context["units"]["page"].rows}

    def test_the_list_shows_each_unit_below_with_its_state_date_lateness_and_link(self):
        self.in_english()
        response = self.client.get(self.url)
        rows = self.rows(response)
        self.assertEqual(set(rows), {"A1", "A2", "A1-01", "A2-01"})  # A1-02 closed
        self.assertEqual(rows["A1"].state, Report.State.SUBMITTED)
        self.assertEqual(rows["A1"].days_late, 1)  # 00:30 the next day, in Hanoi
        self.assertEqual(rows["A2"].state, Report.State.RETURNED)
        self.assertEqual(rows["A2"].days_late, 0)
        self.assertEqual(rows["A2"].return_reason, REASON)
        self.assertEqual(rows["A1-01"].state, Report.State.DRAFT)
        self.assertIsNone(rows["A2-01"].state)
        self.assertFalse(rows["A2-01"].has_people)
        self.assertTrue(rows["A1-01"].has_people)
        for report in (self.a1_report, self.a2_report, self.a1_01_report):
            self.assertContains(response, reverse("report_detail", args=[report.pk]))
        self.assertContains(response, "1 day late")
        self.assertContains(response, REASON)
        self.assertContains(response, "nobody to remind")
        # A reminder for what is still to come, never for what was sent.
        self.assertContains(
            response, reverse("remind_unit", args=[self.campaign.pk, self.grassroots_a1.pk])
        )
        self.assertNotContains(
            response, reverse("remind_unit", args=[self.campaign.pk, self.district_a1.pk])
        )

    def test_it_filters_by_level_and_by_state(self):
        district = self.kinds["district"].pk
        rows = self.rows(self.client.get(self.url, {"cap": district}))
        self.assertEqual(set(rows), {"A1", "A2"})
        rows = self.rows(self.client.get(self.url, {"tinh-trang": "not_started"}))
        self.assertEqual(set(rows), {"A2-01"})
        rows = self.rows(self.client.get(self.url, {"tinh-trang": "returned", "cap": district}))
        self.assertEqual(set(rows), {"A2"})
        rows = self.rows(self.client.get(self.url, {"trong": self.district_a1.pk}))
        self.assertEqual(set(rows), {"A1-01"})

    def test_a_filter_that_makes_no_sense_is_left_out_and_a_branch_outside_is_not_found(self):
        response = self.client.get(self.url, {"cap": "1 OR 1=1", "tinh-trang": "x", "trang": "²"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(self.rows(response)), 4)
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"trong": self.district_a2.pk})
        self.assertEqual(response.status_code, 404)
        # Alice reviews A1: her list is what lies below it.
        self.assertEqual(set(self.rows(self.client.get(self.url))), {"A1-01"})

    def test_a_viewer_or_a_unit_with_nothing_below_gets_no_list(self):
        for person in (self.carol, self.grassroots_reporter):
            self.client.force_login(person)
            self.assertIsNone(self.client.get(self.url).context["units"])

    def test_pages_hold_a_fixed_number_of_units_in_one_query_each(self):
        def page(number, per_page):
            return selectors.units_below(
                campaign=self.campaign, roots=[self.province_a], page=number, per_page=per_page
            )

        first, second, last = page(1, 3), page(2, 3), page(9, 3)
        self.assertEqual((first.total, first.pages), (4, 2))
        # In tree order: each unit followed by the units below it.
        self.assertEqual([r.unit.code for r in first.rows], ["A1", "A1-01", "A2"])
        self.assertEqual([r.unit.code for r in second.rows], ["A2-01"])
        self.assertEqual(last.number, 2)  # past the end: the last page
        self.assertTrue(first.has_next and not second.has_next and second.has_previous)
        for extra in range(5):
            make_unit(f"A1-1{extra}", self.kinds["grassroots"], self.district_a1)
        with CaptureQueriesContext(connection) as few:
            page(1, 2)
        with CaptureQueriesContext(connection) as many:
            self.assertEqual(len(page(1, 9).rows), 9)
        self.assertEqual(len(few), len(many))
        # The total comes from the running counts: the new units are in it, as in a recount.
        live = selectors.expected_below(campaign=self.campaign, roots=[self.province_a])
        self.assertEqual(page(1, 9).total, live.count())
        self.assertEqual(page(1, 9).total, 9)

    def test_the_pages_link_to_each_other_keeping_the_filters(self):
        for extra in range(60):
            make_unit(f"A2-{extra + 10}", self.kinds["grassroots"], self.district_a2)
        grassroots = self.kinds["grassroots"].pk
        response = self.client.get(self.url, {"cap": grassroots})
        self.assertEqual(response.context["units"]["page"].pages, 2)
        self.assertContains(response, f"?cap={grassroots}&amp;trang=2#don-vi")
        response = self.client.get(self.url, {"cap": grassroots, "trang": 2})
        self.assertEqual(len(self.rows(response)), 62 - 50)

    def test_the_drill_down_links_each_unit_to_its_report_and_its_units(self):
        url = reverse("completeness_branch", args=[self.campaign.pk, self.province_a.pk])
        response = self.client.get(url)
        self.assertContains(response, reverse("report_detail", args=[self.a1_report.pk]))
        self.assertContains(response, f"?trong={self.district_a1.pk}#don-vi")


class RemindTestCase(UnitsBelowWorld):
    def setUp(self):
        self.client.force_login(self.province_approver)
        self.in_english()

    def remind_unit(self, unit, **data):
        return self.client.post(reverse("remind_unit", args=[self.campaign.pk, unit.pk]), data)

    def remind_all(self, unit):
        return self.client.post(reverse("remind_missing", args=[self.campaign.pk, unit.pk]))

    def test_one_unit_is_reminded_once_a_day_and_a_second_click_says_so(self):
        self.client.force_login(self.alice)
        self.in_english()
        response = self.remind_unit(self.grassroots_a1, **{"tinh-trang": "draft"})
        self.assertIn("Reminded 1 person.", self.said(response))
        self.assertTrue(response["Location"].endswith("?tinh-trang=draft#don-vi"))
        self.assertEqual(Notice.objects.filter(user=self.grassroots_reporter).count(), 1)
        response = self.remind_unit(self.grassroots_a1)
        said = self.said(response)
        self.assertIn("1 person had already been reminded today", said)
        self.assertNotIn("Reminded 0", said)
        self.assertEqual(Notice.objects.filter(user=self.grassroots_reporter).count(), 1)

    def test_a_unit_with_nobody_to_remind_is_named(self):
        response = self.remind_unit(self.grassroots_a2)
        self.assertIn("1 unit has nobody to remind", self.said(response))
        self.assertIn("A2-01", self.said(response))
        self.assertFalse(Notice.objects.filter(key__startswith="remind:").exists())

    def test_a_unit_that_has_sent_is_not_reminded(self):
        self.client.force_login(self.province_approver)
        self.in_english()
        response = self.remind_unit(self.district_a1)
        self.assertIn("A1 has already sent its report", self.said(response))
        self.assertFalse(Notice.objects.filter(user=self.alice, key__startswith="remind:").exists())

    def test_the_bulk_reminder_counts_people_and_names_units_with_nobody(self):
        reporter = make_user("rita", self.grassroots_a1, Role.Kind.REPORTER)
        response = self.remind_all(self.province_a)
        said = self.said(response)
        # A2 (returned: bob), A1-01 (draft: gina and rita); A1 sent; A2-01 has nobody.
        self.assertIn("Reminded 3 people.", said)
        self.assertIn("1 unit has nobody to remind (no reporter or approver account): A2-01.", said)
        reminded = set(
            Notice.objects.filter(key__startswith="remind:").values_list(
                "user__username", flat=True
            )
        )
        self.assertEqual(reminded, {"bob", "gina", reporter.username})
        said = self.said(self.remind_all(self.province_a))
        self.assertIn("3 people had already been reminded today", said)
        self.assertEqual(Notice.objects.filter(key__startswith="remind:").count(), 3)

    def test_nobody_reminds_a_unit_they_do_not_review(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.remind_unit(self.grassroots_a2).status_code, 404)  # not hers to see
        self.assertEqual(self.remind_unit(self.district_a1).status_code, 403)  # her own
        self.client.force_login(self.carol)  # a viewer
        self.assertEqual(self.remind_unit(self.district_a2).status_code, 403)
        self.assertFalse(Notice.objects.filter(key__startswith="remind:").exists())
