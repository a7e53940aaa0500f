"""Who is expected to report, who is late, and the running counts of both up the tree.

The rules live here, for the counts and for the live lists (completeness.missing_units,
children_status) alike:

- a unit is expected when it takes part in the campaign and is open on its level's
  report deadline in the plan; a level without one is counted as on the last day of the
  reviewed period (see `Basis.fallback`);
- late: first submitted on a day after its deadline — the plan's for its level, or the
  one a federation above it set in deploying the plan (campaigns.deadlines) — by the
  date in the campaign's
  time zone whatever the zone of the request or of the database (lateness.py: the one
  rule, in Python and in SQL);
- missing: never submitted.

CompletenessCount holds, for every unit, how many expected units of each level lie
below it and how they stand. Each report transition changes them by a difference
(running.py, at the end of its transaction); whatever changes who is expected recounts
the units it touches: units created, closed, reopened, moved or given another kind, a
campaign's participation, period or deadlines, and bulk loads, which rebuild. The tree
and the campaigns call these through their hooks (orgs.hooks, campaigns.hooks; the
reports' followers are in following.py), as they know nothing of reports. A recount
reads the units it touches with one grouped query by parent and adds the result up the
tree along each parent's path, so its cost follows the units touched, never the size of
the tree, and it is never a loop over units.
"""

from __future__ import annotations

import datetime
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from soket.campaigns.deadlines import ReportDates, report_dates
from soket.campaigns.models import Campaign
from soket.campaigns.selectors import participating_units
from soket.core import clock
from soket.orgs.models import PATH_STEP, Unit, UnitKind, ids_in_path, open_on, path_upper_bound
from soket.reports import lateness, locking
from soket.reports.models import CompletenessCount, CountedCampaign, Report

State = Report.State
FIELDS = ("expected", "submitted", "accepted", "returned", "late", "missing")
Key = tuple[int, int]  # (unit above, kind of the units counted)
CHUNK = 500  # ids or rows per statement: far below SQLite's limit on parameters


# The rules.


@dataclass(frozen=True)
class Basis:
    """What decides, in one campaign, who is expected and who is late."""

    dates: ReportDates  # each unit's report deadline
    # The day a level without a report deadline is counted on. Counts kept running need
    # a fixed day (the page used to count such a level as on the reading day, so its
    # figures moved by themselves), and the units open when the reviewed period ends are
    # the ones with that period to review: one opened later has nothing to report on.
    fallback: datetime.date

    @property
    def due(self) -> dict[int, datetime.date]:
        """{unit kind id: the level's report deadline in the plan} (deployments aside):
        the day that decides who is expected."""
        return self.dates.plan

    def day(self, kind_id: int) -> datetime.date:
        return self.due.get(kind_id, self.fallback)


def basis(campaign: Campaign) -> Basis:
    return Basis(dates=report_dates(campaign), fallback=campaign.reviewed_to)


def expected_units(campaign: Campaign, basis: Basis) -> QuerySet[Unit]:
    """The units expected to report, each joined to its unit report as `report`."""
    on_their_day = ~Q(kind_id__in=list(basis.due)) & open_on(basis.fallback)
    for kind_id, day in basis.due.items():
        on_their_day |= Q(kind_id=kind_id) & open_on(day)
    return (
        participating_units(campaign=campaign)
        .filter(on_their_day)
        .annotate(
            report=FilteredRelation(
                "reports",
                condition=Q(reports__campaign=campaign, reports__department__isnull=True),
            )
        )
    )


def tally(units: QuerySet[Unit], basis: Basis, *group_by: str) -> QuerySet:
    """Count units of `expected_units` by `group_by` and kind, in one query; the SQL form
    of `vector`."""
    late = lateness.late_against(basis.dates.expression(), "report__first_submitted_at")
    return (
        units.values(*group_by, "kind_id")
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(report__state=State.SUBMITTED)),
            accepted=Count("pk", filter=Q(report__state=State.ACCEPTED)),
            returned=Count("pk", filter=Q(report__state=State.RETURNED)),
            late=Count("pk", filter=late),
            missing=Count("pk", filter=Q(report__first_submitted_at__isnull=True)),
        )
        .order_by()
    )


