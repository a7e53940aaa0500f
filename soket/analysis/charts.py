"""The dashboard's charts, drawn once for the page and for the Word documents.

One code path: each chart is a function from plain data (no model, no query) to a
matplotlib `Figure`, and `render` writes that figure as SVG for the page or as PNG for a
document, so a chart looks the same in both. Only matplotlib's object API is used — a
`Figure` with its own Agg canvas, never pyplot and its global current figure — so
requests drawing at the same time in one web server never share a figure.

Text is drawn as glyph outlines of DejaVu Sans (shipped with matplotlib, it has every
Vietnamese letter), not as SVG text in whatever font the browser has: the page shows
exactly what Word prints. matplotlib writes each text as an XML comment beside its
outlines, which the tests read. A fixed hash salt and no date make the same data give
the same bytes, so `drawing` caches a chart by its data.

Laying out text is what drawing costs (matplotlib shapes every letter of every text
each time it measures or draws it), so the margins are computed here, once, from the
widths of the labels in the font's own advances, rather than by matplotlib's
constrained layout, which draws the figure a second time to measure it; and the units'
names are plain texts beside one collection of bars, not ticks and a patch per bar.

Colours say the assessment, and never alone: the legend, the labels and the page's
table name it in words.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import json
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import matplotlib
from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from matplotlib import ft2font
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory, offset_copy

FONT = "DejaVu Sans"
SIZE, SMALL, TITLE_SIZE = 9, 8, 10  # points: the axes' texts, the names and legend, titles

# Set once, at import, for every chart: outlines of one font, stable ids and bytes.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "path",
        "svg.hashsalt": "soket",
        "text.parse_math": False,  # a "$" in a unit's name is a dollar sign, not TeX
        "font.family": FONT,
        "font.size": SIZE,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

# Part of every cached chart's key: raise it with any change that alters a drawing.
VERSION = 3

SVG, PNG = "svg", "png"
FORMATS = {SVG: "image/svg+xml", PNG: "image/png"}
PNG_DPI = 150  # 15 cm wide in Word: about 900 pixels, sharp on paper
WIDTH_IN = 7.0  # inches; the page scales the SVG to its column
BAR_IN = 0.24  # the height of one bar, with its gap
MAX_BARS = 40  # units drawn in one target's chart: the best and the weakest beyond that

EXCEEDED, ACHIEVED, NOT_ACHIEVED = "exceeded", "achieved", "not_achieved"
NOT_JUDGED, NO_FIGURE = "not_judged", "no_figure"
COLOURS = {
    EXCEEDED: "#1a7f37",
    ACHIEVED: "#74c476",
    NOT_ACHIEVED: "#c62828",
    NOT_JUDGED: "#6b7a8f",
    NO_FIGURE: "#d9d9d9",
    None: "#6b7a8f",
}
ON_TIME, LATE, LINE, DEADLINE = "#2f6db5", "#e69f00", "#333333", "#c62828"


def render(drawn: Figure, file_format: str) -> bytes:
    """The figure as SVG (the page) or PNG (Word): the same figure, the same look."""
    output = io.BytesIO()
    if file_format == SVG:
        drawn.savefig(output, format="svg", metadata={"Date": None})
    elif file_format == PNG:
        drawn.savefig(output, format="png", dpi=PNG_DPI, metadata={"Software": None})
    else:
        raise ValueError(f"No such chart format: {file_format}")
    return output.getvalue()


# The cache of drawings.

# A chart is at most a few hundred KiB: 128 of them bound a process's cache to tens of MiB.
CACHE_ENTRIES = 128
CACHE_SECONDS = 24 * 3600  # no invalidation is needed (see drawing): this only frees memory
CACHE_ALIAS = "charts"  # a cache of that name in settings.CACHES is used instead


@dataclass(frozen=True)
class Drawing:
    content: bytes
    key: str  # the hash of what was drawn, in what format and language: an ETag


@cache
def drawing_cache() -> BaseCache:
    if CACHE_ALIAS in settings.CACHES:
        return caches[CACHE_ALIAS]
    return LocMemCache(
        "soket-charts",
        {"TIMEOUT": CACHE_SECONDS, "OPTIONS": {"MAX_ENTRIES": CACHE_ENTRIES, "CULL_FREQUENCY": 4}},
    )


def drawing(chart: Callable[..., Figure], *data: Any, file_format: str) -> Drawing:
    """`render(chart(*data), file_format)`, drawn once for the same data. The key is a
    hash of the data themselves with the chart, the format, the language of its words
    and the version of this code, so the same key always means the same bytes: nothing
    to invalidate when figures change, since other figures make another key. The
    queries still run; only the drawing is saved."""
    if file_format not in FORMATS:
        raise ValueError(f"No such chart format: {file_format}")
    plain = [VERSION, matplotlib.__version__, chart.__qualname__, file_format, get_language(),
             _plain(list(data))]  # fmt: skip
    key = hashlib.sha256(
        json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    content = drawing_cache().get(key)
    if content is None:
        content = render(chart(*data), file_format)
        drawing_cache().set(key, content)
    return Drawing(content, key)


def _plain(value: Any) -> Any:
    """The data as JSON, the same for equal data whatever the order of a dict's keys."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return sorted(([str(key), _plain(item)] for key, item in value.items()), key=str)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Promise):  # a lazy translation: the words it says now
        return str(value)
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"Not plain chart data: {value!r}")


