"""The steering committee's analysis in a real Chromium, on the Lạng Sơn demo: from the
reports page to the province's twelve targets, a target's units below opened in place,
and down to a district, with no script error and no CSP violation."""

import pytest
from django.urls import reverse

from soket.campaigns.models import Campaign
from soket.core.browser import BrowserTestCase
from soket.demo import data
from soket.demo.loader import load_demo
from soket.orgs.models import Unit

pytestmark = pytest.mark.browser


class AnalysisBrowserTestCase(BrowserTestCase):
    def setUp(self):
        load_demo()
        self.page = self.new_page()
        self.sign_in(self.page, "tinh.duyet", data.PASSWORD)

    def test_the_province_reads_its_targets_and_drills_down_to_a_district(self):
        campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
        analysis = reverse("target_analysis", args=[campaign.pk])
        self.page.goto(self.live_server_url + reverse("campaign_reports", args=[campaign.pk]))
        self.page.click(f"a[href='{analysis}']")
        self.page.wait_for_url(f"**{analysis}")
        self.assertEqual(self.page.locator("section.analysis").count(), 12)
        self.assertIn("Mục tiêu", self.page.inner_text("section.analysis >> nth=0"))

        # A target's units below are fetched when its disclosure is opened.
        second = self.page.locator("section.analysis >> nth=1")
        second.locator("summary").click()
        listed = second.locator(".units table")
        listed.wait_for()
        caoloc = Unit.objects.get(code="LS-CL")
        self.assertIn(caoloc.name, listed.inner_text())

        listed.locator(f"a[href$='?don-vi={caoloc.pk}']").first.click()
        self.page.wait_for_url(f"**{analysis}?don-vi={caoloc.pk}*")
        self.assertIn(caoloc.name, self.page.inner_text("h1"))
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")
