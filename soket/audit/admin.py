from django.contrib import admin

from soket.audit.models import Entry
from soket.audit.services import record, snapshot


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """The trail is read, never written, in the back office."""

    list_display = ["at", "by", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr"]
    readonly_fields = [f.name for f in Entry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Records every back-office change of the model, with its values before and after."""

    def save_model(self, request, obj, form, change):
        # Kept on the request: the admin object is shared by every request.
        request.audit_before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        record(
            by=request.user,
            action="change" if change else "create",
            instance=obj,
            before=getattr(request, "audit_before", None),
            after=snapshot(type(obj).objects.get(pk=obj.pk)),  # as stored, not as typed
        )

    def delete_model(self, request, obj):
        record(by=request.user, action="delete", instance=obj, before=snapshot(obj))
        super().delete_model(request, obj)
