"""Log-in throttling (django-axes) as Soket needs it: the client's real address, and a
refusal in the person's language on the log-in page itself."""

from __future__ import annotations

import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str | None:
    """The visitor's address. Behind the office's own web server (SOKET_BEHIND_PROXY), the
    last address that server appended to X-Forwarded-For; the ones before it were sent
    by the visitor and prove nothing. Otherwise the connection's own address."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SOKET_BEHIND_PROXY:
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    address = request.META.get("REMOTE_ADDR")
    if forwarded and address in ("127.0.0.1", "::1"):
        # Every visitor seems to come from this machine: one visitor's wrong passwords
        # would shut out everyone. Most likely a web server in front was not declared.
        logger.warning(
            "Log-ins come from %s with X-Forwarded-For set: if a web server of the office's "
            "sits in front of Soket, set SOKET_BEHIND_PROXY=1.",
            address,
        )
    return address


def client_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username tried, cut to what a username can be: a longer one is simply wrong,
    and must not fail the log-in table's own column."""
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username") if source else None
    longest = get_user_model()._meta.get_field("username").max_length
    return username[:longest] if isinstance(username, str) else username


class AccountOnlyReset(AxesDatabaseHandler):
    """django-axes' database handler, but a right password clears only that account's
    count. Its own reset also clears the count of the address the log-in came from: then
    anyone with one account of their own could, after every nine guesses at someone
    else's password, log in as themselves and guess on for ever."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = client_username(request, credentials)
        if not username:
            return 0
        count, _deleted = AccessAttempt.objects.filter(username=username).delete()
        return count


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
