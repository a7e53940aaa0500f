"""Helpers for reading generated documents back."""

import csv
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx import Document

from soket.core.browser import skip_or_fail
from soket.documents import pdf


def require_pdf_tools() -> None:
    """Skip without LibreOffice, a Vietnamese serif or pdftotext; under
    SOKET_REQUIRE_TOOLS=1 (as in CI) fail instead."""
    problem = pdf.missing()
    if not problem and not shutil.which("pdftotext"):
        problem = "pdftotext is missing (Debian: poppler-utils)"
    if problem:
        skip_or_fail(problem)


def pdf_text(data: bytes) -> tuple[str, int]:
    """The PDF's text (pdftotext) and its page count (pdfinfo)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(data)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        info = subprocess.run(
            ["pdfinfo", str(path)], capture_output=True, text=True, check=True
        ).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return text, pages


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def all_text(document) -> str:
    """Body paragraphs and every table cell, in document order, joined by newlines."""
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid PNG of grey pixels, made with zlib alone."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


# LibreOffice's CSV filter: comma, double quote, UTF-8, from row 1, raw values, every sheet.
CSV_EVERY_SHEET = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def calc_sheets(data: bytes) -> dict[str, list[list[str]]]:
    """Every sheet of a workbook as LibreOffice Calc reads it: a real spreadsheet program
    opening the file, not the library that wrote it. Skips (fails in CI) without Calc."""
    if pdf.office() is None:
        skip_or_fail("LibreOffice is missing (Debian: libreoffice-calc-nogui)")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "bang.xlsx"
        source.write_bytes(data)
        try:
            pdf.office_convert(source, to=CSV_EVERY_SHEET)
        except pdf.PdfUnavailable as problem:
            skip_or_fail(f"LibreOffice Calc could not read the workbook: {problem}")
        return {
            path.stem.removeprefix("bang-"): list(csv.reader(path.open(encoding="utf-8")))
            for path in Path(folder).glob("bang-*.csv")
        }
