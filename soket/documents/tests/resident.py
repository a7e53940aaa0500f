"""A real resident converter for the tests: `office_server.aside` (`manage.py
office_server` in a child process, with a socket and run folder of its own, which the
settings of this process then point at), skipped without LibreOffice's Python module."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from soket.core.browser import skip_or_fail
from soket.documents import office_server


def require_office_python() -> None:
    if office_server.office_python() is None:
        skip_or_fail(
            "The resident converter needs a Python with LibreOffice's uno module "
            "(Debian: python3-uno)"
        )


@contextlib.contextmanager
def resident_converter(*, check_every: float = 0.5) -> Iterator[office_server.Aside]:
    """Start the resident converter and wait until it is ready; stop it at the end."""
    require_office_python()
    with office_server.aside(check_every=check_every) as resident:
        yield resident
