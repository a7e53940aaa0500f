"""How Vietnamese administrative documents write numbers, dates and lists
(Nghị định 30/2020/NĐ-CP, Phụ lục I)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from soket.core import numbers

BLANK = "\u00a0" * 6  # room left for a number or a day written by hand


def document_number(number: str, *, type_code: str, abbreviation: str) -> str:
    """ "12/KH-LĐLĐ"; a zero before numbers under 10; a bare "12" gets the type and the
    issuer's abbreviation; an unnumbered document leaves a blank to fill in by hand."""
    number = number.strip()
    suffix = f"{type_code}-{abbreviation}" if abbreviation else type_code
    if not number:
        return f"{BLANK}/{suffix}"
    if number.isdigit():
        number = f"{number}/{suffix}"
    return re.sub(r"^(\d)(?=\D|$)", r"0\1", number)


def place_and_date(place: str, day: datetime.date | None) -> str:
    """ "Lạng Sơn, ngày 05 tháng 11 năm 2015": a zero before days under 10 and months 1-2."""
    if day is None:
        return f"{place}, ngày{BLANK}tháng{BLANK}năm{BLANK}".lstrip(", ")
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}".lstrip(", ")


def day_month_year(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def recipient_lines(recipients: list[str]) -> list[str]:
    """ "- Tổng LĐLĐ (B/c);" one per line, the last one closed by a full stop."""
    lines = []
    for index, text in enumerate(recipients):
        text = text.strip().rstrip(";.,")
        end = "." if index == len(recipients) - 1 else ";"
        lines.append(f"- {text}{end}")
    return lines


def number(value: Decimal | None, places: int = numbers.PLACES) -> str:
    """1.234,5: dots between thousands, a decimal comma, no trailing zeros
    (soket/core/numbers.py, as on the web and in Excel)."""
    return numbers.number(value, places=places)
