"""A survey's results: the page, a question's chart, the export of the figures and the
quote of one question's result into a report.

Each view fetches the survey through what the person sees (404 otherwise), then the
scope the address asks for through results.reader_scope: 404 for a unit or level out
of what they read, 403 for a person who sees the survey but reads none of its results.
"""

from __future__ import annotations

import io

import openpyxl
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from soket.analysis import charts
from soket.analysis.views import CHART_POLICY
from soket.campaigns.deadlines import plan_of
from soket.campaigns.models import Campaign, OutlineSection
from soket.campaigns.selectors import participating_units, report_outline
from soket.core import params
from soket.core.text import clean_text
from soket.core.uploads import XLSX_TYPE
from soket.lessons.selectors import quoting_unit
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import Unit, UnitKind
from soket.reports import services as report_services
from soket.reports.models import Report
from soket.surveys import access, stats
from soket.surveys import results as survey_results_data
from soket.surveys.charts import ShareBar, ShareBars, share_chart
from soket.surveys.models import Question, Stratum, Survey
from soket.surveys.results import Results, Scope
from soket.surveys.views import get_survey_for_user

# The address: unit, level, the question whose texts are paged, the page, the section.
UNIT, LEVEL, QUESTION, PAGE, SECTION = "don-vi", "cap", "cau-hoi", "trang", "muc"
MAX_PAGE = 100_000
# Text answers in the export: beyond this the sheet says how many were left out.
MAX_TEXTS = 20_000


