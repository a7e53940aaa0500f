"""The home page shows what is due from the person with its true state, and a returned
report says why, on the home page and at the top of its own page; a writer who may not
send a report is told who can."""

from django.urls import reverse

from soket.orgs.models import Role
from soket.reports import services
from soket.testing import CampaignTestCase, make_user

REASON = "Thiếu số liệu CT02"
PAST = '<span class="badge late">past</span>'


class HomeTestCase(CampaignTestCase):
    def setUp(self):
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})

    def items(self, person) -> dict:
        self.client.force_login(person)
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        return {(item.name, item.due_on): item for item in response.context["due_items"]}

    def test_a_sent_or_accepted_report_is_not_past_its_date(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_submit(report=report, by=self.alice, warnings_confirmed=True)
        [item] = [i for i in self.items(self.alice).values() if i.name == "A1"]
        self.assertEqual(item.state, "submitted")
        self.assertFalse(item.overdue)  # due 31/12/2015, long past, but sent
        services.report_accept(report=report, by=self.province_approver)
        [item] = [i for i in self.items(self.alice).values() if i.name == "A1"]
        self.assertEqual(item.state, "accepted")
        self.assertFalse(item.overdue)
        response = self.client.get(reverse("home"))
        self.assertNotContains(response, PAST)

    def test_a_report_not_sent_is_past_its_date(self):
        [item] = [i for i in self.items(self.bob).values() if i.name == "A2"]
        self.assertIsNone(item.state)
        self.assertTrue(item.overdue)
        self.assertContains(self.client.get(reverse("home")), PAST)

    def test_a_returned_report_is_listed_for_the_unit_that_must_mend_it_with_the_reason(self):
        # Grassroots unions have no deadline in this campaign: the return is listed anyway.
        report = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        services.report_submit(report=report, by=self.grassroots_reporter, warnings_confirmed=True)
        services.report_return(report=report, by=self.alice, reason=REASON)
        [item] = self.items(self.grassroots_reporter).values()
        self.assertEqual((item.state, item.return_reason), ("returned", REASON))
        response = self.client.get(reverse("home"))
        self.assertContains(response, REASON)
        self.assertContains(response, reverse("report_detail", args=[report.pk]))

    def test_a_level_without_a_deadline_still_sees_its_report_to_write(self):
        [item] = self.items(self.grassroots_reporter).values()
        self.assertEqual(
            (item.name, item.due_on, item.state, item.overdue), ("A1-01", None, None, False)
        )
        report = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        [item] = self.items(self.grassroots_reporter).values()
        self.assertEqual((item.report, item.state), (report, "draft"))

    def test_a_viewer_has_nothing_due(self):
        self.assertEqual(self.items(self.carol), {})


class ReportPageTestCase(CampaignTestCase):
    def setUp(self):
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.report = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        self.url = reverse("report_detail", args=[self.report.pk])

    def test_a_returned_report_shows_its_reason_at_the_top(self):
        services.report_submit(
            report=self.report, by=self.grassroots_reporter, warnings_confirmed=True
        )
        services.report_return(report=self.report, by=self.alice, reason=REASON)
        self.client.force_login(self.grassroots_reporter)
        page = self.client.get(self.url).content.decode()
        self.assertIn("This report was returned for correction.", page)
        self.assertLess(page.index(REASON), page.index('class="report-form"'))
        services.report_submit(
            report=self.report, by=self.grassroots_reporter, warnings_confirmed=True
        )
        self.assertNotContains(self.client.get(self.url), "returned for correction")

    def test_a_writer_who_may_not_send_sees_who_can(self):
        writer = make_user("rita", self.grassroots_a1, Role.Kind.REPORTER)
        self.client.force_login(writer)
        response = self.client.get(self.url)
        self.assertContains(response, "sending it is for: gina.")
        self.assertNotContains(response, reverse("report_move", args=[self.report.pk, "gui"]))
        self.client.force_login(self.grassroots_reporter)  # gina, the approver, sends it
        response = self.client.get(self.url)
        self.assertNotContains(response, "sending it is for")
        self.assertContains(response, reverse("report_move", args=[self.report.pk, "gui"]))

    def test_a_writer_with_nobody_to_send_is_told_to_ask_for_an_approver(self):
        Role.objects.filter(user=self.grassroots_reporter).update(kind=Role.Kind.REPORTER)
        self.client.force_login(self.grassroots_reporter)
        self.assertContains(self.client.get(self.url), "name an approver")
