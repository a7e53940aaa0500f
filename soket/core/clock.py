"""Today's date, as the application sees it.

The demo campaign lies in 2015-2016, so the demo sets SOKET_SIMULATED_TODAY and
every page says the date is simulated. Nothing else should read the real date.
"""

import datetime

from django.conf import settings
from django.utils import timezone


def today() -> datetime.date:
    return settings.SOKET_SIMULATED_TODAY or timezone.localdate()


def is_simulated() -> bool:
    return settings.SOKET_SIMULATED_TODAY is not None