def _htmx(request: AuthenticatedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _number(given: QueryDict, name: str) -> int | None:
    value = given.get(name, "").strip()
    return None if not value else params.id_or_404(value)


def _get_scope_for_user(
    request: AuthenticatedHttpRequest, survey: Survey, given: QueryDict
) -> Scope:
    """The unit and level asked for: 404 outside what the person reads, 403 when they
    read nothing of this survey."""
    try:
        return survey_results_data.reader_scope(
            user=request.user,
            survey=survey,
            unit_pk=_number(given, UNIT),
            kind_pk=_number(given, LEVEL),
        )
    except survey_results_data.NotReader:
        raise PermissionDenied from None
    except (Unit.DoesNotExist, UnitKind.DoesNotExist):
        raise Http404 from None


def _where(scope: Scope) -> str:
    """The scope as the address writes it, for the chart, the export and the quote."""
    kept: dict[str, int] = {UNIT: scope.unit.pk}
    if scope.kind is not None:
        kept[LEVEL] = scope.kind.pk
    return urlencode(kept)


def _quoting(
    request: AuthenticatedHttpRequest, survey: Survey, scope: Scope
) -> tuple[Campaign, Unit | None]:
    """The plan the reports are written under and the unit whose draft the person
    would quote into: the nearest at or above the results' unit whose report they
    write, if it takes part in that plan (None otherwise)."""
    plan = plan_of(survey.campaign)
    unit = quoting_unit(user=request.user, unit=scope.unit)
    if unit is None or not plan.is_issued:
        return plan, None
    if not participating_units(campaign=plan).filter(pk=unit.pk).exists():
        return plan, None
    return plan, unit


def _quote_target(
    request: AuthenticatedHttpRequest, survey: Survey, scope: Scope
) -> tuple[Unit | None, Report | None, list[OutlineSection]]:
    """The unit whose draft the person would quote into, its report if started, and the
    sections of that report (none when it cannot take a quote now)."""
    plan, quote_unit = _quoting(request, survey, scope)
    if quote_unit is None:
        return None, None, []
    report = Report.objects.filter(campaign=plan, unit=quote_unit, department__isnull=True).first()
    if report is not None and not report.is_editable:
        return quote_unit, report, []
    return quote_unit, report, list(report_outline(plan, quote_unit))


@login_required
@require_safe
def survey_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Per question its counts, shares, means, n and margin; the charts are images of
    their own, fetched after the page has painted."""
    survey = get_survey_for_user(request, pk)
    scope = _get_scope_for_user(request, survey, request.GET)
    found = survey_results_data.results(survey=survey, scope=scope)
    paged = request.GET.get(QUESTION, "")
    page = min(params.whole(request.GET.get(PAGE)) or 1, MAX_PAGE)
    for result in found.questions:
        if result.kind == Question.Kind.TEXT and result.shown and result.n:
            on = page if result.code == paged else 1
            rows, more = survey_results_data.text_answers(
                survey=survey, scope=scope, question=result.question, page=on
            )
            result.texts = {"rows": rows, "page": on, "more": more}
    quote_unit, quote_report, sections = _quote_target(request, survey, scope)
    respondents = survey_results_data.respondents_in(survey, Scope(unit=scope.unit, own=scope.own))
    whole = access.can_read_results(request.user, survey)
    context = {
        "survey": survey,
        "results": found,
        "scope": scope,
        "where": _where(scope),
        "levels": UnitKind.objects.filter(pk__in=respondents.values("unit__kind_id")),
        "branches": _branches(survey, scope),
        "whole": whole,
        "method_note": method_text(found),
        "hidden_note": hidden_text(found) if found.hidden else "",
        "left_out_note": left_out_text(found) if found.left_out else "",
        "reader_units": [] if whole else survey_results_data.reader_units(request.user, survey),
        "quote_unit": quote_unit,
        "quote_report": quote_report,
        "sections": sections,
    }
    return render(request, "surveys/results.html", context)


def _branches(survey: Survey, scope: Scope) -> list[Unit]:
    """The branches of the draw, to narrow the results to one (the whole survey only)."""
    if scope.own or scope.unit.pk != survey.owner_id:
        return []
    ids = Stratum.objects.filter(survey=survey).values("branch_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


def _chart_data(survey: Survey, found: Results, code: str) -> ShareBars:
    try:
        result = found.question(code)
    except Question.DoesNotExist:
        raise Http404 from None
    if not result.charted:
        raise Http404
    language = get_language() or "vi"
    note = _("n = %(n)d") % {"n": result.n}
    margin = next((c.margin() for c in result.choices if c.margin()), "")
    if margin and not result.choices[0].estimate.census:
        note += " · " + _("bars: margin of error at 95 percent")
    bars = [
        ShareBar(
            label=choice.label,
            percent=(choice.estimate.value or 0.0) * 100,
            margin=(choice.estimate.margin * 100) if choice.estimate.margin else None,
            text=stats.share_text(choice.estimate, language),
        )
        for choice in result.choices
    ]
    return ShareBars(title=f"{result.code}. {result.label}", note=note, bars=bars)


@login_required
@require_safe
@csp_replace(CHART_POLICY)  # type: ignore[arg-type]  # django-csp types a view of one argument
def result_chart(
    request: AuthenticatedHttpRequest, pk: int, code: str, file_format: str
) -> HttpResponse:
    """One question's chart, SVG for the page or PNG for Word (analysis.charts), of the
    scope the page shows."""
    survey = get_survey_for_user(request, pk)
    if file_format not in charts.FORMATS:
        raise Http404
    scope = _get_scope_for_user(request, survey, request.GET)
    found = survey_results_data.results(survey=survey, scope=scope, only=code)
    drawn = charts.drawing(share_chart, _chart_data(survey, found, code), file_format=file_format)
    response = HttpResponse(drawn.content, charts.FORMATS[file_format])
    response["Cache-Control"] = "private, max-age=60"
    patch_vary_headers(response, ["Cookie"])  # the language chosen: its words are drawn
    response["ETag"] = f'"{drawn.key}"'
    return response


def _cell(sheet, value, *, bold: bool = False) -> WriteOnlyCell:
    """A cell of the export: text stays text (an answer "=1+1" is never a formula),
    numbers are numbers."""
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=clean_text(value))
        cell.data_type = "s"
    else:
        cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = Font(bold=True)
    return cell


def _row(sheet, values: list, *, bold: bool = False) -> None:
    sheet.append([_cell(sheet, value, bold=bold) for value in values])


def _rounded(value: float | None, places: int = 4) -> float | str:
    return "" if value is None else round(value, places)


@login_required
@require_safe
def results_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The figures of the page as .xlsx: one row per choice (or mean) of each question,
    the breakdown by stratum and the text answers. Aggregates are a few rows a
    question, small enough to write within the request (the text answers, at most
    MAX_TEXTS, are the largest part)."""
    survey = get_survey_for_user(request, pk)
    scope = _get_scope_for_user(request, survey, request.GET)
    found = survey_results_data.results(survey=survey, scope=scope)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("Results")[:31])
    _row(sheet, [survey.title])
    _row(sheet, [_("Answers counted"), found.responses])
    _row(sheet, [_("Scope"), scope.unit.name + (f" — {scope.kind.name}" if scope.kind else "")])
    _row(sheet, [method_text(found)])
    if found.hidden:
        _row(sheet, [hidden_text(found)])
    if found.left_out:
        _row(sheet, [left_out_text(found)])
    _row(sheet, [])
    heads = [_("Code"), _("Question"), _("Choice"), _("Answers that took it"), _("n"),
             _("Share (%)"), _("Margin (± points)"), _("Mean"), _("Margin (±)")]  # fmt: skip
    _row(sheet, heads, bold=True)
    for result in found.questions:
        if not result.shown:
            _row(sheet, [result.code, result.label, hidden_text(found)])
            continue
        for choice in result.choices:
            estimate = choice.estimate
            _row(sheet, [
                result.code, result.label, choice.label, choice.count, result.n,
                _rounded(None if estimate.value is None else estimate.value * 100, 2),
                _rounded(None if estimate.margin is None else estimate.margin * 100, 2),
            ])  # fmt: skip
        if result.mean is not None:
            _row(sheet, [result.code, result.label, "", "", result.n, "", "",
                         _rounded(result.mean.value), _rounded(result.mean.margin)])  # fmt: skip
        if not result.choices and result.mean is None:
            _row(sheet, [result.code, result.label, "", "", result.n])
    strata = book.create_sheet(_("By stratum")[:31])
    _row(strata, [_("Code"), _("Stratum"), _("n"), _("Figures")], bold=True)
    for result in found.questions:
        if not result.shown:
            continue
        heads = survey_results_data.choice_labels(result.question)
        if result.strata and heads:
            _row(strata, [result.code, "", "", *heads], bold=True)
        for row in result.strata:
            _row(strata, [result.code, row.label, row.n, *row.figures])
    if any(r.kind == Question.Kind.TEXT and r.shown for r in found.questions):
        texts = book.create_sheet(_("Text answers")[:31])
        _row(texts, [_("Code"), _("Text answer"), _("Unit")], bold=True)
        hidden = {r.code for r in found.questions if not r.shown}
        rows = survey_results_data.all_text_answers(survey=survey, scope=scope, limit=MAX_TEXTS)
        for code, text, unit in rows:
            if code not in hidden:
                _row(texts, [code, text, unit])
        if len(rows) == MAX_TEXTS:
            _row(texts, [_("The first %(count)d answers only.") % {"count": MAX_TEXTS}])
    output = io.BytesIO()
    book.save(output)
    response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="khao-sat-{survey.pk}-ket-qua.xlsx"'
    return response


