import io
import tempfile
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from docx import Document

from soket.documents import content, generate
from soket.documents.models import DocumentTemplate
from soket.documents.template_builder import BUILTIN, build
from soket.documents.tests.tools import all_text, open_docx
from soket.testing import CampaignTestCase, use_temporary_media


def own_template(words: str) -> bytes:
    document = Document(str(BUILTIN))
    document.add_paragraph(words)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class TemplatePages(CampaignTestCase):
    def setUp(self):
        use_temporary_media(self)

    def upload(self, user, data: bytes, name="mau.docx", unit=None):
        self.client.force_login(user)
        return self.client.post(
            reverse("template_upload"),
            {
                "unit": (unit or self.province_a).pk,
                "kind": "plan",
                "file": SimpleUploadedFile(name, data),
            },
            follow=True,
        )


class TemplateTests(TemplatePages):
    def test_an_administrators_template_replaces_the_built_in_one(self):
        self.upload(self.dave, own_template("Mẫu riêng của tỉnh A"))
        document = open_docx(generate.docx_bytes(content.plan_document(self.campaign)))
        self.assertIn("Mẫu riêng của tỉnh A", all_text(document))
        self.assertIn("KẾ HOẠCH", all_text(document))

    def test_removing_it_brings_back_the_built_in_one(self):
        self.upload(self.dave, own_template("Mẫu riêng"))
        template = DocumentTemplate.objects.get()
        self.client.post(reverse("template_remove", args=[template.pk]))
        document = open_docx(generate.docx_bytes(content.plan_document(self.campaign)))
        self.assertNotIn("Mẫu riêng", all_text(document))

    def test_a_broken_template_is_refused_with_a_reason(self):
        response = self.upload(self.dave, b"not a word file")
        self.assertContains(response, "không phải văn bản Word")
        broken = own_template("{{ chua_dong ")
        response = self.upload(self.dave, broken)
        self.assertContains(response, "thẻ không hợp lệ")
        self.assertFalse(DocumentTemplate.objects.exists())

    def test_only_administrators_of_the_unit_may_upload(self):
        response = self.upload(self.bob, own_template("Mẫu"), unit=self.district_a2)
        self.assertEqual(response.status_code, 404)
        response = self.upload(self.dave, own_template("Mẫu"), unit=self.province_b)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(DocumentTemplate.objects.exists())


class BuiltinTemplateTests(SimpleTestCase):
    def test_the_committed_template_is_what_the_builder_makes(self):
        def parts(path: Path) -> dict[str, bytes]:
            with zipfile.ZipFile(path) as archive:
                return {
                    name: archive.read(name)
                    for name in archive.namelist()
                    if name != "docProps/core.xml"  # dates of saving
                }

        with tempfile.TemporaryDirectory() as folder:
            built = parts(build(Path(folder) / "van-ban.docx"))
        committed = parts(BUILTIN)
        self.assertEqual(sorted(built), sorted(committed))
        for name, data in built.items():
            self.assertEqual(
                data, committed[name], f"{name} differs: run `make templates` and commit it"
            )


class TemplateUploadLimitsTests(TemplatePages):
    def test_a_template_that_unpacks_to_300_mb_is_refused_before_it_is_read(self):
        from soket.core.tests.test_filecheck import docx_bomb

        response = self.upload(self.dave, docx_bomb())
        self.assertContains(response, "giải nén")
        self.assertFalse(DocumentTemplate.objects.exists())

    def test_an_oversized_template_is_refused(self):
        with override_settings(SOKET_MAX_UPLOAD_BYTES=1024):
            response = self.upload(self.dave, own_template("Mẫu"))
        self.assertContains(response, "lớn hơn mức cho phép")
        self.assertFalse(DocumentTemplate.objects.exists())

    def test_a_grassroots_unions_administrator_keeps_no_template(self):
        from soket.testing import make_user

        admin = make_user("gia", self.grassroots_a1, "campaign_admin")
        response = self.upload(admin, own_template("Mẫu"), unit=self.grassroots_a1)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(DocumentTemplate.objects.exists())

    def test_an_upload_is_in_the_audit_trail(self):
        from soket.audit.models import Entry

        self.upload(self.dave, own_template("Mẫu riêng"))
        self.assertTrue(Entry.objects.filter(action="template", by=self.dave).exists())
