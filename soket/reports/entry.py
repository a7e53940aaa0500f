"""How a report's figures are entered, the same on the web and in the Excel form.

A share of units meeting the goal is two things. A unit with no units below enters its
own value, and services.figure_fields counts it as 1 unit of 1 (or 0 of 1) meeting the
goal. A unit with units below counts them: its figure is a numerator and a denominator
(15 of the 16 units below met the goal), as drafted from below. Asking such a unit for
a value only would let figure_fields count the whole unit as 0 or 1 of 1, and 15/16
would become 0/1 on an unchanged save.
"""

from __future__ import annotations

from soket.reports.models import Report
from soket.resolutions.models import Target


def has_units_below(report: Report) -> bool:
    """Whether the report's figures roll up from units below it (rollup.py adds up the
    children's own reports; a department's report has none below)."""
    return report.department_id is None and report.unit.children.exists()


def entered_as_counts(target: Target, *, units_below: bool) -> bool:
    """Whether a figure of `target` is entered as a numerator and a denominator: a ratio
    always, a measurable share of units where there are units below to count."""
    if target.aggregation == Target.Aggregation.RATIO:
        return True
    return (
        target.aggregation == Target.Aggregation.SHARE_MEETING
        and target.direction != Target.Direction.QUALITATIVE
        and units_below
    )
