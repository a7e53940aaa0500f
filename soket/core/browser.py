"""Chromium for browser tests: Debian's build, driven by Playwright.

Where Chromium is missing the tests skip and say why; with SOKET_REQUIRE_TOOLS=1
(as CI sets it) they fail instead, so CI can never silently skip them.
"""

import os
import shutil
import unittest
from typing import NoReturn

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

CHROMIUM = os.environ.get("SOKET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def tools_required() -> bool:
    return os.environ.get("SOKET_REQUIRE_TOOLS") == "1"


def require_chromium() -> str:
    """The Chromium path, or a skip (a failure under SOKET_REQUIRE_TOOLS=1)."""
    if os.path.exists(CHROMIUM) or shutil.which(CHROMIUM):
        return CHROMIUM
    skip_or_fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")


def skip_or_fail(message: str) -> NoReturn:
    """Skip a test whose tool is missing, saying why; fail under SOKET_REQUIRE_TOOLS=1."""
    if tools_required():
        raise AssertionError(message)
    raise unittest.SkipTest(message)


class BrowserTestCase(StaticLiveServerTestCase):
    """A live server and one headless Chromium for the class; each test opens its own
    pages (`self.new_page()`, a browser of its own for each person in the story)."""

    @classmethod
    def setUpClass(cls):
        executable = require_chromium()
        # Playwright's sync API runs an event loop in this thread; the live server's ORM
        # calls happen in its own thread, so this is safe.
        cls.async_unsafe_before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )

    def new_page(self):
        """A browser of one's own (its own cookies), for one more person in a story; its
        script errors and CSP violations are kept in `self.console_errors`."""
        if not hasattr(self, "console_errors"):
            self.console_errors: list[str] = []
        context = self.browser.new_context()
        self.addCleanup(context.close)
        page = context.new_page()
        page.on(
            "console",
            lambda message: message.type == "error" and self.console_errors.append(message.text),
        )
        return page

    def sign_in(self, page, username: str, password: str) -> None:
        page.goto(self.live_server_url + "/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(self.live_server_url + "/")

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        if cls.async_unsafe_before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = cls.async_unsafe_before
