"""Ids and whole numbers as they come in a request: ASCII digits, within what a database
id holds. Python's `str.isdigit` also says yes to "²" (which `int` then refuses) and
`int` takes "٣"; a 30-digit id overflows SQLite. Anything else is simply not found."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404

MAX_DIGITS = 18  # below 2**63, the largest id PostgreSQL and SQLite hold


def whole(value: str | None) -> int | None:
    """The value as a whole number, or None."""
    value = (value or "").strip()
    if not value or len(value) > MAX_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def id_or_404(value: str | None) -> int:
    number = whole(value)
    if number is None:
        raise Http404
    return number


def ids(values: Iterable[str]) -> list[int]:
    """The whole numbers among `values`; the rest are left out."""
    return [number for number in map(whole, values) if number is not None]
