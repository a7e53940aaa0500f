"""Sending the outbox: the e-mails notices cause, handed to the relay by the runner.

A run takes the due mails in batches. Each batch is claimed by one UPDATE … WHERE the
rows are still due: on SQLite and PostgreSQL alike only one process can win a row, so
two workers never send the same mail. A claim names its process (soket.core.worker) and
its time, so a claim whose process is known dead, or older than the lease
(SOKET_TASK_LEASE_SECONDS), is taken over. A batch goes through one SMTP connection;
each mail is marked sent, in its own commit, as soon as the relay has accepted it. A
mail the relay refuses, or that cannot reach it, is tried again after a pause that
doubles each time (SOKET_MAIL_RETRY_SECONDS, 2×, 4×… up to a day) and is given up,
visibly, after SOKET_MAIL_MAX_ATTEMPTS tries.

The one window that cannot be closed: if the sending process dies after the relay has
accepted a mail and before that mail's sent mark commits — one single-row UPDATE, a few
milliseconds — the next run sends that one mail again. It carries the same Message-ID,
so the recipient's mail program can tell it is the same message. Every other crash loses
nothing and repeats nothing. The same holds if the connection drops after the relay took
the mail but before it said so.

Times here are the real clock, not soket.core.clock: they pace the relay and the runner
(whose run_after is real time), not the campaign's calendar.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Min, Q
from django.utils import timezone

from soket.core import worker
from soket.notices.models import OutgoingMail

logger = logging.getLogger("soket.mail")

BATCH_SIZE = 50
LONGEST_PAUSE = datetime.timedelta(days=1)
Status = OutgoingMail.Status

# The relay answered "no" to this one mail; the connection still serves the others.
_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass
class Delivery:
    """What one run did."""

    sent: int = 0
    failed: int = 0  # tries that failed in this run, whether to be retried or given up
    given_up: int = 0
    relay_unreachable: bool = False  # the run stopped at a connection that failed
    out_of_time: bool = False  # the run stopped at its time limit with mail still due

    def as_dict(self) -> dict:
        return asdict(self)


def deliver(*, stop_at: datetime.datetime | None = None) -> Delivery:
    """Send every mail due when the run starts, batch after batch, until none is left,
    the relay cannot be reached (the rest waits for the next run) or `stop_at`.

    Call it outside any transaction: each sent mark must commit on its own.
    """
    started = timezone.now()
    me = worker.process_id()
    result = Delivery()
    while stop_at is None or timezone.now() < stop_at:
        batch = _claim(me, started)
        if not batch:
            return result
        if not _send(batch, me, result):
            result.relay_unreachable = True
            return result
    result.out_of_time = True
    return result


def retry_pause(attempts: int) -> datetime.timedelta:
    """The pause after the `attempts`-th failed try: the base pause, doubled each time."""
    seconds = settings.SOKET_MAIL_RETRY_SECONDS * 2 ** min(attempts - 1, 30)
    return min(datetime.timedelta(seconds=seconds), LONGEST_PAUSE)


def waiting_count() -> int:
    """Mails not yet sent and not given up."""
    return OutgoingMail.objects.filter(status__in=[Status.PENDING, Status.SENDING]).count()


def next_run_at(result: Delivery) -> datetime.datetime | None:
    """When a run should next look at the outbox, or None when nothing waits.

    After an unreachable relay, not before one base pause, whatever is due.
    """
    earliest = OutgoingMail.objects.filter(status=Status.PENDING).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    if earliest is None:
        return None
    if result.relay_unreachable:
        pause = datetime.timedelta(seconds=settings.SOKET_MAIL_RETRY_SECONDS)
        earliest = max(earliest, timezone.now() + pause)
    return earliest


def _due(started: datetime.datetime, now: datetime.datetime) -> Q:
    """Mails this run may claim: due when it started (so a failure retried at once is
    not tried again in the same run), or claimed by a process dead or past its lease."""
    lease_start = now - datetime.timedelta(seconds=settings.SOKET_TASK_LEASE_SECONDS)
    claimers = (
        OutgoingMail.objects.filter(status=Status.SENDING)
        .values_list("claimed_by", flat=True)
        .distinct()
    )
    dead = [claimer for claimer in claimers if worker.is_dead(claimer)]
    return (
        Q(status=Status.PENDING, next_attempt_at__lte=started)
        | Q(status=Status.SENDING, claimed_at__lt=lease_start)
        | Q(status=Status.SENDING, claimed_by__in=dead)
    )


def _claim(me: str, started: datetime.datetime) -> list[OutgoingMail]:
    """Claim up to a batch of due mails with one UPDATE whose WHERE only one process can
    satisfy for a row: a second claimer finds the row no longer due and skips it."""
    now = timezone.now()
    due = _due(started, now)
    batch = OutgoingMail.objects.filter(due).order_by("next_attempt_at", "pk").values("pk")
    claimed = OutgoingMail.objects.filter(due, pk__in=batch[:BATCH_SIZE]).update(
        status=Status.SENDING, claimed_by=me, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return []
    mine = OutgoingMail.objects.filter(status=Status.SENDING, claimed_by=me, claimed_at=now)
    return list(mine.order_by("pk"))


def _send(batch: list[OutgoingMail], me: str, result: Delivery) -> bool:
    """Send a claimed batch through one connection; False when the connection failed
    (the mails not yet tried are recorded as failed with it)."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # the relay cannot be reached: every mail waits
        for mail in batch:
            _failed(mail, me, error, result)
        return False
    try:
        for index, mail in enumerate(batch):
            if not _renew_claim(mail, me):
                continue  # taken over past the lease by another run, which sends it
            try:
                message = _message(mail, connection)
            except Exception as error:  # a mail that cannot be written: only it fails
                _failed(mail, me, error, result)
                continue
            try:
                accepted = connection.send_messages([message])
            except _REFUSED as error:
                _failed(mail, me, error, result)
            except Exception as error:  # the connection broke: this mail and the rest wait
                for rest in batch[index:]:
                    _failed(rest, me, error, result)
                return False
            else:
                if accepted:
                    _sent(mail, result)
                else:
                    _failed(mail, me, "the relay did not accept the message", result)
        return True
    finally:
        try:
            connection.close()
        except Exception:  # the mails are recorded; a failed goodbye changes nothing
            logger.warning("Closing the mail connection failed.", exc_info=True)


