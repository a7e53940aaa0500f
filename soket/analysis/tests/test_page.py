"""The analysis page: a table per target, the units below in a disclosure, drill-down,
filters in the address, and nothing but 404 or a message for what makes no sense."""

from __future__ import annotations

from django.urls import reverse

from soket.analysis.tests.making import TwoDistrictsTestCase
from soket.campaigns.models import Campaign
from soket.orgs.models import Role
from soket.testing import make_target, make_user


class PageTestCase(TwoDistrictsTestCase):
    def setUp(self):
        super().setUp()
        self.url = reverse("target_analysis", args=[self.campaign.pk])

    def get(self, **query):
        return self.client.get(self.url, query)


class ReadingTestCase(PageTestCase):
    def test_the_province_sees_a_table_per_target_with_the_units_below_in_a_disclosure(self):
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["analysis"].unit, self.province_a)
        for target in (self.t_sum, self.t_ratio, self.t_share, self.t_qual):
            self.assertContains(response, f'id="chi-tieu-{target.pk}"')
        self.assertContains(response, "<details", count=4)
        self.assertContains(response, "1.234")  # a figure the Vietnamese way
        self.assertContains(response, "33,33%")
        self.assertContains(response, f"?don-vi={self.district_a1.pk}")  # drill-down
        units = reverse("target_analysis_units", args=[self.campaign.pk, self.t_ratio.pk])
        self.assertContains(response, f'hx-get="{units}?don-vi={self.province_a.pk}"')

    def test_it_speaks_vietnamese_by_default(self):
        response = self.get()
        self.assertContains(response, "Mục tiêu")
        self.assertContains(response, "Đánh giá")
        self.assertNotContains(response, ">Goal<")

    def test_drilling_down_opens_the_same_analysis_one_level_below(self):
        response = self.get(**{"don-vi": self.district_a1.pk, "chua-duyet": "1"})
        analysis = response.context["analysis"]
        self.assertEqual((analysis.unit, analysis.include_submitted), (self.district_a1, True))
        self.assertContains(response, f"?don-vi={self.province_a.pk}&amp;chua-duyet=1")  # back up
        units = reverse("target_analysis_units", args=[self.campaign.pk, self.t_sum.pk])
        self.assertContains(response, f"{units}?don-vi={self.district_a1.pk}&amp;chua-duyet=1")

    def test_reports_not_yet_accepted_are_counted_only_when_asked(self):
        def total(response):
            return next(r for r in response.context["analysis"].rows if r.target == self.t_sum)

        self.assertEqual(total(self.get()).value, 1234)
        self.assertEqual(total(self.get(**{"chua-duyet": "1"})).value, 1300)
        self.assertEqual(total(self.get(**{"chua-duyet": "có"})).value, 1234)

    def test_the_campaigns_reports_page_links_to_it(self):
        response = self.client.get(reverse("campaign_reports", args=[self.campaign.pk]))
        self.assertContains(response, f'href="{self.url}"')


