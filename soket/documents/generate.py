"""Turns a composition into the bytes of a .docx or a PDF, in the unit's template."""

from __future__ import annotations

from soket.documents import pdf, word
from soket.documents.content import Composition
from soket.documents.selectors import template_for
from soket.documents.template_builder import BUILTIN

DOCX = "docx"
PDF = "pdf"
CONTENT_TYPES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PDF: "application/pdf",
}


def docx_bytes(composition: Composition) -> bytes:
    custom = template_for(unit=composition.issuer, kind=composition.kind)
    with custom.file.open("rb") if custom else BUILTIN.open("rb") as template:
        return word.render(
            template, context=composition.context, body=composition.body, annex=composition.annex
        )


def document_bytes(composition: Composition, file_format: str) -> bytes:
    document = docx_bytes(composition)
    return pdf.convert(document) if file_format == PDF else document
