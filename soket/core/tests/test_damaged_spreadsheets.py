"""Spreadsheets made by hand, not by Excel, through the two pages that take them: the
report form upload (a reporter) and the unit import (a campaign administrator). Each
file is a real workbook whose XML was edited inside its zip. Whatever the edit, the
answer is a message naming what is wrong, never a server error, and nothing written."""

import io
import re
import zipfile
from collections.abc import Callable
from xml.etree import ElementTree

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from soket.documents import report_form
from soket.orgs.models import Unit
from soket.reports import services
from soket.reports.models import Figure, Report, SectionText
from soket.testing import CampaignTestCase

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
RELATION_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
XXE = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def sheet_part(data: bytes, title: str) -> str:
    """The zip member that holds the sheet called `title`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        links = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    [sheet] = [s for s in workbook.iter(f"{MAIN}sheet") if s.get("name") == title]
    [link] = [r for r in links.iter(f"{RELATIONSHIPS}Relationship")
              if r.get("Id") == sheet.get(RELATION_ID)]  # fmt: skip
    return "xl/" + link.get("Target").removeprefix("/xl/")


def edited(data: bytes, member: str, change: Callable[[str], str]) -> bytes:
    """The workbook with the XML of `member` changed; the change must hit."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                text = content.decode()
                changed = change(text)
                assert changed != text, f"the edit missed {member}"
                content = changed.encode()
            target.writestr(info, content)
    return output.getvalue()


def declaring_an_entity(xml: str) -> str:
    """A DOCTYPE that declares an external entity, used in the first number cell."""
    xml = re.sub(r"<worksheet\b", XXE + "<worksheet", xml, count=1)
    return re.sub(r"<v>[0-9.]+</v>", "<v>&xxe;</v>", xml, count=1)


def number_cell(value: str) -> Callable[[str], str]:
    return lambda xml: re.sub(r"<v>[0-9.]+</v>", f"<v>{value}</v>", xml, count=1)


DAMAGES = {
    "malformed XML": lambda xml: xml.replace("</row>", "</rov>", 1),
    "an external entity": declaring_an_entity,
    "nan in a number cell": number_cell("nan"),
    "inf in a number cell": number_cell("inf"),
}


def saved(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class ReportFormTests(CampaignTestCase):
    def setUp(self):
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)

    def form(self, key: str | None = None) -> bytes:
        """The downloaded form, a number in a target's result, and `key` for a section."""
        response = self.client.get(reverse("report_form_download", args=[self.report.pk]))
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        targets = workbook[report_form.TARGETS]
        [row] = [cells[0].row for cells in targets.iter_rows(min_row=2) if cells[0].value == "S"]
        targets.cell(row, 5, 120)
        texts = workbook[report_form.TEXTS]
        texts.cell(2, 3, "Kết quả của huyện.")
        if key is not None:
            texts.cell(2, 1, key)
        return saved(workbook)

    def upload(self, data: bytes) -> str:
        response = self.client.post(
            reverse("report_form_upload", args=[self.report.pk]),
            {"file": SimpleUploadedFile("bieu-mau.xlsx", data)},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        return " ".join(str(message) for message in response.context["messages"])

    def assert_nothing_written(self):
        self.assertFalse(Figure.objects.filter(report=self.report).exists())
        self.assertFalse(SectionText.objects.filter(report=self.report).exists())
        self.assertEqual(Report.objects.get(pk=self.report.pk).revision, self.report.revision)

    def test_the_form_before_any_damage_is_saved(self):
        self.assertIn("đã lưu", self.upload(self.form()))
        self.assertEqual(Figure.objects.get(report=self.report, target=self.t_sum).value, 120)

    def test_a_damaged_targets_sheet_is_refused_with_a_message(self):
        form = self.form()
        part = sheet_part(form, report_form.TARGETS)
        for damage, change in DAMAGES.items():
            with self.subTest(damage):
                messages = self.upload(edited(form, part, change))
                self.assertIn("Chưa lưu gì", messages)
                where = "DOCTYPE" if "entity" in damage else "Trang tính “Chỉ tiêu”: "
                self.assertIn(where, messages)
                self.assert_nothing_written()

    def test_a_damaged_identity_sheet_is_refused_with_a_message(self):
        form = self.form()
        part = sheet_part(form, report_form.META)
        messages = self.upload(edited(form, part, DAMAGES["malformed XML"]))
        self.assertIn("Chưa lưu gì", messages)
        self.assertIn("Trang tính “soket”: ", messages)
        self.assert_nothing_written()

    def test_a_section_code_with_a_superscript_digit_is_refused_by_name(self):
        for key in ("muc-²", "muc-١", "muc-0x1", "muc-", "danh-gia-"):
            with self.subTest(key):
                messages = self.upload(self.form(key=key))
                self.assertIn("Chưa lưu gì", messages)
                self.assertIn(f"“{key}”", messages)
                self.assert_nothing_written()


class UnitImportTests(CampaignTestCase):
    def setUp(self):
        self.client.force_login(self.dave)

    def workbook(self) -> bytes:
        """The downloaded template with one new district, and a number beside it."""
        response = self.client.get(reverse("unit_import_template", args=["xlsx"]))
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = workbook.worksheets[0]
        for column, value in enumerate(["A3", "LĐLĐ huyện mới", "district", "A"], start=1):
            sheet.cell(row=2, column=column, value=value)
        for column in range(5, 9):
            sheet.cell(row=2, column=column, value=None)
        sheet.cell(row=2, column=9, value=12)
        return saved(workbook)

    def upload(self, data: bytes):
        return self.client.post(
            reverse("unit_import"), {"file": SimpleUploadedFile("don-vi.xlsx", data)}
        )

    def test_the_file_before_any_damage_imports(self):
        self.assertEqual(self.upload(self.workbook()).status_code, 302)
        self.assertTrue(Unit.objects.filter(code="A3").exists())

    def test_a_damaged_sheet_is_refused_with_a_message(self):
        data = self.workbook()
        title = openpyxl.load_workbook(io.BytesIO(data)).sheetnames[0]
        part = sheet_part(data, title)
        for damage, change in DAMAGES.items():
            with self.subTest(damage):
                response = self.upload(edited(data, part, change))
                self.assertContains(response, "Không có dữ liệu nào được nhập", status_code=400)
                where = "DOCTYPE" if "entity" in damage else f"Trang tính “{title}”: "
                self.assertContains(response, where, status_code=400)
                self.assertFalse(Unit.objects.filter(code="A3").exists())
