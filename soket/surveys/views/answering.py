"""A unit's answers: a union answering about itself on the web, typing in its paper
questionnaires (its own, or its workers'), and the .xlsx form round trip.

Each view first fetches the survey through what the person may see (404 otherwise)
and the unit among those asked (404 for a unit not asked); only the unit's own
reporters and approvers answer for it (403 for the others who see the survey)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from soket.core import filecheck, params
from soket.core.tabular import TableError
from soket.orgs.http import AuthenticatedHttpRequest
from soket.surveys import access, answers, selectors, spreadsheet, tokens
from soket.surveys.answer_forms import NumberForm, QuestionnaireForm
from soket.surveys.answers import AnswerError, Questionnaire
from soket.surveys.labels import localized
from soket.surveys.models import Respondent, Response, Survey

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MESSAGES_SHOWN = 20


def _get_respondent_for_user(
    request: AuthenticatedHttpRequest, pk: int, unit_pk: int
) -> Respondent:
    """The unit asked by the survey, if the person sees the survey and may answer for it."""
    if params.whole(str(pk)) is None or params.whole(str(unit_pk)) is None:
        raise Http404  # more digits than an id holds (SQLite cannot even bind them)
    try:
        survey = selectors.survey_seen_by(user=request.user, pk=pk)
    except Survey.DoesNotExist:
        raise Http404 from None
    respondent = (
        Respondent.objects.filter(survey=survey, unit_id=unit_pk).select_related("unit").first()
    )
    if respondent is None:
        raise Http404
    if not access.can_answer_for(request.user, respondent.unit):
        raise PermissionDenied
    respondent.survey = survey
    return respondent


def _is_workers(respondent: Respondent) -> bool:
    return respondent.survey.respondents == Survey.Respondents.PEOPLE


def _page(
    request: AuthenticatedHttpRequest,
    respondent: Respondent,
    *,
    template: str,
    form: QuestionnaireForm,
    revision: int = 0,
    number_form: NumberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    survey = respondent.survey
    is_open = survey.state == Survey.State.OPEN
    if not is_open:
        for each in (form, number_form):
            for field in each.fields.values() if each is not None else ():
                field.disabled = True
    return render(
        request,
        template,
        {
            "survey": survey,
            "title": localized(survey, "title"),
            "introduction": localized(survey, "introduction"),
            "respondent": respondent,
            "unit": respondent.unit,
            "form": form,
            "number_form": number_form,
            "groups": form.groups(),
            "revision": revision,
            "is_open": is_open,
            "is_workers": _is_workers(respondent),
            "response": None if _is_workers(respondent) else answers.unit_response(respondent),
            "worker_count": answers.worker_count(respondent) if _is_workers(respondent) else 0,
        },
        status=status,
    )


def _unit_answer(
    request: AuthenticatedHttpRequest, respondent: Respondent, *, channel: str, template: str
) -> HttpResponse:
    """A union's answer about itself: the form, and its saving (the same on the web
    and typed in from paper; only the channel recorded differs)."""
    questionnaire = Questionnaire.of(respondent.survey)
    response = answers.unit_response(respondent)
    stored_revision = response.revision if response else 0
    if request.method != "POST":
        form = QuestionnaireForm(
            questionnaire=questionnaire, initial=answers.initial_values(response)
        )
        return _page(request, respondent, template=template, form=form, revision=stored_revision)
    form = QuestionnaireForm(request.POST, questionnaire=questionnaire)
    form.is_valid()  # the fields take any text: the survey's check reads it below
    revision = params.whole(request.POST.get("revision"))
    try:
        answers.unit_answer_save(
            respondent=respondent,
            by=request.user,
            channel=channel,
            values=form.values(),
            revision=-1 if revision is None else revision,
        )
    except AnswerError as error:
        form.add_problems(error.problems)
        return _page(
            request,
            respondent,
            template=template,
            form=form,
            revision=-1 if revision is None else revision,
            status=400,
        )
    messages.success(request, _("The answer of %s is saved.") % respondent.unit.name)
    return redirect("survey_answer", pk=respondent.survey_id, unit_pk=respondent.unit_id)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_answer(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    respondent = _get_respondent_for_user(request, pk, unit_pk)
    if _is_workers(respondent):
        raise Http404  # workers answer it; the unit types in their paper questionnaires
    return _unit_answer(
        request, respondent, channel=Response.Channel.WEB, template="surveys/answer.html"
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def paper_entry(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    respondent = _get_respondent_for_user(request, pk, unit_pk)
    if not _is_workers(respondent):
        return _unit_answer(
            request, respondent, channel=Response.Channel.PAPER, template="surveys/paper.html"
        )
    # A worker survey: each questionnaire typed in is a new answer, under the number
    # printed on its sheet, which it spends. A number already in (answered on its link,
    # typed in before, or this very form sent twice) is refused by name and the form
    # keeps what was typed.
    questionnaire = Questionnaire.of(respondent.survey)
    unused = tokens.unused_numbers(respondent)
    if request.method != "POST":
        return _page(
            request,
            respondent,
            template="surveys/paper.html",
            form=QuestionnaireForm(questionnaire=questionnaire),
            number_form=NumberForm(unused=unused),
        )
    form = QuestionnaireForm(request.POST, questionnaire=questionnaire)
    form.is_valid()
    number_form = NumberForm(request.POST, unused=unused)
    number_form.is_valid()
    try:
        answers.worker_answer_save(
            respondent=respondent,
            by=request.user,
            channel=Response.Channel.PAPER,
            number=number_form.value(),
            values=form.values(),
        )
    except AnswerError as error:
        number_form.add_problems(error.problems)
        form.add_problems(problem for problem in error.problems if not problem.of_number)
        return _page(
            request,
            respondent,
            template="surveys/paper.html",
            form=form,
            number_form=number_form,
            status=400,
        )
    count = answers.worker_count(respondent)
    messages.success(
        request,
        ngettext(
            "Questionnaire no. %(number)d is saved: %(count)d questionnaire of %(unit)s is in.",
            "Questionnaire no. %(number)d is saved: %(count)d questionnaires of %(unit)s are in.",
            count,
        )
        % {
            "number": answers.questionnaire_number(number_form.value()),
            "count": count,
            "unit": respondent.unit.name,
        },
    )
    return redirect("survey_paper", pk=respondent.survey_id, unit_pk=respondent.unit_id)


def _back(respondent: Respondent) -> HttpResponse:
    name = "survey_paper" if _is_workers(respondent) else "survey_answer"
    return redirect(name, pk=respondent.survey_id, unit_pk=respondent.unit_id)


@login_required
@require_safe
def answer_form_xlsx(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    respondent = _get_respondent_for_user(request, pk, unit_pk)
    if respondent.survey.state != Survey.State.OPEN:
        messages.error(request, _("The survey takes no answers now: there is no form to fill."))
        return _back(respondent)
    response = HttpResponse(spreadsheet.form_xlsx(respondent), content_type=XLSX)
    name = f"khao-sat-{respondent.survey_id}-{respondent.unit.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def answer_form_upload(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    respondent = _get_respondent_for_user(request, pk, unit_pk)
    try:
        upload = filecheck.received_file(request, "file", limit=settings.SOKET_MAX_UPLOAD_BYTES)
    except filecheck.FileRefused as refused:
        messages.error(request, str(refused))
        return _back(respondent)
    if upload is None:
        messages.error(request, _("Choose the filled-in form to upload."))
        return _back(respondent)
    try:
        saved = spreadsheet.upload(
            respondent=respondent, by=request.user, filename=upload.name or "", data=upload.read()
        )
    except TableError as error:
        for problem in error.errors[:MESSAGES_SHOWN]:
            messages.error(request, str(problem))
        if len(error.errors) > MESSAGES_SHOWN:
            messages.error(
                request, _("…and %d more problems.") % (len(error.errors) - MESSAGES_SHOWN)
            )
        messages.error(request, _("Nothing was saved: correct the file and upload it again."))
    except AnswerError as error:
        for refusal in error.problems[:MESSAGES_SHOWN]:
            messages.error(request, str(refusal))
        messages.error(request, _("Nothing was saved: correct the file and upload it again."))
    else:
        if _is_workers(respondent):
            messages.success(
                request,
                ngettext(
                    "The form was read: %(count)d questionnaire is saved.",
                    "The form was read: %(count)d questionnaires are saved.",
                    len(saved),
                )
                % {"count": len(saved)},
            )
        else:
            messages.success(request, _("The form was read and the answer saved."))
    return _back(respondent)
