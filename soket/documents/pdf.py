"""PDF from the .docx, by LibreOffice in headless mode.

A PDF is made by the resident converter when it runs (`soket.documents.office_server`:
a LibreOffice kept running, a fraction of a second a document), and otherwise, or when
it fails, by a LibreOffice started for that one document, with its own throw-away
profile, so conversions can run side by side and a crashed one leaves nothing behind,
under limits of time, memory and concurrency (see `office_convert`). Either way the
whole conversion has SOKET_PDF_TIMEOUT_SECONDS. Conversions run in the background
runner, never in a web request (`soket.documents.jobs`).
Where Times New Roman is not installed LibreOffice lays the text out in Liberation
Serif, which has the same metrics and covers Vietnamese (Debian: fonts-liberation2).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from soket.documents import office_listener, office_server

logger = logging.getLogger(__name__)

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
    """The PDF of a .docx that Soket rendered: by the resident converter if it answers,
    else by a LibreOffice of its own; the person asking never hears which."""
    problem = missing()
    if problem:
        raise PdfUnavailable(problem)
    start = time.monotonic()
    deadline = start + settings.SOKET_PDF_TIMEOUT_SECONDS
    if settings.SOKET_OFFICE_SERVER:
        # The resident converter has half the time: one that hangs (a LibreOffice
        # stopped mid-way) still leaves a LibreOffice of its own the other half.
        half = start + settings.SOKET_PDF_TIMEOUT_SECONDS / 2
        try:
            return office_server.convert(docx, deadline=half)
        except office_server.TooLong as why:
            logger.warning(
                "PDF: the resident converter (%s) took more than half the time (%s); "
                "a LibreOffice of its own converts the document.",
                settings.SOKET_OFFICE_SERVER,
                why,
            )
        except office_server.Unavailable as why:
            # Not running (a deployment without the service) or a large document: as
            # usual. Busy, failing or held by another account: worth a look.
            logger.log(
                logging.INFO if isinstance(why, office_server.Skipped) else logging.WARNING,
                "PDF: the resident converter (%s) did not convert the document (%s); "
                "a LibreOffice of its own does.",
                settings.SOKET_OFFICE_SERVER,
                why,
            )
    run = Path(settings.SOKET_RUN_DIR)
    run.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=run) as folder:
        work = Path(folder)
        (work / "van-ban.docx").write_bytes(docx)
        office_convert(work / "van-ban.docx", to="pdf:writer_pdf_Export", deadline=deadline)
        return (work / "van-ban.pdf").read_bytes()


def _too_long() -> PdfUnavailable:
    return PdfUnavailable(
        _("The PDF took longer than %s seconds to make; try again later.")
        % settings.SOKET_PDF_TIMEOUT_SECONDS
    )


WORK_PREFIX = "soket-office-"
# LibreOffice's exit status after it has set up a new profile: "run me again".
RESTART = 81


def office_convert(source: Path, *, to: str, deadline: float | None = None) -> None:
    """Convert `source` with LibreOffice into its folder, with a profile of its own.

    LibreOffice runs in a process group of its own, with an address-space limit
    (SOKET_PDF_MEMORY_MB), a CPU-time limit, and the instruction to die with the worker
    that started it; at most SOKET_PDF_CONCURRENCY run at once on this server. Past
    `deadline` (monotonic; by default SOKET_PDF_TIMEOUT_SECONDS from now) the whole group
    is killed, so no LibreOffice outlives its conversion."""
    if deadline is None:
        deadline = time.monotonic() + settings.SOKET_PDF_TIMEOUT_SECONDS
    too_long = _too_long()
    with _office_slot(deadline) as acquired:
        if not acquired:
            raise too_long
        for _attempt in range(2):
            returncode, errors = _run_office(source, to=to, deadline=deadline)
            if returncode is None:
                raise too_long
            if returncode != RESTART:
                break
    produced = any(source.parent.glob(f"{source.stem}*.{to.split(':')[0]}"))
    if returncode != 0 or not produced:
        raise PdfUnavailable(
            _("LibreOffice could not make the PDF: %s") % errors.decode(errors="replace")[-300:]
        )


def _run_office(source: Path, *, to: str, deadline: float) -> tuple[int | None, bytes]:
    """Run LibreOffice once; (None, …) when it was killed at the deadline."""
    work = source.parent
    command = [
        office_program(),
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
    # In a process group of its own, dead with the thread that started it, under the
    # memory and CPU-time limits (office_listener.spawn: no preexec_fn, since the
    # background runner has threads).
    process = office_listener.spawn(
        command,
        memory=settings.SOKET_PDF_MEMORY_MB * 1024 * 1024,
        cpu=int(settings.SOKET_PDF_TIMEOUT_SECONDS) + 5,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "HOME": str(work)},
        umask=0o077,
    )
    try:
        _out, errors = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        _kill_group(process)
        return None, b""
    finally:
        _kill_group(process)  # whatever it left behind in its group
    return process.returncode, errors


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.returncode is None:
        process.communicate()


def office_program() -> str:
    """LibreOffice's own program rather than its launcher script, so that the limits and
    the death signal it is started with reach the process that does the work."""
    launcher = Path(os.path.realpath(office() or "soffice"))
    program = launcher.with_name("soffice.bin")
    return str(program) if program.exists() else str(launcher)


@contextlib.contextmanager
def _office_slot(deadline: float) -> Iterator[bool]:
    """One of SOKET_PDF_CONCURRENCY slots, held as an exclusive lock on a file, so that
    however many workers run, no more LibreOffice processes than that run at once.
    Yields False if no slot came free before the deadline."""
    folder = Path(settings.SOKET_RUN_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    slots = [folder / f"office-{n}.lock" for n in range(settings.SOKET_PDF_CONCURRENCY)]
    while True:
        for path in slots:
            handle = path.open("a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(0.2)
