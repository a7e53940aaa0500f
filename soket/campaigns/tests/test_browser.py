"""A person logs in and opens the campaign page in a real Chromium."""

import pytest

from soket.campaigns.models import Campaign
from soket.core.browser import BrowserTestCase
from soket.demo import data
from soket.demo.loader import load_demo

pytestmark = pytest.mark.browser


class CampaignPageBrowserTestCase(BrowserTestCase):
    def setUp(self):
        load_demo()
        self.page = self.browser.new_page()
        self.console_errors = []
        self.page.on(
            "console",
            lambda message: message.type == "error" and self.console_errors.append(message.text),
        )

    def tearDown(self):
        self.page.close()

    def log_in(self, username):
        self.page.goto(self.live_server_url + "/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", data.PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.live_server_url + "/")

    def test_a_district_official_opens_the_campaign_and_its_tree(self):
        self.log_in("caoloc.duyet")
        campaign = Campaign.objects.get()
        self.page.click(f"a[href='/dot/{campaign.pk}/']")
        self.page.wait_for_selector("text=THỜI GIAN THỰC HIỆN")
        self.assertIn("Lô Tiến Sơn", self.page.inner_text(".signature"))

        # The tree opens a level at a time through htmx, and only within her scope.
        tree = self.page.locator("#units")
        self.assertIn("Cao Lộc", tree.inner_text())
        self.assertNotIn("Tràng Định", tree.inner_text())
        tree.locator("summary").first.click(position={"x": 4, "y": 8})  # the marker, not the link
        tree.locator("text=Công đoàn cơ sở mẫu số 1 (Cao Lộc)").wait_for()
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")

    def test_a_wrong_password_is_refused_in_vietnamese(self):
        self.page.goto(self.live_server_url + "/")
        self.page.fill("#id_username", "caoloc.duyet")
        self.page.fill("#id_password", "wrong")
        self.page.click("button[type=submit]")
        errors = self.page.locator(".errors")
        errors.wait_for()  # the answer has loaded before anything is read from it
        self.assertIn("Đăng nhập", self.page.title())
        self.assertIn("tên đăng nhập", errors.inner_text().lower())

    def test_a_district_double_clicks_accept_and_the_report_is_accepted_once(self):
        from soket.reports.models import Report, Transition

        waiting = Report.objects.get(unit__code="LS-CL-02", state=Report.State.SUBMITTED)
        self.log_in("caoloc.duyet")
        self.page.goto(f"{self.live_server_url}/bao-cao/{waiting.pk}/")
        self.page.locator("form[action$='/chuyen/chap-nhan/'] button").dblclick()
        self.page.wait_for_selector(".badge.state-accepted")
        waiting.refresh_from_db()
        self.assertEqual(waiting.state, Report.State.ACCEPTED)
        accepts = waiting.transitions.filter(action=Transition.Action.ACCEPT)
        self.assertEqual(accepts.count(), 1)
        self.assertEqual(self.console_errors, [])

    def test_a_district_official_waits_for_the_consolidated_table_and_downloads_it(self):
        import shutil
        import tempfile

        from django.test import override_settings

        from soket.documents import jobs
        from soket.documents.models import DocumentJob

        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        with override_settings(MEDIA_ROOT=media):
            self.log_in("caoloc.duyet")
            campaign = Campaign.objects.get()
            self.page.goto(f"{self.live_server_url}/bao-cao/dot/{campaign.pk}/")
            self.page.click("text=Bảng tổng hợp (Excel)")
            self.page.wait_for_selector("#job-status.state-queued")
            # The background runner makes it; the page, polling, offers it by itself.
            job = DocumentJob.objects.get()
            jobs.job_run(job_id=str(job.pk))
            link = self.page.locator("#job-status.state-ready a.button")
            link.wait_for(timeout=10_000)
            with self.page.expect_download() as download:
                link.click()
            self.assertTrue(download.value.suggested_filename.startswith("bang-tong-hop-"))
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")
