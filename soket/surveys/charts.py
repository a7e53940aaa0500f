"""A survey question's chart: the share of each choice (or of each value of a scale) as
a horizontal bar, its margin of error as a whisker. Drawn by the dashboards' one chart
path (soket.analysis.charts: the same frame, font, SVG for the page, PNG for Word, and
the cache of drawings by their data)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from soket.analysis import charts

BAR = "#2f6db5"


@dataclass(frozen=True)
class ShareBar:
    label: str
    percent: float  # 0–100
    margin: float | None  # percentage points either side; None: none drawn
    text: str  # the share as the page writes it, drawn beside the bar


@dataclass(frozen=True)
class ShareBars:
    title: str
    note: str  # n and how the margin was made, under the title
    bars: list[ShareBar]


def whisker(bar: ShareBar) -> tuple[float, float]:
    """How far the whisker reaches below and above the bar: its margin, clipped to
    0–100 percent (a share is never below none nor above all)."""
    margin = bar.margin or 0.0
    return min(margin, max(bar.percent, 0.0)), min(margin, max(100.0 - bar.percent, 0.0))


def share_chart(data: ShareBars) -> Figure:
    names_ = [charts.short(bar.label, 34) for bar in data.bars]
    drawn, axes = charts.framed(
        data.title,
        plot_in=max(charts.BAR_IN * 1.3 * len(data.bars), 0.6),
        left_in=charts.names_width_in(names_, charts.SMALL),
        bottom_in=charts.AXIS_IN + charts.LABEL_IN,
        key=charts.legend([]),
        note_in=charts.line_in(charts.SMALL),
    )
    charts.bars(axes, [(p, 0.0, bar.percent, BAR) for p, bar in enumerate(data.bars)])
    whiskers = [(p, bar) for p, bar in enumerate(data.bars) if bar.margin]
    if whiskers:
        axes.errorbar(
            [bar.percent for _p, bar in whiskers],
            [p for p, _bar in whiskers],
            xerr=[[low for low, _high in map(whisker, (bar for _p, bar in whiskers))],
                  [high for _low, high in map(whisker, (bar for _p, bar in whiskers))]],
            fmt="none",
            ecolor=charts.LINE,
            elinewidth=1,
            capsize=3,
        )  # fmt: skip
    for position, bar in enumerate(data.bars):
        axes.annotate(bar.text, (bar.percent + whisker(bar)[1], position), xytext=(4, 0),
                      textcoords="offset points", va="center", fontsize=charts.SMALL)  # fmt: skip
    charts.names(axes, drawn, names_, charts.SMALL)
    axes.set_ylim(len(data.bars) - 0.5, -0.5)
    axes.set_xlim(0, 100 * 1.12)
    axes.set_xlabel(_("share of answers (%)"))
    if data.note:
        axes.annotate(data.note, (0, 1), xycoords="axes fraction", xytext=(0, 4),
                      textcoords="offset points", ha="left", va="bottom", fontsize=charts.SMALL,
                      style="italic")  # fmt: skip
    return drawn
