from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from soket.analysis.selectors import analysed_campaign, analysed_unit, default_unit
from soket.campaigns.models import Campaign
from soket.core import params
from soket.lessons import selectors
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import Unit
from soket.reports import services

# The search as it comes in the address: unit, words, kind of passage, section, target, page.
UNIT, QUERY, KIND, SECTION, TARGET, PAGE = "don-vi", "q", "loai", "muc", "chi-tieu", "trang"
KEPT = (UNIT, QUERY, KIND, SECTION, TARGET, PAGE)
# Beyond any real list, and small enough that its offset stays a database integer.
MAX_PAGE = 100_000


def _htmx(request: AuthenticatedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _get_campaign_for_user(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    """An issued plan the person sees (not a deployment: its units report under the plan
    it deploys), as the target analysis reads it."""
    try:
        return analysed_campaign(user=request.user, pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def _get_unit_for_user(
    request: AuthenticatedHttpRequest, campaign: Campaign, given: str | None
) -> Unit | None:
    """The unit named (404 outside the person's scope or the campaign's tree), else the
    person's highest unit in the campaign's tree."""
    if not given:
        return default_unit(user=request.user, campaign=campaign)
    try:
        return analysed_unit(user=request.user, campaign=campaign, pk=params.id_or_404(given))
    except Unit.DoesNotExist:
        raise Http404 from None


def _number(request: AuthenticatedHttpRequest, name: str) -> int | None:
    """The id a filter asks for; 0, which names nothing, for one that is no id."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    return params.whole(value) or 0


@login_required
@require_safe
def lessons(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    """The passages gathered from the reports in scope; htmx swaps the results alone."""
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = _get_unit_for_user(request, campaign, request.GET.get(UNIT))
    context: dict = {"campaign": campaign}
    if unit is not None:
        found = selectors.lessons(
            user=request.user,
            campaign=campaign,
            unit=unit,
            query=request.GET.get(QUERY, ""),
            kind=request.GET.get(KIND, ""),
            section=_number(request, SECTION),
            target=_number(request, TARGET),
            page=min(params.whole(request.GET.get(PAGE)) or 1, MAX_PAGE),
        )
        here: dict[str, str | int] = {
            UNIT: unit.pk,
            QUERY: found.query,
            KIND: found.kind,
            SECTION: request.GET.get(SECTION, ""),
            TARGET: request.GET.get(TARGET, ""),
        }
        kept = {key: value for key, value in here.items() if value}
        context |= {
            "lessons": found,
            "kept": urlencode(kept),
            "here": urlencode({**kept, PAGE: found.page}),
        }
    template = "lessons/_results.html" if _htmx(request) and unit else "lessons/lessons.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # one address, two bodies
    return response


def _back(campaign: Campaign, request: AuthenticatedHttpRequest) -> str:
    """The search the person quoted from, rebuilt from the names it may hold."""
    given = QueryDict(request.POST.get("tim", ""))
    kept = {key: given[key] for key in KEPT if given.get(key)}
    url = reverse("lessons", args=[campaign.pk])
    return f"{url}?{urlencode(kept)}" if kept else url


@login_required
@require_POST
def lesson_quote(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    """Quote one passage into the person's own draft, under its source line; with htmx
    the button is replaced by what happened, without it the search comes back."""
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = _get_unit_for_user(request, campaign, request.POST.get(UNIT) or "0")
    if unit is None:
        raise Http404
    quote_unit = selectors.quoting_unit(user=request.user, unit=unit)
    if quote_unit is None:
        raise PermissionDenied
    kind = request.POST.get(KIND, "")
    row_id = params.id_or_404(request.POST.get("dong"))
    number = params.whole(request.POST.get("doan"))
    error = message = ""
    done, report = False, None
    try:
        passage = selectors.quotable(
            campaign=campaign,
            unit=unit,
            quote_unit=quote_unit,
            kind=kind,
            row_id=row_id,
            number=-1 if number is None else number,
            seen=request.POST.get("dau", ""),
        )
        report = services.report_for(campaign=campaign, unit=quote_unit)
        added = services.report_quote(
            report=report,
            by=request.user,
            text=passage.text,
            source=passage.source,
            section_id=passage.section_id,
            item_id=passage.item_id,
        )
    except selectors.NotGathered:
        raise Http404 from None
    except selectors.PassageGone:
        error = _("This passage has changed since the page was opened: search again.")
    except selectors.NotQuotable:
        error = _("Your report's outline has no section for this passage: copy it by hand.")
    except services.ReportError as refused:
        error = str(refused)
    else:
        done = True
        message = (
            _("Quoted into your draft, under its source.")
            if added
            else _("This passage is already in your draft under its source.")
        )
    if _htmx(request):
        return render(
            request,
            "lessons/_quoted.html",
            {"done": done, "message": message or error, "report": report},
        )
    if done:
        messages.success(request, message)
    else:
        messages.error(request, error)
    return redirect(_back(campaign, request))
