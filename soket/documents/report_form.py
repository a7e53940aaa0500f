"""The report as an Excel form, for units that work offline: download, fill, upload.

The form carries, on a hidden sheet, which report and which revision it was made
from, so an upload can be refused when it belongs to another report or would
overwrite changes made on the web since. Reading it back goes through the same
checked reader as every import: each cell's error names its sheet, row and column.

It asks for each figure what the web form asks at the report's level (reports/entry.py):
a share of units at a level with units below is a numerator and a denominator, not a
value. A row that comes back as it left is not written at all, so an untouched form
changes nothing, whatever was stored; a changed row lands what the person wrote.

An Excel cell holds 32,767 characters and openpyxl cuts the rest without a word, so
the report's one text limit (reports/limits.py) is what a cell holds, and a text
stored before that limit that a cell cannot hold is refused by name, on download and
on upload, never cut.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from decimal import Decimal

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from soket.core import tabular
from soket.core.tabular import Column, RowError, TableError
from soket.core.text import clean_text, grouped
from soket.reports import entry, limits, validation
from soket.reports.models import Figure, Report
from soket.reports.selectors import outline_sections, report_targets
from soket.reports.services import FigureInput, ReportError
from soket.resolutions.models import Target

MARK = "soket-bieu-mau-bao-cao-1"
GUIDE, TARGETS, TEXTS, META = "Hướng dẫn", "Chỉ tiêu", "Nội dung", "soket"
SECTION_KEY, ITEM_KEY = "muc-", "danh-gia-"
LIMIT = Decimal("1e14")

TARGET_COLUMNS = [
    Column("code", "Mã chỉ tiêu", required=True, parse=tabular.text(20)),
    Column("name", "Chỉ tiêu"),
    Column("measure", "Đơn vị tính"),
    Column("goal", "Mục tiêu"),
    # The numbers are read, as on the web, by reports/validation.py, which names the target.
    Column("value", "Kết quả"),
    Column("numerator", "Tử số"),
    Column("denominator", "Mẫu số"),
    Column("causes", "Nguyên nhân (nếu chưa đạt)", parse=tabular.text(limits.SHORT_TEXT)),
]
TEXT_COLUMNS = [
    Column("key", "Mã", required=True, parse=tabular.text(60)),
    Column("heading", "Mục"),
    Column("text", "Nội dung báo cáo", parse=tabular.text(limits.TEXT)),
]
INPUT = PatternFill("solid", fgColor="FFF8DC")
TEXT_FORMAT = "@"  # what Excel keeps as typed, even "=…"
FIXED = PatternFill("solid", fgColor="E7E6E6")


@dataclass(frozen=True)
class FormContent:
    revision: int
    sections: dict[int, str]
    figures: dict[int, FigureInput]
    items: dict[int, str]


# Where each of a figure's numbers goes in the sheet "Chỉ tiêu".
NUMBER_COLUMNS = {"value": 5, "numerator": 6, "denominator": 7}
STORED_PRECISION = Decimal("0.0001")  # figures are stored to four decimal places


def _numbers(target: Target, *, units_below: bool) -> tuple[str, ...]:
    """The figure's numbers the form asks for, as the web form does at this level."""
    if entry.entered_as_counts(target, units_below=units_below):
        return ("numerator", "denominator")
    if target.direction != Target.Direction.QUALITATIVE:
        return ("value",)
    return ()


def _fits_a_cell(text: str) -> bool:
    return len(clean_text(text)) <= tabular.CELL_CHARACTERS


def _too_long(heading: str, text: str) -> str:
    return _(
        "“%(section)s” holds %(length)s characters, more than the %(limit)s an Excel cell "
        "holds, so the Excel form cannot carry it whole. Shorten it on the web, then "
        "download the form again."
    ) % {
        "section": heading,
        "length": grouped(len(clean_text(text))),
        "limit": grouped(tabular.CELL_CHARACTERS),
    }


