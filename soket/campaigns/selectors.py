"""Reads of campaigns, always scoped to what the user may see."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.db.models.lookups import In

from soket.campaigns.access import (
    administered_units,
    can_administer,
    people_in_charge,
    tasks_in_charge,
    visible_campaigns,
)
from soket.campaigns.deadlines import deployments_of, issued_deployments, plan_of, plans_above
from soket.campaigns.models import (
    Campaign,
    CommitteeTask,
    Milestone,
    OutlineSection,
    PlanSection,
    SteeringMember,
)
from soket.orgs.access import Perm, role_units, visible_units
from soket.orgs.models import PATH_STEP, Unit, UnitKind, User, ids_in_path, path_upper_bound
from soket.resolutions.models import ReviewItem, Target


def campaign_list_for(*, user: User) -> QuerySet[Campaign]:
    return visible_campaigns(user).select_related("owner")


def new_campaign_owners(user: User) -> QuerySet[Unit]:
    """The units whose plans the user may start: where they are a campaign administrator
    (the system operator, who holds no role, works in the back office)."""
    return role_units(user, Perm.MANAGE).order_by("path")


def campaign_detail_for(*, user: User, pk: int) -> Campaign:
    """The campaign with its plan, ready to render; Campaign.DoesNotExist when out of scope."""
    return (
        campaign_list_for(user=user)
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=PlanSection.objects.filter(parent__isnull=True).prefetch_related(
                    "subsections__subsections", "audience_kinds"
                ),
                to_attr="top_sections",
            ),
            "milestones__deadlines__unit_kind",
            Prefetch("steering_members", queryset=SteeringMember.objects.all()),
            "recipients",
            "resolutions__issuer",
            "review_items",
        )
        .get(pk=pk)
    )


def participation_tree(*, campaign: Campaign) -> tuple[list[Unit], list[UnitKind]]:
    """The subtrees a campaign covers and the levels that take part, to draw it as a tree."""
    participations = campaign.participations.select_related("root").prefetch_related("kinds")
    roots = [participation.root for participation in participations]
    kinds = {kind for participation in participations for kind in participation.kinds.all()}
    return roots, sorted(kinds, key=lambda kind: kind.rank)


def participating_units(*, campaign: Campaign, on: datetime.date | None = None) -> QuerySet[Unit]:
    """Units that take part: of the chosen kinds in each participation's subtree.

    With `on`, only the units open that day, which are the ones expected to report.
    """
    condition = Q(pk__in=[])
    for participation in campaign.participations.select_related("root").prefetch_related("kinds"):
        # Path ranges on the table itself, not `pk IN (a subquery of it)`: the planner
        # then reads the units once (a second pass cost a third of a national query).
        root = participation.root
        condition |= Q(
            path__gte=root.path,
            path__lt=path_upper_bound(root.path),
            kind_id__in=[kind.pk for kind in participation.kinds.all()],
        )
    units = Unit.objects.filter(condition)
    return units.active_on(on) if on else units


def outline_plans(campaign: Campaign, unit: Unit | None = None) -> list[int]:
    """The plans whose outline sections a report answers, top first: the plan its unit
    reports under, then the deployments of it by the federations at or above the unit,
    each adding sections of its own. Without a unit, a plan's outline as its Word
    document shows it: a deployment's with those of the plans it deploys above it."""
    if unit is None:
        return [plan.pk for plan in plans_above(campaign)]
    plan = plan_of(campaign)
    above = ids_in_path(unit.path)
    deployments = Campaign.objects.filter(
        pk__in=issued_deployments(plan), owner__in=above
    ).order_by("owner__depth")
    return [plan.pk, *deployments.values_list("pk", flat=True)]


def report_outline(campaign: Campaign, unit: Unit | None = None) -> QuerySet[OutlineSection]:
    """The outline sections a unit's report answers (see outline_plans), in order."""
    plans = outline_plans(campaign, unit)
    depth = {pk: index for index, pk in enumerate(plans)}
    sections = OutlineSection.objects.filter(campaign__in=plans)
    if len(plans) == 1:
        return sections.order_by("order")
    return sections.annotate(
        plan_rank=Case(
            *[When(campaign_id=pk, then=Value(rank)) for pk, rank in depth.items()],
            output_field=IntegerField(),
        )
    ).order_by("plan_rank", "order")


