"""In a real Chromium: the Cao Lộc administrator invites a new grassroots reporter, who
sets a password through the e-mail's link and finds the report due on the home page."""

import pytest
from django.test import override_settings

from soket.core.browser import BrowserTestCase
from soket.demo import data
from soket.demo.loader import load_demo
from soket.notices import delivery
from soket.orgs import services
from soket.orgs.models import Role, Unit, User
from soket.people.tests.fixtures import KeepingSink

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Mai-vàng-Cao-Lộc-2015"


class InvitationBrowserTestCase(BrowserTestCase):
    def setUp(self):
        load_demo()
        admin = services.user_ensure(
            username="caoloc.quantri", full_name="Quản trị LĐLĐ huyện Cao Lộc",
            password=data.PASSWORD,
        )  # fmt: skip
        services.role_grant(
            user=admin, unit=Unit.objects.get(code="LS-CL"), kind=Role.Kind.CAMPAIGN_ADMIN
        )
        self.sink = KeepingSink().start()
        self.addCleanup(self.sink.stop)
        mail_settings = override_settings(**self.sink.settings())
        mail_settings.enable()
        self.addCleanup(mail_settings.disable)
        self.console_errors: list[str] = []

    def new_page(self):
        context = self.browser.new_context()  # a browser of one's own: its own cookies
        self.addCleanup(context.close)
        page = context.new_page()
        page.on(
            "console",
            lambda message: message.type == "error" and self.console_errors.append(message.text),
        )
        return page

    def log_in(self, page, username, password):
        page.goto(self.live_server_url + "/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(self.live_server_url + "/")

    def test_a_district_administrator_invites_a_grassroots_reporter_who_sets_a_password(self):
        admin = self.new_page()
        self.log_in(admin, "caoloc.quantri", data.PASSWORD)
        admin.goto(self.live_server_url + "/nguoi-dung/")
        admin.click("a[href='/nguoi-dung/them/']")
        admin.fill("#id_username", "cdcs.caoloc.moi")
        admin.fill("#id_full_name", "Hoàng Thị Mới")
        admin.fill("#id_email", "moi@caoloc.example.org")
        admin.fill("#id_unit", "LS-CL-01")
        admin.select_option("#id_kind", "reporter")
        admin.click("form.stacked button[type=submit]")
        admin.wait_for_selector(".message.success")
        person = User.objects.get(username="cdcs.caoloc.moi")
        self.assertEqual(admin.url, f"{self.live_server_url}/nguoi-dung/{person.pk}/")
        self.assertIn("Công đoàn cơ sở mẫu số 1 (Cao Lộc)", admin.inner_text("#vai-tro"))

        # The runner hands the invitation to the relay; the reporter opens it.
        self.assertEqual(delivery.deliver().sent, 1)
        [link] = self.sink.links_to("moi@caoloc.example.org")
        reporter = self.new_page()
        reporter.goto(link)
        reporter.fill("#id_new_password1", NEW_PASSWORD)
        reporter.fill("#id_new_password2", NEW_PASSWORD)
        reporter.click("form.stacked button[type=submit]")
        reporter.wait_for_selector("#id_password")  # the log-in page, with a message
        self.assertIn("cdcs.caoloc.moi", reporter.inner_text(".message"))
        reporter.fill("#id_username", "cdcs.caoloc.moi")
        reporter.fill("#id_password", NEW_PASSWORD)
        reporter.click("button[type=submit]")
        reporter.wait_for_url(self.live_server_url + "/")

        # The home page lists the union's report, due from her now.
        due = reporter.locator("table.due")
        due.wait_for()
        self.assertIn("Công đoàn cơ sở mẫu số 1 (Cao Lộc)", due.inner_text())
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")
