"""The campaign lock that keeps the running totals and counts right while reports move.

A report's transition changes the rollup totals and completeness counts by a difference;
a rebuild or a recount reads the reports and writes what it found. A difference written
between that read and that write would be lost, or counted twice. So on PostgreSQL a
transition takes its campaign's row FOR KEY SHARE before it changes them (transitions do
not wait for one another), and a rebuild or recount takes it FOR UPDATE before it reads
(it waits for the transitions under way, and the ones that follow wait for it). SQLite
runs one writing transaction at a time (BEGIN IMMEDIATE), which gives the same order.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from soket.campaigns.models import Campaign


def share(campaign_ids: Iterable[int]) -> None:
    """Taken by a transition, just before it changes its campaign's totals and counts."""
    ids = sorted(set(campaign_ids))
    if connection.vendor != "postgresql" or not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Campaign._meta.db_table} WHERE id = ANY(%s) ORDER BY id "
            "FOR KEY SHARE",
            [ids],
        )


def exclusive(campaign_ids: Iterable[int] | None = None) -> list[int]:
    """Taken by a rebuild or a recount before it reads; None: every campaign, in one order.

    Returns the ids locked."""
    campaigns = Campaign.objects.select_for_update().order_by("pk")
    if campaign_ids is not None:
        campaigns = campaigns.filter(pk__in=list(campaign_ids))
    return list(campaigns.values_list("pk", flat=True))
