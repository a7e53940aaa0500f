"""What a report's transition does to the running rollup totals and completeness counts.

A transition (services._move) only records what moved. The totals and counts change at
the end of the outermost service's transaction (`applied_last`): after its versions,
audit entries and notices, under the campaign's shared lock (locking.py), in one fixed
order — rollup rows by parent, then counts from the deepest unit up to the top. So
concurrent submissions cannot deadlock on them, and the top unit's counts, which every
submission in a campaign changes, are held only from the last statements to the commit.
Who is expected and under which parent is read then, under the lock, so a recount or a
rebuild (which hold it exclusively) never loses a transition's difference.
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections.abc import Callable

from django.db import connection, transaction

from soket.campaigns.models import Campaign
from soket.reports import counts, locking, rollup
from soket.reports.models import Report

_pending = threading.local()  # per thread, as Django's connections: a stack of lists


def _stack() -> list[list[counts.Moved]]:
    if not hasattr(_pending, "stack"):
        _pending.stack = []
    return _pending.stack


def applied_last(service: Callable) -> Callable:
    """Put under @transaction.atomic: the transitions the service makes change the totals
    and counts when it has done everything else. A nested service hands its own to the
    outer one, or drops them when it fails (its savepoint is rolled back too)."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        stack = _stack()
        stack.append([])
        try:
            result = service(*args, **kwargs)
        except BaseException:
            stack.pop()
            raise
        moves = stack.pop()
        if stack:
            stack[-1].extend(moves)
        else:
            apply(moves)
        return result

    return wrapper


def report_moved(
    report: Report, *, from_state: str, first_submitted_before: datetime.datetime | None
) -> None:
    """Record a transition that has just been written (`report` as it is now)."""
    moved = counts.Moved(
        report_id=report.pk,
        campaign_id=report.campaign_id,
        unit_id=report.unit_id,
        department_id=report.department_id,
        from_state=from_state,
        to_state=report.state,
        first_submitted_before=first_submitted_before,
        first_submitted_after=report.first_submitted_at,
    )
    stack = _stack()
    if stack:
        stack[-1].append(moved)
    else:
        apply([moved])


@transaction.atomic
def apply(moves: list[counts.Moved]) -> None:
    if not moves:
        return
    locking.share(move.campaign_id for move in moves)
    rollup.reports_moved((move.report_id, move.from_state, move.to_state) for move in moves)
    counts.reports_moved(moves)


@transaction.atomic
def rebuild(*, campaign: Campaign) -> tuple[int, int]:
    """Recompute a campaign's rollup totals and completeness counts, safely while reports
    move; returns how many rows of each were written."""
    locking.exclusive([campaign.pk])
    return rollup.rebuild(campaign=campaign), counts.rebuild(campaign)


def drift(*, campaign: Campaign) -> list[str]:
    """Every difference between the stored totals and counts and a recomputation, read
    in one snapshot (so reports moving meanwhile show no false difference)."""
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction and connection.vendor == "postgresql":
            # The first statement of the transaction: one snapshot for all that follows.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        found = rollup.drift(campaign)
        if counts.is_counted(campaign.pk):
            found += counts.drift(campaign)
        return found