def _text_rows(report: Report) -> list[tuple[str, str, str]]:
    """(key, heading, stored text) of each outline section, then each review item."""
    campaign = report.campaign
    texts = dict(report.section_texts.values_list("section_id", "text"))
    items = dict(report.item_assessments.values_list("item_id", "text"))
    return [
        (
            f"{SECTION_KEY}{section.pk}",
            f"{section.number} {section.heading}".strip(),
            texts.get(section.pk, ""),
        )
        for section in outline_sections(campaign, report.unit)
    ] + [
        (f"{ITEM_KEY}{item.code}", f"Đánh giá: {item}", items.get(item.pk, ""))
        for item in campaign.review_items.order_by("code")
    ]


def form_xlsx(report: Report) -> bytes:
    """The form of `report`; ReportError, naming them, when some of its texts are longer
    than a cell holds (stored before limits.TEXT was what a cell holds)."""
    campaign = report.campaign
    rows = _text_rows(report)
    too_long = [_too_long(heading, text) for _key, heading, text in rows if not _fits_a_cell(text)]
    if too_long:
        raise ReportError(" ".join(too_long))

    workbook = openpyxl.Workbook()
    guide = workbook.active
    guide.title = GUIDE
    _guide(guide, report)

    targets_sheet = workbook.create_sheet(TARGETS)
    figures = {figure.target_id: figure for figure in report.figures.all()}
    _header(targets_sheet, TARGET_COLUMNS, widths=[12, 60, 12, 14, 14, 14, 14, 50])
    numbers = DataValidation(
        type="decimal",
        operator="between",
        formula1=str(-LIMIT),
        formula2=str(LIMIT),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Sai kiểu dữ liệu",
        error="Ô này chỉ nhận số (dùng dấu phẩy cho phần thập phân).",
    )
    targets_sheet.add_data_validation(numbers)
    units_below = entry.has_units_below(report)
    for row, target in enumerate(report_targets(campaign, report.unit), start=2):
        figure = figures.get(target.pk)
        asked = _numbers(target, units_below=units_below)
        values = [
            target.code,
            target.wording,
            target.unit_of_measure,
            target.goal_value,
            *(
                getattr(figure, name) if figure and name in asked else None
                for name in NUMBER_COLUMNS
            ),
            figure.causes if figure else "",
        ]
        inputs = {8} | {NUMBER_COLUMNS[name] for name in asked}
        for column, value in enumerate(values, start=1):
            cell = _put(targets_sheet, row, column, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column in inputs:
                cell.fill = INPUT
                cell.protection = Protection(locked=False)
                if column in NUMBER_COLUMNS.values():
                    numbers.add(cell.coordinate)
                else:
                    cell.number_format = TEXT_FORMAT
            else:
                cell.fill = FIXED
    targets_sheet.protection.sheet = True

    texts_sheet = workbook.create_sheet(TEXTS)
    _header(texts_sheet, TEXT_COLUMNS, widths=[14, 50, 100])
    for row, text_row in enumerate(rows, start=2):
        for column, value in enumerate(text_row, start=1):
            cell = _put(texts_sheet, row, column, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.fill = INPUT if column == 3 else FIXED
            if column == 3:
                cell.protection = Protection(locked=False)
                cell.number_format = TEXT_FORMAT
    texts_sheet.protection.sheet = True

    meta = workbook.create_sheet(META)
    for row, value in enumerate(
        [
            MARK,
            report.pk,
            campaign.code,
            report.unit.code,
            report.department_id or "",
            report.revision,
        ],
        start=1,
    ):
        _put(meta, row, 1, value)
    meta.sheet_state = "veryHidden"

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _put(sheet, row: int, column: int, value) -> Cell:
    """Write a cell. Text is written as text, never as a formula: a cause that begins
    with "=" stays a cause, and the form comes back as it left."""
    if isinstance(value, str):
        cell = sheet.cell(row=row, column=column, value=clean_text(value))
        cell.data_type = "s"
        return cell
    return sheet.cell(row=row, column=column, value=_plain(value))


def _plain(value):
    """Numbers as numbers; Excel knows nothing of Decimal's trailing zeros."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _header(sheet, columns: list[Column], *, widths: list[int]) -> None:
    for index, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
        cell = _put(sheet, 1, index, column.header)
        cell.font = Font(bold=True)
        cell.fill = FIXED
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _guide(sheet, report: Report) -> None:
    lines = [
        f"Biểu mẫu báo cáo: {report.campaign.title}",
        f"Đơn vị: {report.author_name}",
        "",
        "Cách điền:",
        f"1. Trang “{TARGETS}”: ghi kết quả của từng chỉ tiêu vào các ô màu vàng. Chỉ tiêu tính "
        "theo tỷ lệ thì ghi tử số và mẫu số; ở đơn vị có đơn vị trực thuộc, chỉ tiêu tính "
        "theo tỷ lệ đơn vị đạt cũng ghi tử số (số đơn vị đạt) và mẫu số (số đơn vị); hệ "
        "thống tự tính tỷ lệ.",
        "2. Chỉ ghi số (không ghi chữ, không dùng công thức); phần thập phân dùng dấu phẩy.",
        "3. Chỉ tiêu chưa đạt phải ghi nguyên nhân.",
        f"4. Trang “{TEXTS}”: ghi nội dung báo cáo theo từng mục của đề cương.",
        "5. Không đổi tên trang tính, không thêm hay xóa dòng, không sửa cột Mã.",
        "6. Lưu tệp và tải lên ở trang báo cáo của đơn vị. Nếu có lỗi, hệ thống chỉ rõ trang, "
        "dòng, cột cần sửa và chưa ghi gì cho đến khi tệp hợp lệ.",
    ]
    sheet.column_dimensions["A"].width = 110
    for row, line in enumerate(lines, start=1):
        cell = _put(sheet, row, 1, line)
        cell.alignment = Alignment(wrap_text=True)
    sheet["A1"].font = Font(bold=True, size=13)


def read_form(*, report: Report, filename: str, data: bytes) -> FormContent:
    """The form's content, every cell checked; TableError lists every problem.

    A target's row that comes back as it left (its numbers and causes those stored) is
    left out: only what the person changed is written."""
    if not filename.lower().endswith(".xlsx"):
        raise TableError([RowError(None, None, _("Upload the report form as an .xlsx file."))])
    revision = _check_identity(report, filename, data)
    target_rows, errors = _sheet(filename, data, TARGETS, TARGET_COLUMNS)
    text_rows, text_errors = _sheet(filename, data, TEXTS, TEXT_COLUMNS)
    errors += text_errors
    figures, figure_errors = _figures(report, target_rows)
    errors += figure_errors

    stored = {key: (heading, text) for key, heading, text in _text_rows(report)}
    section_keys = {
        f"{SECTION_KEY}{pk}": pk
        for pk in [s.pk for s in outline_sections(report.campaign, report.unit)]
    }
    item_keys = {
        f"{ITEM_KEY}{code}": pk
        for code, pk in report.campaign.review_items.values_list("code", "pk")
    }
    section_texts: dict[int, str] = {}
    item_texts: dict[int, str] = {}
    for row in text_rows:
        key = row.values.get("key", "")
        text = row.values.get("text", "")
        if key in stored and not _fits_a_cell(stored[key][1]):
            message = _too_long(*stored[key])
            errors.append(RowError(row.number, "Nội dung báo cáo", message, TEXTS))
        elif key in section_keys:
            section_texts[section_keys[key]] = text
        elif key in item_keys:
            item_texts[item_keys[key]] = text
        elif key:
            errors.append(
                RowError(row.number, "Mã", _("“%s” is not a section of this report") % key, TEXTS)
            )
    if errors:
        raise TableError(errors)
    return FormContent(revision, section_texts, figures, item_texts)


def _figures(report: Report, rows: list[tabular.Row]) -> tuple[dict[int, FigureInput], list]:
    """The figures of the rows the person changed, and the errors of the target rows.

    Each number is read and checked as the web form reads and checks it
    (reports/validation.py), with the same message, placed at its sheet, row and column."""
    targets = {target.code: target for target in report_targets(report.campaign, report.unit)}
    stored = {figure.target_id: figure for figure in report.figures.all()}
    units_below = entry.has_units_below(report)
    headers = {column.key: column.header for column in TARGET_COLUMNS}
    figures: dict[int, FigureInput] = {}
    errors: list[RowError] = []
    seen: set[str] = set()
    rows_of: dict[int, int] = {}

    def located(problem: validation.Problem) -> RowError:
        column = headers.get(problem.number or "")
        return RowError(rows_of.get(problem.target_id or 0), column, str(problem), TARGETS)

    for row in rows:
        code = row.values.get("code") or ""
        target = targets.get(code)
        if target is None:
            if code:
                message = _("“%s” is not a target of this report") % code
                errors.append(RowError(row.number, headers["code"], message, TARGETS))
            continue
        seen.add(code)
        rows_of[target.pk] = row.number
        asked = _numbers(target, units_below=units_below)
        stray = [
            name
            for name in NUMBER_COLUMNS
            if name not in asked and not _blank(row.values.get(name))
        ]
        if stray:
            errors.append(
                RowError(row.number, headers[stray[0]], _not_asked(target, asked, headers), TARGETS)
            )
            continue
        given, problems = validation.read_numbers(
            target, {name: row.values.get(name) for name in asked}
        )
        if problems:
            errors += [located(problem) for problem in problems]
            continue
        causes = row.values.get("causes", "")
        kept = stored.get(target.pk)
        if _as_it_left(kept, given, causes):
            continue
        figures[target.pk] = FigureInput(
            **given,
            override=kept.assessment_override if kept else "",
            override_reason=kept.override_reason if kept else "",
            causes=causes,
        )
    missing = sorted(set(targets) - seen)
    if missing and not errors:
        message = _("the rows of these targets are missing: %s") % ", ".join(missing)
        errors.append(RowError(None, None, message, TARGETS))
    if not errors:
        by_id = {target.pk: target for target in targets.values()}
        problems = validation.figure_problems(report=report, figures=figures, targets=by_id)
        errors += [located(problem) for problem in problems]
    return figures, errors


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _not_asked(target: Target, asked: tuple[str, ...], headers: dict[str, str]) -> str:
    """Why a number in a cell the form does not ask for is refused rather than dropped
    (a form made before a share of units was asked as a numerator and a denominator
    carries its value in “Kết quả”)."""
    if not asked:
        return _("target %s is assessed without a number: leave this cell empty") % target.code
    return _("target %(code)s takes its figure in %(columns)s: leave this cell empty") % {
        "code": target.code,
        "columns": ", ".join(f"“{headers[name]}”" for name in asked),
    }


def _as_it_left(kept: Figure | None, given: dict, causes: str) -> bool:
    """Whether a target's row holds what is stored: the form wrote it so."""
    if kept is None:
        return not causes and all(value is None for value in given.values())
    return kept.causes == causes and all(
        _same_number(getattr(kept, name), value) for name, value in given.items()
    )


def _same_number(stored: Decimal | None, given: Decimal | None) -> bool:
    if stored is None or given is None:
        return stored is given
    return stored.quantize(STORED_PRECISION) == given.quantize(STORED_PRECISION)


def _sheet(filename: str, data: bytes, name: str, columns: list[Column]):
    try:
        rows, errors = tabular.read_table(
            filename=filename, data=data, columns=columns, sheet_name=name
        )
    except TableError as error:
        raise TableError([replace(e, sheet=name) for e in error.errors]) from None
    return rows, [replace(error, sheet=name) for error in errors]


def _check_identity(report: Report, filename: str, data: bytes) -> int:
    """The revision the form was made from; TableError when it is not this report's form."""
    wrong = TableError(
        [
            RowError(
                None,
                None,
                _(
                    "This file is not the report form of %(unit)s for this campaign: "
                    "download the form from the report's page."
                )
                % {"unit": report.author_name},
            )
        ]
    )
    values = tabular.identity_cells(data, meta=META, sheets=[TARGETS, TEXTS], count=6)
    if values is None:
        raise wrong
    mark, pk, campaign_code, unit_code, department, revision = values[:6]
    if (
        mark != MARK
        or str(pk) != str(report.pk)
        or campaign_code != report.campaign.code
        or unit_code != report.unit.code
        or str(department or "") != str(report.department_id or "")
        or not isinstance(revision, int)
        or isinstance(revision, bool)
    ):
        raise wrong
    return revision
