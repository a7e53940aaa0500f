from django import template

from soket.documents import pdf

register = template.Library()


@register.inclusion_tag("documents/_download_links.html")
def document_links(word_url: str, pdf_url: str) -> dict:
    """Word and PDF links; where the server cannot make PDFs, the reason instead."""
    return {"word_url": word_url, "pdf_url": pdf_url, "pdf_missing": pdf.missing()}
