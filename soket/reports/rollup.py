"""Rolling figures up the tree.

A parent's figure for a target comes from its children's own reports. Running totals per
parent, target and state (RollupTotal) are kept in the same transaction as every state
change — a report's figures can only change while it is a draft or returned, which is
not counted — so every parent of every level reads its rollup live, without adding up
millions of figures again. `rebuild` recomputes the totals from the figures with one
GROUP BY, which is also what the tests hold the totals against.

Each level's figures can be edited by its drafter, so the level above rolls up what the
level below decided. Where nobody edits, the top equals the rollup straight over the
leaves, since sums of sums are sums (ratios and shares carry their numerators and
denominators up, never their percentages).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from soket.campaigns.models import Campaign
from soket.orgs.models import Unit
from soket.reports.assessment import ratio_percent
from soket.reports.models import Figure, Report, RollupTotal
from soket.resolutions.models import Target

ACCEPTED = (Report.State.ACCEPTED,)
ACCEPTED_OR_SUBMITTED = (Report.State.ACCEPTED, Report.State.SUBMITTED)
COUNTED = frozenset(ACCEPTED_OR_SUBMITTED)


@dataclass(frozen=True)
class Rolled:
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    reports: int
    not_yet_accepted: int  # how many of them are only submitted

    def for_target(self, target: Target) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        """The parent's value, numerator and denominator under the target's rule."""
        if target.aggregation == Target.Aggregation.SUM:
            return self.value, None, None
        if target.aggregation in (Target.Aggregation.RATIO, Target.Aggregation.SHARE_MEETING):
            return ratio_percent(self.numerator, self.denominator), self.numerator, self.denominator
        return None, None, None


# Keeping the totals.


def _counts(report: Report) -> bool:
    return report.department_id is None and report.unit.parent_id is not None


def _add(report: Report, state: str, sign: int, parent_id: int) -> None:
    """Add (sign 1) or take away (sign -1) a report's figures under a parent: one insert
    of the missing totals, one UPDATE of them all."""
    target_ids = list(report.figures.order_by("target_id").values_list("target_id", flat=True))
    if not target_ids:
        return
    key = {"campaign_id": report.campaign_id, "parent_id": parent_id, "state": state}
    RollupTotal.objects.bulk_create(
        [RollupTotal(target_id=target_id, **key) for target_id in target_ids],
        ignore_conflicts=True,
    )
    # Taken in target order, as the inserts above: concurrent writers meet on the rows in
    # one order and never deadlock, whatever order the UPDATE below visits them in.
    totals = RollupTotal.objects.filter(target_id__in=target_ids, **key)
    list(totals.select_for_update().order_by("target_id").values_list("pk", flat=True))
    figure = Figure.objects.filter(report=report, target=OuterRef("target_id"))

    def moved(field: str) -> dict:
        amount = Coalesce(Subquery(figure.values(field)[:1]), Value(Decimal(0)))
        given = Case(When(Exists(figure.filter(**{f"{field}__isnull": False})), then=1), default=0)
        step = (F(field) + amount, F(f"{field}s") + given)
        if sign < 0:
            step = (F(field) - amount, F(f"{field}s") - given)
        return {field: step[0], f"{field}s": step[1]}

    totals.update(
        **moved("value"),
        **moved("numerator"),
        **moved("denominator"),
        reports=F("reports") + sign,
    )


def report_moved(report: Report, *, from_state: str, to_state: str) -> None:
    """Keep the totals right as a report leaves one state for another."""
    reports_moved([(report.pk, from_state, to_state)])


def reports_moved(moves: Iterable[tuple[int, str, str]]) -> None:
    """Keep the totals right after these (report id, from state, to state).

    The rows are changed in the order of (parent, state, target), whatever the reports,
    so concurrent writers meet on them in one order and never deadlock (running.py)."""
    moves = list(moves)
    reports = Report.objects.select_related("unit").in_bulk([move[0] for move in moves])
    steps = []
    for report_id, from_state, to_state in moves:
        report = reports[report_id]
        parent_id = report.unit.parent_id
        if parent_id is None or not _counts(report):
            continue
        if from_state in COUNTED:
            steps.append((parent_id, from_state, report_id, -1))
        if to_state in COUNTED:
            steps.append((parent_id, to_state, report_id, 1))
    for parent_id, state, report_id, sign in sorted(steps):
        _add(reports[report_id], state, sign, parent_id)


@transaction.atomic
def unit_rehung(unit: Unit, *, old_parent_id: int | None) -> None:
    """After a unit moves, its counted reports count under its new parent."""
    reports = Report.objects.filter(unit=unit, department__isnull=True, state__in=COUNTED)
    for report in reports:
        if old_parent_id is not None:
            _add(report, report.state, -1, old_parent_id)
        if unit.parent_id is not None:
            _add(report, report.state, 1, unit.parent_id)


def _aggregate(figures: QuerySet[Figure], *group_by: str) -> QuerySet:
    return figures.values(*group_by, "target_id").annotate(
        total_value=Sum("value"),
        total_numerator=Sum("numerator"),
        total_denominator=Sum("denominator"),
        reports=Count("pk"),
        values=Count("value"),
        numerators=Count("numerator"),
        denominators=Count("denominator"),
    )


@transaction.atomic
def rebuild(*, campaign: Campaign) -> int:
    """Bring a campaign's totals to what its figures give (after a bulk load, or to
    repair them), writing only the rows that differ; returns how many it wrote.

    While reports may move, go through running.rebuild, which holds the campaign's lock."""
    stored = {_key(total): total for total in RollupTotal.objects.filter(campaign=campaign)}
    wanted = {_key(total): total for total in recomputed(campaign)}
    stale = [total.pk for key, total in stored.items() if key not in wanted]
    changed = []
    for key, total in wanted.items():
        old = stored.get(key)
        if old is not None and _numbers(old) != _numbers(total):
            for field in NUMBERS:
                setattr(old, field, getattr(total, field))
            changed.append(old)
    new = [total for key, total in wanted.items() if key not in stored]
    for start in range(0, len(stale), 500):
        RollupTotal.objects.filter(pk__in=stale[start : start + 500]).delete()
    RollupTotal.objects.bulk_update(changed, NUMBERS, batch_size=500)
    RollupTotal.objects.bulk_create(new, batch_size=5000)
    return len(stale) + len(changed) + len(new)


