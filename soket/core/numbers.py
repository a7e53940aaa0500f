"""Numbers as people read them, one way for the web, Word and Excel.

Vietnamese writes a dot between thousands and a decimal comma: 1.234,5. Figures are
rounded half up to two places (a count to none) and lose their trailing zeros; a
percentage carries its sign without a space, as Soket's documents always have: 63,27%.
English, the interface's other language, writes 1,234.5 and 63.27%.

Imports nothing from Soket's other apps: every layer may use it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PLACES = 2


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def rounded(value, places: int | None = PLACES) -> Decimal | None:
    """The value rounded half up to `places` decimals (None: not rounded), without
    trailing zeros (12.50 becomes 12.5, 40.00 becomes 40); None for no value or
    something not a number."""
    number = _decimal(value)
    if number is None:
        return None
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number == 0:
        return Decimal(0)  # never "-0"
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))  # 1E+3 is never written
    return number.normalize()


def number(value, *, places: int = PLACES, language: str = "vi") -> str:
    """1.234,5 in Vietnamese (1,234.5 in English); "" for no value."""
    number = rounded(value, places)
    if number is None:
        return ""
    grouped = format(number, ",f")  # 1,234.5
    if language.startswith("en"):
        return grouped
    return grouped.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def plain(value, *, places: int | None = None, language: str = "vi") -> str:
    """The figure as it is typed back into a form: no thousands separator and, by
    default, every decimal it has, so saving the form again changes nothing (1234,5)."""
    number = rounded(value, places)
    if number is None:
        return ""
    text = format(number, "f")
    return text if language.startswith("en") else text.replace(".", ",")


def percent(value, *, places: int = PLACES, language: str = "vi") -> str:
    """63,27%; "" for no value."""
    text = number(value, places=places, language=language)
    return f"{text}%" if text else ""
