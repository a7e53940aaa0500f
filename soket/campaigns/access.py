"""Which campaigns a person sees: those of their units and of every unit above them,
since a plan issued above is what they carry out."""

from django.db.models import QuerySet

from soket.campaigns.models import Campaign
from soket.orgs.access import units_in_line
from soket.orgs.models import User


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.filter(owner__in=units_in_line(user))
