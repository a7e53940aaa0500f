from django.contrib import admin

from soket.audit.admin import AuditedAdmin
from soket.campaigns.models import (
    Campaign,
    Deadline,
    Milestone,
    OutlineSection,
    Participation,
    PlanSection,
    Recipient,
    SteeringMember,
)


class SteeringInline(admin.TabularInline):
    model = SteeringMember
    extra = 0


class RecipientInline(admin.TabularInline):
    model = Recipient
    extra = 0


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    list_display = ["title", "owner", "kind", "reviewed_to"]
    filter_horizontal = ["resolutions", "review_items"]
    inlines = [SteeringInline, RecipientInline, ParticipationInline]


class DeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0


@admin.register(Milestone)
class MilestoneAdmin(AuditedAdmin):
    list_display = ["label", "campaign", "starts_on", "ends_on"]
    inlines = [DeadlineInline]


@admin.register(PlanSection)
class PlanSectionAdmin(AuditedAdmin):
    list_display = ["number", "heading", "campaign", "part", "order"]
    list_filter = ["campaign", "part"]


@admin.register(OutlineSection)
class OutlineSectionAdmin(AuditedAdmin):
    list_display = ["number", "heading", "campaign", "order"]
    list_filter = ["campaign"]
    filter_horizontal = ["targets", "review_items"]
