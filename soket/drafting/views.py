"""The drafting pages: a report's drafting (rounds, comments and answers, versions,
presentation and adoption), a round for its readers, and two versions compared.

Each view fetches its object through a selector that answers only the people who may
see it (404 for the rest); the services decide who may change what (403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from soket.campaigns.models import OutlineSection
from soket.core import clock, params
from soket.drafting import compare, selectors, services
from soket.drafting.forms import AdoptionForm, AnswerForm, CommentForm, PresentationForm, RoundForm
from soket.drafting.models import Comment, CommentRound
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import User
from soket.reports import workflow
from soket.reports.models import Report


def _get_report_for_user(request: AuthenticatedHttpRequest, pk: int) -> Report:
    try:
        return selectors.report_seen_by(user=request.user, pk=pk)
    except Report.DoesNotExist:
        raise Http404 from None


def _get_round_for_user(request: AuthenticatedHttpRequest, pk: int) -> CommentRound:
    try:
        return selectors.round_seen_by(user=request.user, pk=pk)
    except CommentRound.DoesNotExist:
        raise Http404 from None


def _get_comment_for_user(request: AuthenticatedHttpRequest, pk: int) -> Comment:
    try:
        return selectors.comment_seen_by(user=request.user, pk=pk)
    except Comment.DoesNotExist:
        raise Http404 from None


def _is_htmx(request: AuthenticatedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _render_drafting(
    request: AuthenticatedHttpRequest,
    report: Report,
    *,
    round_form: RoundForm | None = None,
    presentation_form: PresentationForm | None = None,
    adoption_form: AdoptionForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.drafting_page(user=request.user, report=report)
    return render(
        request,
        "drafting/drafting_detail.html",
        {
            "report": report,
            "page": page,
            "round_form": round_form or RoundForm(readers=User.objects.none()),
            # The readers ticked on a form that came back, ticked again.
            "chosen": set(request.POST.getlist("readers")) if round_form else set(),
            "presentation_form": presentation_form or PresentationForm(),
            "adoption_form": adoption_form or AdoptionForm(),
            "errors": errors or [],
            "answers": Comment.Answer.choices,
        },
        status=status,
    )


@login_required
@require_safe
def drafting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_drafting(request, _get_report_for_user(request, pk))


def _form_errors(form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


@login_required
@require_POST
def draft_version_keep(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    version = services.version_keep(report=report, by=request.user)
    messages.success(request, _("Version %d is kept.") % version.number)
    return redirect("drafting_detail", pk=report.pk)


@login_required
@require_POST
def comment_round_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    if not workflow.can_edit(request.user, report):
        raise PermissionDenied  # before reading the form: it is the drafter's
    form = RoundForm(request.POST, readers=selectors.reader_choices(report, drafter=request.user))
    if not form.is_valid():
        return _render_drafting(
            request, report, round_form=form, errors=_form_errors(form), status=400
        )
    try:
        round_ = services.round_open(
            report=report,
            by=request.user,
            readers=form.cleaned_data["readers"],
            due_on=form.cleaned_data["due_on"],
            note=form.cleaned_data["note"],
        )
    except services.DraftingError as error:
        return _render_drafting(request, report, round_form=form, errors=[str(error)], status=400)
    count = round_.readers.count()
    messages.success(
        request,
        ngettext(
            "Version %(version)d is circulated to %(count)d reader.",
            "Version %(version)d is circulated to %(count)d readers.",
            count,
        )
        % {"version": round_.version.number, "count": count},
    )
    return redirect("drafting_detail", pk=report.pk)


def _reading_context(request: AuthenticatedHttpRequest, round_: CommentRound) -> dict:
    report = round_.report
    can_draft = workflow.can_edit(request.user, report)
    return {
        "round": round_,
        "report": report,
        "parts": selectors.round_reading(user=request.user, round_=round_),
        "figures": selectors.version_figures(round_.version),
        "is_reader": selectors.is_reader(request.user, round_),
        "can_draft": can_draft,
        "is_open": round_.closed_at is None and not round_.due_on < clock.today(),
        "answers": Comment.Answer.choices,
    }


@login_required
@require_safe
def comment_round(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, pk)
    return render(request, "drafting/comment_round.html", _reading_context(request, round_))


def _section_of(round_: CommentRound, raw: str) -> OutlineSection | None:
    if not raw:
        return None
    try:
        return selectors.round_section(round_=round_, pk=params.id_or_404(raw))
    except OutlineSection.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def comment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, pk)
    if not selectors.is_reader(request.user, round_):
        raise PermissionDenied  # a drafter reads the round, only its readers comment
    form = CommentForm(request.POST)
    form.is_valid()
    section = _section_of(round_, form.cleaned_data.get("section", ""))
    text = form.cleaned_data.get("text", "")
    try:
        services.comment_add(round=round_, by=request.user, section=section, text=text)
    except services.DraftingError as error:
        failed = {"section": section.pk if section else None, "error": str(error), "text": text}
        if _is_htmx(request):
            return _section_part(request, round_, section, failed)
        context = _reading_context(request, round_)
        context["failed"] = failed
        return render(request, "drafting/comment_round.html", context, status=400)
    if _is_htmx(request):
        return _section_part(request, round_, section, None)
    messages.success(request, _("Your comment is sent to the drafter."))
    anchor = f"#phan-{section.pk}" if section else "#phan-chung"
    return redirect(reverse("comment_round", args=[round_.pk]) + anchor)


def _section_part(
    request: AuthenticatedHttpRequest,
    round_: CommentRound,
    section: OutlineSection | None,
    failed: dict | None,
) -> HttpResponse:
    """One section of the reading, swapped in place by htmx after a comment (errors
    included: htmx swaps only a success, so a refusal comes as 200 with its message)."""
    context = _reading_context(request, round_)
    key = section.pk if section else None
    part = next((p for p in context["parts"] if p.key == key), None)
    if part is None:
        raise Http404
    context.update(part=part, failed=failed)
    response = render(request, "drafting/_reading_part.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def comment_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment_for_user(request, pk)
    form = AnswerForm(request.POST)
    form.is_valid()
    answer = form.cleaned_data.get("answer") or request.POST.get("answer", "")
    reason = form.cleaned_data.get("reason", "")
    error = None
    try:
        comment = services.comment_answer(
            comment=comment, by=request.user, answer=answer, reason=reason
        )
    except services.DraftingError as refused:
        error = str(refused)
    if _is_htmx(request):
        comment = selectors.comment_for_page(user=request.user, pk=comment.pk)
        response = render(
            request,
            "drafting/_comment.html",
            {
                "comment": comment,
                "can_draft": True,
                "answers": Comment.Answer.choices,
                "answer_error": error,
                "typed": {"answer": answer, "reason": reason} if error else None,
            },
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The answer is saved."))
    return redirect(
        reverse("drafting_detail", args=[comment.round.report_id]) + f"#y-kien-{comment.pk}"
    )


@login_required
@require_POST
def draft_presented(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    if not workflow.can_edit(request.user, report):
        raise PermissionDenied
    form = PresentationForm(request.POST)
    if not form.is_valid():
        return _render_drafting(
            request, report, presentation_form=form, errors=_form_errors(form), status=400
        )
    try:
        services.presentation_record(
            report=report,
            by=request.user,
            conference_on=form.cleaned_data["conference_on"],
            conference=form.cleaned_data["conference"],
        )
    except services.DraftingError as error:
        return _render_drafting(
            request, report, presentation_form=form, errors=[str(error)], status=400
        )
    messages.success(request, _("The version presented to the conference is recorded."))
    return redirect("drafting_detail", pk=report.pk)


@login_required
@require_POST
def draft_adopted(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    if not workflow.can_edit(request.user, report):
        raise PermissionDenied
    form = AdoptionForm(request.POST)
    if not form.is_valid():
        return _render_drafting(
            request, report, adoption_form=form, errors=_form_errors(form), status=400
        )
    try:
        record = services.adoption_record(
            report=report, by=request.user, adopted_on=form.cleaned_data["adopted_on"]
        )
    except services.DraftingError as error:
        return _render_drafting(
            request, report, adoption_form=form, errors=[str(error)], status=400
        )
    assert record.adopted_version is not None
    messages.success(
        request,
        _("The adoption is recorded: version %d is the one the report sends up.")
        % record.adopted_version.number,
    )
    return redirect("drafting_detail", pk=report.pk)


@login_required
@require_safe
def draft_compare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    choices = selectors.compare_choices(report)
    keys = [key for key, _label in choices]
    a = request.GET.get("a") or (keys[-2] if len(keys) > 1 else compare.NOW)
    b = request.GET.get("b") or compare.NOW
    try:
        comparison = compare.compare(
            compare.source(report, a), compare.source(report, b), selectors.outline_of(report)
        )
    except LookupError:
        raise Http404 from None
    return render(
        request,
        "drafting/draft_compare.html",
        {"report": report, "comparison": comparison, "choices": choices, "a": a, "b": b},
    )
