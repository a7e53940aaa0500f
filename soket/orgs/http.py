"""The request a view behind `login_required` receives: its user is a person of Soket,
never the anonymous user, so the type checker knows what `request.user` holds."""

from django.http import HttpRequest

from soket.orgs.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
