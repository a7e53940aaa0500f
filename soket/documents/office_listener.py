"""The resident LibreOffice: one LibreOffice kept running and driven over UNO, which turns
Soket's .docx into PDF in a fraction of a second instead of the seconds a fresh one takes.

This file runs as a program of its own, started by `manage.py office_server`
(`soket.documents.office_server`), under a Python that has LibreOffice's `uno` module —
on Debian /usr/bin/python3 with python3-uno, which is not the Python of Soket's .venv. So
it needs nothing but the standard library and `uno`, and Soket imports it only for what
both sides share (`uno` is imported when it runs).

Why not unoserver, which does the same: it opens LibreOffice's UNO bridge on a TCP port,
through which any local account could drive LibreOffice — and so run programs — as
Soket's user; its `convert` reads and writes whatever paths it is given (`inpath`,
`outpath`); it gives LibreOffice no memory limit and waits a fixed 7 s at start.

Here the calls come over a Unix socket in a folder that only Soket's user may enter
(0700), so the file system decides who may call, and who may answer: no other account
can connect to it, nor put a socket of its own in its place while it restarts (a TCP
port on 127.0.0.1 can be taken by anyone then). Each side also checks the other's
account on the connection itself (SO_PEERCRED), in case the folder was opened by
mistake; no key is needed. The protocol stays XML-RPC, the standard library's on both
sides (two different Pythons): framing, marshalling and faults that neither side has
to write; only the transport changed. A request is refused from its Content-Length,
before its body is read, when it is larger than the largest document
(SOKET_OFFICE_MAX_DOCUMENT_BYTES) in base64; at most HANDLERS callers are served at
once, and at most two documents are held (one converting, one waiting its turn).

LibreOffice listens on a pipe of a random name that only our user may open (umask
077), converts one document at a time, each under a time limit, past which it is
killed and started again; it runs with the memory limit of the one-shot conversion and
dies with this process, which dies with the supervisor that started it.

    python3 office_listener.py --socket DIR/office.sock --folder DIR --office .../soffice.bin
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import os
import resource
import secrets
import shutil
import signal
import socket
import socketserver
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from xmlrpc.client import Fault
from xmlrpc.server import SimpleXMLRPCDispatcher, SimpleXMLRPCRequestHandler

# What a call can fail with (XML-RPC fault codes), shared with the client; apart from the
# standard library's own 1, which it gives for any exception a call raises.
BUSY = 101  # another conversion held LibreOffice, or it was starting, past half the time given
TOO_LONG = 102  # the conversion passed its time: LibreOffice was killed and is started again
FAILED = 103  # LibreOffice could not convert it (or died doing so)
WRONG_CALL = 104  # the arguments are not a document's bytes and a number of seconds

# LibreOffice's exit status after it has set up a new profile: "run me again".
RESTART = 81
# A long-running LibreOffice grows; it is started afresh after this many conversions.
RECYCLE_AFTER = 200
STARTING_PATIENCE = 60  # seconds for LibreOffice to answer on its pipe
# Seconds LibreOffice has to close when asked, before it is killed.
CLOSING_PATIENCE = 5
# Callers served at once: a conversion, the next one waiting, the supervisor's status
# calls, and room to spare; any more are hung up on at once.
HANDLERS = 8
# Documents held at once (one converting, one waiting): a third is told at once to go its
# own way, before its body is read.
DOCUMENTS = 2
# A status call is a hundred bytes, a document's tens of kilobytes at least; what is
# smaller than this costs nothing to hold and is not counted among the DOCUMENTS.
SMALL_REQUEST = 4 * 1024
# The envelope of a conversion call around the document's base64.
ENVELOPE = 64 * 1024
# A caller that stops sending (or reading) mid-way frees its thread after this.
SOCKET_TIMEOUT = 30

# LibreOffice's pipes are Unix sockets named /tmp/OSL_PIPE_<uid>_<name> (or in /var/tmp
# when /tmp is not writable: sal/osl/unx/pipe.cxx); ours are named PIPE_PREFIX + random.
PIPE_FOLDERS = ("/tmp", "/var/tmp")
PIPE_PREFIX = "soket-office-"

log = logging.getLogger("soket.office_listener")


class OfficeFailed(Exception):
    pass


# Shared with Soket's side.


def largest_request(largest_document: int) -> int:
    """The largest call accepted: the document in base64, which XML-RPC cuts into lines of
    76 characters, and the envelope."""
    encoded = 4 * -(-largest_document // 3)
    return encoded + encoded // 76 + ENVELOPE


def peer_uid(connection: socket.socket) -> int | None:
    """The account of the process at the other end of a Unix socket (Linux); None where
    the system does not say."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    _pid, uid, _gid = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, option, 12))
    return uid


