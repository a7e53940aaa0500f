import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from django.conf import settings
from django.core.management import CommandError, call_command

from soket.documents import content, generate
from soket.documents.tests.tools import pdf_text, require_pdf_tools
from soket.reports import services
from soket.testing import CampaignTestCase


class PdfTests(CampaignTestCase):
    def setUp(self):
        require_pdf_tools()

    def test_the_plan_converts_to_pdf_with_its_vietnamese_text(self):
        self.campaign.signer_name = "Lô Tiến Sơn"
        self.campaign.save()
        self.campaign.sections.create(
            part="purpose", order=1, number="I.", heading="MỤC ĐÍCH, YÊU CẦU",
            body="\n".join(f"Đoạn thứ {n}: đánh giá đúng thực trạng." for n in range(60)),
        )  # fmt: skip
        data = generate.document_bytes(content.plan_document(self.campaign), generate.PDF)
        text, pages = pdf_text(data)
        self.assertTrue(data.startswith(b"%PDF"))
        self.assertGreaterEqual(pages, 2)
        flat = " ".join(text.split())
        for words in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "KẾ HOẠCH",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "Lô Tiến Sơn",
        ):
            self.assertIn(words, flat)
        # Page numbers from page 2 on, none on page 1.
        first, second = text.split("\f")[:2]
        self.assertNotRegex(first.strip().splitlines()[0], r"^\s*1\s*$")
        self.assertRegex(second.strip().splitlines()[0], r"^\s*2\s*$")


class CommandTests(CampaignTestCase):
    def test_it_writes_each_kind_of_document(self):
        report = services.report_for(campaign=self.campaign, unit=self.province_a)
        services.report_for(
            campaign=self.campaign, unit=self.province_a, department=self.department
        )
        folder = Path(tempfile.mkdtemp())
        runs = [
            ("plan", []),
            ("outline", []),
            ("report", ["--unit", self.province_a.code]),
            ("consolidated", ["--unit", self.province_a.code]),
            ("department", ["--unit", self.province_a.code, "--department", self.department.code]),
        ]
        for kind, extra in runs:
            output = folder / f"{kind}.docx"
            call_command(
                "render_document", "--campaign", self.campaign.code, "--kind", kind,
                "--output", str(output), *extra, stdout=io.StringIO(),
            )  # fmt: skip
            self.assertTrue(output.read_bytes().startswith(b"PK"), kind)
        self.assertTrue(report.pk)

    def test_it_exports_the_consolidated_table(self):
        output = Path(tempfile.mkdtemp()) / "bang.xlsx"
        call_command(
            "render_document", "--campaign", self.campaign.code, "--kind", "table",
            "--unit", self.province_a.code, "--output", str(output), stdout=io.StringIO(),
        )  # fmt: skip
        sheet = openpyxl.load_workbook(output)["Theo đơn vị"]
        codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(codes[0], self.province_a.code)
        self.assertIn(self.grassroots_a1.code, codes)
        self.assertNotIn(self.district_b1.code, codes)

    def test_it_refuses_a_format_the_kind_does_not_have(self):
        folder = Path(tempfile.mkdtemp())
        for kind, file_format, made_as in (
            ("table", "pdf", "xlsx"),
            ("table", "docx", "xlsx"),
            ("plan", "xlsx", "docx or pdf"),
            ("consolidated", "xlsx", "docx or pdf"),
        ):
            output = folder / f"{kind}.{file_format}"
            with self.subTest(kind=kind, format=file_format):
                with self.assertRaisesMessage(
                    CommandError, f"--kind {kind} is made as {made_as}, not {file_format}."
                ):
                    call_command(
                        "render_document", "--campaign", self.campaign.code, "--kind", kind,
                        "--unit", self.province_a.code, "--format", file_format,
                        "--output", str(output),
                    )  # fmt: skip
                self.assertFalse(output.exists())

    def test_a_refused_format_ends_the_command_with_an_error_status(self):
        output = Path(tempfile.mkdtemp()) / "bang.pdf"
        finished = subprocess.run(
            [sys.executable, "manage.py", "render_document", "--campaign", "any",
             "--kind", "table", "--unit", "any", "--format", "pdf", "--output", str(output)],
            cwd=settings.BASE_DIR, env={**os.environ, "DEBUG": "1"},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        self.assertNotEqual(finished.returncode, 0)
        self.assertIn("--kind table is made as xlsx, not pdf.", finished.stderr)
        self.assertFalse(output.exists())

    def test_it_says_what_is_missing(self):
        with self.assertRaisesMessage(CommandError, "no report"):
            call_command(
                "render_document", "--campaign", self.campaign.code, "--kind", "report",
                "--unit", self.district_a2.code, "--output", "/tmp/x.docx",
            )  # fmt: skip

    def test_a_refusal_leaves_an_existing_output_file_as_it_was(self):
        output = Path(tempfile.mkdtemp()) / "bang.xlsx"
        output.write_bytes(b"earlier")
        with self.assertRaisesMessage(CommandError, "No unit with code 'KHONG-CO'."):
            call_command(
                "render_document", "--campaign", self.campaign.code, "--kind", "table",
                "--unit", "KHONG-CO", "--output", str(output),
            )  # fmt: skip
        self.assertEqual(output.read_bytes(), b"earlier")

    def test_a_wrong_output_place_or_option_is_an_error_not_a_traceback(self):
        folder = Path(tempfile.mkdtemp())
        for output, extra, message in (
            (folder, [], "name a file in an existing folder"),
            (folder / "khong-co" / "x.docx", [], "name a file in an existing folder"),
            (folder / "x.docx", ["--department", "to-chuc"], "--department goes with"),
        ):
            with (
                self.subTest(output=str(output), extra=extra),
                self.assertRaisesMessage(CommandError, message),
            ):
                call_command(
                    "render_document", "--campaign", self.campaign.code, "--kind", "plan",
                    "--output", str(output), *extra,
                )  # fmt: skip
