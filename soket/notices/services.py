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
    subject, body = _("Soket: %s") % text[:60], text + (f"\n\n{url}" if url else "")
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


def _queue_mail(*, notice: Notice, to: str, subject: str, body: str) -> OutgoingMail:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or None
    return OutgoingMail.objects.create(
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