def vector(
    state: str | None, first_submitted_at: datetime.datetime | None, due_on: datetime.date | None
) -> tuple[int, ...]:
    """What one expected unit counts for, in the order of FIELDS."""
    return (
        1,
        int(state == State.SUBMITTED),
        int(state == State.ACCEPTED),
        int(state == State.RETURNED),
        int(lateness.is_late(first_submitted_at, due_on)),
        int(first_submitted_at is None),
    )


def counting_basis(campaign: Campaign) -> tuple:
    """Everything about a campaign that decides who is expected: compared before and after
    a change in the back office, to recount only when it moved."""
    participations = sorted(
        (participation.root_id, tuple(sorted(kind.pk for kind in participation.kinds.all())))
        for participation in campaign.participations.prefetch_related("kinds")
    )
    dates = report_dates(campaign)
    local = sorted((item.path, item.kind_id, item.due_on) for item in dates.local)
    return campaign.reviewed_to, sorted(dates.plan.items()), local, participations


# Differences, added up the tree.


class Changes:
    """Counts per (unit above, kind), with each unit's depth to write them in order."""

    def __init__(self) -> None:
        self.vectors: dict[Key, list[int]] = defaultdict(lambda: [0] * len(FIELDS))
        self.depths: dict[int, int] = {}

    def add_up(self, above: str, kind_id: int, counts: Iterable[int], sign: int = 1) -> None:
        """Add `counts` to every unit of the path `above` (a unit's parent's path)."""
        counts = list(counts)
        for depth, ancestor_id in enumerate(ids_in_path(above)):
            self.depths[ancestor_id] = depth
            row = self.vectors[(ancestor_id, kind_id)]
            for index, count in enumerate(counts):
                row[index] += sign * count

    def plus(self, other: Changes, sign: int = 1) -> Changes:
        result = Changes()
        result.depths = {**other.depths, **self.depths}
        for source, factor in ((self, 1), (other, sign)):
            for key, counts in source.vectors.items():
                row = result.vectors[key]
                for index, count in enumerate(counts):
                    row[index] += factor * count
        return result

    def minus(self, other: Changes) -> Changes:
        return self.plus(other, -1)

    def ordered(self) -> list[tuple[Key, list[int]]]:
        """Non-zero rows, deepest unit first and the top last: one order for everyone, so
        writers never deadlock, and the rows every submission changes are held least."""
        rows = [(key, counts) for key, counts in self.vectors.items() if any(counts)]
        return sorted(rows, key=lambda row: (-self.depths[row[0][0]], row[0]))


def contributions(campaign: Campaign, basis: Basis, units: Q | None = None) -> Changes:
    """What the expected units among `units` (all by default) count for above them."""
    expected = expected_units(campaign, basis).filter(parent__isnull=False)
    return _added_up(expected if units is None else expected.filter(units), basis)


def _added_up(expected: QuerySet[Unit], basis: Basis) -> Changes:
    """One grouped query by parent; each parent's counts go to it and every unit above."""
    changes = Changes()
    for row in tally(expected, basis, "parent__path"):
        changes.add_up(row["parent__path"], row["kind_id"], (row[field] for field in FIELDS))
    return changes


def _write(campaign_id: int, changes: Changes, *, create_missing: bool) -> None:
    for (ancestor_id, kind_id), counts in changes.ordered():
        key = {"campaign_id": campaign_id, "ancestor_id": ancestor_id, "kind_id": kind_id}
        steps = {
            field: F(field) + count for field, count in zip(FIELDS, counts, strict=True) if count
        }
        if not CompletenessCount.objects.filter(**key).update(**steps) and create_missing:
            CompletenessCount.objects.create(**key, **dict(zip(FIELDS, counts, strict=True)))


# Keeping the counts.


def is_counted(campaign_id: int) -> bool:
    return CountedCampaign.objects.filter(campaign_id=campaign_id).exists()


