"""Builds the built-in Word template, `builtin/van-ban.docx`.

The template is an ordinary .docx: page set-up, styles, the page number in the header,
the two-column header table and the signature block live in it, with docxtpl tags where
the campaign's and the unit's data go. An administrator may open it in Word, change it
and upload it back for their unit. Run `python -m soket.documents.template_builder` after
changing this file, and commit the result.

The layout follows Nghị định 30/2020/NĐ-CP, Phụ lục I, as union documents use it.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from soket.documents.word import set_widths

BUILTIN = Path(__file__).resolve().parent / "builtin" / "van-ban.docx"
FONT = "Times New Roman"
BODY_SIZE = Pt(14)


def _fonts(style_element) -> None:
    _run_fonts(style_element.get_or_add_rPr())


def _run_fonts(rpr) -> None:
    """Times New Roman for every script Word distinguishes, Vietnamese included."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    # A theme font would win over the named one.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attribute), None)


def _rule_below(paragraph, *, indent: Cm) -> None:
    """A thin rule under the paragraph, shortened by equal indents on both sides."""
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "000000"}.items():
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _line(
    cell_or_doc,
    text: str,
    *,
    size: int = 14,
    bold: bool = False,
    italic: bool = False,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    style: str = "Soket Plain",
):
    paragraph = cell_or_doc.add_paragraph(style=style)
    paragraph.alignment = align
    if text:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold or None
        run.italic = italic or None
    return paragraph


def _styles(document) -> None:
    styles = document.styles
    defaults = document.styles.element.find(qn("w:docDefaults"))
    _run_fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")))
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    _fonts(normal.element)
    body = normal.paragraph_format
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body.first_line_indent = Cm(1.27)
    body.space_before = Pt(0)
    body.space_after = Pt(6)
    body.line_spacing = 1.15

    plain = styles.add_style("Soket Plain", WD_STYLE_TYPE.PARAGRAPH)
    plain.base_style = normal
    plain.paragraph_format.first_line_indent = Cm(0)
    plain.paragraph_format.space_after = Pt(0)
    plain.paragraph_format.line_spacing = 1.0

    for style in styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            fonts = style.element.find(qn("w:rPr"))
            if fonts is not None and fonts.find(qn("w:rFonts")) is not None:
                _fonts(style.element)
    for level, italic in ((1, False), (2, False), (3, True)):
        heading = styles[f"Heading {level}"]
        heading.base_style = normal
        heading.font.name = FONT
        heading.font.size = BODY_SIZE
        heading.font.bold = True
        heading.font.italic = italic
        heading.font.color.rgb = None
        _fonts(heading.element)
        heading.paragraph_format.first_line_indent = Cm(1.27)
        heading.paragraph_format.space_before = Pt(6)
        heading.paragraph_format.space_after = Pt(6)
        heading.paragraph_format.keep_with_next = True

    bullet = styles.add_style("Soket Bullet", WD_STYLE_TYPE.PARAGRAPH)
    bullet.base_style = normal

    table_text = styles.add_style("Soket Table", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = plain
    table_text.font.size = Pt(12)
    table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    caption = styles.add_style("Soket Caption", WD_STYLE_TYPE.PARAGRAPH)
    caption.base_style = plain
    caption.font.italic = True
    caption.font.size = Pt(13)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_after = Pt(6)


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    # Page numbers centred in the top margin, from page 2 on.
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    number = section.header.paragraphs[0]
    number.style = document.styles["Soket Plain"]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    number._p.append(field)


def _header_table(document) -> None:
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    left, right = table.rows[0].cells
    set_widths(table, Cm(7.0), Cm(9.5))
    left.paragraphs[0].style = document.styles["Soket Plain"]
    _line(left, "{%p for line in superior_lines %}", size=12)
    _line(left, "{{ line }}", size=12)
    _line(left, "{%p endfor %}", size=12)
    _line(left, "{{ issuer }}", size=13, bold=True)
    _rule_below(_line(left, "", size=2), indent=Cm(2.3))
    _line(left, "Số: {{ number }}", size=13)
    left._tc.remove(left.paragraphs[0]._p)

    right.paragraphs[0].style = document.styles["Soket Plain"]
    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    _line(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
    _rule_below(_line(right, "", size=2), indent=Cm(1.9))
    _line(right, "", size=13)
    _line(right, "{{ place_and_date }}", size=14, italic=True)
    right._tc.remove(right.paragraphs[0]._p)


def _title(document) -> None:
    _line(document, "", size=14)
    _line(document, "{{ doc_type }}", size=14, bold=True)
    _line(document, "{%p for line in title_lines %}", size=14, bold=True)
    _line(document, "{{ line }}", size=14, bold=True)
    _line(document, "{%p endfor %}", size=14, bold=True)
    _rule_below(_line(document, "", size=2), indent=Cm(6.5))
    _line(document, "", size=14)


def _signature(document) -> None:
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    left, right = table.rows[0].cells
    set_widths(table, Cm(8.0), Cm(8.5))
    left_first = left.paragraphs[0]
    _line(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(left, "{%p for line in recipients %}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(left, "{{ line }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(left, "{%p endfor %}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    left._tc.remove(left_first._p)

    right_first = right.paragraphs[0]
    _line(right, "{%p if signing_capacity %}", size=14, bold=True)
    _line(right, "{{ signing_capacity }}", size=14, bold=True)
    _line(right, "{%p endif %}", size=14, bold=True)
    _line(right, "{{ signer_title }}", size=14, bold=True)
    _line(right, "{%p if is_signed %}", size=14)
    _line(right, "(Đã ký)", size=14, italic=True)
    _line(right, "{%p endif %}", size=14)
    for _blank in range(3):
        _line(right, "", size=14)
    _line(right, "{{ signer_name }}", size=14, bold=True)
    right._tc.remove(right_first._p)


def build(path: Path = BUILTIN) -> Path:
    document = Document()
    _styles(document)
    _page(document)
    _header_table(document)
    _title(document)
    document.add_paragraph("{{p body }}")
    _line(document, "", size=14)
    _signature(document)
    document.add_paragraph("{{p annex }}")
    core = document.core_properties
    core.author = core.last_modified_by = "Soket"
    core.title = "Mẫu văn bản Soket"
    core.comments = "Xem hướng dẫn trong trang Mẫu văn bản của Soket."
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
