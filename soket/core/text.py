"""The one rule for text that comes in: no NUL and no control characters.

PostgreSQL refuses NUL in text, XML (Word, Excel) refuses most C0 control characters,
and text pasted from Word carries some (its line break is a vertical tab). Soket
removes them wherever text enters — every form field, every spreadsheet cell, every
file name — rather than refusing the whole form: they are invisible, so nobody could
tell what to correct. A vertical tab or a form feed becomes a line break, as in Word;
tab and line breaks stay. The same rule cleans what Soket writes into documents.
"""

from __future__ import annotations

import re

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
