"""The survey pages, a module for each part of a survey's life: its definition, who
answers (the draw and the questionnaires), the answers (a unit's, paper and spreadsheet;
a worker's anonymous questionnaire) and the results."""

from django.http import Http404

from soket.orgs.http import AuthenticatedHttpRequest
from soket.surveys import selectors
from soket.surveys.models import Survey


def get_survey_for_user(request: AuthenticatedHttpRequest, pk: int) -> Survey:
    """The survey, if the person may see it; 404 otherwise (what they may do with it,
    each view asks of soket.surveys.access: 403 when not allowed)."""
    try:
        return selectors.survey_seen_by(user=request.user, pk=pk)
    except Survey.DoesNotExist:
        raise Http404 from None
