import datetime
from decimal import Decimal

from django.urls import reverse

from soket.audit.models import Entry
from soket.core import clock
from soket.notices.models import Notice
from soket.reports import services
from soket.testing import CampaignTestCase


class CampaignReportsPageTestCase(CampaignTestCase):
    def setUp(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_submit(report=report, by=self.alice, warnings_confirmed=True)
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


class DocumentReferenceTestCase(CampaignTestCase):
    """The office records the number and date it gives the report when it is issued."""

    def setUp(self):
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.url = reverse("report_reference", args=[self.report.pk])
        self.client.force_login(self.alice)

    def post(self, **fields):
        data = {"revision": self.report.revision, "document_number": "", "issued_on": ""}
        return self.client.post(self.url, {**data, **fields}, follow=True)

    def test_it_records_the_number_date_and_signed_original(self):
        response = self.post(document_number=" 45/BC-LĐLĐ ", issued_on="28/12/2015", is_signed="1")
        self.assertContains(response, 'value="28/12/2015"')
        self.report.refresh_from_db()
        self.assertEqual(self.report.document_number, "45/BC-LĐLĐ")
        self.assertEqual(self.report.issued_on, datetime.date(2015, 12, 28))
        self.assertTrue(self.report.is_signed)
        entry = Entry.objects.get(action="reference")
        self.assertEqual(entry.after["document_number"], "45/BC-LĐLĐ")

    def test_a_date_that_is_not_a_date_changes_nothing(self):
        response = self.post(document_number="45", issued_on="31/02/2016")
        self.assertContains(response, "31/02/2016")
        self.report.refresh_from_db()
        self.assertEqual((self.report.document_number, self.report.issued_on), ("", None))

    def test_a_number_that_does_not_start_with_its_number_is_refused(self):
        response = self.post(document_number="<script>BC</script>")
        self.assertContains(response, "45/BC-LĐLĐ")  # the message shows the expected form
        self.assertNotContains(response, "<script>BC")
        self.report.refresh_from_db()
        self.assertEqual(self.report.document_number, "")

    def test_a_date_after_today_is_refused(self):
        self.post(issued_on=(clock.today() + datetime.timedelta(days=1)).isoformat())
        self.report.refresh_from_db()
        self.assertIsNone(self.report.issued_on)

    def test_a_stale_form_is_refused(self):
        opened_at = self.report.revision
        services.report_save(report=self.report, by=self.alice, revision=opened_at)
        response = self.post(document_number="45", revision=opened_at)
        self.assertContains(response, "số và ngày chưa được lưu")
        self.report.refresh_from_db()
        self.assertEqual(self.report.document_number, "")

    def test_a_submitted_report_keeps_the_number_it_left_with(self):
        self.post(document_number="45")
        self.report.refresh_from_db()
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        self.post(document_number="46")
        self.report.refresh_from_db()
        self.assertEqual(self.report.document_number, "45")
        self.client.force_login(self.province_approver)
        page = self.client.get(reverse("report_detail", args=[self.report.pk]))
        self.assertContains(page, "Số 45")
        self.assertNotContains(page, 'name="document_number"')

    def test_a_viewer_cannot_set_it_and_a_neighbour_cannot_see_it(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.post(document_number="45").status_code, 403)
        self.client.force_login(self.bob)
        self.assertEqual(self.post(document_number="45").status_code, 404)
        self.report.refresh_from_db()
        self.assertEqual(self.report.document_number, "")


class ShareOfUnitsPageTestCase(CampaignTestCase):
    """Where a level counts the units below that met a target, the page asks for both
    numbers, and saving it untouched changes nothing."""

    def test_an_untouched_save_keeps_the_count_of_units_below(self):
        from soket.reports.models import Figure

        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        Figure.objects.create(
            report=report, target=self.t_share, value=Decimal("93.75"),
            numerator=Decimal(15), denominator=Decimal(16),
        )  # fmt: skip
        self.client.force_login(self.alice)
        page = self.client.get(reverse("report_detail", args=[report.pk]))
        self.assertContains(page, f'name="numerator-{self.t_share.pk}" value="15"')
        self.assertContains(page, f'name="denominator-{self.t_share.pk}" value="16"')
        self.assertNotContains(page, f'name="value-{self.t_share.pk}"')
        response = self.client.post(
            reverse("report_save", args=[report.pk]),
            {
                "revision": report.revision,
                f"override-{self.t_share.pk}": "",
                f"numerator-{self.t_share.pk}": "15",
                f"denominator-{self.t_share.pk}": "16",
            },
        )
        self.assertEqual(response.status_code, 302)
        figure = Figure.objects.get(report=report, target=self.t_share)
        self.assertEqual((figure.numerator, figure.denominator), (15, 16))

    def test_a_grassroots_union_gives_its_own_value(self):
        report = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        self.client.force_login(self.grassroots_reporter)
        page = self.client.get(reverse("report_detail", args=[report.pk]))
        self.assertContains(page, f'name="value-{self.t_share.pk}"')
