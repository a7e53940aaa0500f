from django.contrib import admin

from soket.audit.admin import AuditedAdmin
from soket.campaigns import hooks
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


class RecountedAdmin(AuditedAdmin):
    """Tells what follows a campaign (the completeness counts) when a change here moves who
    is expected to report or when: its participation, its reviewed period or its report
    deadlines."""

    def _campaign_ids(self, obj) -> set[int]:
        """The campaigns `obj` belongs to as stored, and as edited."""
        raise NotImplementedError

    def _bases(self, campaign_ids) -> dict[int, tuple]:
        campaigns = Campaign.objects.filter(pk__in=campaign_ids)
        return {campaign.pk: hooks.basis(campaign) for campaign in campaigns}

    def _recount_changed(self, before: dict[int, tuple]) -> None:
        for campaign in Campaign.objects.filter(pk__in=before).order_by("pk"):
            if hooks.basis(campaign) != before[campaign.pk]:
                hooks.changed(campaign)

    def save_model(self, request, obj, form, change):
        # Kept on the request, as AuditedAdmin does: the admin object serves every request.
        request.counting_before = self._bases(self._campaign_ids(obj))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = request.counting_before
        before.update({pk: None for pk in self._campaign_ids(form.instance) if pk not in before})
        self._recount_changed(before)

    def delete_model(self, request, obj):
        before = self._bases(self._campaign_ids(obj))
        super().delete_model(request, obj)
        self._recount_changed(before)

    def delete_queryset(self, request, queryset):
        before = self._bases({pk for obj in queryset for pk in self._campaign_ids(obj)})
        super().delete_queryset(request, queryset)
        self._recount_changed(before)


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
class CampaignAdmin(RecountedAdmin):
    """The operator's repairs. A plan is issued and amended on its own pages (through
    campaigns.services, which tell the units); here its state stays as it is, and every
    save moves its revision so that an editor's open page is not silently overwritten."""

    list_display = ["title", "owner", "kind", "state", "reviewed_to"]
    filter_horizontal = ["resolutions", "review_items"]
    inlines = [SteeringInline, RecipientInline, ParticipationInline]
    readonly_fields = ["state", "revision", "issued_at", "is_illustrative"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.revision = Campaign.objects.get(pk=obj.pk).revision + 1
        super().save_model(request, obj, form, change)

    def _campaign_ids(self, obj) -> set[int]:
        return {obj.pk} if obj.pk else set()


class DeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0


@admin.register(Milestone)
class MilestoneAdmin(RecountedAdmin):
    list_display = ["label", "campaign", "starts_on", "ends_on"]
    inlines = [DeadlineInline]

    def _campaign_ids(self, obj) -> set[int]:
        stored = Milestone.objects.filter(pk=obj.pk).values_list("campaign_id", flat=True)
        return {*stored, obj.campaign_id} - {None}


@admin.register(PlanSection)
class PlanSectionAdmin(AuditedAdmin):
    list_display = ["number", "heading", "campaign", "part", "order"]
    list_filter = ["campaign", "part"]


@admin.register(OutlineSection)
class OutlineSectionAdmin(AuditedAdmin):
    list_display = ["number", "heading", "campaign", "order"]
    list_filter = ["campaign"]
    filter_horizontal = ["targets", "review_items"]
