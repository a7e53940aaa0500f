"""Reading an uploaded table (.xlsx or .csv) into checked rows, or a list of errors.

Importers describe their columns; this module finds them by header, parses every
cell and collects every error with its row and column, so that a person can fix the
whole file at once. Nothing here writes to the database.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _

from soket.core import filecheck
from soket.core.text import clean_text

MAX_ROWS = 200_000
# Columns past this are not read: openpyxl makes every row as wide as the sheet says it
# is, and a hand-made sheet can say XFD, 16,384 cells a row.
MAX_COLUMNS = 100
CELL_CHARACTERS = 32_767  # the most an Excel cell holds; openpyxl cuts the rest silently


class CellError(ValueError):
    """A cell's value cannot be used; the message is shown to the person importing."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    parse: Callable[[Any], Any] = lambda value: value
    help: str = ""
    example: Any = ""


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("sheet “%s”") % self.sheet)
        if self.row is not None:
            where.append(_("row %d") % self.row)
        if self.column:
            where.append(_("column “%s”") % self.column)
        if not where:
            return self.message
        place = ", ".join(where)
        return f"{place[:1].upper()}{place[1:]}: {self.message}"


class TableError(Exception):
    def __init__(self, errors: list[RowError]):
        errors = sorted(errors, key=lambda e: e.row or 0)
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass
class Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


# Cell parsers. Each takes what the cell holds (str, number, date or None) and
# returns the clean value, or raises CellError with a message for the person.


def _as_text(value: Any) -> str:
    """What a cell says, as text, without the control characters (soket.core.text)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)).strip()


def text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        result = _as_text(value)
        if len(result) > max_length:
            raise CellError(_("is longer than %d characters") % max_length)
        return result

    return parse


def line(max_length: int) -> Callable[[Any], str]:
    """A text printed on one line (a name, an abbreviation, a place): a line break typed
    in the cell (Alt+Enter) and runs of spaces become one space."""
    within = text(max_length)

    def parse(value: Any) -> str:
        return " ".join(within(value).split())

    return parse


def date(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = _as_text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise CellError(_("“%s” is not a date; write it as dd/mm/yyyy") % raw[:40])


# How a typed number is read (the web form, the Excel form, every import):
#
# - Vietnamese style: a dot or a space between thousands, a comma before the decimals.
#   "1234", "1.234", "1 234" (also a no-break, narrow or thin space) are 1234; "12,5" is
#   12.5; "1.234,5" and "1 234,5" are 1234.5; "-5" (or "−5") and "+5" carry their sign.
# - Thousands are grouped by three: a dot or a space must be followed by exactly three
#   digits, and the first group has one to three digits, not starting with 0.
# - What could mean two numbers is refused with a question that names both, never
#   guessed: "1,234" (English thousands, or a decimal?), "1.5" and "0.125" (a dot that
#   cannot group thousands: an English decimal point?), "1,234,567" and "1,234.5"
#   (English style, answered with the Vietnamese spelling).
# - Anything else is not a number: letters, "1e5", "∞", "NaN", "=1+1", "1.2.3", "12,5,1".
# - Numbers from numeric cells (int, float, Decimal) are taken as they are.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})
_VIETNAMESE = re.compile(
    r"(?P<whole>[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[1-9][0-9]{0,2}(?: [0-9]{3})+)"
    r"(?:,(?P<decimals>[0-9]+))?"
)
_COMMA_THOUSANDS = re.compile(r"[1-9][0-9]{0,2},[0-9]{3}")  # "1,234": 1234 or 1,234?
_ENGLISH = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+\.[0-9]+")
_LARGEST = Decimal("1e14")


def _read_number(raw: str) -> Decimal:
    """A typed number, read as the comment above says; CellError naming what is wrong."""
    raw = raw.translate(_SPACES).strip()
    sign, body = "", raw
    if body[:1] in ("-", "\u2212", "+"):
        sign, body = ("" if body[0] == "+" else "-"), body[1:]
    shown = raw[:40]
    found = _VIETNAMESE.fullmatch(body)
    if found and not _COMMA_THOUSANDS.fullmatch(body):
        whole = found["whole"].replace(".", "").replace(" ", "")
        decimals = f".{found['decimals']}" if found["decimals"] else ""
        return Decimal(f"{sign}{whole}{decimals}")
    if _COMMA_THOUSANDS.fullmatch(body):
        raise CellError(
            _(
                "“%(raw)s” could be %(thousands)s (a comma between thousands, as in English) "
                "or %(raw)s (a number with decimals). Write %(plain)s if you mean the first, "
                "or %(decimals)s (a zero added at the end) if you mean the second."
            )
            % {
                "raw": shown,
                "thousands": sign + body.replace(",", "."),
                "plain": sign + body.replace(",", ""),
                "decimals": f"{shown}0",
            }
        )
    if _ENGLISH.fullmatch(body):
        vietnamese = body.replace(",", " ").replace(".", ",").replace(" ", ".")
        if "," not in body:  # a dot that cannot group thousands: "1.5", "0.125"
            raise CellError(
                _(
                    "“%(raw)s” is not clear: a dot separates thousands, in groups of three "
                    "digits (1.234), and a comma marks the decimals (12,5). If you mean "
                    "%(decimal)s, write it with a comma."
                )
                % {"raw": shown, "decimal": sign + vietnamese}
            )
        raise CellError(
            _(
                "“%(raw)s” seems written the English way, with commas between thousands: "
                "write %(vietnamese)s (dots between thousands, a comma before decimals)."
            )
            % {"raw": shown, "vietnamese": sign + vietnamese}
        )
    raise CellError(
        _(
            "“%s” is not a number: write digits, with a dot or a space between thousands "
            "and a comma before the decimals, as in 1.234,5"
        )
        % shown
    )


def decimal(value: Any) -> Decimal | None:
    """The number a cell or a field holds, None when it is empty; CellError otherwise.

    Numeric cells pass as they are; text is read in Vietnamese style, and what could be
    read two ways is refused with a question, never guessed (see the comment above)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("must be a number"))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        raw = _as_text(value)
        if not raw.translate(_SPACES).strip():
            return None
        number = _read_number(raw)
        if abs(number) >= _LARGEST:
            raise CellError(_("“%s” is too large a number") % raw[:40])
    if not number.is_finite() or abs(number) >= _LARGEST:
        raise CellError(_("is not a usable number"))
    return number


