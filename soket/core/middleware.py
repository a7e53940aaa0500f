from collections.abc import Callable
from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.utils import translation
from django_htmx.http import HttpResponseClientRedirect

from soket.core.text import clean_text

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict


class LanguageMiddleware:
    """Vietnamese unless the person chose another language.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language:
    union offices often run English-language browsers, yet work in Vietnamese.
    The choice made through the set_language view is kept in its cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class TextHygieneMiddleware:
    """Every text a request brings — query string, form fields, uploaded file names, and
    the headers that get stored — cleaned by `soket.core.text.clean_text` before any
    view reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    # Headers that are stored (the log-in throttle keeps them) or shown.
    HEADERS = ("HTTP_USER_AGENT", "HTTP_ACCEPT", "PATH_INFO")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name in self.HEADERS:
            if name in request.META:
                request.META[name] = clean_text(request.META[name]).replace("\n", " ")
        request.GET = _cleaned(request.GET)
        if request.method == "POST":
            request.POST = _cleaned(request.POST)
            for _field, uploads in request.FILES.lists():
                for upload in uploads:
                    upload.name = clean_text(upload.name or "").replace("\n", " ")
        return self.get_response(request)


def _cleaned(data: "_ImmutableQueryDict") -> "_ImmutableQueryDict":
    if not data:
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(clean_text(key), [clean_text(value) for value in values])
    cleaned._mutable = False
    return cast("_ImmutableQueryDict", cleaned)  # made immutable on the line above


class HtmxLoginRedirectMiddleware:
    """A request htmx makes after the session has ended (a PDF being polled, a button
    clicked the next morning) is answered by the login page, which htmx would swap into
    a corner of the page. Instead the browser goes to the login page, and back to the
    page the person was on once logged in (the login view checks where `next` points)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        login = resolve_url(settings.LOGIN_URL)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and urlsplit(response.get("Location", "")).path == login
        ):
            page = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = page.path + (f"?{page.query}" if page.query else "") if page.path else "/"
            return HttpResponseClientRedirect(f"{login}?{urlencode({'next': back})}")
        return response
