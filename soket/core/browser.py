"""Chromium for browser tests: Debian's build, driven by Playwright.

Where Chromium is missing the tests skip and say why; with SOKET_REQUIRE_TOOLS=1
(as CI sets it) they fail instead, so CI can never silently skip them.
"""

import os
import shutil
import unittest
from typing import NoReturn

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
