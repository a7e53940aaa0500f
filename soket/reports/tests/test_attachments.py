import io
import shutil
import tempfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from soket.reports import services
from soket.reports.models import Attachment
from soket.testing import CampaignTestCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


class AttachmentPages(CampaignTestCase):
    limit = 64 * 1024

    def setUp(self):
        self.media = tempfile.mkdtemp()
        self.override = override_settings(
            MEDIA_ROOT=self.media, SOKET_MAX_ATTACHMENT_BYTES=self.limit
        )
        self.override.enable()
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)

    def tearDown(self):
        self.override.disable()
        shutil.rmtree(self.media)

    def attach(self, name, content):
        return self.client.post(
            reverse("attachment_add", args=[self.report.pk]),
            {"file": SimpleUploadedFile(name, content)},
            follow=True,
        )


class AttachmentTestCase(AttachmentPages):
    def test_a_pdf_and_a_workbook_are_attached_and_downloaded(self):
        self.attach("Báo cáo.pdf", PDF)
        self.attach("Số liệu.xlsx", xlsx())
        names = sorted(self.report.attachments.values_list("name", flat=True))
        self.assertEqual(names, ["Báo cáo.pdf", "Số liệu.xlsx"])
        attachment = self.report.attachments.get(name="Báo cáo.pdf")
        response = self.client.get(
            reverse("attachment_download", args=[self.report.pk, attachment.pk])
        )
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.assertIn("attachment", response["Content-Disposition"])

    def test_a_file_that_is_not_what_its_name_says_is_refused(self):
        response = self.attach("virus.pdf", b"MZ\x90\x00 not a pdf")
        self.assertContains(response, "không phải")
        response = self.attach("trick.docx", xlsx())  # a workbook called a document
        self.assertFalse(Attachment.objects.exists())

    def test_an_oversized_file_is_refused(self):
        self.attach("big.pdf", PDF + b"0" * 70_000)
        self.assertFalse(Attachment.objects.exists())

    def test_a_stored_file_is_readable_by_the_server_alone(self):
        import os

        self.attach("Báo cáo.pdf", PDF)
        stored = Attachment.objects.get().file.path
        self.assertEqual(os.stat(stored).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(os.path.dirname(stored)).st_mode & 0o777, 0o700)

    def test_other_districts_cannot_download(self):
        self.attach("Báo cáo.pdf", PDF)
        attachment = Attachment.objects.get()
        self.client.force_login(self.bob)
        url = reverse("attachment_download", args=[self.report.pk, attachment.pk])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_submitted_report_takes_no_more_files(self):
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        self.attach("Báo cáo.pdf", PDF)
        self.assertFalse(Attachment.objects.exists())

    def test_removing_deletes_the_stored_file(self):
        import os

        self.attach("Báo cáo.pdf", PDF)
        attachment = Attachment.objects.get()
        path = attachment.file.path
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("attachment_remove", args=[self.report.pk, attachment.pk]))
        self.assertFalse(Attachment.objects.exists())
        self.assertFalse(os.path.exists(path))


class HostileAttachmentTestCase(AttachmentPages):
    """Files that only look like what they claim are refused before anything reads them."""

    limit = 2 * 1024 * 1024

    def test_a_fake_a_bomb_and_a_giant_picture_are_refused_with_a_reason(self):
        from soket.core.tests.test_filecheck import docx_bomb, pixel_bomb

        cases = [
            ("anh.png", b"\x89PNG\r\n\x1a\n" + b"junk" * 100, "bị hỏng"),
            ("anh.png", pixel_bomb(), "144 triệu điểm ảnh"),
            ("bao-cao.docx", docx_bomb(), "giải nén"),
        ]
        for name, data, reason in cases:
            with self.subTest(reason=reason):
                response = self.attach(name, data)
                self.assertContains(response, f"Chưa đính kèm “{name}”")
                self.assertContains(response, reason)
        self.assertFalse(Attachment.objects.exists())

    def test_a_file_past_the_largest_limit_is_dropped_as_it_streams_in(self):
        with override_settings(SOKET_MAX_UPLOAD_BYTES=1024, SOKET_MAX_ATTACHMENT_BYTES=1024):
            response = self.attach("big.pdf", PDF + b"0" * 200_000)
        self.assertContains(response, "lớn hơn mức cho phép")
        self.assertFalse(Attachment.objects.exists())

    def test_a_picture_that_went_bad_is_left_out_of_the_document_with_a_note(self):
        from django.core.files.base import ContentFile

        from soket.core import clock
        from soket.documents import content, generate
        from soket.documents.tests.tools import all_text, open_docx

        stored = Attachment(
            report=self.report,
            name="hỏng.png",
            content_type="image/png",
            size=12,
            uploaded_by=self.alice,
            uploaded_at=clock.now(),
        )
        stored.file.save("upload", ContentFile(b"\x89PNG\r\n\x1a\njunk"), save=False)
        stored.save()
        document = open_docx(generate.docx_bytes(content.report_document(self.report)))
        self.assertIn("Tệp hình “hỏng.png” không đọc được", all_text(document))
