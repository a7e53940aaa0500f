"""The lessons page in a real Chromium, on the Lạng Sơn demo: a search typed without
diacritics replaces the results in place, and "Quote into the draft" puts the passage
into the province's draft and says so where the button was, with no script error and
no CSP violation."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from soket.campaigns.models import Campaign
from soket.core.browser import BrowserTestCase
from soket.demo import data
from soket.demo.loader import load_demo
from soket.reports.models import Report, SectionText

pytestmark = pytest.mark.browser


@override_settings(SOKET_SIMULATED_TODAY=datetime.date(2016, 1, 5))
class LessonsBrowserTestCase(BrowserTestCase):
    def setUp(self):
        load_demo()
        self.campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
        self.draft = Report.objects.get(
            campaign=self.campaign, unit=self.campaign.owner, department__isnull=True
        )
        self.page = self.new_page()
        self.sign_in(self.page, "tinh.baocao", data.PASSWORD)

    def test_the_drafter_finds_a_passage_typed_without_marks_and_quotes_it(self):
        self.page.goto(self.live_server_url + reverse("lessons", args=[self.campaign.pk]))
        search = self.page.locator("form.filters input[name='q']")
        search.fill("cong doan")
        search.press("Enter")
        # htmx swaps the results in and pushes the address: no page load to wait for.
        self.page.wait_for_function("() => location.search.includes('q=cong%20doan')")
        first = self.page.locator("#ket-qua li.passage:has(mark)").first
        first.wait_for()
        passage = first.locator("blockquote").inner_text().strip()
        before = self.drafted_texts()

        first.get_by_role("button").click()
        message = first.locator("[role=status]")
        message.wait_for()
        self.assertIn("success", message.get_attribute("class") or "")
        after = self.drafted_texts()
        self.assertNotEqual(before, after, "the quote changed the draft")
        self.assertIn(passage.splitlines()[0][:40], after)
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")

    def drafted_texts(self) -> str:
        return "\n".join(
            SectionText.objects.filter(report=self.draft).values_list("text", flat=True)
        )
