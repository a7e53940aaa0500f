from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    created_at = models.DateTimeField(auto_now_add=True)
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
