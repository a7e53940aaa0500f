"""Reads of reports, scoped to what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum

from soket.campaigns.deadlines import ReportDates, plan_of, report_dates
from soket.campaigns.models import Campaign, Deadline, OutlineSection
from soket.campaigns.selectors import participating_units, report_outline
from soket.orgs.models import Department, Role, Unit, UnitKind, User, path_upper_bound
from soket.reports import counts, lateness, workflow
from soket.reports.assessment import Evaluation, evaluate
from soket.reports.models import CompletenessCount, Figure, Report, Transition
from soket.resolutions.models import Target
from soket.resolutions.selectors import own_targets


def report_list_for(*, user: User) -> QuerySet[Report]:
    return workflow.visible_reports(user).select_related("campaign", "unit__kind", "department")


def report_detail_for(*, user: User, pk: int) -> Report:
    return report_list_for(user=user).get(pk=pk)


def report_targets(campaign: Campaign, unit: Unit | None = None) -> list[Target]:
    """The targets a report gives figures for: those its outline links (the plan's, and
    for a unit below a federation that deployed it, the federation's own too)."""
    return list(
        Target.objects.filter(outline_sections__in=report_outline(campaign, unit))
        .select_related("resolution__issuer")
        .prefetch_related("milestones")
        .distinct()
        .order_by("resolution__term_start_year", "resolution_id", "order", "code")
    )


def outline_sections(campaign: Campaign, unit: Unit | None = None) -> list[OutlineSection]:
    return list(report_outline(campaign, unit).prefetch_related("targets", "review_items"))


@dataclass(frozen=True)
class EvaluationRow:
    target: Target
    figure: Figure
    evaluation: Evaluation
    # The target whose goal the figure is judged by: the unit's own where it made the
    # target concrete through the cascade, else the target itself.
    goal: Target
    # Whether that goal is the level above's: the unit set none of its own.
    goal_is_from_above: bool


def is_judged_here(target: Target, report: Report) -> bool:
    """Whether the goal applies to this report's own figure.

    A rate or a share compares at any level. A summed goal belongs to the level that set
    it (and its departments): a district's part of a provincial total is a contribution,
    not a result to grade, so below that level it is judged only by hand.
    """
    return target.aggregation != Target.Aggregation.SUM or (
        report.unit_id == target.resolution.issuer_id
    )


def evaluation_of(
    report: Report, target: Target, value: Decimal | None, *, override: str = ""
) -> Evaluation:
    """How a figure of this report measures up to the target, by the campaign's kind and
    reviewed date: the one judgement the page, the documents and the drafts use."""
    campaign = report.campaign
    return evaluate(
        target=target,
        value=value if is_judged_here(target, report) else None,
        interim=campaign.kind == Campaign.Kind.INTERIM,
        as_of=campaign.reviewed_to,
        override=override,
        milestones=list(target.milestones.all()),
    )


def goals_of(report: Report, targets: list[Target]) -> dict[int, Target]:
    """{target id: the target whose goal judges this report's figure}: the unit's own
    target that makes it concrete (`own_targets`), else the target itself. A
    department's report is judged by its unit's goals."""
    own = own_targets(unit_id=report.unit_id, targets=targets)
    return {target.pk: own.get(target.pk, target) for target in targets}


def evaluations(*, report: Report, targets: list[Target] | None = None) -> list[EvaluationRow]:
    """Each target with the report's figure (an empty one if none yet) and its assessment."""
    figures = {figure.target_id: figure for figure in report.figures.all()}
    if targets is None:
        targets = report_targets(report.campaign, report.unit)
    goals = goals_of(report, targets)
    rows = []
    for target in targets:
        figure = figures.get(target.pk) or Figure(report=report, target=target)
        goal = goals[target.pk]
        evaluation = evaluation_of(report, goal, figure.value, override=figure.assessment_override)
        above = goal.resolution.issuer_id != report.unit_id
        rows.append(EvaluationRow(target, figure, evaluation, goal, above))
    return rows


def due_on(report: Report) -> datetime.date | None:
    """The report's deadline: its level's in the plan, or the one a federation above the
    unit set in deploying it (campaigns.deadlines); a department's, in the plan."""
    if report.department_id is None:
        return report_dates(report.campaign).due_on(report.unit.kind_id, report.unit.path)
    deadlines = Deadline.objects.filter(
        milestone__campaign=report.campaign, is_report=True, for_departments=True
    )
    return deadlines.order_by("due_on").values_list("due_on", flat=True).first()


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    after: str


def version_changes(report: Report) -> list[Change]:
    """What the latest submission changed since the one before it."""
    versions = list(report.versions.order_by("-number")[:2])
    if len(versions) < 2:
        return []
    after, before = versions[0].content, versions[1].content
    headings = {
        str(s.pk): f"{s.number} {s.heading}".strip()
        for s in report_outline(report.campaign, report.unit)
    }
    changes = []
    for part in ("sections", "figures", "items"):
        old, new = before.get(part, {}), after.get(part, {})
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                label = headings.get(key, key) if part == "sections" else key
                changes.append(Change(label, _show(old.get(key)), _show(new.get(key))))
    return changes


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
    return str(value)


@dataclass(frozen=True)
class ReportSlot:
    """A report the user writes or submits: their unit's, or their department's."""

    unit: Unit
    department: Department | None
    report: Report | None


def own_report_slots(*, user: User, campaign: Campaign) -> list[ReportSlot]:
    participating = participating_units(campaign=campaign)
    roles = (
        workflow.writing_roles()
        .filter(user=user, unit__in=participating)
        .select_related("unit", "department")
    )
    existing = {
        (report.unit_id, report.department_id): report
        for report in Report.objects.filter(campaign=campaign, unit__in=[r.unit_id for r in roles])
    }
    slots = {}
    for role in roles:
        key = (role.unit_id, role.department_id)
        slots[key] = ReportSlot(role.unit, role.department, existing.get(key))
    return list(slots.values())


def _sends() -> QuerySet[Transition]:
    return Transition.objects.filter(action=Transition.Action.SUBMIT).order_by("-at", "-pk")


def reports_to_review(*, user: User, campaign: Campaign) -> QuerySet[Report]:
    """Submitted reports addressed to the user's own level: from the units directly
    below their role units, and from those units' departments. (A role allows review
    deeper down too, but that is the level below's work to do first.)"""
    reviewable = workflow.reviewing_units(user).values("pk")
    own_roles = Role.objects.filter(user=user)
    return (
        Report.objects.filter(campaign=campaign, state=Report.State.SUBMITTED)
        .filter(
            Q(department__isnull=True, unit__parent__in=reviewable)
            | Q(department__isnull=False, unit__in=reviewable)
        )
        # Nobody reviews their own report, nor one they sent (workflow.can_review).
        .exclude(department__in=own_roles.filter(department__isnull=False).values("department_id"))
        .exclude(
            department__isnull=True,
            unit__in=workflow.writing_roles()
            .filter(user=user, department__isnull=True)
            .values("unit_id"),
        )
        .alias(last_sender=Subquery(_sends().filter(report_id=OuterRef("pk")).values("by_id")[:1]))
        .exclude(last_sender=user.pk)
        .select_related("unit__kind", "department")
        .order_by("unit__path", "department__order")
    )


# Every unit below, one click away: the units under a reviewer's level, each with its
# report's state, and the units a reminder reaches.

# The filter on a unit's state: "not_started" for a unit without a report, or a state.
NOT_STARTED = "not_started"
UNIT_STATES = (NOT_STARTED, *Report.State.values)
# A unit whose report is still to come: none yet, or one with its unit to write (a draft,
# a withdrawn one, one returned to be mended).
REMINDABLE = Report.EDITABLE_STATES
UNITS_PER_PAGE = 50


def _writers_at(unit_field: str = "pk"):
    """Whether the unit (`unit_field` of the outer row) has anyone, with an account in
    use, who writes its report: whom a reminder reaches (workflow.writing_roles)."""
    return Exists(
        workflow.writing_roles().filter(
            unit_id=OuterRef(unit_field), department__isnull=True, user__is_active=True
        )
    )


def _returns() -> QuerySet[Transition]:
    """Reports given back to their unit, the latest first: returned by the level above,
    or reopened after they were accepted."""
    return Transition.objects.filter(to_state=Report.State.RETURNED).order_by("-at", "-pk")


def _return_reason(report_field: str):
    """The reason of the report's latest return, as a subquery."""
    return Subquery(_returns().filter(report_id=OuterRef(report_field)).values("reason")[:1])


def expected_below(
    *,
    campaign: Campaign,
    roots: list[Unit],
    within: Unit | None = None,
    rules: counts.Basis | None = None,
) -> QuerySet[Unit]:
    """The units expected to report below any of `roots` (the roots themselves left out),
    or only within the subtree of `within` when given; each joined to its report.
    `rules`: the campaign's counts.basis, when the caller has read it already."""
    units = counts.expected_units(campaign, rules or counts.basis(campaign))
    below = Q(pk__in=[])
    for root in roots:  # a path range per root: one index scan each
        below |= _strictly_below(root)
    units = units.filter(below)
    if within is not None:
        units = units.filter(_strictly_below(within))
    return units


def _strictly_below(unit: Unit) -> Q:
    return Q(path__gt=unit.path, path__lt=path_upper_bound(unit.path))


def units_to_remind(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Among `units` (from `expected_below`), those whose report is still to come."""
    return units.filter(Q(report__pk__isnull=True) | Q(report__state__in=REMINDABLE))


@dataclass(frozen=True)
class UnitRow:
    """One unit below, as the reports page lists it."""

    unit: Unit
    due_on: datetime.date | None
    report_id: int | None
    state: str | None  # None: no report started
    first_submitted_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    return_reason: str | None
    has_people: bool
    today: datetime.date

    @property
    def state_label(self) -> str:
        return str(Report.State(self.state).label) if self.state else ""

    @property
    def days_late(self) -> int:
        return lateness.days_late(self.first_submitted_at, self.due_on)

    @property
    def days_overdue(self) -> int:
        return lateness.days_overdue(self.first_submitted_at, self.due_on, self.today)

    @property
    def can_be_reminded(self) -> bool:
        return self.state is None or self.state in REMINDABLE


@dataclass(frozen=True)
class UnitPage:
    rows: list[UnitRow]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _expected_count(campaign: Campaign, tops: list[Unit], kind_id: int | None) -> int:
    """How many units are expected below `tops` (of one level, if given), read from the
    completeness counts rather than counted again."""
    counts.ensure(campaign)
    rows = CompletenessCount.objects.filter(campaign=campaign, ancestor__in=tops)
    if kind_id is not None:
        rows = rows.filter(kind_id=kind_id)
    return rows.aggregate(total=Sum("expected"))["total"] or 0


def units_below(
    *,
    campaign: Campaign,
    roots: list[Unit],
    within: Unit | None = None,
    kind_id: int | None = None,
    state: str | None = None,
    page: int = 1,
    per_page: int = UNITS_PER_PAGE,
) -> UnitPage:
    """A page of the units expected to report below `roots`, in tree order (each unit
    followed by the units below it: the path index gives a page without sorting them
    all), each with its report's state, dates, lateness and return reason: the total
    from the running counts (or a count, for one state) and one query for the page."""
    rules = counts.basis(campaign)  # read once: with hundreds of deployments, tens of ms
    units = expected_below(campaign=campaign, roots=roots, within=within, rules=rules)
    if kind_id is not None:
        units = units.filter(kind_id=kind_id)
    # `report` is the FilteredRelation of counts.expected_units, unknown to django-stubs.
    if state == NOT_STARTED:
        units = units.filter(Q(report__pk__isnull=True))
    elif state in Report.State.values:
        units = units.filter(Q(report__state=state))
    if state is None:  # every state: the running counts know how many (a few rows)
        total = _expected_count(campaign, [within] if within else roots, kind_id)
    else:
        total = units.count()
    pages = max(1, -(-total // per_page))
    number = min(max(page, 1), pages)
    start = (number - 1) * per_page
    rows = (
        units.select_related("kind", "parent")
        .annotate(
            report_pk=F("report__pk"),
            report_state=F("report__state"),
            report_first_submitted_at=F("report__first_submitted_at"),
            report_submitted_at=F("report__submitted_at"),
            return_reason=_return_reason("report__pk"),
            has_people=_writers_at(),
        )
        .order_by("path")[start : start + per_page]
    )
    dates = rules.dates
    today = lateness.today()
    return UnitPage(
        rows=[
            UnitRow(
                unit=unit,
                due_on=dates.due_on(unit.kind_id, unit.path),
                report_id=unit.report_pk,
                state=unit.report_state,
                first_submitted_at=unit.report_first_submitted_at,
                submitted_at=unit.report_submitted_at,
                return_reason=unit.return_reason
                if unit.report_state == Report.State.RETURNED
                else None,
                has_people=unit.has_people,
                today=today,
            )
            for unit in rows
        ],
        number=number,
        pages=pages,
        total=total,
    )


def unit_kinds_below(*, campaign: Campaign, roots: list[Unit]) -> list:
    """The levels the unit list can be filtered by: those expected below `roots`."""
    kind_ids = expected_below(campaign=campaign, roots=roots).values("kind_id")
    return list(UnitKind.objects.filter(pk__in=kind_ids).order_by("rank", "name"))


def last_return_reason(report: Report) -> str | None:
    """Why the report was returned, when it is returned now."""
    if report.state != Report.State.RETURNED:
        return None
    return _returns().filter(report=report).values_list("reason", flat=True).first()


@dataclass(frozen=True)
class DueItem:
    """Something due from the person: a deadline of one of their units or departments,
    with the report it asks for and where that report truly stands."""

    campaign: Campaign
    deadline: Deadline | None  # None: a returned report with no deadline of its level
    unit: Unit
    department: Department | None
    report: Report | None
    return_reason: str | None
    today: datetime.date

    @property
    def name(self) -> str:
        return str(self.department or self.unit)

    @property
    def due_on(self) -> datetime.date | None:
        return self.deadline.due_on if self.deadline else None

    @property
    def state(self) -> str | None:
        return self.report.state if self.report else None

    @property
    def is_sent(self) -> bool:
        return self.state in (Report.State.SUBMITTED, Report.State.ACCEPTED)

    @property
    def overdue(self) -> bool:
        """A report overdue by the one rule (lateness.py: never sent, and past its date; a
        report first sent on time and returned since is not late); a deliverable that is
        no report is simply past."""
        if self.deadline is None or self.is_sent:
            return False
        if self.deadline.is_report:
            sent_at = self.report.first_submitted_at if self.report else None
            return lateness.is_overdue(sent_at, self.deadline.due_on, self.today)
        return lateness.is_past(self.deadline.due_on, self.today)


def due_for(*, user: User, campaigns: QuerySet[Campaign]) -> list[DueItem]:
    """What is due from the person's units and departments in these campaigns, each
    with its report's true state: every deadline of their level, their unit's report
    where their level has none, and every report returned to them to mend."""
    roles = list(
        workflow.writing_roles().filter(user=user).select_related("unit__kind", "department")
    )
    units = {role.unit_id: role.unit for role in roles if role.department_id is None}
    departments = {role.department_id: role for role in roles if role.department_id}
    by_kind: dict[int, list[Unit]] = {}
    for unit in units.values():
        by_kind.setdefault(unit.kind_id, []).append(unit)
    owners = {role.unit_id for role in departments.values()}
    deadlines = (
        Deadline.objects.filter(
            milestone__campaign__in=campaigns, milestone__campaign__state=Campaign.State.ISSUED
        )
        .filter(
            Q(unit_kind__in=by_kind)
            | Q(for_departments=True, milestone__campaign__owner__in=owners)
        )
        .select_related("milestone__campaign__owner")
        .order_by("due_on", "pk")
    )
    reports = {
        (report.campaign_id, report.unit_id, report.department_id): report
        for report in Report.objects.filter(campaign__in=campaigns)
        .filter(
            Q(unit__in=list(units), department__isnull=True) | Q(department__in=list(departments))
        )
        .annotate(return_reason=_return_reason("pk"))
    }
    today = lateness.today()
    items, listed = [], set()

    def add(campaign, deadline, unit, department):
        key = (campaign.pk, unit.pk, department.pk if department else None)
        report = reports.get(key)
        if deadline is None or deadline.is_report:
            listed.add(key)
        items.append(
            DueItem(
                campaign=campaign,
                deadline=deadline,
                unit=unit,
                department=department,
                report=report if deadline is None or deadline.is_report else None,
                return_reason=report.return_reason
                if report is not None and report.state == Report.State.RETURNED
                else None,
                today=today,
            )
        )

    plans: dict[int, Campaign] = {}
    dates: dict[int, ReportDates] = {}
    for deadline in deadlines:
        campaign = deadline.milestone.campaign
        if campaign.pk not in plans:
            plans[campaign.pk] = plan_of(campaign)
        plan = plans[campaign.pk]
        if plan.pk not in dates:  # once a plan, not once for it and each deployment
            dates[plan.pk] = report_dates(plan)
        if deadline.for_departments:
            if campaign.is_deployment:
                continue  # the thematic reports are the plan's owner's departments'
            for role in departments.values():
                if role.unit_id == campaign.owner_id:
                    add(campaign, deadline, role.unit, role.department)
            continue
        for unit in by_kind.get(deadline.unit_kind_id or 0, []):
            if deadline.is_report:
                # The report is written under the plan, by the date that applies to the
                # unit: its level's in the plan, or its federation's in deploying it.
                if dates[plan.pk].deadline_id(unit.kind_id, unit.path) == deadline.pk:
                    add(plan, deadline, unit, None)
            elif dates[plan.pk].plan_for(unit.path) == campaign.pk:
                # What else is due: from the nearest plan above the unit, whose timeline
                # (its federation's copy, maybe changed) speaks to it.
                add(campaign, deadline, unit, None)
    # A level the timeline gives no date (the demo's grassroots unions) still has its
    # report to write: listed without a date, with its state.
    for campaign in [c for c in campaigns if not c.is_deployment] if units else []:
        taking_part = participating_units(campaign=campaign).filter(pk__in=list(units))
        for unit_id in taking_part.values_list("pk", flat=True):
            if (campaign.pk, unit_id, None) not in listed:
                add(campaign, None, units[unit_id], None)
    campaigns_by_pk = {campaign.pk: campaign for campaign in campaigns}
    for key, report in reports.items():
        if key in listed or report.state != Report.State.RETURNED:
            continue
        if report.department_id is not None:
            role = departments[report.department_id]
            add(campaigns_by_pk[report.campaign_id], None, role.unit, role.department)
        else:
            add(campaigns_by_pk[report.campaign_id], None, units[report.unit_id], None)
    # What must be mended first, then by date.
    items.sort(key=lambda item: (item.return_reason is None, item.due_on or datetime.date.max))
    return items
