"""Renders a document as .docx: docxtpl fills the template's tags, the body and annex
are laid out in the template's own styles, and real Word footnotes are added after.

The template decides the page, the header table and the signature block; this module
only writes what goes between them. See `template_builder` for the built-in template.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import IO, Any

from django.utils.translation import gettext as _
from docx.document import Document as DocxDocument
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
        subdoc.add_paragraph(
            clean(block.text), style=_style(subdoc, f"Heading {min(block.level, 3)}")
        )
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


def _paragraph(subdoc, block: Para, notes: _Footnotes) -> None:
    paragraph = subdoc.add_paragraph(
        style=_style(subdoc, "Soket Bullet") if block.is_bullet else None
    )
    text = clean(("- " if block.is_bullet else "") + block.text)
    position = 0
    for mark in NOTE_MARK.finditer(text):
        number = int(mark.group(1))
        if not 0 < number <= len(block.notes):
            continue
        _run(paragraph, text[position : mark.start()], block.italic)
        paragraph._p.append(notes.reference(block.notes[number - 1]))
        position = mark.end()
    _run(paragraph, text[position:], block.italic)


def _style(document, name: str):
    """The template's style of that name; an administrator's template may lack ours."""
    try:
        return document.styles[name]
    except KeyError:
        return None


def _run(paragraph, text: str, italic: bool) -> None:
    if text:
        paragraph.add_run(text).italic = italic or None


def _table(subdoc, block: Table) -> None:
    table = subdoc.add_table(rows=1, cols=len(block.header))
    table.style = _style(subdoc, "Table Grid")
    table.autofit = False
    for index, text in enumerate(block.header):
        _cell(table.rows[0].cells[index], text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_as_header(table.rows[0])
    for values in block.rows:
        cells = table.add_row().cells
        for index, text in enumerate(values):
            align = (
                WD_ALIGN_PARAGRAPH.RIGHT
                if index in block.numeric_columns
                else WD_ALIGN_PARAGRAPH.LEFT
            )
            _cell(cells[index], text, align=align)
    set_widths(table, *(Cm(width) for width in block.widths_cm))
    subdoc.add_paragraph(style=_style(subdoc, "Soket Plain"))


def set_widths(table, *widths) -> None:
    """Both the grid and the cells: Word reads one, LibreOffice the other."""
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _cell(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = _style(cell.part.document, "Soket Table")
    paragraph.alignment = align
    run = paragraph.add_run(clean(text))
    run.bold = bold or None


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    properties.append(header)


class _Footnotes:
    """Real Word footnotes: a reference in the text, the note in the footnotes part.

    The notes are written after docxtpl has rendered, so their text is never read as
    template tags.
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

    def reference(self, text: str):
        note_id = self.next_id
        self.next_id += 1
        self.pending.append((note_id, clean(text)))
        return parse_xml(
            f'<w:r xmlns:w="{W}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{note_id}"/></w:r>'
        )

    def write(self) -> None:
        if not self.pending:
            return
        for note_id, text in self.pending:
            note = parse_xml(
                f'<w:footnote xmlns:w="{W}" w:id="{note_id}"><w:p>'
                '<w:pPr><w:jc w:val="both"/><w:spacing w:after="0"/></w:pPr>'
                '<w:r><w:rPr><w:vertAlign w:val="superscript"/><w:sz w:val="20"/></w:rPr>'
                "<w:footnoteRef/></w:r>"
                '<w:r><w:rPr><w:sz w:val="20"/></w:rPr><w:t xml:space="preserve"> </w:t></w:r>'
                "</w:p></w:footnote>"
            )
            note.findall(f".//{{{W}}}t")[0].text = " " + text
            self.root.append(note)
        self.part._blob = etree.tostring(
            self.root, xml_declaration=True, encoding="UTF-8", standalone=True
        )
