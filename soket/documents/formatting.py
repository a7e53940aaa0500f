"""How Vietnamese administrative documents write numbers, dates and lists
(Nghị định 30/2020/NĐ-CP, Phụ lục I)."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from soket.core import numbers
from soket.orgs.models import Unit

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


# The purpose after a recipient, written one way in every document, as the seed plan
# writes it: "(B/c)" to report to, "(T/h)" to carry out, "(P/h)" to work with; and the
# archive line "Lưu: VT".
PURPOSE = re.compile(r"\(\s*(?:để\s+)?([btp])\s*/\s*([ch])\s*\)", re.IGNORECASE)
ARCHIVE = re.compile(r"^lưu\s*:?\s*(?:vt)?\s*$", re.IGNORECASE)


def recipient(text: str) -> str:
    """ "Tổng LĐLĐ (để b/c)" → "Tổng LĐLĐ (B/c)"; "Lưu" → "Lưu: VT"."""
    text = " ".join(text.split()).rstrip(";.,")
    if ARCHIVE.match(text):
        return "Lưu: VT"
    return PURPOSE.sub(lambda m: f"({m.group(1).upper()}/{m.group(2).lower()})", text)


def recipient_lines(recipients: list[str]) -> list[str]:
    """ "- Tổng LĐLĐ (B/c);" one per line, written one way (`recipient`), the last one
    closed by a full stop."""
    lines = []
    for index, text in enumerate(recipients):
        text = recipient(text)
        end = "." if index == len(recipients) - 1 else ";"
        lines.append(f"- {text}{end}")
    return lines


def number(value: Decimal | None, places: int = numbers.PLACES) -> str:
    """1.234,5: dots between thousands, a decimal comma, no trailing zeros
    (soket/core/numbers.py, as on the web and in Excel)."""
    return numbers.number(value, places=places)


# Words of a kind's name that say where a body sits, not what it is: "Liên đoàn Lao
# động tỉnh, thành phố" is abbreviated "LĐLĐ", not "LĐLĐT".
PLACE_WORDS = frozenset({"tỉnh", "thành", "phố", "huyện", "quận", "thị", "xã", "phường"})


def initials(name: str) -> str:
    """ "Công đoàn cơ sở" → "CĐCS", "Ban Tổ chức" → "BTC": the first letter of each word
    up to the first comma, place words left out."""
    words = name.split(",")[0].split()
    letters = "".join(
        word[0].upper() for word in words if word[0].isalpha() and word.lower() not in PLACE_WORDS
    )
    # Abbreviations drop the marks of the vowels ("Ủy ban" → "UB") and keep Đ, which
    # is a letter of its own.
    bare = "".join(c for c in unicodedata.normalize("NFD", letters) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def body_abbreviation(unit: Unit) -> str:
    """The abbreviation a unit's numbers carry ("05/BC-CĐCS"): its own where recorded,
    else its kind's, else one made from its kind's name, so no number is left bare."""
    return unit.abbreviation or unit.kind.abbreviation or initials(unit.kind.name)


# How the bodies that sign are named inside a sentence ("Ban Thường vụ", not "BAN
# THƯỜNG VỤ"); any other is written with a capital first letter only.
BODIES = {"BAN THƯỜNG VỤ": "Ban Thường vụ", "BAN CHẤP HÀNH": "Ban Chấp hành"}


def signing_body(signing_capacity: str) -> str:
    """ "TM. BAN THƯỜNG VỤ" → "Ban Thường vụ": the body a document speaks for, as a
    sentence names it; "" where the document is signed in a person's own capacity."""
    body = re.sub(r"^\s*(TM|KT|TL|TUQ)\.\s*", "", signing_capacity.strip(), flags=re.I).upper()
    if not body:
        return ""
    return BODIES.get(body, body[:1] + body[1:].lower())


def lower_first(text: str) -> str:
    """A title inside a sentence: "Sơ kết …" → "sơ kết …" (a name such as "Nghị quyết"
    further on keeps its capitals); an abbreviation ("CNVCLĐ …") keeps its own."""
    if text[1:2].islower():
        return text[:1].lower() + text[1:]
    return text
