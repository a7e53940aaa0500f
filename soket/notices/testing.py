"""What mail tests share: a real SMTP server on the loopback, and `manage.py` run as a
separate process against the test database (the runner, cron's send_reminders)."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nobody listens on (as long as nobody takes it meanwhile)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Received:
    message_id: str
    to: tuple[str, ...]
    subject: str
    peer: tuple  # the client's address and port: one per SMTP connection


class SmtpSink:
    """A real SMTP server on a loopback port that keeps every message it accepts.

    `refuse` lists addresses it answers 550 to. `before_accept(n)` is called with the
    number of the message being offered (1, 2, …) before it is accepted; a reply it
    returns (e.g. "451 …") is given instead of accepting the message.
    """

    def __init__(self, *, port: int | None = None, refuse: tuple[str, ...] = ()) -> None:
        self.port = port or free_port()
        self.refuse = set(refuse)
        self.before_accept: Callable[[int], str | None] | None = None
        self.received: list[Received] = []
        self.offered = 0
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> SmtpSink:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self) -> dict:
        """Django settings that send through this sink."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }

    def environment(self) -> dict[str, str]:
        """The same, as the environment of a `manage.py` process."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_USE_SSL": "0",
        }

    def message_ids(self) -> Counter:
        with self._lock:
            return Counter(message.message_id for message in self.received)

    def recipients(self) -> Counter:
        with self._lock:
            return Counter(to for message in self.received for to in message.to)

    def connections(self) -> int:
        with self._lock:
            return len({message.peer for message in self.received})


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.sink.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        sink = self.sink
        with sink._lock:
            sink.offered += 1
            number = sink.offered
        if sink.before_accept is not None:
            reply = sink.before_accept(number)
            if reply:
                return reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        received = Received(
            message_id=str(message["Message-ID"]),
            to=tuple(envelope.rcpt_tos),
            subject=str(message["Subject"]),
            peer=tuple(session.peer),
        )
        with sink._lock:
            sink.received.append(received)
        return "250 Message accepted for delivery"


def database_url() -> str:
    """DATABASE_URL of the database this test process is using (the test database)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        user = quote(db["USER"] or "", safe="")
        password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{user}{password}@{db['HOST'] or ''}{port}/{quote(db['NAME'], safe='')}"
    raise NotImplementedError(db["ENGINE"])


def manage_environment(**extra: str) -> dict[str, str]:
    """The environment of a `manage.py` process working on the test database."""
    environment = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_NAME"}
    environment.update(DEBUG="1", DATABASE_URL=database_url(), PYTHONUNBUFFERED="1")
    environment.update(extra)
    return environment


def run_manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    """Run `manage.py …` to its end against the test database."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=manage_environment(**environment),
        capture_output=True,
        text=True,
        timeout=300,
    )


class ManageProcess:
    """`manage.py …` running in the background against the test database; its output
    goes to a file (a pipe nobody reads would stop it when full)."""

    def __init__(self, *args: str, **environment: str) -> None:
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed by close())
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=manage_environment(**environment),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.pid = self.process.pid

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Stop it as an operator would (SIGTERM: the worker finishes its task first)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def close(self) -> None:
        self.stop()
        self.log.close()
