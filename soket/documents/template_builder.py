"""Builds the built-in Word template, `builtin/van-ban.docx`.

The template is an ordinary .docx: page set-up, styles (footnotes included), the page
number in the header, "DỰ THẢO" on a draft's first page, the header table and the
signature block live in it, with docxtpl tags where the campaign's and the unit's data
go; an annex (`is_annex`) keeps only its title and what it is attached to. An
administrator may open it in Word, change it and upload it back for their unit. Run
`python -m soket.documents.template_builder` after changing this file, and commit the
result.

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
from docx.shared import Cm, Emu, Mm, Pt

from soket.documents.word import FOOTNOTE_REFERENCE, FOOTNOTE_TEXT, keep_rows_whole, set_widths

BUILTIN = Path(__file__).resolve().parent / "builtin" / "van-ban.docx"
FONT = "Times New Roman"
BODY_SIZE = Pt(14)
TEXT_WIDTH = Cm(16.5)  # A4 less the margins, 3 cm left and 1,5 cm right
HEADER_LEFT, HEADER_RIGHT = Cm(7.0), Cm(9.5)
CELL_MARGIN = Cm(0.19)  # Word's own, left and right, in the header table
DRAFT_BOX = Cm(2.6)  # "DỰ THẢO" in bold 13 pt is 2,15 cm


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


def _border(paragraph, *edges: str, space: int = 1) -> None:
    """Single black lines on the given edges of the paragraph (`space` points from it)."""
    borders = OxmlElement("w:pBdr")
    for edge in edges:
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "6")  # eighths of a point
        line.set(qn("w:space"), str(space))
        line.set(qn("w:color"), "000000")
        borders.append(line)
    # In the schema's order, which Word holds to: before spacing, indents and alignment.
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_BORDERS)


_AFTER_BORDERS = ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr", "w:sectPr")


def _underline_line(paragraph, *, length: int, within: int) -> None:
    """Rule the paragraph's own last line: its bottom border, `length` long and centred in
    a column `within` wide (indents shorten the border, and the text with it)."""
    side = Emu((within - length) // 2)
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    _border(paragraph, "bottom")


def _rule(container, *, length: int, within: int) -> None:
    """A short centred rule right under the line above it, as offices draw the one under
    the issuer's name and under the title: the bottom border of a paragraph one point
    high, so that no blank line comes between text and rule. (The issuer's name and the
    title may run to two lines, so they cannot carry the border themselves: the indents
    that shorten a border narrow its text too.)"""
    paragraph = container.add_paragraph(style="Soket Plain")
    paragraph.paragraph_format.line_spacing = Pt(1)  # exactly
    paragraph.paragraph_format.space_before = Pt(2)
    _underline_line(paragraph, length=length, within=within)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"
    )


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
    _footnote_styles(document)


def _footnote_styles(document) -> None:
    """Word's own footnote styles, under Word's own names and ids, so that Word and
    LibreOffice both treat them as theirs: the note in 10 pt, its number raised."""
    styles = document.styles
    text = styles.add_style("footnote text", WD_STYLE_TYPE.PARAGRAPH, builtin=True)
    text.element.styleId = FOOTNOTE_TEXT
    text.base_style = styles["Normal"]
    text.font.size = Pt(10)
    text.paragraph_format.first_line_indent = Cm(0)
    text.paragraph_format.space_after = Pt(0)
    text.paragraph_format.line_spacing = 1.0
    reference = styles.add_style("footnote reference", WD_STYLE_TYPE.CHARACTER, builtin=True)
    reference.element.styleId = FOOTNOTE_REFERENCE
    reference.base_style = styles["Default Paragraph Font"]
    reference.font.superscript = True


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


def _draft_mark(document) -> None:
    """ "DỰ THẢO", bold in a box, at the top right of page one, as offices mark a text not
    yet issued. It stands in the first page's header, above the national title, so that a
    draft lays out line for line as the issued text will."""
    header = document.sections[0].first_page_header
    kept = header.paragraphs[0]  # a header must keep one paragraph when the mark is off
    kept.style = document.styles["Soket Plain"]
    _line(header, "{%p if is_draft %}")
    mark = _line(header, "DỰ THẢO", size=13, bold=True)
    mark.paragraph_format.left_indent = TEXT_WIDTH - DRAFT_BOX
    mark.paragraph_format.right_indent = Cm(0.1)
    _border(mark, "top", "left", "bottom", "right", space=2)
    _line(header, "{%p endif %}")
    header._element.append(kept._p)


def _header_table(document) -> None:
    """The two bodies and the national title side by side; "Số:" and the place and date
    in a second row, so that they stand level whatever the names' lengths. An annex has
    none of it: it hangs from the document it is attached to."""
    _line(document, "{%p if not is_annex %}")
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    keep_rows_whole(table)
    set_widths(table, HEADER_LEFT, HEADER_RIGHT)
    (left, right), (number, date) = (row.cells for row in table.rows)

    _line(left, "{%p for line in superior_lines %}", size=12)
    _line(left, "{{ line }}", size=12)
    _line(left, "{%p endfor %}", size=12)
    _line(left, "{{ issuer }}", size=13, bold=True)
    _rule(left, length=Cm(2.5), within=HEADER_LEFT - 2 * CELL_MARGIN)

    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    motto = _line(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
    # As long as the motto (5,6 cm in Times New Roman, bold 13 pt), and a little more.
    _underline_line(motto, length=Cm(5.8), within=HEADER_RIGHT - 2 * CELL_MARGIN)

    _line(number, "Số: {{ number }}", size=13).paragraph_format.space_before = Pt(6)
    _line(date, "{{ place_and_date }}", size=14, italic=True).paragraph_format.space_before = Pt(6)
    for cell in (left, right, number, date):
        cell._tc.remove(cell.paragraphs[0]._p)
    _line(document, "", size=14)
    _line(document, "{%p endif %}")


def _title(document) -> None:
    """Type and title, bold and centred; under them, in italics, what an annex is attached
    to; then the short rule."""
    _line(document, "{{ doc_type }}", size=14, bold=True)
    _line(document, "{%p for line in title_lines %}", size=14, bold=True)
    _line(document, "{{ line }}", size=14, bold=True)
    _line(document, "{%p endfor %}", size=14, bold=True)
    _line(document, "{%p if attached_to %}", size=14)
    _line(document, "{{ attached_to }}", size=14, italic=True)
    _line(document, "{%p endif %}", size=14)
    _rule(document, length=Cm(3.5), within=TEXT_WIDTH)
    _line(document, "", size=14)


def _signature(document) -> None:
    """Recipients on the left, the signer on the right; an annex has neither."""
    _line(document, "{%p if not is_annex %}")
    _line(document, "", size=14)
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    keep_rows_whole(table)
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
    _line(document, "{%p endif %}")


def build(path: Path = BUILTIN) -> Path:
    document = Document()
    _styles(document)
    _page(document)
    _draft_mark(document)
    _header_table(document)
    _title(document)
    document.add_paragraph("{{p body }}")
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
