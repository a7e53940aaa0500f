"""The plan's text, as written in PlanSection.body: paragraphs, bullets and footnotes.

Shared by the web page and the documents, so both read the body the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from soket.campaigns.models import Campaign

FOOTNOTE_MARK = re.compile(r"\[\^([\w-]+)\]")


@dataclass(frozen=True)
class Footnote:
    number: int
    code: str
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    is_bullet: bool


def paragraphs(body: str) -> list[Paragraph]:
    result = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            result.append(Paragraph(line[2:].strip(), is_bullet=True))
        else:
            result.append(Paragraph(line, is_bullet=False))
    return result


def section_paragraphs(number: str, heading: str, body: str) -> list[Paragraph]:
    """A section's paragraphs; an unheaded section's number opens its first paragraph,
    as in "1. Đánh giá đúng thực trạng…"."""
    result = paragraphs(body)
    if number and not heading and result:
        first = result[0]
        result[0] = Paragraph(f"{number} {first.text}", first.is_bullet)
    return result


def footnotes_of(campaign: Campaign) -> list[Footnote]:
    """Footnotes numbered in the order the plan first cites each review item."""
    references = dict(campaign.review_items.values_list("code", "reference"))
    numbered: dict[str, Footnote] = {}
    bodies = campaign.sections.order_by("order").values_list("body", flat=True)
    for body in bodies:
        for code in FOOTNOTE_MARK.findall(body):
            if code not in numbered and code in references:
                numbered[code] = Footnote(len(numbered) + 1, code, references[code])
    return list(numbered.values())
