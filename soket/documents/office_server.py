"""The resident converter: a LibreOffice kept running (`office_listener.py`), so a PDF
takes a fraction of a second rather than the seconds a fresh LibreOffice needs to start.

`convert` is the client, used by `pdf.convert`, which falls back to a one-shot
LibreOffice whenever this raises `Unavailable`. `Supervisor` runs the listener (as
`manage.py office_server`): it starts it under a Python that has LibreOffice's `uno`
module, and starts it again when it dies or stops answering; the listener in turn
starts LibreOffice again when it dies, fails or passes a conversion's time.

SOKET_OFFICE_SERVER is its address (host:port, a loopback address only; empty: no
resident converter). Under SOKET_RUN_DIR, the folder office-server-PORT (for Soket's
user alone) holds LibreOffice's profile, the documents being converted and the key a
caller must send: a fresh one at each start, readable only by Soket's user, so no other
account on the server can have documents converted.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import functools
import http.client
import logging
import os
import secrets
import signal
import subprocess
import threading
import time
import xmlrpc.client
from pathlib import Path

from django.conf import settings

from soket.documents import office_listener
from soket.documents.office_listener import is_loopback

logger = logging.getLogger(__name__)

LISTENER = Path(office_listener.__file__)
# The listener answers its status at once, even while it converts.
STATUS_TIMEOUT = 5.0
# A conversion still running this long past its time limit means the listener is stuck.
STUCK_AFTER = 30.0


class Unavailable(Exception):
    """The resident converter did not convert the document (not running, busy, refused,
    or LibreOffice failed): convert it another way."""


class TooLong(Exception):
    """The conversion took the whole time it had."""


def address() -> tuple[str, int] | None:
    """(host, port) from SOKET_OFFICE_SERVER; None when it is empty. Refuses any
    address but a loopback one."""
    value = settings.SOKET_OFFICE_SERVER.strip()
    if not value:
        return None
    host, _colon, port = value.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit():
        raise ValueError(f"SOKET_OFFICE_SERVER={value!r}: write it host:port")
    if not is_loopback(host):
        raise ValueError(f"SOKET_OFFICE_SERVER={value!r}: only a loopback address is allowed")
    return host, int(port)


def folder(port: int) -> Path:
    return Path(settings.SOKET_RUN_DIR) / f"office-server-{port}"


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__(use_builtin_types=True)
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def _call(method: str, *args, timeout: float):
    """Call the listener; Unavailable when it cannot be reached or refuses."""
    try:
        where = address()
    except ValueError as error:
        raise Unavailable(str(error)) from None
    if where is None:
        raise Unavailable("SOKET_OFFICE_SERVER is empty")
    host, port = where
    try:
        key = (folder(port) / office_listener.KEY_FILE).read_text().strip()
    except OSError:
        raise Unavailable("not started (no key)") from None
    url = f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
    proxy = xmlrpc.client.ServerProxy(url, transport=_Transport(timeout), use_builtin_types=True)
    try:
        return getattr(proxy, method)(key, *args)
    except xmlrpc.client.Fault as fault:
        if fault.faultCode == office_listener.TOO_LONG:
            raise TooLong(fault.faultString) from None
        raise Unavailable(fault.faultString) from None
    except TimeoutError:
        raise TooLong("no answer in time") from None
    except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError) as error:
        raise Unavailable(str(error) or type(error).__name__) from None
    finally:
        proxy("close")()


def convert(docx: bytes, *, deadline: float) -> bytes:
    """The PDF of `docx` from the resident LibreOffice, before `deadline` (monotonic)."""
    seconds = max(0.0, deadline - time.monotonic())
    # The listener stops the conversion at `seconds`; the margin is for its answer.
    data = _call("convert", docx, seconds, timeout=seconds + 5)
    if not isinstance(data, bytes) or not data.startswith(b"%PDF"):
        raise Unavailable("the answer is not a PDF")
    return data


def status(timeout: float = STATUS_TIMEOUT) -> dict | None:
    """What the listener says of itself (its pid, LibreOffice's, whether it is ready, how
    many documents it converted), or None when it does not answer."""
    try:
        return _call("status", timeout=timeout)
    except (Unavailable, TooLong):
        return None


def wait_until_ready(seconds: float, *, besides: dict | None = None) -> dict | None:
    """The status once the listener is ready (and, given `besides`, once its listener or
    LibreOffice is another process than in that status); None after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = status(timeout=2)
        if now and now["ready"] and (besides is None or _processes(now) != _processes(besides)):
            return now
        time.sleep(0.1)
    return None


def _processes(status: dict) -> tuple[int, int]:
    return status["pid"], status["office_pid"]


# The supervisor.


