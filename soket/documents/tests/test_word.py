import datetime
import re
import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from docx.shared import Pt
from lxml import etree

from soket.campaigns.models import Campaign
from soket.demo import data
from soket.demo.loader import load_demo
from soket.demo.tests.test_demo import SEED
from soket.documents import content, generate
from soket.documents.formatting import document_number, place_and_date
from soket.documents.tests.tools import all_text, open_docx, tiny_png
from soket.reports import attachments, services
from soket.reports.models import Report
from soket.testing import CampaignTestCase

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def spaced(text: str) -> str:
    """Text as read, its non-breaking spaces ("≥\u00a0100", "Đạt\u00a0%") as spaces."""
    return text.replace("\u00a0", " ")


def runs_with(document_or_cell, text: str):
    return [
        run
        for paragraph in document_or_cell.paragraphs
        for run in paragraph.runs
        if text in run.text
    ]


class FormattingTests(CampaignTestCase):
    def test_numbers_under_ten_get_a_zero(self):
        self.assertEqual(
            document_number("5/KH-LĐLĐ", type_code="KH", abbreviation="LĐLĐ"), "05/KH-LĐLĐ"
        )
        self.assertEqual(
            document_number("12/KH-LĐLĐ", type_code="KH", abbreviation="LĐLĐ"), "12/KH-LĐLĐ"
        )

    def test_a_bare_number_gets_the_type_and_the_issuer(self):
        self.assertEqual(document_number("7", type_code="BC", abbreviation="LĐLĐ"), "07/BC-LĐLĐ")

    def test_an_unnumbered_document_leaves_room_for_the_number(self):
        self.assertTrue(
            document_number("", type_code="BC", abbreviation="LĐLĐ").endswith("/BC-LĐLĐ")
        )

    def test_days_under_ten_and_months_one_and_two_get_a_zero(self):
        self.assertEqual(
            place_and_date("Lạng Sơn", datetime.date(2015, 11, 5)),
            "Lạng Sơn, ngày 05 tháng 11 năm 2015",
        )
        self.assertEqual(
            place_and_date("Lạng Sơn", datetime.date(2016, 2, 9)),
            "Lạng Sơn, ngày 09 tháng 02 năm 2016",
        )
        self.assertEqual(
            place_and_date("Lạng Sơn", datetime.date(2016, 3, 15)),
            "Lạng Sơn, ngày 15 tháng 3 năm 2016",
        )


