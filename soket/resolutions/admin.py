from django.contrib import admin

from soket.audit.admin import AuditedAdmin
from soket.resolutions.models import ActionProgramme, Resolution, ResolutionTask, ReviewItem, Target


class ProgrammeInline(admin.TabularInline):
    model = ActionProgramme
    extra = 0


class TaskInline(admin.TabularInline):
    model = ResolutionTask
    extra = 0


@admin.register(Resolution)
class ResolutionAdmin(AuditedAdmin):
    list_display = ["title", "issuer", "term_start_year", "term_end_year"]
    inlines = [ProgrammeInline, TaskInline]


@admin.register(Target)
class TargetAdmin(AuditedAdmin):
    list_display = ["code", "resolution", "direction", "goal_value", "aggregation", "number_kind"]
    list_filter = ["resolution", "aggregation", "number_kind"]
    filter_horizontal = ["derived_from"]
    search_fields = ["code", "wording"]


admin.site.register(ReviewItem)
