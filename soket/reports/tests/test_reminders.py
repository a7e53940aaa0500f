import datetime
import os
import signal
import time
from io import StringIO

from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from soket.core import worker
from soket.notices.models import Notice, OutgoingMail
from soket.notices.testing import ManageProcess, SmtpSink, free_port, run_manage
from soket.orgs.models import Role, User
from soket.reports import reminders, services
from soket.reports.tasks import sweep_reminders
from soket.testing import CampaignTestCase, build_campaign, build_tree

D = datetime.date


@override_settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=3)
class RemindersTestCase(CampaignTestCase):
    def setUp(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_submit(report=report, by=self.alice, warnings_confirmed=True)
        Notice.objects.all().delete()  # the province was told of its arrival (test_workflow)

    def notices(self, user):
        return list(Notice.objects.filter(user=user).values_list("text", flat=True))

    def test_nothing_goes_out_before_the_first_step(self):
        self.assertEqual(reminders.sweep(today=D(2015, 12, 27)), 0)

    def test_the_units_that_have_not_submitted_are_reminded_once_per_step(self):
        reminders.sweep(today=D(2015, 12, 28))
        self.assertEqual(len(self.notices(self.bob)), 1)
        self.assertEqual(self.notices(self.alice), [])  # A1 has submitted
        self.assertEqual(reminders.sweep(today=D(2015, 12, 29)), 0)  # same step: once
        reminders.sweep(today=D(2015, 12, 31))
        self.assertEqual(len(self.notices(self.bob)), 2)

    def test_a_withdrawn_report_is_still_to_come_and_reminded(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_withdraw(report=report, by=self.alice)
        reminders.sweep(today=D(2015, 12, 28))
        self.assertEqual(len(self.notices(self.alice)), 1)

    def test_past_the_deadline_the_level_above_is_told(self):
        reminders.sweep(today=D(2016, 1, 3))
        [escalation] = self.notices(self.province_approver)
        self.assertIn("A2", escalation)
        self.assertIn("Chậm báo cáo", escalation)  # in Vietnamese, whatever was active
        self.assertNotIn("A1", escalation)
        self.assertIn("A2", self.notices(self.dave)[0])
        self.assertEqual(reminders.sweep(today=D(2016, 1, 4)), 0)

    def test_closed_units_are_not_reminded(self):
        from soket.testing import make_user

        closed_reporter = make_user("closed", self.grassroots_a1_closed, "reporter")
        reminders.sweep(today=D(2016, 1, 3))
        self.assertEqual(self.notices(closed_reporter), [])

    def test_departments_are_reminded_of_their_thematic_report(self):
        reminders.sweep(today=D(2016, 2, 29))
        self.assertEqual(len(self.notices(self.department_writer)), 1)

    def test_the_command_sweeps_as_on_a_date(self):
        out = StringIO()
        call_command("send_reminders", "--date", "2015-12-28", stdout=out)
        self.assertEqual(len(self.notices(self.bob)), 1)
        self.assertIn("Notices created: 1.", out.getvalue())


@override_settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=3)
class BackgroundRunnerTestCase(TransactionTestCase):
    """The sweep, enqueued, is run by django-tasks' real database worker."""

    def setUp(self):
        build_tree(self)
        build_campaign(self)

    def test_the_worker_sends_the_reminders(self):
        quiet = StringIO()
        call_command("send_reminders", "--enqueue", stdout=quiet)
        self.assertFalse(Notice.objects.filter(user=self.bob).exists())
        with self.settings(SOKET_SIMULATED_TODAY=D(2016, 1, 3)):
            call_command("worker", "--batch", "--no-startup-delay", stdout=quiet, stderr=quiet)
        self.assertEqual(Notice.objects.filter(user=self.bob).count(), 1)
        self.assertTrue(Notice.objects.filter(user=self.province_approver).exists())


SWEEP_DAY = {"SOKET_SIMULATED_TODAY": "2016-01-03"}  # districts' deadline + 3 days
REMINDER_STEPS = {"SOKET_REMINDER_DAYS_BEFORE": "3", "SOKET_REMINDER_DAYS_AFTER": "3"}


@override_settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=3)
class WorkerKilledDuringDeliveryTestCase(TransactionTestCase):
    """kill -9 of the runner in the middle of a sweep's e-mails loses none and repeats none.

    The runner is a real `manage.py worker` process on the test database, the relay a real
    SMTP server; the server kills the worker while it offers message KILL_AT, before
    accepting it, then a new worker is started as an operator (or systemd) would.
    """

    PEOPLE, KILL_AT = 300, 120

    def setUp(self):
        build_tree(self)
        build_campaign(self)
        late = User.objects.bulk_create(
            User(username=f"ct{i}", email=f"ct{i}@example.org") for i in range(self.PEOPLE)
        )
        kind = Role.Kind.REPORTER
        Role.objects.bulk_create(Role(user=u, unit=self.district_a2, kind=kind) for u in late)
        self.sink = SmtpSink().start()
        self.addCleanup(self.sink.stop)
        # A long lease: the dead worker's task and mails must come back because it is
        # known dead, not because time ran out.
        lease = {"SOKET_TASK_LEASE_SECONDS": "3600"}
        self.environment = {**self.sink.environment(), **SWEEP_DAY, **REMINDER_STEPS, **lease}

    def start_worker(self) -> ManageProcess:
        process = ManageProcess(
            "worker", "--interval", "0.2", "--no-startup-delay", **self.environment
        )
        self.addCleanup(process.close)
        return process

    def wait_until_everything_is_done(self, process: ManageProcess, timeout: float = 180):
        busy = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.process.poll() is not None:
                self.fail(f"The worker stopped:\n{process.output()}")
            unsent = OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT).exists()
            if not unsent and not DBTaskResult.objects.filter(status__in=busy).exists():
                return
            time.sleep(0.2)
        self.fail(f"Not done after {timeout} s:\n{process.output()}")

    def test_every_due_email_is_delivered_exactly_once_across_a_killed_worker(self):
        sweep = sweep_reminders.enqueue()
        first = self.start_worker()

        def kill_the_worker(number: int) -> str | None:
            if number != self.KILL_AT:
                return None
            os.kill(first.pid, signal.SIGKILL)
            return "451 4.3.0 The sender is gone"

        self.sink.before_accept = kill_the_worker
        self.assertEqual(first.wait(timeout=180), -signal.SIGKILL, first.output())
        first.process.wait()  # reaped: its pid runs no more

        # Killed mid-delivery: what the relay took is marked sent, the rest is not lost.
        mails = OutgoingMail.objects.all()
        self.assertEqual(mails.count(), self.PEOPLE)
        self.assertEqual(len(self.sink.received), self.KILL_AT - 1)
        self.assertEqual(mails.filter(status=OutgoingMail.Status.SENT).count(), self.KILL_AT - 1)
        self.assertTrue(mails.filter(status=OutgoingMail.Status.SENDING).exists())
        sweep_row = DBTaskResult.objects.get(id=sweep.id)
        self.assertEqual(sweep_row.status, TaskResultStatus.RUNNING)

        self.sink.before_accept = None
        second = self.start_worker()
        self.wait_until_everything_is_done(second)
        second.stop()

        self.assertEqual(self.sink.message_ids(), {mail.message_id: 1 for mail in mails})
        self.assertEqual(self.sink.recipients(), {mail.to: 1 for mail in mails})
        self.assertFalse(DBTaskResult.objects.running().exists())
        sweep_row.refresh_from_db()
        self.assertEqual(sweep_row.status, TaskResultStatus.SUCCESSFUL)
        killed, recovered = sweep_row.worker_ids
        self.assertEqual(killed.split(":")[:2], [worker.HOST, str(first.pid)])
        self.assertEqual(recovered.split(":")[:2], [worker.HOST, str(second.pid)])