def spawn(
    command: list[str], *, memory: int | None = None, cpu: int | None = None, **popen: Any
) -> subprocess.Popen:
    """Start `command`, killed when the thread that started it ends, with an address-space
    limit of `memory` bytes and a CPU-time limit of `cpu` seconds.

    util-linux's setpriv and prlimit (always there on Debian) set them in the child, just
    before it runs the program, rather than a preexec_fn: in a process with threads, as
    the listener and the background runner are, a preexec_fn runs Python in the forked
    child, which can deadlock on a lock another thread held at the fork. The umask, the
    session and the user are Popen's own arguments, which need no preexec_fn either.
    Without prlimit the limits are set just after the start (resource.prlimit); without
    setpriv there is no death signal."""
    setpriv, prlimit = _wrappers()
    prefix: list[str] = []
    if setpriv:
        prefix += [setpriv, "--pdeathsig", "KILL", "--"]
    wanted = [(resource.RLIMIT_AS, "--as", memory), (resource.RLIMIT_CPU, "--cpu", cpu)]
    limits = [(kind, option, value) for kind, option, value in wanted if value is not None]
    if prlimit and limits:
        prefix += [prlimit, *(f"{option}={value}" for _kind, option, value in limits), "--"]
    process = subprocess.Popen([*prefix, *command], **popen)
    if not prlimit:
        with contextlib.suppress(ProcessLookupError):
            for kind, _option, value in limits:
                resource.prlimit(process.pid, kind, (value, value))
    return process


@functools.cache
def _wrappers() -> tuple[str | None, str | None]:
    setpriv = shutil.which("setpriv")
    if setpriv:  # --pdeathsig since util-linux 2.33
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            usage = subprocess.run([setpriv, "--help"], capture_output=True, timeout=10).stdout
            if b"--pdeathsig" not in usage:
                setpriv = None
    return setpriv, shutil.which("prlimit")


def pipe_files(name: str) -> list[Path]:
    """Where LibreOffice puts the pipe it listens on as `name`."""
    return [Path(folder, f"OSL_PIPE_{os.getuid()}_{name}") for folder in PIPE_FOLDERS]


def sweep_pipes() -> int:
    """Remove the pipes of our resident LibreOffices that nothing listens on any more
    (left by one that was killed), so they do not pile up in /tmp; how many."""
    removed = 0
    for folder in PIPE_FOLDERS:
        with contextlib.suppress(OSError):
            for path in Path(folder).glob(f"OSL_PIPE_{os.getuid()}_{PIPE_PREFIX}*"):
                if _abandoned(path):
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                    removed += 1
    return removed


def _abandoned(path: Path) -> bool:
    """A socket of ours that refuses connections: its process is gone. (A LibreOffice
    stopped by a signal still has its connections accepted by the kernel.)"""
    try:
        found = path.lstat()
    except OSError:
        return False
    if not stat.S_ISSOCK(found.st_mode) or found.st_uid != os.geteuid():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(2)
        try:
            probe.connect(str(path))
        except ConnectionRefusedError:
            return True
        except OSError:
            return False
    return False


def _unlink_socket(path: Path) -> None:
    with contextlib.suppress(OSError):
        if stat.S_ISSOCK(path.lstat().st_mode):
            path.unlink()


# LibreOffice.