# Measuring text without laying it out.

_ADVANCES: dict[str, float] = {}  # a character: its advance in ems
_MEASURING = threading.Lock()


@cache
def _measuring_font() -> ft2font.FT2Font:
    font = ft2font.FT2Font(findfont(FontProperties(family=FONT)))
    font.set_size(72, 72)  # one point a pixel: an advance in pixels over 72 is in ems
    return font


def width_in(text: str, size: float) -> float:
    """The width of one line of text, in inches: the sum of its letters' advances in
    the font (what matplotlib lays out, less kerning: within a percent)."""
    missing = set(text).difference(_ADVANCES)
    if missing:
        with _MEASURING:
            font = _measuring_font()
            for char in missing:
                glyph = font.load_char(ord(char), flags=ft2font.LoadFlags.NO_HINTING)
                _ADVANCES[char] = glyph.linearHoriAdvance / 65536 / 72
    return sum(_ADVANCES[char] for char in text) * size / 72


def line_in(size: float, lines: int = 1) -> float:
    """The height of `lines` lines of text, in inches (matplotlib's spacing: 1.2)."""
    return (size * 1.2 * lines) / 72


def short(text: str, length: int = 38) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def wrapped(text: str, width: float, size: float, lines: int = 2) -> list[str]:
    """`text` in at most `lines` lines of `width` inches, the last one cut short."""
    words, result = text.split(), [""]
    for word in words:
        tried = f"{result[-1]} {word}".strip()
        if width_in(tried, size) <= width or not result[-1]:
            result[-1] = tried
        elif len(result) < lines:
            result.append(word)
        else:
            result[-1] = tried
            break
    last = result[-1]
    if width_in(last, size) > width or " ".join(result) != " ".join(words):
        while last and width_in(last + "…", size) > width:
            last = last[:-1]
        result[-1] = last.rstrip() + "…"
    return result


def day_label(day: datetime.date) -> str:
    return day.strftime("%d/%m")


# The frame every chart shares: the title above, the legend below, fixed margins.

PAD_IN = 0.1  # around the figure and between its parts
TICK_IN = (3.5 + 3.5) / 72  # a tick and the gap to its label (matplotlib's defaults)
AXIS_IN = TICK_IN + line_in(SIZE)  # an axis's ticks with their labels
LABEL_IN = line_in(SIZE) + 4 / 72  # an axis's label with its gap
RIGHT_IN = 0.3  # room for half of the last tick label on the x axis