def outline_tree(campaign: Campaign) -> list[OutlineSection]:
    """The top sections of the outline a plan's units answer (for a deployment, those of
    the plans it deploys first, then its own), their subsections and links prefetched."""
    return list(
        report_outline(campaign)
        .filter(parent__isnull=True)
        .prefetch_related(
            "subsections__targets", "subsections__review_items", "targets", "review_items"
        )
    )


def outline_choices(campaign: Campaign) -> tuple[QuerySet[Target], QuerySet[ReviewItem]]:
    """What an outline section may ask units to report on: the targets of the resolutions
    the campaign reviews, and the items it reviews with them; for a deployment, those the
    plans it deploys do not ask already (its own, such as its federation's targets that
    make the plan's concrete)."""
    targets = Target.objects.filter(resolution__in=campaign.resolutions.all())
    if campaign.is_deployment:
        above = OutlineSection.objects.filter(
            campaign__in=outline_plans(campaign)[:-1], targets__isnull=False
        ).values("targets")
        targets = targets.exclude(pk__in=above)
    return (
        targets.select_related("resolution").order_by("resolution__pk", "order", "code"),
        campaign.review_items.order_by("code"),
    )


def deployment_chain(plan: Campaign) -> list[int]:
    """The plan and every deployment of it at any depth, drafts included."""
    return [plan.pk, *deployments_of(plan)]


def kinds_below(plan: Campaign, owner: Unit) -> list[int]:
    """The levels of the plan's participating units below `owner`: those its deployment
    addresses and sets dates for."""
    below = participating_units(campaign=plan).filter(
        path__startswith=owner.path, kind__rank__gt=owner.kind.rank
    )
    return sorted(set(below.values_list("kind_id", flat=True)))


def _with_levels_below(plan: Campaign) -> Exists:
    """A condition on units: the plan has participating units of lower levels below them
    (they are federations of the plan, which deploy it)."""
    return Exists(
        participating_units(campaign=plan).filter(
            path__startswith=OuterRef("path"), kind__rank__gt=OuterRef("kind__rank")
        )
    )


