"""Today's date and the current moment, as the application sees them.

The demo campaign lies in 2015-2016, so the demo sets SOKET_SIMULATED_TODAY and
every page says the date is simulated. A scripted history (the demo's reports, a
test) can also freeze the moment with `frozen_at`. Nothing else reads the real clock.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone

_frozen: ContextVar[datetime.datetime | None] = ContextVar("soket_frozen_now", default=None)


def now() -> datetime.datetime:
    frozen = _frozen.get()
    if frozen is not None:
        return frozen
    real = timezone.now()
    if settings.SOKET_SIMULATED_TODAY is None:
        return real
    local = timezone.localtime(real)
    return local.replace(
        year=settings.SOKET_SIMULATED_TODAY.year,
        month=settings.SOKET_SIMULATED_TODAY.month,
        day=settings.SOKET_SIMULATED_TODAY.day,
    )


def today() -> datetime.date:
    frozen = _frozen.get()
    if frozen is not None:
        return timezone.localtime(frozen).date()
    return settings.SOKET_SIMULATED_TODAY or timezone.localdate()


def is_simulated() -> bool:
    return settings.SOKET_SIMULATED_TODAY is not None


@contextmanager
def frozen_at(moment: datetime.datetime) -> Iterator[None]:
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
