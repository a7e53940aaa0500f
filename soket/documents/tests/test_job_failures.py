"""A document waited for in place says so when it cannot come: the session ended, the
job is gone, the runner is slow. Nothing is swapped into a corner of the page and
nothing says "Đang tạo PDF…" for ever."""

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from soket.core.browser import BrowserTestCase
from soket.documents import jobs
from soket.documents.models import DocumentJob
from soket.reports import services
from soket.testing import CampaignTestCase, build_campaign, build_tree, use_temporary_media

HTMX = {"HTTP_HX_REQUEST": "true"}


class FailedWaitTests(CampaignTestCase):
    def setUp(self):
        use_temporary_media(self)
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)

    def job(self, **fields) -> DocumentJob:
        return DocumentJob.objects.create(
            requested_by=self.alice,
            what=DocumentJob.What.REPORT,
            file_format="pdf",
            campaign=self.campaign,
            report=self.report,
            filename="bao-cao.pdf",
            requested_at=timezone.now(),
            **fields,
        )

    def test_after_the_session_ends_htmx_sends_the_browser_to_log_in_and_back(self):
        job = self.job()
        inline = reverse("document_job_inline", args=[job.pk])
        page = f"http://testserver/bao-cao/{self.report.pk}/?tab=1"
        response = Client().get(inline, HTTP_HX_CURRENT_URL=page, **HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["HX-Redirect"], f"/dang-nhap/?next=%2Fbao-cao%2F{self.report.pk}%2F%3Ftab%3D1"
        )
        self.assertEqual(response.content, b"")
        # Without htmx, the ordinary redirect to the login page.
        plain = Client().get(inline)
        self.assertEqual(plain.status_code, 302)
        self.assertNotIn("HX-Redirect", plain)

    def test_the_waiting_button_is_asked_by_get_only(self):
        self.client.force_login(self.alice)
        inline = reverse("document_job_inline", args=[self.job().pk])
        self.assertEqual(self.client.post(inline, **HTMX).status_code, 405)
        self.assertEqual(self.client.put(inline, **HTMX).status_code, 405)

    def test_a_document_waiting_long_says_so_and_keeps_asking(self):
        self.client.force_login(self.alice)
        job = self.job()
        inline = reverse("document_job_inline", args=[job.pk])
        fresh = self.client.get(inline, **HTMX)
        self.assertNotContains(fresh, "lâu hơn thường lệ")
        DocumentJob.objects.filter(pk=job.pk).update(
            requested_at=timezone.now() - jobs.LONG_WAIT - datetime.timedelta(seconds=1)
        )
        late = self.client.get(inline, **HTMX)
        self.assertContains(late, "lâu hơn thường lệ")
        self.assertContains(late, 'hx-trigger="every 1s"')

    def test_what_to_say_on_failure_is_written_in_the_page(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("report_detail", args=[self.report.pk]))
        self.assertContains(page, 'data-failed="Không yêu cầu được văn bản', count=2)
        waiting = self.client.get(reverse("document_job_inline", args=[self.job().pk]), **HTMX)
        self.assertContains(waiting, 'data-failed="Không tạo được văn bản')


class FailedWaitBrowserTests(BrowserTestCase):
    """In Chromium, under the Content Security Policy."""

    def setUp(self):
        build_tree(self)
        build_campaign(self)
        use_temporary_media(self)
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.page = self.new_page()

    def test_a_document_that_vanishes_while_waited_for_says_so_and_stops_asking(self):
        self.sign_in(self.page, "alice", "password")
        self.page.goto(f"{self.live_server_url}/bao-cao/{self.report.pk}/")
        self.page.click(".documents button:text-is('PDF')")
        self.page.locator(".job-inline .working").wait_for()
        DocumentJob.objects.all().delete()  # pruned, or no longer the person's to see
        failed = self.page.locator(".documents .failed")
        failed.wait_for(timeout=10_000)
        self.assertEqual(
            failed.inner_text(), "Không tạo được văn bản: hãy tải lại trang và yêu cầu lại."
        )
        asked = []
        self.page.on("request", lambda request: asked.append(request.url))
        self.page.wait_for_timeout(2_500)
        self.assertFalse([url for url in asked if "tai-cho" in url], "it stopped asking")
        # Console errors are the 404 htmx was answered with, nothing else.
        self.assertTrue(all("404" in error for error in self.console_errors), self.console_errors)
