"""A streaming .xlsx writer for large plain tables: each row goes into the zip as it is
written, so memory stays flat whatever the number of rows.

XlsxWriter's constant-memory mode streams too, but spends some 5 µs of Python per cell;
the national consolidated table has 3.4 million cells, which took 16.6 s for the writing
alone on our 2-core server, over the 15 s the whole export may take (bench/documents.py).
Writing SpreadsheetML as strings costs well under a microsecond per cell. This module
does only what that table needs: text, numbers and dates, a bold header, column widths,
frozen panes and outline levels. Anything richer (validation, locked cells) is written
with openpyxl, as the report form is.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

from soket.documents.blocks import clean

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXCEL_EPOCH = datetime.date(1899, 12, 30)
ROWS_PER_WRITE = 500

# Cell formats, by their index in the styles' cellXfs.
TEXT, HEADER, INTEGER, DECIMAL, DATE = range(5)

STYLES = (Path(__file__).parent / "builtin" / "xlsx-styles.xml").read_bytes()


class Sheet:
    """Rows of one worksheet, numbered from 1 in the order they are written."""

    def __init__(self, stream: IO[bytes], columns: int):
        self._stream = stream
        self._letters = [get_column_letter(index) for index in range(1, columns + 1)]
        self._pending: list[str] = []
        self.rows = 0

    def header(self, values: Sequence[str]) -> None:
        """Write the next row as headings: bold on grey, wrapped."""
        self._check_length(values)
        self._add_row(
            [
                self._text(letter, value, HEADER)
                for letter, value in zip(self._letters, values, strict=False)
                if value
            ]
        )

    def row(self, values: Sequence[object], *, level: int = 0) -> None:
        """Write the next row; None leaves a cell empty. `level` is its outline level."""
        self._check_length(values)
        cells = []
        number = self.rows + 1
        for letter, value in zip(self._letters, values, strict=False):
            if value is None:
                continue
            kind = type(value)
            if kind is Decimal or kind is float or kind is int:
                text = str(value)
                if "." in text:  # 40.00 is written 40, 12.50 is 12.5
                    text = text.rstrip("0").rstrip(".")
                style = DECIMAL if "." in text else INTEGER
                cells.append(f'<c r="{letter}{number}" s="{style}"><v>{text}</v></c>')
            elif isinstance(value, str):
                if value:
                    cells.append(self._text(letter, value, TEXT))
            elif isinstance(value, datetime.date):
                serial = (value - EXCEL_EPOCH).days
                cells.append(f'<c r="{letter}{number}" s="{DATE}"><v>{serial}</v></c>')
            else:
                raise TypeError(f"cannot write {kind.__name__} to a cell")
        self._add_row(cells, level)

    def _check_length(self, values: Sequence[object]) -> None:
        if len(values) > len(self._letters):
            raise ValueError(f"{len(values)} cells for a sheet of {len(self._letters)} columns")

    def _text(self, letter: str, value: str, style: int) -> str:
        text = escape(clean(value))
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return (
            f'<c r="{letter}{self.rows + 1}" s="{style}" t="inlineStr">'
            f"<is><t{space}>{text}</t></is></c>"
        )

    def _add_row(self, cells: list[str], level: int = 0) -> None:
        self.rows += 1
        outline = f' outlineLevel="{level}"' if level else ""
        self._pending.append(f'<row r="{self.rows}"{outline}>{"".join(cells)}</row>')
        if len(self._pending) >= ROWS_PER_WRITE:
            self.flush()

    def flush(self) -> None:
        self._stream.write("".join(self._pending).encode())
        self._pending.clear()


class Workbook:
    """Sheets are written one after the other, each in a `with book.sheet(...)` block."""

    def __init__(self, output: IO[bytes]):
        self._zip = zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED)
        self._names: list[str] = []

    @contextmanager
    def sheet(
        self,
        name: str,
        *,
        widths: Sequence[float],
        freeze: tuple[int, int] = (0, 0),
        outline_levels: int = 0,
    ) -> Iterator[Sheet]:
        """`freeze` is how many rows and columns stay in view; `outline_levels` how deep
        the rows' outline goes (parents are above their children)."""
        self._names.append(name)
        path = f"xl/worksheets/sheet{len(self._names)}.xml"
        with self._zip.open(path, "w", force_zip64=True) as stream:
            stream.write(self._sheet_head(widths, freeze, outline_levels).encode())
            sheet = Sheet(stream, len(widths))
            yield sheet
            sheet.flush()
            stream.write(b"</sheetData></worksheet>")

    def _sheet_head(self, widths: Sequence[float], freeze: tuple[int, int], levels: int) -> str:
        selected = ' tabSelected="1"' if len(self._names) == 1 else ""
        rows, columns = freeze
        pane = ""
        if rows or columns:
            corner = f"{get_column_letter(columns + 1)}{rows + 1}"
            split = (f' xSplit="{columns}"' if columns else "") + (
                f' ySplit="{rows}"' if rows else ""
            )
            active = "bottomRight" if rows and columns else "bottomLeft" if rows else "topRight"
            pane = (
                f'<pane{split} topLeftCell="{corner}" activePane="{active}" state="frozen"/>'
                f'<selection pane="{active}" activeCell="{corner}" sqref="{corner}"/>'
            )
        cols = "".join(
            f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
            for index, width in enumerate(widths, start=1)
        )
        outline = f' outlineLevelRow="{levels}"' if levels else ""
        return (
            f'{DECLARATION}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
            '<sheetPr><outlinePr summaryBelow="0"/></sheetPr>'
            f'<sheetViews><sheetView workbookViewId="0"{selected}>{pane}</sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15.75"{outline}/>'
            f"<cols>{cols}</cols><sheetData>"
        )

    def close(self) -> None:
        count = len(self._names)
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{index}" r:id="rId{index}"/>'
            for index, name in enumerate(self._names, start=1)
        )
        sheet_relations = "".join(
            f'<Relationship Id="rId{index}" Type="{RELATIONSHIPS}/worksheet" '
            f'Target="worksheets/sheet{index}.xml"/>'
            for index in range(1, count + 1)
        )
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for index in range(1, count + 1)
        )
        parts = {
            "[Content_Types].xml": (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/styles.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                f"{sheet_types}</Types>"
            ),
            "_rels/.rels": (
                f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
                f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
            "xl/workbook.xml": (
                f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
                f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>'
                "</workbook>"
            ),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{PACKAGE}">{sheet_relations}'
                f'<Relationship Id="rId{count + 1}" Type="{RELATIONSHIPS}/styles" '
                'Target="styles.xml"/></Relationships>'
            ),
        }
        for path, xml in parts.items():
            self._zip.writestr(path, DECLARATION + xml)
        self._zip.writestr("xl/styles.xml", STYLES)
        self._zip.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