@functools.cache
def office_python() -> str | None:
    """A Python that can import LibreOffice's `uno`: SOKET_OFFICE_PYTHON, or the one
    LibreOffice ships (its own builds), or the system's (Debian's python3-uno)."""
    from soket.documents import pdf

    candidates = [settings.SOKET_OFFICE_PYTHON] if settings.SOKET_OFFICE_PYTHON else []
    if not candidates:
        program = Path(pdf.office_program()).parent
        candidates = [str(program / "python"), "/usr/bin/python3"]
    for candidate in candidates:
        if not Path(candidate).exists():
            continue
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            found = subprocess.run(
                [candidate, "-I", "-c", "import uno"], capture_output=True, timeout=60
            )
            if found.returncode == 0:
                return candidate
    return None


class SupervisorRefused(Exception):
    """The resident converter cannot run here; the message says why."""


class Supervisor:
    """Runs the listener and keeps it running: started again when it dies, and killed
    (with its LibreOffice) and started again when it stops answering or a conversion
    outlives its time limit by STUCK_AFTER. Stopped by SIGTERM, SIGINT or SIGHUP."""

    def __init__(self, *, check_every: float = 5.0, misses: int = 3) -> None:
        self.check_every = check_every
        self.misses = misses
        self.stopping = threading.Event()
        self.process: subprocess.Popen | None = None

    def prepare(self) -> tuple[str, int, Path, str]:
        from soket.documents import pdf

        try:
            where = address()
        except ValueError as error:
            raise SupervisorRefused(str(error)) from None
        if where is None:
            raise SupervisorRefused("SOKET_OFFICE_SERVER is empty: no resident converter.")
        problem = pdf.missing()
        if problem:
            raise SupervisorRefused(problem)
        python = office_python()
        if python is None:
            raise SupervisorRefused(
                "The resident converter needs a Python with LibreOffice's uno module "
                "(Debian: python3-uno), or SOKET_OFFICE_PYTHON naming one."
            )
        host, port = where
        home = folder(port)
        home.mkdir(parents=True, exist_ok=True)
        home.chmod(0o700)
        return host, port, home, python

    def run(self) -> None:
        host, port, home, python = self.prepare()
        with (home / "supervisor.lock").open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SupervisorRefused(
                    f"Another resident converter already runs for port {port}."
                ) from None
            for name in ("SIGTERM", "SIGINT", "SIGHUP"):
                signal.signal(getattr(signal, name), lambda signum, frame: self.stopping.set())
            key = home / office_listener.KEY_FILE
            descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
            try:
                self._supervise(host, port, home, python)
            finally:
                self._stop_listener()
                key.unlink(missing_ok=True)
                logger.info("Resident converter stopped.")

    def _supervise(self, host: str, port: int, home: Path, python: str) -> None:
        from soket.documents import pdf

        command = [
            python, "-I", str(LISTENER), "--host", host, "--port", str(port),
            "--folder", str(home), "--office", pdf.office_program(),
            "--memory-mb", str(settings.SOKET_PDF_MEMORY_MB),
            "--timeout", str(settings.SOKET_PDF_TIMEOUT_SECONDS),
        ]  # fmt: skip
        pause = 1.0
        while not self.stopping.is_set():
            started = time.monotonic()
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_us
            )
            logger.info("Resident converter: listener %s on %s:%s", self.process.pid, host, port)
            why, hung = self._watch(self.process)
            self._stop_listener(at_once=hung)
            if self.stopping.is_set():
                break
            logger.warning("Resident converter: %s; starting it again.", why)
            # Quickly again after a long good run; more and more slowly if it cannot start.
            pause = 1.0 if time.monotonic() - started > 60 else min(pause * 2, 60.0)
            self.stopping.wait(pause)

    def _watch(self, process: subprocess.Popen) -> tuple[str, bool]:
        """Wait while the listener is well; say why it is not, and whether it is stuck."""
        missed = 0
        limit = settings.SOKET_PDF_TIMEOUT_SECONDS + STUCK_AFTER
        while not self.stopping.wait(self.check_every):
            if process.poll() is not None:
                return f"the listener stopped (status {process.returncode})", False
            now = status(timeout=max(2.0, self.check_every))
            if now is None:
                missed += 1
                if missed >= self.misses:
                    return f"the listener did not answer {missed} times", True
                continue
            missed = 0
            if now["busy_for"] > limit:
                return f"a conversion has run for {now['busy_for']:.0f} s", True
        return "stopping", False

    def _stop_listener(self, *, at_once: bool = False) -> None:
        """The listener and its LibreOffice (its process group): asked to stop, and
        killed if they have not within 15 s, or at once when they are stuck."""
        process, self.process = self.process, None
        if process is None:
            return
        if not at_once:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


PR_SET_PDEATHSIG = 1
try:
    _libc: ctypes.CDLL | None = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
except OSError:  # not Linux
    _libc = None


def _die_with_us() -> None:
    if _libc is not None:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
