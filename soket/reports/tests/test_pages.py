from django.urls import reverse

from soket.core.testing import CampaignTestCase
from soket.notices.models import Notice
from soket.reports import services


class CampaignReportsPageTestCase(CampaignTestCase):
    def setUp(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_submit(report=report, by=self.alice)
        self.client.force_login(self.province_approver)

    def test_it_shows_what_awaits_review_and_who_has_reported(self):
        response = self.client.get(reverse("campaign_reports", args=[self.campaign.pk]))
        self.assertContains(
            response, reverse("report_detail", args=[self.district_a1.reports.get().pk])
        )
        rows = {row.kind.code: row for unit, rows in response.context["levels"] for row in rows}
        self.assertEqual((rows["district"].expected, rows["district"].submitted), (2, 1))

    def test_one_click_reminds_every_unit_that_has_not_submitted_once_a_day(self):
        url = reverse("remind_missing", args=[self.campaign.pk, self.province_a.pk])
        self.client.post(url)
        self.assertTrue(Notice.objects.filter(user=self.bob).exists())
        self.assertFalse(Notice.objects.filter(user=self.alice).exists())
        self.client.post(url)
        self.assertEqual(Notice.objects.filter(user=self.bob).count(), 1)

    def test_the_drill_down_opens_a_level_at_a_time(self):
        url = reverse("completeness_branch", args=[self.campaign.pk, self.province_a.pk])
        response = self.client.get(url)
        self.assertContains(response, "A1")
        self.assertContains(response, "A2")

    def test_a_district_cannot_drill_into_its_neighbour_or_remind_it(self):
        self.client.force_login(self.alice)
        url = reverse("completeness_branch", args=[self.campaign.pk, self.district_a2.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        url = reverse("remind_missing", args=[self.campaign.pk, self.province_a.pk])
        self.assertEqual(self.client.post(url).status_code, 404)

    def test_a_viewer_may_look_but_not_remind(self):
        self.client.force_login(self.carol)
        url = reverse("remind_missing", args=[self.campaign.pk, self.province_a.pk])
        self.assertEqual(self.client.post(url).status_code, 403)


class StartReportTestCase(CampaignTestCase):
    def test_a_unit_outside_the_campaign_cannot_start_a_report_in_it(self):
        # The confederation sees province A's campaign but takes no part in it.
        self.client.force_login(self.national_approver)
        response = self.client.post(
            reverse("report_start", args=[self.campaign.pk]), {"unit": self.confederation.pk}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.confederation.reports.exists())

    def test_a_viewer_cannot_start_a_report(self):
        self.client.force_login(self.carol)
        response = self.client.post(
            reverse("report_start", args=[self.campaign.pk]), {"unit": self.province_a.pk}
        )
        self.assertEqual(response.status_code, 403)
