"""Who has reported, level by level: expected, submitted, accepted, returned, late, missing.

A unit is expected at a level when it takes part in the campaign and is open on the
level's due date (or, for a level without one, on the last day of the reviewed period):
a unit closed before, or opened after, is not counted, so no rate can pass 100%. The
rules are in counts.py, the one for late and overdue in lateness.py. The counts below a
unit are read from the running counts kept there, a few rows whatever the size of the
tree; the lists of units are read live.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import cast

from django.db.models import F

from soket.campaigns.models import Campaign
from soket.orgs.models import PATH_STEP, Unit, UnitKind, UnitQuerySet
from soket.reports import counts, lateness
from soket.reports.counts import FIELDS
from soket.reports.models import CompletenessCount, Report, Transition


@dataclass(frozen=True)
class Counts:
    kind: UnitKind
    due_on: datetime.date | None
    expected: int
    submitted: int  # awaiting review
    accepted: int
    returned: int
    late: int  # first submitted after the due date (lateness.py)
    missing: int  # never submitted
    overdue: int  # never submitted, and the due date has passed by `today`

    @property
    def reported(self) -> int:
        return self.submitted + self.accepted + self.returned

    @property
    def accepted_rate(self) -> int:
        return round(100 * self.accepted / self.expected) if self.expected else 0

    @property
    def reported_rate(self) -> int:
        return round(100 * self.reported / self.expected) if self.expected else 0


def _row(
    campaign: Campaign,
    kind: UnitKind,
    numbers: dict[str, int],
    rules: counts.Basis,
    today: datetime.date,
    path: str,
) -> Counts:
    """The level's row for the units below the unit at `path`. Where federations below it
    set dates of their own there is no one date to show; the overdue units are those
    missing whose own date has passed (read from the running counts of the federations
    while some dates have passed and others not)."""
    days = rules.dates.dates_below(kind.pk, path)
    due_on = next(iter(days)) if len(days) == 1 else None
    past = [lateness.is_past(day, today) for day in days]
    if all(past):
        overdue = numbers["missing"]
    elif not any(past):
        overdue = 0
    else:
        overdue = _overdue(campaign, kind.pk, rules, today, path, numbers["missing"])
    return Counts(kind=kind, due_on=due_on, overdue=overdue, **numbers)


def _overdue(
    campaign: Campaign,
    kind_id: int,
    rules: counts.Basis,
    today: datetime.date,
    path: str,
    missing: int,
) -> int:
    """The `missing` units of the level below `path` whose own date has passed, from the
    running counts (a live count of them was a CASE over every unit below): a deploying
    federation's stored row holds the units below it, so those under its date are its
    missing less those of the federations nearest below it with dates of their own; the
    rest are under the date that applies right below `path`."""
    days = {path: rules.dates.due_on(kind_id, path + "0" * PATH_STEP)} | {
        item.path: item.due_on
        for item in rules.dates.local
        if item.kind_id == kind_id and item.path.startswith(path) and item.path != path
    }
    stored = dict(
        CompletenessCount.objects.filter(
            campaign=campaign, kind_id=kind_id, ancestor__path__in=[p for p in days if p != path]
        ).values_list("ancestor__path", "missing")
    )
    stored[path] = missing
    own = {p: stored.get(p, 0) for p in days}
    for federation in days:
        if federation != path:  # its units are not under the nearest date above it
            above = next(
                federation[:end]
                for end in range(len(federation) - PATH_STEP, len(path) - 1, -PATH_STEP)
                if federation[:end] in days
            )
            own[above] -= stored.get(federation, 0)
    return sum(count for p, count in own.items() if lateness.is_past(days[p], today))


def _sorted(rows: list[Counts]) -> list[Counts]:
    return sorted(rows, key=lambda row: (row.kind.rank, row.kind.name))


def completeness(*, campaign: Campaign, within: Unit, today: datetime.date) -> list[Counts]:
    """One row per level below `within`, top level first."""
    counts.ensure(campaign)
    rules, kinds = counts.basis(campaign), UnitKind.objects.in_bulk()
    stored = CompletenessCount.objects.filter(campaign=campaign, ancestor=within, expected__gt=0)
    rows = stored.values("kind_id", *FIELDS)
    return _sorted(
        [
            _row(campaign, kinds[row["kind_id"]], _numbers(row), rules, today, within.path)
            for row in rows
        ]
    )


def _numbers(row: dict) -> dict[str, int]:
    return {field: row[field] for field in FIELDS}


def completeness_by_branch(
    *, campaign: Campaign, within: Unit, today: datetime.date
) -> dict[int, list[Counts]]:
    """{child of `within`: its subtree's rows, the child included}, for drilling down a
    level at a time: the counts below each child, plus the child itself."""
    counts.ensure(campaign)
    rules, kinds = counts.basis(campaign), UnitKind.objects.in_bulk()
    children = Unit.objects.filter(parent=within)
    paths = dict(children.values_list("pk", "path"))
    totals: dict[tuple[int, int], dict[str, int]] = {}

    def add(child_id: int, kind_id: int, row: dict) -> None:
        numbers = totals.setdefault((child_id, kind_id), dict.fromkeys(FIELDS, 0))
        for field in FIELDS:
            numbers[field] += row[field]

    below = CompletenessCount.objects.filter(campaign=campaign, ancestor__in=children)
    for row in below.values("ancestor_id", "kind_id", *FIELDS):
        add(row["ancestor_id"], row["kind_id"], row)
    themselves = counts.expected_units(campaign, rules).filter(parent=within)
    for row in counts.tally(themselves, rules, "pk"):
        add(row["pk"], row["kind_id"], row)

    result: dict[int, list[Counts]] = {}
    for (child_id, kind_id), numbers in totals.items():
        if numbers["expected"]:
            row = _row(campaign, kinds[kind_id], numbers, rules, today, paths[child_id])
            result.setdefault(child_id, []).append(row)
    return {child_id: _sorted(rows) for child_id, rows in result.items()}


def _expected_below(campaign: Campaign, within: Unit, rules: counts.Basis | None = None):
    rules = rules or counts.basis(campaign)
    # A queryset of Unit.objects, so a UnitQuerySet, which its annotation hides from mypy.
    expected = cast(UnitQuerySet, counts.expected_units(campaign, rules))
    return expected.subtree_of(within, include_self=False), rules


def missing_units(*, campaign: Campaign, within: Unit, today: datetime.date):
    """Expected units below `within` that have not submitted."""
    units, _rules = _expected_below(campaign, within)
    return units.filter(report__first_submitted_at__isnull=True)


def late_units(
    *, campaign: Campaign, within: Unit, today: datetime.date, rules: counts.Basis | None = None
):
    """Expected units below `within` that are late by `today`: not sent past their due
    date, or sent late (lateness.py), each with its first submission as
    `first_submitted_at`. `rules`: the campaign's counts.basis, when the caller has it."""
    units, rules = _expected_below(campaign, within, rules)
    due = rules.dates.below(within.path).expression()  # the federations of the subtree only
    late = lateness.late_by(due, today, "report__first_submitted_at")
    return units.filter(late).annotate(first_submitted_at=F("report__first_submitted_at"))


@dataclass(frozen=True)
class UnitStatus:
    """Where one unit directly below stands: for the annex of a consolidated report."""

    unit: Unit
    due_on: datetime.date | None
    state: str | None  # None: no report started
    first_submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    today: datetime.date  # the local date the status is read on, for overdue

    @property
    def is_late(self) -> bool:
        return lateness.is_late(self.first_submitted_at, self.due_on)

    @property
    def days_late(self) -> int:
        return lateness.days_late(self.first_submitted_at, self.due_on)

    @property
    def sent_on(self) -> datetime.date | None:
        """The day of the first submission, in the campaign's time zone."""
        if self.first_submitted_at is None:
            return None
        return lateness.local_date(self.first_submitted_at)

    @property
    def is_overdue(self) -> bool:
        return lateness.is_overdue(self.first_submitted_at, self.due_on, self.today)

    @property
    def days_overdue(self) -> int:
        return lateness.days_overdue(self.first_submitted_at, self.due_on, self.today)


def children_status(
    *, campaign: Campaign, within: Unit, today: datetime.date, as_of_day: bool = False
) -> list[UnitStatus]:
    """The expected units directly below `within`, each with its report's state, in one
    query. With `as_of_day`, each state is the one its report had at the end of `today`
    (from the reports' transitions), for a document dated that day: a report accepted
    after it shows as sent, one sent after it as not sent."""
    units, rules = _expected_below(campaign, within)
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
    then = _states_on(campaign, within, today) if as_of_day else None
    statuses = []
    for unit in rows:
        state, first_submitted_at, accepted_at = (
            unit.report_state,
            unit.report_first_submitted_at,
            unit.report_accepted_at,
        )
        if then is not None:
            state, first_submitted_at, accepted_at = then.get(unit.pk, (None, None, None))
        statuses.append(
            UnitStatus(
                unit=unit,
                due_on=rules.dates.due_on(unit.kind_id, unit.path),
                state=state,
                first_submitted_at=first_submitted_at,
                accepted_at=accepted_at,
                today=today,
            )
        )
    return statuses


States = dict[int, tuple[str | None, datetime.datetime | None, datetime.datetime | None]]


def _states_on(campaign: Campaign, within: Unit, day: datetime.date) -> States:
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(), tzinfo=lateness.zone()
    )
    return states_at(campaign=campaign, within=within, moment=end, inclusive=False)


def states_at(
    *, campaign: Campaign, within: Unit, moment: datetime.datetime, inclusive: bool = True
) -> States:
    """{unit id: (state, first submitted, accepted)} of the reports of the units directly
    below `within` at `moment` (or just before it), from their moves: what a document of
    that moment stood on. A report with no move by then counts as not sent."""
    at = {"at__lte" if inclusive else "at__lt": moment}
    moves = Transition.objects.filter(
        report__campaign=campaign,
        report__unit__parent=within,
        report__department__isnull=True,
        **at,
    ).order_by("report_id", "at", "pk")
    then: States = {}
    for unit_id, to_state, when in moves.values_list("report__unit_id", "to_state", "at"):
        _state, first, _accepted = then.get(unit_id, (None, None, None))
        if first is None and to_state == Report.State.SUBMITTED:
            first = when
        then[unit_id] = (to_state, first, when if to_state == Report.State.ACCEPTED else None)
    return then
