"""Helpers for reading generated documents back."""

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
