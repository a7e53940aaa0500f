"""A task whose worker died or outlived its lease is run again, by our own worker."""

import datetime
import os
import signal
import subprocess
import sys
from io import StringIO

from django.core.management import call_command
from django.test import SimpleTestCase, TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from soket.core import worker
from soket.notices.tasks import deliver_mail

LEASE = 15 * 60


def exited_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


class WorkerLivenessTestCase(SimpleTestCase):
    def test_only_a_process_of_this_host_that_no_longer_runs_is_known_dead(self):
        me = worker.process_id()
        host, pid, incarnation = me.split(":")
        self.assertEqual((host, int(pid)), (worker.HOST, os.getpid()))
        self.assertFalse(worker.is_dead(me))
        self.assertTrue(worker.is_dead(f"{host}:{pid}:{'0' * len(incarnation)}"))  # restarted
        self.assertTrue(worker.is_dead(f"{host}:{exited_pid()}:abcd"))
        self.assertFalse(worker.is_dead(f"another-host:{exited_pid()}:abcd"))
        self.assertFalse(worker.is_dead("k3Fq9wRandomIdOfPlainDbWorker0000"))

    def test_a_child_killed_but_not_yet_reaped_is_dead_and_a_sleeping_one_is_not(self):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        self.addCleanup(child.wait)
        claimer = f"{worker.HOST}:{child.pid}:abcd"
        self.assertFalse(worker.is_dead(claimer))
        os.kill(child.pid, signal.SIGKILL)
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # dead, still unreaped
        self.assertTrue(worker.is_dead(claimer))


@override_settings(SOKET_TASK_LEASE_SECONDS=LEASE)
class TaskRecoveryTestCase(TransactionTestCase):
    def running(self, *, claimed_by: str, minutes_ago: float) -> DBTaskResult:
        task = DBTaskResult.objects.get(id=deliver_mail.enqueue().id)
        task.claim(claimed_by)
        started_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
        DBTaskResult.objects.filter(id=task.id).update(started_at=started_at)
        return task

    def status(self, task: DBTaskResult) -> str:
        task.refresh_from_db()
        return task.status

    def test_a_task_crashed_past_its_lease_or_by_a_dead_worker_is_put_back(self):
        past_lease = self.running(claimed_by="other-host:17:abcd", minutes_ago=LEASE / 60 + 1)
        dead_worker = self.running(claimed_by=f"{worker.HOST}:{exited_pid()}:ab", minutes_ago=1)
        elsewhere = self.running(claimed_by="other-host:18:abcd", minutes_ago=1)
        this_one = self.running(claimed_by=worker.process_id(), minutes_ago=1)

        self.assertEqual(worker.recover_tasks(), 2)

        self.assertEqual(self.status(past_lease), TaskResultStatus.READY)
        self.assertEqual(self.status(dead_worker), TaskResultStatus.READY)
        self.assertEqual(self.status(elsewhere), TaskResultStatus.RUNNING)  # may still run
        self.assertEqual(self.status(this_one), TaskResultStatus.RUNNING)

    def test_our_worker_recovers_a_crashed_task_at_start_up_and_runs_it(self):
        crashed = self.running(claimed_by="other-host:17:abcd", minutes_ago=LEASE / 60 + 1)
        quiet = StringIO()

        call_command("worker", "--batch", "--no-startup-delay", stdout=quiet, stderr=quiet)

        crashed.refresh_from_db()
        self.assertEqual(crashed.status, TaskResultStatus.SUCCESSFUL)
        first, second = crashed.worker_ids
        self.assertEqual(first, "other-host:17:abcd")
        self.assertEqual(second, worker.process_id())  # named after this host and process
        self.assertFalse(DBTaskResult.objects.running().exists())