NUMBERS = ("value", "numerator", "denominator", "values", "numerators", "denominators", "reports")


def _key(total: RollupTotal) -> tuple:
    return total.parent_id, total.target_id, total.state


def _numbers(total: RollupTotal) -> tuple:
    return tuple(getattr(total, field) for field in NUMBERS)


def drift(campaign: Campaign) -> list[str]:
    """Where the stored totals differ from a recomputation, in words; empty if they agree."""

    def keyed(totals) -> dict[tuple, tuple]:
        rows = {_key(total): _numbers(total) for total in totals}
        return {key: row for key, row in rows.items() if any(row)}

    stored = keyed(RollupTotal.objects.filter(campaign=campaign))
    again = keyed(recomputed(campaign))
    wrong = [key for key in sorted(set(stored) | set(again)) if stored.get(key) != again.get(key)]
    units = dict(Unit.objects.filter(pk__in={key[0] for key in wrong}).values_list("pk", "code"))
    targets = dict(
        Target.objects.filter(pk__in={key[1] for key in wrong}).values_list("pk", "code")
    )
    zero = (0,) * len(NUMBERS)

    def described(row: tuple) -> str:
        return ", ".join(f"{field} {number}" for field, number in zip(NUMBERS, row, strict=True))

    return [
        f"rollup under unit {units.get(parent, parent)}, target {targets.get(target, target)}, "
        f"{state}: stored {described(stored.get((parent, target, state), zero))}; "
        f"recomputed {described(again.get((parent, target, state), zero))}"
        for parent, target, state in wrong
    ]


