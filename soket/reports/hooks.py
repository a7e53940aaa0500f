"""What apps above reports add to it: checks on a report's submission, and reminder
sweeps run with the reports' own.

Reports may not import the apps built on them (the layers in pyproject), yet a rule
of theirs can decide whether a report may go up: drafting's, that a report whose
adoption is recorded goes up as adopted. Such an app registers a guard here when it
starts (its AppConfig.ready); services.report_transition calls every guard before a
submission, whichever page, command or script submits. A guard raises
services.ReportError with a message for the sender, or returns to let it pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soket.reports.models import Report

SubmitGuard = Callable[["Report"], None]

submit_guards: list[SubmitGuard] = []


def register_submit_guard(guard: SubmitGuard) -> None:
    """Add a guard once (ready() may run more than once in tests)."""
    if guard not in submit_guards:
        submit_guards.append(guard)


# The reminder sweeps of apps above (the surveys'): reminders.sweep_all runs each after
# the reports' and the committees' tasks', wherever reminders are sent (the runner's
# daily task, the send_reminders command). A sweep takes `today` and returns how many
# notices it created.
ReminderSweep = Callable[..., int]

reminder_sweeps: list[ReminderSweep] = []


def register_reminder_sweep(sweep: ReminderSweep) -> None:
    """Add a sweep once (ready() may run more than once in tests)."""
    if sweep not in reminder_sweeps:
        reminder_sweeps.append(sweep)
