"""Checks that apps above reports add to a report's submission.

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
