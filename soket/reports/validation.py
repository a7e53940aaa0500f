"""One check of the figures a report receives, whatever door they come in by.

The web form (reports/forms.py), the Excel form (documents/report_form.py) and
`report_save` itself (so the imports and, later, the API too) run these checks, and a
person sees the same words whichever door they used. Each message names the target by
its code and the start of its wording, “CT01 (Phát triển đoàn viên…)”, never by an id.

Errors block the save:
- what is typed is read by `soket.core.tabular.decimal` (Vietnamese spelling, a
  question for what could be read two ways) and kept to the four decimals stored;
- each number as the target's meaning says (resolutions/meaning.py): a count is whole
  and not negative, an amount is not negative, a percentage lies from 0 to 100;
- a ratio's numerator and denominator come together, the denominator is not zero, and
  the numerator is not above it unless the target says it may be;
- the rules across targets a campaign administrator adds (models.ValidationRule).

Warnings do not block a save; they are shown, and confirmed when submitting
(`warnings_for`): a figure far from the unit's previous submission or from its peers,
or a unit's figure above the whole goal of a target that adds up.
"""

from __future__ import annotations

import math
import operator
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from soket.core import numbers, tabular
from soket.reports.models import Report, ValidationRule
from soket.resolutions import meaning
from soket.resolutions.models import Target

if TYPE_CHECKING:
    from soket.reports.services import FigureInput

NUMBERS = ("value", "numerator", "denominator")
STORED_PLACES = 4  # Figure's decimal places
WORDING = 40  # characters of a target's wording that name it in a message
FAR = Decimal(3)  # from the unit's previous submission: more than ×3 or under ÷3
FAR_FROM_PEERS = Decimal(5)  # from the median of the units beside it
PEERS = 3  # units beside it needed before their median says anything

COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ValidationRule.Operator.AT_MOST: operator.le,
    ValidationRule.Operator.BELOW: operator.lt,
    ValidationRule.Operator.EQUAL: operator.eq,
    ValidationRule.Operator.AT_LEAST: operator.ge,
    ValidationRule.Operator.ABOVE: operator.gt,
}


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: the target and which of its numbers (None: the whole
    figure, or a rule across targets). `str()` is the message shown."""

    message: str
    target_id: int | None = None
    number: str | None = None

    def __str__(self) -> str:
        return self.message


def target_name(target: Target) -> str:
    """“CT01 (Phát triển đoàn viên công đoàn mới…)”."""
    wording = " ".join(target.wording.split())
    if len(wording) > WORDING:
        wording = wording[:WORDING].rstrip(" ,.;:") + "…"
    return f"{target.code} ({wording})" if wording else target.code


def number_label(name: str) -> str:
    return {"value": _("result"), "numerator": _("numerator"), "denominator": _("denominator")}[
        name
    ]


def _problem(target: Target, text: str, number: str | None = None) -> Problem:
    if number is None:
        message = _("%(target)s: %(problem)s") % {"target": target_name(target), "problem": text}
    else:
        message = _("%(target)s, %(number)s: %(problem)s") % {
            "target": target_name(target),
            "number": number_label(number),
            "problem": text,
        }
    return Problem(message, target.pk, number)


def _shown(value: Decimal) -> str:
    return numbers.plain(value, language=get_language() or "vi")


# Reading what is typed.


def read_number(target: Target, name: str, raw: Any) -> tuple[Decimal | None, Problem | None]:
    """The number typed (or held by an Excel cell) for one of a target's numbers.

    Text is read by tabular.decimal. A number from a numeric Excel cell is a binary float:
    its noise is dropped at 15 significant digits, what a float holds exactly (so
    0.1 + 0.2 is 0.3), and it is then checked like a typed one: 12,34567 is refused on
    either side, never rounded on one."""
    if isinstance(raw, float) and math.isfinite(raw):
        raw = Decimal(format(raw, ".15g"))
    try:
        number = tabular.decimal(raw)
    except tabular.CellError as error:
        return None, _problem(target, str(error), name)
    if number is None:
        return None, None
    if number.as_tuple().exponent < -STORED_PLACES:  # type: ignore[operator]
        return None, _problem(
            target,
            _("%(value)s has more than %(places)d decimals; a figure keeps %(places)d.")
            % {"value": _shown(number), "places": STORED_PLACES},
            name,
        )
    return number, None


def read_numbers(
    target: Target, raw: Mapping[str, Any]
) -> tuple[dict[str, Decimal | None], list[Problem]]:
    """The numbers of one target from what was typed for each (`raw` by number name)."""
    found: dict[str, Decimal | None] = {}
    problems = []
    for name in NUMBERS:
        if name in raw:
            found[name], problem = read_number(target, name, raw[name])
            if problem:
                problems.append(problem)
    return found, problems


# Checking a target's figure.


def _number_problem(target: Target, name: str, value: Decimal) -> str | None:
    """What is wrong with one number as the target's meaning says, or None."""
    value = Decimal(value)  # a script may hand services a whole int
    if meaning.is_ratio(target) and name == "value":
        # A share of units given as a unit's own value: a percentage.
        most = None if meaning.allows_numerator_above_denominator(target) else Decimal(100)
        if value < 0 or (most is not None and value > most):
            return _("a percentage lies between 0 and 100, not %s") % _shown(value)
        return None
    kind = meaning.number_kind(target)
    if kind is None:
        return None
    if kind == meaning.COUNT:
        if value < 0:
            return _("%s is below zero; a count cannot be negative") % _shown(value)
        if value != value.to_integral_value():
            return _("%s has decimals; a count is a whole number") % _shown(value)
    if kind == meaning.PERCENTAGE and not 0 <= value <= 100:
        return _("a percentage lies between 0 and 100, not %s") % _shown(value)
    least, most = meaning.bounds(target)
    if least is not None and value < least:
        if least == 0:
            return _("%s is below zero; this number cannot be negative") % _shown(value)
        return _("%(value)s is below %(least)s, the least it may be") % {
            "value": _shown(value),
            "least": _shown(least),
        }
    if most is not None and value > most:
        return _("%(value)s is above %(most)s, the most it may be") % {
            "value": _shown(value),
            "most": _shown(most),
        }
    return None