def _renew_claim(mail: OutgoingMail, me: str) -> bool:
    """Keep the claim on a mail just before sending it: a slow relay can make a batch
    outlast the lease, and a run that took the rest over must not send it too."""
    return bool(
        OutgoingMail.objects.filter(pk=mail.pk, status=Status.SENDING, claimed_by=me).update(
            claimed_at=timezone.now()
        )
    )


def _message(mail: OutgoingMail, connection) -> EmailMessage:
    return EmailMessage(
        subject=mail.subject,
        body=mail.body,
        to=[mail.to],
        connection=connection,
        # Auto-Submitted keeps out-of-office replies from answering a notice.
        headers={"Message-ID": mail.message_id, "Auto-Submitted": "auto-generated"},
    )


def _sent(mail: OutgoingMail, result: Delivery) -> None:
    """Mark the mail sent, whoever holds its claim now (one taken over past the lease):
    the relay has it, and a later run must not send it."""
    OutgoingMail.objects.filter(pk=mail.pk).exclude(status=Status.SENT).update(
        status=Status.SENT, sent_at=timezone.now(), claimed_by="", claimed_at=None
    )
    result.sent += 1


def _failed(mail: OutgoingMail, me: str, error: Exception | str, result: Delivery) -> None:
    """Record a failed try: retried after a growing pause, or given up at the maximum."""
    give_up = mail.attempts >= settings.SOKET_MAIL_MAX_ATTEMPTS
    next_attempt_at = None if give_up else timezone.now() + retry_pause(mail.attempts)
    OutgoingMail.objects.filter(pk=mail.pk, status=Status.SENDING, claimed_by=me).update(
        status=Status.FAILED if give_up else Status.PENDING,
        next_attempt_at=next_attempt_at,
        last_error=_describe(error)[:2000],
        claimed_by="",
        claimed_at=None,
    )
    result.failed += 1
    result.given_up += give_up
    logger.warning(
        "Mail %s to %s failed (try %d of %d): %s",
        mail.pk,
        mail.to,
        mail.attempts,
        settings.SOKET_MAIL_MAX_ATTEMPTS,
        _describe(error),
    )


def _describe(error: Exception | str) -> str:
    if isinstance(error, str):
        return error
    return f"{type(error).__name__}: {error}"
