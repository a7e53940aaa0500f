from decimal import Decimal

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from soket.campaigns.models import Campaign
from soket.reports.models import Assessment

register = template.Library()


@register.filter
def number(value) -> str:
    """A figure as people write it: no trailing zeros, a decimal comma in Vietnamese."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = format(value.quantize(Decimal("0.01")).normalize(), "f")
    return text.replace(".", ",") if (get_language() or "vi").startswith("vi") else text


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def assessment_label(value: str, campaign: Campaign) -> str:
    """In an interim review a figure is judged against progress, not the goal itself."""
    if campaign.kind == Campaign.Kind.INTERIM:
        labels = {
            Assessment.EXCEEDED: _("ahead of schedule"),
            Assessment.ACHIEVED: _("on schedule"),
            Assessment.NOT_ACHIEVED: _("behind schedule"),
        }
    else:
        labels = dict(Assessment.choices)
    return labels.get(value, value)
