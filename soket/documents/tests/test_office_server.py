"""The resident converter: a LibreOffice kept running makes the PDFs, and when it is down,
killed, hung or busy the PDF is made all the same by a LibreOffice of its own; its
supervisor and listener start again whatever dies. Only Soket's user can call it or
answer in its place. Real processes throughout: the supervisor (`manage.py
office_server`), its listener and LibreOffice, which the tests stop, kill and freeze
with signals, and, as root, processes of another account."""

import contextlib
import logging
import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import xmlrpc.client
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from soket.documents import content, generate, office_listener, office_server, pdf
from soket.documents.tests.resident import require_office_python, resident_converter
from soket.documents.tests.tools import pdf_text, require_pdf_tools
from soket.testing import CampaignTestCase

FALLBACK = "did not convert the document"  # what pdf.convert logs when it falls back
NOBODY = 65534

# Run by another account (nobody): connect to the socket, ask for the status, and say
# what came of it.
KNOCK = """
import socket, sys
body = b"<?xml version='1.0'?><methodCall><methodName>status</methodName></methodCall>"
caller = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
caller.settimeout(10)
try:
    caller.connect(sys.argv[1])
    caller.sendall(b"POST / HTTP/1.0\\r\\nContent-Length: %d\\r\\n\\r\\n%s" % (len(body), body))
    print(caller.recv(100).decode() or "hung up")
except (BrokenPipeError, ConnectionResetError):
    print("hung up")
except OSError as error:
    print(type(error).__name__)
"""
# Run by another account: listen on a socket, as if it were the resident converter, and
# say how many bytes its one caller sent.
IMPOSTOR = """
import socket, sys
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen()
print("listening", flush=True)
server.settimeout(60)
caller, _address = server.accept()
caller.settimeout(10)
received = 0
try:
    while piece := caller.recv(65536):
        received += len(piece)
except OSError:
    pass
print("received", received)
"""


