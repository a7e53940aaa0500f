"""Figures of the analysis as people read them, in the interface's language: through
resolutions.meaning, which prints them for the documents too."""

from decimal import Decimal

from django import template
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from soket.core import numbers
from soket.resolutions import meaning
from soket.resolutions.models import Target

register = template.Library()


def _language() -> str:
    return get_language() or "vi"


@register.simple_tag
def figure(target: Target, value) -> str:
    """ "1.234 đoàn viên", "63,27%"; "" for no figure."""
    return meaning.printed(target, value, language=_language())


@register.simple_tag
def goal(target: Target) -> str:
    """The goal as the documents word it ("≥ 10.000 đoàn viên", "Không để xảy ra"); in
    English, its sign and figure."""
    if _language() == "vi" or target.goal_value is None or meaning.is_qualitative(target):
        return meaning.goal_printed(target)
    sign = "≤" if target.direction == Target.Direction.AT_MOST else "≥"
    return f"{sign} {figure(target, target.goal_value)}"


@register.simple_tag
def change(target: Target, amount: Decimal | None) -> str:
    """A change with its sign: "+120 đoàn viên"; a rate's in percentage points, never
    "%", which would read as a change in percent."""
    if amount is None:
        return ""
    sign = "+" if amount > 0 else ""
    if meaning.is_percent(target):
        text = numbers.number(amount, places=meaning.places(target), language=_language())
        points = _("percentage points")  # outside the f-string, where makemessages finds it
        return f"{sign}{text} {points}"
    return f"{sign}{figure(target, amount)}"


@register.simple_tag
def matrix_cells(line) -> str:
    """A row's cells of the achievement matrix, written at once: a national viewer's
    matrix has 1,260 of them, too many for a loop of the template language."""
    return format_html_join(
        "",
        '<td class="cell assess-{}" title="{}">{}</td>',
        ((cell.category, cell.title, cell.symbol) for cell in line.cells),
    )
