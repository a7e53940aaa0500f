"""The reports' part in the changes of the tree and of campaigns below them: the running
completeness counts and rollup totals follow every unit created, closed, reopened or
moved, and every campaign whose participation, period or deadlines change.

Registered with `orgs.hooks` and `campaigns.hooks` when the app starts (apps.py): the
lower apps call these without knowing of reports."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.db.models import Q

from soket.campaigns.deadlines import plan_of
from soket.campaigns.models import Campaign, OutlineSection
from soket.orgs.models import Unit
from soket.reports import counts, rollup, tasks
from soket.reports.models import SectionText


class TreeFollower:
    def units_created(self, unit_ids: list[int]) -> None:
        counts.units_created(unit_ids)

    def changing(self, units: Callable[[], Q]) -> contextlib.AbstractContextManager[None]:
        return counts.recounting(units)

    def unit_rehung(self, unit: Unit, *, old_parent_id: int | None) -> None:
        rollup.unit_rehung(unit, old_parent_id=old_parent_id)

    def bulk_change(self) -> contextlib.AbstractContextManager[None]:
        return counts.bulk_change()


class CampaignFollower:
    # A deployed plan's dates count in the plan its units report under.
    def basis(self, campaign: Campaign) -> tuple:
        return counts.counting_basis(plan_of(campaign))

    def changed(self, campaign: Campaign) -> None:
        if campaign.is_deployment:  # only the dates below its federation moved
            counts.dates_changed_below(plan_of(campaign), campaign.owner)
        else:
            counts.campaign_changed(campaign)

    def announce(
        self,
        campaign: Campaign,
        *,
        key: str,
        text: str,
        kind_ids: list[int],
        departments: bool,
        report_date_kinds: list[int],
    ) -> None:
        # Enqueued in the change's transaction: told exactly when the change stands.
        tasks.announce_campaign.enqueue(
            campaign_id=campaign.pk, key=key, text=text, kind_ids=kind_ids,
            departments=departments, report_date_kinds=report_date_kinds,
        )  # fmt: skip

    def written_sections(self, section_ids: list[int]) -> list[str]:
        written = SectionText.objects.filter(section_id__in=section_ids).exclude(text="")
        return list(
            OutlineSection.objects.filter(pk__in=written.values("section_id"))
            .order_by("order")
            .values_list("heading", flat=True)
        )
