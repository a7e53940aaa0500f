from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from soket.analysis import selectors
from soket.campaigns.models import Campaign
from soket.core import params
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import Unit
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