def target_problems(target: Target, given: FigureInput) -> list[Problem]:
    """What is wrong with one target's figure as given (before it is derived)."""
    if meaning.is_qualitative(target):
        return []
    problems = []
    for name in NUMBERS:
        value = getattr(given, name)
        if value is not None:
            text = _number_problem(target, name, value)
            if text:
                problems.append(_problem(target, text, name))
    if problems or not meaning.is_ratio(target):
        return problems
    numerator, denominator = given.numerator, given.denominator
    if (numerator is None) != (denominator is None):
        missing = "denominator" if denominator is None else "numerator"
        text = _("a rate needs both the numerator and the denominator: give this one too, "
                 "or leave both empty")  # fmt: skip
        return [_problem(target, text, missing)]
    if denominator is not None and denominator == 0:
        text = _("the denominator is 0, so the rate cannot be computed; if there is "
                 "nothing to count, leave both empty")  # fmt: skip
        return [_problem(target, text, "denominator")]
    if (
        numerator is not None
        and denominator is not None
        and numerator > denominator
        and not meaning.allows_numerator_above_denominator(target)
    ):
        text = _("the numerator %(numerator)s is larger than the denominator "
                 "%(denominator)s: the part cannot be more than the whole") % {
            "numerator": _shown(numerator), "denominator": _shown(denominator)
        }  # fmt: skip
        return [_problem(target, text, "numerator")]
    return []


# Rules across targets.


def _stored_numbers(report: Report) -> dict[int, dict[str, Decimal | None]]:
    return {
        figure.target_id: {name: getattr(figure, name) for name in NUMBERS}
        for figure in report.figures.all()
    }


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    """Whether two numbers are one stored figure (kept to four decimals)."""
    if a is None or b is None:
        return a is b
    places = Decimal(1).scaleb(-STORED_PLACES)
    return a.quantize(places) == b.quantize(places)


def rule_problems(
    *,
    report: Report,
    figures: Mapping[int, FigureInput],
    targets: Mapping[int, Target],
) -> list[Problem]:
    """The campaign's rules across targets broken by the report's figures once
    `figures` are saved over what is stored (numbers derived as they will be stored).

    A rule is checked when the save changes a number of one of its targets: figures
    stored before the rule was added do not block a save that leaves them alone (the
    web form sends every figure, the Excel form only those changed: both are checked
    alike)."""
    from soket.reports.services import figure_fields  # services calls this module

    rules = list(
        ValidationRule.objects.filter(campaign_id=report.campaign_id).select_related(
            "left_target", "right_target"
        )
    )
    if not rules:
        return []
    numbers_of = _stored_numbers(report)
    changed = set()
    for target_id, given in figures.items():
        target = targets.get(target_id)
        if target is not None:
            saved = figure_fields(target, given)
            before = numbers_of.get(target_id, {})
            if any(not _same(saved[name], before.get(name)) for name in NUMBERS):
                changed.add(target_id)
            numbers_of[target_id] = saved
    problems = []
    for rule in rules:
        if not {rule.left_target_id, rule.right_target_id} & changed:
            continue
        left = numbers_of.get(rule.left_target_id, {}).get(rule.left_side)
        right = numbers_of.get(rule.right_target_id, {}).get(rule.right_side)
        if left is None or right is None or COMPARE[rule.operator](left, right):
            continue
        message = _(
            "%(left)s, %(left_number)s (%(left_value)s) must be %(operator)s "
            "%(right)s, %(right_number)s (%(right_value)s)."
        ) % {
            "left": target_name(rule.left_target),
            "left_number": number_label(rule.left_side),
            "left_value": _shown(left),
            "operator": rule.get_operator_display(),
            "right": target_name(rule.right_target),
            "right_number": number_label(rule.right_side),
            "right_value": _shown(right),
        }
        if rule.message.strip():
            message = f"{message} {rule.message.strip()}"
        problems.append(Problem(message, rule.left_target_id, rule.left_side))
    return problems


