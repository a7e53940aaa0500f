"""Which resolutions a person sees: those issued by their units and by every unit above
them, since a resolution issued above is what they carry out."""

from django.db.models import QuerySet

from soket.orgs.access import units_in_line
from soket.orgs.models import User
from soket.resolutions.models import Resolution


def visible_resolutions(user: User) -> QuerySet[Resolution]:
    return Resolution.objects.filter(issuer__in=units_in_line(user))
