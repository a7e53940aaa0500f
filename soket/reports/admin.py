"""The back office of reports: the rules across targets a campaign administrator adds.

Registered here rather than as an inline of the campaign's admin: campaigns sit below
reports and import nothing from them."""

from django.contrib import admin

from soket.audit.admin import AuditedAdmin
from soket.reports.models import ValidationRule


@admin.register(ValidationRule)
class ValidationRuleAdmin(AuditedAdmin):
    list_display = ["__str__", "campaign", "message"]
    list_filter = ["campaign"]
    autocomplete_fields = ["left_target", "right_target"]
    fields = [
        "campaign",
        ("left_target", "left_side"),
        "operator",
        ("right_target", "right_side"),
        "message",
    ]
