"""How documents print: the header, the draft mark, annexes, footnotes, part headings and
tables, read back from the .docx, and once from the PDF that LibreOffice makes of the
demo province's consolidated report."""

import io
import re
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from django.test import SimpleTestCase, TestCase
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt
from lxml import etree

from soket.campaigns.models import Campaign
from soket.demo import data
from soket.demo.loader import load_demo
from soket.documents import content, generate, word
from soket.documents.blocks import Heading, Para, Table
from soket.documents.template_builder import BUILTIN
from soket.documents.tests.tools import all_text, open_docx, require_pdf_tools
from soket.reports import services
from soket.reports.models import Report
from soket.testing import CampaignTestCase

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ATTACHED = "(Kèm theo Kế hoạch số 12/KH-LĐLĐ ngày 02/11/2015 của Ban Thường vụ LĐLĐ tỉnh Lạng Sơn)"
CONTEXT = {
    "superior_lines": ["LIÊN ĐOÀN LAO ĐỘNG TỈNH LẠNG SƠN"],
    "issuer": "LIÊN ĐOÀN LAO ĐỘNG HUYỆN CAO LỘC",
    "number": "03/BC-LĐLĐ",
    "place_and_date": "Cao Lộc, ngày 28 tháng 12 năm 2015",
    "doc_type": "BÁO CÁO",
    "title_lines": ["Sơ kết nửa nhiệm kỳ thực hiện Nghị quyết"],
    "signing_capacity": "TM. BAN THƯỜNG VỤ",
    "signer_title": "CHỦ TỊCH",
    "signer_name": "Hoàng Văn Bình",
    "is_signed": False,
    "recipients": ["- LĐLĐ tỉnh (b/c);", "- Lưu: VT."],
    "is_draft": False,
    "is_annex": False,
    "attached_to": "",
}
NOTE = "Kết luận số 79-KL/TW ngày 25/12/2013 của Bộ Chính trị."


def render(body=None, *, template: bytes | None = None, **changes):
    """The built-in template (or `template`) filled in with CONTEXT and `changes`."""
    body = [Para("Nội dung báo cáo.")] if body is None else body
    context = {**CONTEXT, **changes}
    made = word.render(
        io.BytesIO(template or BUILTIN.read_bytes()), context=context, body=list(body)
    )
    return open_docx(made)


def template_of(*lines: str) -> bytes:
    """A unit's own template: python-docx's blank document with these paragraphs."""
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def texts(container) -> list[str]:
    return [p.text for p in container.paragraphs if p.text.strip()]


