"""When a report is late, or overdue: the one rule, for every page, count, document and
reminder.

- The day a report was sent is the local date, in the campaign's time zone, of its
  FIRST submission (`Report.first_submitted_at`): a report sent on time, then returned
  and sent again after the deadline, stays on time; one first sent after it stays late
  however often it is sent again.
- Late: sent on a day after its level's due date. A report sent at 23:30 on the due date
  in Hanoi (16:30 UTC) is on time; one sent at 00:30 the next day (17:30 UTC, still the
  due date in UTC) is one day late.
- Overdue: not sent yet, and today's local date (on the application's clock,
  soket.core.clock) is after the due date.

The campaign's time zone is one setting, SOKET_CAMPAIGN_TIME_ZONE (Asia/Ho_Chi_Minh by
default), the same for every campaign: all of them are Vietnamese. It never depends on
the time zone active for a request, nor on the database session's: the SQL form converts
the stored instant explicitly, on SQLite (which stores UTC) and on PostgreSQL alike.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.db.models.expressions import Expression
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThan, LessThan, LessThanOrEqual
from django.utils import timezone

from soket.core import clock


def zone() -> ZoneInfo:
    """The campaign's time zone."""
    return ZoneInfo(settings.SOKET_CAMPAIGN_TIME_ZONE)


def local_date(moment: datetime.datetime) -> datetime.date:
    """The date of `moment` in the campaign's time zone."""
    return timezone.localtime(moment, zone()).date()


def today() -> datetime.date:
    """Today's date in the campaign's time zone, on the application's clock."""
    with timezone.override(zone()):
        return clock.today()


def days_late(first_submitted_at: datetime.datetime | None, due_on: datetime.date | None) -> int:
    """How many days after its due date a report was first sent; 0 when on time or unsent."""
    if first_submitted_at is None or due_on is None:
        return 0
    return max((local_date(first_submitted_at) - due_on).days, 0)


def is_late(first_submitted_at: datetime.datetime | None, due_on: datetime.date | None) -> bool:
    """First sent on a day after the due date, in the campaign's time zone."""
    return days_late(first_submitted_at, due_on) > 0


def is_past(due_on: datetime.date | None, day: datetime.date) -> bool:
    """Whether `day` (a local date, usually `today()`) is after the due date."""
    return due_on is not None and day > due_on


def days_overdue(
    first_submitted_at: datetime.datetime | None,
    due_on: datetime.date | None,
    day: datetime.date,
) -> int:
    """How many days past its due date a report not yet sent is on `day`; 0 otherwise."""
    if first_submitted_at is not None or due_on is None or day <= due_on:
        return 0
    return (day - due_on).days


def is_overdue(
    first_submitted_at: datetime.datetime | None,
    due_on: datetime.date | None,
    day: datetime.date,
) -> bool:
    return days_overdue(first_submitted_at, due_on, day) > 0


@dataclass(frozen=True)
class Standing:
    """Where one report stands against its due date, for a page or a document."""

    due_on: datetime.date | None
    sent_on: datetime.date | None  # the local date of the first submission
    days_late: int  # > 0: sent late
    days_overdue: int  # > 0: not sent, and the due date has passed

    @property
    def is_late(self) -> bool:
        return self.days_late > 0

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0


def standing(
    first_submitted_at: datetime.datetime | None,
    due_on: datetime.date | None,
    day: datetime.date | None = None,
) -> Standing:
    """A report's standing on `day` (today's local date by default)."""
    return Standing(
        due_on=due_on,
        sent_on=None if first_submitted_at is None else local_date(first_submitted_at),
        days_late=days_late(first_submitted_at, due_on),
        days_overdue=days_overdue(first_submitted_at, due_on, day or today()),
    )


# The same in SQL.


def sent_on(field: str = "first_submitted_at") -> TruncDate:
    """The local date of the timestamp `field` (a first submission), in SQL: converted
    in the campaign's time zone named explicitly, whatever zone is active."""
    return TruncDate(field, tzinfo=zone())


def late(field: str = "first_submitted_at", *, due_on: datetime.date) -> Q:
    """A condition: the report whose first submission is `field` is late for `due_on`.
    (Never sent: the date is NULL and the condition false.)"""
    return Q(GreaterThan(sent_on(field), due_on))


def late_against(due: Expression, field: str = "first_submitted_at") -> Q:
    """A condition: first sent after `due`, an SQL date (campaigns.deadlines gives each
    unit's; never sent, or no due date: NULL, and the condition false)."""
    return Q(GreaterThan(sent_on(field), due))


def late_by(due: Expression, day: datetime.date, field: str = "first_submitted_at") -> Q:
    """A condition on units: late as `day` (a local date) saw it — not sent although
    their due date `due` (an SQL date) had passed, or first sent late on `day` or
    before."""
    overdue = Q(**{f"{field}__isnull": True}) & Q(LessThan(due, day))
    sent_late = late_against(due, field) & Q(LessThanOrEqual(sent_on(field), day))
    return overdue | sent_late
