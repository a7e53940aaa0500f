"""Who answers a survey: the respondents page (and its draw), the progress of the
answers level by level, and a unit's printable worker questionnaires.

Each view first fetches the survey through what the user may see (404 otherwise), then
checks what they may do with it (403)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from soket.core import params
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import Unit, UnitKind, ids_in_path
from soket.surveys import access, progress, sampling, tokens
from soket.surveys.models import Respondent, Survey
from soket.surveys.views import get_survey_for_user

UNIT = "don-vi"
BIGGEST = 10**9  # a size or a count past this is a slip of the keyboard


class DrawForm(forms.Form):
    """The draw as typed; the service checks what the numbers mean (a size larger than
    the units there are, a seed out of range) and says so in its message."""

    selection = forms.ChoiceField(
        choices=Survey.Selection.choices,
        error_messages={
            "required": gettext_lazy("Choose whether every unit answers or a sample."),
            "invalid_choice": gettext_lazy("Choose whether every unit answers or a sample."),
        },
    )
    kinds = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": gettext_lazy("Choose at least one kind of unit to ask."),
            "invalid_choice": gettext_lazy("Choose the kinds of unit among those listed."),
        },
    )
    size = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=BIGGEST,
        error_messages={
            "invalid": gettext_lazy("The size of the sample is a whole number of units."),
            "min_value": gettext_lazy("The sample must hold at least one unit."),
            "max_value": gettext_lazy("The size of the sample is too large."),
        },
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**sampling.SEED_BITS - 1,
        error_messages={
            "invalid": gettext_lazy("The seed is a whole number; leave it empty for a new draw."),
            "min_value": gettext_lazy("The seed is a whole number from 0 to 2⁶³ − 1."),
            "max_value": gettext_lazy("The seed is a whole number from 0 to 2⁶³ − 1."),
        },
    )
    questionnaires_per_unit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=sampling.MOST_QUESTIONNAIRES,
        error_messages={
            "invalid": gettext_lazy("The number of questionnaires is a whole number."),
            "min_value": gettext_lazy("A unit hands out at least one questionnaire."),
            "max_value": gettext_lazy("A unit hands out at most %(limit_value)s questionnaires."),
        },
    )
    # The survey's revision the page was read at. Missing or not a number counts as
    # stale: a sample is never drawn again from a page that may be out of date.
    revision = forms.IntegerField(
        min_value=0,
        max_value=BIGGEST,
        error_messages={
            key: gettext_lazy(
                "The survey was changed by someone else since you opened this page; "
                "look at it again and draw again."
            )
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )

    def __init__(self, *args, kinds: list[UnitKind], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kinds"]).choices = [
            (kind.pk, kind.name) for kind in kinds
        ]


def _errors(form: forms.Form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


def _render_respondents(
    request: AuthenticatedHttpRequest,
    survey: Survey,
    *,
    form: DrawForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_draw = access.can_define(request.user, survey)
    kinds = sampling.kinds_present(survey) if can_draw else []
    if form is None:
        chosen = list(survey.kinds.values_list("pk", flat=True)) or [kind.pk for kind in kinds]
        form = DrawForm(
            kinds=kinds,
            initial={
                "selection": survey.selection,
                "kinds": chosen,
                "size": survey.sample_size,
                "seed": "",
                "questionnaires_per_unit": survey.questionnaires_per_unit,
                "revision": survey.revision,
            },
        )
    typed_kinds = {str(value) for value in (form["kinds"].value() or [])}
    strata = sampling.strata_of(survey)
    return render(
        request,
        "surveys/respondents.html",
        {
            "survey": survey,
            "strata": strata,
            "respondent_count": sum(len(s.respondents.all()) for s in strata),
            "can_draw": can_draw,
            "form": form,
            "kinds": [(kind, str(kind.pk) in typed_kinds) for kind in kinds],
            "errors": errors or [],
            "is_workers": survey.respondents == Survey.Respondents.PEOPLE,
            # The questionnaires' links are secrets: offered to the administrators only
            # (a unit's own people reach theirs from its page and their reminders).
            "can_print": survey.state == Survey.State.OPEN
            and access.can_administer_survey(request.user, survey),
            "selections": Survey.Selection.choices,
        },
        status=status,
    )


@login_required
@require_safe
def survey_respondents(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    if not access.can_read_results(request.user, survey):
        raise PermissionDenied  # a unit below sees its own part on the progress page
    return _render_respondents(request, survey)


@login_required
@require_POST
def survey_draw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    if not access.can_administer_survey(request.user, survey):
        raise PermissionDenied
    if survey.state != Survey.State.DRAFT:
        messages.error(
            request,
            _("The survey is %s: who answers it can no longer change.")
            % survey.get_state_display().lower(),
        )
        return redirect("survey_respondents", pk=survey.pk)
    form = DrawForm(request.POST, kinds=sampling.kinds_present(survey))
    if not form.is_valid():
        return _render_respondents(request, survey, form=form, errors=_errors(form), status=400)
    data = form.cleaned_data
    try:
        survey = sampling.draw(
            survey=survey,
            by=request.user,
            selection=data["selection"],
            kinds=data["kinds"],
            size=data["size"],
            seed=data["seed"],
            questionnaires_per_unit=data["questionnaires_per_unit"],
            revision=data["revision"],
        )
    except sampling.SamplingError as error:
        return _render_respondents(request, survey, form=form, errors=[str(error)], status=400)
    count = Respondent.objects.filter(survey=survey).count()
    messages.success(
        request,
        ngettext(
            "%(count)d unit is chosen to answer.", "%(count)d units are chosen to answer.", count
        )
        % {"count": count},
    )
    return redirect("survey_respondents", pk=survey.pk)


@login_required
@require_safe
def survey_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    user = request.user
    start = progress.starting_unit(user=user, survey=survey)
    if start is None:
        raise PermissionDenied
    within = start
    if request.GET.get(UNIT):
        chosen = progress.unit_to_look_at(
            user=user, survey=survey, pk=params.id_or_404(request.GET[UNIT])
        )
        if chosen is None:
            raise Http404
        within = chosen
    return render(
        request,
        "surveys/progress.html",
        {
            "survey": survey,
            "progress": progress.progress(survey=survey, within=within),
            "start": start,
            "above": _path_between(start, within),
            "unit_param": UNIT,
            "can_see_respondents": access.can_read_results(user, survey),
        },
    )


def _path_between(start: Unit, within: Unit) -> list[Unit]:
    """The units from where the user started down to the one looked at, for the
    breadcrumb (one query)."""
    ids = ids_in_path(within.path)
    if start.pk not in ids:
        return []
    ids = ids[ids.index(start.pk) : -1]
    units = Unit.objects.in_bulk(ids)
    return [units[pk] for pk in ids if pk in units]


@never_cache
@login_required
@require_safe
def survey_tokens(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    if survey.respondents != Survey.Respondents.PEOPLE or survey.state != Survey.State.OPEN:
        raise Http404
    respondent = (
        Respondent.objects.filter(survey=survey, unit_id=unit_pk).select_related("unit").first()
    )
    if respondent is None:
        raise Http404
    user = request.user
    if not (
        access.can_answer_for(user, respondent.unit) or access.can_administer_survey(user, survey)
    ):
        raise PermissionDenied
    rows = tokens.questionnaires(request, respondent)
    return render(
        request,
        "surveys/tokens.html",
        {
            "survey": survey,
            "unit": respondent.unit,
            "questionnaires": rows,
            "spent": tokens.spent_count(respondent),
        },
    )
