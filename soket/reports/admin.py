"""The back office of reports: the rules across targets a campaign administrator adds.

Registered here rather than as an inline of the campaign's admin: campaigns sit below
reports and import nothing from them. A rule is added, changed and removed through
rules.py, as on the campaign's rules page, so both are checked and audited alike."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from soket.reports import rules
from soket.reports.models import ValidationRule


class ValidationRuleForm(forms.ModelForm):
    def _post_clean(self):
        super()._post_clean()
        if not self.errors:  # what rules.py refuses besides clean(), shown on the form
            try:
                rules.check_rule(self.instance)
            except ValidationError as error:
                self._update_errors(error)


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    form = ValidationRuleForm
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

    def get_readonly_fields(self, request, obj=None):
        return ["campaign"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        numbers = {
            "left_target": obj.left_target,
            "left_side": obj.left_side,
            "operator": obj.operator,
            "right_target": obj.right_target,
            "right_side": obj.right_side,
            "message": obj.message,
        }
        if change:
            saved = rules.rule_change(by=request.user, rule=obj, **numbers)
        else:
            saved = rules.rule_add(by=request.user, campaign=obj.campaign, **numbers)
        obj.pk = saved.pk
        obj.message = saved.message

    def delete_model(self, request, obj):
        rules.rule_remove(by=request.user, rule=obj)

    def delete_queryset(self, request, queryset):
        for rule in queryset.select_related("campaign", "left_target", "right_target"):
            rules.rule_remove(by=request.user, rule=rule)
