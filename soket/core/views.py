from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that has gone stale (a second tab, a page kept open past
    a log-in or a log-out). Already logged in through another tab: simply go on."""
    if request.path == reverse("login") and request.user.is_authenticated:
        return redirect(request.POST["next"] if _safe_next(request) else "home")
    return render(request, "core/stale_form.html", status=403)


def _safe_next(request: HttpRequest) -> bool:
    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
