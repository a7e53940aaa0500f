from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from soket.core import clock


class Notice(models.Model):
    """A message to one person, shown in the application and sent by e-mail.

    `key` names a notice that must go out once only (a reminder); a second attempt
    with the same key for the same person is a no-op, even after a restart.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    text = models.TextField(_("text"))
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=200, blank=True)
    # On the application's clock, as every date it shows: a simulated day (the demo's
    # 05/01/2016) dates its notices that day, not the machine's.
    created_at = models.DateTimeField(default=clock.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="notices_once_per_key"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notices_unread")]

    def __str__(self) -> str:
        return self.text[:80]


class OutgoingMail(models.Model):
    """The e-mail a notice causes, kept until the relay has taken it (the outbox).

    Written in the notice's own transaction, so a committed notice always has its
    e-mail and a rolled-back change mails nobody; sent later by the background runner
    (soket.notices.delivery), never during a request. The Message-ID is fixed when the
    row is written, so a mail sent again after a crash is recognisably the same one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("could not be sent")

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="mail")
    to = models.EmailField(_("e-mail address"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    message_id = models.CharField("Message-ID", max_length=255, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Who is sending it and since when: the claim that keeps two workers off one mail.
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notices_mail_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="sent", sent_at__isnull=False)
                | (~models.Q(status="sent") & models.Q(sent_at__isnull=True)),
                name="notices_mail_sent_at_iff_sent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