def gone(pid: int) -> bool:
    """Whether the process has ended (a zombie waiting for its parent counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return True
    return state in ("Z", "X")


def wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def converting() -> bool:
    """Whether the resident converter is in the middle of a conversion."""
    now = office_server.status()
    return now is not None and now["busy_for"] > 0


def tcp_listening(pid: int) -> set[str]:
    """The TCP addresses (hexadecimal, as /proc/net gives them) the process listens on."""
    sockets = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(descriptor)
            if target.startswith("socket:["):
                sockets.add(target[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in sockets:
                found.add(fields[1])
    return found


def pipe_left(name: str) -> bool:
    return any(path.exists() for path in office_listener.pipe_files(name))


def as_another_account(test, script: str, *args: str, **popen) -> subprocess.Popen:
    """`script` run by the Python that has uno (readable by all) as `nobody`."""
    if os.geteuid() != 0:
        test.skipTest("another account's process needs root to start")
    return subprocess.Popen(
        [office_server.office_python(), "-I", "-c", script, *args],
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


class ResidentTestCase(CampaignTestCase):
    @classmethod
    def setUpClass(cls):
        require_pdf_tools()
        # Before the class's transaction: if it cannot start, nothing is left open.
        cls.resident = cls.enterClassContext(resident_converter())
        super().setUpClass()

    def setUp(self):
        self.ready = office_server.wait_until_ready(60)
        self.assertIsNotNone(self.ready, self.resident.output())

    def docx(self) -> bytes:
        return generate.docx_bytes(content.plan_document(self.campaign))

    def convert_meanwhile(self) -> tuple[threading.Thread, dict]:
        """pdf.convert in a thread of its own; its PDF or its exception in the dict."""
        docx, outcome = self.docx(), {}

        def run() -> None:
            try:
                outcome["pdf"] = pdf.convert(docx)
            except Exception as error:
                outcome["error"] = error

        thread = threading.Thread(target=run)
        thread.start()
        return thread, outcome


class ResidentConverterTests(ResidentTestCase):
    def test_a_pdf_is_made_by_the_libreoffice_that_keeps_running(self):
        with self.assertNoLogs("soket.documents.pdf", "INFO"):
            data = generate.document_bytes(content.plan_document(self.campaign), generate.PDF)
            again = pdf.convert(self.docx())
        after = office_server.status()
        # The resident LibreOffice counted both, and it is the one that was there before.
        self.assertEqual(after["conversions"], self.ready["conversions"] + 2)
        self.assertEqual(after["office_pid"], self.ready["office_pid"])
        text, _pages = pdf_text(data)
        self.assertIn("KẾ HOẠCH", text)
        self.assertEqual(pdf_text(again)[0], text)

    def test_the_socket_and_its_folder_are_the_users_only_and_nothing_listens_on_a_port(self):
        path = office_server.socket_path()
        found = path.lstat()
        self.assertTrue(stat.S_ISSOCK(found.st_mode))
        self.assertEqual(found.st_uid, os.geteuid())
        self.assertEqual(found.st_mode & 0o077, 0)
        for folder in (path.parent, office_server.home(path)):
            self.assertEqual(folder.stat().st_mode & 0o777, 0o700, folder)
            self.assertEqual(folder.stat().st_uid, os.geteuid())
        self.assertEqual(tcp_listening(self.ready["pid"]), set())
        self.assertEqual(tcp_listening(self.ready["office_pid"]), set())
        # LibreOffice listens on a pipe of a random name (none to guess from a pid), for
        # Soket's user alone.
        pipe = self.ready["pipe"]
        command = Path(f"/proc/{self.ready['office_pid']}/cmdline").read_bytes().split(b"\0")
        self.assertIn(
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext".encode(), command
        )
        self.assertRegex(pipe, r"^soket-office-[0-9a-f]{32}$")
        (pipe_file,) = [path for path in office_listener.pipe_files(pipe) if path.exists()]
        self.assertEqual(pipe_file.stat().st_mode & 0o077, 0)

    def test_another_account_can_neither_reach_the_socket_nor_be_served_through_it(self):
        path = office_server.socket_path()
        knock = as_another_account(self, KNOCK, str(path))
        self.assertEqual(knock.communicate(timeout=30)[0].strip(), "PermissionError")
        # Were the folder and the socket opened by mistake, the listener would still hang
        # up on it, having read nothing.
        path.parent.chmod(0o711)
        path.chmod(0o666)
        try:
            knock = as_another_account(self, KNOCK, str(path))
            self.assertEqual(knock.communicate(timeout=30)[0].strip(), "hung up")
        finally:
            path.chmod(0o600)
            path.parent.chmod(0o700)
        self.assertIn("hung up on a caller of another account", self.resident.output())
        self.assertEqual(office_server.status()["conversions"], self.ready["conversions"])

    def test_a_call_gone_wrong_has_a_fault_code_of_its_own(self):
        codes = [
            office_listener.BUSY,
            office_listener.TOO_LONG,
            office_listener.FAILED,
            office_listener.WRONG_CALL,
        ]
        self.assertEqual(len(set(codes)), len(codes))
        self.assertGreaterEqual(min(codes), 100)
        calls = office_server.proxy(timeout=10)
        self.addCleanup(calls("close"))
        with self.assertRaises(xmlrpc.client.Fault) as wrong:
            calls.convert("not a document", 10)
        self.assertEqual(wrong.exception.faultCode, office_listener.WRONG_CALL)
        # Bytes that are not a Word package (an HTML page could make LibreOffice fetch an
        # address) are refused before LibreOffice sees them.
        page = b'<html><img src="http://127.0.0.1:9/x.png"></html>'
        with self.assertRaises(xmlrpc.client.Fault) as html:
            calls.convert(page, 10)
        self.assertEqual(html.exception.faultCode, office_listener.WRONG_CALL)
        self.assertIn("Word (.docx)", html.exception.faultString)
        # The standard library's own code, for a call that raised: told apart from ours.
        with self.assertRaises(xmlrpc.client.Fault) as unknown:
            calls.shutdown()
        self.assertEqual(unknown.exception.faultCode, 1)
        self.assertNotIn(unknown.exception.faultCode, codes)

    def test_too_large_a_request_is_refused_from_its_length_before_its_body_is_read(self):
        largest = office_listener.largest_request(settings.SOKET_OFFICE_MAX_DOCUMENT_BYTES)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as caller:
            caller.settimeout(10)  # a listener reading the body would answer nothing
            caller.connect(str(office_server.socket_path()))
            caller.sendall(b"POST / HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % (largest + 1))
            self.assertRegex(caller.recv(100), rb"^HTTP/1\.[01] 413 ")
        # A document larger than the converter takes is not even sent: a LibreOffice of
        # its own converts it, and that is no warning.
        with (
            override_settings(SOKET_OFFICE_MAX_DOCUMENT_BYTES=1000),
            self.assertLogs("soket.documents.pdf", "INFO") as logged,
        ):
            self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        self.assertEqual([record.levelno for record in logged.records], [logging.INFO])
        self.assertIn("more than 1,000", logged.output[0])
        self.assertEqual(office_server.status()["conversions"], self.ready["conversions"])

    def test_callers_at_once_are_bounded_and_the_one_too_many_is_hung_up_on(self):
        path = str(office_server.socket_path())
        with contextlib.ExitStack() as stack:
            callers = []
            for _ in range(office_listener.HANDLERS + 2):
                caller = stack.enter_context(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
                caller.connect(path)
                callers.append(caller)
            time.sleep(0.3)
            # Those hung up on can be read (at their end); those being served cannot.
            hung_up, _, _ = select.select(callers, [], [], 0)
        self.assertGreaterEqual(len(hung_up), 2)
        self.assertIn("callers at once: hung up on one more", self.resident.output())
        self.assertIsNotNone(office_server.status())

    def test_one_conversion_at_a_time_the_next_one_waits_a_third_goes_its_own_way(self):
        self.assertGreater(len(self.docx()), office_listener.SMALL_REQUEST)  # a document
        office = self.ready["office_pid"]
        os.kill(office, signal.SIGSTOP)  # the first conversion will hold it
        try:
            first, first_outcome = self.convert_meanwhile()
            self.assertTrue(wait_for(converting))
            with (
                override_settings(SOKET_PDF_TIMEOUT_SECONDS=16),
                self.assertLogs("soket.documents.pdf", "WARNING") as logged,
            ):
                second, second_outcome = self.convert_meanwhile()  # waits 8 s, then its own
                self.assertTrue(
                    wait_for(lambda: (office_server.status() or {}).get("waiting") == 1)
                )
                third = pdf.convert(self.docx())  # told at once: a LibreOffice of its own
                self.assertTrue(second.is_alive())  # still waiting its turn
                second.join(60)
            self.assertTrue(third.startswith(b"%PDF"))
            self.assertTrue(second_outcome["pdf"].startswith(b"%PDF"))
            said = "\n".join(logged.output)
            self.assertIn("503 two documents already wait for LibreOffice", said)
            self.assertIn("another conversion holds LibreOffice", said)
        finally:
            os.kill(office, signal.SIGKILL)
        first.join(60)
        self.assertTrue(first_outcome["pdf"].startswith(b"%PDF"))  # after LibreOffice died
        self.assertIsNotNone(office_server.wait_until_ready(60, besides=self.ready))

    def test_a_libreoffice_killed_mid_way_leaves_the_pdf_to_one_of_its_own(self):
        office = self.ready["office_pid"]
        os.kill(office, signal.SIGSTOP)  # so that it is surely mid-way when it is killed
        with self.assertLogs("soket.documents.pdf", "WARNING") as logged:
            thread, outcome = self.convert_meanwhile()
            self.assertTrue(wait_for(converting))
            os.kill(office, signal.SIGKILL)
            thread.join(60)
        self.assertTrue(outcome["pdf"].startswith(b"%PDF"), outcome)
        self.assertIn(FALLBACK, logged.output[0])
        # A new LibreOffice takes over and makes the next one; the old one's pipe is gone.
        restarted = office_server.wait_until_ready(60, besides=self.ready)
        self.assertNotEqual(restarted["office_pid"], office)
        self.assertFalse(pipe_left(self.ready["pipe"]))
        with self.assertNoLogs("soket.documents.pdf", "INFO"):
            pdf.convert(self.docx())
        self.assertEqual(office_server.status()["conversions"], restarted["conversions"] + 1)

    def test_a_hung_libreoffice_is_killed_at_half_the_time_and_the_pdf_still_comes(self):
        office = self.ready["office_pid"]
        os.kill(office, signal.SIGSTOP)
        start = time.monotonic()
        with (
            override_settings(SOKET_PDF_TIMEOUT_SECONDS=20),
            self.assertLogs("soket.documents.pdf", "WARNING") as logged,
        ):
            made = pdf.convert(self.docx())  # a LibreOffice of its own, in the other half
        self.assertTrue(made.startswith(b"%PDF"))
        self.assertGreaterEqual(time.monotonic() - start, 10)
        self.assertLess(time.monotonic() - start, 20)
        self.assertIn("took more than half the time", logged.output[0])
        self.assertTrue(wait_for(lambda: gone(office)))
        restarted = office_server.wait_until_ready(60, besides=self.ready)
        self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        self.assertEqual(office_server.status()["conversions"], restarted["conversions"] + 1)
        self.assertFalse(pipe_left(self.ready["pipe"]))

    def test_a_libreoffice_that_dies_between_documents_is_started_again(self):
        os.kill(self.ready["office_pid"], signal.SIGKILL)
        restarted = office_server.wait_until_ready(60, besides=self.ready)
        self.assertIsNotNone(restarted, self.resident.output())
        self.assertEqual(restarted["pid"], self.ready["pid"])  # the same listener
        self.assertNotEqual(restarted["pipe"], self.ready["pipe"])  # on a pipe of its own
        self.assertFalse(pipe_left(self.ready["pipe"]))  # the dead one's removed
        with self.assertNoLogs("soket.documents.pdf", "INFO"):
            pdf.convert(self.docx())
        self.assertEqual(office_server.status()["conversions"], restarted["conversions"] + 1)
        self.assertIn("starting another", self.resident.output())

    def test_a_listener_that_dies_or_hangs_is_replaced_by_its_supervisor(self):
        os.kill(self.ready["pid"], signal.SIGKILL)
        # Nothing listens on its socket: as where none runs, the PDF is made all the same.
        with self.assertLogs("soket.documents.pdf", "INFO") as logged:
            self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        self.assertIn("not running", logged.output[0])
        # Its LibreOffice dies with it (its death signal), its pipe is removed, and a new
        # listener with a new LibreOffice comes.
        self.assertTrue(wait_for(lambda: gone(self.ready["office_pid"])))
        second = office_server.wait_until_ready(60, besides=self.ready)
        self.assertNotEqual(second["pid"], self.ready["pid"])
        self.assertFalse(pipe_left(self.ready["pipe"]))

        os.kill(second["pid"], signal.SIGSTOP)  # alive, but answering nothing
        third = office_server.wait_until_ready(60, besides=second)
        self.assertIsNotNone(third, self.resident.output())
        self.assertTrue(gone(second["pid"]) and gone(second["office_pid"]))
        self.assertIn("did not answer", self.resident.output())
        with self.assertNoLogs("soket.documents.pdf", "INFO"):
            pdf.convert(self.docx())


class ResidentConverterDownTests(CampaignTestCase):
    def setUp(self):
        require_pdf_tools()

    def docx(self) -> bytes:
        return generate.docx_bytes(content.plan_document(self.campaign))

    def folder(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="soket-test-"))
        self.addCleanup(shutil.rmtree, folder)
        return folder

    def test_a_stopped_converter_leaves_nothing_behind_and_pdfs_are_made_all_the_same(self):
        with resident_converter() as resident:
            running = office_server.status()
            self.assertEqual(resident.stop(), 0)  # SIGTERM, as systemd and `make run` send
            self.assertTrue(gone(running["pid"]) and gone(running["office_pid"]))
            self.assertFalse(resident.socket.exists())
            self.assertFalse(pipe_left(running["pipe"]))
            self.assertIn("Resident converter stopped.", resident.output())
            with self.assertLogs("soket.documents.pdf", "INFO") as logged:
                data = pdf.convert(self.docx())
        self.assertTrue(data.startswith(b"%PDF"))
        self.assertIn(FALLBACK, logged.output[0])
        self.assertEqual([record.levelno for record in logged.records], [logging.INFO])

    def test_where_nothing_listens_on_the_socket_the_pdf_is_made_quietly_all_the_same(self):
        path = self.folder() / "office.sock"
        with override_settings(SOKET_OFFICE_SERVER=str(path)):
            with self.assertLogs("soket.documents.pdf", "INFO") as no_socket:
                self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
            # A socket left by a converter that was killed outright: nothing answers.
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as left:
                left.bind(str(path))
            with self.assertLogs("soket.documents.pdf", "INFO") as left_socket:
                self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        for logged in (no_socket, left_socket):
            self.assertEqual([record.levelno for record in logged.records], [logging.INFO])
            self.assertIn("not running (nothing listens on its socket)", logged.output[0])

    def test_an_empty_setting_means_no_resident_converter(self):
        with (
            override_settings(SOKET_OFFICE_SERVER=""),
            self.assertNoLogs("soket.documents.pdf", "INFO"),
        ):
            self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        with (
            override_settings(SOKET_OFFICE_SERVER=""),
            self.assertRaisesMessage(CommandError, "SOKET_OFFICE_SERVER is empty"),
        ):
            call_command("office_server")

    def test_a_listener_of_another_account_is_sent_nothing(self):
        require_office_python()
        folder = self.folder()
        if os.geteuid() == 0:
            os.chown(folder, NOBODY, NOBODY)
        path = folder / "office.sock"
        impostor = as_another_account(self, IMPOSTOR, str(path))
        self.addCleanup(impostor.kill)
        self.assertEqual(impostor.stdout.readline().strip(), "listening")
        with (
            override_settings(SOKET_OFFICE_SERVER=str(path)),
            self.assertLogs("soket.documents.pdf", "WARNING") as logged,
        ):
            self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        self.assertIn(f"its socket is held by another account (uid {NOBODY})", logged.output[0])
        self.assertEqual(impostor.communicate(timeout=30)[0].strip(), "received 0")

    def test_the_converter_refuses_a_socket_that_others_could_reach_or_replace(self):
        require_office_python()
        shared = self.folder() / "shared"  # as /tmp is
        shared.mkdir()
        shared.chmod(0o1777)
        for value, refusal in [
            ("127.0.0.1:2004", "it names the resident converter's socket now"),
            ("/" + "x" * 120 + "/office.sock", "at most 107 bytes"),
            (f"{shared}/office.sock", "Other accounts may write to"),
        ]:
            with (
                override_settings(SOKET_OFFICE_SERVER=value),
                self.assertRaisesMessage(CommandError, refusal),
            ):
                call_command("office_server")
        # Nor is a document sent to an address.
        with (
            override_settings(SOKET_OFFICE_SERVER="127.0.0.1:2004"),
            self.assertLogs("soket.documents.pdf", "WARNING") as logged,
        ):
            self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        self.assertIn("it names the resident converter's socket now", logged.output[0])
        # A run folder of Soket's that others may only read is closed before it is used.
        open_folder = self.folder() / "run"
        open_folder.mkdir(mode=0o755)
        open_folder.chmod(0o755)
        with override_settings(SOKET_OFFICE_SERVER=str(open_folder / "office.sock")):
            office_server.Supervisor().prepare()
        self.assertEqual(open_folder.stat().st_mode & 0o777, 0o700)
        self.assertEqual((open_folder / "office.sock.d").stat().st_mode & 0o777, 0o700)

    def test_only_the_pipes_of_libreoffices_that_are_gone_are_swept_away(self):
        uid, mark = os.getuid(), f"test-{os.getpid()}-{time.monotonic_ns()}"
        dead = Path(f"/tmp/OSL_PIPE_{uid}_{office_listener.PIPE_PREFIX}{mark}-dead")
        alive = Path(f"/tmp/OSL_PIPE_{uid}_{office_listener.PIPE_PREFIX}{mark}-alive")
        other = Path(f"/tmp/OSL_PIPE_{uid}_SingleOfficeIPC_{mark}")
        with contextlib.ExitStack() as stack:
            for path in (dead, alive, other):
                stack.callback(path.unlink, missing_ok=True)
                pipe = stack.enter_context(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
                pipe.bind(str(path))
                if path is alive:
                    pipe.listen()
                else:
                    pipe.close()  # its process is gone: the file stays
            office_listener.sweep_pipes()
            self.assertFalse(dead.exists())
            self.assertTrue(alive.exists())
            self.assertTrue(other.exists())  # not ours to judge
