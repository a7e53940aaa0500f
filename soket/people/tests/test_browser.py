"""In a real Chromium: the Cao Lộc administrator invites a new grassroots reporter, who
sets a password through the e-mail's link and finds the report due on the home page."""

import pytest

from soket.core.browser import BrowserTestCase
from soket.demo import data
from soket.demo.loader import load_demo
from soket.notices import delivery
from soket.orgs.models import User
from soket.people.tests.fixtures import invite, mail_sink, set_password

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Mai-vàng-Cao-Lộc-2015"


class InvitationBrowserTestCase(BrowserTestCase):
    def setUp(self):
        load_demo()  # with Cao Lộc's campaign administrator, caoloc.quantri
        self.sink = mail_sink(self)

    def test_a_district_administrator_invites_a_grassroots_reporter_who_sets_a_password(self):
        admin = self.new_page()
        self.sign_in(admin, "caoloc.quantri", data.PASSWORD)
        invite(
            admin, self.live_server_url, username="cdcs.caoloc.moi", full_name="Hoàng Thị Mới",
            email="moi@caoloc.example.org", unit="LS-CL-01",
        )  # fmt: skip
        person = User.objects.get(username="cdcs.caoloc.moi")
        self.assertEqual(admin.url, f"{self.live_server_url}/nguoi-dung/{person.pk}/")
        self.assertIn("Công đoàn cơ sở mẫu số 1 (Cao Lộc)", admin.inner_text("#vai-tro"))

        # The runner hands the invitation to the relay; the reporter opens it.
        self.assertEqual(delivery.deliver().sent, 1)
        [link] = self.sink.links_to("moi@caoloc.example.org")
        reporter = self.new_page()
        set_password(reporter, link, NEW_PASSWORD)
        self.assertIn("cdcs.caoloc.moi", reporter.inner_text(".message"))
        self.sign_in(reporter, "cdcs.caoloc.moi", NEW_PASSWORD)

        # The home page lists the union's report, due from her now.
        due = reporter.locator("table.due")
        due.wait_for()
        self.assertIn("Công đoàn cơ sở mẫu số 1 (Cao Lộc)", due.inner_text())
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")
