"""How long a report's texts may be: one limit, whatever door the text comes in by
(the web form, the Excel form, a command, later the API), checked by `report_save`.

TEXT is what one Excel cell holds (32,767 characters), because the Excel form carries
each section in one cell and a longer text would be cut on its way out. It was 50,000:
a text stored then that a cell cannot hold is never cut; the Excel form refuses it by
name (documents/report_form.py) and the web form asks for it to be shortened.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from soket.core.tabular import CELL_CHARACTERS
from soket.core.text import grouped

if TYPE_CHECKING:
    from soket.reports.services import FigureInput

TEXT = CELL_CHARACTERS  # a section of the narrative, the assessment of a review item
SHORT_TEXT = 5_000  # the causes of a shortfall, the reason for a hand-set assessment


def too_long(text: str, limit: int, what: str) -> str | None:
    """The message for a text past its limit, naming what it is; None if it fits."""
    if len(text) <= limit:
        return None
    return _("%(what)s: the text is longer than %(limit)s characters (%(length)s).") % {
        "what": what,
        "limit": grouped(limit),
        "length": grouped(len(text)),
    }


def problems(
    *,
    sections: Mapping[int, str],
    items: Mapping[int, str],
    figures: Mapping[int, FigureInput],
    codes: Mapping[int, str],
) -> list[str]:
    """Every text of a save that is too long, each named (targets by their code)."""
    found = [too_long(text, TEXT, _("A section of the report")) for text in sections.values()]
    found += [too_long(text, TEXT, _("The assessment of a review item")) for text in items.values()]
    for target_id, given in figures.items():
        code = codes.get(target_id, "")
        found.append(too_long(given.causes, SHORT_TEXT, _("Target %s, the causes") % code))
        found.append(
            too_long(
                given.override_reason,
                SHORT_TEXT,
                _("Target %s, the reason for the assessment") % code,
            )
        )
    return [problem for problem in found if problem]
