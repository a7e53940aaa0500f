"""Reads of surveys, always through what the person may see (see access)."""

from __future__ import annotations

from django.db.models import QuerySet

from soket.campaigns.models import Campaign
from soket.orgs.models import User
from soket.surveys import access
from soket.surveys.models import Survey


def survey_seen_by(*, user: User, pk: int) -> Survey:
    """The survey, if the user may see it (Survey.DoesNotExist otherwise)."""
    return access.visible_surveys(user).select_related("campaign", "owner").get(pk=pk)


def surveys_of(*, user: User, campaign: Campaign) -> QuerySet[Survey]:
    return access.visible_surveys(user).filter(campaign=campaign).select_related("owner")
