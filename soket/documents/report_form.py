"""The report as an Excel form, for units that work offline: download, fill, upload.

The form carries, on a hidden sheet, which report and which revision it was made
from, so an upload can be refused when it belongs to another report or would
overwrite changes made on the web since. Reading it back goes through the same
checked reader as every import: each cell's error names its sheet, row and column.
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
from soket.core.text import clean_text
from soket.reports import limits
from soket.reports.models import Report
from soket.reports.selectors import report_targets
from soket.reports.services import FigureInput
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
    Column("value", "Kết quả", parse=tabular.decimal),
    Column("numerator", "Tử số", parse=tabular.decimal),
    Column("denominator", "Mẫu số", parse=tabular.decimal),
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


def _uses_ratio(target: Target) -> bool:
    return target.aggregation == Target.Aggregation.RATIO


def _takes_number(target: Target) -> bool:
    return target.direction != Target.Direction.QUALITATIVE


def form_xlsx(report: Report) -> bytes:
    campaign = report.campaign
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
    for row, target in enumerate(report_targets(campaign), start=2):
        figure = figures.get(target.pk)
        ratio = _uses_ratio(target)
        values = [
            target.code,
            target.wording,
            target.unit_of_measure,
            target.goal_value,
            None if ratio or figure is None else figure.value,
            figure.numerator if ratio and figure else None,
            figure.denominator if ratio and figure else None,
            figure.causes if figure else "",
        ]
        inputs = {8}
        if _takes_number(target):
            inputs |= {6, 7} if ratio else {5}
        for column, value in enumerate(values, start=1):
            cell = _put(targets_sheet, row, column, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column in inputs:
                cell.fill = INPUT
                cell.protection = Protection(locked=False)
                if column in (5, 6, 7):
                    numbers.add(cell.coordinate)
                else:
                    cell.number_format = TEXT_FORMAT
            else:
                cell.fill = FIXED
    targets_sheet.protection.sheet = True

    texts_sheet = workbook.create_sheet(TEXTS)
    _header(texts_sheet, TEXT_COLUMNS, widths=[14, 50, 100])
    texts = dict(report.section_texts.values_list("section_id", "text"))
    items = dict(report.item_assessments.values_list("item_id", "text"))
    rows = [
        (
            f"{SECTION_KEY}{section.pk}",
            f"{section.number} {section.heading}".strip(),
            texts.get(section.pk, ""),
        )
        for section in campaign.outline_sections.order_by("order")
    ] + [
        (f"{ITEM_KEY}{item.code}", f"Đánh giá: {item}", items.get(item.pk, ""))
        for item in campaign.review_items.order_by("code")
    ]
    for row, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
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
        "theo tỷ lệ thì ghi tử số và mẫu số; hệ thống tự tính tỷ lệ.",
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
    """The form's content, every cell checked; TableError lists every problem."""
    if not filename.lower().endswith(".xlsx"):
        raise TableError([RowError(None, None, _("Upload the report form as an .xlsx file."))])
    revision = _check_identity(report, filename, data)
    target_rows, errors = _sheet(filename, data, TARGETS, TARGET_COLUMNS)
    text_rows, text_errors = _sheet(filename, data, TEXTS, TEXT_COLUMNS)
    errors += text_errors

    targets = {target.code: target for target in report_targets(report.campaign)}
    existing = {figure.target_id: figure for figure in report.figures.all()}
    figures: dict[int, FigureInput] = {}
    for row in target_rows:
        code = row.values.get("code")
        target = targets.get(code)
        if target is None:
            if code:
                errors.append(
                    RowError(
                        row.number,
                        "Mã chỉ tiêu",
                        _("“%s” is not a target of this report") % code,
                        TARGETS,
                    )
                )
            continue
        kept = existing.get(target.pk)
        ratio, numeric = _uses_ratio(target), _takes_number(target)
        figures[target.pk] = FigureInput(
            value=row.values.get("value") if numeric and not ratio else None,
            numerator=row.values.get("numerator") if ratio else None,
            denominator=row.values.get("denominator") if ratio else None,
            override=kept.assessment_override if kept else "",
            override_reason=kept.override_reason if kept else "",
            causes=row.values.get("causes", ""),
        )
    missing = sorted(set(targets) - {t.code for t in targets.values() if t.pk in figures})
    if missing and not errors:
        errors.append(
            RowError(
                None,
                None,
                _("the rows of these targets are missing: %s") % ", ".join(missing),
                TARGETS,
            )
        )

    sections = set(report.campaign.outline_sections.values_list("pk", flat=True))
    items = dict(report.campaign.review_items.values_list("code", "pk"))
    section_texts: dict[int, str] = {}
    item_texts: dict[int, str] = {}
    for row in text_rows:
        key = row.values.get("key", "")
        text = row.values.get("text", "")
        if (
            key.startswith(SECTION_KEY)
            and key[len(SECTION_KEY) :].isdigit()
            and int(key[len(SECTION_KEY) :]) in sections
        ):
            section_texts[int(key[len(SECTION_KEY) :])] = text
        elif key.startswith(ITEM_KEY) and key[len(ITEM_KEY) :] in items:
            item_texts[items[key[len(ITEM_KEY) :]]] = text
        elif key:
            errors.append(
                RowError(row.number, "Mã", _("“%s” is not a section of this report") % key, TEXTS)
            )
    if errors:
        raise TableError(errors)
    return FormContent(revision, section_texts, figures, item_texts)


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
    tabular.check_size(data)
    workbook = tabular.open_xlsx(data)
    try:
        if (
            META not in workbook.sheetnames
            or TARGETS not in workbook.sheetnames
            or TEXTS not in workbook.sheetnames
        ):
            raise wrong
        values = [
            row[0]
            for row in workbook[META].iter_rows(min_row=1, max_row=6, max_col=1, values_only=True)
        ]
    finally:
        workbook.close()
    values += [None] * (6 - len(values))
    mark, pk, campaign_code, unit_code, department, revision = values[:6]
    if (
        mark != MARK
        or str(pk) != str(report.pk)
        or campaign_code != report.campaign.code
        or unit_code != report.unit.code
        or str(department or "") != str(report.department_id or "")
        or not isinstance(revision, int)
    ):
        raise wrong
    return revision
