"""What a document says, independent of Word: headings, paragraphs, tables, images.

The documents are written as lists of blocks by `soket.documents.content`, and
`soket.documents.word` lays them out in the template's styles. Keeping the two apart
lets the same content serve the .docx, its PDF and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from soket.core.text import clean_text


def clean(text: str) -> str:
    """Text that XML can hold (text stored before the door was kept may still carry
    control characters): the rule of `soket.core.text`."""
    return clean_text(text or "")


@dataclass(frozen=True)
class Heading:
    """A heading; "\n" in the text is a line break. A centred heading (the parts of a
    report: "Phần thứ nhất" over its title) stands on its own lines, never justified."""

    text: str
    level: int = 1
    centred: bool = False


@dataclass(frozen=True)
class Para:
    """A body paragraph. `notes` are footnote texts; "[^n]" in the text marks where the
    n-th one (counting from 1) is cited."""

    text: str
    is_bullet: bool = False
    notes: tuple[str, ...] = ()
    italic: bool = False
    bold: bool = False
    centred: bool = False


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    widths_cm: list[float]
    numeric_columns: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Image:
    data: bytes
    caption: str
    width_cm: float = 15.0


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Table | Image | PageBreak
