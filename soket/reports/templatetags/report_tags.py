from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from soket.campaigns.models import Campaign
from soket.core import numbers
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
