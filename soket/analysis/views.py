from collections.abc import Callable

from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from matplotlib.figure import Figure

from soket.analysis import charts, selectors
from soket.analysis import dashboard as dashboard_data
from soket.campaigns.models import Campaign
from soket.core import params
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import Unit, UnitKind
from soket.reports import lateness
from soket.reports.completeness import Counts, completeness
from soket.reports.models import Assessment
from soket.reports.templatetags.report_tags import assessment_label
from soket.resolutions.models import Target

# The page's filters, as they come in the address: unit, level below, action programme,
# and whether reports not yet accepted count.
UNIT, KIND, PROGRAMME, SUBMITTED = "don-vi", "cap", "chuong-trinh", "chua-duyet"


def _get_campaign_for_user(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    try:
        return selectors.analysed_campaign(user=request.user, pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def _get_unit_for_user(request: AuthenticatedHttpRequest, campaign: Campaign) -> Unit | None:
    """The unit the address names (404 when the person may not analyse it), else the
    person's highest unit in the campaign's tree."""
    if not request.GET.get(UNIT):
        return selectors.default_unit(user=request.user, campaign=campaign)
    pk = params.id_or_404(request.GET.get(UNIT))
    try:
        return selectors.analysed_unit(user=request.user, campaign=campaign, pk=pk)
    except Unit.DoesNotExist:
        raise Http404 from None


def _filter(request: AuthenticatedHttpRequest, name: str) -> int | None:
    """The id a filter asks for; 0, which names nothing, for one that is no id, so the
    page says it was left out."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    return params.whole(value) or 0


def _analysis(
    request: AuthenticatedHttpRequest, campaign: Campaign, unit: Unit, target: int | None = None
) -> dict:
    """The analysis the address asks for, and what a link to another unit keeps of it
    (not the level below: it differs from one unit to the next)."""
    analysis = selectors.target_analysis(
        user=request.user,
        campaign=campaign,
        unit=unit,
        kind=_filter(request, KIND),
        programme=_filter(request, PROGRAMME),
        include_submitted=request.GET.get(SUBMITTED) == "1",
        target=target,
    )
    kept = {PROGRAMME: analysis.programme.pk if analysis.programme else ""}
    if analysis.include_submitted:
        kept[SUBMITTED] = 1
    # What the list of units below asks for: this unit, level and states.
    listed = {UNIT: unit.pk, KIND: analysis.kind.pk if analysis.kind else ""}
    if analysis.include_submitted:
        listed[SUBMITTED] = 1
    return {
        "campaign": campaign,
        "analysis": analysis,
        "kept": urlencode({key: value for key, value in kept.items() if value}),
        "listed": urlencode({key: value for key, value in listed.items() if value}),
    }


@login_required
@require_safe
def target_analysis(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = _get_unit_for_user(request, campaign)
    if unit is None:  # nothing of theirs takes part: the page says so
        return render(request, "analysis/target_analysis.html", {"campaign": campaign})
    return render(request, "analysis/target_analysis.html", _analysis(request, campaign, unit))


@login_required
@require_safe
def target_analysis_units(
    request: AuthenticatedHttpRequest, campaign_pk: int, target_pk: int
) -> HttpResponse:
    """The units below for one target, swapped into its disclosure by htmx when opened
    (the whole page would otherwise list every unit below once per target); a page of
    its own without JavaScript."""
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = _get_unit_for_user(request, campaign)
    if unit is None:
        raise Http404
    try:
        context = _analysis(request, campaign, unit, target=target_pk)
    except Target.DoesNotExist:
        raise Http404 from None
    context["row"] = context["analysis"].rows[0]
    if request.headers.get("HX-Request") == "true":
        response = render(request, "analysis/_units_below.html", context)
    else:
        response = render(request, "analysis/target_units.html", context)
    # One address, two bodies: a browser going back must not show the bare list.
    patch_vary_headers(response, ["HX-Request"])
    return response


# The dashboard.

TARGET = "chi-tieu"
# The dashboard's charts, by the name in their address.
PROGRESS, ASSESSMENTS, ONE_TARGET = "tien-do", "danh-gia", "chi-tieu"
# An SVG chart is an image of its own (an <img>, never inline): its styles are
# matplotlib's <style> element and style attributes, allowed in that response only,
# where nothing can run (no script, no fetch: an <img> never runs one anyway).
CHART_POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "form-action": ["'none'"],
    "base-uri": ["'none'"],
}


def _level(
    request: AuthenticatedHttpRequest, campaign: Campaign, unit: Unit
) -> tuple[list[Counts], UnitKind | None, bool]:
    """The levels below the unit with their counts, the one the address asks for (None:
    the units directly below) and whether it asked for one that is not there."""
    levels = completeness(campaign=campaign, within=unit, today=lateness.today())
    asked = _filter(request, KIND)
    chosen = next((row.kind for row in levels if row.kind.pk == asked), None)
    return levels, chosen, asked is not None and chosen is None


def _assessment_labels(campaign: Campaign) -> dict[str, str]:
    return {
        **{value: assessment_label(value, campaign) for value in Assessment.values},
        charts.NOT_JUDGED: _("figure, not judged here"),
        charts.NO_FIGURE: _("no figure"),
    }


@login_required
@require_safe
def dashboard(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    """The figures and the tables at once; every chart is an image of its own, fetched
    by the browser after the page has painted."""
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = _get_unit_for_user(request, campaign)
    if unit is None:
        return render(request, "analysis/dashboard.html", {"campaign": campaign})
    levels, level, dropped = _level(request, campaign, unit)
    submitted = request.GET.get(SUBMITTED) == "1"
    analysis = selectors.target_analysis(
        user=request.user, campaign=campaign, unit=unit, include_submitted=submitted, chain=False
    )
    where = {UNIT: unit.pk, **({SUBMITTED: 1} if submitted else {})}
    labels = _assessment_labels(campaign)
    return render(
        request,
        "analysis/dashboard.html",
        {
            "campaign": campaign,
            "analysis": analysis,
            "levels": levels,
            "level": level,
            "level_dropped": dropped,
            "matrix": dashboard_data.matrix(analysis, labels, get_language() or "vi"),
            "charted": [row for row in analysis.rows if dashboard_data.charted(row)],
            "where": urlencode(where),
            "progress_where": urlencode({**where, **({KIND: level.pk} if level else {})}),
            "kept": urlencode({SUBMITTED: 1} if submitted else {}),
            "labels": labels,
        },
    )


@login_required
@require_safe
@csp_replace(CHART_POLICY)  # type: ignore[arg-type]  # django-csp types a view of one argument
def dashboard_chart(
    request: AuthenticatedHttpRequest, campaign_pk: int, chart: str, file_format: str
) -> HttpResponse:
    """One chart of the dashboard, as SVG for the page or PNG to download: the same
    drawing (analysis.charts). Scoped as the dashboard is."""
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = _get_unit_for_user(request, campaign)
    if unit is None or file_format not in charts.FORMATS:
        raise Http404
    chart_function, data = chart_data(request, campaign, unit, chart)
    drawn = charts.drawing(chart_function, *data, file_format=file_format)
    response = HttpResponse(drawn.content, charts.FORMATS[file_format])
    response["Cache-Control"] = "private, max-age=60"
    patch_vary_headers(response, ["Cookie"])  # the language chosen: its words are drawn
    response["ETag"] = f'"{drawn.key}"'
    return response


def chart_data(
    request: AuthenticatedHttpRequest, campaign: Campaign, unit: Unit, chart: str
) -> tuple[Callable[..., Figure], tuple]:
    """The chart the address names and its plain data (the queries run here): drawn
    only if that data was not drawn before (charts.drawing)."""
    submitted = request.GET.get(SUBMITTED) == "1"
    if chart == PROGRESS:
        _levels, level, dropped = _level(request, campaign, unit)
        if dropped:
            raise Http404
        progress = dashboard_data.progress(
            campaign=campaign, within=unit, kind=level, today=lateness.today()
        )
        return charts.progress_chart, (progress.series(progress_title(unit, level)),)
    if chart == ASSESSMENTS:
        analysis = selectors.target_analysis(
            user=request.user,
            campaign=campaign,
            unit=unit,
            include_submitted=submitted,
            chain=False,
        )
        return charts.assessments_chart, (
            assessments_title(unit),
            dashboard_data.assessment_bars(analysis),
            _assessment_labels(campaign),
        )
    if chart == ONE_TARGET:
        try:
            analysis = selectors.target_analysis(
                user=request.user,
                campaign=campaign,
                unit=unit,
                include_submitted=submitted,
                target=params.id_or_404(request.GET.get(TARGET)),
                chain=False,
            )
        except Target.DoesNotExist:
            raise Http404 from None
        row = analysis.rows[0]
        if not dashboard_data.charted(row):
            raise Http404
        return charts.target_chart, (dashboard_data.target_bars(row), _assessment_labels(campaign))
    raise Http404


def progress_title(unit: Unit, level: UnitKind | None) -> str:
    if level is None:
        return _("Reports first sent by the units directly below %(unit)s") % {"unit": unit.name}
    return _("Reports first sent by the %(level)s units below %(unit)s") % {
        "level": level.name,
        "unit": unit.name,
    }


def assessments_title(unit: Unit) -> str:
    return _("The units directly below %(unit)s, target by target") % {"unit": unit.name}
