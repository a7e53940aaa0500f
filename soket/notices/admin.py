from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from soket.notices.models import OutgoingMail
from soket.notices.services import mails_send_again


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The outbox, to see what was sent, what waits and what was given up and why."""

    list_display = [
        "created_at",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status"]
    search_fields = ["to", "subject", "message_id"]
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_send_permission(self, request) -> bool:
        return request.user.has_perm("notices.change_outgoingmail")

    @admin.action(description=_("Send again"), permissions=["send"])
    def send_again(self, request, queryset):
        count = mails_send_again(mails=queryset)
        self.message_user(request, _("E-mails to be sent again: %d.") % count, messages.SUCCESS)
