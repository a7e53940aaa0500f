"""Renders a document as .docx: docxtpl fills the template's tags, the body and annex
are laid out in the template's own styles, and real Word footnotes are added after.

The template decides the page, the header table and the signature block; this module
only writes what goes between them. See `template_builder` for the built-in template.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from typing import IO, Any

from django.utils.translation import gettext as _
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm
from docxcompose.composer import Composer
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from lxml import etree
from markupsafe import Markup

from soket.documents.blocks import Block, Heading, Image, PageBreak, Para, Table, clean
from soket.documents.sandbox import DocumentEnvironment, TemplateRefused

NOTE_MARK = re.compile(r"\[\^(\d+)\]")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Word's own footnote styles: their ids, and their names as Word writes them. The
# built-in template has both; a unit's template may have neither.
FOOTNOTE_TEXT = "FootnoteText"
FOOTNOTE_REFERENCE = "FootnoteReference"
FOOTNOTE_STYLE_NAMES = {FOOTNOTE_TEXT: "footnote text", FOOTNOTE_REFERENCE: "footnote reference"}


class TemplateProblem(Exception):
    """The Word template cannot be used; the message says why, for an administrator."""


def render(
    template: str | IO[bytes],
    *,
    context: Mapping[str, Any],
    body: Sequence[Block],
    annex: Sequence[Block] = (),
) -> bytes:
    try:
        document = DocxTemplate(template)
        document.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as error:
        raise TemplateProblem(_("The template is not a valid Word (.docx) file.")) from error
    _refuse_outside_links(document.docx)
    context, body = for_template(context, body, placeholders=_placeholders(document))
    notes = _Footnotes(document.docx)
    values = {key: _cleaned(value) for key, value in context.items()}
    # Laid out already: handed over as finished XML, never as objects with methods.
    values["body"] = Markup(str(_subdoc(document, body, notes)))
    values["annex"] = Markup(str(_subdoc(document, annex, notes)))
    try:
        document.render(values, jinja_env=DocumentEnvironment(), autoescape=True)
    except TemplateRefused as refused:
        raise TemplateProblem(str(refused)) from refused
    except TemplateError as error:
        raise TemplateProblem(_("The template has an invalid tag: %s") % error) from error
    except ValueError as error:  # e.g. a document property past Word's 255 characters
        raise TemplateProblem(_("The template could not be filled in: %s") % error) from error
    notes.write()
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _placeholders(document: DocxTemplate) -> set[str] | None:
    """The names the template prints; None when it cannot be read (rendering then says
    why)."""
    try:
        return set(document.get_undeclared_template_variables(jinja_env=DocumentEnvironment()))
    except (TemplateError, TemplateRefused, KeyError, ValueError):
        return None


def for_template(
    context: Mapping[str, Any], body: Sequence[Block], *, placeholders: set[str] | None
) -> tuple[dict[str, Any], list[Block]]:
    """What a template made before drafts and annexes were marked still prints: a unit's
    own template, changed from the older built-in one, has no `is_draft` or
    `attached_to`. A draft then opens its body with "DỰ THẢO", and the "(Kèm theo …)"
    line of an annex follows its title lines, so no template prints a draft as issued or
    loses the plan an annex belongs to."""
    values, blocks = dict(context), list(body)
    if placeholders is None:
        return values, blocks
    if values.get("attached_to") and "attached_to" not in placeholders:
        values["title_lines"] = [*values.get("title_lines", []), values["attached_to"]]
    if values.get("is_draft") and "is_draft" not in placeholders:
        blocks.insert(0, Para("DỰ THẢO", bold=True, centred=True))
    return values, blocks


def _refuse_outside_links(docx) -> None:
    """Refuse a template that links a picture, an object or a frame to a file or an
    address outside it: LibreOffice would fetch it while making the PDF (from the
    server's own network, or its disk). Hyperlinks are only written down, never
    fetched, so they stay."""
    package = docx.part.package
    for source in [package, *package.iter_parts()]:
        for relationship in source.rels.values():
            if relationship.is_external and not relationship.reltype.endswith("/hyperlink"):
                raise TemplateProblem(
                    _(
                        "The template links to something outside the file (%s). Insert "
                        "pictures into the template instead of linking them."
                    )
                    % relationship.target_ref[:100]
                )


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list | tuple):
        return [_cleaned(item) for item in value]
    return value


def _subdoc(document: DocxTemplate, blocks: Sequence[Block], notes: _Footnotes):
    subdoc = document.new_subdoc()
    for block in blocks:
        _write(subdoc, block, notes)
    return subdoc


def _write(subdoc, block: Block, notes: _Footnotes) -> None:
    if isinstance(block, Heading):
        _heading(subdoc, block)
    elif isinstance(block, Para):
        _paragraph(subdoc, block, notes)
    elif isinstance(block, Table):
        _table(subdoc, block)
    elif isinstance(block, Image):
        subdoc.add_picture(io.BytesIO(block.data), width=Cm(block.width_cm))
        subdoc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        subdoc.paragraphs[-1].paragraph_format.first_line_indent = Cm(0)
        subdoc.paragraphs[-1].paragraph_format.keep_with_next = True  # with its caption
        subdoc.add_paragraph(clean(block.caption), style=_style(subdoc, "Soket Caption"))
    elif isinstance(block, PageBreak):
        subdoc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _heading(subdoc, block: Heading) -> None:
    """Line breaks ("\n") are kept. A heading of several lines is never justified (its
    first lines would be stretched to the margin); a centred one stands on its lines
    centred, without the first-line indent."""
    text = keep_together(clean(block.text))
    paragraph = subdoc.add_paragraph(text, style=_style(subdoc, f"Heading {min(block.level, 3)}"))
    if block.centred:
        _centre(paragraph)
    elif "\n" in text:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _centre(paragraph) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.paragraph_format.left_indent = Cm(0)


def _paragraph(subdoc, block: Para, notes: _Footnotes) -> None:
    paragraph = subdoc.add_paragraph(
        style=_style(subdoc, "Soket Bullet") if block.is_bullet else None
    )
    if block.centred:
        _centre(paragraph)
    text = keep_together(clean(("- " if block.is_bullet else "") + block.text))
    position = 0
    for mark in NOTE_MARK.finditer(text):
        number = int(mark.group(1))
        if not 0 < number <= len(block.notes):
            continue
        _run(paragraph, text[position : mark.start()], block)
        paragraph._p.append(notes.reference(block.notes[number - 1]))
        position = mark.end()
    _run(paragraph, text[position:], block)


_APART_PERCENT = re.compile(r"(?<=\S) +(?=%)")
_SIGN_AND_NUMBER = re.compile(r"(?<=[≥≤<>=±~]) +(?=[-−+]?\d)")
NBSP = "\u00a0"


def keep_together(text: str) -> str:
    """No line may break between a number and a "%" written apart from it ("100 %",
    "Đạt % kế hoạch"), nor between a sign and its number ("≥ 100"): non-breaking spaces,
    which Word and LibreOffice both honour."""
    return _SIGN_AND_NUMBER.sub(NBSP, _APART_PERCENT.sub(NBSP, text))


def _style(document, name: str):
    """The template's style of that name; an administrator's template may lack ours."""
    try:
        return document.styles[name]
    except KeyError:
        return None


def _run(paragraph, text: str, block: Para) -> None:
    if text:
        run = paragraph.add_run(text)
        run.italic = block.italic or None
        run.bold = block.bold or None


def _table(subdoc, block: Table) -> None:
    table = subdoc.add_table(rows=1, cols=len(block.header))
    table.style = _style(subdoc, "Table Grid")
    table.autofit = False
    _cell_margins(table, TABLE_CELL_MARGIN_CM)
    for index, text in enumerate(block.header):
        cell = table.rows[0].cells[index]
        _cell(cell, keep_together(clean(text)), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _repeat_as_header(table.rows[0])
    ordinal = bool(block.header) and block.header[0].strip() == "TT"
    for values in block.rows:
        cells = table.add_row().cells
        for index, text in enumerate(values):
            if index in block.numeric_columns:
                align = WD_ALIGN_PARAGRAPH.RIGHT
            elif (index == 0 and ordinal) or DATE.fullmatch(text.strip()):
                align = WD_ALIGN_PARAGRAPH.CENTER
            else:
                align = WD_ALIGN_PARAGRAPH.LEFT
            _cell(cells[index], _cell_text(block, index, text), align=align)
    widths = fitted_widths(block)
    keep_rows_whole(table, taller_than_a_page=_tall_rows(block, widths))
    set_widths(table, *(Cm(width) for width in widths))
    subdoc.add_paragraph(style=_style(subdoc, "Soket Plain"))


DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_UNIT_AFTER_NUMBER = re.compile(r"(?<=\d )[^\W\d]+(?: [^\W\d]+)+$")


def _cell_text(block: Table, column: int, text: str) -> str:
    """A cell's text as printed. In a column of figures the words of the unit after a
    number stay on one line ("542 / đơn vị", never "542 đơn / vị")."""
    text = keep_together(clean(text))
    if column not in block.numeric_columns:
        return text
    return _UNIT_AFTER_NUMBER.sub(lambda unit: unit.group().replace(" ", NBSP), text)


def set_widths(table, *widths) -> None:
    """Both the grid and the cells: Word reads one, LibreOffice the other."""
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
        for cell in column.cells:
            cell.width = width


def keep_rows_whole(table, *, taller_than_a_page: frozenset[int] = frozenset()) -> None:
    """No row of the table is split across two pages, except a row taller than a page
    (rows counted from 0, the header row first): Word cuts such a row off at the foot
    of the page instead of carrying it over, so it may break."""
    for index, row in enumerate(table.rows):
        if index in taller_than_a_page:
            continue
        properties = row._tr.get_or_add_trPr()
        if properties.find(qn("w:cantSplit")) is None:
            properties.append(OxmlElement("w:cantSplit"))


def _cell(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    """Write `text`, cleaned and laid out already, into the cell."""
    paragraph = cell.paragraphs[0]
    paragraph.style = _style(cell.part.document, "Soket Table")
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold = bold or None


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    properties.append(header)


def _cell_margins(table, centimetres: float) -> None:
    """Narrow left and right cell margins: narrow columns keep room for their words."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(centimetres * TWIPS_PER_CM)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties = table._tbl.tblPr
    look = properties.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        properties.append(margins)


# Table text: the "Soket Table" style, 12 pt, in Times New Roman (or Liberation Serif,
# which has the same widths).
TABLE_TEXT_PT = 12
TABLE_CELL_MARGIN_CM = 0.1
TWIPS_PER_CM = 1440 / 2.54
CM_PER_PT = 2.54 / 72
# Advance widths of printable ASCII (" " to "~") in Times New Roman, in thousandths of
# the font size: regular, then bold.
_WIDTHS = (
    (
        250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
        500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
        921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
        556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
        333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
        500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
    ),
    (
        250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278,
        500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500,
        930, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778,
        611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500,
        333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500,
        556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
    ),
)  # fmt: skip
_HORN = "\u031b"  # ơ and ư are a little wider than o and u


def text_width_cm(text: str, *, size_pt: float, bold: bool = False) -> float:
    """How wide `text` prints on one line in Times New Roman: Vietnamese letters as wide
    as their base letter (a horn adds a little), other characters as wide as an "n"."""
    widths = _WIDTHS[bold]
    total = 0
    for character in unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d")):
        if " " <= character <= "~":
            total += widths[ord(character) - 32]
        elif character == NBSP:
            total += widths[0]
        elif character == _HORN:
            total += 80
        elif not unicodedata.combining(character):
            total += widths[ord("n") - 32] + 50
    return total * size_pt / 1000 * CM_PER_PT


def fitted_widths(block: Table) -> list[float]:
    """The block's column widths, each widened where it is too narrow for its longest
    word, at the expense of the columns with room to spare, the table as wide as before.

    A word wider than its cell is split anywhere by Word and LibreOffice alike: that is
    how "TT" printed as "T/T", "63,27%" lost its "%" and "31/12/2015" became
    "31/12/201/5". The widths come from Times New Roman's metrics with a margin of
    safety. A column gives at most a quarter of its width, so that text columns stay
    readable, and takes at most a quarter of the table."""
    widths = list(block.widths_cm)
    if len(widths) != len(block.header):
        return widths
    cap = sum(widths) / 4
    needs = [
        min(cap, _column_need(block, column) + 2 * TABLE_CELL_MARGIN_CM + 0.1)
        for column in range(len(widths))
    ]
    short = [max(0.0, need - width) for need, width in zip(needs, widths, strict=True)]
    spare = [
        max(0.0, width - max(need, 0.75 * width)) for need, width in zip(needs, widths, strict=True)
    ]
    if not sum(short) or not sum(spare):
        return widths
    moved = min(sum(short), sum(spare))
    return [
        round(width + moved * (lack / sum(short)) - moved * (room / sum(spare)), 3)
        for width, lack, room in zip(widths, short, spare, strict=True)
    ]


# The height of the text on an A4 page with the decree's margins (20 mm top and
# bottom), less the repeated header row and a margin of safety; a table line of 12 pt.
PAGE_TEXT_HEIGHT_CM = 29.7 - 2 - 2 - 3.5
TABLE_LINE_CM = TABLE_TEXT_PT * 1.2 * CM_PER_PT


def _tall_rows(block: Table, widths: list[float]) -> frozenset[int]:
    """The rows (the header row is 0) whose text, wrapped in its columns, would be
    taller than a page: an estimate from the font's metrics, generous on purpose."""
    tall = set()
    for index, values in enumerate(block.rows, start=1):
        lines = 0
        for column, text in enumerate(values[: len(widths)]):
            room = max(widths[column] - 2 * TABLE_CELL_MARGIN_CM, 0.5)
            wrapped = sum(
                max(1, -(-text_width_cm(part, size_pt=TABLE_TEXT_PT) * 1.1 // room))
                for part in _cell_text(block, column, text).split("\n")
            )
            lines = max(lines, int(wrapped))
        if lines * TABLE_LINE_CM > PAGE_TEXT_HEIGHT_CM:
            tall.add(index)
    return frozenset(tall)


BREAKABLE_SPACE = re.compile(r"[ \t\n]+")  # not str.split(): that splits at "\u00a0" too


def _column_need(block: Table, column: int) -> float:
    """The width of the column's widest word, header (bold) included."""
    cells = [(keep_together(clean(block.header[column])), True)] + [
        (_cell_text(block, column, row[column]), False) for row in block.rows if column < len(row)
    ]
    return max(
        (
            text_width_cm(word, size_pt=TABLE_TEXT_PT, bold=bold) * 1.04
            for text, bold in cells
            for word in BREAKABLE_SPACE.split(text)
        ),
        default=0.0,
    )


class _Footnotes:
    """Real Word footnotes: a reference in the text, the note in the footnotes part.

    The notes are written after docxtpl has rendered, so their text is never read as
    template tags. They take the template's footnote styles where it has them (the
    built-in one does), and otherwise the same look written on each note.
    """

    def __init__(self, docx: DocxDocument) -> None:
        self.docx = docx
        try:
            self.part = docx.part.rels.part_with_reltype(RT.FOOTNOTES)
        except KeyError:
            self.part = Composer(docx).footnote_part()
        self.root = parse_xml(self.part.blob)
        ids = [int(note.get(qn("w:id"))) for note in self.root.iterfind(qn("w:footnote"))]
        self._ensure_separators(ids)
        self.next_id = max([0, *ids]) + 1
        self.pending: list[tuple[int, str]] = []
        styles = docx.styles.element
        self.text_style = _style_id(styles, FOOTNOTE_TEXT, "paragraph")
        self.reference_style = _style_id(styles, FOOTNOTE_REFERENCE, "character")

    def _ensure_separators(self, ids: list[int]) -> None:
        if ids:
            return
        for note_id, kind, mark in (
            (-1, "separator", "w:separator"),
            (0, "continuationSeparator", "w:continuationSeparator"),
        ):
            self.root.append(
                parse_xml(
                    f'<w:footnote xmlns:w="{W}" w:type="{kind}" w:id="{note_id}">'
                    f'<w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
                    f"<w:r><{mark}/></w:r></w:p></w:footnote>"
                )
            )

    def _raised(self, size: str = "") -> str:
        """The run properties of a footnote's number, in the text or before its note."""
        if self.reference_style:
            return f'<w:rPr><w:rStyle w:val="{self.reference_style}"/></w:rPr>'
        return f'<w:rPr><w:vertAlign w:val="superscript"/>{size}</w:rPr>'

    def reference(self, text: str):
        note_id = self.next_id
        self.next_id += 1
        self.pending.append((note_id, clean(text)))
        return parse_xml(
            f'<w:r xmlns:w="{W}">{self._raised()}<w:footnoteReference w:id="{note_id}"/></w:r>'
        )

    def write(self) -> None:
        if not self.pending:
            return
        if self.text_style:
            paragraph = f'<w:pPr><w:pStyle w:val="{self.text_style}"/></w:pPr>'
            size = ""
        else:
            paragraph = '<w:pPr><w:jc w:val="both"/><w:spacing w:after="0"/></w:pPr>'
            size = '<w:sz w:val="20"/>'
        for note_id, text in self.pending:
            note = parse_xml(
                f'<w:footnote xmlns:w="{W}" w:id="{note_id}"><w:p>{paragraph}'
                f"<w:r>{self._raised(size)}<w:footnoteRef/></w:r>"
                f'<w:r><w:rPr>{size}</w:rPr><w:t xml:space="preserve"> </w:t></w:r>'
                "</w:p></w:footnote>"
            )
            note.findall(f".//{{{W}}}t")[0].text = " " + text
            self.root.append(note)
        self.part._blob = etree.tostring(
            self.root, xml_declaration=True, encoding="UTF-8", standalone=True
        )


def _style_id(styles, style_id: str, kind: str) -> str | None:
    """The id of the template's footnote style (Word's id, or another program's under
    Word's name), or None if it has none."""
    name = FOOTNOTE_STYLE_NAMES[style_id]
    for style in styles.iterfind(qn("w:style")):
        if style.get(qn("w:type")) != kind:
            continue
        named = style.find(qn("w:name"))
        if style.get(qn("w:styleId")) == style_id or (
            named is not None and (named.get(qn("w:val")) or "").lower() == name
        ):
            return style.get(qn("w:styleId"))
    return None