def _federations(plan: Campaign, units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Those of `units` with participating units of the plan of lower levels below them
    (the federations of the plan, which deploy it), for many units: one query per depth
    and level among them, their paths against the prefixes of that length of the paths
    of the participating units in their range, which the database hashes (the correlated
    LIKE of _with_levels_below scans the tree for each unit without any: minutes for the
    operator, whose candidates are all 136,000 units of the bench tree)."""
    taking_part = participating_units(campaign=plan)
    parents = units.filter(pk__in=Unit.objects.filter(parent__isnull=False).values("parent_id"))
    found: list[int] = []
    for depth, rank in sorted(set(parents.order_by().values_list("depth", "kind__rank"))):
        level = parents.filter(depth=depth, kind__rank=rank)
        bounds = level.aggregate(first=Min("path"), last=Max("path"))
        prefixes = taking_part.filter(
            path__gt=bounds["first"],
            path__lt=path_upper_bound(bounds["last"]),
            depth__gt=depth,
            kind__rank__gt=rank,
        ).values(prefix=Substr("path", 1, (depth + 1) * PATH_STEP))
        found += level.filter(path__in=prefixes).values_list("pk", flat=True)
    return units.filter(pk__in=found)


def deploying_units(*, user: User, source: Campaign) -> QuerySet[Unit]:
    """The federations the user may deploy `source` for (a few queries): where they are a
    campaign administrator, below its owner, taking part in the plan with lower levels
    of its own below them, not yet deploying it (or a deployment of it), and with no
    nearer deployment above them (a federation deploys the nearest plan above it, so
    never past its own federation's dates)."""
    if not source.is_issued:
        return Unit.objects.none()
    plan = plan_of(source)
    # Below a deploying federation: a path beginning with its path, for each length one
    # list the database hashes (a range per federation was a test per unit and federation).
    deployers: dict[int, list[str]] = defaultdict(list)
    for path in Campaign.objects.filter(pk__in=issued_deployments(plan)).values_list(
        "owner__path", flat=True
    ):
        if path.startswith(source.owner.path) and path != source.owner.path:
            deployers[len(path)].append(path)
    nearer = Q(pk__in=[])
    for length, paths in deployers.items():
        nearer |= Q(depth__gte=length // PATH_STEP) & Q(In(Substr("path", 1, length), paths))
    candidates = (
        Unit.objects.subtree_of(source.owner, include_self=False)
        .filter(pk__in=administered_units(user).values("pk"))
        .exclude(pk__in=Campaign.objects.filter(pk__in=deployment_chain(plan)).values("owner_id"))
        .exclude(nearer)
        .filter(pk__in=participating_units(campaign=plan).values("pk"))
    )
    return _federations(plan, candidates).select_related("kind").order_by("path")


@dataclass(frozen=True)
class Federation:
    """A federation below a plan's owner, and its deployment of the plan if it has one."""

    unit: Unit
    deployment: Campaign | None

    @property
    def has_deployed(self) -> bool:
        return self.deployment is not None and self.deployment.is_issued


def deployments_below(*, campaign: Campaign, user: User) -> list[Federation]:
    """The federations directly below a plan's owner that deploy it (those of its
    participating units with participating units of their own below them), in the
    user's scope, each with its deployment (drafts included), in tree order."""
    plan = plan_of(campaign)
    federations = list(
        participating_units(campaign=plan)
        .filter(parent=campaign.owner)
        .filter(_with_levels_below(plan))
        .filter(pk__in=visible_units(user).values("pk"))
        .select_related("kind")
        .order_by("kind__rank", "path")
    )
    deployments = {
        deployment.owner_id: deployment
        for deployment in Campaign.objects.filter(
            deployed_from=campaign, owner__in=[unit.pk for unit in federations]
        )
    }
    return [Federation(unit, deployments.get(unit.pk)) for unit in federations]


def deployment_of(*, campaign: Campaign, units: QuerySet[Unit]) -> QuerySet[Campaign]:
    """The deployments of `campaign` by these units (drafts included)."""
    return Campaign.objects.filter(deployed_from=campaign, owner__in=units).select_related("owner")


# The committee's tasks.


@dataclass(frozen=True)
class TaskLine:
    """A task as the timeline shows it: how many days it is overdue (0 if it is not),
    the timeline line its due date falls in, whether the reader may set its status, and
    whether nobody in charge of it, not done, can be reminded (its plan's administrators
    are, instead)."""

    task: CommitteeTask
    overdue_days: int
    milestone: str
    may_update: bool
    nobody_to_remind: bool = False

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def status_choices(self) -> list[tuple[str, Any]]:
        return CommitteeTask.Status.choices


def _overdue_days(task: CommitteeTask, today: datetime.date) -> int:
    if task.status == CommitteeTask.Status.DONE or task.due_on is None or task.due_on >= today:
        return 0
    return (today - task.due_on).days


def _line_of(day: datetime.date | None, milestones: list[Milestone]) -> str:
    """The timeline line whose period holds `day`: the one that starts latest (the
    narrowest, when lines overlap), else none."""
    if day is None:
        return ""
    holding = [m for m in milestones if m.starts_on <= day <= m.ends_on]
    return max(holding, key=lambda m: (m.starts_on, -m.order)).label if holding else ""


def _by_date(task: CommitteeTask) -> tuple:
    return (task.due_on is None, task.due_on or datetime.date.max, task.order)


def committee_tasks(*, campaign: Campaign, user: User, today: datetime.date) -> list[TaskLine]:
    """The campaign's tasks by due date (undated last), for whoever sees the campaign:
    four queries whatever their number (its milestones as prefetched, if they are)."""
    tasks = list(campaign.tasks.select_related("member__user", "department"))
    if not tasks:
        return []
    in_charge = people_in_charge(tasks)
    milestones = list(campaign.milestones.all())
    if can_administer(user, campaign):
        mine = {task.pk for task in tasks}
    else:
        mine = set(campaign.tasks.filter(tasks_in_charge(user)).values_list("pk", flat=True))
    return [
        TaskLine(
            task,
            _overdue_days(task, today),
            _line_of(task.due_on, milestones),
            task.pk in mine,
            nobody_to_remind=task.status != CommitteeTask.Status.DONE and not in_charge[task.pk],
        )
        for task in sorted(tasks, key=_by_date)
    ]


def tasks_for(*, user: User, today: datetime.date) -> list[TaskLine]:
    """The tasks not yet done that the user is in charge of, in the campaigns they see,
    by due date (for their home page)."""
    tasks = (
        CommitteeTask.objects.filter(tasks_in_charge(user), campaign__in=visible_campaigns(user))
        .exclude(status=CommitteeTask.Status.DONE)
        .select_related("campaign", "member", "department")
        .order_by(F("due_on").asc(nulls_last=True), "campaign_id", "order")
    )
    return [TaskLine(task, _overdue_days(task, today), "", True) for task in tasks]
