"""The one rule for text that comes in: no NUL and no control characters.

PostgreSQL refuses NUL in text, XML (Word, Excel) refuses most C0 control characters,
and text pasted from Word carries some (its line break is a vertical tab). Soket
removes them wherever text enters — every form field, every spreadsheet cell, every
file name — rather than refusing the whole form: they are invisible, so nobody could
tell what to correct. A vertical tab or a form feed becomes a line break, as in Word;
tab and line breaks stay. The same rule cleans what Soket writes into documents.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_BREAKS = re.compile("\r\n?|[\x0b\x0c]")
# C0 controls but tab and line feed, the two code points XML never allows, and the
# bidirectional overrides and isolates (U+202A-202E, U+2066-2069), which no Vietnamese
# text needs and which can make printed text read backwards.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str) -> str:
    """`value` without control characters, its line breaks written as "\\n"."""
    if not value:
        return value
    return _CONTROLS.sub("", _BREAKS.sub("\n", value))


def grouped(number: int) -> str:
    """A whole number as Vietnamese writes it: 32.767."""
    return f"{number:,}".replace(",", ".")


# Folding: the one rule by which a search matches Vietnamese typed with or without its
# marks. Both the copy stored beside a text and the words searched for pass through it,
# so SQLite and PostgreSQL give the same answers (neither database folds the same way
# by itself: PostgreSQL's unaccent leaves đ alone in some dictionaries and SQLite has
# none). "Công  Đoàn" and "cong doan", typed composed (NFC) or decomposed (NFD), fold to
# "cong doan".
# Đ and đ have no mark to strip: they are letters of their own. Ð (U+00D0, the
# Icelandic eth) is what some keyboards and fonts give for Đ.
_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "\u00d0": "D"})


@functools.lru_cache(maxsize=4096)  # a text has few distinct characters
def _fold_char(char: str) -> str:
    # Case folded first: a capital can fold to a letter and a mark (İ to i and a dot).
    if unicodedata.category(char) == "Cf":
        return ""  # soft hyphens, zero-width spaces and joiners pasted from Word or the web
    decomposed = unicodedata.normalize("NFD", char.translate(_LETTERS).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded_with_positions(text: str) -> tuple[str, list[int]]:
    """`folded(text)` and, for each of its characters, the position in
    `unicodedata.normalize("NFC", text)` of the character it comes from: what a match
    in the folded copy highlights in the text."""
    composed = unicodedata.normalize("NFC", text or "")
    out: list[str] = []
    positions: list[int] = []
    pending_space = ""  # "" none, " " a run of spaces, "\n" a run holding a line break
    space_at = 0
    for index, char in enumerate(composed):
        if char.isspace():
            if not pending_space:
                space_at = index
            pending_space = "\n" if char == "\n" or pending_space == "\n" else " "
            continue
        piece = _fold_char(char)
        if not piece:
            continue
        if pending_space and out:
            out.append(pending_space)
            positions.append(space_at)
        pending_space = ""
        for letter in piece:
            out.append(letter)
            positions.append(index)
    return "".join(out), positions


def folded(text: str) -> str:
    """The text as a search compares it: composed or decomposed alike, without tone or
    vowel marks (ư, ơ, â… lose theirs), đ as d, case folded, spaces run together and
    each paragraph on a line of its own."""
    return folded_with_positions(text)[0]
