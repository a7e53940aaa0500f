"""Telling units of a plan issued or amended above them: the writers and senders of the
participating units of the levels concerned (and the owner's departments), each once.

Run by the background runner (tasks.announce_campaign), as a national plan reaches
hundreds of thousands of people: a chunk of people per transaction, and safe to run
twice or after a crash, since every notice carries its key.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q, QuerySet
from django.urls import reverse

from soket.campaigns.deadlines import report_dates
from soket.campaigns.models import Campaign
from soket.campaigns.selectors import participating_units
from soket.notices.services import notify_all
from soket.orgs.models import User
from soket.reports import lateness, workflow


def people_told(
    campaign: Campaign,
    *,
    kind_ids: list[int],
    departments: bool,
    report_date_kinds: Sequence[int] = (),
) -> QuerySet[User]:
    """The writers and senders of the units concerned; of the levels whose report date
    alone moved, only those of the units that date is for (campaigns.deadlines)."""
    dates = report_dates(campaign) if report_date_kinds else None
    concerned = Q(pk__in=[])
    for kind_id in kind_ids:
        if dates is not None and kind_id in report_date_kinds:
            concerned |= dates.governed_by(campaign.pk, kind_id)
        else:
            concerned |= Q(kind_id=kind_id)
    units = participating_units(campaign=campaign, on=lateness.today()).filter(concerned)
    roles = workflow.of_units(workflow.writing_roles(), units)
    if departments:
        roles = roles | workflow.writing_roles().filter(
            unit_id=campaign.owner_id, department__isnull=False
        )
    return workflow.holders(roles)


def announce(
    *,
    campaign_id: int,
    key: str,
    text: str,
    kind_ids: list[int],
    departments: bool,
    report_date_kinds: Sequence[int] = (),
) -> int:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    people = people_told(
        campaign, kind_ids=kind_ids, departments=departments, report_date_kinds=report_date_kinds
    )
    url = reverse("campaign_detail", args=[campaign.pk])
    return notify_all(users=people, text=text, url=url, key=key)
