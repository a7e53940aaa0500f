"""Who sees a survey, who writes it, who answers for a unit and who reads its results.

A survey is written by the campaign administrators of the unit that runs it, and only
while it is being prepared. Once open it is seen, like an issued plan, by that unit's
people, by those above it and by every unit below it; a unit's own reporters and approvers
answer for it (as they write its report) and hand out its worker questionnaires. The
results are read by the people of the surveying unit and above, and below it by each
person for their own subtree; a unit's workers count in no figure until five of them have
answered, and its own people read them once the survey is closed (see results), so no
answer can be traced to one person.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from soket.campaigns.access import administered_units, visible_campaigns
from soket.orgs.access import Perm, can, is_active, units_in_line
from soket.orgs.models import Unit, User
from soket.surveys.models import Survey

# Fewer answers than this from one unit's workers, and that unit sees no figure of them.
SMALLEST_GROUP_SHOWN = 5


def visible_surveys(user: User) -> QuerySet[Survey]:
    """Surveys the user may see: open or closed ones of the units in their line, and
    those being prepared by the units they administer."""
    if not is_active(user):
        return Survey.objects.none()
    surveys = Survey.objects.filter(campaign__in=visible_campaigns(user))
    if user.is_superuser:
        return surveys
    return surveys.filter(owner__in=units_in_line(user)).filter(
        ~Q(state=Survey.State.DRAFT) | Q(owner__in=administered_units(user))
    )


def can_define(user: User, survey: Survey) -> bool:
    """May write the survey's questions and choose who answers: an administrator of
    the unit that runs it, while it is being prepared."""
    return survey.state == Survey.State.DRAFT and can_administer_survey(user, survey)


def can_administer_survey(user: User, survey: Survey) -> bool:
    """May open and close it, and set its due date."""
    return administered_units(user).filter(pk=survey.owner_id).exists()


def can_answer_for(user: User, unit: Unit) -> bool:
    """May answer for `unit` (and type in its paper questionnaires, hand out its
    worker questionnaires): the unit's own reporters and approvers."""
    return can(user, Perm.EDIT, unit)


def can_read_results(user: User, survey: Survey) -> bool:
    """May read the results of every unit asked: the surveying unit's people and those
    above it."""
    return can(user, Perm.VIEW, survey.owner)
