from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from soket.campaigns import selectors
from soket.campaigns.models import Campaign
from soket.campaigns.plan import footnotes_of
from soket.core import clock
from soket.orgs import access
from soket.orgs import selectors as org_selectors
from soket.orgs.http import AuthenticatedHttpRequest


def _get_campaign_for_user(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    try:
        return selectors.campaign_detail_for(user=request.user, pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


@login_required
def campaign_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaigns = selectors.campaign_list_for(user=request.user)
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


@login_required
def campaign_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk)
    roots, kinds = selectors.participation_tree(campaign=campaign)
    participants = selectors.participating_units(campaign=campaign, on=clock.today())
    in_scope = participants.filter(pk__in=access.visible_units(request.user).values("pk"))
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "footnotes": footnotes_of(campaign),
            "tree_roots": org_selectors.unit_tree_roots(
                user=request.user, within=roots, kinds=kinds
            ),
            "counts": org_selectors.unit_counts_by_kind(units=in_scope),
        },
    )


@login_required
def campaign_unit_children(
    request: AuthenticatedHttpRequest, pk: int, unit_pk: int
) -> HttpResponse:
    """The next level of the campaign's tree, swapped in by htmx: its participating kinds."""
    campaign = _get_campaign_for_user(request, pk)
    unit = get_object_or_404(access.visible_units(request.user).select_related("kind"), pk=unit_pk)
    _roots, kinds = selectors.participation_tree(campaign=campaign)
    nodes = org_selectors.unit_tree_children(user=request.user, parent=unit, kinds=kinds)
    return render(request, "orgs/_tree_nodes.html", {"nodes": nodes, "campaign": campaign})
