"""Which campaigns a person sees, and who administers one.

An issued plan is seen by its unit's people and by every unit below, since a plan issued
above is what they carry out. A draft is seen only by the administrators of its unit: it
addresses nobody yet. A campaign is written, issued and amended by the campaign
administrators of its own unit (and the system operator), never from above or beside it.
"""

from django.db.models import Q, QuerySet

from soket.campaigns.models import Campaign
from soket.orgs.access import is_active, units_in_line
from soket.orgs.models import Role, Unit, User


def administered_units(user: User) -> QuerySet[Unit]:
    """Units whose campaigns the user writes: where they are a campaign administrator."""
    if not is_active(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    roles = Role.objects.filter(user=user, kind=Role.Kind.CAMPAIGN_ADMIN, department__isnull=True)
    return Unit.objects.filter(pk__in=roles.values("unit_id"))


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    if not is_active(user):
        return Campaign.objects.none()
    if user.is_superuser:
        return Campaign.objects.all()
    return Campaign.objects.filter(owner__in=units_in_line(user)).filter(
        Q(state=Campaign.State.ISSUED) | Q(owner__in=administered_units(user))
    )


def administered_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns the user may write, issue and amend (drafts and issued alike)."""
    return Campaign.objects.filter(owner__in=administered_units(user))


def can_administer(user: User, campaign: Campaign) -> bool:
    return administered_units(user).filter(pk=campaign.owner_id).exists()
