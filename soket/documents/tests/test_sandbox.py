"""Word templates come from outside: their placeholders print text and run nothing."""

import io
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from django.urls import reverse
from docx import Document

from soket.documents import content, generate, word
from soket.documents.blocks import Para
from soket.documents.models import DocumentTemplate
from soket.documents.services import SAMPLE_CONTEXT
from soket.documents.template_builder import BUILTIN
from soket.documents.tests.tools import all_text, open_docx
from soket.testing import CampaignTestCase, use_temporary_media

PROOF = Path(tempfile.gettempdir()) / "soket-sandbox-proof"
RUN = f"popen('touch {PROOF}').read()"

# Each of these ran code, or could reach something that does, under a plain Jinja
# environment.
PAYLOADS = [
    "{{ cycler.__init__.__globals__.os." + RUN + " }}",
    "{{ joiner.__init__.__globals__.os." + RUN + " }}",
    "{{ namespace.__init__.__globals__.os." + RUN + " }}",
    "{{ lipsum.__globals__['os']." + RUN + " }}",
    "{{ self.__init__.__globals__.__builtins__.__import__('os')." + RUN + " }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ issuer.__class__.__mro__ }}",
    "{{ recipients | attr('__class__') }}",
    "{{ body.save('" + str(PROOF) + "') }}",
    "{{ issuer.upper() }}",
    "{{ range(100000000) | list }}",
    "{% for a in recipients %}{% for b in recipients %}x{% endfor %}{% endfor %}",
    "{% set x = cycler %}{{ x }}",
    "{% macro m() %}{% endmacro %}{{ m() }}",
    "{% include 'anything' %}",
    "{% autoescape false %}{{ issuer }}{% endautoescape %}",
    "{{ config }}",
    "{{ request }}",
    # Made to be slow: each replace multiplies the text.
    '{{ issuer|replace("","0")|replace("0","0000000000")|replace("0","0000000000") }}',
    # The laid-out body is Word XML: a filter would break it, however it is reached.
    "{{ body|upper }}",
    "{{ (body ~ '') | upper }}",
    "{{ (annex or body) | lower }}",
]
# One enormous or deeply nested tag instead of many small ones.
HUGE = [
    "{{ issuer" + " ~ issuer" * 6000 + " }}",
    "{{ " + "not " * 3000 + "issuer }}",
    "{{ " + "(" * 3000 + "issuer" + ")" * 3000 + " }}",
]


def template_with(text: str, where: str = "body") -> bytes:
    document = Document(str(BUILTIN))
    if where == "body":
        document.add_paragraph(text)
    elif where == "header":
        document.sections[0].first_page_header.add_paragraph(text)
    elif where == "properties":
        document.core_properties.title = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(data: bytes) -> bytes:
    return word.render(io.BytesIO(data), context=SAMPLE_CONTEXT, body=[Para("Thân văn bản.")])


class SandboxTests(SimpleTestCase):
    def setUp(self):
        PROOF.unlink(missing_ok=True)

    def test_no_payload_renders_or_runs_anything(self):
        for where in ("body", "header", "properties"):
            for payload in PAYLOADS:
                with self.subTest(where=where, payload=payload):
                    with self.assertRaises(word.TemplateProblem) as refused:
                        render(template_with(payload, where))
                    self.assertIn("Soket", str(refused.exception))
                    self.assertFalse(PROOF.exists(), "the template ran a command")

    def test_the_refusal_names_what_is_not_offered_in_vietnamese(self):
        with self.assertRaises(word.TemplateProblem) as refused:
            render(template_with(PAYLOADS[0]))
        message = str(refused.exception)
        self.assertIn("cycler.__init__", message)
        self.assertIn("không", message)
        self.assertIn("signer_name", message)  # the placeholders it may use

    def test_what_the_documents_offer_still_works(self):
        text = (
            "{{ issuer | lower }} / {{ signer_name | default('—') }} / "
            "{% for line in recipients %}{{ line | trim }};{% endfor %} / "
            "{% if is_signed and not signer_title is none %}ký{% else %}chưa{% endif %} / "
            "{{ title_lines | join(', ') }} / {{ doc_type ~ '!' }}"
        )
        document = open_docx(render(template_with(text)))
        self.assertIn(
            "liên đoàn lao động tỉnh / Nguyễn Văn A / - Lưu: VT.; / ký / Thử mẫu / KẾ HOẠCH!",
            all_text(document),
        )

    def test_hostile_text_in_a_field_is_printed_not_run(self):
        context = {**SAMPLE_CONTEXT, "signer_name": "{{ cycler.__init__ }} <w:p/> & ;"}
        document = open_docx(
            word.render(io.BytesIO(BUILTIN.read_bytes()), context=context, body=[Para("x")])
        )
        self.assertIn("{{ cycler.__init__ }} <w:p/> & ;", all_text(document))


