"""What a target's figures mean: the one place that says what kind of number a target
takes, which range it lies in, how it adds up, which way is better and how it is printed.

The kind of number is what is *entered*: a target's value, or for a ratio
(aggregation RATIO or SHARE_MEETING) its numerator and denominator, whose quotient in
percent is the figure. `Target.number_kind` sets it; left blank it is worked out:

- a ratio's parts are counts (units, members, officials), and a share of units that
  meet the goal always counts units;
- a value whose unit of measure is "%" is a percentage, from 0 to 100;
- a value counted in people, members, units, houses, cases… (COUNT_UNITS) is a count;
- anything else is an amount.

A count is whole and not negative; an amount is not negative and may have decimals; a
percentage lies from 0 to 100. A ratio's numerator may not exceed its denominator (more
strong unions than unions assessed) unless the target says it may
(`Target.numerator_may_exceed_denominator`, e.g. money collected against the plan), and
its denominator is never zero.

Resolutions is below reports: this module imports nothing from reports or above.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from soket.core import numbers
from soket.resolutions.models import Target

Kind = Target.NumberKind
COUNT = Kind.COUNT
AMOUNT = Kind.AMOUNT
PERCENTAGE = Kind.PERCENTAGE

RATIOS = frozenset({Target.Aggregation.RATIO, Target.Aggregation.SHARE_MEETING})

# Units of measure that count whole things, in the words Vietnamese targets use (and a
# few English ones). Compared lower-cased and trimmed.
COUNT_UNITS = frozenset(
    {
        "người",
        "đoàn viên",
        "hội viên",
        "thành viên",
        "cán bộ",
        "học viên",
        "lao động",
        "công nhân",
        "đơn vị",
        "cơ sở",
        "công đoàn",
        "cđcs",
        "công đoàn cơ sở",
        "doanh nghiệp",
        "cơ quan",
        "tổ chức",
        "trường hợp",
        "vụ",
        "cuộc",
        "lượt",
        "lượt người",
        "nhà",
        "căn",
        "hộ",
        "lớp",
        "buổi",
        "hội nghị",
        "công trình",
        "suất",
        "chương trình",
        "đề tài",
        "mô hình",
        "people",
        "persons",
        "members",
        "units",
        "cases",
        "houses",
    }
)
HUNDRED = Decimal(100)


def is_ratio(target: Target) -> bool:
    """Whether the target's figure is a numerator over a denominator (both are entered)."""
    return target.aggregation in RATIOS


def is_qualitative(target: Target) -> bool:
    return target.direction == Target.Direction.QUALITATIVE


def number_kind(target: Target) -> str | None:
    """COUNT, AMOUNT or PERCENTAGE for what is entered (for a ratio: its numerator and
    denominator); None for a qualitative target, which takes no number."""
    if is_qualitative(target):
        return None
    if target.aggregation == Target.Aggregation.SHARE_MEETING:
        return COUNT
    kind = target.number_kind
    if is_ratio(target):
        return AMOUNT if kind == AMOUNT else COUNT
    if kind:
        return kind
    unit = " ".join(target.unit_of_measure.lower().split())
    if unit == "%":
        return PERCENTAGE
    if unit in COUNT_UNITS:
        return COUNT
    return AMOUNT


def is_count(target: Target) -> bool:
    """Whether what is entered must be whole (and not negative)."""
    return number_kind(target) == COUNT


def bounds(target: Target) -> tuple[Decimal | None, Decimal | None]:
    """(least, most) any entered number may be, None for no bound: a count or an amount
    from 0 up, a percentage from 0 to 100; a ratio's numerator and denominator each
    from 0 up (and see `allows_numerator_above_denominator`)."""
    kind = number_kind(target)
    if kind is None:
        return None, None
    if kind == PERCENTAGE:
        return Decimal(0), HUNDRED
    return Decimal(0), None


def allows_numerator_above_denominator(target: Target) -> bool:
    return is_ratio(target) and target.numerator_may_exceed_denominator


def is_rate(target: Target) -> bool:
    """A rate or a share — a level, not an accumulation: a ratio, a share of units that
    meet the goal, or a percentage. With no baseline it is judged against the goal
    itself in an interim review, never on a line climbing from zero."""
    return is_ratio(target) or number_kind(target) == PERCENTAGE


def is_better(target: Target, value: Decimal, than: Decimal) -> bool:
    """Whether `value` is better than `than` in the target's direction."""
    if target.direction == Target.Direction.AT_MOST:
        return value < than
    return value > than


def places(target: Target) -> int:
    """Decimals a figure of the target is printed with: none for a count, else two
    (a ratio's figure is a percentage, printed with two)."""
    return 0 if number_kind(target) == COUNT and not is_ratio(target) else numbers.PLACES


def is_percent(target: Target) -> bool:
    """Whether the target's figure is printed as a percentage."""
    return is_ratio(target) or number_kind(target) == PERCENTAGE


def printed(target: Target, value, *, language: str = "vi") -> str:
    """A figure of the target as printed: "1.234 đoàn viên", "63,27%", "" for none."""
    text = numbers.number(value, places=places(target), language=language)
    if not text:
        return ""
    measure = target.unit_of_measure.strip()
    if is_percent(target) and measure in ("", "%"):
        return f"{text}%"
    return f"{text} {measure}" if measure else text


def goal_printed(target: Target) -> str:
    """The goal as an official document words it, by direction and kind: "≥ 10.000 đoàn
    viên", "Không để xảy ra" for at most none, "100%" for a share that cannot pass it
    (never "≤ 0 vụ" or "≥ 100%"); "" where there is no goal to print."""
    goal = target.goal_value
    if goal is None or is_qualitative(target):
        return ""
    if target.direction == Target.Direction.AT_MOST:
        return "Không để xảy ra" if goal <= 0 else f"≤ {printed(target, goal)}"
    if target.direction == Target.Direction.AT_LEAST:
        # A share that cannot pass 100%: a percentage, or a ratio whose part cannot
        # pass its whole.
        capped = is_ratio(target) and not allows_numerator_above_denominator(target)
        most = HUNDRED if capped else bounds(target)[1]
        if most is not None and goal >= most:
            return printed(target, goal)
        return f"≥ {printed(target, goal)}"
    return printed(target, goal)


@dataclass(frozen=True)
class Meaning:
    """All of the above for one target, for those who would rather hold one object."""

    kind: str | None
    is_ratio: bool
    is_rate: bool
    is_count: bool
    least: Decimal | None
    most: Decimal | None
    numerator_may_exceed_denominator: bool
    direction: str
    aggregation: str
    places: int


def meaning(target: Target) -> Meaning:
    least, most = bounds(target)
    return Meaning(
        kind=number_kind(target),
        is_ratio=is_ratio(target),
        is_rate=is_rate(target),
        is_count=is_count(target),
        least=least,
        most=most,
        numerator_may_exceed_denominator=allows_numerator_above_denominator(target),
        direction=target.direction,
        aggregation=target.aggregation,
        places=places(target),
    )
