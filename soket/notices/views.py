from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from soket.notices.services import notices_mark_read
from soket.orgs.http import AuthenticatedHttpRequest


@login_required
def notice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notices = request.user.notices.all()[:200]
    return render(request, "notices/notice_list.html", {"notices": notices})


@login_required
@require_POST
def notices_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    notices_mark_read(user=request.user)
    return redirect("notice_list")