def paragraph_with(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def has_border(paragraph, edge: str) -> bool:
    return paragraph._p.find(f"{W}pPr/{W}pBdr/{W}{edge}") is not None


class HeaderTests(SimpleTestCase):
    def test_the_number_stands_in_one_row_with_the_place_and_date(self):
        table = render().tables[0]
        self.assertEqual(len(table.rows), 2)
        number, date = table.rows[1].cells
        self.assertEqual(texts(number), ["Số: 03/BC-LĐLĐ"])
        self.assertEqual(texts(date), ["Cao Lộc, ngày 28 tháng 12 năm 2015"])
        # The same space above both, so that their first lines stand level.
        self.assertEqual(
            number.paragraphs[0].paragraph_format.space_before,
            date.paragraphs[0].paragraph_format.space_before,
        )

    def test_the_superior_and_the_issuer_are_the_two_bodies_named(self):
        left = render().tables[0].rows[0].cells[0]
        self.assertEqual(
            texts(left), ["LIÊN ĐOÀN LAO ĐỘNG TỈNH LẠNG SƠN", "LIÊN ĐOÀN LAO ĐỘNG HUYỆN CAO LỘC"]
        )

    def test_the_rules_are_drawn_right_under_the_issuer_and_the_motto(self):
        left, right = render().tables[0].rows[0].cells
        issuer = next(i for i, p in enumerate(left.paragraphs) if "HUYỆN CAO LỘC" in p.text)
        rule = left.paragraphs[issuer + 1]
        self.assertEqual(rule.text, "")
        self.assertTrue(has_border(rule, "bottom"))
        # One point high: no blank line between the name and its rule.
        self.assertEqual(rule.paragraph_format.line_spacing, Pt(1))
        self.assertEqual(rule.paragraph_format.line_spacing_rule, 4)  # exactly
        # Short and centred: a third to a half of the name's line.
        form = rule.paragraph_format
        self.assertEqual(form.left_indent, form.right_indent)
        self.assertGreater(form.left_indent.cm, 1.5)

        motto = next(p for p in right.paragraphs if p.text == "Độc lập - Tự do - Hạnh phúc")
        self.assertTrue(has_border(motto, "bottom"))  # the motto's own line carries it
        self.assertEqual(motto.paragraph_format.left_indent, motto.paragraph_format.right_indent)
        ruled = [
            p for p in left.paragraphs + right.paragraphs if p._p.find(f".//{W}pBdr") is not None
        ]
        self.assertEqual(len(ruled), 2)

    def test_a_draft_is_marked_on_page_one_and_only_while_it_is_a_draft(self):
        section = render(is_draft=True).sections[0]
        mark = [p for p in section.first_page_header.paragraphs if p.text == "DỰ THẢO"]
        self.assertEqual(len(mark), 1)
        self.assertTrue(all(run.bold for run in mark[0].runs))
        for edge in ("top", "left", "bottom", "right"):  # boxed
            self.assertTrue(has_border(mark[0], edge))
        self.assertEqual(mark[0].alignment, 1)  # centred in its box
        self.assertNotIn("DỰ THẢO", " ".join(p.text for p in section.header.paragraphs))

        for issued in (render(), render(is_draft=False)):
            section = issued.sections[0]
            headers = section.first_page_header.paragraphs + section.header.paragraphs
            self.assertNotIn("DỰ THẢO", " ".join(p.text for p in headers))
            self.assertNotIn("DỰ THẢO", all_text(issued))


class AnnexTests(SimpleTestCase):
    def setUp(self):
        self.document = render(
            is_annex=True,
            number="",
            doc_type="ĐỀ CƯƠNG",
            title_lines=["BÁO CÁO SƠ KẾT NỬA NHIỆM KỲ"],
            attached_to=ATTACHED,
        )

    def test_an_annex_has_no_header_number_signature_or_recipients(self):
        text = all_text(self.document)
        self.assertEqual(self.document.tables, [])
        for absent in ("Số:", "CỘNG HÒA", "Độc lập", "Nơi nhận", "CHỦ TỊCH", "Hoàng Văn Bình"):
            self.assertNotIn(absent, text)
        self.assertEqual(
            texts(self.document)[:4],
            ["ĐỀ CƯƠNG", "BÁO CÁO SƠ KẾT NỬA NHIỆM KỲ", ATTACHED, "Nội dung báo cáo."],
        )

    def test_what_it_is_attached_to_is_centred_in_italics_not_bold(self):
        line = paragraph_with(self.document, ATTACHED)
        self.assertEqual(line.alignment, 1)
        self.assertTrue(all(run.italic and not run.bold for run in line.runs))
        for text in ("ĐỀ CƯƠNG", "BÁO CÁO SƠ KẾT NỬA NHIỆM KỲ"):
            heading = paragraph_with(self.document, text)
            self.assertEqual(heading.alignment, 1)
            self.assertTrue(all(run.bold for run in heading.runs))

    def test_an_ordinary_document_has_no_empty_attached_line(self):
        document = render()
        title = next(
            i for i, p in enumerate(document.paragraphs) if p.text == CONTEXT["title_lines"][0]
        )
        rule = document.paragraphs[title + 1]
        self.assertEqual(rule.text, "")
        self.assertTrue(has_border(rule, "bottom"))


class OlderTemplateTests(SimpleTestCase):
    """Templates uploaded before drafts and annexes existed, and contexts without them."""

    def test_a_context_without_the_new_values_prints_an_ordinary_document(self):
        old = {k: v for k, v in CONTEXT.items() if k not in {"is_draft", "is_annex", "attached_to"}}
        document = open_docx(
            word.render(io.BytesIO(BUILTIN.read_bytes()), context=old, body=[Para("Nội dung.")])
        )
        text = all_text(document)
        self.assertIn("Số: 03/BC-LĐLĐ", text)
        self.assertIn("Nơi nhận:", text)
        self.assertNotIn(
            "DỰ THẢO", text + document.sections[0].first_page_header.paragraphs[0].text
        )

    def test_a_units_template_without_them_still_says_draft_in_the_body(self):
        template = template_of("{{ issuer }}", "Số: {{ number }}", "{{p body }}")
        document = render(template=template, is_draft=True, is_annex=True, attached_to=ATTACHED)
        self.assertEqual(
            texts(document),
            ["LIÊN ĐOÀN LAO ĐỘNG HUYỆN CAO LỘC", "Số: 03/BC-LĐLĐ", "DỰ THẢO", "Nội dung báo cáo."],
        )


class FootnoteTests(SimpleTestCase):
    body = (Para("Theo Kết luận 79[^1] của Bộ Chính trị.", notes=(NOTE,)),)

    def notes(self, document):
        part = next(
            rel.target_part
            for rel in document.part.rels.values()
            if rel.reltype.endswith("/footnotes")
        )
        notes = etree.fromstring(part.blob)
        return notes.find(f"{W}footnote[@{W}id='1']")

    def test_notes_take_the_templates_footnote_styles(self):
        document = render(self.body)
        styles = document.styles.element
        reference = styles.find(f"{W}style[@{W}styleId='FootnoteReference']")
        self.assertEqual(reference.find(f"{W}rPr/{W}vertAlign").get(f"{W}val"), "superscript")
        text = styles.find(f"{W}style[@{W}styleId='FootnoteText']")
        self.assertEqual(text.find(f"{W}rPr/{W}sz").get(f"{W}val"), "20")  # 10 pt
        self.assertEqual(text.find(f"{W}name").get(f"{W}val"), "footnote text")  # Word's own

        cited = document.paragraphs[
            [p.text for p in document.paragraphs].index("Theo Kết luận 79 của Bộ Chính trị.")
        ]
        run = cited._p.find(f".//{W}footnoteReference/..")
        self.assertEqual(run.find(f"{W}rPr/{W}rStyle").get(f"{W}val"), "FootnoteReference")
        note = self.notes(document)
        self.assertEqual(note.find(f"{W}p/{W}pPr/{W}pStyle").get(f"{W}val"), "FootnoteText")
        number = note.find(f".//{W}footnoteRef/..")
        self.assertEqual(number.find(f"{W}rPr/{W}rStyle").get(f"{W}val"), "FootnoteReference")
        self.assertIn("79-KL/TW", "".join(note.itertext()))

    def test_a_template_that_names_them_as_word_does_under_other_ids_has_them_used(self):
        document = Document()
        document.styles.add_style("footnote text", WD_STYLE_TYPE.PARAGRAPH, builtin=True)
        document.styles.add_style("footnote reference", WD_STYLE_TYPE.CHARACTER, builtin=True)
        document.add_paragraph("{{p body }}")
        buffer = io.BytesIO()
        document.save(buffer)
        note = self.notes(render(self.body, template=buffer.getvalue()))
        self.assertEqual(note.find(f"{W}p/{W}pPr/{W}pStyle").get(f"{W}val"), "footnotetext")
        number = note.find(f".//{W}footnoteRef/..")
        self.assertEqual(number.find(f"{W}rPr/{W}rStyle").get(f"{W}val"), "footnotereference")

    def test_a_template_without_them_still_raises_the_number_and_shrinks_the_note(self):
        document = render(self.body, template=template_of("{{p body }}"))
        run = document.paragraphs[0]._p.find(f".//{W}footnoteReference/..")
        self.assertEqual(run.find(f"{W}rPr/{W}vertAlign").get(f"{W}val"), "superscript")
        note = self.notes(document)
        number = note.find(f".//{W}footnoteRef/..")
        self.assertEqual(number.find(f"{W}rPr/{W}vertAlign").get(f"{W}val"), "superscript")
        sizes = {size.get(f"{W}val") for size in note.iter(f"{W}sz")}
        self.assertEqual(sizes, {"20"})


class BodyLayoutTests(SimpleTestCase):
    def test_a_part_heading_stands_centred_on_its_own_lines(self):
        document = render(
            [Heading("Phần thứ nhất\nKẾT QUẢ NỬA NHIỆM KỲ THỰC HIỆN NGHỊ QUYẾT", 1, centred=True)]
        )
        heading = next(p for p in document.paragraphs if p.text.startswith("Phần thứ nhất"))
        self.assertEqual(heading.text, "Phần thứ nhất\nKẾT QUẢ NỬA NHIỆM KỲ THỰC HIỆN NGHỊ QUYẾT")
        self.assertIsNotNone(heading._p.find(f".//{W}br"))  # a line break, not two headings
        self.assertEqual(heading.alignment, 1)
        self.assertEqual(heading.paragraph_format.first_line_indent, 0)
        self.assertTrue(heading.style.font.bold)

    def test_a_heading_of_two_lines_is_never_justified(self):
        document = render([Heading("II. Kết quả\nthực hiện các chỉ tiêu", 2)])
        heading = next(p for p in document.paragraphs if p.text.startswith("II."))
        self.assertEqual(heading.alignment, 0)  # left

    def test_bold_and_centred_paragraphs(self):
        document = render([Para("Tổng số 14 đơn vị", bold=True, centred=True), Para("Thường")])
        strong = paragraph_with(document, "Tổng số 14 đơn vị")
        self.assertEqual(strong.alignment, 1)
        self.assertTrue(all(run.bold for run in strong.runs))
        plain = paragraph_with(document, "Thường")
        self.assertIsNone(plain.alignment)
        self.assertFalse(any(run.bold for run in plain.runs))

    def test_a_percent_sign_or_a_number_never_stands_apart_from_its_sign(self):
        document = render([Para("Đạt 100 % kế hoạch, mục tiêu ≥ 90%.")])
        self.assertIn("Đạt 100\u00a0% kế hoạch, mục tiêu ≥\u00a090%.", all_text(document))


TARGETS = Table(
    header=["TT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Đạt % kế hoạch", "Ngày gửi"],
    rows=[
        [
            str(n),
            f"CT{n:02d}. Số công đoàn cơ sở được kiểm tra",
            "≥ 250 đơn vị" if n < 12 else "Không để xảy ra",
            "542 đơn vị",
            "1.530,01%",
            "31/12/2015",
        ]
        for n in range(1, 13)
    ],
    widths_cm=[0.5, 8.0, 2.0, 2.0, 1.5, 1.5],
    numeric_columns=frozenset({2, 3, 4}),
)


class TableLayoutTests(SimpleTestCase):
    def setUp(self):
        self.table = render([TARGETS]).tables[1]  # after the header's table

    def test_no_row_splits_across_pages_and_the_header_row_repeats(self):
        self.assertEqual(len(self.table.rows), 13)
        for index, row in enumerate(self.table.rows):
            properties = row._tr.trPr
            self.assertIsNotNone(properties.find(f"{W}cantSplit"), index)
            self.assertEqual(properties.find(f"{W}tblHeader") is not None, index == 0, index)

    def test_narrow_columns_are_widened_to_hold_their_longest_word(self):
        widths = [
            int(column.get(f"{W}w")) / 1440 * 2.54
            for column in self.table._tbl.tblGrid.iterfind(f"{W}gridCol")
        ]
        self.assertAlmostEqual(sum(widths), sum(TARGETS.widths_cm), places=1)
        tt, name, goal, _result, share, day = widths
        # In Times New Roman 12 pt: "TT" (bold) 0,57 cm, "1.530,01%" 1,83 cm,
        # "31/12/2015" 1,93 cm, "đoàn vị" 1,1 cm; and room for the cell's margins.
        self.assertGreater(tt, 0.75)
        self.assertGreater(share, 2.0)
        self.assertGreater(day, 2.1)
        self.assertLess(name, 7.5)  # the room came from the columns with room to spare
        self.assertGreater(goal, 1.5)

    def test_figures_keep_their_sign_and_unit_together(self):
        first = [cell.text for cell in self.table.rows[1].cells]
        self.assertEqual(first[2:4], ["≥\u00a0250 đơn\u00a0vị", "542 đơn\u00a0vị"])
        self.assertEqual(self.table.rows[0].cells[4].text, "Đạt\u00a0% kế hoạch")
        # Words that are not a number's unit may wrap, as in any text.
        self.assertEqual(self.table.rows[1].cells[1].text, TARGETS.rows[0][1])
        self.assertEqual(self.table.rows[12].cells[2].text, "Không để xảy ra")


class HeaderBodiesTests(CampaignTestCase):
    """Nghị định 30: the issuing body and its direct superior, no more."""

    def test_a_grassroots_report_names_its_district_and_itself(self):
        report = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        document = open_docx(generate.docx_bytes(content.report_document(report)))
        left = document.tables[0].rows[0].cells[0]
        self.assertEqual(
            texts(left), [self.district_a1.name.upper(), self.grassroots_a1.name.upper()]
        )


def pdf_lines(data: bytes) -> list[list[list[dict]]]:
    """The PDF's pages, each a list of lines, each a list of words with their boxes
    (`pdftotext -bbox-layout`): {"text", "x0", "y0", "x1", "y1"}, in points."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(data)
        xhtml = subprocess.run(
            ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True
        ).stdout
    root = etree.fromstring(xhtml, etree.XMLParser(resolve_entities=False, no_network=True))
    return [
        [[_word(word_) for word_ in line.iter("{*}word")] for line in page.iter("{*}line")]
        for page in root.iter("{*}page")
    ]


def _word(element) -> dict:
    box = {"x0": "xMin", "y0": "yMin", "x1": "xMax", "y1": "yMax"}
    return {"text": element.text or "", **{k: float(element.get(a)) for k, a in box.items()}}


PERCENT = re.compile(r"\d[\d.,]*%")
DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


class ConsolidatedReportPdfTests(TestCase):
    """The province's consolidated report of the demo, made into a PDF once."""

    @classmethod
    def setUpClass(cls):
        require_pdf_tools()
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        load_demo()
        campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
        report = Report.objects.get(campaign=campaign, unit__code="LS", department__isnull=True)
        composition = content.report_composition(report)
        cls.place_and_date = composition.context["place_and_date"]
        cls.docx = generate.docx_bytes(composition)
        cls.pages = pdf_lines(generate.document_bytes(composition, generate.PDF))

    def test_the_number_and_the_place_and_date_stand_level(self):
        first = [word_ for line in self.pages[0] for word_ in line]
        number = next(word_ for word_ in first if word_["text"] == "Số:")
        place = self.place_and_date.split()[0]  # "Lạng" of "Lạng Sơn, ngày …"
        date = min(
            (w for w in first if w["text"] == place and w["x0"] > number["x1"]),
            key=lambda w: abs(w["y0"] - number["y0"]),
        )
        middle = [(w["y0"] + w["y1"]) / 2 for w in (number, date)]
        self.assertAlmostEqual(middle[0], middle[1], delta=3)  # points: about 1 mm

    def test_no_percent_sign_stands_apart_from_what_it_follows(self):
        for page in self.pages:
            for line in page:
                for index, word_ in enumerate(line):
                    if not word_["text"].startswith("%"):
                        continue
                    before = line[index - 1] if index else None
                    self.assertTrue(
                        before is not None and 0 <= word_["x0"] - before["x1"] < 6,
                        " ".join(w["text"] for w in line),
                    )

    def test_every_percentage_and_date_prints_whole_on_one_line(self):
        written = all_text(open_docx(self.docx))
        printed = "\n".join(
            " ".join(word_["text"] for word_ in line) for page in self.pages for line in page
        )
        for pattern in (PERCENT, DATE):
            expected = Counter(pattern.findall(written))
            self.assertGreater(sum(expected.values()), 5, pattern.pattern)
            found = Counter(pattern.findall(printed))
            missing = {text: n for text, n in expected.items() if found[text] < n}
            self.assertEqual(missing, {}, pattern.pattern)

    def test_every_table_row_is_kept_whole_and_headers_repeat(self):
        tables = [t for t in open_docx(self.docx).tables if t.rows[0].cells[0].text == "TT"]
        self.assertGreaterEqual(len(tables), 2)  # the targets and the annex
        for table in tables:
            for index, row in enumerate(table.rows):
                properties = row._tr.trPr
                self.assertIsNotNone(properties.find(f"{W}cantSplit"))
                self.assertEqual(properties.find(f"{W}tblHeader") is not None, index == 0)