class PlanDocumentTests(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.province_a.place = "Tỉnh A"
        cls.province_a.abbreviation = "LĐLĐ"
        cls.province_a.save()
        cls.campaign.document_number = "7/KH-LĐLĐ"
        cls.campaign.issued_on = datetime.date(2015, 11, 5)
        cls.campaign.signing_capacity = "TM. BAN THƯỜNG VỤ"
        cls.campaign.signer_title = "CHỦ TỊCH"
        cls.campaign.signer_name = "Nguyễn Văn A"
        cls.campaign.is_signed = True
        cls.campaign.preamble = "Thực hiện chương trình <công tác> & kế hoạch."
        cls.campaign.save()
        cls.item.reference = "Kết luận số 79-KL/TW ngày 25/12/2013 của Bộ Chính trị."
        cls.item.save()
        cls.campaign.sections.create(
            part="purpose", order=1, number="I.", heading="MỤC ĐÍCH, YÊU CẦU",
            body="Đánh giá đúng thực trạng[^kl-79]\n- Làm rõ nguyên nhân.",
        )  # fmt: skip
        for order, text in enumerate(["Tổng LĐLĐ (B/c)", "Lưu: VT"], 1):
            cls.campaign.recipients.create(order=order, text=text)

    def setUp(self):
        self.document = open_docx(generate.docx_bytes(content.plan_document(self.campaign)))

    def test_it_is_a4_portrait_with_the_decree_margins(self):
        section = self.document.sections[0]
        self.assertEqual((round(section.page_width.mm), round(section.page_height.mm)), (210, 297))
        self.assertTrue(20 <= round(section.top_margin.mm) <= 25)
        self.assertTrue(20 <= round(section.bottom_margin.mm) <= 25)
        self.assertTrue(30 <= round(section.left_margin.mm) <= 35)
        self.assertTrue(15 <= round(section.right_margin.mm) <= 20)

    def test_page_numbers_are_in_the_header_but_not_on_page_one(self):
        section = self.document.sections[0]
        self.assertTrue(section.different_first_page_header_footer)
        header = etree.tostring(section.header._element).decode()
        self.assertIn("PAGE", header)
        self.assertNotIn("PAGE", etree.tostring(section.first_page_header._element).decode())

    def test_the_header_is_a_borderless_two_column_table(self):
        table = self.document.tables[0]
        self.assertEqual(len(table.columns), 2)
        borders = table._tbl.tblPr.find(f"{W}tblBorders")
        self.assertTrue(all(edge.get(f"{W}val") == "nil" for edge in borders))
        left, right = table.rows[0].cells
        number, place_and_date = table.rows[1].cells  # level with each other
        self.assertEqual(
            [p.text for p in left.paragraphs if p.text],
            [self.confederation.name.upper(), self.province_a.name.upper()],
        )
        self.assertEqual([p.text for p in number.paragraphs if p.text], ["Số: 07/KH-LĐLĐ"])
        self.assertFalse(runs_with(left, self.confederation.name.upper())[0].bold)
        issuer = runs_with(left, self.province_a.name.upper())[0]
        self.assertTrue(issuer.bold)
        self.assertTrue(Pt(12) <= issuer.font.size <= Pt(13))
        self.assertEqual(runs_with(number, "Số:")[0].font.size, Pt(13))
        republic = runs_with(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")[0]
        self.assertTrue(republic.bold)
        motto = runs_with(right, "Độc lập - Tự do - Hạnh phúc")[0]
        self.assertTrue(motto.bold)
        self.assertTrue(Pt(13) <= motto.font.size <= Pt(14))
        date = runs_with(place_and_date, "ngày 05 tháng 11 năm 2015")[0]
        self.assertEqual(date.text, "Tỉnh A, ngày 05 tháng 11 năm 2015")
        self.assertTrue(date.italic)
        rules = [
            p for p in left.paragraphs + right.paragraphs if p._p.find(f".//{W}pBdr") is not None
        ]
        self.assertEqual(len(rules), 2)

    def test_the_type_and_title_are_bold_and_centred(self):
        kind = runs_with(self.document, "KẾ HOẠCH")[0]
        title = runs_with(self.document, "Sơ kết tỉnh A")[0]
        for run in (kind, title):
            self.assertTrue(run.bold)
            self.assertTrue(Pt(13) <= run.font.size <= Pt(14))
        paragraph = next(p for p in self.document.paragraphs if p.text == "KẾ HOẠCH")
        self.assertEqual(paragraph.alignment, 1)  # centred

    def test_the_body_is_justified_times_new_roman_with_indent_and_spacing(self):
        normal = self.document.styles["Normal"]
        self.assertEqual(normal.font.name, "Times New Roman")
        self.assertTrue(Pt(13) <= normal.font.size <= Pt(14))
        body = normal.paragraph_format
        self.assertEqual(body.alignment, 3)  # justified
        self.assertTrue(1.0 <= body.first_line_indent.cm <= 1.27)
        self.assertGreaterEqual(body.space_after, Pt(6))
        heading = next(p for p in self.document.paragraphs if p.text == "I. MỤC ĐÍCH, YÊU CẦU")
        self.assertTrue(heading.style.font.bold)

    def test_hostile_text_is_written_as_text(self):
        self.assertIn("Thực hiện chương trình <công tác> & kế hoạch.", all_text(self.document))

    def test_the_footnote_is_a_real_word_footnote(self):
        paragraph = next(p for p in self.document.paragraphs if p.text.startswith("Đánh giá đúng"))
        reference = paragraph._p.find(f".//{W}footnoteReference")
        self.assertIsNotNone(reference)
        part = next(
            rel.target_part
            for rel in self.document.part.rels.values()
            if rel.reltype.endswith("/footnotes")
        )
        notes = etree.fromstring(part.blob)
        note = notes.find(f"{W}footnote[@{W}id='{reference.get(f'{W}id')}']")
        self.assertIn("79-KL/TW ngày 25/12/2013", "".join(note.itertext()))

    def test_the_signature_block_and_recipients(self):
        left, right = self.document.tables[-1].rows[0].cells
        self.assertEqual(
            [p.text for p in right.paragraphs if p.text],
            ["TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "(Đã ký)", "Nguyễn Văn A"],
        )
        for text in ("TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "Nguyễn Văn A"):
            self.assertTrue(runs_with(right, text)[0].bold)
        heading = runs_with(left, "Nơi nhận:")[0]
        self.assertTrue(heading.bold and heading.italic)
        self.assertEqual(heading.font.size, Pt(12))
        lines = [p.text for p in left.paragraphs if p.text.startswith("- ")]
        self.assertEqual(lines, ["- Tổng LĐLĐ (B/c);", "- Lưu: VT."])
        self.assertEqual(runs_with(left, "- Lưu")[0].font.size, Pt(11))

    def test_an_unsigned_plan_does_not_say_signed(self):
        self.campaign.is_signed = False
        self.campaign.save()
        document = open_docx(generate.docx_bytes(content.plan_document(self.campaign)))
        self.assertNotIn("(Đã ký)", all_text(document))


class ReportDocumentTests(CampaignTestCase):
    def setUp(self):
        self.report = services.report_for(campaign=self.campaign, unit=self.province_a)
        services.report_save(
            report=self.report,
            by=self.province_approver,
            revision=self.report.revision,
            sections={self.section_results.pk: "Kết quả nổi bật.\n- Phát triển đoàn viên."},
            figures={
                self.t_sum.pk: services.FigureInput(value=40, causes="Doanh nghiệp giải thể"),
                self.t_ratio.pk: services.FigureInput(numerator=8, denominator=10),
            },
        )
        self.report.refresh_from_db()

    def test_the_consolidated_report_has_the_targets_table(self):
        document = open_docx(generate.docx_bytes(content.consolidated_document(self.report)))
        table = next(t for t in document.tables if t.rows[0].cells[0].text == "TT")
        header = [spaced(cell.text) for cell in table.rows[0].cells]
        self.assertEqual(
            header,
            ["TT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Đạt % kế hoạch", "Đánh giá", "Nguyên nhân"],
        )
        rows = {
            row.cells[1].text.split(".")[0]: [spaced(c.text) for c in row.cells]
            for row in table.rows[1:]
        }
        self.assertEqual(rows["S"][2:4], ["≥ 100", "40"])
        self.assertEqual(rows["S"][4], "66,76%")  # of the 59,91 planned by 31/12/2015
        self.assertEqual(rows["S"][6], "Doanh nghiệp giải thể")
        self.assertEqual(rows["R"][3], "80%")
        self.assertIn("Kết quả nổi bật.", all_text(document))

    def test_the_annex_lists_who_reported_late_or_missing(self):
        a1 = services.report_for(campaign=self.campaign, unit=self.district_a1)
        Report.objects.filter(pk=a1.pk).update(
            state="accepted",
            first_submitted_at=datetime.datetime(2016, 1, 4, 9, tzinfo=datetime.UTC),
        )
        composition = content.consolidated_document(self.report, today=datetime.date(2016, 1, 10))
        document = open_docx(generate.docx_bytes(composition))
        annex = next(t for t in document.tables if t.rows[0].cells[1].text == "Đơn vị")
        rows = {row.cells[1].text: [c.text for c in row.cells] for row in annex.rows[1:]}
        self.assertEqual(
            rows[self.district_a1.name][2:],
            ["31/12/2015", "04/01/2016", "Đã duyệt", "Gửi muộn 4 ngày"],
        )
        self.assertEqual(rows[self.district_a2.name][4:], ["Chưa gửi", "Quá hạn 10 ngày"])
        self.assertIn("PHỤ LỤC", all_text(document))

    def test_the_number_date_and_signing_recorded_by_the_office_are_printed(self):
        self.district_a1.abbreviation = "LĐLĐ"
        self.district_a1.save()
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_set_reference(
            report=report,
            by=self.alice,
            revision=report.revision,
            document_number="3",
            issued_on=datetime.date(2015, 12, 28),
            is_signed=True,
        )
        report = services.report_submit(report=report, by=self.alice, warnings_confirmed=True)
        document = open_docx(generate.docx_bytes(content.report_document(report)))
        number, place_and_date = document.tables[0].rows[1].cells
        self.assertIn("Số: 03/BC-LĐLĐ", number.text)
        self.assertIn("ngày 28 tháng 12 năm 2015", place_and_date.text)
        self.assertIn("(Đã ký)", document.tables[-1].rows[0].cells[1].text)

    def test_the_department_report_is_signed_by_the_head_of_department(self):
        report = services.report_for(
            campaign=self.campaign, unit=self.province_a, department=self.department
        )
        document = open_docx(generate.docx_bytes(content.report_document(report)))
        left, _right = document.tables[0].rows[0].cells
        self.assertIn("BAN TỔ CHỨC", left.text)
        self.assertIn("TRƯỞNG BAN", document.tables[-1].rows[0].cells[1].text)

    def test_image_attachments_become_figures(self):
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        with override_settings(MEDIA_ROOT=media):
            attachments.attachment_add(
                report=self.report, by=self.province_approver,
                upload=SimpleUploadedFile("bieu-do.png", tiny_png()),
            )  # fmt: skip
            document = open_docx(generate.docx_bytes(content.report_document(self.report)))
        self.assertEqual(len(document.inline_shapes), 1)
        self.assertIn("Hình 1. bieu-do.png", all_text(document))


class SeedPlanTests(TestCase):
    """The demo plan's .docx carries every heading and every date of the seed's plan."""

    def test_the_demo_plan_reproduces_the_seed(self):
        load_demo()
        campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
        document = open_docx(generate.docx_bytes(content.plan_document(campaign)))
        text = " ".join(all_text(document).split())
        seed = SEED.read_text(encoding="utf-8")
        headings = re.findall(r"^\s*((?:[IV]+|\d(?:\.\d)?)\.\s+[^\n]+)$", seed, flags=re.M)
        self.assertGreater(len(headings), 10)
        for heading in headings:
            self.assertIn(" ".join(heading.split()), text)
        dates = re.findall(r"\d{2}/\d{1,2}/\d{4}|\d{2}/\d{4}", seed)
        notes = "".join(
            etree.fromstring(rel.target_part.blob).xpath("string()")
            for rel in document.part.rels.values()
            if rel.reltype.endswith("/footnotes")
        )
        for day in dates:
            self.assertIn(day, text + notes)
        for words in (
            "TM. BAN THƯỜNG VỤ",
            "CHỦ TỊCH",
            "(Đã ký)",
            "Lô Tiến Sơn",
            "- Tổng LĐLĐ (B/c);",
        ):
            self.assertIn(words, text)
