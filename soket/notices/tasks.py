"""The background runner's mail work (run by `manage.py worker`).

Safe to run twice, or twice at once, as every Soket task must be: a run sends only the
mails it has claimed in the database, and marks each sent as soon as the relay took it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from soket.core import worker
from soket.notices import delivery


@task()
def deliver_mail() -> dict:
    return deliver_and_follow_up()


def deliver_and_follow_up() -> dict:
    """Deliver what is due, for at most half a task lease (so the run never outlives its
    lease and runs twice at once), then leave a run waiting for whatever remains: now,
    or when the next retry falls due."""
    lease = datetime.timedelta(seconds=settings.SOKET_TASK_LEASE_SECONDS)
    result = delivery.deliver(stop_at=timezone.now() + lease / 2)
    at = delivery.next_run_at(result)
    if at is not None:
        request_delivery(at=at)
    return result.as_dict()


def request_delivery(*, at: datetime.datetime | None = None) -> None:
    """Have the runner deliver the outbox (at `at`, or now), unless a run is already
    waiting to start by then."""
    worker.enqueue_once(deliver_mail, run_after=at)
