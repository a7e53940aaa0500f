"""Reads of reports, scoped to what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from soket import access
from soket.campaigns.models import Campaign, Deadline, OutlineSection
from soket.campaigns.selectors import participating_units
from soket.orgs.models import Department, Role, Unit, User
from soket.reports.assessment import Evaluation, evaluate
from soket.reports.models import Figure, Report
from soket.resolutions.models import Target


def report_list_for(*, user: User) -> QuerySet[Report]:
    return access.visible_reports(user).select_related("campaign", "unit__kind", "department")


def report_detail_for(*, user: User, pk: int) -> Report:
    return report_list_for(user=user).get(pk=pk)


def report_targets(campaign: Campaign) -> list[Target]:
    """The targets every report of the campaign gives figures for: those the outline links."""
    return list(
        Target.objects.filter(outline_sections__campaign=campaign)
        .select_related("resolution")
        .prefetch_related("milestones")
        .distinct()
        .order_by("resolution__term_start_year", "resolution_id", "order", "code")
    )


def outline_sections(campaign: Campaign) -> list[OutlineSection]:
    return list(campaign.outline_sections.prefetch_related("targets", "review_items"))


@dataclass(frozen=True)
class EvaluationRow:
    target: Target
    figure: Figure
    evaluation: Evaluation


def is_judged_here(target: Target, report: Report) -> bool:
    """Whether the goal applies to this report's own figure.

    A rate or a share compares at any level. A summed goal belongs to the level that set
    it (and its departments): a district's part of a provincial total is a contribution,
    not a result to grade, so below that level it is judged only by hand.
    """
    return target.aggregation != Target.Aggregation.SUM or (
        report.unit_id == target.resolution.issuer_id
    )


def evaluations(*, report: Report, targets: list[Target] | None = None) -> list[EvaluationRow]:
    """Each target with the report's figure (an empty one if none yet) and its assessment."""
    campaign = report.campaign
    figures = {figure.target_id: figure for figure in report.figures.all()}
    rows = []
    for target in targets if targets is not None else report_targets(campaign):
        figure = figures.get(target.pk) or Figure(report=report, target=target)
        evaluation = evaluate(
            target=target,
            value=figure.value if is_judged_here(target, report) else None,
            interim=campaign.kind == Campaign.Kind.INTERIM,
            as_of=campaign.reviewed_to,
            override=figure.assessment_override,
            milestones=list(target.milestones.all()),
        )
        rows.append(EvaluationRow(target, figure, evaluation))
    return rows


def due_on(report: Report) -> datetime.date | None:
    """The report's deadline, from the campaign's timeline for its level."""
    deadlines = Deadline.objects.filter(milestone__campaign=report.campaign, is_report=True)
    if report.department_id:
        deadlines = deadlines.filter(for_departments=True)
    else:
        deadlines = deadlines.filter(unit_kind=report.unit.kind_id)
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
        str(s.pk): f"{s.number} {s.heading}".strip() for s in report.campaign.outline_sections.all()
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
        Role.objects.filter(user=user)
        .exclude(kind=Role.Kind.VIEWER)
        .filter(unit__in=participating)
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


def reports_to_review(*, user: User, campaign: Campaign) -> QuerySet[Report]:
    """Submitted reports addressed to the user's own level: from the units directly
    below their role units, and from those units' departments. (A role allows review
    deeper down too, but that is the level below's work to do first.)"""
    reviewable = access.role_units(user, access.Perm.REVIEW).values("pk")
    own_roles = Role.objects.filter(user=user)
    return (
        Report.objects.filter(campaign=campaign, state=Report.State.SUBMITTED)
        .filter(
            Q(department__isnull=True, unit__parent__in=reviewable)
            | Q(department__isnull=False, unit__in=reviewable)
        )
        # Nobody reviews their own report (access.can_review_report says the same).
        .exclude(department__in=own_roles.filter(department__isnull=False).values("department_id"))
        .exclude(
            department__isnull=True,
            unit__in=own_roles.filter(department__isnull=True)
            .exclude(kind=Role.Kind.VIEWER)
            .values("unit_id"),
        )
        .select_related("unit__kind", "department")
        .order_by("unit__path", "department__order")
    )
