"""Two versions of a report side by side: each section's text with the words taken out
and put in marked, the figures and review items that changed.

A text is compared paragraph by paragraph first (difflib on the list of paragraphs),
then word by word only within the paragraphs that changed; a changed paragraph longer
than MAX_TOKENS words is shown replaced whole. So the words given to SequenceMatcher
are each paragraph's at most once and at most MAX_TOKENS a side, and a long section
compares in time near its length, not its square.

A version is named in the address: "b3" the drafting's version 3, "g2" the second
submitted version (reports.Version), "hien-tai" the report as it stands. Texts are
compared as the document prints them (provenance.printed): source lines left out."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from soket.campaigns.models import OutlineSection
from soket.core import numbers
from soket.drafting.models import DraftVersion
from soket.reports.models import Assessment, Report, Version
from soket.reports.provenance import printed
from soket.reports.services import report_content

NOW = "hien-tai"
# A word with the spaces after it; spaces opening a paragraph are a token of their own.
TOKENS = re.compile(r"\S+\s*|\s+")
# The most words a side of one changed paragraph is compared word by word.
MAX_TOKENS = 1500


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    content: dict


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "ins" or "del"
    text: str


@dataclass(frozen=True)
class SectionDiff:
    heading: str
    pieces: list[Piece]
    changed: bool


@dataclass(frozen=True)
class ValueChange:
    what: str
    before: str
    after: str


@dataclass(frozen=True)
class Comparison:
    a: Source
    b: Source
    sections: list[SectionDiff]
    figures: list[ValueChange]
    items: list[SectionDiff]

    @property
    def changed(self) -> bool:
        return bool(self.figures) or any(part.changed for part in self.sections + self.items)


@dataclass(frozen=True)
class Step:
    """One step of a text's comparison: paragraphs kept ("same", `new` is their text),
    paragraphs put in or taken out or replaced whole ("whole"), or a changed pair of
    paragraphs to compare word by word ("words")."""

    kind: str
    old: str
    new: str


def _paragraphs(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _tokens(text: str) -> list[str]:
    return TOKENS.findall(text)


def plan(before: str, after: str) -> Iterator[Step]:
    """The steps comparing `after` with `before`: paragraphs matched first (ignoring
    spaces at their ends), then changed paragraphs paired in order; a pair longer than
    MAX_TOKENS words a side, or paragraphs left over when a changed run has more on one
    side, are replaced whole."""
    old, new = _paragraphs(before), _paragraphs(after)
    matcher = difflib.SequenceMatcher(
        None, [p.strip() for p in old], [p.strip() for p in new], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            yield Step("same", "", "".join(new[j1:j2]))
            continue
        pairs = min(i2 - i1, j2 - j1)
        for k in range(pairs):
            a, b = old[i1 + k], new[j1 + k]
            if max(len(_tokens(a)), len(_tokens(b))) > MAX_TOKENS:
                yield Step("whole", a, b)
            else:
                yield Step("words", a, b)
        if i1 + pairs < i2 or j1 + pairs < j2:
            yield Step("whole", "".join(old[i1 + pairs : i2]), "".join(new[j1 + pairs : j2]))


def _common_trailing_space(a: str, b: str) -> str:
    """The spaces both texts end with."""
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n] and a[-1 - n].isspace():
        n += 1
    return a[len(a) - n :]


def word_diff(before: str, after: str) -> list[Piece]:
    """`after` against `before`: runs of unchanged, deleted and inserted words (spaces
    kept with the words before them; a change of spaces alone is not shown)."""
    pieces: list[Piece] = []

    def add(kind: str, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1].kind == kind:
            pieces[-1] = Piece(kind, pieces[-1].text + text)
        else:
            pieces.append(Piece(kind, text))

    def replace(out: str, into: str) -> None:
        # The spaces both sides end with are no change: "80% " to "120% ".
        space = _common_trailing_space(out, into) if out and into else ""
        if space:
            out, into = out[: -len(space)], into[: -len(space)]
        add("del", out)
        add("ins", into)
        add("same", space)

    for step in plan(before, after):
        if step.kind == "same":
            add("same", step.new)
        elif step.kind == "whole":
            replace(step.old, step.new)
        else:
            old, new = _tokens(step.old), _tokens(step.new)
            matcher = difflib.SequenceMatcher(
                None, [t.rstrip() for t in old], [t.rstrip() for t in new]
            )
            for op, i1, i2, j1, j2 in matcher.get_opcodes():
                if op == "equal":
                    add("same", "".join(new[j1:j2]))
                else:
                    replace("".join(old[i1:i2]), "".join(new[j1:j2]))
    return pieces


def version_key(version: DraftVersion | Version) -> str:
    return f"b{version.number}" if isinstance(version, DraftVersion) else f"g{version.number}"


def source(report: Report, key: str) -> Source:
    """The version `key` names (LookupError when the report has none such)."""
    if key == NOW:
        return Source(NOW, _("the report as it stands"), report_content(report))
    match = re.fullmatch(r"([bg])(\d{1,9})", key or "")
    if match is None:
        raise LookupError(key)
    number = int(match.group(2))
    if match.group(1) == "b":
        draft = DraftVersion.objects.filter(report=report, number=number).first()
        if draft is None:
            raise LookupError(key)
        label = _("version %(number)d (%(purpose)s)") % {
            "number": number,
            "purpose": draft.get_purpose_display(),
        }
        return Source(key, label, draft.content)
    sent = Version.objects.filter(report=report, number=number).first()
    if sent is None:
        raise LookupError(key)
    return Source(key, _("submission %d") % number, sent.content)


def _show(value) -> str:
    """A figure as people read it: its result (1.234,5 in Vietnamese), its numerator and
    denominator, an assessment set by hand and the causes given."""
    if value is None:
        return ""
    if not isinstance(value, dict):
        return str(value)
    language = get_language() or "vi"
    parts = []
    if value.get("value") not in (None, ""):
        parts.append(numbers.number(value["value"], language=language))
    if value.get("numerator") not in (None, "") and value.get("denominator") not in (None, ""):
        numerator = numbers.number(value["numerator"], language=language)
        denominator = numbers.number(value["denominator"], language=language)
        parts.append(f"({numerator} / {denominator})")
    text = " ".join(parts)
    if value.get("assessment_override"):
        label = dict(Assessment.choices).get(value["assessment_override"], "")
        reason = value.get("override_reason") or ""
        parts = [_("assessed by hand: %s") % label] + ([reason] if reason else [])
        text = "; ".join(filter(None, [text, " — ".join(parts)]))
    if value.get("causes"):
        text = "; ".join(filter(None, [text, _("causes: %s") % value["causes"]]))
    return text


def compare(a: Source, b: Source, outline: list[OutlineSection]) -> Comparison:
    """`b` against `a`: every section of the outline (in its order, then any the outline
    no longer has), the review items, and the figures that differ."""
    old_texts, new_texts = a.content.get("sections", {}), b.content.get("sections", {})
    headings = {str(section.pk): str(section) for section in outline}
    keys = list(headings) + sorted(
        (set(old_texts) | set(new_texts)) - set(headings), key=lambda key: (len(key), key)
    )
    sections = [
        _text_diff(headings.get(key) or key, old_texts.get(key, ""), new_texts.get(key, ""))
        for key in keys
    ]
    old_items, new_items = a.content.get("items", {}), b.content.get("items", {})
    items = [
        _text_diff(code, old_items.get(code, ""), new_items.get(code, ""))
        for code in sorted(set(old_items) | set(new_items))
    ]
    old_figures, new_figures = a.content.get("figures", {}), b.content.get("figures", {})
    figures = [
        ValueChange(code, _show(old_figures.get(code)), _show(new_figures.get(code)))
        for code in sorted(set(old_figures) | set(new_figures))
        if old_figures.get(code) != new_figures.get(code)
    ]
    return Comparison(a, b, sections, figures, items)


def _text_diff(heading: str, before: str, after: str) -> SectionDiff:
    before, after = printed(before or "").strip(), printed(after or "").strip()
    return SectionDiff(heading, word_diff(before, after), before != after)