# The precision the totals are kept at: a sum read from SQLite carries every digit of
# its floating-point arithmetic, a stored total is read back rounded to this.
PLACES = Decimal(1).scaleb(-RollupTotal._meta.get_field("value").decimal_places)


def _kept(total: Decimal | None) -> Decimal:
    return Decimal(total or 0).quantize(PLACES)


def recomputed(campaign: Campaign) -> list[RollupTotal]:
    """A campaign's totals computed from its figures, one GROUP BY per counted state,
    at the precision they are stored at."""
    totals = []
    for state in COUNTED:
        figures = Figure.objects.filter(
            report__campaign=campaign,
            report__department__isnull=True,
            report__state=state,
            report__unit__parent__isnull=False,
        )
        totals += [
            RollupTotal(
                campaign=campaign,
                parent_id=row["report__unit__parent_id"],
                target_id=row["target_id"],
                state=state,
                value=_kept(row["total_value"]),
                numerator=_kept(row["total_numerator"]),
                denominator=_kept(row["total_denominator"]),
                values=row["values"],
                numerators=row["numerators"],
                denominators=row["denominators"],
                reports=row["reports"],
            )
            for row in _aggregate(figures, "report__unit__parent_id")
        ]
    return totals


# Reading them.


def children_rollup(
    *,
    campaign: Campaign,
    parents: Iterable[int] | None = None,
    states: Iterable[str] = ACCEPTED,
) -> dict[tuple[int, int], Rolled]:
    """{(parent unit id, target id): rolled figure} from the children's unit reports."""
    totals = RollupTotal.objects.filter(campaign=campaign, state__in=list(states))
    if parents is not None:
        totals = totals.filter(parent_id__in=list(parents))
    return {
        (row["parent_id"], row["target_id"]): rolled(row) for row in totals_by(totals, "parent_id")
    }


def totals_by(totals: QuerySet[RollupTotal], *group_by: str) -> QuerySet:
    """The running totals added up over their states, one row per target and `group_by`
    (a parent, a campaign…), for `rolled` to read."""
    return (
        totals.filter(reports__gt=0)
        .values(*group_by, "target_id")
        .annotate(
            total_value=Sum("value"),
            total_numerator=Sum("numerator"),
            total_denominator=Sum("denominator"),
            any_values=Sum("values"),
            any_numerators=Sum("numerators"),
            any_denominators=Sum("denominators"),
            total_reports=Sum("reports"),
            not_yet_accepted=Sum("reports", filter=Q(state=Report.State.SUBMITTED), default=0),
        )
    )


def rolled(row: dict) -> Rolled:
    """A row of `totals_by` as a rolled figure: a part no report gave is None, not 0."""
    return Rolled(
        row["total_value"] if row["any_values"] else None,
        row["total_numerator"] if row["any_numerators"] else None,
        row["total_denominator"] if row["any_denominators"] else None,
        row["total_reports"],
        row["not_yet_accepted"],
    )


def leaves_rollup(
    *, campaign: Campaign, unit: Unit, states: Iterable[str] = ACCEPTED
) -> dict[int, Rolled]:
    """{target id: rolled figure} straight over the reports of the leaves of a subtree."""
    has_children = Unit.objects.filter(parent=OuterRef("report__unit"))
    figures = Figure.objects.filter(
        report__campaign=campaign,
        report__department__isnull=True,
        report__state__in=list(states),
        report__unit__in=Unit.objects.subtree_of(unit),
    ).filter(~Exists(has_children))
    return {
        row["target_id"]: Rolled(
            row["total_value"],
            row["total_numerator"],
            row["total_denominator"],
            row["reports"],
            0,
        )
        for row in _aggregate(figures)
    }
