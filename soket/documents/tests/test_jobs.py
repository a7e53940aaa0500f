"""PDFs, consolidated reports and the consolidated table are made by the background
runner: the page asks, polls, and offers the file; LibreOffice never outlives its limits."""

import datetime
import fcntl
import io
import shutil
import tempfile
from pathlib import Path

import openpyxl
from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from soket.documents import jobs, pdf
from soket.documents.models import DocumentJob
from soket.documents.tests.tools import require_pdf_tools
from soket.reports import services
from soket.testing import CampaignTestCase, build_campaign, build_tree, use_temporary_media


def office_processes(run_dir: str) -> list[str]:
    """The command lines of the LibreOffice processes that conversions under `run_dir`
    (SOKET_RUN_DIR, where each conversion has its folder) started."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        line = " ".join(word.decode(errors="replace") for word in words)
        if f"{run_dir}/{pdf.WORK_PREFIX}" in line:
            found.append(line)
    return found


class JobPagesTestCase(CampaignTestCase):
    def setUp(self):
        self.media = use_temporary_media(self)
        self.run_dir = tempfile.mkdtemp()  # this test's conversions, and only theirs
        self.addCleanup(shutil.rmtree, self.run_dir)
        override = override_settings(SOKET_RUN_DIR=self.run_dir)
        override.enable()
        self.addCleanup(override.disable)
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)

    def ask(self, **fields):
        data = {"campaign": self.campaign.pk, **fields}
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("document_request"), data)

    def run_jobs(self) -> None:
        for job in DocumentJob.objects.filter(state=DocumentJob.State.QUEUED):
            jobs.job_run(job_id=str(job.pk))

    def test_the_consolidated_table_is_made_in_the_background_and_offered_when_ready(self):
        response = self.ask(what="table", format="xlsx", unit=self.district_a1.pk)
        job = DocumentJob.objects.get()
        self.assertRedirects(response, reverse("document_job", args=[job.pk]))
        page = self.client.get(reverse("document_job", args=[job.pk]))
        self.assertContains(page, 'hx-trigger="every 2s"')  # the page polls while it waits
        self.assertContains(page, "Đang chờ")
        self.run_jobs()
        status = self.client.get(reverse("document_job_status", args=[job.pk]))
        self.assertNotContains(status, "hx-trigger")  # finished: no more polling
        self.assertContains(status, reverse("document_job_file", args=[job.pk]))
        download = self.client.get(reverse("document_job_file", args=[job.pk]))
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
        self.assertEqual(workbook.sheetnames[0], "Tổng hợp")
        self.assertIn("bang-tong-hop-A1", download["Content-Disposition"])

    def test_a_double_click_asks_once(self):
        self.ask(what="table", format="xlsx", unit=self.district_a1.pk)
        self.ask(what="table", format="xlsx", unit=self.district_a1.pk)
        self.assertEqual(DocumentJob.objects.count(), 1)

    def test_nobody_floods_the_queue(self):
        with override_settings(SOKET_DOCUMENT_JOBS_PER_PERSON=2):
            # A plan ignores what else is sent: the same plan is the same job.
            for unit in (self.district_a1, self.grassroots_a1, self.province_a):
                self.ask(what="plan", format="docx", unit=unit.pk, report=self.report.pk)
            self.assertEqual(DocumentJob.objects.count(), 1)
            self.ask(what="outline", format="docx")
            response = self.ask(what="table", format="xlsx", unit=self.district_a1.pk)
        self.assertEqual(DocumentJob.objects.count(), 2)
        self.assertRedirects(response, reverse("campaign_reports", args=[self.campaign.pk]))

    def old_job(self) -> DocumentJob:
        from django.core.files.base import ContentFile
        from django.utils import timezone

        job = DocumentJob(
            requested_by=self.alice, what="plan", file_format="docx", campaign=self.campaign,
            state=DocumentJob.State.READY, filename="ke-hoach.docx",
            requested_at=timezone.now() - datetime.timedelta(days=2),
        )  # fmt: skip
        job.file.save("old", ContentFile(b"PK"), save=False)
        job.save()
        return job

    def test_documents_older_than_a_day_are_forgotten_files_and_all(self):
        old = self.old_job()
        path = old.file.path
        self.ask(what="outline", format="docx")
        self.assertFalse(DocumentJob.objects.filter(pk=old.pk).exists())
        self.assertFalse(Path(path).exists())

    def test_a_refused_request_forgets_nothing(self):
        old = self.old_job()
        with override_settings(SOKET_DOCUMENT_JOBS_PER_PERSON=0):
            response = self.ask(what="outline", format="docx")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(DocumentJob.objects.filter(pk=old.pk).exists())
        self.assertTrue(Path(old.file.path).exists())
        download = self.client.get(reverse("document_job_file", args=[old.pk]))
        self.assertEqual(download.status_code, 200)

    def test_a_file_gone_from_the_disk_is_not_found(self):
        old = self.old_job()
        Path(old.file.path).unlink()
        response = self.client.get(reverse("document_job_file", args=[old.pk]))
        self.assertEqual(response.status_code, 404)

    def test_a_job_is_its_requesters_alone(self):
        self.ask(what="table", format="xlsx", unit=self.district_a1.pk)
        job = DocumentJob.objects.get()
        self.run_jobs()
        self.client.force_login(self.dave)  # can see the unit, did not ask
        for name in ("document_job", "document_job_status", "document_job_file"):
            self.assertEqual(self.client.get(reverse(name, args=[job.pk])).status_code, 404)

    def test_nobody_asks_for_what_they_cannot_see(self):
        self.ask(what="table", format="xlsx", unit=self.district_a2.pk)
        other = services.report_for(campaign=self.campaign, unit=self.district_a2)
        self.ask(what="report", format="pdf", report=other.pk)
        self.assertFalse(DocumentJob.objects.exists())

    def test_the_light_word_document_comes_at_once_and_the_consolidated_one_does_not(self):
        grassroots = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        self.client.force_login(self.grassroots_reporter)
        response = self.client.get(reverse("report_document", args=[grassroots.pk]))
        self.assertEqual(response.status_code, 200)
        self.client.force_login(self.alice)  # A1 consolidates its grassroots unions
        response = self.client.get(reverse("report_document", args=[self.report.pk]))
        self.assertEqual(response.status_code, 404)
        page = self.client.get(reverse("report_detail", args=[self.report.pk]))
        self.assertContains(page, reverse("document_request"))

    def test_a_failed_document_says_why(self):
        self.ask(what="report", format="docx", report=self.report.pk)
        job = DocumentJob.objects.get()
        with override_settings(MEDIA_ROOT="/proc/no-such-place"), self.assertRaises(OSError):
            jobs.job_run(job_id=str(job.pk))
        status = self.client.get(reverse("document_job_status", args=[job.pk]))
        self.assertContains(status, "Có lỗi khi tạo văn bản")

    def test_a_pdf_of_a_report_is_made_and_downloaded(self):
        require_pdf_tools()
        self.ask(what="report", format="pdf", report=self.report.pk)
        self.run_jobs()
        job = DocumentJob.objects.get()
        self.assertEqual(job.state, DocumentJob.State.READY, job.message)
        download = self.client.get(reverse("document_job_file", args=[job.pk]))
        self.assertTrue(b"".join(download.streaming_content).startswith(b"%PDF"))

    def test_a_conversion_past_its_time_limit_is_killed_whole_and_the_page_says_so(self):
        require_pdf_tools()
        self.assertEqual(office_processes(self.run_dir), [])
        long_text = "\n".join(f"Đoạn {n}: " + "nội dung báo cáo " * 40 for n in range(1500))
        services.report_save(
            report=self.report,
            by=self.alice,
            revision=self.report.revision,
            sections={
                self.section_results.pk: long_text[:30_000],
                self.section_lessons.pk: long_text[30_000:60_000],
            },
        )
        self.ask(what="report", format="pdf", report=self.report.pk)
        with override_settings(SOKET_PDF_TIMEOUT_SECONDS=1):
            self.run_jobs()
        job = DocumentJob.objects.get()
        self.assertEqual(job.state, DocumentJob.State.FAILED)
        status = self.client.get(reverse("document_job", args=[job.pk]))
        self.assertContains(status, "Tạo PDF quá 1 giây")
        self.assertEqual(office_processes(self.run_dir), [])


class OfficeLimitsTestCase(CampaignTestCase):
    def setUp(self):
        require_pdf_tools()
        self.run_dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.run_dir)

    def docx(self) -> bytes:
        from soket.documents import content, generate

        return generate.docx_bytes(content.plan_document(self.campaign))

    def test_libreoffice_runs_under_a_memory_limit(self):
        with (
            override_settings(SOKET_PDF_MEMORY_MB=40, SOKET_RUN_DIR=self.run_dir),
            self.assertRaises(pdf.PdfUnavailable),
        ):
            pdf.convert(self.docx())
        self.assertEqual(office_processes(self.run_dir), [])

    def test_no_more_conversions_run_at_once_than_the_limit(self):
        with override_settings(SOKET_PDF_CONCURRENCY=1, SOKET_RUN_DIR=self.run_dir):
            with open(Path(self.run_dir, "office-0.lock"), "a") as held:
                fcntl.flock(held, fcntl.LOCK_EX)  # another conversion holds the only slot
                with (
                    override_settings(SOKET_PDF_TIMEOUT_SECONDS=1),
                    self.assertRaises(pdf.PdfUnavailable) as refused,
                ):
                    pdf.convert(self.docx())
                self.assertEqual(office_processes(self.run_dir), [])  # it never started one
            self.assertIn("1 giây", str(refused.exception))
            self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))  # slot free again


@override_settings(SOKET_REMINDER_DAYS_BEFORE=3)
class BackgroundRunnerTestCase(TransactionTestCase):
    """The job, asked for on the page, is made by django-tasks' real database worker."""

    def setUp(self):
        build_tree(self)
        build_campaign(self)
        self.media = use_temporary_media(self)

    def test_the_worker_makes_the_document_the_page_asked_for(self):
        self.client.force_login(self.alice)
        self.client.post(
            reverse("document_request"),
            {"campaign": self.campaign.pk, "what": "table", "format": "xlsx",
             "unit": self.district_a1.pk},
        )  # fmt: skip
        job = DocumentJob.objects.get()
        self.assertEqual(job.state, DocumentJob.State.QUEUED)
        quiet = io.StringIO()
        call_command("db_worker", "--batch", "--queue-name", "documents", stdout=quiet)
        job.refresh_from_db()
        self.assertEqual(job.state, DocumentJob.State.READY)