@override_settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=3)
class RelayOutageTestCase(TransactionTestCase):
    """cron's `send_reminders` while the relay is down says so, and the next run delivers."""

    def setUp(self):
        build_tree(self)
        build_campaign(self)
        for person in (self.alice, self.bob, self.province_approver, self.dave):
            User.objects.filter(pk=person.pk).update(email=f"{person.username}@example.org")

    def test_failures_are_reported_and_the_next_run_delivers_each_mail_once(self):
        sink = SmtpSink(port=free_port())  # not started: the relay is down
        # No pause before a retry, so the next run may try at once.
        environment = {**sink.environment(), **REMINDER_STEPS, "SOKET_MAIL_RETRY_SECONDS": "0"}

        down = run_manage("send_reminders", "--date", "2016-01-03", **environment)

        mails = OutgoingMail.objects.all()
        count = mails.count()
        self.assertEqual(count, 4)  # alice, bob, and the province's two heads told who is late
        self.assertEqual(down.returncode, 1, down.stdout + down.stderr)
        self.assertIn(f"Notices created: {Notice.objects.count()}.", down.stdout)
        self.assertIn(f"E-mails sent: 0, failed: {count}, still waiting: {count}.", down.stdout)
        self.assertIn("could not be sent", down.stderr)
        self.assertFalse(mails.filter(sent_at__isnull=False).exists())
        self.assertEqual(set(mails.values_list("status", "attempts")), {("pending", 1)})

        sink.start()
        self.addCleanup(sink.stop)
        up = run_manage("send_reminders", "--date", "2016-01-03", **environment)

        self.assertEqual(up.returncode, 0, up.stdout + up.stderr)
        self.assertIn("Notices created: 0.", up.stdout)
        self.assertIn(f"E-mails sent: {count}, failed: 0, still waiting: 0.", up.stdout)
        self.assertEqual(sink.message_ids(), {mail.message_id: 1 for mail in mails})
        self.assertFalse(mails.filter(sent_at__isnull=True).exists())
