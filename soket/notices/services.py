"""Sending notices: one row per person in the application, and the e-mail it causes as a
row of the outbox, written in the same transaction; the background runner sends it once
the transaction has committed (soket.notices.delivery). A request never talks to the
mail relay, and a rolled-back change mails nobody."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import make_msgid
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from soket.core import clock
from soket.notices.models import Notice, OutgoingMail
from soket.notices.tasks import request_delivery
from soket.orgs.models import User


@transaction.atomic
def notify(*, users: Iterable[User], text: str, url: str = "", key: str = "") -> list[Notice]:
    """Notify each person once; with a `key`, people already notified under it are skipped.

    Returns the notices created. Each person with an address gets one e-mail of their
    own, so nobody sees the others' addresses.
    """
    subject, body = _letter(text, url)
    created, mailed, now = [], False, clock.now()
    for user in {user.pk: user for user in users}.values():
        try:
            with transaction.atomic():
                notice = Notice.objects.create(
                    user=user, text=text, url=url, key=key, created_at=now
                )
                if user.email:
                    _queue_mail(notice=notice, to=user.email, subject=subject, body=body)
                    mailed = True
        except IntegrityError:
            continue  # already notified under this key
        created.append(notice)
    if mailed:
        # robust: the notices stand even if the runner cannot be told; the next
        # reminder sweep delivers what waits.
        transaction.on_commit(request_delivery, robust=True)
    return created


# People per transaction when a whole level is told: a chunk stands or falls together,
# and a run stopped half-way (a crash) tells only those not yet told when run again.
CHUNK = 500


def notify_all(
    *, users: QuerySet[User], text: str, url: str = "", key: str, chunk_size: int = CHUNK
) -> int:
    """Notify every person of `users` once under `key`, a chunk at a time: for telling
    whole levels (hundreds of thousands of people), where `notify`'s savepoint per person
    takes minutes. Returns how many were notified now."""
    if not key:
        raise ValueError("notify_all needs a key, so a second run tells nobody twice.")
    told, after = 0, 0
    while True:
        chunk = list(users.filter(pk__gt=after).order_by("pk").values_list("pk", "email")[:CHUNK])
        if not chunk:
            return told
        after = chunk[-1][0]
        told += _notify_chunk(chunk, text=text, url=url, key=key)


@transaction.atomic
def _notify_chunk(people: list[tuple[int, str]], *, text: str, url: str, key: str) -> int:
    done = set(
        Notice.objects.filter(key=key, user_id__in=[pk for pk, _email in people]).values_list(
            "user_id", flat=True
        )
    )
    todo = [(pk, email) for pk, email in people if pk not in done]
    now = clock.now()
    try:
        with transaction.atomic():
            notices = Notice.objects.bulk_create(
                Notice(user_id=pk, text=text, url=url, key=key, created_at=now)
                for pk, _email in todo
            )
    except IntegrityError:  # told meanwhile by a run beside this one: one at a time
        again = User.objects.filter(pk__in=[pk for pk, _email in todo])
        return len(notify(users=again, text=text, url=url, key=key))
    emails = dict(todo)
    subject, body = _letter(text, url)
    mails = [
        _mail(notice=notice, to=emails[notice.user_id], subject=subject, body=body)
        for notice in notices
        if emails[notice.user_id]
    ]
    OutgoingMail.objects.bulk_create(mails)
    if mails:
        transaction.on_commit(request_delivery, robust=True)
    return len(notices)


def _letter(text: str, url: str) -> tuple[str, str]:
    """A notice's e-mail: its subject and body."""
    return _("Soket: %s") % text[:60], text + (f"\n\n{url}" if url else "")


def _queue_mail(*, notice: Notice, to: str, subject: str, body: str) -> OutgoingMail:
    mail = _mail(notice=notice, to=to, subject=subject, body=body)
    mail.save()
    return mail


def _mail(*, notice: Notice, to: str, subject: str, body: str) -> OutgoingMail:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or None
    return OutgoingMail(
        notice=notice,
        to=to,
        subject=subject,
        body=body,
        message_id=make_msgid(idstring=f"notice{notice.pk}", domain=domain),
        next_attempt_at=timezone.now(),
    )


@transaction.atomic
def mails_send_again(*, mails: QuerySet[OutgoingMail]) -> int:
    """Give mails that were given up, or wait for a retry, a fresh set of tries now."""
    waiting = [OutgoingMail.Status.FAILED, OutgoingMail.Status.PENDING]
    count = mails.filter(status__in=waiting).update(
        status=OutgoingMail.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
    )
    if count:
        transaction.on_commit(request_delivery, robust=True)
    return count


def notices_mark_read(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())
