"""A campaign's surveys and the definition of one: its texts, sections and questions,
its opening and closing.

Each view fetches its object through what the person may see (404 for the rest); only
the administrators of the surveying unit change anything (403 for the others who see
it), and the services refuse, with a message, what the survey's state or the form's
revision does not allow. A refused form comes back with what was typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from soket.campaigns.access import visible_campaigns
from soket.campaigns.models import Campaign
from soket.core import params
from soket.core.forms import DayField
from soket.orgs.access import Perm, role_units
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import Unit
from soket.surveys import access, definition, selectors
from soket.surveys.labels import localized
from soket.surveys.models import Question, Respondent, Section, Survey
from soket.surveys.views import get_survey_for_user

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Fetching, as the person may.


def _campaign_for(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    try:
        return visible_campaigns(request.user).select_related("owner").get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def _administered(request: AuthenticatedHttpRequest, survey: Survey) -> Survey:
    """The survey, for the administrators of its unit: 403 for the others who see it."""
    if not access.can_administer_survey(request.user, survey):
        raise PermissionDenied
    return survey


def _question_for(request: AuthenticatedHttpRequest, pk: int) -> Question:
    try:
        question = Question.objects.select_related("survey").get(
            pk=pk, survey__in=access.visible_surveys(request.user)
        )
    except Question.DoesNotExist:
        raise Http404 from None
    question.survey = get_survey_for_user(request, question.survey_id)
    return question


def _section_for(request: AuthenticatedHttpRequest, pk: int) -> Section:
    try:
        section = Section.objects.get(pk=pk, survey__in=access.visible_surveys(request.user))
    except Section.DoesNotExist:
        raise Http404 from None
    section.survey = get_survey_for_user(request, section.survey_id)
    return section


def _posted_revision(request: AuthenticatedHttpRequest) -> int:
    """The revision the page was made from; a missing or garbled one reads as stale."""
    revision = params.whole(request.POST.get("revision"))
    return -1 if revision is None else revision


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# Forms.


def _text(
    label: StrOrPromise, *, required: bool = False, max_length: int | None = None, rows: int = 0
) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=widget, strip=True
    )


class SurveyForm(forms.Form):
    """The survey's texts. Lengths are checked by the service, whose messages name them."""

    title = _text(gettext_lazy("Title"))
    title_en = _text(gettext_lazy("Title in English"))
    respondents = forms.ChoiceField(
        label=gettext_lazy("Who answers"), choices=Survey.Respondents.choices, required=False
    )
    due_on = DayField(label=gettext_lazy("Answers due by"), required=False)
    introduction = _text(gettext_lazy("Introduction"), rows=4)
    introduction_en = _text(gettext_lazy("Introduction in English"), rows=4)

    def only_due_date(self) -> None:
        """Once open, the due date alone changes: the other fields show what is stored
        and whatever is posted for them is ignored."""
        for name, form_field in self.fields.items():
            if name != "due_on":
                form_field.disabled = True