class Office:
    """One LibreOffice process and its UNO connection, over a pipe of our own."""

    def __init__(self, *, program: str, folder: Path, memory_mb: int) -> None:
        self.program = program
        self.folder = folder
        self.memory = memory_mb * 1024 * 1024
        self.pipe = ""  # a new random name at each start
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
        # Random, so that no other account can guess it and take it first, and new at
        # each start, so that a LibreOffice never meets the pipe of the one before.
        self.pipe = PIPE_PREFIX + secrets.token_hex(16)
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
        self.process = process  # so that stop() cleans up after it if it never answers
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
                process = self.process = self._spawn(command)
            if time.monotonic() > deadline:
                raise OfficeFailed(f"LibreOffice did not answer within {STARTING_PATIENCE} s")
            time.sleep(0.1)
        self.desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        self.conversions = 0
        log.info("LibreOffice %s ready", process.pid)

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        """LibreOffice with its pipe and files for our user alone, the memory limit, and
        death with this process (`spawn`)."""
        return spawn(
            command,
            memory=self.memory,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "HOME": str(self.folder)},
            umask=0o077,
        )

    def stop(self) -> None:
        """Ask LibreOffice to close, kill it if it has not within CLOSING_PATIENCE (or
        cannot be asked: stuck, or never connected), and remove its pipe, which a killed
        LibreOffice leaves behind."""
        process, desktop = self.process, self.desktop
        self.process = self.desktop = None
        if process is None:
            return
        if process.poll() is None and desktop is not None:
            # In a thread of its own: a LibreOffice that hangs would never answer.
            def close() -> None:
                with contextlib.suppress(Exception):
                    desktop.terminate()

            threading.Thread(target=close, name="closing", daemon=True).start()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=CLOSING_PATIENCE)
        _kill(process)
        for path in pipe_files(self.pipe):
            _unlink_socket(path)

    def convert(self, source: Path, target: Path) -> None:
        import uno
        from com.sun.star.beans import PropertyValue

        def value(name, content):
            return PropertyValue(Name=name, Value=content)

        opening = (
            # Read as a Word document whatever the bytes say, never sniffed as another
            # format (an HTML or flat ODF file could ask LibreOffice to fetch addresses).
            value("FilterName", "MS Word 2007 XML"),
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

    def __init__(self, office: Office, *, timeout: float) -> None:
        self.office = office
        self.timeout = timeout
        self.lock = threading.Lock()  # one conversion at a time
        self.ready = threading.Event()
        self.wanted = threading.Event()  # restart LibreOffice (failed or grown old)
        self.stopping = threading.Event()
        self.busy_since: float | None = None
        self.waiting = 0  # conversions waiting for their turn
        self.conversions = 0  # since this listener started

    # The calls (in the server's threads), whose arguments come from outside: checked.

    def status(self) -> dict[str, Any]:
        busy = self.busy_since
        return {
            "pid": os.getpid(),
            "office_pid": self.office.pid if self.ready.is_set() else 0,
            "pipe": self.office.pipe if self.ready.is_set() else "",
            "ready": self.ready.is_set() and self.office.alive(),
            "conversions": self.conversions,
            "waiting": self.waiting,
            "busy_for": round(time.monotonic() - busy, 3) if busy is not None else 0.0,
        }

    def convert(self, docx: Any, seconds: Any) -> bytes:
        if not isinstance(docx, bytes) or not isinstance(seconds, int | float):
            raise Fault(WRONG_CALL, "send the document as bytes and the seconds as a number")
        if not docx.startswith(b"PK\x03\x04"):  # a .docx is a zip package
            raise Fault(WRONG_CALL, "send a Word (.docx) document")
        seconds = max(0.0, min(float(seconds), self.timeout))
        deadline = time.monotonic() + seconds
        # Waiting for our turn takes at most half the time: the caller then still has time
        # to convert the document with a LibreOffice of its own.
        waited = time.monotonic() + seconds / 2
        self.waiting += 1
        try:
            acquired = self.lock.acquire(timeout=seconds / 2)
        finally:
            self.waiting -= 1
        if not acquired:
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


# The server: XML-RPC over a Unix socket.


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/",)
    timeout = SOCKET_TIMEOUT
    disable_nagle_algorithm = False  # a TCP option, which a Unix socket has not got
    server: Server

    def do_POST(self) -> None:
        """Refuse what is too large, or one document too many, from the headers alone,
        before a byte of the body is read."""
        length = self.headers.get("content-length", "")
        if not length.isdigit():
            self.send_error(411)
            return
        size = int(length)
        if size > self.server.largest_request:
            self.send_error(413, "larger than the largest document")
            return
        if self.headers.get("content-encoding", "identity").lower() != "identity":
            self.send_error(415, "send the document as it is")
            return
        if size <= SMALL_REQUEST:
            super().do_POST()
            return
        if not self.server.documents.acquire(blocking=False):
            # Read and dropped a piece at a time, so the caller hears why rather than a
            # broken pipe.
            while size > 0 and (piece := self.rfile.read(min(size, 1 << 16))):
                size -= len(piece)
            self.send_error(503, "two documents already wait for LibreOffice")
            return
        try:
            super().do_POST()
        finally:
            self.server.documents.release()

    def log_message(self, format: str, *args: Any) -> None:
        log.warning("%s", format % args)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer, SimpleXMLRPCDispatcher):
    daemon_threads = True

    def __init__(self, path: Path, *, largest_document: int) -> None:
        SimpleXMLRPCDispatcher.__init__(self, allow_none=False, use_builtin_types=True)
        self.logRequests = False
        self.largest_request = largest_request(largest_document)
        self.handlers = threading.BoundedSemaphore(HANDLERS)
        self.documents = threading.BoundedSemaphore(DOCUMENTS)
        socketserver.UnixStreamServer.__init__(self, str(path), Handler)
        os.chmod(path, 0o600)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        uid = peer_uid(request)
        if uid is not None and uid != os.geteuid():
            log.warning("hung up on a caller of another account (uid %s)", uid)
            return False
        return True

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.handlers.acquire(blocking=False):
            log.warning("%s callers at once: hung up on one more", HANDLERS)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.handlers.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.handlers.release()


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _kill(process: subprocess.Popen, *, wait: bool = True) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    if wait:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)


