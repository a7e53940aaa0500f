"""What the people tests share: BaseTestCase's tree (soket.testing) with a district
administrator and people around her, and an SMTP sink that keeps each message's text."""

from __future__ import annotations

import email
import email.policy
import re
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from django.test import SimpleTestCase, override_settings

from soket.notices.testing import Received, SmtpSink
from soket.orgs import services
from soket.orgs.models import Department, Role
from soket.testing import make_user


def build_people(cls) -> None:
    """On top of soket.testing.build_tree:

    - `ada`, campaign administrator of district A1 (the administrator in the stories);
    - `gus`, reporter at grassroots A1-01, below her;
    - `max`, approver at A1-01 and viewer at A2-01 (one role inside, one beside);
    - departments of A1 (`dept_a1`) and of A2 (`dept_a2`).
    """
    cls.ada = make_user("ada", cls.district_a1, Role.Kind.CAMPAIGN_ADMIN)
    cls.gus = make_user("gus", cls.grassroots_a1, Role.Kind.REPORTER)
    cls.max = make_user("max", cls.grassroots_a1, Role.Kind.APPROVER)
    services.role_grant(user=cls.max, unit=cls.grassroots_a2, kind=Role.Kind.VIEWER)
    cls.dept_a1 = Department.objects.create(
        unit=cls.district_a1, code="to-chuc", name="Ban Tổ chức A1"
    )
    cls.dept_a2 = Department.objects.create(
        unit=cls.district_a2, code="to-chuc", name="Ban Tổ chức A2"
    )


class KeepingSink(SmtpSink):
    """soket.notices.testing.SmtpSink that also keeps every message's text, so a test can
    follow the link an e-mail carries as its reader would."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.messages: list[email.message.EmailMessage] = []

    def start(self) -> KeepingSink:
        self._controller = Controller(_KeepingHandler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def links_to(self, address: str) -> list[str]:
        """The web addresses in the messages sent to `address`, oldest first."""
        with self._lock:
            bodies = [
                message.get_body(preferencelist=("plain",)).get_content()
                for message in self.messages
                if address in message["To"]
            ]
        return [link for body in bodies for link in re.findall(r"https?://\S+", body)]


class _KeepingHandler:
    def __init__(self, sink: KeepingSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.sink._lock:
            self.sink.offered += 1
            self.sink.messages.append(message)
            self.sink.received.append(
                Received(
                    message_id=str(message["Message-ID"]),
                    to=tuple(envelope.rcpt_tos),
                    subject=str(message["Subject"]),
                    peer=tuple(session.peer),
                )
            )
        return "250 Message accepted for delivery"


def path_of(link: str) -> str:
    return urlsplit(link).path


def mail_sink(test: SimpleTestCase) -> KeepingSink:
    """A KeepingSink the site sends to for the rest of `test`."""
    sink = KeepingSink().start()
    test.addCleanup(sink.stop)
    mail_settings = override_settings(**sink.settings())
    mail_settings.enable()
    test.addCleanup(mail_settings.disable)
    return sink


def invite(page, base_url: str, *, username: str, full_name: str, email: str, unit: str) -> None:
    """An administrator, on `page`, adds a reporter at the unit of code `unit`."""
    page.goto(base_url + "/nguoi-dung/")
    page.click("a[href='/nguoi-dung/them/']")
    page.fill("#id_username", username)
    page.fill("#id_full_name", full_name)
    page.fill("#id_email", email)
    page.fill("#id_unit", unit)
    page.select_option("#id_kind", "reporter")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".message.success")


def set_password(page, link: str, password: str) -> None:
    """The invited person opens the e-mail's link and chooses a password; the log-in page
    follows."""
    page.goto(link)
    page.fill("#id_new_password1", password)
    page.fill("#id_new_password2", password)
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("#id_password")
