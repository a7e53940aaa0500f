"""The consolidated table of a campaign as .xlsx: one row per unit of a subtree, one
column per target, streamed row by row so that the national table of 135,000 units
goes through in bounded memory."""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.db.models import Aggregate, CharField, FilteredRelation, Max, Q, TextField, Value
from django.db.models.functions import Cast, Concat

from soket.campaigns.deadlines import report_dates
from soket.campaigns.models import Campaign
from soket.core import numbers
from soket.documents import xlsx_stream
from soket.documents.content import NOT_SENT, STATE_LABELS
from soket.orgs.models import Unit
from soket.reports import lateness, rollup
from soket.reports.selectors import report_targets
from soket.resolutions import meaning

CHUNK = 5000


def consolidated_table(*, campaign: Campaign, within: Unit, output: IO[bytes]) -> int:
    """Write the table into `output`; returns how many unit rows were written."""
    # With the targets of the federations' own outline sections, for their subtrees.
    targets = report_targets(campaign, within)
    with xlsx_stream.Workbook(output) as book:
        _write_summary(book, campaign=campaign, within=within, targets=targets)
        return _write_units(book, campaign=campaign, within=within, targets=targets)


SUMMARY_HEADER = [
    "Mã",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Mục tiêu",
    "Kết quả (đã duyệt)",
    "Tử số",
    "Mẫu số",
    "Số báo cáo",
]


def summary_rows(*, campaign: Campaign, within: Unit, targets) -> list[list]:
    """A row per target: its code, wording, unit and goal, then the accepted reports of
    the units right below `within` rolled up by the target's rule — the same rollup the
    web page and the level's draft read (rollup.Rolled.for_target): a sum is the sum; a
    ratio or a share of units is the ratio of the summed numerators and denominators, in
    percent rounded to two decimals, with those two sums beside it (never a sum of
    percentages); a target that does not add up is left blank."""
    rolled = rollup.children_rollup(campaign=campaign, parents=[within.pk])
    rows = []
    for target in targets:
        figure = rolled.get((within.pk, target.pk))
        value = numerator = denominator = None
        if figure is not None:
            value, numerator, denominator = figure.for_target(target)
        if meaning.is_ratio(target):
            value = numbers.rounded(value)
        rows.append(
            [
                target.code,
                target.wording,
                target.unit_of_measure,
                target.goal_value,
                value,
                numerator,
                denominator,
                figure.reports if figure is not None else None,
            ]
        )
    return rows


def _write_summary(book: xlsx_stream.Workbook, *, campaign, within, targets) -> None:
    with book.sheet("Tổng hợp", widths=[10, 60, 14, 14, 14, 14, 14, 12], freeze=(1, 0)) as sheet:
        sheet.header(SUMMARY_HEADER)
        for row in summary_rows(campaign=campaign, within=within, targets=targets):
            sheet.row(row)


class StringAgg(Aggregate):
    """The texts of a group joined by a separator: STRING_AGG on PostgreSQL, GROUP_CONCAT
    on SQLite (Django 5.2 has one for PostgreSQL only)."""

    function = "STRING_AGG"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _units_with_figures(*, campaign: Campaign, within: Unit):
    """Every unit of the subtree in tree order with its report's state and its figures as
    "target=value;…": one row per unit from one query, however many targets."""
    figure = Concat(
        Cast("report__figures__target_id", CharField()),
        Value("="),
        Cast("report__figures__value", CharField()),
    )
    return (
        Unit.objects.subtree_of(within)
        .annotate(
            report=FilteredRelation(
                "reports",
                condition=Q(reports__campaign=campaign, reports__department__isnull=True),
            )
        )
        .order_by("path")
        .values_list("pk", "code", "name", "kind_id", "kind__name", "depth", "path")  # by unit
        .annotate(
            state=Max("report__state"),
            first_submitted_at=Max("report__first_submitted_at"),
            figures=StringAgg(figure, Value(";")),
        )
    )


def _note(submitted, due_on, today) -> str:
    """ "Gửi muộn 2 ngày" or "Quá hạn 5 ngày", by the one rule for late (lateness.py),
    worded as in the annex of the consolidated report."""
    standing = lateness.standing(submitted, due_on, today)
    if standing.is_late:
        return f"Gửi muộn {standing.days_late} ngày"
    if standing.is_overdue:
        return f"Quá hạn {standing.days_overdue} ngày"
    return ""


def _write_units(book: xlsx_stream.Workbook, *, campaign, within, targets) -> int:
    deepest = Unit.objects.subtree_of(within).aggregate(deepest=Max("depth"))["deepest"]
    fixed = ["Mã đơn vị", "Đơn vị", "Cấp", "Tình trạng", "Ngày gửi", "Ghi chú"]
    column_of = {str(target.pk): len(fixed) + index for index, target in enumerate(targets)}
    headings = [f"{t.code} ({t.unit_of_measure})" if t.unit_of_measure else t.code for t in targets]
    dates = report_dates(campaign)
    today = lateness.today()
    written = 0
    with book.sheet(
        "Theo đơn vị",
        widths=[14, 45, 14, 14, 12, 16] + [12] * len(targets),
        freeze=(1, 2),
        outline_levels=min(deepest - within.depth, 7),
    ) as sheet:
        sheet.header(fixed + headings)
        rows = _units_with_figures(campaign=campaign, within=within).iterator(chunk_size=CHUNK)
        for _pk, code, name, kind_id, kind, depth, path, state, submitted, figures in rows:
            sent_on = None if submitted is None else lateness.local_date(submitted)
            note = _note(submitted, dates.due_on(kind_id, path), today)
            row = [code, name, kind, STATE_LABELS.get(state, NOT_SENT), sent_on, note]
            row += [None] * len(targets)
            for pair in figures.split(";") if figures else ():
                target, _, value = pair.partition("=")
                if value and target in column_of:
                    row[column_of[target]] = Decimal(value)
            sheet.row(row, level=min(depth - within.depth, 7))  # Excel outlines the tree
            written += 1
    return written