def whole_number(value: Any) -> int | None:
    number = decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("must be a whole number"))
    return int(number)


def choice(options: Mapping[str, str]) -> Callable[[Any], str]:
    """Accept a value or its label, case and spacing aside; `options` maps label to value."""
    lookup = {_normalise(label): value for label, value in options.items()}
    lookup.update({_normalise(value): value for value in options.values()})

    def parse(value: Any) -> str:
        raw = _as_text(value)
        if not raw:
            return ""
        try:
            return lookup[_normalise(raw)]
        except KeyError:
            raise CellError(
                _("“%(value)s” is not one of: %(options)s")
                % {"value": raw[:40], "options": ", ".join(options)}
            ) from None

    return parse


def _normalise(header: Any) -> str:
    return " ".join(_as_text(header).casefold().replace("*", "").split())


# Reading files.


def check_zip(data: bytes) -> None:
    """Refuse a workbook that is not a ZIP archive, would unpack to an unsafe size, or
    declares a document type in any of its parts (soket.core.filecheck)."""
    try:
        filecheck.check_zip(io.BytesIO(data), members=("xl/workbook.xml",))
    except filecheck.FileDamaged:
        raise TableError(
            [RowError(None, None, _("The file is not a valid .xlsx workbook."))]
        ) from None
    except filecheck.FileRefused as refused:
        raise TableError([RowError(None, None, str(refused))]) from None


def check_size(data: bytes) -> None:
    try:
        filecheck.check_size(len(data), limit=settings.SOKET_MAX_UPLOAD_BYTES)
    except filecheck.FileRefused as refused:
        raise TableError([RowError(None, None, str(refused))]) from None


def open_xlsx(data: bytes) -> openpyxl.Workbook:
    """A read-only workbook, its formulas kept as formulas; TableError for a zip bomb or a
    file that is not a workbook. The caller closes it."""
    check_zip(data)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # a damaged file makes openpyxl raise many kinds of error
        raise TableError(
            [RowError(None, None, _("The file is not a valid .xlsx workbook."))]
        ) from None


def identity_cells(data: bytes, *, meta: str, sheets: Iterable[str], count: int) -> list | None:
    """The first `count` cells of the first column of the hidden sheet `meta` that Soket
    writes into a form it hands out (what the form is of, and from which revision), for
    the form's reader to compare with what it expects; None when the workbook lacks
    `meta` or one of `sheets`, so it is no such form. The size is checked first."""
    check_size(data)
    workbook = open_xlsx(data)
    try:
        if meta not in workbook.sheetnames or any(s not in workbook.sheetnames for s in sheets):
            return None
        rows = sheet_rows(workbook[meta], min_row=1, max_row=count, max_col=1, values_only=True)
        values = [row[0] for row in rows]
    finally:
        workbook.close()
    return values + [None] * (count - len(values))


def sheet_rows(sheet, **options) -> Iterator[tuple]:
    """The rows of a read-only sheet (`options` as for iter_rows); TableError, naming the
    sheet and the first row not read, where its XML cannot be parsed.

    openpyxl reads a sheet's XML as it goes, so a hand-made or damaged file fails here,
    not on opening: malformed XML, a number cell holding "nan" or "inf", a shared string
    that does not exist, a cell address that is no address. Its parser then raises
    whatever error it met (ValueError, IndexError, ParseError…), hence the broad except,
    around openpyxl's code only."""
    rows = iter(sheet.iter_rows(**options))
    read = options.get("min_row") or 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception:
            message = _(
                "cannot be read from row %d on: the file is damaged or was not saved by a "
                "spreadsheet program. Open it in Excel or LibreOffice, save it again and "
                "upload it."
            )
            raise TableError([RowError(None, None, message % read, sheet.title)]) from None
        read += 1
        yield row


