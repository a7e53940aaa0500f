"""The reports' part in the changes of the tree and of campaigns below them: the running
completeness counts and rollup totals follow every unit created, closed, reopened or
moved, and every campaign whose participation, period or deadlines change.

Registered with `orgs.hooks` and `campaigns.hooks` when the app starts (apps.py): the
lower apps call these without knowing of reports."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.db.models import Q

from soket.campaigns.models import Campaign
from soket.orgs.models import Unit
from soket.reports import counts, rollup


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
    def basis(self, campaign: Campaign) -> tuple:
        return counts.counting_basis(campaign)

    def changed(self, campaign: Campaign) -> None:
        counts.campaign_changed(campaign)
