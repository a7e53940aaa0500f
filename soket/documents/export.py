"""The consolidated table of a campaign as .xlsx: one row per unit of a subtree, one
column per target, written row by row (XlsxWriter's constant-memory mode) so that the
national table of 135,000 units streams through in bounded memory."""

from __future__ import annotations

from typing import IO

import xlsxwriter
from django.db.models import F

from soket.campaigns.models import Campaign
from soket.documents.formatting import day_month_year
from soket.orgs.models import Unit, path_upper_bound
from soket.reports import rollup
from soket.reports.models import Figure, Report
from soket.reports.selectors import report_targets

STATE_LABELS = {
    Report.State.DRAFT: "Đang soạn",
    Report.State.SUBMITTED: "Chờ duyệt",
    Report.State.RETURNED: "Trả lại",
    Report.State.ACCEPTED: "Đã duyệt",
}
CHUNK = 5000


def _as_float(value):
    return None if value is None else float(value)


def consolidated_table(*, campaign: Campaign, within: Unit, output: IO[bytes]) -> int:
    """Write the table into `output`; returns how many unit rows were written."""
    targets = report_targets(campaign)
    column_of = {target.pk: index for index, target in enumerate(targets)}
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
    bold = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E7E6E6"}
    )
    number = workbook.add_format({"num_format": "#,##0.##"})

    summary = workbook.add_worksheet("Tổng hợp")
    summary.set_column(0, 0, 10)
    summary.set_column(1, 1, 60)
    summary.set_column(2, 5, 14)
    summary.write_row(
        0,
        0,
        ["Mã", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu", "Kết quả (đã duyệt)", "Số báo cáo"],
        bold,
    )
    rolled = rollup.children_rollup(campaign=campaign, parents=[within.pk])
    for row, target in enumerate(targets, start=1):
        figure = rolled.get((within.pk, target.pk))
        summary.write_row(row, 0, [target.code, target.wording, target.unit_of_measure])
        if target.goal_value is not None:
            summary.write_number(row, 3, float(target.goal_value), number)
        if figure is not None:
            summary.write(row, 4, _as_float(figure.value), number)
            summary.write(row, 5, figure.reports)

    sheet = workbook.add_worksheet("Theo đơn vị")
    fixed = ["Mã đơn vị", "Đơn vị", "Cấp", "Tình trạng", "Ngày gửi"]
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 45)
    sheet.set_column(2, 4, 14)
    sheet.set_column(len(fixed), len(fixed) + len(targets), 12)
    sheet.write_row(
        0,
        0,
        fixed
        + [f"{t.code} ({t.unit_of_measure})" if t.unit_of_measure else t.code for t in targets],
        bold,
    )
    sheet.freeze_panes(1, 2)

    upper = path_upper_bound(within.path)
    units = (
        Unit.objects.filter(path__gte=within.path, path__lt=upper)
        .order_by("path")
        .values_list("pk", "code", "name", "kind__name", "depth")
        .iterator(chunk_size=CHUNK)
    )
    reports = (
        Report.objects.filter(
            campaign=campaign,
            department__isnull=True,
            unit__path__gte=within.path,
            unit__path__lt=upper,
        )
        .order_by("unit__path")
        .values_list("unit_id", "state", "first_submitted_at")
        .iterator(chunk_size=CHUNK)
    )
    figures = (
        Figure.objects.filter(
            report__campaign=campaign,
            report__department__isnull=True,
            report__unit__path__gte=within.path,
            report__unit__path__lt=upper,
        )
        .order_by("report__unit__path")
        .values_list(F("report__unit_id"), "target_id", "value")
        .iterator(chunk_size=CHUNK * 20)
    )
    next_report = next(reports, None)
    next_figure = next(figures, None)
    written = 0
    first_value = len(fixed)
    for row, (pk, code, name, kind, depth) in enumerate(units, start=1):
        state = submitted = ""
        if next_report is not None and next_report[0] == pk:
            state = STATE_LABELS.get(next_report[1], next_report[1])
            submitted = day_month_year(next_report[2].date()) if next_report[2] else ""
            next_report = next(reports, None)
        if depth > within.depth:  # Excel's outline groups the tree
            sheet.set_row(row, None, None, {"level": min(depth - within.depth, 7)})
        sheet.write_row(row, 0, [code, name, kind, state or "Chưa có báo cáo", submitted])
        while next_figure is not None and next_figure[0] == pk:
            index = column_of.get(next_figure[1])
            if index is not None and next_figure[2] is not None:
                sheet.write_number(row, first_value + index, float(next_figure[2]), number)
            next_figure = next(figures, None)
        written += 1
    workbook.close()
    return written