def rebuild(campaign: Campaign) -> int:
    """Bring a campaign's counts to a recount, writing only the rows that differ, and mark
    it counted; returns how many rows it wrote. The caller holds the campaign's lock
    exclusively (running.rebuild)."""
    wanted = dict(contributions(campaign, basis(campaign)).ordered())
    stored = {
        (row[1], row[2]): (row[0], list(row[3:]))
        for row in CompletenessCount.objects.filter(campaign=campaign).values_list(
            "pk", "ancestor_id", "kind_id", *FIELDS
        )
    }
    stale = [pk for key, (pk, _counts) in stored.items() if key not in wanted]
    changed = [
        CompletenessCount(pk=stored[key][0], **dict(zip(FIELDS, counts, strict=True)))
        for key, counts in wanted.items()
        if key in stored and stored[key][1] != counts
    ]
    new = [
        CompletenessCount(
            campaign=campaign, ancestor_id=key[0], kind_id=key[1],
            **dict(zip(FIELDS, counts, strict=True)),
        )
        for key, counts in wanted.items()
        if key not in stored
    ]  # fmt: skip
    for start in range(0, len(stale), CHUNK):
        CompletenessCount.objects.filter(pk__in=stale[start : start + CHUNK]).delete()
    CompletenessCount.objects.bulk_update(changed, FIELDS, batch_size=CHUNK)
    CompletenessCount.objects.bulk_create(new, batch_size=5000)
    CountedCampaign.objects.get_or_create(campaign=campaign, defaults={"counted_at": clock.now()})
    return len(stale) + len(changed) + len(new)


def ensure(campaign: Campaign) -> None:
    """Count a campaign the first time its completeness is read."""
    if is_counted(campaign.pk):
        return
    with transaction.atomic():
        locking.exclusive([campaign.pk])
        if not is_counted(campaign.pk):
            rebuild(campaign)


@dataclass(frozen=True)
class Moved:
    """A report's transition, as the counts need it."""

    report_id: int
    campaign_id: int
    unit_id: int
    department_id: int | None
    from_state: str
    to_state: str
    first_submitted_before: datetime.datetime | None
    first_submitted_after: datetime.datetime | None


def reports_moved(moves: list[Moved]) -> None:
    """Change the counts by what the transitions did; the caller holds the campaigns'
    shared lock, so who is expected is read as the last recount left it."""
    moves = [move for move in moves if move.department_id is None]
    counted = CountedCampaign.objects.filter(campaign_id__in={move.campaign_id for move in moves})
    for campaign in Campaign.objects.filter(pk__in=counted.values("campaign_id")).order_by("pk"):
        rules = basis(campaign)
        here = [move for move in moves if move.campaign_id == campaign.pk]
        units = expected_units(campaign, rules).filter(pk__in={move.unit_id for move in here})
        expected = {unit.pk: unit for unit in units.only("pk", "path", "kind_id")}
        changes = Changes()
        for move in here:
            unit = expected.get(move.unit_id)
            if unit is None:
                continue
            due_on = rules.dates.due_on(unit.kind_id, unit.path)
            before = vector(move.from_state, move.first_submitted_before, due_on)
            after = vector(move.to_state, move.first_submitted_after, due_on)
            above = unit.path[:-PATH_STEP]
            changes.add_up(above, unit.kind_id, (a - b for a, b in zip(after, before, strict=True)))
        _write(campaign.pk, changes, create_missing=False)


_bulk = threading.local()


def _in_bulk_change() -> bool:
    return getattr(_bulk, "depth", 0) > 0


def _locked_counted_campaigns() -> list[Campaign]:
    locking.exclusive()
    return list(Campaign.objects.filter(pk__in=CountedCampaign.objects.values("campaign_id")))


@contextmanager
def recounting(units: Callable[[], Q]) -> Iterator[None]:
    """Recount what a change to the tree does to who is expected: the units `units()`
    names are counted in every counted campaign before the change and after it (it is
    called again, as the change may move them), and the difference goes up the tree."""
    if _in_bulk_change():
        yield
        return
    with transaction.atomic():
        campaigns = _locked_counted_campaigns()
        before = {c.pk: contributions(c, basis(c), units()) for c in campaigns}
        yield
        for campaign in campaigns:
            after = contributions(campaign, basis(campaign), units())
            _write(campaign.pk, after.minus(before[campaign.pk]), create_missing=True)


