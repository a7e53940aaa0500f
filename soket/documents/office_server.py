"""The resident converter: a LibreOffice kept running (`office_listener.py`), so a PDF
takes a fraction of a second rather than the seconds a fresh LibreOffice needs to start.

`convert` is the client, used by `pdf.convert`, which falls back to a one-shot
LibreOffice whenever this raises `Unavailable`. `Supervisor` runs the listener (as
`manage.py office_server`): it starts it under a Python that has LibreOffice's `uno`
module, and starts it again when it dies or stops answering; the listener in turn
starts LibreOffice again when it dies, fails or passes a conversion's time.

SOKET_OFFICE_SERVER is the path of the listener's Unix socket (empty: no resident
converter). Its folder is Soket's user's alone (0700; the supervisor makes it so, and
refuses a folder others may write to), so no other account can call the listener, nor
put a socket of its own there for Soket to send reports to; each side also checks the
other's account on the connection (SO_PEERCRED). Beside the socket, the folder
NAME.d (0700 too) holds LibreOffice's profile and the documents being converted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import http.client
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from soket.documents import office_listener

logger = logging.getLogger(__name__)

LISTENER = Path(office_listener.__file__)
# The listener answers its status at once, even while it converts.
STATUS_TIMEOUT = 5.0
# A conversion still running this long past its time limit means the listener is stuck.
STUCK_AFTER = 30.0
# The longest path a Unix socket may have (Linux: 108 bytes with the closing zero).
LONGEST_SOCKET_PATH = 107


class Unavailable(Exception):
    """The resident converter did not convert the document (not running, busy, or
    LibreOffice failed): convert it another way."""


class Skipped(Unavailable):
    """The resident converter is not running here (nothing listens on its socket), or the
    document is larger than it takes: the usual way, which is no one's concern."""


class TooLong(Exception):
    """The conversion took the whole time it had."""


def socket_path() -> Path | None:
    """The listener's socket from SOKET_OFFICE_SERVER (under BASE_DIR when relative);
    None when it is empty."""
    value = settings.SOKET_OFFICE_SERVER.strip()
    if not value:
        return None
    if re.fullmatch(r"[\w.:\[\]-]*:\d+", value):
        raise ValueError(
            f"SOKET_OFFICE_SERVER={value!r} is an address; it names the resident converter's "
            "socket now, a path such as var/run/office.sock."
        )
    path = Path(settings.BASE_DIR, value)
    if len(os.fsencode(path)) > LONGEST_SOCKET_PATH:
        raise ValueError(
            f"SOKET_OFFICE_SERVER={value!r}: a socket's path has at most "
            f"{LONGEST_SOCKET_PATH} bytes."
        )
    return path


def home(path: Path) -> Path:
    """The listener's own folder beside its socket: LibreOffice's profile, the documents
    being converted, the supervisor's lock."""
    return path.with_name(f"{path.name}.d")


