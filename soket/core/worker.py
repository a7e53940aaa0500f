"""The background runner: who a worker is, and putting back the tasks a dead one left.

django-tasks-db marks a task RUNNING when a worker takes it and never looks at it again,
so a worker killed mid-task (kill -9, out of memory, a reboot) leaves it RUNNING for ever
and its work is never done. Soket's worker (`manage.py worker`) is django-tasks-db's own,
plus one thing: at start-up and after each task it puts back to READY every task left
RUNNING longer than its lease (SOKET_TASK_LEASE_SECONDS), or by a worker known to be
dead — one that names this host and a process that no longer runs.

A task put back runs again from its start, and a task that outlives its lease may run
beside its first run. So every Soket task must be safe to run twice, or twice at once:
it finds its work in the database (rows not yet done), claims it there before doing it,
and marks it done where it did it — never "do everything I was given".
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import socket
from pathlib import Path

from django.conf import settings
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.compat import Task, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger("soket.worker")

HOST = socket.gethostname()[:40]
# Tells this process apart from an earlier one that had the same pid (a restarted
# container's worker is often pid 1 again).
_INCARNATION = secrets.token_hex(4)


def process_id() -> str:
    """This process as `host:pid:incarnation`, the name it claims work under."""
    return f"{HOST}:{os.getpid()}:{_INCARNATION}"


def is_dead(claimer: str) -> bool:
    """Whether the process named by `claimer` is known to have stopped.

    Only a process of this host can be known dead; for any other (another host, an id
    that is not ours) this says False and only the lease can free its work. Workers that
    share a host name must share a process namespace (not two containers with one name).
    """
    host, _, rest = claimer.partition(":")
    pid, _, incarnation = rest.partition(":")
    if host != HOST or not pid.isdigit() or not incarnation:
        return False
    if int(pid) == os.getpid():
        return incarnation != _INCARNATION
    return not _runs(int(pid))


def _runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    # A killed process its parent has not yet reaped is a zombie: it runs no more.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust kill()
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def recover_tasks() -> int:
    """Put back to READY the tasks left RUNNING past their lease or by a dead worker.

    Returns how many. The choice and the change are one exclusive transaction, so a
    task cannot be claimed by a new worker between them.
    """
    lease_start = timezone.now() - datetime.timedelta(seconds=settings.SOKET_TASK_LEASE_SECONDS)
    running = DBTaskResult.objects.running()
    try:
        with exclusive_transaction(running.db):
            rows = running.select_for_update().values_list("id", "started_at", "worker_ids")
            lost = [
                pk
                for pk, started_at, worker_ids in rows
                if started_at is None
                or started_at < lease_start
                or (worker_ids and is_dead(worker_ids[-1]))
            ]
            if lost:
                running.filter(id__in=lost).update(status=TaskResultStatus.READY, started_at=None)
    except OperationalError as error:
        if not is_locked_database_exception(error):
            raise
        return 0  # another worker holds the database; the next call will do it
    for pk in lost:
        logger.warning("Task %s was left running by a lost worker: it will run again.", pk)
    return len(lost)


class RecoveringWorker(Worker):
    """django-tasks-db's worker, recovering lost tasks at start-up and after each task."""

    def run(self) -> None:
        recover_tasks()
        super().run()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        finally:
            recover_tasks()


def enqueue_once(task: Task, *, run_after: datetime.datetime | None = None) -> bool:
    """Enqueue `task` (to run at `run_after`, or now) unless a run of it is already
    waiting to start by then; returns whether one was enqueued.

    Two callers racing may both enqueue: the tasks using this are safe to run twice,
    so that only costs a run that finds nothing to do.
    """
    if run_after is not None and run_after <= timezone.now():
        run_after = None
    by = run_after or timezone.now()
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=task.module_path, backend_name=task.backend
    ).filter(Q(run_after=get_date_max()) | Q(run_after__lte=by))
    if waiting.exists():
        return False
    (task.using(run_after=run_after) if run_after else task).enqueue()
    return True
