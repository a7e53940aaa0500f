"""Sending notices: one row per person in the application, and an e-mail once the
transaction that caused them has committed (so a rolled-back change mails nobody)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from soket.core import clock
from soket.notices.models import Notice
from soket.orgs.models import User


def notify(*, users: Iterable[User], text: str, url: str = "", key: str = "") -> list[Notice]:
    """Notify each person once; with a `key`, people already notified under it are skipped."""
    sent = []
    for user in {user.pk: user for user in users}.values():
        try:
            with transaction.atomic():
                sent.append(Notice.objects.create(user=user, text=text, url=url, key=key))
        except IntegrityError:
            continue  # already sent under this key
    subject, body = _("Soket: %s") % text[:60], text + (f"\n\n{url}" if url else "")
    # One message per person, so nobody sees the others' addresses.
    messages = [(subject, body, None, [n.user.email]) for n in sent if n.user.email]
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    return sent


def notices_mark_read(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())
