"""Reads of campaigns, always scoped to what the user may see."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet

from soket.campaigns.access import visible_campaigns
from soket.campaigns.models import (
    Campaign,
    OutlineSection,
    PlanSection,
    SteeringMember,
)
from soket.orgs.access import Perm, role_units
from soket.orgs.models import Unit, UnitKind, User
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


def outline_choices(campaign: Campaign) -> tuple[QuerySet[Target], QuerySet[ReviewItem]]:
    """What an outline section may ask units to report on: the targets of the resolutions
    the campaign reviews, and the items it reviews with them."""
    targets = Target.objects.filter(resolution__in=campaign.resolutions.all())
    return (
        targets.select_related("resolution").order_by("resolution__pk", "order", "code"),
        campaign.review_items.order_by("code"),
    )