# The whole check.


def figure_problems(
    *,
    report: Report,
    figures: Mapping[int, FigureInput],
    targets: Mapping[int, Target] | None = None,
) -> list[Problem]:
    """Every error in `figures` (by target id) for `report`: each target's own, then the
    campaign's rules across targets. `targets` by id, when the caller has them."""
    if targets is None:
        targets = Target.objects.in_bulk(list(figures))
    problems = []
    for target_id, given in figures.items():
        target = targets.get(target_id)
        if target is not None:
            problems += target_problems(target, given)
    if problems:
        return problems
    return rule_problems(report=report, figures=figures, targets=targets)


def figure_errors(
    *,
    report: Report,
    figures: Mapping[int, FigureInput],
    targets: Mapping[int, Target] | None = None,
) -> list[str]:
    """The messages of `figure_problems`, as `report_save` lists its problems."""
    return [
        str(problem) for problem in figure_problems(report=report, figures=figures, targets=targets)
    ]


# Warnings, confirmed when submitting.


def _previous_values(report: Report) -> dict[str, Decimal]:
    """The values of the report's last submitted version, by target code."""
    version = report.versions.order_by("-number").first()
    if version is None:
        return {}
    found = {}
    for code, numbers_given in (version.content.get("figures") or {}).items():
        value = numbers_given.get("value") if isinstance(numbers_given, dict) else None
        if value not in (None, ""):
            try:
                found[code] = Decimal(str(value))
            except ArithmeticError:
                continue
    return found


def _peer_values(report: Report, target_ids: Iterable[int]) -> dict[int, list[Decimal]]:
    """The values given by the units beside the report's unit (same parent, same kind),
    by target id; none for a department's report."""
    from soket.reports.models import Figure

    if report.department_id is not None or report.unit.parent_id is None:
        return {}
    figures = Figure.objects.filter(
        report__campaign_id=report.campaign_id,
        report__department__isnull=True,
        report__unit__parent_id=report.unit.parent_id,
        report__unit__kind_id=report.unit.kind_id,
        target_id__in=list(target_ids),
        value__isnull=False,
    ).exclude(report=report)
    found: dict[int, list[Decimal]] = {}
    for target_id, value in figures.values_list("target_id", "value"):
        if value is not None:
            found.setdefault(target_id, []).append(value)
    return found


def _far(value: Decimal, benchmark: Decimal, factor: Decimal) -> bool:
    if benchmark <= 0 or value < 0:
        return False
    return value > benchmark * factor or value * factor < benchmark


def warnings_for(report: Report) -> list[str]:
    """What looks wrong in the report's stored figures without being impossible, each
    naming its target: far from the unit's previous submission (×3 or ÷3), far from
    the median of the units beside it (×5 or ÷5, with at least three of them), or
    above the whole goal of a target that adds up, at a unit below the one that set it."""
    figures = [
        (figure.target, figure.value)
        for figure in report.figures.select_related("target__resolution__issuer")
        if figure.value is not None and not meaning.is_qualitative(figure.target)
    ]
    previous = _previous_values(report)
    peers = _peer_values(report, [target.pk for target, _value in figures])
    found = []
    for target, value in figures:
        if value is None:
            continue
        before = previous.get(target.code)
        if before is not None and _far(value, before, FAR):
            found.append(
                _problem(
                    target,
                    _("%(value)s is far from %(before)s, the figure last submitted: check it")
                    % {"value": _shown(value), "before": _shown(before)},
                )
            )
        beside = peers.get(target.pk, [])
        if len(beside) >= PEERS:
            median = Decimal(statistics.median(beside))
            if _far(value, median, FAR_FROM_PEERS):
                found.append(
                    _problem(
                        target,
                        _(
                            "%(value)s is far from %(median)s, the middle figure of the "
                            "%(count)d units beside this one: check it"
                        )
                        % {"value": _shown(value), "median": _shown(median), "count": len(beside)},
                    )
                )
        if (
            target.aggregation == Target.Aggregation.SUM
            and target.direction == Target.Direction.AT_LEAST
            and target.goal_value
            and report.unit_id != target.resolution.issuer_id
            and value > target.goal_value
        ):
            found.append(
                _problem(
                    target,
                    _(
                        "%(value)s is more than %(goal)s, the goal for the whole of "
                        "%(issuer)s: check that it is this unit's own figure"
                    )
                    % {
                        "value": _shown(value),
                        "goal": _shown(target.goal_value),
                        "issuer": target.resolution.issuer.name,
                    },
                )
            )
    return [str(problem) for problem in found]
