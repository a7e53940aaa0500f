"""Log-in throttling (django-axes) as Soket needs it: the client's real address, and a
refusal in the person's language on the log-in page itself."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_address(request: HttpRequest) -> str | None:
    """The visitor's address. Behind the office's own web server (SOKET_BEHIND_PROXY), the
    last address that server appended to X-Forwarded-For; the ones before it were sent
    by the visitor and prove nothing. Otherwise the connection's own address."""
    if settings.SOKET_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The log-in page again, saying why and for how long, with status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    # Unbound: a bound form would check the password again, and count one more failure.
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    message = (
        _(
            "Too many failed log-ins for this account or from this computer. "
            "Wait %d minutes and try again, or ask your administrator."
        )
        % minutes
    )
    return render(
        request,
        "registration/login.html",
        {"form": form, "refusal": message, "next": request.POST.get("next", "")},
        status=429,
    )
