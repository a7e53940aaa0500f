"""A worker survey's questionnaires: each chosen unit hands out a number of them, each a
secret link (printed with its QR code) good for one anonymous answer.

The secret is the only thing that opens the questionnaire, so it comes from `secrets`
(24 random bytes, 32 URL-safe characters); the page that lists a unit's secrets is for
that unit's reporters and approvers and the survey's administrators, and is never
cached."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from soket.surveys.models import Respondent, Token

SECRET_BYTES = 24
BATCH = 1000


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def make_tokens(respondents: Sequence[Respondent], per_unit: int) -> int:
    """Create `per_unit` questionnaires, numbered from 1, for each respondent (saved
    rows, within the caller's transaction); returns how many."""
    rows = [
        Token(respondent=respondent, number=number, secret=new_secret())
        for respondent in respondents
        for number in range(1, per_unit + 1)
    ]
    Token.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def qr_svg(url: str) -> SafeString:
    """The QR code of `url` as inline SVG (no style attribute, so the page's CSP holds)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=4, border=2, svgclass="qr", lineclass=None, omitsize=True)
    return mark_safe(svg)  # segno's own markup, of a URL we built


@dataclass(frozen=True)
class Questionnaire:
    """One questionnaire as the printed page shows it: every one alike, answered or not.
    The unit knows whom it handed number N to, so a page that marked N "answered" would
    tell it who answered; a spent link says so itself when it is opened."""

    token: Token
    link: str
    qr: SafeString


def questionnaires(request: HttpRequest, respondent: Respondent) -> list[Questionnaire]:
    """The unit's questionnaires in order, each with its full link and QR code."""
    rows = []
    for token in Token.objects.filter(respondent=respondent).order_by("number"):
        link = request.build_absolute_uri(reverse("survey_anonymous", args=[token.secret]))
        rows.append(Questionnaire(token, link, qr_svg(link)))
    return rows


def spent_count(respondent: Respondent) -> int:
    """How many of the unit's questionnaires are answered: a count, never which."""
    return Token.objects.filter(respondent=respondent, is_spent=True).count()


def unused_numbers(respondent: Respondent) -> list[int]:
    """The numbers of the unit's questionnaires not yet in (neither answered on their
    link nor typed in): those a paper questionnaire typed in may still carry. Offered to
    the unit's typists (the paper form, the worker spreadsheet), they tell the unit which
    numbers were answered, though never what: the price of the number being the key."""
    return list(
        Token.objects.filter(respondent=respondent, is_spent=False)
        .order_by("number")
        .values_list("number", flat=True)
    )