class UnitsBelowTestCase(PageTestCase):
    """The units below one target, fetched when its disclosure is opened."""

    def units(self, target, htmx=True, **query):
        url = reverse("target_analysis_units", args=[self.campaign.pk, target.pk])
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.get(url, query, headers=headers)

    def test_opening_a_target_lists_the_units_below_with_figure_assessment_and_causes(self):
        response = self.units(self.t_ratio)
        self.assertTemplateUsed(response, "analysis/_units_below.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertContains(response, "33,33%")
        self.assertContains(response, "Thiếu cán bộ")  # A1 fell short of 75%: its causes
        analysis = reverse("target_analysis", args=[self.campaign.pk])
        self.assertContains(response, f"{analysis}?don-vi={self.district_a1.pk}")
        report_url = reverse("report_detail", args=[self.district_a1.reports.get().pk])
        self.assertContains(response, report_url)

    def test_the_list_and_its_page_share_an_address_that_says_it_varies(self):
        for htmx in (True, False):
            with self.subTest(htmx=htmx):
                self.assertIn("HX-Request", self.units(self.t_ratio, htmx=htmx)["Vary"])

    def test_without_javascript_the_list_is_a_page_of_its_own(self):
        response = self.units(self.t_ratio, htmx=False, **{"chua-duyet": "1"})
        self.assertTemplateUsed(response, "base.html")
        self.assertContains(response, "Thiếu cán bộ")
        self.assertTrue(response.context["analysis"].include_submitted)

    def test_a_target_the_unit_is_not_asked_for_is_not_found(self):
        other = make_target(self.resolution, "X", "sum", 5)
        self.assertEqual(self.units(other).status_code, 404)
        self.assertEqual(self.units(other, **{"don-vi": self.district_a1.pk}).status_code, 404)

    def test_a_district_cannot_list_its_neighbours_units(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.units(self.t_sum).status_code, 200)
        self.assertEqual(self.units(self.t_sum, **{"don-vi": self.district_a2.pk}).status_code, 404)

    def test_it_only_reads(self):
        url = reverse("target_analysis_units", args=[self.campaign.pk, self.t_sum.pk])
        self.assertEqual(self.client.post(url).status_code, 405)


class ScopeTestCase(PageTestCase):
    def test_a_district_sees_its_own_analysis_and_not_its_neighbours(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.get().context["analysis"].unit, self.district_a1)
        self.assertEqual(self.get(**{"don-vi": self.district_a2.pk}).status_code, 404)
        self.assertEqual(self.get(**{"don-vi": self.province_a.pk}).status_code, 404)

    def test_the_level_above_sees_a_district(self):
        response = self.get(**{"don-vi": self.district_a2.pk})
        self.assertEqual(response.status_code, 200)

    def test_another_province_and_someone_without_a_role_get_not_found(self):
        for person in (self.erin, make_user("nobody")):
            self.client.force_login(person)
            with self.subTest(person=person):
                self.assertEqual(self.get().status_code, 404)

    def test_a_draft_or_a_deployment_has_no_analysis(self):
        deployment = Campaign.objects.create(
            state="issued", code="trien-khai", owner=self.district_a1, kind="interim",
            title="Triển khai", reviewed_from="2013-01-01", reviewed_to="2015-12-31",
            deployed_from=self.campaign,
        )  # fmt: skip
        self.client.force_login(self.dave)
        url = reverse("target_analysis", args=[deployment.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        Campaign.objects.filter(pk=self.campaign.pk).update(state="draft")
        self.assertEqual(self.get().status_code, 404)  # dave administers it, yet: no reports

    def test_a_person_whose_units_take_no_part_is_told_so(self):
        national = make_user("tld-viewer", self.confederation, Role.Kind.VIEWER)
        self.client.force_login(national)
        self.campaign.participations.all().delete()
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context.get("analysis"))

    def test_anonymous_is_sent_to_log_in(self):
        self.client.logout()
        response = self.get()
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_it_only_reads(self):
        self.assertEqual(self.client.post(self.url).status_code, 405)
        self.assertEqual(self.client.head(self.url).status_code, 200)


class BadAddressTestCase(PageTestCase):
    def test_a_unit_that_is_no_id_or_no_unit_is_not_found(self):
        for value in ("abc", "-1", "²", "9" * 30, "0", "99999999"):
            with self.subTest(value=value):
                self.assertEqual(self.get(**{"don-vi": value}).status_code, 404)

    def test_a_level_or_programme_that_makes_no_sense_is_left_out_with_a_word(self):
        for name, dropped in (("cap", "kind"), ("chuong-trinh", "programme")):
            for value in ("abc", "0", "99999999", "9" * 30):
                with self.subTest(name=name, value=value):
                    response = self.get(**{name: value})
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, 'class="message warning"')
                    self.assertEqual(len(response.context["analysis"].rows), 4)
                    self.assertIn(dropped, response.context["analysis"].dropped)

    def test_the_level_filter_narrows_the_units_below(self):
        response = self.get(cap=self.kinds["district"].pk)
        self.assertEqual(response.context["analysis"].kind, self.kinds["district"])
        self.assertNotContains(response, 'class="message warning"')
