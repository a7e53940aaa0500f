"""The resident LibreOffice: one LibreOffice kept running and driven over UNO, which turns
Soket's .docx into PDF in a fraction of a second instead of the seconds a fresh one takes.

This file runs as a program of its own, started by `manage.py office_server`
(`soket.documents.office_server`), under a Python that has LibreOffice's `uno` module —
on Debian /usr/bin/python3 with python3-uno, which is not the Python of Soket's .venv. So
it needs nothing but the standard library and `uno`, and Soket imports it only for the
constants below (`uno` is imported when it runs).

Why not unoserver, which does the same: it opens LibreOffice's UNO bridge on a TCP port,
through which any local account could drive LibreOffice — and so run programs — as
Soket's user; its `convert` reads and writes whatever paths it is given (`inpath`,
`outpath`); it gives LibreOffice no memory limit and waits a fixed 7 s at start. Here
LibreOffice listens on a pipe that only our user may open (umask 077), the one call
converts the bytes it is sent, only for a caller that knows the key in a file only
Soket's user can read (so the documents come from Soket's own renderer), at most one at
a time, each under a time limit, past which LibreOffice is killed and started again.
LibreOffice runs with the memory limit of the one-shot conversion and dies with this
process, which dies with the supervisor that started it.

    python3 office_listener.py --port 2004 --folder DIR --office .../soffice.bin
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import hmac
import ipaddress
import logging
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from xmlrpc.client import Fault
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

# What a call can fail with (XML-RPC fault codes), shared with the client.
REFUSED = 1  # wrong key
BUSY = 2  # another conversion held LibreOffice, or it was starting, past half the time given
TOO_LONG = 3  # the conversion passed its time: LibreOffice was killed and is started again
FAILED = 4  # LibreOffice could not convert it (or died doing so)

KEY_FILE = "key"
# LibreOffice's exit status after it has set up a new profile: "run me again".
RESTART = 81
# A long-running LibreOffice grows; it is started afresh after this many conversions.
RECYCLE_AFTER = 200
# The largest request read: a report with many pictures is a few tens of megabytes.
LARGEST_REQUEST = 256 * 1024 * 1024
STARTING_PATIENCE = 60  # seconds for LibreOffice to answer on its pipe

log = logging.getLogger("soket.office_listener")


class OfficeFailed(Exception):
    pass


class Office:
    """One LibreOffice process and its UNO connection, over a pipe of our own."""

    def __init__(self, *, program: str, folder: Path, memory_mb: int) -> None:
        self.program = program
        self.folder = folder
        self.memory = memory_mb * 1024 * 1024
        self.pipe = f"soket-office-{os.getpid()}"
        self.process: subprocess.Popen | None = None
        self.desktop: Any = None  # LibreOffice's frame.Desktop, over UNO
        self.conversions = 0  # since it started

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        return self.process.pid if self.process is not None else 0

    def start(self) -> None:
        """Start LibreOffice with a fresh profile and connect to it; from the main thread
        only, since the death signal follows the thread that started the process."""
        import uno
        from com.sun.star.connection import NoConnectException

        profile = self.folder / "profile"
        shutil.rmtree(profile, ignore_errors=True)
        command = [
            self.program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nocrashreport",
            "--nodefault",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
        ]
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + STARTING_PATIENCE
        process = self._spawn(command)
        restarted = False
        while True:
            try:
                context = resolver.resolve(
                    f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
                )
                break
            except NoConnectException:
                pass
            if process.poll() is not None:
                if process.returncode != RESTART or restarted:
                    raise OfficeFailed(f"LibreOffice stopped with status {process.returncode}")
                restarted = True
                process = self._spawn(command)
            if time.monotonic() > deadline:
                _kill(process)
                raise OfficeFailed(f"LibreOffice did not answer within {STARTING_PATIENCE} s")
            time.sleep(0.1)
        self.desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        self.process = process
        self.conversions = 0
        log.info("LibreOffice %s ready", process.pid)

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "HOME": str(self.folder)},
            preexec_fn=self._limits,
        )

    def _limits(self) -> None:
        """In the child, before LibreOffice runs: its pipe and files for our user alone,
        the memory limit, and death with this process."""
        os.umask(0o077)
        resource.setrlimit(resource.RLIMIT_AS, (self.memory, self.memory))
        if _libc is not None:
            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None:
            _kill(self.process)
        self.process = None
        self.desktop = None

    def convert(self, source: Path, target: Path) -> None:
        import uno
        from com.sun.star.beans import PropertyValue

        def value(name, content):
            return PropertyValue(Name=name, Value=content)

        opening = (
            value("Hidden", True),
            value("ReadOnly", True),
            value("MacroExecutionMode", 0),  # NEVER_EXECUTE
            value("UpdateDocMode", 0),  # NO_UPDATE: no linked content is fetched
        )
        document = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(str(source)), "_blank", 0, opening
        )
        if document is None:
            raise OfficeFailed("LibreOffice could not open the document")
        try:
            document.storeToURL(
                uno.systemPathToFileUrl(str(target)), (value("FilterName", "writer_pdf_Export"),)
            )
        finally:
            with contextlib.suppress(Exception):
                document.close(True)
        self.conversions += 1


class Listener:
    """The calls, and the keeper that (re)starts LibreOffice from the main thread."""

    def __init__(self, office: Office, *, key: str, timeout: float) -> None:
        self.office = office
        self.key = key
        self.timeout = timeout
        self.lock = threading.Lock()  # one conversion at a time
        self.ready = threading.Event()
        self.wanted = threading.Event()  # restart LibreOffice (failed or grown old)
        self.stopping = threading.Event()
        self.busy_since: float | None = None
        self.conversions = 0  # since this listener started

    # The calls (in the server's threads), whose arguments come from outside: checked.

    def status(self, key: Any) -> dict[str, Any]:
        self._check(key)
        busy = self.busy_since
        return {
            "pid": os.getpid(),
            "office_pid": self.office.pid if self.ready.is_set() else 0,
            "ready": self.ready.is_set() and self.office.alive(),
            "conversions": self.conversions,
            "busy_for": round(time.monotonic() - busy, 3) if busy is not None else 0.0,
        }

    def convert(self, key: Any, docx: Any, seconds: Any) -> bytes:
        self._check(key)
        if not isinstance(docx, bytes) or not isinstance(seconds, int | float):
            raise Fault(FAILED, "send the document as bytes and the seconds as a number")
        seconds = max(0.0, min(float(seconds), self.timeout))
        deadline = time.monotonic() + seconds
        # Waiting for our turn takes at most half the time: the caller then still has time
        # to convert the document with a LibreOffice of its own.
        waited = time.monotonic() + seconds / 2
        if not self.lock.acquire(timeout=seconds / 2):
            raise Fault(BUSY, "another conversion holds LibreOffice")
        try:
            if not self.ready.wait(_left(waited)):
                raise Fault(BUSY, "LibreOffice is starting")
            if not self.office.alive():
                self.wanted.set()
                raise Fault(BUSY, "LibreOffice is not running")
            self.busy_since = time.monotonic()
            return self._convert(docx, deadline)
        finally:
            self.busy_since = None
            self.lock.release()

    def _convert(self, docx: bytes, deadline: float) -> bytes:
        process = self.office.process
        if process is None:
            raise Fault(BUSY, "LibreOffice is not running")
        killed = threading.Event()

        def too_long() -> None:
            killed.set()
            log.warning("conversion past its time: killing LibreOffice %s", process.pid)
            _kill(process, wait=False)

        with tempfile.TemporaryDirectory(dir=self.office.folder / "work") as folder:
            source, target = Path(folder, "van-ban.docx"), Path(folder, "van-ban.pdf")
            source.write_bytes(docx)
            watchdog = threading.Timer(_left(deadline), too_long)
            watchdog.start()
            try:
                self.office.convert(source, target)
            except Exception as error:
                self.ready.clear()
                self.wanted.set()  # whatever state it is in, the next one is a fresh one
                if killed.is_set():
                    raise Fault(TOO_LONG, "the conversion passed its time") from None
                log.warning("conversion failed: %r", error)
                raise Fault(FAILED, f"LibreOffice could not convert it: {error!r}"[:500]) from None
            finally:
                watchdog.cancel()
            if killed.is_set() or not target.exists():
                self.ready.clear()
                self.wanted.set()
                raise Fault(TOO_LONG if killed.is_set() else FAILED, "no PDF came out")
            data = target.read_bytes()
        self.conversions += 1
        if self.office.conversions >= RECYCLE_AFTER:
            self.wanted.set()
        return data

    def _check(self, key: Any) -> None:
        if not (isinstance(key, str) and hmac.compare_digest(key.encode(), self.key.encode())):
            raise Fault(REFUSED, "wrong key")

    # The keeper (the main thread).

    def keep(self) -> None:
        """Start LibreOffice, and start it again whenever it died, failed a conversion or
        has converted RECYCLE_AFTER documents; never in the middle of a conversion."""
        pause = 1.0
        while not self.stopping.is_set():
            if self.office.alive() and not self.wanted.is_set():
                self.stopping.wait(0.5)
                continue
            if self.office.process is not None and not self.office.alive():
                log.warning(
                    "LibreOffice %s stopped (status %s): starting another",
                    self.office.pid,
                    self.office.process.returncode,
                )
            with self.lock:
                self.ready.clear()
                self.wanted.clear()
                self.office.stop()
                try:
                    self.office.start()
                except Exception as error:
                    log.error(
                        "could not start LibreOffice: %s; trying again in %.0f s", error, pause
                    )
                    self.office.stop()
                else:
                    pause = 1.0
                    self.ready.set()
                    continue
            self.stopping.wait(pause)
            pause = min(pause * 2, 60.0)
        with self.lock:
            self.ready.clear()
            self.office.stop()


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/",)

    def do_POST(self):
        if int(self.headers.get("content-length") or 0) > LARGEST_REQUEST:
            self.send_error(413)
            return
        super().do_POST()


class Server(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True
    allow_reuse_address = True


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _kill(process: subprocess.Popen, *, wait: bool = True) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    if wait:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)


PR_SET_PDEATHSIG = 1
try:
    _libc: ctypes.CDLL | None = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
except OSError:  # not Linux
    _libc = None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description="Soket's resident LibreOffice")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True, help="profile, work files, key")
    parser.add_argument("--office", required=True, help="LibreOffice's soffice.bin")
    parser.add_argument("--memory-mb", type=int, default=1536)
    parser.add_argument("--timeout", type=float, default=120, help="longest conversion, s")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format=f"office listener {os.getpid()}: %(levelname)s %(message)s"
    )
    if not is_loopback(args.host):
        sys.exit(f"office listener: {args.host} is not a loopback address; refusing to listen")
    (args.folder / "work").mkdir(parents=True, exist_ok=True, mode=0o700)
    key = (args.folder / KEY_FILE).read_text().strip()
    office = Office(program=args.office, folder=args.folder, memory_mb=args.memory_mb)
    listener = Listener(office, key=key, timeout=args.timeout)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    Server.address_family = family
    server = Server(
        (args.host, args.port),
        requestHandler=Handler,
        logRequests=False,
        allow_none=False,
        use_builtin_types=True,
    )
    server.register_function(listener.status, "status")
    server.register_function(listener.convert, "convert")
    threading.Thread(target=server.serve_forever, name="xml-rpc", daemon=True).start()
    log.info("listening on %s:%s", args.host, args.port)

    def stop(signum, frame) -> None:
        listener.stopping.set()

    for name in ("SIGTERM", "SIGINT", "SIGHUP"):
        signal.signal(getattr(signal, name), stop)
    try:
        listener.keep()
    finally:
        server.shutdown()
        server.server_close()
        log.info("stopped")


if __name__ == "__main__":
    main()
