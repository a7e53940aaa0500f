"""A real resident converter for tests and benchmarks: `manage.py office_server` in a
child process, on a free loopback port, with a run folder of its own, which the settings
of this process then point at."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from soket.core.browser import skip_or_fail
from soket.documents import office_server

STARTING = 90  # seconds for LibreOffice to start, on a slow machine


@dataclass
class Resident:
    supervisor: subprocess.Popen
    address: str
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


def require_office_python() -> None:
    if office_server.office_python() is None:
        skip_or_fail(
            "The resident converter needs a Python with LibreOffice's uno module "
            "(Debian: python3-uno)"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def resident_converter(*, check_every: float = 0.5) -> Iterator[Resident]:
    """Start the resident converter and wait until it is ready; stop it at the end."""
    require_office_python()
    run_dir = Path(tempfile.mkdtemp(prefix="soket-resident-"))
    address = f"127.0.0.1:{free_port()}"
    log = run_dir / "office_server.log"
    environment = {
        **os.environ,
        "DEBUG": "1",
        "SOKET_OFFICE_SERVER": address,
        "SOKET_RUN_DIR": str(run_dir),
        "SOKET_PDF_TIMEOUT_SECONDS": str(settings.SOKET_PDF_TIMEOUT_SECONDS),
        "SOKET_PDF_MEMORY_MB": str(settings.SOKET_PDF_MEMORY_MB),
    }
    with log.open("wb") as output:
        supervisor = subprocess.Popen(
            [sys.executable, "manage.py", "office_server", "--check-every", str(check_every)],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    resident = Resident(supervisor, address, run_dir, log)
    try:
        with override_settings(SOKET_OFFICE_SERVER=address, SOKET_RUN_DIR=str(run_dir)):
            if office_server.wait_until_ready(STARTING) is None:
                raise AssertionError(f"The resident converter did not start:\n{resident.output()}")
            yield resident
    finally:
        resident.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
