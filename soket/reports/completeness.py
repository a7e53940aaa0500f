"""Who has reported, level by level: expected, submitted, accepted, returned, late, missing.

A unit is expected at a level when it takes part in the campaign and is open on the
level's due date (or today, for a level without one): a unit closed before, or opened
after, is not counted, so no rate can pass 100%. Everything is counted in one grouped
query over the units, joined to their reports.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, FilteredRelation, Q
from django.db.models.functions import Substr

from soket.campaigns.models import Campaign, Deadline
from soket.campaigns.selectors import participating_units
from soket.orgs.models import PATH_STEP, Unit, UnitKind, open_on
from soket.reports.models import Report

State = Report.State


@dataclass(frozen=True)
class Counts:
    kind: UnitKind
    due_on: datetime.date | None
    expected: int
    submitted: int  # awaiting review
    accepted: int
    returned: int
    late: int  # first submitted after the due date
    missing: int  # never submitted
    overdue: int  # never submitted, and the due date has passed

    @property
    def reported(self) -> int:
        return self.submitted + self.accepted + self.returned

    @property
    def accepted_rate(self) -> int:
        return round(100 * self.accepted / self.expected) if self.expected else 0

    @property
    def reported_rate(self) -> int:
        return round(100 * self.reported / self.expected) if self.expected else 0


def due_dates(campaign: Campaign) -> dict[int, datetime.date]:
    """{unit kind id: the level's report deadline}."""
    rows = Deadline.objects.filter(
        milestone__campaign=campaign, is_report=True, unit_kind__isnull=False
    ).values_list("unit_kind_id", "due_on")
    dates: dict[int, datetime.date] = {}
    for kind_id, due_on in rows:
        dates[kind_id] = min(due_on, dates.get(kind_id, due_on))
    return dates


def _expected(campaign: Campaign, within: Unit, today: datetime.date):
    dates = due_dates(campaign)
    kinds = UnitKind.objects.all()
    open_on_due_day = Q(pk__in=[])
    for kind in kinds:
        day = dates.get(kind.pk, today)
        open_on_due_day |= Q(kind=kind) & open_on(day)
    units = (
        participating_units(campaign=campaign)
        .filter(pk__in=Unit.objects.subtree_of(within, include_self=False).values("pk"))
        .filter(open_on_due_day)
        .annotate(
            report=FilteredRelation(
                "reports",
                condition=Q(reports__campaign=campaign, reports__department__isnull=True),
            )
        )
    )
    late, overdue = Q(pk__in=[]), Q(pk__in=[])
    for kind_id, day in dates.items():
        late |= Q(kind_id=kind_id, report__first_submitted_at__date__gt=day)
        if today > day:
            overdue |= Q(kind_id=kind_id, report__first_submitted_at__isnull=True)
    return units, dates, late, overdue


def _counted(units, late: Q, overdue: Q, *group_by: str):
    # At most one unit report per unit and campaign, so the join never repeats a unit.
    return units.values(*group_by, "kind_id").annotate(
        expected=Count("pk"),
        submitted=Count("pk", filter=Q(report__state=State.SUBMITTED)),
        accepted=Count("pk", filter=Q(report__state=State.ACCEPTED)),
        returned=Count("pk", filter=Q(report__state=State.RETURNED)),
        late=Count("pk", filter=late),
        missing=Count("pk", filter=Q(report__first_submitted_at__isnull=True)),
        overdue=Count("pk", filter=overdue),
    )


def completeness(*, campaign: Campaign, within: Unit, today: datetime.date) -> list[Counts]:
    """One row per level below `within`, top level first."""
    units, dates, late, overdue = _expected(campaign, within, today)
    kinds = UnitKind.objects.in_bulk()
    rows = [_row(row, kinds, dates) for row in _counted(units, late, overdue)]
    return sorted(rows, key=lambda counts: counts.kind.rank)


def completeness_by_branch(
    *, campaign: Campaign, within: Unit, today: datetime.date
) -> dict[int, list[Counts]]:
    """{child of `within`: its subtree's rows}, for drilling down a level at a time."""
    units, dates, late, overdue = _expected(campaign, within, today)
    prefix = (within.depth + 2) * PATH_STEP
    branches = dict(Unit.objects.filter(parent=within).values_list("path", "pk"))
    kinds = UnitKind.objects.in_bulk()
    result: dict[int, list[Counts]] = {}
    counted = _counted(units.annotate(branch=Substr("path", 1, prefix)), late, overdue, "branch")
    for row in counted:
        branch = branches.get(row["branch"])
        if branch is not None:
            result.setdefault(branch, []).append(_row(row, kinds, dates))
    for rows in result.values():
        rows.sort(key=lambda counts: counts.kind.rank)
    return result


def _row(row: dict, kinds: dict[int, UnitKind], dates: dict[int, datetime.date]) -> Counts:
    return Counts(
        kind=kinds[row["kind_id"]],
        due_on=dates.get(row["kind_id"]),
        expected=row["expected"],
        submitted=row["submitted"],
        accepted=row["accepted"],
        returned=row["returned"],
        late=row["late"],
        missing=row["missing"],
        overdue=row["overdue"],
    )


def missing_units(*, campaign: Campaign, within: Unit, today: datetime.date):
    """Expected units below `within` that have not submitted."""
    units, _dates, _late, _overdue = _expected(campaign, within, today)
    return units.filter(report__first_submitted_at__isnull=True)


@dataclass(frozen=True)
class UnitStatus:
    """Where one unit directly below stands: for the annex of a consolidated report."""

    unit: Unit
    due_on: datetime.date | None
    state: str | None  # None: no report started
    first_submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None

    @property
    def is_late(self) -> bool:
        submitted = self.first_submitted_at
        return bool(submitted and self.due_on and submitted.date() > self.due_on)


def children_status(*, campaign: Campaign, within: Unit, today: datetime.date) -> list[UnitStatus]:
    """The expected units directly below `within`, each with its report's state, in one query."""
    units, dates, _late, _overdue = _expected(campaign, within, today)
    rows = (
        units.filter(parent=within)
        .select_related("kind")
        .annotate(
            report_state=F("report__state"),
            report_first_submitted_at=F("report__first_submitted_at"),
            report_accepted_at=F("report__accepted_at"),
        )
        .order_by("kind__rank", "path")
    )
    return [
        UnitStatus(
            unit=unit,
            due_on=dates.get(unit.kind_id),
            state=unit.report_state,
            first_submitted_at=unit.report_first_submitted_at,
            accepted_at=unit.report_accepted_at,
        )
        for unit in rows
    ]
