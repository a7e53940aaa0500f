"""Where a drafted passage came from.

A level's report is drafted from the reports below (`consolidation`): each unit's or
department's passage is put under a source line, "⟦Liên đoàn Lao động huyện Cao Lộc⟧",
so the drafter sees who said what while editing. The printed document leaves the
source lines out (`printed`): an official report speaks with one voice.

The brackets are mathematical white brackets (U+27E6, U+27E7), which nobody types in a
report by accident, so a unit's own text that opens with "[1]" or "(a)" is never taken
for a source line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN, CLOSE = "\u27e6", "\u27e7"
SOURCE_LINE = re.compile(rf"^\s*{OPEN}([^{OPEN}{CLOSE}\n]*){CLOSE}\s*$", re.MULTILINE)
# Brackets that look like ours (U+301A, U+301B): in text from below they could pass
# for a source label in the drafter's eyes, so they print as parentheses too.
BRACKETS = str.maketrans({OPEN: "(", CLOSE: ")", "\u301a": "(", "\u301b": ")"})


def source_line(source: str) -> str:
    """The line that names a passage's source, on one line whatever the name holds."""
    return f"{OPEN}{' '.join(source.translate(BRACKETS).split())}{CLOSE}"


def with_source(source: str, text: str) -> str:
    return f"{source_line(source)}\n{text.strip()}"


# Inside a line, the units a drafted cause came from: "Thiếu cán bộ ⟦LĐLĐ huyện A⟧."
ATTRIBUTION = re.compile(rf"{OPEN}([^{OPEN}{CLOSE}\n]*){CLOSE}")


def attributed(text: str, sources: str) -> str:
    """A drafted line with the units it came from, printed "(…)" after it."""
    return f"{text} {source_line(sources)}"


def printed(text: str) -> str:
    """The text as the document prints it: every source line left out, the units a
    line is attributed to in parentheses, and no bracket of ours left anywhere — so
    that what a report below prints can never pass for a source one level up."""
    return SOURCE_LINE.sub("", text).translate(BRACKETS)


def unattributed(text: str) -> str:
    """What a report below said in its own words, for the level above to draft from:
    the sources it drafted from itself left out, so that sources never nest."""
    return re.sub(rf"\s*{ATTRIBUTION.pattern}", "", SOURCE_LINE.sub("", text)).translate(BRACKETS)


@dataclass(frozen=True)
class Passage:
    source: str  # "" before the first source line: the drafter's own words
    text: str


def passages(text: str) -> list[Passage]:
    """The text cut at its source lines, for a page that shows each source apart."""
    found: list[Passage] = []
    source, position = "", 0
    for mark in SOURCE_LINE.finditer(text):
        if text[position : mark.start()].strip() or source:
            found.append(Passage(source, text[position : mark.start()].strip()))
        source, position = mark.group(1).strip(), mark.end()
    if text[position:].strip() or source:
        found.append(Passage(source, text[position:].strip()))
    return found