@dataclass(frozen=True)
class Legend:
    handles: list[Artist]
    columns: int
    rows: int

    @property
    def height_in(self) -> float:
        if not self.handles:
            return 0.0
        gap = 0.5 * SMALL / 72  # matplotlib's labelspacing: half a letter
        return line_in(SMALL, self.rows) + gap * (self.rows - 1) + PAD_IN


def legend(handles: list[Artist]) -> Legend:
    """Up to four columns, as many as fit the width (matplotlib fills one column, then
    the next: the same split)."""
    em = SMALL / 72
    widths = [(2.0 + 0.8) * em + width_in(str(h.get_label()), SMALL) for h in handles]
    columns = min(len(handles), 4)
    while columns > 1:
        rows = math.ceil(len(widths) / columns)
        split = [widths[i * rows : (i + 1) * rows] for i in range(columns)]
        total = sum(max(part) for part in split if part) + 2.0 * em * (columns - 1)
        if total <= WIDTH_IN - 2 * PAD_IN:
            break
        columns -= 1
    rows = math.ceil(len(handles) / columns) if handles else 0
    return Legend(handles, max(columns, 1), rows)


def framed(
    title: str, *, plot_in: float, left_in: float, bottom_in: float, key: Legend, note_in=0.0
) -> tuple[Figure, Axes]:
    """A figure of the page's width, with its own canvas, whose axes are `plot_in` high
    and `left_in` from the left edge: the title above them (two lines at most), the
    axis's `bottom_in` and the legend below."""
    lines = wrapped(title, WIDTH_IN - 2 * PAD_IN, TITLE_SIZE)
    top_in = PAD_IN + line_in(TITLE_SIZE, len(lines)) + PAD_IN + note_in
    bottom_in += key.height_in + PAD_IN
    height_in = top_in + plot_in + bottom_in
    drawn = Figure(figsize=(WIDTH_IN, height_in))
    FigureCanvasAgg(drawn)
    axes = drawn.add_axes(
        (
            left_in / WIDTH_IN,
            bottom_in / height_in,
            (WIDTH_IN - left_in - RIGHT_IN) / WIDTH_IN,
            plot_in / height_in,
        )
    )
    drawn.text(PAD_IN / WIDTH_IN, 1 - PAD_IN / height_in, "\n".join(lines), ha="left", va="top",
               fontsize=TITLE_SIZE)  # fmt: skip
    if key.handles:
        drawn.legend(handles=key.handles, loc="lower center", ncols=key.columns,
                     bbox_to_anchor=(0.5, PAD_IN / height_in), fontsize=SMALL, frameon=False,
                     borderpad=0, borderaxespad=0)  # fmt: skip
    return drawn, axes


def patch(key: str | None, label: str) -> Patch:
    return Patch(color=COLOURS[key], label=label)


def names(axes: Axes, drawn: Figure, labels: list[str], size: float) -> None:
    """The bars' names left of the axes, each level with its bar: plain texts (a tick
    is a dozen artists, made anew for each)."""
    axes.set_yticks([])
    beside = offset_copy(blended_transform_factory(axes.transAxes, axes.transData), drawn,
                         x=-4, units="points")  # fmt: skip
    for position, label in enumerate(labels):
        axes.text(0, position, label, ha="right", va="center", fontsize=size, transform=beside,
                  clip_on=False)  # fmt: skip


def bars(axes: Axes, rows: Sequence[tuple[float, float, float, str]]) -> None:
    """Horizontal bars, each (position, left, width, colour), as one collection."""
    half = 0.35
    verts = [
        [(left, at - half), (left + width, at - half), (left + width, at + half), (left, at + half)]
        for at, left, width, _colour in rows
    ]
    axes.add_collection(
        PolyCollection(verts, facecolors=[row[3] for row in rows], edgecolors="none",
                       linewidths=0),
        autolim=False,
    )  # fmt: skip