class _Connection(http.client.HTTPConnection):
    """HTTP over the listener's Unix socket, to a listener that runs as Soket's user."""

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("office", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.settimeout(self.timeout)
            try:
                connection.connect(str(self.socket_path))
            except (FileNotFoundError, ConnectionRefusedError):
                raise Skipped("not running (nothing listens on its socket)") from None
            uid = office_listener.peer_uid(connection)
            if uid is not None and uid != os.geteuid():
                # Nothing is sent: the document is not for another account.
                raise Unavailable(f"its socket is held by another account (uid {uid})")
        except BaseException:
            connection.close()
            raise
        self.sock = connection


class _Transport(xmlrpc.client.Transport):
    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__(use_builtin_types=True)
        self.path = path
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = _Connection(self.path, self.timeout)
        self._connection = host, connection
        return connection


def proxy(*, timeout: float) -> xmlrpc.client.ServerProxy:
    """The listener's calls, as xmlrpc.client offers them; Unavailable when
    SOKET_OFFICE_SERVER is empty or wrong."""
    try:
        path = socket_path()
    except ValueError as error:
        raise Unavailable(str(error)) from None
    if path is None:
        raise Skipped("SOKET_OFFICE_SERVER is empty")
    return xmlrpc.client.ServerProxy(
        "http://office/", transport=_Transport(path, timeout), use_builtin_types=True
    )


def _call(method: str, *args: Any, timeout: float) -> Any:
    """Call the listener; Unavailable when it cannot be reached or refuses."""
    calls = proxy(timeout=timeout)
    try:
        return getattr(calls, method)(*args)
    except xmlrpc.client.Fault as fault:
        if fault.faultCode == office_listener.TOO_LONG:
            raise TooLong(fault.faultString) from None
        raise Unavailable(fault.faultString) from None
    except xmlrpc.client.ProtocolError as error:
        raise Unavailable(f"{error.errcode} {error.errmsg}") from None
    except TimeoutError:
        raise TooLong("no answer in time") from None
    except (OSError, http.client.HTTPException) as error:
        raise Unavailable(str(error) or type(error).__name__) from None
    finally:
        calls("close")()


def convert(docx: bytes, *, deadline: float) -> bytes:
    """The PDF of `docx` from the resident LibreOffice, before `deadline` (monotonic)."""
    largest = settings.SOKET_OFFICE_MAX_DOCUMENT_BYTES
    if len(docx) > largest:
        raise Skipped(f"the document has {len(docx):,} bytes, more than {largest:,}")
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


def private_folder(folder: Path) -> None:
    """Make `folder` Soket's user's alone (0700): created so, or closed if it is ours and
    only readable by others (as a run folder made under the usual umask is). Refused when
    another account owns it or may write to it (/tmp): a socket there could be replaced."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    found = folder.stat()
    if found.st_uid != os.geteuid():
        raise SupervisorRefused(f"{folder} belongs to another account; choose a folder of Soket's.")
    if found.st_mode & 0o022:
        raise SupervisorRefused(
            f"Other accounts may write to {folder}; put the resident converter's socket "
            "(SOKET_OFFICE_SERVER) in a folder of Soket's own, such as var/run."
        )
    if found.st_mode & 0o077:
        folder.chmod(0o700)


class Supervisor:
    """Runs the listener and keeps it running: started again when it dies, and killed
    (with its LibreOffice) and started again when it stops answering or a conversion
    outlives its time limit by STUCK_AFTER. Stopped by SIGTERM, SIGINT or SIGHUP."""

    def __init__(self, *, check_every: float = 5.0, misses: int = 3) -> None:
        self.check_every = check_every
        self.misses = misses
        self.stopping = threading.Event()
        self.process: subprocess.Popen | None = None

    def prepare(self) -> tuple[Path, Path, str]:
        """The socket, the listener's folder and its Python; SupervisorRefused if it
        cannot run here, or not safely."""
        from soket.documents import pdf

        try:
            path = socket_path()
        except ValueError as error:
            raise SupervisorRefused(str(error)) from None
        if path is None:
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
        private_folder(path.parent)
        private_folder(home(path))
        if path.is_symlink() or (path.exists() and not path.is_socket()):
            raise SupervisorRefused(f"{path} is there and is not a socket.")
        return path, home(path), python

    def run(self) -> None:
        path, folder, python = self.prepare()
        with (folder / "supervisor.lock").open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SupervisorRefused(
                    f"Another resident converter already runs on {path}."
                ) from None
            for name in ("SIGTERM", "SIGINT", "SIGHUP"):
                signal.signal(getattr(signal, name), lambda signum, frame: self.stopping.set())
            try:
                self._supervise(path, folder, python)
            finally:
                self._stop_listener()
                # Under the lock, a socket there can only be our listener's.
                with contextlib.suppress(OSError):
                    if path.is_socket():
                        path.unlink()
                logger.info("Resident converter stopped.")

    def _supervise(self, path: Path, folder: Path, python: str) -> None:
        from soket.documents import pdf

        command = [
            python, "-I", str(LISTENER), "--socket", str(path), "--folder", str(folder),
            "--office", pdf.office_program(),
            "--memory-mb", str(settings.SOKET_PDF_MEMORY_MB),
            "--timeout", str(settings.SOKET_PDF_TIMEOUT_SECONDS),
            "--largest-document", str(settings.SOKET_OFFICE_MAX_DOCUMENT_BYTES),
        ]  # fmt: skip
        pause = 1.0
        while not self.stopping.is_set():
            started = time.monotonic()
            # Its own process group, so that it and its LibreOffice can be killed together;
            # dead with this process (office_listener.spawn says why without preexec_fn).
            self.process = office_listener.spawn(
                command, stdin=subprocess.DEVNULL, start_new_session=True
            )
            logger.info("Resident converter: listener %s on %s", self.process.pid, path)
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
        killed if they have not within 15 s, or at once when they are stuck; then the
        pipe of a LibreOffice killed with it is removed."""
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
        office_listener.sweep_pipes()


# A resident converter of its own, for the tests and the benchmarks.


@dataclasses.dataclass
class Aside:
    supervisor: subprocess.Popen
    socket: Path
    run_dir: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM to the supervisor, as systemd or `make run` sends it; its exit status."""
        if self.supervisor.poll() is None:
            self.supervisor.send_signal(signal.SIGTERM)
        try:
            return self.supervisor.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.supervisor.kill()
            return self.supervisor.wait()


@contextlib.contextmanager
def aside(*, check_every: float = 0.5, starting: float = 90) -> Iterator[Aside]:
    """`manage.py office_server` in a child process, with a run folder of its own (so it
    never meets the one the server runs), which this process's settings point at until
    the end, when it is stopped and its folder removed. Ready when this yields;
    SupervisorRefused when it cannot run here."""
    from django.test import override_settings

    from soket.documents import pdf

    problem = pdf.missing() or (
        "" if office_python() else "no Python with LibreOffice's uno module (python3-uno)"
    )
    if problem:
        raise SupervisorRefused(problem)
    run_dir = Path(tempfile.mkdtemp(prefix="soket-resident-"))
    path = run_dir / "office.sock"
    log = run_dir / "office_server.log"
    environment = {
        **os.environ,
        "DEBUG": "1",
        "SOKET_OFFICE_SERVER": str(path),
        "SOKET_RUN_DIR": str(run_dir),
        "SOKET_PDF_TIMEOUT_SECONDS": str(settings.SOKET_PDF_TIMEOUT_SECONDS),
        "SOKET_PDF_MEMORY_MB": str(settings.SOKET_PDF_MEMORY_MB),
        "SOKET_OFFICE_MAX_DOCUMENT_BYTES": str(settings.SOKET_OFFICE_MAX_DOCUMENT_BYTES),
    }
    with log.open("wb") as output:
        supervisor = subprocess.Popen(
            [sys.executable, "manage.py", "office_server", "--check-every", str(check_every)],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    resident = Aside(supervisor, path, run_dir, log)
    try:
        with override_settings(SOKET_OFFICE_SERVER=str(path), SOKET_RUN_DIR=str(run_dir)):
            if wait_until_ready(starting) is None:
                raise SupervisorRefused(
                    f"The resident converter did not start:\n{resident.output()}"
                )
            yield resident
    finally:
        resident.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