class TemplateCostTests(SimpleTestCase):
    def test_one_enormous_or_deeply_nested_tag_is_refused(self):
        for payload in HUGE:
            with self.subTest(payload=payload[:30]), self.assertRaises(word.TemplateProblem):
                render(template_with(payload))

    def test_the_body_may_still_be_tested_and_printed_whole(self):
        text = "{% if annex %}PHỤ LỤC{% else %}không có phụ lục{% endif %}"
        self.assertIn("không có phụ lục", all_text(open_docx(render(template_with(text)))))

    def test_a_template_of_too_many_tags_is_refused_before_it_is_parsed(self):
        with self.assertRaises(word.TemplateProblem) as refused:
            render(template_with("{{ issuer }}" * 1001))
        self.assertIn("1000", str(refused.exception))  # the limit, named

    def test_a_document_property_past_words_limit_is_a_message_not_an_error(self):
        with self.assertRaises(word.TemplateProblem):
            render(template_with("{{ issuer }}" * 20, where="properties"))

    def test_a_picture_linked_to_an_address_outside_is_refused(self):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        for target in ("http://127.0.0.1:8799/x.png", "file:///etc/passwd"):
            document = Document(str(BUILTIN))
            document.part.relate_to(target, RT.IMAGE, is_external=True)
            buffer = io.BytesIO()
            document.save(buffer)
            with self.subTest(target=target), self.assertRaises(word.TemplateProblem) as refused:
                render(buffer.getvalue())
            self.assertIn(target[:20], str(refused.exception))

    def test_a_hyperlink_is_only_written_down_and_stays(self):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        document = Document(str(BUILTIN))
        document.part.relate_to("https://congdoan.vn", RT.HYPERLINK, is_external=True)
        buffer = io.BytesIO()
        document.save(buffer)
        render(buffer.getvalue())


class StoredTemplateTests(CampaignTestCase):
    def setUp(self):
        PROOF.unlink(missing_ok=True)
        use_temporary_media(self)

    def test_an_upload_with_a_payload_is_refused_and_nothing_is_stored(self):
        self.client.force_login(self.dave)
        response = self.client.post(
            reverse("template_upload"),
            {
                "unit": self.province_a.pk,
                "kind": "plan",
                "file": SimpleUploadedFile("mau.docx", template_with(PAYLOADS[0])),
            },
            follow=True,
        )
        self.assertContains(response, "cycler.__init__")
        self.assertFalse(DocumentTemplate.objects.exists())
        self.assertFalse(PROOF.exists())

    def test_a_template_stored_before_the_sandbox_runs_nothing_when_documents_are_made(self):
        template = DocumentTemplate(unit=self.province_a, kind="plan", name="cu.docx")
        template.uploaded_by = self.dave
        template.uploaded_at = "2015-12-01T00:00:00Z"
        template.file.save("cu.docx", ContentFile(template_with(PAYLOADS[0])), save=False)
        template.save()
        with self.assertRaises(word.TemplateProblem):
            generate.docx_bytes(content.plan_document(self.campaign))
        self.assertFalse(PROOF.exists())