def value_range(values: Sequence[float]) -> tuple[float, float]:
    """The x axis from zero (or below it) to a little past the longest bar."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        return (0.0, 1.0)
    return (low * 1.05 if low < 0 else 0.0, high * 1.05)


def names_width_in(labels: list[str], size: float) -> float:
    return max((width_in(label, size) for label in labels), default=0.0) + 4 / 72 + PAD_IN


# Who has reported, day by day.


@dataclass(frozen=True)
class ProgressSeries:
    """The cumulative count of units first sending their report, day by day."""

    title: str
    days: list[datetime.date]
    on_time: list[int]  # by the end of each day, first sent on or before their own date
    late: list[int]  # by the end of each day, first sent after it
    expected: int
    deadlines: list[tuple[datetime.date, int]]  # each due date, with its units
    today: datetime.date | None


def progress_chart(series: ProgressSeries) -> Figure:
    """Stacked steps, on time below and late above, against the expected count; a
    vertical line at each due date (several where federations below set their own)."""
    top = max(series.expected, 1)
    handles: list[Artist] = []
    if series.days:
        handles += [patch_of(ON_TIME, _("sent on time")), patch_of(LATE, _("sent late"))]
    expected = _("expected: %(count)d") % {"count": series.expected}
    handles.append(line_of(expected, "--"))
    shows_today = bool(series.today is not None and series.days and series.days[0] <= series.today)
    if shows_today:
        handles.append(line_of(_("today"), ":"))
    key = legend(handles)
    digits = width_in(str(math.ceil(top * 1.08)), SIZE)  # the widest tick label
    drawn, axes = framed(
        series.title,
        plot_in=2.2,
        left_in=PAD_IN + LABEL_IN + digits + TICK_IN,
        bottom_in=AXIS_IN,
        key=key,
    )
    days = date2num(series.days)  # matplotlib's numbers of days, which its axes take
    if series.days:
        total = [a + b for a, b in zip(series.on_time, series.late, strict=True)]
        axes.fill_between(days, 0, series.on_time, step="post", color=ON_TIME, linewidth=0)
        axes.fill_between(days, series.on_time, total, step="post", color=LATE, linewidth=0)
        axes.set_xlim(float(days[0]), float(days[-1]))
    axes.axhline(series.expected, color=LINE, linestyle="--", linewidth=1)
    for index, (day, units) in enumerate(series.deadlines):
        at = float(date2num(day))
        axes.axvline(at, color=DEADLINE, linewidth=1)
        text = _("due %(day)s") % {"day": day_label(day)}
        if len(series.deadlines) > 1:
            text += f" ({units})"
        # One line lower than the date before: close dates' words do not overlap.
        lower = (index % 4) * SMALL * 1.3
        axes.annotate(text, (at, top), xytext=(3, -2 - lower), textcoords="offset points",
                      va="top", fontsize=SMALL, color=DEADLINE)  # fmt: skip
    if shows_today and series.today is not None:
        axes.axvline(float(date2num(series.today)), color=LINE, linestyle=":", linewidth=1)
    axes.set_ylim(0, top * 1.08)
    axes.set_ylabel(_("units"))
    axes.xaxis.set_major_locator(AutoDateLocator(maxticks=10))
    axes.xaxis.set_major_formatter(DateFormatter("%d/%m"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return drawn


def patch_of(colour: str, label: str) -> Patch:
    return Patch(color=colour, label=label)


def line_of(label: str, style: Literal["--", ":"]) -> Artist:
    return Line2D([], [], color=LINE, linestyle=style, linewidth=1, label=label)


# How the units below stand, target by target.


@dataclass(frozen=True)
class AssessmentBar:
    label: str  # the target's code
    counts: dict[str, int]  # EXCEEDED … NO_FIGURE: units


def assessments_chart(title: str, bars_: Sequence[AssessmentBar], labels: dict[str, str]) -> Figure:
    """One stacked bar per target: how many units below exceeded, achieved, fell short,
    were not judged or gave no figure. `labels` names each of those in words."""
    order = (EXCEEDED, ACHIEVED, NOT_ACHIEVED, NOT_JUDGED, NO_FIGURE)
    shown = [key for key in order if any(bar.counts.get(key, 0) for bar in bars_)]
    names_ = [bar.label for bar in bars_]
    drawn, axes = framed(
        title,
        plot_in=max(BAR_IN * 1.4 * len(bars_), 0.6),
        left_in=names_width_in(names_, SIZE),
        bottom_in=AXIS_IN + LABEL_IN,
        key=legend([patch(key, labels[key]) for key in shown]),
    )
    segments, totals = [], []
    for position, bar in enumerate(bars_):
        left = 0
        for key in shown:
            width = bar.counts.get(key, 0)
            if width:
                segments.append((position, left, width, COLOURS[key]))
                left += width
        totals.append(left)
    bars(axes, segments)
    names(axes, drawn, names_, SIZE)
    axes.set_ylim(len(bars_) - 0.5, -0.5)
    axes.set_xlim(0, max([*totals, 1]))
    axes.set_xlabel(_("units below"))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return drawn


# One target across the units below.


@dataclass(frozen=True)
class UnitBar:
    name: str
    value: float
    benchmark: float | None  # what its own goal asks by the reviewed date
    assessment: str | None  # EXCEEDED, ACHIEVED, NOT_ACHIEVED or None


@dataclass(frozen=True)
class TargetBars:
    title: str
    measure: str  # the axis: the unit of measure, or "%"
    bars: list[UnitBar]
    left_out: int  # units beyond MAX_BARS, between the best and the weakest shown


def target_chart(data: TargetBars, labels: dict[str, str]) -> Figure:
    """A bar per unit below, coloured by its assessment, with its goal as a black tick."""
    shown = data.bars
    marked = [(p, bar.benchmark) for p, bar in enumerate(shown) if bar.benchmark is not None]
    handles: list[Artist] = [
        patch(key, labels[key])
        for key in (EXCEEDED, ACHIEVED, NOT_ACHIEVED)
        if any(bar.assessment == key for bar in shown)
    ]
    if marked:
        handles.append(goal_mark(_("goal")))
    names_ = [short(bar.name, 30) for bar in shown]
    drawn, axes = framed(
        data.title,
        plot_in=max(BAR_IN * len(shown), 0.6),
        left_in=names_width_in(names_, SMALL),
        bottom_in=AXIS_IN + (LABEL_IN if data.measure else 0),
        key=legend(handles),
        note_in=line_in(7) if data.left_out else 0.0,
    )
    bars(axes, [(p, 0, bar.value, COLOURS[bar.assessment]) for p, bar in enumerate(shown)])
    if marked:
        axes.scatter([b for _p, b in marked], [p for p, _b in marked], marker="|", s=120,
                     color=LINE, linewidths=2, zorder=3, clip_on=False)  # fmt: skip
    names(axes, drawn, names_, SMALL)
    axes.set_ylim(len(shown) - 0.5, -0.5)
    axes.set_xlim(*value_range([bar.value for bar in shown] + [b for _p, b in marked]))
    axes.set_xlabel(data.measure)
    if data.left_out:
        axes.annotate(
            _("%(count)d units between the best and the weakest are not drawn")
            % {"count": data.left_out},
            (1, 1), xycoords="axes fraction", xytext=(0, 2), textcoords="offset points",
            ha="right", va="bottom", fontsize=7, style="italic",
        )  # fmt: skip
    return drawn


def goal_mark(label: str) -> Artist:
    """The legend's entry for the goal's black tick."""
    return Line2D([], [], color=LINE, marker="|", markersize=11, markeredgewidth=2,
                  linestyle="none", label=label)  # fmt: skip