@transaction.atomic
def units_created(unit_ids: list[int]) -> None:
    """Count new units (they have no report yet) in every counted campaign."""
    if _in_bulk_change() or not unit_ids:
        return
    for campaign in _locked_counted_campaigns():
        rules, changes = basis(campaign), Changes()
        expected = expected_units(campaign, rules).filter(parent__isnull=False)
        for start in range(0, len(unit_ids), CHUNK):
            chunk = expected.filter(pk__in=unit_ids[start : start + CHUNK])
            changes = changes.plus(_added_up(chunk, rules))
        _write(campaign.pk, changes, create_missing=True)


@contextmanager
def bulk_change() -> Iterator[None]:
    """For bulk loads (the tree import), inside their transaction: every campaign is
    locked from the start, the recount of each change is skipped, and every counted
    campaign is recounted once at the end."""
    outermost = not _in_bulk_change()
    campaigns = _locked_counted_campaigns() if outermost else []
    _bulk.depth = getattr(_bulk, "depth", 0) + 1
    try:
        yield
    finally:
        _bulk.depth -= 1
    for campaign in campaigns:
        rebuild(campaign)


@transaction.atomic
def campaign_changed(campaign: Campaign) -> None:
    """Recount a campaign after its participation, period or deadlines changed."""
    locking.exclusive([campaign.pk])
    if is_counted(campaign.pk):
        rebuild(campaign)


@transaction.atomic
def dates_changed_below(plan: Campaign, owner: Unit) -> None:
    """Recount after the report dates of the units below `owner` changed (its deployment
    of the plan issued or amended). Only their `late` can move, so only they are counted
    again, and the difference goes up the tree: the stored rows of `owner`'s subtree
    hold nothing but them, and every unit above received from them what `owner`'s rows
    hold. The cost follows the federation's subtree, never the whole plan's."""
    locking.exclusive([plan.pk])
    if not is_counted(plan.pk):
        return
    below = Q(path__gt=owner.path, path__lt=path_upper_bound(owner.path))
    recounted = contributions(plan, basis(plan), below)
    stored = Changes()
    rows = CompletenessCount.objects.filter(
        campaign=plan,
        ancestor__path__gte=owner.path,
        ancestor__path__lt=path_upper_bound(owner.path),
    ).values_list("ancestor_id", "ancestor__path", "kind_id", *FIELDS)
    for ancestor_id, path, kind_id, *numbers in rows:
        stored.depths[ancestor_id] = len(path) // PATH_STEP - 1
        stored.vectors[(ancestor_id, kind_id)] = list(numbers)
        if ancestor_id == owner.pk and owner.parent_id is not None:
            stored.add_up(owner.path[:-PATH_STEP], kind_id, numbers)
    _write(plan.pk, recounted.minus(stored), create_missing=True)


# Checking them.


def drift(campaign: Campaign) -> list[str]:
    """Where the stored counts differ from a recount, in words; empty when they agree."""
    recounted = {key: counts for key, counts in contributions(campaign, basis(campaign)).ordered()}
    stored = {
        (row[0], row[1]): list(row[2:])
        for row in CompletenessCount.objects.filter(campaign=campaign).values_list(
            "ancestor_id", "kind_id", *FIELDS
        )
        if any(row[2:])
    }
    keys = sorted(set(recounted) | set(stored))
    wrong = [key for key in keys if recounted.get(key) != stored.get(key)]
    codes = dict(Unit.objects.filter(pk__in={key[0] for key in wrong}).values_list("pk", "code"))
    kinds = dict(UnitKind.objects.values_list("pk", "code"))
    zero = [0] * len(FIELDS)

    def described(counts: list[int]) -> str:
        return ", ".join(f"{field} {count}" for field, count in zip(FIELDS, counts, strict=True))

    return [
        f"counts below unit {codes.get(key[0], key[0])}, kind {kinds.get(key[1], key[1])}: "
        f"stored {described(stored.get(key, zero))}; "
        f"recounted {described(recounted.get(key, zero))}"
        for key in wrong
    ]
