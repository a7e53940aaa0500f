"""How a figure measures up to its target.

In a final review a figure is judged against the goal itself. In an interim review it
is judged against what the target should have reached by the end of the reviewed
period (its *benchmark*):

- an accumulation (a count or an amount summed over the term, such as new members)
  climbs in a straight line from its baseline (zero without one) at the start of the
  term to the goal at its end, through any milestones the target sets;
- a rate or a share (a ratio, a share of units meeting the goal, a percentage) with a
  baseline climbs the same way from it; with no baseline there is no line to climb —
  78,57% is not "ahead" of a 100% goal because a line from zero passes 60% at
  mid-term — so it is judged against its milestones where it has them (the first one
  until it is due) and against the goal itself otherwise.

Qualitative targets are judged by hand.

"Đạt X% kế hoạch" (`Evaluation.percent_of_goal`) is the figure as a percent of that
same benchmark: of the goal in a final review, of the plan for the reviewed period in
an interim one. The pace label ("vượt/đạt/chậm tiến độ") and the percent therefore come
from one comparison and cannot disagree: at least 100% is ahead or on schedule, below
100% behind. The percent is cut (never rounded up) to two decimals, so 99,996% is
printed 99,99% beside "behind schedule", never 100%. The percent of the term's goal is
kept beside it (`percent_of_term_goal`) for whoever needs it, but is not printed next to
the pace label.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from itertools import pairwise

from soket.reports.models import Assessment
from soket.resolutions import meaning
from soket.resolutions.models import Target

HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")
# The precision figures and goals are stored at: an interpolated benchmark is rounded
# to it, so 6000.0000…01 expected never makes 6000 "behind".
VALUE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Evaluation:
    value: Decimal | None
    expected: Decimal | None  # the benchmark: what the target asks by the reviewed date
    percent_of_goal: Decimal | None  # "đạt X% kế hoạch": the value as a percent of `expected`
    computed: str | None  # an Assessment, or None where it cannot be computed
    assessment: str | None  # the override where there is one, else the computed one
    percent_of_term_goal: Decimal | None = None  # the value as a percent of the term's goal


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
    """The value the target should have reached by `day` (see the module's docstring)."""
    if target.goal_value is None:
        return None
    start, end = term_bounds(target)
    if day >= end:
        return target.goal_value
    if milestones is None:
        milestones = list(target.milestones.all())
    inner = sorted((m.due_on, m.value) for m in milestones if start < m.due_on < end)
    if target.baseline_value is None and meaning.is_rate(target):
        if not inner:
            return target.goal_value
        # No start to climb from: the first milestone is asked from the start.
        points = [(start, inner[0][1]), *inner]
    else:
        points = [(start, target.baseline_value or Decimal(0)), *inner]
    points.append((end, target.goal_value))
    if day <= start:
        return points[0][1]
    for (day_a, value_a), (day_b, value_b) in pairwise(points):
        if day_a <= day <= day_b:
            share = Decimal((day - day_a).days) / Decimal((day_b - day_a).days)
            return (value_a + (value_b - value_a) * share).quantize(VALUE_PLACES)
    return target.goal_value


def compare(target: Target, value: Decimal, benchmark: Decimal) -> str:
    if meaning.is_better(target, value, benchmark):
        return Assessment.EXCEEDED
    return Assessment.ACHIEVED if value == benchmark else Assessment.NOT_ACHIEVED


def percent_of(target: Target, value: Decimal, benchmark: Decimal | None) -> Decimal | None:
    """The value as a percent of the benchmark, cut to two decimals; only where more is
    better and the benchmark is above zero (a percent of "at most 0 strikes" means
    nothing)."""
    if not benchmark or benchmark < 0 or target.direction != Target.Direction.AT_LEAST:
        return None
    return (value * HUNDRED / benchmark).quantize(PERCENT_PLACES, rounding=ROUND_DOWN)


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
    if expected is None:  # a measurable target with no goal cannot be judged
        return Evaluation(value, None, None, None, override or None)
    computed = compare(target, value, expected)
    return Evaluation(
        value,
        expected,
        percent_of(target, value, expected),
        computed,
        override or computed,
        percent_of(target, value, target.goal_value),
    )
