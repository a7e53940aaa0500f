"""Which report deadline applies to a unit.

A unit's report is due on its level's date in the plan, unless a federation above it has
deployed the plan (triển khai) and set a date of its own for that level: then the date
of the nearest such federation applies. Reports stay on the plan issued at the top, so
figures roll up unchanged; only the date moves. Every page, count, document and
reminder asks here (`ReportDates`), in Python for one unit and in SQL for many.

In SQL the rule is one CASE: the deploying federations' paths, grouped by path length,
level and date, are compared with the prefix of that length of each unit's path (an IN
list the database hashes), deepest first, then the plan's date for the level. It is the
same statement for 20 units and 400,000, whatever the number of federations.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, DateField, Q, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Substr
from django.db.models.lookups import In

from soket.campaigns.models import Campaign, Deadline
from soket.orgs.models import PATH_STEP


@dataclass(frozen=True)
class Local:
    """A report deadline set by a deployed plan for one level of its federation's units."""

    path: str  # the deploying federation's path: it applies to units below it
    kind_id: int
    due_on: datetime.date
    deadline_id: int
    campaign_id: int


@dataclass(frozen=True)
class ReportDates:
    """A plan's report deadlines per level, with the dates its deployments set below."""

    plan_id: int
    plan: dict[int, datetime.date]  # unit kind id: the plan's own date for the level
    plan_deadlines: dict[int, int]  # unit kind id: the plan's deadline (its earliest)
    local: tuple[Local, ...] = ()
    deployers: dict[str, int] = field(default_factory=dict)  # path: its issued deployment
    _by_path: dict[str, dict[int, Local]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for item in self.local:
            self._by_path.setdefault(item.path, {})[item.kind_id] = item

    def local_for(self, kind_id: int, path: str) -> Local | None:
        """The deployed deadline that applies to the unit of `kind_id` at `path`, if any."""
        # The unit's own path is left out: a federation deploys for the units below it.
        for end in range(len(path) - PATH_STEP, 0, -PATH_STEP):
            found = self._by_path.get(path[:end], {}).get(kind_id)
            if found is not None:
                return found
        return None

    def plan_for(self, path: str) -> int:
        """The plan whose timeline speaks to the unit at `path`: the deployment of the
        nearest federation above it that issued one, else the plan itself."""
        for end in range(len(path) - PATH_STEP, 0, -PATH_STEP):
            found = self.deployers.get(path[:end])
            if found is not None:
                return found
        return self.plan_id

    def due_on(self, kind_id: int, path: str) -> datetime.date | None:
        local = self.local_for(kind_id, path)
        return local.due_on if local else self.plan.get(kind_id)

    def deadline_id(self, kind_id: int, path: str) -> int | None:
        local = self.local_for(kind_id, path)
        return local.deadline_id if local else self.plan_deadlines.get(kind_id)

    def dates_below(self, kind_id: int, path: str) -> set[datetime.date | None]:
        """The dates the units of the level strictly below `path` may have: the one that
        applies right below it, and those federations further down set."""
        return {self.due_on(kind_id, path + "0" * PATH_STEP)} | {
            item.due_on
            for item in self.local
            if item.kind_id == kind_id and item.path.startswith(path) and item.path != path
        }

    def below(self, path: str) -> ReportDates:
        """The same dates for the units below `path` only: without the deployments of
        the federations beside it, which reach none of them (SQL over one federation's
        units then carries its own dates, not a CASE of the whole country's)."""
        local = tuple(
            item for item in self.local if path.startswith(item.path) or item.path.startswith(path)
        )
        return self if len(local) == len(self.local) else dataclasses.replace(self, local=local)

    def _deployed(self, items: list[Local], path_field: str) -> Q:
        """The units below the federations of `items`."""
        by_length: dict[int, list[str]] = defaultdict(list)
        for item in items:
            by_length[len(item.path)].append(item.path)
        condition = Q(pk__in=[])
        for length, paths in sorted(by_length.items()):
            condition |= Q(In(Substr(path_field, 1, length), sorted(set(paths))))
        return condition

    def expression(self, path_field: str = "path", kind_field: str = "kind_id") -> Expression:
        """The due date of each unit, in SQL (NULL for a level without one)."""
        groups: dict[tuple[int, int, datetime.date], list[Local]] = defaultdict(list)
        for item in self.local:
            groups[(len(item.path), item.kind_id, item.due_on)].append(item)
        whens = [
            When(Q(**{kind_field: kind_id}) & self._deployed(items, path_field), then=Value(day))
            for (_length, kind_id, day), items in sorted(
                groups.items(), key=lambda group: (-group[0][0], group[0][1], group[0][2])
            )
        ]
        whens += [
            When(Q(**{kind_field: kind_id}), then=Value(day))
            for kind_id, day in sorted(self.plan.items())
        ]
        if not whens:
            return Value(None, output_field=DateField())
        return Case(*whens, default=Value(None), output_field=DateField())

    def governed_by(
        self, campaign_id: int, kind_id: int, path_field: str = "path", kind_field: str = "kind_id"
    ) -> Q:
        """Units of `kind_id` whose date comes from the plan `campaign_id` (this plan, or one
        of its deployments): a reminder of that plan's deadline is theirs."""
        same_level = [item for item in self.local if item.kind_id == kind_id]
        own = [item for item in same_level if item.campaign_id == campaign_id]
        if campaign_id == self.plan_id:
            within = Q()
        elif own:
            within = self._deployed(own, path_field)
        else:
            return Q(pk__in=[])
        deeper = [
            item
            for item in same_level
            if item.campaign_id != campaign_id
            and (not own or any(item.path.startswith(o.path) for o in own))
        ]
        condition = Q(**{kind_field: kind_id}) & within
        if deeper:
            condition &= ~self._deployed(deeper, path_field)
        return condition


def plans_above(campaign: Campaign) -> list[Campaign]:
    """The chain of plans from the one at the top down to `campaign` (itself last)."""
    chain = [campaign]
    while chain[0].deployed_from_id is not None:
        chain.insert(0, Campaign.objects.select_related("owner").get(pk=chain[0].deployed_from_id))
    return chain


def plan_of(campaign: Campaign) -> Campaign:
    """The plan at the top of a chain of deployments: the one the units report under."""
    return plans_above(campaign)[0]


def deployments_of(plan: Campaign, *, issued_only: bool = False) -> list[int]:
    """The ids of every plan deploying `plan`, at any depth (one query a level); with
    `issued_only`, the issued ones reached through issued ones (those in force)."""
    found: list[int] = []
    frontier = [plan.pk]
    while frontier:
        below = Campaign.objects.filter(deployed_from__in=frontier)
        if issued_only:
            below = below.filter(state=Campaign.State.ISSUED)
        frontier = list(below.values_list("pk", flat=True))
        found += frontier
    return found


def issued_deployments(plan: Campaign) -> list[int]:
    return deployments_of(plan, issued_only=True)


def earliest_by_kind(
    rows: Iterable[tuple[int, datetime.date, int]],
) -> tuple[dict[int, datetime.date], dict[int, int]]:
    """From (kind id, date, deadline id) rows: each level's earliest date and its deadline."""
    dates: dict[int, datetime.date] = {}
    ids: dict[int, int] = {}
    for kind_id, due_on, pk in sorted(rows, key=lambda row: (row[1], row[2])):
        if kind_id not in dates:
            dates[kind_id], ids[kind_id] = due_on, pk
    return dates, ids


def report_dates(campaign: Campaign) -> ReportDates:
    """The report deadlines of the plan `campaign` carries out (itself, when it is the
    plan at the top), with every issued deployment's dates."""
    plan = plan_of(campaign)
    report_deadlines = Deadline.objects.filter(is_report=True, unit_kind__isnull=False)
    dates, ids = earliest_by_kind(
        report_deadlines.filter(milestone__campaign=plan).values_list(
            "unit_kind_id", "due_on", "pk"
        )
    )
    deployed = issued_deployments(plan)
    paths = dict(Campaign.objects.filter(pk__in=deployed).values_list("pk", "owner__path"))
    rows: dict[int, list] = defaultdict(list)
    for campaign_id, kind_id, due_on, pk in report_deadlines.filter(
        milestone__campaign__in=deployed
    ).values_list("milestone__campaign_id", "unit_kind_id", "due_on", "pk"):
        rows[campaign_id].append((kind_id, due_on, pk))
    local = []
    for campaign_id, deadlines in rows.items():
        earliest, earliest_ids = earliest_by_kind(deadlines)
        local += [
            Local(paths[campaign_id], kind_id, day, earliest_ids[kind_id], campaign_id)
            for kind_id, day in earliest.items()
        ]
    return ReportDates(
        plan_id=plan.pk,
        plan=dates,
        plan_deadlines=ids,
        local=tuple(sorted(local, key=lambda item: (-len(item.path), item.path, item.kind_id))),
        deployers={path: pk for pk, path in paths.items()},
    )