def _xlsx_rows(data: bytes, sheet_name: str | None) -> Iterator[tuple[int, list[Any]]]:
    workbook = open_xlsx(data)
    try:
        if sheet_name and sheet_name in workbook.sheetnames:
            sheet = workbook[sheet_name]
        else:
            sheet = workbook.worksheets[0]
        width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
        for number, cells in enumerate(sheet_rows(sheet, max_col=width), start=1):
            values = []
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    raise TableError(
                        [
                            RowError(
                                number,
                                None,
                                _("cell %s holds a formula; paste its value instead")
                                % cell.coordinate,
                            )
                        ]
                    )
                values.append(cell.value)
            yield number, values
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        content = clean_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise TableError(
            [RowError(None, None, _("The CSV file must be saved with UTF-8 encoding."))]
        ) from None
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield from enumerate(csv.reader(io.StringIO(content), delimiter=delimiter), start=1)
    except csv.Error as error:
        message = _("The CSV file is malformed: %s") % error
        raise TableError([RowError(None, None, message)]) from None


def read_table(
    *, filename: str, data: bytes, columns: list[Column], sheet_name: str | None = None
) -> tuple[list[Row], list[RowError]]:
    """Parse every row, keeping each cell's error on its row; a row with errors still
    carries its good cells, so checks across rows see every code in the file.

    Returns the rows and all their errors. A file that cannot be read at all raises TableError.
    """
    check_size(data)
    name = filename.lower()
    if name.endswith(".xlsx"):
        source = _xlsx_rows(data, sheet_name)
    elif name.endswith(".csv"):
        source = _csv_rows(data)
    else:
        raise TableError([RowError(None, None, _("Upload an .xlsx or .csv file."))])

    errors: list[RowError] = []
    rows: list[Row] = []
    positions: dict[str, int] = {}
    for number, cells in source:
        # Blank rows count too: a hand-made sheet can jump to row 1,048,576, and openpyxl
        # hands over every empty row on the way.
        if number > MAX_ROWS + 1:
            raise TableError([RowError(number, None, _("The file has too many rows."))])
        if not positions:
            positions = _find_columns(cells, columns)
            continue
        if all(_as_text(cell) == "" for cell in cells):
            continue
        row = Row(number)
        for column in columns:
            index = positions.get(column.key)
            raw = cells[index] if index is not None and index < len(cells) else None
            if column.required and _as_text(raw) == "":
                row.errors.append(RowError(number, column.header, _("is required")))
                continue
            try:
                row.values[column.key] = column.parse(raw)
            except CellError as error:
                row.errors.append(RowError(number, column.header, str(error)))
        errors.extend(row.errors)
        rows.append(row)
    if not positions:
        raise TableError([RowError(None, None, _("The file is empty."))])
    if not rows and not errors:
        raise TableError([RowError(None, None, _("The file has no data rows."))])
    return rows, errors


def duplicate_errors(rows: list[Row], *, key: str, header: str) -> list[RowError]:
    """An error for every row that repeats a value of `key` already used by an earlier row."""
    errors: list[RowError] = []
    first_row: dict[Any, int] = {}
    for row in rows:
        value = row.values.get(key)
        if value in first_row:
            message = _("“%(code)s” is already used on row %(row)d") % {
                "code": value,
                "row": first_row[value],
            }
            errors.append(RowError(row.number, header, message))
        elif value:
            first_row[value] = row.number
    return errors


def _find_columns(header_cells: list[Any], columns: list[Column]) -> dict[str, int]:
    found = {_normalise(cell): index for index, cell in enumerate(header_cells) if cell}
    positions, missing = {}, []
    for column in columns:
        index = found.get(_normalise(column.header), found.get(_normalise(column.key)))
        if index is not None:
            positions[column.key] = index
        elif column.required:
            missing.append(column.header)
    if missing:
        raise TableError(
            [
                RowError(
                    1,
                    None,
                    _("the header row lacks the columns: %s. Use the template.")
                    % ", ".join(missing),
                )
            ]
        )
    return positions


# Templates people download, fill and upload.


def template_xlsx(*, title: str, columns: list[Column], instructions: list[str]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([c.header + (" *" if c.required else "") for c in columns])
    sheet.append([c.example for c in columns])
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = openpyxl.styles.Font(bold=True)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(
            14, len(column.header) + 4
        )
    guide = workbook.create_sheet(_("Instructions")[:31])
    for line in instructions:
        guide.append([line])
    guide.append([])
    for column in columns:
        mark = _("required") if column.required else _("optional")
        guide.append([column.header, mark, column.help])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(*, columns: list[Column]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in columns])
    writer.writerow([c.example for c in columns])
    return buffer.getvalue().encode("utf-8-sig")
