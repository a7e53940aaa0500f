"""How a figure measures up to its target.

In a final review a figure is judged against the goal itself. In an interim review
it is judged against what the target should have reached by the end of the reviewed
period: a straight line from the baseline at the start of the term to the goal at its
end, through any milestones the target sets. Qualitative targets are judged by hand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from soket.reports.models import Assessment
from soket.resolutions.models import Target

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Evaluation:
    value: Decimal | None
    expected: Decimal | None  # what the target asks by the end of the reviewed period
    percent_of_goal: Decimal | None  # "đạt 135% kế hoạch"
    computed: str | None  # an Assessment, or None where it cannot be computed
    assessment: str | None  # the override where there is one, else the computed one


def ratio_percent(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return numerator * HUNDRED / denominator


def term_bounds(target: Target) -> tuple[datetime.date, datetime.date]:
    resolution = target.resolution
    return (
        datetime.date(resolution.term_start_year, 1, 1),
        datetime.date(resolution.term_end_year, 1, 1),
    )


def expected_by(target: Target, day: datetime.date, milestones=None) -> Decimal | None:
    """The value the target should have reached by `day`, interpolated between its points."""
    if target.goal_value is None:
        return None
    start, end = term_bounds(target)
    if milestones is None:
        milestones = list(target.milestones.all())
    points = [(start, target.baseline_value or Decimal(0))]
    points += [(m.due_on, m.value) for m in milestones if start < m.due_on < end]
    points.append((end, target.goal_value))
    if day >= end:
        return target.goal_value
    if day <= start:
        return points[0][1]
    for (day_a, value_a), (day_b, value_b) in pairwise(points):
        if day_a <= day <= day_b:
            share = Decimal((day - day_a).days) / Decimal((day_b - day_a).days)
            return value_a + (value_b - value_a) * share
    return target.goal_value


def compare(target: Target, value: Decimal, benchmark: Decimal) -> str:
    better = (
        value > benchmark if target.direction == Target.Direction.AT_LEAST else value < benchmark
    )
    if better:
        return Assessment.EXCEEDED
    return Assessment.ACHIEVED if value == benchmark else Assessment.NOT_ACHIEVED


def evaluate(
    *,
    target: Target,
    value: Decimal | None,
    interim: bool,
    as_of: datetime.date,
    override: str = "",
    milestones=None,
) -> Evaluation:
    if target.direction == Target.Direction.QUALITATIVE or value is None:
        return Evaluation(value, None, None, None, override or None)
    expected = expected_by(target, as_of, milestones) if interim else target.goal_value
    percent = None
    if target.goal_value and target.direction == Target.Direction.AT_LEAST:
        percent = value * HUNDRED / target.goal_value
    computed = compare(target, value, expected)
    return Evaluation(value, expected, percent, computed, override or computed)
