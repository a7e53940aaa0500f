from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from soket.documents import generate, jobs, pdf

register = template.Library()


@dataclass(frozen=True)
class Button:
    label: str
    file_format: str
    url: str = ""  # a direct download; otherwise the button asks the background runner
    missing: str = ""  # why the server cannot make it


@register.inclusion_tag("documents/_download_links.html", takes_context=True)
def document_buttons(context, what: str, campaign, report=None, unit=None) -> dict:
    """Word and PDF of a plan, an outline or a report, or the consolidated table: a link
    where the document is made at once, a button that asks the background runner where
    it takes longer, and the reason where the server cannot make PDFs."""
    if what == jobs.What.TABLE:
        buttons = [Button(_("Consolidated table (Excel)"), jobs.XLSX)]
    else:
        direct = not jobs.made_in_background(what=what, file_format=generate.DOCX, report=report)
        if not direct:
            word_url = ""
        elif report is not None:
            word_url = reverse("report_document", args=[report.pk])
        else:
            word_url = reverse("campaign_document", args=[campaign.pk, what])
        buttons = [
            Button(_("Word"), generate.DOCX, url=word_url),
            Button(_("PDF"), generate.PDF, missing=pdf.missing()),
        ]
    return {
        "csrf_token": context.get("csrf_token"),
        "buttons": buttons,
        "what": what,
        "campaign": campaign,
        "report": report,
        "unit": unit,
    }
