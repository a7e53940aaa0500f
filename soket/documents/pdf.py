"""PDF from the .docx, by LibreOffice in headless mode.

Each conversion runs with its own throw-away LibreOffice profile, so conversions can
run side by side and a crashed one leaves nothing behind, and under a time limit.
Where Times New Roman is not installed LibreOffice lays the text out in Liberation
Serif, which has the same metrics and covers Vietnamese (Debian: fonts-liberation2).
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

SERIFS = ("Times New Roman", "Liberation Serif", "Tinos")


class PdfUnavailable(Exception):
    """PDF cannot be made on this server; the message says what to install."""


@functools.cache
def office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.cache
def vietnamese_serif() -> str | None:
    """The first Times-compatible serif that fontconfig says covers Vietnamese."""
    if not shutil.which("fc-list"):
        return None
    listing = subprocess.run(
        ["fc-list", ":lang=vi", "family"], capture_output=True, text=True, timeout=30
    ).stdout
    families = {name.strip() for line in listing.splitlines() for name in line.split(",")}
    return next((serif for serif in SERIFS if serif in families), None)


def missing() -> str:
    """What the server lacks to make PDFs, in words for the person asking; "" if nothing."""
    if office() is None:
        return _("PDF needs LibreOffice on the server (Debian: libreoffice-writer-nogui).")
    if vietnamese_serif() is None:
        return _(
            "PDF needs a serif font with Vietnamese letters on the server "
            "(Times New Roman, or Debian's fonts-liberation2)."
        )
    return ""


def convert(docx: bytes) -> bytes:
    problem = missing()
    if problem:
        raise PdfUnavailable(problem)
    with tempfile.TemporaryDirectory(prefix="soket-pdf-") as folder:
        work = Path(folder)
        (work / "van-ban.docx").write_bytes(docx)
        office_convert(work / "van-ban.docx", to="pdf:writer_pdf_Export")
        return (work / "van-ban.pdf").read_bytes()


def office_convert(source: Path, *, to: str) -> None:
    """Convert `source` with LibreOffice into its folder, with a profile in that folder,
    killing the whole process group if it outlasts the time limit."""
    work = source.parent
    timeout = settings.SOKET_PDF_TIMEOUT_SECONDS
    command = [
        office(),
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        to,
        "--outdir",
        str(work),
        str(source),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "HOME": str(work)},
    )
    try:
        _out, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PdfUnavailable(
            _("The PDF took longer than %s seconds to make; try again later.") % timeout
        ) from None
    if process.returncode != 0 or not any(work.glob(f"{source.stem}*.{to.split(':')[0]}")):
        raise PdfUnavailable(
            _("LibreOffice could not make the PDF: %s") % errors.decode(errors="replace")[-300:]
        )
