"""The resident converter: a LibreOffice kept running makes the PDFs, and when it is down,
killed, hung or busy the PDF is made all the same by a LibreOffice of its own; its
supervisor and listener start again whatever dies. Real processes throughout: the
supervisor (`manage.py office_server`), its listener and LibreOffice, which the tests
stop, kill and freeze with signals."""

import os
import shutil
import signal
import tempfile
import threading
import time
import xmlrpc.client
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import override_settings

from soket.documents import content, generate, office_listener, office_server, pdf
from soket.documents.tests.resident import free_port, resident_converter
from soket.documents.tests.tools import pdf_text, require_pdf_tools
from soket.testing import CampaignTestCase

FALLBACK = "did not convert the document"  # what pdf.convert logs when it falls back


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


def listening(port: int) -> set[str]:
    """The local addresses (hexadecimal, as /proc/net gives them) listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, _remote, state = line.split()[1:4]
            where, _colon, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(where)
    return found


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
        with self.assertNoLogs("soket.documents.pdf", "WARNING"):
            data = generate.document_bytes(content.plan_document(self.campaign), generate.PDF)
            again = pdf.convert(self.docx())
        after = office_server.status()
        # The resident LibreOffice counted both, and it is the one that was there before.
        self.assertEqual(after["conversions"], self.ready["conversions"] + 2)
        self.assertEqual(after["office_pid"], self.ready["office_pid"])
        text, _pages = pdf_text(data)
        self.assertIn("KẾ HOẠCH", text)
        self.assertEqual(pdf_text(again)[0], text)

    def test_only_soket_can_have_documents_converted_and_only_from_this_machine(self):
        host, port = office_server.address()
        self.assertEqual(listening(port), {"0100007F"})  # 127.0.0.1, nowhere else
        home = office_server.folder(port)
        self.assertEqual(home.stat().st_mode & 0o777, 0o700)
        self.assertEqual((home / office_listener.KEY_FILE).stat().st_mode & 0o777, 0o600)
        stranger = xmlrpc.client.ServerProxy(f"http://{host}:{port}/", use_builtin_types=True)
        with self.assertRaises(xmlrpc.client.Fault) as refused:
            stranger.convert("a guess", self.docx(), 10)
        self.assertEqual(refused.exception.faultCode, office_listener.REFUSED)
        # LibreOffice itself listens on a pipe, not on a port.
        command = Path(f"/proc/{self.ready['office_pid']}/cmdline").read_bytes().split(b"\0")
        self.assertTrue(any(part.startswith(b"--accept=pipe,") for part in command), command)

    def test_one_conversion_at_a_time_the_next_one_waits_then_goes_its_own_way(self):
        office = self.ready["office_pid"]
        os.kill(office, signal.SIGSTOP)  # the first conversion will hold it
        try:
            first, first_outcome = self.convert_meanwhile()
            self.assertTrue(wait_for(converting))
            with (
                override_settings(SOKET_PDF_TIMEOUT_SECONDS=16),
                self.assertLogs("soket.documents.pdf", "WARNING") as logged,
            ):
                second = pdf.convert(self.docx())  # waits 8 s, then a LibreOffice of its own
            self.assertTrue(second.startswith(b"%PDF"))
            self.assertIn("another conversion holds LibreOffice", logged.output[0])
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
        # A new LibreOffice takes over and makes the next one.
        restarted = office_server.wait_until_ready(60, besides=self.ready)
        self.assertNotEqual(restarted["office_pid"], office)
        with self.assertNoLogs("soket.documents.pdf", "WARNING"):
            pdf.convert(self.docx())
        self.assertEqual(office_server.status()["conversions"], restarted["conversions"] + 1)

    def test_a_hung_libreoffice_is_killed_at_the_time_limit_and_started_again(self):
        office = self.ready["office_pid"]
        os.kill(office, signal.SIGSTOP)
        start = time.monotonic()
        with (
            override_settings(SOKET_PDF_TIMEOUT_SECONDS=3),
            self.assertRaisesMessage(pdf.PdfUnavailable, "Tạo PDF quá 3 giây"),
        ):
            pdf.convert(self.docx())
        self.assertLess(time.monotonic() - start, 10)
        self.assertTrue(wait_for(lambda: gone(office)))
        restarted = office_server.wait_until_ready(60, besides=self.ready)
        self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        self.assertEqual(office_server.status()["conversions"], restarted["conversions"] + 1)

    def test_a_libreoffice_that_dies_between_documents_is_started_again(self):
        os.kill(self.ready["office_pid"], signal.SIGKILL)
        restarted = office_server.wait_until_ready(60, besides=self.ready)
        self.assertIsNotNone(restarted, self.resident.output())
        self.assertEqual(restarted["pid"], self.ready["pid"])  # the same listener
        with self.assertNoLogs("soket.documents.pdf", "WARNING"):
            pdf.convert(self.docx())
        self.assertEqual(office_server.status()["conversions"], restarted["conversions"] + 1)
        self.assertIn("starting another", self.resident.output())

    def test_a_listener_that_dies_or_hangs_is_replaced_by_its_supervisor(self):
        os.kill(self.ready["pid"], signal.SIGKILL)
        with self.assertLogs("soket.documents.pdf", "WARNING"):
            self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        # Its LibreOffice dies with it, and a new listener with a new LibreOffice comes.
        self.assertTrue(wait_for(lambda: gone(self.ready["office_pid"])))
        second = office_server.wait_until_ready(60, besides=self.ready)
        self.assertNotEqual(second["pid"], self.ready["pid"])

        os.kill(second["pid"], signal.SIGSTOP)  # alive, but answering nothing
        third = office_server.wait_until_ready(60, besides=second)
        self.assertIsNotNone(third, self.resident.output())
        self.assertTrue(gone(second["pid"]) and gone(second["office_pid"]))
        self.assertIn("did not answer", self.resident.output())
        with self.assertNoLogs("soket.documents.pdf", "WARNING"):
            pdf.convert(self.docx())


class ResidentConverterDownTests(CampaignTestCase):
    def setUp(self):
        require_pdf_tools()

    def docx(self) -> bytes:
        return generate.docx_bytes(content.plan_document(self.campaign))

    def test_a_stopped_converter_leaves_nothing_behind_and_pdfs_are_made_all_the_same(self):
        with resident_converter() as resident:
            running = office_server.status()
            key = office_server.folder(office_server.address()[1]) / office_listener.KEY_FILE
            self.assertEqual(resident.stop(), 0)  # SIGTERM, as systemd and `make run` send
            self.assertTrue(gone(running["pid"]) and gone(running["office_pid"]))
            self.assertFalse(key.exists())
            self.assertIn("Resident converter stopped.", resident.output())
            with self.assertLogs("soket.documents.pdf", "WARNING") as logged:
                data = pdf.convert(self.docx())
        self.assertTrue(data.startswith(b"%PDF"))
        self.assertIn(FALLBACK, logged.output[0])

    def test_nothing_answers_at_the_address_and_the_pdf_is_made_all_the_same(self):
        run_dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, run_dir)
        port = free_port()
        with override_settings(SOKET_OFFICE_SERVER=f"127.0.0.1:{port}", SOKET_RUN_DIR=run_dir):
            # A key left by a converter that was killed outright: nothing answers.
            office_server.folder(port).mkdir()
            (office_server.folder(port) / office_listener.KEY_FILE).write_text("old")
            with self.assertLogs("soket.documents.pdf", "WARNING") as logged:
                self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        self.assertIn(FALLBACK, logged.output[0])
        self.assertIn("Connection refused", logged.output[0])

    def test_an_empty_address_means_no_resident_converter(self):
        with (
            override_settings(SOKET_OFFICE_SERVER=""),
            self.assertNoLogs("soket.documents.pdf", "WARNING"),
        ):
            self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        with (
            override_settings(SOKET_OFFICE_SERVER=""),
            self.assertRaisesMessage(CommandError, "SOKET_OFFICE_SERVER is empty"),
        ):
            call_command("office_server")

    def test_the_converter_never_listens_beyond_this_machine(self):
        for address in ("0.0.0.0:2004", "192.168.1.10:2004", ":::2004"):
            with (
                override_settings(SOKET_OFFICE_SERVER=address),
                self.assertRaisesMessage(CommandError, "only a loopback address"),
            ):
                call_command("office_server")
        with (
            override_settings(SOKET_OFFICE_SERVER="192.168.1.10:2004"),
            self.assertLogs("soket.documents.pdf", "WARNING") as logged,
        ):
            self.assertTrue(pdf.convert(self.docx()).startswith(b"%PDF"))
        self.assertIn("only a loopback address", logged.output[0])
