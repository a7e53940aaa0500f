from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from soket.campaigns import selectors as campaign_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    campaigns = campaign_selectors.campaign_list_for(user=request.user)
    due = campaign_selectors.due_items_for(user=request.user, campaigns=campaigns)
    return render(request, "core/home.html", {"campaigns": campaigns, "due_items": due})
