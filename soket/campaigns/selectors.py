"""Reads of campaigns, always scoped to what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from soket import access
from soket.campaigns.models import (
    Campaign,
    Deadline,
    OutlineSection,
    PlanSection,
    SteeringMember,
)
from soket.core import clock
from soket.orgs.models import Role, Unit, UnitKind, User


def campaign_list_for(*, user: User) -> QuerySet[Campaign]:
    return access.visible_campaigns(user).select_related("owner")


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
            Prefetch(
                "outline_sections",
                queryset=OutlineSection.objects.filter(parent__isnull=True).prefetch_related(
                    "subsections__targets", "subsections__review_items", "targets", "review_items"
                ),
                to_attr="top_outline",
            ),
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
        subtree = Unit.objects.subtree_of(participation.root)
        condition |= Q(pk__in=subtree.filter(kind__in=participation.kinds.all()).values("pk"))
    units = Unit.objects.filter(condition)
    return units.active_on(on) if on else units


@dataclass(frozen=True)
class DueItem:
    campaign: Campaign
    deadline: Deadline
    unit_name: str

    @property
    def overdue(self) -> bool:
        return self.deadline.due_on < clock.today()


def due_items_for(*, user: User, campaigns: QuerySet[Campaign]) -> list[DueItem]:
    """What each of the user's units (or departments) must deliver in these campaigns."""
    roles = Role.objects.filter(user=user).select_related("unit__kind", "department")
    kinds = {role.unit.kind_id: role.unit for role in roles if role.department_id is None}
    department_units = {role.unit_id: role.department for role in roles if role.department_id}
    deadlines = (
        Deadline.objects.filter(milestone__campaign__in=campaigns)
        .filter(
            Q(unit_kind__in=kinds.keys())
            | Q(for_departments=True, milestone__campaign__owner__in=department_units.keys())
        )
        .select_related("milestone__campaign", "unit_kind")
    )
    items = []
    for deadline in deadlines:
        campaign = deadline.milestone.campaign
        if deadline.for_departments:
            name = str(department_units[campaign.owner_id])
        else:
            name = str(kinds[deadline.unit_kind_id])
        items.append(DueItem(campaign=campaign, deadline=deadline, unit_name=name))
    return items
