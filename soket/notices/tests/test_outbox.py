"""Every e-mail a notice causes waits in the outbox until a real relay has taken it, once."""

import datetime
import subprocess
import sys
import threading

from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from soket.core import worker
from soket.notices import delivery
from soket.notices.models import Notice, OutgoingMail
from soket.notices.services import mails_send_again, notify
from soket.notices.tasks import deliver_mail
from soket.notices.testing import SmtpSink
from soket.orgs.models import User

Status = OutgoingMail.Status


def people(count: int, prefix: str = "person") -> list[User]:
    User.objects.bulk_create(
        User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org") for i in range(count)
    )
    return list(User.objects.filter(username__startswith=prefix).order_by("pk"))


def waiting_deliveries() -> int:
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver_mail.module_path
    ).count()


def dead_process_id() -> str:
    """The name a process of this host that has exited would have claimed under."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return f"{worker.HOST}:{child.stdout.strip()}:0a1b2c3d"


class OutboxTestCase(TransactionTestCase):
    """Delivery runs outside any transaction, as in the runner: each sent mark commits."""

    def setUp(self):
        self.sink = SmtpSink().start()
        self.addCleanup(self.sink.stop)
        mail_settings = override_settings(**self.sink.settings())
        mail_settings.enable()
        self.addCleanup(mail_settings.disable)

    def test_a_notice_and_its_email_are_written_together_and_a_rollback_writes_neither(self):
        ann, ben = people(2)
        ben.email = ""
        ben.save()
        with self.assertRaises(RuntimeError), transaction.atomic():
            notify(users=[ann], text="Báo cáo bị trả lại")
            raise RuntimeError("the change that caused the notice fails")
        self.assertFalse(Notice.objects.exists())
        self.assertFalse(OutgoingMail.objects.exists())
        self.assertEqual(waiting_deliveries(), 0)

        [to_ann, to_ben] = notify(users=[ann, ben], text="Báo cáo bị trả lại", url="/bao-cao/7/")
        mail = OutgoingMail.objects.get()
        self.assertEqual((mail.notice, mail.to, mail.status), (to_ann, ann.email, Status.PENDING))
        self.assertIn("/bao-cao/7/", mail.body)
        self.assertFalse(hasattr(to_ben, "mail"))  # no address, no e-mail
        # The request wrote rows and asked the runner; it did not talk to the relay.
        self.assertEqual(self.sink.offered, 0)
        self.assertEqual(waiting_deliveries(), 1)
        notify(users=[ann], text="Một thông báo nữa")
        self.assertEqual(waiting_deliveries(), 1)  # one waiting run is enough

    def test_due_mails_go_out_once_each_through_one_connection_per_batch(self):
        count = 2 * delivery.BATCH_SIZE + 20
        notify(users=people(count), text="Nhắc nộp báo cáo")

        result = delivery.deliver()

        mails = OutgoingMail.objects.all()
        self.assertEqual((result.sent, result.failed), (count, 0))
        self.assertEqual(self.sink.message_ids(), {mail.message_id: 1 for mail in mails})
        self.assertEqual(self.sink.recipients(), {mail.to: 1 for mail in mails})
        self.assertEqual(self.sink.connections(), 3)
        self.assertFalse(mails.exclude(status=Status.SENT).exists())
        self.assertFalse(mails.filter(sent_at__isnull=True).exists())
        self.assertEqual(delivery.deliver().sent, 0)  # sent once, never again
        self.assertEqual(len(self.sink.received), count)

    def test_a_mail_taken_over_while_its_batch_was_slow_is_not_sent_twice(self):
        notify(users=people(3), text="Nhắc nộp báo cáo")
        me = worker.process_id()
        batch = delivery._claim(me, timezone.now())
        # The relay was slow: past the lease, another run took the last mail over.
        OutgoingMail.objects.filter(pk=batch[-1].pk).update(claimed_by="other:1:run")
        result = delivery.Delivery()
        delivery._send(batch, me, result)
        self.assertEqual(result.sent, 2)
        self.assertEqual(len(self.sink.received), 2)
        taken = OutgoingMail.objects.get(pk=batch[-1].pk)
        self.assertEqual((taken.status, taken.claimed_by), (Status.SENDING, "other:1:run"))

    @override_settings(SOKET_MAIL_MAX_ATTEMPTS=3, SOKET_MAIL_RETRY_SECONDS=60)
    def test_a_refused_address_is_retried_after_doubling_pauses_then_given_up_visibly(self):
        good, bad = people(2)
        self.sink.refuse.add(bad.email)
        notify(users=[good, bad], text="Nhắc nộp báo cáo")
        refused = OutgoingMail.objects.get(to=bad.email)

        for attempt, pause in [(1, 60), (2, 120)]:
            before = timezone.now()
            result = delivery.deliver()
            self.assertEqual(result.failed, 1)
            refused.refresh_from_db()
            self.assertEqual((refused.status, refused.attempts), (Status.PENDING, attempt))
            self.assertIn("550", refused.last_error)
            wait = refused.next_attempt_at - before
            self.assertGreaterEqual(wait, datetime.timedelta(seconds=pause))
            self.assertLess(wait, datetime.timedelta(seconds=pause + 30))
            self.assertEqual(delivery.deliver().failed, 0)  # not due yet: not tried
            OutgoingMail.objects.filter(pk=refused.pk).update(next_attempt_at=timezone.now())

        result = delivery.deliver()
        refused.refresh_from_db()
        self.assertEqual((result.failed, result.given_up), (1, 1))
        self.assertEqual((refused.status, refused.attempts), (Status.FAILED, 3))
        self.assertIsNone(refused.sent_at)
        offered = self.sink.offered
        self.assertEqual(delivery.deliver().failed, 0)
        self.assertEqual(self.sink.offered, offered)  # given up: never tried again
        self.assertEqual(self.sink.recipients(), {good.email: 1})

        # The address is fixed; the back office sends it again, with its own Message-ID.
        self.sink.refuse.clear()
        self.assertEqual(mails_send_again(mails=OutgoingMail.objects.all()), 1)
        self.assertEqual(delivery.deliver().sent, 1)
        self.assertEqual(self.sink.message_ids()[refused.message_id], 1)
        self.assertEqual(self.sink.recipients(), {good.email: 1, bad.email: 1})

    def test_when_the_relay_is_down_nothing_is_marked_sent_and_the_rest_waits(self):
        self.sink.stop()
        notify(users=people(delivery.BATCH_SIZE + 5), text="Nhắc nộp báo cáo")

        result = delivery.deliver()

        self.assertTrue(result.relay_unreachable)
        self.assertEqual((result.sent, result.failed), (0, delivery.BATCH_SIZE))
        mails = OutgoingMail.objects.all()
        self.assertFalse(mails.filter(status=Status.SENT).exists())
        self.assertEqual(mails.filter(attempts=1).count(), delivery.BATCH_SIZE)
        self.assertIn("Connection", mails.filter(attempts=1).first().last_error)
        self.assertEqual(delivery.waiting_count(), delivery.BATCH_SIZE + 5)
        # The next run is due no sooner than one pause from now.
        self.assertGreater(
            delivery.next_run_at(result), timezone.now() + datetime.timedelta(seconds=30)
        )

    def test_two_workers_at_once_never_send_the_same_mail(self):
        count = 4 * delivery.BATCH_SIZE
        notify(users=people(count), text="Nhắc nộp báo cáo")
        barrier = threading.Barrier(2)
        results, errors = [], []

        def run():
            try:
                barrier.wait(timeout=10)
                results.append(delivery.deliver())
            except Exception as error:  # reported by the assertion below
                errors.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        self.assertEqual(errors, [])
        self.assertEqual(sum(result.sent for result in results), count)
        self.assertEqual(len(self.sink.received), count)
        self.assertEqual(set(self.sink.message_ids().values()), {1})

    def test_a_claim_is_respected_until_its_process_dies_or_its_lease_ends(self):
        notify(users=people(4), text="Nhắc nộp báo cáo")
        alive, dead, stale, fresh = OutgoingMail.objects.order_by("pk")
        now = timezone.now()
        claims = {
            alive: (worker.process_id(), now),  # this very process, sending it now
            dead: (dead_process_id(), now),  # a worker of this host killed mid-batch
            stale: ("elsewhere:4242:ffff", now - datetime.timedelta(hours=1)),
            fresh: ("elsewhere:4243:ffff", now),  # another host, within its lease
        }
        for mail, (claimed_by, claimed_at) in claims.items():
            OutgoingMail.objects.filter(pk=mail.pk).update(
                status=Status.SENDING, claimed_by=claimed_by, claimed_at=claimed_at
            )

        with self.settings(SOKET_TASK_LEASE_SECONDS=15 * 60):
            result = delivery.deliver()

        self.assertEqual(result.sent, 2)
        self.assertEqual(set(self.sink.message_ids()), {dead.message_id, stale.message_id})
        statuses = dict(OutgoingMail.objects.values_list("pk", "status"))
        self.assertEqual(statuses[alive.pk], Status.SENDING)
        self.assertEqual(statuses[fresh.pk], Status.SENDING)