def method_text(found: Results) -> str:
    """How the figures were made, in words (the page and the export)."""
    if found.method == survey_results_data.CENSUS:
        return _("Every unit of the chosen kinds was asked: the figures have no sampling error.")
    if found.method == survey_results_data.INCOMPLETE:
        return _(
            "Every unit of the chosen kinds was asked, but not every one answered: the "
            "units that answered in each stratum are taken as a sample of it, and each share "
            "is the stratified estimate, with its margin of error at 95 percent."
        )
    if found.method == survey_results_data.STRATIFIED:
        return _(
            "Units drawn in a sample stratified by branch and kind: each share is the "
            "stratified estimate, with its margin of error at 95 percent. The units that "
            "answered are taken as the sample drawn; a stratum where none answered is left "
            "out."
        )
    if found.method == survey_results_data.PART:
        return _(
            "This unit holds part of a stratum of the sample: the figures are the answers "
            "counted here, without a margin of error."
        )
    if found.method == survey_results_data.WORKERS:
        return _(
            "Workers' answers come in clusters, the units that handed out the "
            "questionnaires, drawn by stratum: each share (or mean) is the weighted ratio "
            "p = Σw·y / Σw·m, with m the answers of a unit, y those of them taking the "
            "choice and w = N/n its stratum's units over its units counted; its variance "
            "Σ n/(n − 1)·Σ(w·z − mean of w·z)² / (Σw·m)² by stratum, z = y − p·m, strata "
            "with one unit counted pooled together. Without "
            "a finite population correction, the margin of error at 95 percent is "
            "indicative. A unit's answers count only once at least five of its workers "
            "answered, and in a question's figures only if at least five of them answered "
            "it."
        )
    return _("Your unit's own answer.")


def too_few_text(found: Results) -> str:
    return _(
        "Fewer than %(count)d workers of this unit answered: their answers are not shown, "
        "so that no answer can be traced to one person."
    ) % {"count": found.smallest}


