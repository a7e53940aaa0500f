"""Reminding units whose report is due, and telling the level above when it is late.

For each report deadline of each campaign, the sweep finds the current step — some days
before the deadline, on the day, some days after — and notifies the people of every
expected unit that has not submitted. Past the deadline, the approvers of the level
above are told which of their units are late. Every notice carries a key naming the
deadline and the step, so however often the sweep runs, each goes out once. Their
e-mails wait in the outbox (soket.notices.delivery) for the runner or the command to send.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from soket.campaigns.models import Deadline
from soket.notices.services import notify
from soket.orgs.models import Department, Role, User
from soket.reports import completeness

WRITERS = [Role.Kind.REPORTER, Role.Kind.APPROVER]
HEADS = [Role.Kind.APPROVER, Role.Kind.CAMPAIGN_ADMIN]


@dataclass(frozen=True)
class Step:
    name: str  # "before", "due" or "overdue"
    day: datetime.date


def current_step(due_on: datetime.date, today: datetime.date) -> Step | None:
    """The latest reminder step that has come by `today`, if any."""
    steps = [
        Step("before", due_on - datetime.timedelta(days=settings.SOKET_REMINDER_DAYS_BEFORE)),
        Step("due", due_on),
        Step("overdue", due_on + datetime.timedelta(days=settings.SOKET_REMINDER_DAYS_AFTER)),
    ]
    reached = [step for step in steps if step.day <= today]
    return reached[-1] if reached else None


def _text(step: Step, deadline: Deadline) -> str:
    values = {
        "campaign": deadline.milestone.campaign.title,
        "day": deadline.due_on.strftime("%d/%m/%Y"),
    }
    if step.name == "before":
        return _("Reminder: your report for “%(campaign)s” is due on %(day)s.") % values
    if step.name == "due":
        return _("Today, %(day)s, your report for “%(campaign)s” is due.") % values
    return _("Your report for “%(campaign)s” was due on %(day)s and has not arrived.") % values


def _missing_departments(deadline: Deadline, people: Q) -> list[User]:
    campaign = deadline.milestone.campaign
    missing = Department.objects.filter(unit=campaign.owner).exclude(
        reports__campaign=campaign, reports__first_submitted_at__isnull=False
    )
    return list(User.objects.filter(people, roles__department__in=missing).distinct())


def sweep(*, today: datetime.date) -> int:
    """Notify the reminders due by `today`; returns how many notices were created.

    It runs outside any request (cron, the background runner), so it writes in the
    site's language rather than whatever a command happens to have active.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _sweep(today)


def _sweep(today: datetime.date) -> int:
    sent = 0
    deadlines = Deadline.objects.filter(is_report=True).select_related(
        "milestone__campaign__owner", "unit_kind"
    )
    for deadline in deadlines:
        step = current_step(deadline.due_on, today)
        if step is None:
            continue
        campaign = deadline.milestone.campaign
        url = reverse("campaign_reports", args=[campaign.pk])
        key = f"reminder:{deadline.pk}:{step.name}"
        writers = Q(roles__kind__in=WRITERS)
        if deadline.for_departments:
            people = _missing_departments(deadline, writers)
            sent += len(notify(users=people, text=_text(step, deadline), url=url, key=key))
            continue
        within = campaign.owner.parent or campaign.owner
        missing = completeness.missing_units(campaign=campaign, within=within, today=today).filter(
            kind=deadline.unit_kind
        )
        people = User.objects.filter(
            writers, roles__unit__in=missing.values("pk"), roles__department__isnull=True
        ).distinct()
        sent += len(notify(users=people, text=_text(step, deadline), url=url, key=key))
        if step.name == "overdue":
            sent += _escalate(deadline, missing, url)
    return sent


def _escalate(deadline: Deadline, missing, url: str) -> int:
    """Tell each parent's approvers which of their units are late, once per deadline."""
    late_by_parent: dict[int, list[str]] = {}
    for name, parent_id in missing.values_list("name", "parent_id"):
        late_by_parent.setdefault(parent_id, []).append(name)
    heads = Role.objects.filter(
        unit_id__in=late_by_parent, kind__in=HEADS, department__isnull=True
    ).select_related("user")
    sent = 0
    for parent_id, names in late_by_parent.items():
        people = [role.user for role in heads if role.unit_id == parent_id]
        text = _("Late for “%(campaign)s” (due %(day)s): %(units)s.") % {
            "campaign": deadline.milestone.campaign.title,
            "day": deadline.due_on.strftime("%d/%m/%Y"),
            "units": ", ".join(sorted(names)),
        }
        key = f"escalation:{deadline.pk}:{parent_id}"
        sent += len(notify(users=people, text=text, url=url, key=key))
    return sent
