"""The dashboard of a campaign at one unit (issue 13, point 2): who has reported day by
day against each one's own deadline, the achievement matrix of the units below × the
targets, and the data of the charts of the key figures.

Reads only. The matrix and the charts of the targets are the target analysis
(selectors.target_analysis) seen another way, never a second reading of the figures;
the progress is one aggregate query grouped by day and due date, whatever the number of
units, with each unit's own date from campaigns.deadlines (deployments may move it) and
"late" as reports.lateness says: first sent on a local day after that date.

The functions here take no person: the views fetch the campaign and the unit through the
analysis's permission helpers first, and the consolidated document reads them for the
federation whose report it prints.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import cast

from django.db.models import Count

from soket.analysis import charts
from soket.analysis.selectors import Analysis, TargetAnalysis, UnitResult
from soket.campaigns.models import Campaign
from soket.orgs.models import Unit, UnitKind, UnitQuerySet
from soket.reports import counts, lateness
from soket.reports.models import Assessment
from soket.resolutions import meaning

# Days drawn after the last event (last sending, last due date) while today is later.
TAIL_DAYS = 60


@dataclass(frozen=True)
class Progress:
    """Who first sent their report on which day, of the units of one level below a
    unit (or those directly below it): the counts the chart draws."""

    unit: Unit
    kind: UnitKind | None  # the level; None: the units directly below
    expected: int
    deadlines: dict[datetime.date, int]  # each due date: the units it applies to
    sent: dict[datetime.date, tuple[int, int]]  # day: (first sent on time, late)
    today: datetime.date

    @property
    def on_time(self) -> int:
        return sum(on_time for on_time, _late in self.sent.values())

    @property
    def late(self) -> int:
        return sum(late for _on_time, late in self.sent.values())

    @property
    def missing(self) -> int:
        return self.expected - self.on_time - self.late

    def days(self) -> list[datetime.date]:
        """Every day from the first event to the last (today, if not long after)."""
        events = [*self.sent, *self.deadlines]
        if not events:
            return []
        first, last = min(events), max(events)
        if first <= self.today <= last + datetime.timedelta(days=TAIL_DAYS):
            last = max(last, self.today)
        first -= datetime.timedelta(days=1)  # a step up needs the day before
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    def series(self, title: str) -> charts.ProgressSeries:
        days = self.days()
        on_time, late, running = [], [], (0, 0)
        for day in days:
            sent = self.sent.get(day, (0, 0))
            running = (running[0] + sent[0], running[1] + sent[1])
            on_time.append(running[0])
            late.append(running[1])
        return charts.ProgressSeries(
            title=title,
            days=days,
            on_time=on_time,
            late=late,
            expected=self.expected,
            deadlines=sorted(self.deadlines.items()),
            today=self.today if days and self.today <= days[-1] else None,
        )


def progress(
    *, campaign: Campaign, within: Unit, kind: UnitKind | None = None, today: datetime.date
) -> Progress:
    """The units expected below `within` — of `kind` anywhere in its subtree, or those
    directly below — counted by the local day of their first submission and their own
    due date: one query grouped by both."""
    rules = counts.basis(campaign)
    units = cast(UnitQuerySet, counts.expected_units(campaign, rules)).subtree_of(
        within, include_self=False
    )
    units = units.filter(kind=kind) if kind is not None else units.filter(parent=within)
    rows = (
        units.annotate(
            due=rules.dates.below(within.path).expression(),
            sent=lateness.sent_on("report__first_submitted_at"),
        )
        .values("due", "sent")
        .annotate(units=Count("pk"))
        .order_by()
    )
    expected, deadlines = 0, Counter[datetime.date]()
    sent: dict[datetime.date, tuple[int, int]] = {}
    for row in rows:
        expected += row["units"]
        if row["due"] is not None:
            deadlines[row["due"]] += row["units"]
        if row["sent"] is not None:
            on_time, late = sent.get(row["sent"], (0, 0))
            if row["due"] is not None and row["sent"] > row["due"]:
                late += row["units"]
            else:
                on_time += row["units"]
            sent[row["sent"]] = (on_time, late)
    return Progress(
        unit=within, kind=kind, expected=expected, deadlines=dict(deadlines), sent=sent, today=today
    )


# The achievement matrix.


SYMBOLS = {
    Assessment.EXCEEDED: "▲",
    Assessment.ACHIEVED: "●",
    Assessment.NOT_ACHIEVED: "✕",
    charts.NOT_JUDGED: "○",
    charts.NO_FIGURE: "–",
}


@dataclass(frozen=True)
class MatrixCell:
    category: str  # an assessment, NOT_JUDGED or NO_FIGURE: the cell's colour
    symbol: str  # the same without colour
    title: str  # the unit, its figure and the assessment in words


@dataclass(frozen=True)
class MatrixRow:
    unit: Unit
    state: str | None
    cells: list[MatrixCell]  # one per target, in the analysis's order


def matrix(analysis: Analysis, labels: dict[str, str], language: str = "vi") -> list[MatrixRow]:
    """The units below × the targets: the analysis's rows turned on their side (every
    row lists the same units in the same order), each cell worded once here rather than
    by a template tag per cell (a national viewer's matrix has 1,260 of them)."""
    if not analysis.rows:
        return []
    first = analysis.rows[0].units
    return [
        MatrixRow(
            unit=result.unit,
            state=result.state,
            cells=[_cell(row.target, row.units[index], labels, language) for row in analysis.rows],
        )
        for index, result in enumerate(first)
    ]


def _cell(target, result: UnitResult, labels: dict[str, str], language: str) -> MatrixCell:
    shown = category(result)
    value = meaning.printed(target, result.value, language=language) or "—"
    return MatrixCell(shown, SYMBOLS[shown], f"{target.code} · {value} · {labels[shown]}")


def category(result: UnitResult) -> str:
    """The chart's category of one unit for one target."""
    if result.evaluation.assessment:
        return result.evaluation.assessment
    return charts.NOT_JUDGED if result.value is not None else charts.NO_FIGURE


def assessment_bars(analysis: Analysis) -> list[charts.AssessmentBar]:
    return [
        charts.AssessmentBar(row.target.code, dict(Counter(category(u) for u in row.units)))
        for row in analysis.rows
    ]


def charted(row: TargetAnalysis) -> bool:
    """Whether a target has a chart of its own: a number, and units below with one."""
    return not meaning.is_qualitative(row.target) and any(u.value is not None for u in row.units)


def target_bars(row: TargetAnalysis) -> charts.TargetBars:
    """The units below with a figure, best first; past MAX_BARS the best and the weakest
    halves only."""
    target = row.target
    figured = [u for u in row.units if u.value is not None]
    figured.sort(key=lambda u: u.value or 0, reverse=target.direction != target.Direction.AT_MOST)
    left_out = 0
    if len(figured) > charts.MAX_BARS:
        half = charts.MAX_BARS // 2
        left_out = len(figured) - charts.MAX_BARS
        figured = figured[:half] + figured[-half:]
    measure = "%" if meaning.is_percent(target) else target.unit_of_measure
    return charts.TargetBars(
        title=f"{target.code}. {target.wording}",
        measure=measure,
        bars=[
            charts.UnitBar(
                name=u.unit.name,
                value=float(u.value or 0),
                benchmark=float(u.evaluation.expected)
                if u.evaluation.expected is not None and u.evaluation.assessment
                else None,
                assessment=u.evaluation.assessment
                if u.evaluation.assessment in {a.value for a in Assessment}
                else None,
            )
            for u in figured
        ],
        left_out=left_out,
    )
