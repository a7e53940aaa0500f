from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from soket.campaigns.models import Campaign
from soket.core import numbers
from soket.reports import provenance
from soket.reports.models import Assessment

register = template.Library()


@register.filter
def number(value) -> str:
    """A figure as people read it: 1.234,5 in Vietnamese, 1,234.5 in English
    (soket/core/numbers.py, as Word and Excel)."""
    return numbers.number(value, language=get_language() or "vi")


@register.filter
def input_number(value) -> str:
    """A figure as it is typed back into a form field: no thousands separators and a
    decimal comma whatever the interface language, as the form reads it (1234,5)."""
    return numbers.plain(value)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def assessment_label(value: str, campaign: Campaign) -> str:
    """In an interim review a figure is judged against progress, not the goal itself."""
    labels: dict[str, str]
    if campaign.kind == Campaign.Kind.INTERIM:
        labels = {
            Assessment.EXCEEDED: _("ahead of schedule"),
            Assessment.ACHIEVED: _("on schedule"),
            Assessment.NOT_ACHIEVED: _("behind schedule"),
        }
    else:
        labels = {value: str(label) for value, label in Assessment.choices}
    return labels.get(value, value)


@register.filter
def with_sources(text: str) -> SafeString:
    """A drafted text as the page shows it: each source line as a label above the
    passage it names (the printed document leaves them out), the rest as written."""
    pieces = []
    for passage in provenance.passages(text or ""):
        if passage.source:
            pieces.append(format_html('<span class="source">{}</span><br>', passage.source))
        pieces.append(linebreaksbr(passage.text, autoescape=True) + mark_safe("<br><br>"))
    return mark_safe("".join(pieces))  # every piece escaped above
