"""The dashboard in a real Chromium, on the Lạng Sơn demo: the province's page paints,
its charts arrive as SVG images, and the matrix drills down to a district and on to a
grassroots union, with no script error and no CSP violation on the way."""

import pytest
from django.urls import reverse

from soket.campaigns.models import Campaign
from soket.core.browser import BrowserTestCase
from soket.demo import data
from soket.demo.loader import load_demo
from soket.orgs.models import Unit

pytestmark = pytest.mark.browser


class DashboardBrowserTestCase(BrowserTestCase):
    def setUp(self):
        load_demo()
        self.page = self.new_page()
        self.sign_in(self.page, "tinh.duyet", data.PASSWORD)

    def charts_drawn(self) -> int:
        """How many chart images the page shows, each loaded as an SVG and painted."""
        images = self.page.locator("figure.chart img")
        for index in range(images.count()):
            images.nth(index).scroll_into_view_if_needed()
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('figure.chart img')]"
            ".every(img => img.complete && img.naturalWidth > 0)"
        )
        return images.count()

    def test_the_province_drills_down_to_a_grassroots_union_with_its_charts(self):
        campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
        url = reverse("dashboard", args=[campaign.pk])
        svg_answers = []
        self.page.on(
            "response",
            lambda response: (
                "/tong-quan/" in response.url
                and ".svg" in response.url
                and svg_answers.append((response.status, response.headers.get("content-type")))
            ),
        )
        self.page.goto(self.live_server_url + url)
        self.assertIn("Lạng Sơn", self.page.inner_text("h1"))
        self.assertGreaterEqual(self.charts_drawn(), 2)
        self.assertGreater(self.page.locator("table.matrix td.cell").count(), 0)

        caoloc = Unit.objects.get(code="LS-CL")
        self.page.click(f"table.matrix a[href='?don-vi={caoloc.pk}']")
        self.page.wait_for_url(f"**{url}?don-vi={caoloc.pk}")
        self.assertIn(caoloc.name, self.page.inner_text("h1"))
        self.assertGreaterEqual(self.charts_drawn(), 1)

        union = self.page.locator("table.matrix tbody th a").first
        name = union.inner_text()
        union.click()
        self.page.wait_for_url("**?don-vi=*")
        self.assertIn(name, self.page.inner_text("h1"))
        self.assertGreater(len(svg_answers), 2)
        self.assertTrue(
            all(answer == (200, "image/svg+xml") for answer in svg_answers), svg_answers
        )
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")