class NewSurveyForm(SurveyForm):
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Surveying unit"),
        queryset=Unit.objects.none(),
        error_messages={
            "required": gettext_lazy("Choose the unit that runs the survey."),
            "invalid_choice": gettext_lazy(
                "Choose the unit that runs the survey among those listed."
            ),
        },
    )
    field_order = ["owner", "title", "title_en", "respondents", "due_on"]

    def __init__(self, *args, owners: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Unit.objects.filter(pk__in=[unit.pk for unit in owners]).order_by("path")
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = queryset
        if len(owners) == 1:
            owner.initial = owners[0].pk
        del self.fields["introduction"], self.fields["introduction_en"]


class SectionForm(forms.Form):
    heading = _text(gettext_lazy("Heading"))
    heading_en = _text(gettext_lazy("Heading in English"))


NUMBER = {"max_digits": 18, "decimal_places": 4, "required": False}


class QuestionForm(forms.Form):
    """A question with its choices typed one a line, and its skip rule as ticks among
    the answers of the survey's choice questions."""

    label = _text(gettext_lazy("Question"))
    label_en = _text(gettext_lazy("Question in English"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of answer"),
        choices=[("", "—"), *Question.Kind.choices],
        required=False,
    )
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)
    choices = _text(
        gettext_lazy("Choices (one-choice and several-choice questions)"),
        rows=6,
    )
    code = _text(gettext_lazy("Code"))
    help_text = _text(gettext_lazy("Explanation for who answers"))
    section = forms.ModelChoiceField(
        label=gettext_lazy("Section"),
        queryset=Section.objects.none(),
        required=False,
        empty_label=gettext_lazy("(no section)"),
        error_messages={"invalid_choice": gettext_lazy("Choose one of this survey's sections.")},
    )
    minimum = forms.DecimalField(label=gettext_lazy("Smallest number allowed"), **NUMBER)  # type: ignore[arg-type]
    maximum = forms.DecimalField(label=gettext_lazy("Largest number allowed"), **NUMBER)  # type: ignore[arg-type]
    position = forms.TypedChoiceField(
        label=gettext_lazy("Place"), coerce=int, empty_value=None, required=False
    )
    shown_if = forms.MultipleChoiceField(
        label=gettext_lazy("Ask it only after these answers"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("Tick the answers among those listed."),
        },
    )

    def __init__(self, *args, survey: Survey, question: Question | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey, self.question = survey, question
        section = self.fields["section"]
        assert isinstance(section, forms.ModelChoiceField)
        section.queryset = survey.sections.all()
        others = [
            q
            for q in survey.questions.prefetch_related("choices").order_by("order", "pk")
            if question is None or q.pk != question.pk
        ]
        self.rule_questions = [q for q in others if q.kind in definition.CHOICE_KINDS]
        shown_if = self.fields["shown_if"]
        assert isinstance(shown_if, forms.MultipleChoiceField)
        shown_if.choices = [
            (f"{q.pk}:{choice.code}", choice.label)
            for q in self.rule_questions
            for choice in q.choices.all()
        ]
        where_it_is = _("where it is") if question is not None else _("at the end")
        position = self.fields["position"]
        assert isinstance(position, forms.TypedChoiceField)
        position.choices = [("", where_it_is)] + [
            (str(n), _("before %(number)d. %(label)s") % {"number": q.order, "label": q.label[:60]})
            for n, q in enumerate(others, start=1)
        ]
        if question is not None:
            position.choices.append((str(len(others) + 1), _("at the end")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ticked = data.get("shown_if") or []
        by_question: dict[int, list[str]] = {}
        for value in ticked:
            pk, _sep, code = value.partition(":")
            by_question.setdefault(int(pk), []).append(code)
        data["rule"] = None
        data["rule_codes"] = []
        if len(by_question) > 1:
            self.add_error(
                "shown_if",
                _(
                    "Tick answers of one question only: a question is asked after the "
                    "answers to one earlier question."
                ),
            )
        elif by_question:
            ((pk, codes),) = by_question.items()
            data["rule"] = next(q for q in self.rule_questions if q.pk == pk)
            data["rule_codes"] = codes
        return data

    def question_input(self) -> definition.QuestionInput:
        data = self.cleaned_data
        return definition.QuestionInput(
            label=data["label"],
            kind=data["kind"],
            code=data["code"],
            label_en=data["label_en"],
            help_text=data["help_text"],
            required=data["required"],
            section=data["section"],
            minimum=data["minimum"],
            maximum=data["maximum"],
            shown_if=data["rule"],
            shown_if_codes=data["rule_codes"],
            choices=definition.parse_choices(data["choices"]),
            position=data["position"],
        )

    def rule_groups(self) -> list[RuleGroup]:
        """The choice questions and their answers, ticked as the form says."""
        ticked = set(self["shown_if"].value() or [])
        return [
            RuleGroup(
                label=f"{q.order}. {localized(q, 'label')}",
                options=[
                    RuleOption(
                        value=f"{q.pk}:{choice.code}",
                        label=localized(choice, "label"),
                        ticked=f"{q.pk}:{choice.code}" in ticked,
                    )
                    for choice in q.choices.all()
                ],
            )
            for q in self.rule_questions
        ]


@dataclass(frozen=True)
class RuleOption:
    value: str
    label: str
    ticked: bool


@dataclass(frozen=True)
class RuleGroup:
    label: str
    options: list[RuleOption]


def _question_initial(question: Question) -> dict:
    return {
        "label": question.label,
        "label_en": question.label_en,
        "kind": question.kind,
        "required": question.required,
        "choices": definition.choices_text(question),
        "code": question.code,
        "help_text": question.help_text,
        "section": question.section_id,
        "minimum": question.minimum,
        "maximum": question.maximum,
        "shown_if": [f"{question.shown_if_id}:{code}" for code in question.shown_if_codes]
        if question.shown_if_id
        else [],
    }


# What the survey page shows.


@dataclass
class QuestionLine:
    question: Question
    label: str
    help_text: str
    choices: list[tuple[str, str]]
    rule: str


@dataclass
class Block:
    """Questions in a row of one section (heading None: before any section)."""

    heading: str | None
    is_section: bool
    lines: list[QuestionLine]


@dataclass
class SurveyPage:
    survey: Survey
    title: str
    introduction: str
    blocks: list[Block]
    sections: list[Section]
    can_administer: bool
    can_define: bool
    can_read_results: bool
    answering: list[Respondent] = field(default_factory=list)
    open_problems: list[str] = field(default_factory=list)


def _rule_in_words(question: Question, choices: dict[int, list[tuple[str, str]]]) -> str:
    if question.shown_if is None:
        return ""
    labels = dict(choices.get(question.shown_if_id or 0, []))
    answers = [f"“{labels.get(code, code)}”" for code in question.shown_if_codes]
    return _(
        "Asked only when the answer to question %(number)d (“%(question)s”) is %(answers)s."
    ) % {
        "number": question.shown_if.order,
        "question": localized(question.shown_if, "label"),
        "answers": _(" or ").join(answers),
    }


def survey_page(request: AuthenticatedHttpRequest, survey: Survey) -> SurveyPage:
    """Everything the survey's page shows, in a fixed number of queries."""
    user = request.user
    questions = list(
        survey.questions.select_related("section", "shown_if")
        .prefetch_related("choices")
        .order_by("order", "pk")
    )
    choices = {q.pk: [(c.code, localized(c, "label")) for c in q.choices.all()] for q in questions}
    blocks: list[Block] = []
    for question in questions:
        if not blocks or question.section_id != blocks[-1].lines[-1].question.section_id:
            section = question.section
            blocks.append(
                Block(
                    heading=localized(section, "heading") if section else None,
                    is_section=section is not None,
                    lines=[],
                )
            )
        blocks[-1].lines.append(
            QuestionLine(
                question=question,
                label=localized(question, "label"),
                help_text=question.help_text,
                choices=choices[question.pk],
                rule=_rule_in_words(question, choices),
            )
        )
    can_administer = access.can_administer_survey(user, survey)
    answering: list[Respondent] = []
    if survey.state != Survey.State.DRAFT:
        answering = list(
            Respondent.objects.filter(
                survey=survey, unit__in=role_units(user, Perm.EDIT)
            ).select_related("unit")
        )
    return SurveyPage(
        survey=survey,
        title=localized(survey, "title"),
        introduction=localized(survey, "introduction"),
        blocks=blocks,
        sections=list(survey.sections.all()),
        can_administer=can_administer,
        can_define=can_administer and survey.state == Survey.State.DRAFT,
        can_read_results=access.can_read_results(user, survey),
        answering=answering,
        open_problems=(
            definition.open_problems(survey)
            if can_administer and survey.state == Survey.State.DRAFT
            else []
        ),
    )


def _render_detail(
    request: AuthenticatedHttpRequest,
    survey: Survey,
    *,
    errors: list[str] | None = None,
    section_form: SectionForm | None = None,
    revision: int | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "page": survey_page(request, survey),
            "errors": errors or [],
            "section_form": section_form or SectionForm(),
            "revision": survey.revision if revision is None else revision,
        },
        status=status,
    )


# The campaign's surveys.


def _render_list(
    request: AuthenticatedHttpRequest,
    campaign: Campaign,
    form: NewSurveyForm | None,
    *,
    status: int = 200,
) -> HttpResponse:
    surveys = [
        (survey, localized(survey, "title"))
        for survey in selectors.surveys_of(user=request.user, campaign=campaign)
    ]
    return render(
        request,
        "surveys/list.html",
        {"campaign": campaign, "surveys": surveys, "form": form},
        status=status,
    )


@login_required
@require_safe
def survey_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_for(request, pk)
    owners = definition.owner_choices(user=request.user, campaign=campaign)
    form = NewSurveyForm(owners=owners) if owners else None
    return _render_list(request, campaign, form)


@login_required
@require_POST
def survey_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_for(request, pk)
    owners = definition.owner_choices(user=request.user, campaign=campaign)
    if not owners:
        raise PermissionDenied
    form = NewSurveyForm(request.POST, owners=owners)
    if form.is_valid():
        data = form.cleaned_data
        try:
            survey = definition.survey_create(
                campaign=campaign,
                owner=data["owner"],
                by=request.user,
                title=data["title"],
                title_en=data["title_en"],
                respondents=data["respondents"],
                due_on=data["due_on"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The survey is made. Write its questions, choose who answers, then open "
                    "it: until then only your unit's administrators see it."
                ),
            )
            return redirect("survey_detail", pk=survey.pk)
    return _render_list(request, campaign, form, status=400)


# A survey.


@login_required
@require_safe
def survey_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_survey_for_user(request, pk))


def _survey_initial(survey: Survey) -> dict:
    return {
        "title": survey.title,
        "title_en": survey.title_en,
        "respondents": survey.respondents,
        "due_on": survey.due_on,
        "introduction": survey.introduction,
        "introduction_en": survey.introduction_en,
    }


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = _administered(request, get_survey_for_user(request, pk))
    revision = survey.revision
    if request.method != "POST":
        form = SurveyForm(initial=_survey_initial(survey))
        if survey.state != Survey.State.DRAFT:
            form.only_due_date()
        return _render_edit(request, survey, form, revision)
    form = SurveyForm(request.POST, initial=_survey_initial(survey))
    if survey.state != Survey.State.DRAFT:
        form.only_due_date()
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = definition.survey_update(
                survey=survey,
                by=request.user,
                revision=_posted_revision(request),
                title=data["title"],
                title_en=data["title_en"],
                introduction=data["introduction"],
                introduction_en=data["introduction_en"],
                due_on=data["due_on"],
                respondents=data["respondents"] or None,
            )
        except ValidationError as error:
            _add_errors(form, error)
            # Shown again against the stored survey: saving now overwrites it knowingly.
            revision = Survey.objects.get(pk=survey.pk).revision
        else:
            if saved.revision == survey.revision:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(request, _("The survey is saved."))
            return redirect("survey_detail", pk=survey.pk)
    return _render_edit(request, survey, form, revision, status=400)


def _render_edit(
    request: AuthenticatedHttpRequest,
    survey: Survey,
    form: SurveyForm,
    revision: int,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "surveys/edit.html",
        {
            "survey": survey,
            "title": localized(survey, "title"),
            "form": form,
            "revision": revision,
            "can_define": survey.state == Survey.State.DRAFT,
        },
        status=status,
    )


# Sections.


@login_required
@require_POST
def section_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = _administered(request, get_survey_for_user(request, pk))
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            section = definition.section_add(
                survey=survey,
                by=request.user,
                revision=_posted_revision(request),
                heading=form.cleaned_data["heading"],
                heading_en=form.cleaned_data["heading_en"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The section “%s” is added.") % section.heading)
            return redirect("survey_detail", pk=survey.pk)
    survey.refresh_from_db()
    return _render_detail(
        request,
        survey,
        errors=[str(e) for e in form.non_field_errors()],
        section_form=form,
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    section = _section_for(request, pk)
    survey = _administered(request, section.survey)
    revision = survey.revision
    if request.method != "POST":
        form = SectionForm(initial={"heading": section.heading, "heading_en": section.heading_en})
        return _render_section(request, section, form, revision)
    form = SectionForm(request.POST)
    deleting = "delete" in request.POST
    if form.is_valid() or deleting:
        try:
            if deleting:
                definition.section_delete(
                    section=section, by=request.user, revision=_posted_revision(request)
                )
            else:
                definition.section_update(
                    section=section,
                    by=request.user,
                    revision=_posted_revision(request),
                    heading=form.cleaned_data["heading"],
                    heading_en=form.cleaned_data["heading_en"],
                )
        except ValidationError as error:
            _add_errors(form, error)
            revision = Survey.objects.get(pk=survey.pk).revision
        else:
            messages.success(
                request,
                _("The section is deleted; its questions stay, outside any section.")
                if deleting
                else _("The section is saved."),
            )
            return redirect("survey_detail", pk=survey.pk)
    return _render_section(request, section, form, revision, status=400)


def _render_section(
    request: AuthenticatedHttpRequest,
    section: Section,
    form: SectionForm,
    revision: int,
    *,
    status: int = 200,
) -> HttpResponse:
    survey = section.survey
    return render(
        request,
        "surveys/edit_section.html",
        {
            "survey": survey,
            "title": localized(survey, "title"),
            "section": section,
            "form": form,
            "revision": revision,
            "can_define": survey.state == Survey.State.DRAFT,
        },
        status=status,
    )


# Questions.


def _render_question(
    request: AuthenticatedHttpRequest,
    survey: Survey,
    form: QuestionForm,
    revision: int,
    *,
    question: Question | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "surveys/question.html",
        {
            "survey": survey,
            "title": localized(survey, "title"),
            "question": question,
            "form": form,
            "revision": revision,
            "can_define": survey.state == Survey.State.DRAFT,
            "kinds": Question.Kind,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = _administered(request, get_survey_for_user(request, pk))
    revision = survey.revision
    if request.method != "POST":
        form = QuestionForm(survey=survey, question=None, initial={"kind": Question.Kind.SINGLE})
        return _render_question(request, survey, form, revision)
    form = QuestionForm(request.POST, survey=survey, question=None)
    if form.is_valid():
        try:
            question = definition.question_add(
                survey=survey,
                by=request.user,
                revision=_posted_revision(request),
                question=form.question_input(),
            )
        except ValidationError as error:
            _add_errors(form, error)
            revision = Survey.objects.get(pk=survey.pk).revision
        else:
            messages.success(
                request, _("Question %(number)d is added.") % {"number": question.order}
            )
            if "another" in request.POST:
                return redirect("survey_question_add", pk=survey.pk)
            return redirect("survey_detail", pk=survey.pk)
    return _render_question(request, survey, form, revision, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    question = _question_for(request, pk)
    survey = _administered(request, question.survey)
    revision = survey.revision
    if request.method != "POST":
        form = QuestionForm(survey=survey, question=question, initial=_question_initial(question))
        return _render_question(request, survey, form, revision, question=question)
    form = QuestionForm(request.POST, survey=survey, question=question)
    if form.is_valid():
        try:
            definition.question_update(
                question=question,
                by=request.user,
                revision=_posted_revision(request),
                changes=form.question_input(),
            )
        except ValidationError as error:
            _add_errors(form, error)
            revision = Survey.objects.get(pk=survey.pk).revision
        else:
            messages.success(request, _("The question is saved."))
            return redirect("survey_detail", pk=survey.pk)
    return _render_question(request, survey, form, revision, question=question, status=400)


@login_required
@require_POST
def question_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    question = _question_for(request, pk)
    survey = _administered(request, question.survey)
    try:
        definition.question_delete(
            question=question, by=request.user, revision=_posted_revision(request)
        )
    except ValidationError as error:
        survey.refresh_from_db()
        return _render_detail(request, survey, errors=_messages_of(error), status=400)
    messages.success(request, _("The question “%s” is deleted.") % question.label)
    return redirect("survey_detail", pk=survey.pk)


# Opening and closing.


def _move(request: AuthenticatedHttpRequest, pk: int, service, done: str) -> HttpResponse:
    """Open or close the survey through `service`; back to its page with `done`, or
    with what stands in the way."""
    survey = _administered(request, get_survey_for_user(request, pk))
    try:
        service(survey=survey, by=request.user, revision=_posted_revision(request))
    except ValidationError as error:
        survey.refresh_from_db()
        return _render_detail(request, survey, errors=_messages_of(error), status=400)
    messages.success(request, done)
    return redirect("survey_detail", pk=survey.pk)


@login_required
@require_POST
def survey_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _move(
        request,
        pk,
        definition.survey_open,
        _("The survey is open: the units chosen can answer it."),
    )


@login_required
@require_POST
def survey_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _move(
        request, pk, definition.survey_close, _("The survey is closed: no more answers are taken.")
    )
