"""A worker's anonymous questionnaire: opened from a link or a QR code, with no account.

The link's secret is the only key: a page for a link unknown, spent or of a survey not
open says so plainly and shows nothing of the survey's unit. No session is started, no
message stored (the person has no account to carry them): the answer goes, and the
browser is sent to a page that thanks them. The pages are not kept in any cache, so a
shared phone's back button shows nothing of a sent questionnaire."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from soket.core.auth import client_address
from soket.surveys import answers
from soket.surveys.answer_forms import QuestionnaireForm
from soket.surveys.answers import AnswerError, Questionnaire, Throttled
from soket.surveys.labels import localized
from soket.surveys.models import Survey, Token

UNKNOWN, SPENT, CLOSED, THROTTLED = "unknown", "spent", "closed", "throttled"


def _refusal(token: Token | None) -> str | None:
    """Why the link takes no answer, or None when it does."""
    if token is None or token.respondent.survey.respondents != Survey.Respondents.PEOPLE:
        return UNKNOWN
    if token.is_spent:
        return SPENT
    if token.respondent.survey.state != Survey.State.OPEN:
        return CLOSED
    return None


def _page(
    request: HttpRequest, survey: Survey, form: QuestionnaireForm, *, errors=(), status=200
) -> HttpResponse:
    return render(
        request,
        "surveys/anonymous.html",
        {
            "survey": survey,
            "title": localized(survey, "title"),
            "introduction": localized(survey, "introduction"),
            "form": form,
            "groups": form.groups(),
            "errors": list(errors),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def anonymous_answer(request: HttpRequest, secret: str) -> HttpResponse:
    token = answers.token_of(secret)
    refusal = _refusal(token)
    if request.method == "POST" and refusal is not None:
        # A link that takes no answer, sent: counted against the address (only these
        # are), and once it sent too many, told it is held back, as a good link is.
        address = client_address(request)
        if answers.held_back(address=address):
            context = {"why": THROTTLED, "message": answers.throttled_message()}
            return render(request, "surveys/anonymous_refused.html", context, status=429)
        answers.throttle_count(address=address)
    if refusal is not None:
        status = {UNKNOWN: 404, SPENT: 410, CLOSED: 410}[refusal]
        return render(request, "surveys/anonymous_refused.html", {"why": refusal}, status=status)
    assert token is not None
    survey = token.respondent.survey
    questionnaire = Questionnaire.of(survey)
    if request.method != "POST":
        return _page(request, survey, QuestionnaireForm(questionnaire=questionnaire))
    form = QuestionnaireForm(request.POST, questionnaire=questionnaire)
    form.is_valid()  # any text: answers.check_values reads it
    try:
        answers.anonymous_answer_save(
            secret=secret, values=form.values(), address=client_address(request)
        )
    except Throttled as error:
        return _page(request, survey, form, errors=[str(error)], status=429)
    except AnswerError as error:
        # Spent in the meantime (a double click) or closed: the page that says so.
        refusal = _refusal(answers.token_of(secret))
        if refusal is not None:
            return render(request, "surveys/anonymous_refused.html", {"why": refusal}, status=410)
        form.add_problems(error.problems)
        return _page(request, survey, form, status=400)
    return redirect("survey_anonymous_done")


@never_cache
@require_safe
def anonymous_done(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/anonymous_done.html")
