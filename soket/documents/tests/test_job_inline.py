"""A PDF (or a Word document made in the background) waits where its button was: the
button becomes "Đang tạo PDF…", then the download, swapped in by htmx; without
JavaScript the same button leads to the document's own page, as before."""

import pytest
from django.test import override_settings
from django.urls import reverse

from soket.core.browser import BrowserTestCase
from soket.documents import jobs
from soket.documents.models import DocumentJob
from soket.documents.tests.resident import resident_converter
from soket.documents.tests.tools import require_pdf_tools
from soket.reports import services
from soket.testing import CampaignTestCase, build_campaign, build_tree, use_temporary_media

HTMX = {"HTTP_HX_REQUEST": "true"}


class InlineJobTests(CampaignTestCase):
    def setUp(self):
        use_temporary_media(self)
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)

    def ask(self, headers=HTMX, **fields):
        data = {"campaign": self.campaign.pk, "what": "report", "report": self.report.pk}
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("document_request"), {**data, **fields}, **headers)

    def run_jobs(self) -> None:
        for job in DocumentJob.objects.filter(state=DocumentJob.State.QUEUED):
            jobs.job_run(job_id=str(job.pk))

    def test_the_report_page_asks_for_word_and_pdf_in_place_and_the_table_on_its_page(self):
        page = self.client.get(reverse("report_detail", args=[self.report.pk]))
        url = reverse("document_request")
        self.assertContains(page, f'hx-post="{url}"', count=2)  # A1's Word and PDF
        self.assertContains(page, f'action="{url}"', count=2)  # and without JavaScript
        table = self.client.get(reverse("campaign_reports", args=[self.campaign.pk]))
        self.assertContains(table, f'action="{url}"')
        self.assertNotContains(table, "hx-post")

    def test_a_pdf_waits_in_place_of_its_button_and_is_then_offered(self):
        require_pdf_tools()
        waiting = self.ask(format="pdf")
        job = DocumentJob.objects.get()
        inline = reverse("document_job_inline", args=[job.pk])
        self.assertEqual(waiting.status_code, 200)  # a piece of page, not a redirect
        self.assertContains(waiting, "Đang tạo PDF…")
        self.assertContains(waiting, f'hx-get="{inline}"')
        self.assertContains(waiting, 'hx-trigger="every 1s"')
        self.run_jobs()
        ready = self.client.get(inline, **HTMX)
        self.assertNotContains(ready, "hx-trigger")  # finished: no more asking
        self.assertContains(ready, "Tải PDF")
        self.assertContains(ready, reverse("document_job_file", args=[job.pk]))
        download = self.client.get(reverse("document_job_file", args=[job.pk]))
        self.assertTrue(b"".join(download.streaming_content).startswith(b"%PDF"))

    def test_without_javascript_the_button_leads_to_the_documents_page(self):
        response = self.ask(headers={}, format="pdf")
        job = DocumentJob.objects.get()
        self.assertRedirects(response, reverse("document_job", args=[job.pk]))
        page = self.client.get(reverse("document_job", args=[job.pk]))
        self.assertContains(page, "<noscript>")
        self.assertContains(page, "Tải lại trang để xem văn bản đã xong chưa.")

    def test_a_refused_request_says_why_in_place(self):
        with override_settings(SOKET_DOCUMENT_JOBS_PER_PERSON=0):
            response = self.ask(format="docx")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'role="alert"')
        self.assertContains(response, "văn bản đang chờ tạo")
        self.assertFalse(DocumentJob.objects.exists())

    def test_a_failed_pdf_says_why_in_place_and_offers_to_try_again(self):
        require_pdf_tools()
        self.ask(format="pdf")
        job = DocumentJob.objects.get()
        # LibreOffice of its own only, with too little memory to start.
        with override_settings(SOKET_OFFICE_SERVER="", SOKET_PDF_MEMORY_MB=40):
            self.run_jobs()
        failed = self.client.get(reverse("document_job_inline", args=[job.pk]), **HTMX)
        self.assertContains(failed, "Không tạo được văn bản:")
        self.assertContains(failed, f'hx-post="{reverse("document_request")}"')
        self.assertContains(failed, 'name="format" value="pdf"')
        self.assertContains(failed, "Thử lại")

    def test_someone_elses_document_is_not_found_in_place_either(self):
        self.ask(format="docx")
        job = DocumentJob.objects.get()
        self.client.force_login(self.dave)
        response = self.client.get(reverse("document_job_inline", args=[job.pk]), **HTMX)
        self.assertEqual(response.status_code, 404)


@pytest.mark.browser
class InlinePdfBrowserTests(BrowserTestCase):
    """In Chromium, under the Content Security Policy, with the resident converter."""

    def setUp(self):
        require_pdf_tools()
        build_tree(self)
        build_campaign(self)
        use_temporary_media(self)
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.page = self.new_page()

    def test_the_pdf_button_says_it_is_working_then_offers_the_pdf(self):
        with resident_converter():
            self.sign_in(self.page, "alice", "password")
            self.page.goto(f"{self.live_server_url}/bao-cao/{self.report.pk}/")
            self.page.click(".documents button:text-is('PDF')")
            working = self.page.locator(".job-inline .working")
            working.wait_for()
            self.assertEqual(working.inner_text().strip(), "Đang tạo PDF…")
            # The background runner makes it; the button, asking every second, offers it.
            jobs.job_run(job_id=str(DocumentJob.objects.get().pk))
            link = self.page.locator(".job-inline a.button")
            link.wait_for(timeout=10_000)
            self.assertEqual(link.inner_text().strip(), "Tải PDF")
            with self.page.expect_download() as download:
                link.click()
            with open(download.value.path(), "rb") as made:
                self.assertTrue(made.read().startswith(b"%PDF"))
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")