def private_folder(folder: Path) -> str:
    """Why no other account could reach or replace a socket in `folder`, "" if none can:
    it must be ours and closed to everyone else."""
    try:
        found = folder.stat()
    except OSError as error:
        return f"{folder}: {error.strerror}"
    if found.st_uid != os.geteuid():
        return f"{folder} belongs to another account"
    if found.st_mode & 0o077:
        return f"{folder} is open to other accounts (mode {found.st_mode & 0o777:o}, not 700)"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description="Soket's resident LibreOffice")
    parser.add_argument("--socket", type=Path, required=True, help="the socket to listen on")
    parser.add_argument("--folder", type=Path, required=True, help="profile and work files")
    parser.add_argument("--office", required=True, help="LibreOffice's soffice.bin")
    parser.add_argument("--memory-mb", type=int, default=1536)
    parser.add_argument("--timeout", type=float, default=120, help="longest conversion, s")
    parser.add_argument("--largest-document", type=int, default=32 * 1024 * 1024)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format=f"office listener {os.getpid()}: %(levelname)s %(message)s"
    )
    os.umask(0o077)
    for folder in (args.socket.parent, args.folder):
        problem = private_folder(folder)
        if problem:
            sys.exit(f"office listener: {problem}; refusing to listen")
    (args.folder / "work").mkdir(exist_ok=True)
    swept = sweep_pipes()
    if swept:
        log.info("removed %s pipes left by LibreOffices that were killed", swept)
    office = Office(program=args.office, folder=args.folder, memory_mb=args.memory_mb)
    listener = Listener(office, timeout=args.timeout)
    # Only the supervisor, which holds its lock, starts a listener on this socket: one
    # left there is a listener's that was killed.
    _unlink_socket(args.socket)
    server = Server(args.socket, largest_document=args.largest_document)
    identity = os.stat(args.socket).st_ino
    server.register_function(listener.status, "status")
    server.register_function(listener.convert, "convert")
    threading.Thread(target=server.serve_forever, name="xml-rpc", daemon=True).start()
    log.info("listening on %s", args.socket)

    def stop(signum, frame) -> None:
        listener.stopping.set()

    for name in ("SIGTERM", "SIGINT", "SIGHUP"):
        signal.signal(getattr(signal, name), stop)
    try:
        listener.keep()
    finally:
        server.shutdown()
        server.server_close()
        with contextlib.suppress(OSError):
            if os.stat(args.socket).st_ino == identity:
                args.socket.unlink()
        log.info("stopped")


if __name__ == "__main__":
    main()
