from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from soket.orgs import services
from soket.orgs.models import Department, Role, Unit, UnitKind, User


@admin.register(UnitKind)
class UnitKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "rank"]


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Units are created and moved through soket.orgs.services, which keep paths right."""

    list_display = ["name", "code", "kind", "parent", "opened_on", "closed_on"]
    list_filter = ["kind", "is_illustrative"]
    search_fields = ["name", "code"]
    readonly_fields = ["parent", "path", "depth"]
    inlines = [DepartmentInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        """A unit that ends is closed (closed_on), which keeps its history and the
        campaigns' counts right; nothing deletes one."""
        return False

    def save_model(self, request, obj, form, change) -> None:
        """Through the service, so that the campaigns' completeness counts follow a unit
        that closes, reopens or changes kind."""
        stored = Unit.objects.get(pk=obj.pk)
        fields = {name: getattr(obj, name) for name in form.changed_data}
        services.unit_update(unit=stored, fields=fields)


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class SoketUserAdmin(UserAdmin):
    fieldsets = [*(UserAdmin.fieldsets or ()), (None, {"fields": ["full_name"]})]
    list_display = ["username", "full_name", "email", "is_staff"]
    inlines = [RoleInline]
