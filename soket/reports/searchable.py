"""What a report's texts give the lessons search: the folded copy stored beside each
section text, review item assessment and figure's causes (issue 13, point 3).

A report drafted from the reports below holds their passages under source lines (and
causes attributed to the units that gave them). Those words are searched where they were
written, in the report below; the copy of a drafted report keeps only its own words, so
a search at the province finds a grassroots union's sentence once, under that union, and
not again under its district and the province.

Every write of a text writes its copy in the same statement (services, consolidation);
the reports' tests check each path keeps them in step.
"""

from __future__ import annotations

import re

from soket.core.text import folded
from soket.reports import provenance

# The line a drafted list of causes ends with when more were given below
# (consolidation._more): a count, not anyone's words.
_MORE = re.compile(r"^\(Và \d+ nguyên nhân khác trong báo cáo của các đơn vị\.\)$")


def own_words(text: str) -> str:
    """The text as its report prints it, without the passages drafted from below (those
    under a source line)."""
    own = [passage.text for passage in provenance.passages(text or "") if not passage.source]
    return provenance.printed("\n".join(own)).strip()


def own_causes(causes: str) -> str:
    """The causes as printed, without the lines drafted from the units below (those
    attributed to them)."""
    lines = (causes or "").splitlines()
    own = [
        line
        for line in lines
        if not provenance.ATTRIBUTION.search(line) and not _MORE.match(line.strip())
    ]
    return provenance.printed("\n".join(own)).strip()


def text_copy(text: str) -> str:
    """The stored copy of a section text or a review item's assessment."""
    return folded(own_words(text))


def causes_copy(causes: str) -> str:
    """The stored copy of a figure's causes."""
    return folded(own_causes(causes))