def waiting_text(found: Results | None = None) -> str:
    """Why a worker survey's figures wait for its closing: the reader's own unit's
    workers, or a scope of one unit's workers or holding the reader's unit."""
    if found is not None and not found.scope.own:
        return _(
            "These workers' answers are shown once the survey is closed: they are a single "
            "unit's, or your unit's among them, and while answers still come in each new one "
            "could be told from the change it makes."
        )
    return _(
        "Your unit's workers' answers are shown once the survey is closed: while answers "
        "still come in, each new one could be told from the change it makes."
    )


def hidden_text(found: Results) -> str:
    """Why the answers (or one question's) are not shown."""
    if found.waiting:
        return waiting_text(found)
    if found.too_few:
        return too_few_text(found)
    return _("Fewer than %(count)d workers answered this question: it is not shown.") % {
        "count": found.smallest
    }


def left_out_text(found: Results) -> str:
    return ngettext(
        "%(units)d unit asked is not counted: fewer than %(count)d of its workers answered.",
        "%(units)d units asked are not counted: fewer than %(count)d of their workers answered.",
        found.left_out,
    ) % {"units": found.left_out, "count": found.smallest}


def quote_text(survey: Survey, found: Results, code: str) -> tuple[str, str]:
    """The passage quoted for one question (its wording, shares or mean, n and margin)
    and its source line (the survey's title and date, and the unit if narrowed)."""
    result = found.question(code)
    language = get_language() or "vi"
    parts = []
    for choice in result.choices:
        margin = choice.margin()
        parts.append(f"{choice.label}: {choice.share()}" + (f" ({margin})" if margin else ""))
    if result.mean is not None and result.mean.value is not None:
        margin = result.mean_margin()
        parts.append(
            _("mean %(mean)s") % {"mean": stats.mean_text(result.mean, language)}
            + (f" ({margin})" if margin else "")
        )
    figures = "; ".join(parts)
    text = f"{result.label} (n = {result.n}): {figures}."
    day = survey.due_on or found.last_answer or survey.created_at.date()
    source = _("Survey “%(title)s”, %(date)s") % {
        "title": survey.title,
        "date": formats.date_format(day, "d/m/Y"),
    }
    if found.scope.unit.pk != survey.owner_id or found.scope.kind is not None:
        narrowed = found.scope.unit.name + (
            f", {found.scope.kind.name}" if found.scope.kind else ""
        )
        source += f" — {narrowed}"
    return text, source


@login_required
@require_POST
def result_quote(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Quote one question's result into a section of the person's own draft, under the
    survey as its source; with htmx the button says in place what happened, without it
    the results come back with a message."""
    survey = get_survey_for_user(request, pk)
    scope = _get_scope_for_user(request, survey, request.POST)
    plan, quote_unit = _quoting(request, survey, scope)
    if quote_unit is None:
        raise PermissionDenied  # they write no report of this plan in this line
    code = request.POST.get(QUESTION, "")
    found = survey_results_data.results(survey=survey, scope=scope, only=code)
    error = message = ""
    report = None
    try:
        result = found.question(code)
    except Question.DoesNotExist:
        raise Http404 from None
    section_pk = params.whole(request.POST.get(SECTION))
    try:
        if not result.shown:
            raise report_services.ReportError(hidden_text(found))
        if result.n == 0 or result.kind not in (*survey_results_data.CHARTED, "number"):
            raise report_services.ReportError(_("This question has no figure to quote."))
        # The section first: a quote refused writes nothing (report_for starts a draft).
        outline = report_outline(plan, quote_unit)
        if section_pk is None or not outline.filter(pk=section_pk).exists():
            raise report_services.ReportError(
                _("Choose the section of your report the result goes to.")
            )
        text, source = quote_text(survey, found, code)
        with transaction.atomic():
            report = report_services.report_for(campaign=plan, unit=quote_unit)
            added = report_services.report_quote(
                report=report, by=request.user, text=text, source=source, section_id=section_pk
            )
    except report_services.ReportError as refused:
        error, report = str(refused), None
    else:
        message = (
            _("Quoted into your draft, under the survey as its source.")
            if added
            else _("This result is already in your draft under its source.")
        )
    if _htmx(request):
        return render(
            request,
            "surveys/_results_quoted.html",
            {"done": not error, "message": message or error, "report": report},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    back = reverse("survey_results", args=[survey.pk])
    return redirect(f"{back}?{_where(scope)}#cau-hoi-{code}")
