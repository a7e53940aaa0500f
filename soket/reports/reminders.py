"""Reminding units whose report is due, and telling the level above when it is late.

For each report deadline of each campaign, the sweep finds the current step — some days
before the deadline, on the day, some days after — and notifies the people of every
expected unit whose report is still to come (not started, a draft, or returned). Past
the deadline, the approvers of the level above are told which of their units are late
(lateness.py: not sent yet, or sent after the due date in the campaign's time zone).
Every notice carries a key naming the deadline and the step, so however often the sweep
runs, each goes out once. Their e-mails wait in the outbox (soket.notices.delivery) for
the runner or the command to send.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from soket.campaigns import reminders as task_reminders
from soket.campaigns.deadlines import plan_of
from soket.campaigns.models import Campaign, Deadline
from soket.notices.models import Notice
from soket.notices.services import notify, notify_all
from soket.orgs.models import Department, Unit, User
from soket.reports import completeness, counts, hooks, lateness, selectors, workflow


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


def _missing_departments(deadline: Deadline) -> QuerySet[User]:
    """Who writes the thematic reports of the campaign's departments not sent yet."""
    campaign = deadline.milestone.campaign
    missing = Department.objects.filter(unit=campaign.owner).exclude(
        reports__campaign=campaign, reports__first_submitted_at__isnull=False
    )
    return workflow.holders(workflow.writing_roles().filter(department__in=missing))


def sweep(*, today: datetime.date) -> int:
    """Notify the reminders due by `today`; returns how many notices were created.

    It runs outside any request (cron, the background runner), so it writes in the
    site's language rather than whatever a command happens to have active.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _sweep(today)


def sweep_all(*, today: datetime.date) -> int:
    """Every reminder sweep: the reports', the committees' tasks', and the registered ones;
    returns how many notices were created."""
    created = sweep(today=today) + task_reminders.sweep(today=today)
    return created + sum(other(today=today) for other in hooks.reminder_sweeps)


def _sweep(today: datetime.date) -> int:
    sent = 0
    deadlines = Deadline.objects.filter(
        is_report=True, milestone__campaign__state=Campaign.State.ISSUED
    ).select_related("milestone__campaign__owner", "unit_kind")
    plans: dict[int, Campaign] = {}
    # Who is expected and by when, read once a plan: a plan deployed by hundreds of
    # federations has as many deadlines, each with its few queries.
    rules: dict[int, counts.Basis] = {}
    for deadline in deadlines:
        step = current_step(deadline.due_on, today)
        if step is None:
            continue
        campaign = deadline.milestone.campaign
        # A deployed plan's date is reminded of on the reports of the plan it deploys.
        if campaign.pk not in plans:
            plans[campaign.pk] = plan_of(campaign)
        plan = plans[campaign.pk]
        url = reverse("campaign_reports", args=[plan.pk])
        # The date is in the key: a deadline moved by amendment is reminded of anew.
        key = f"reminder:{deadline.pk}:{deadline.due_on:%Y%m%d}:{step.name}"
        if deadline.for_departments:
            if not campaign.is_deployment:
                people = _missing_departments(deadline)
                sent += notify_all(users=people, text=_text(step, deadline), url=url, key=key)
            continue
        if plan.pk not in rules:
            rules[plan.pk] = counts.basis(plan)
        # The units this date applies to: below the plan's owner, or the federation that
        # deployed it, except where a federation further down set a date of its own.
        theirs = rules[plan.pk].dates.governed_by(campaign.pk, deadline.unit_kind_id or 0)
        within = (
            campaign.owner if campaign.is_deployment else campaign.owner.parent or campaign.owner
        )
        # Still to come: not started, a draft (a withdrawn one too) or returned to mend,
        # the same units a reminder by hand reaches.
        missing = selectors.units_to_remind(
            selectors.expected_below(campaign=plan, roots=[within], rules=rules[plan.pk]).filter(
                theirs
            )
        )
        people = workflow.holders(workflow.of_units(workflow.writing_roles(), missing))
        sent += notify_all(users=people, text=_text(step, deadline), url=url, key=key)
        if step.name == "overdue":
            late = completeness.late_units(
                campaign=plan, within=within, today=today, rules=rules[plan.pk]
            )
            sent += _escalate(deadline, late.filter(theirs), url)
    return sent


def _escalate(deadline: Deadline, late, url: str) -> int:
    """Tell each parent's approvers which of their units are late, once per deadline:
    those not sent, and those sent late (with by how many days)."""
    late_by_parent: dict[int, list[str]] = {}
    for name, parent_id, sent_at in late.values_list("name", "parent_id", "first_submitted_at"):
        days = lateness.days_late(sent_at, deadline.due_on)
        if days:
            name = ngettext(
                "%(unit)s (sent %(days)d day late)", "%(unit)s (sent %(days)d days late)", days
            ) % {"unit": name, "days": days}
        late_by_parent.setdefault(parent_id, []).append(name)
    heads = (
        workflow.reviewing_roles()
        .filter(unit_id__in=late_by_parent, user__is_active=True)
        .select_related("user")
    )
    sent = 0
    for parent_id, names in late_by_parent.items():
        people = [role.user for role in heads if role.unit_id == parent_id]
        text = _("Late for “%(campaign)s” (due %(day)s): %(units)s.") % {
            "campaign": deadline.milestone.campaign.title,
            "day": deadline.due_on.strftime("%d/%m/%Y"),
            "units": ", ".join(sorted(names)),
        }
        key = f"escalation:{deadline.pk}:{deadline.due_on:%Y%m%d}:{parent_id}"
        sent += len(notify(users=people, text=text, url=url, key=key))
    return sent


# Reminding by hand, from the reports page: one unit, or every unit whose report is still
# to come.

NAMED = 10  # units without anyone to remind named in the answer; the rest are counted


@dataclass(frozen=True)
class Reminded:
    """What a reminder by hand did."""

    people: int  # notified now
    already: int  # reminded earlier today, so not notified again
    nobody: list[str]  # the first NAMED units without anyone to remind, by name
    nobody_count: int  # how many units have nobody to remind


def reminder_key(campaign: Campaign, today: datetime.date) -> str:
    """One reminder by hand a day per person and campaign, whoever clicks and however
    often: the unit's own button and the bulk one share it."""
    return f"remind:{campaign.pk}:{today.isoformat()}"


@transaction.atomic
def units_remind(*, campaign: Campaign, units: QuerySet[Unit], today: datetime.date) -> Reminded:
    """Notify the people who write the report of each of `units` (their reporters,
    approvers and campaign administrators: workflow.writing_roles), at most once a day,
    and say which units have nobody to remind."""
    roles = workflow.of_units(workflow.writing_roles(), units)
    people = workflow.holders(roles)
    key = reminder_key(campaign, today)
    already = Notice.objects.filter(key=key, user__in=people.values("pk")).count()
    sent = notify_all(
        users=people,
        text=_("Reminder: your unit's report for “%s” has not been submitted.") % campaign.title,
        url=reverse("campaign_reports", args=[campaign.pk]),
        key=key,
    )
    reached = roles.filter(user__is_active=True).values("unit_id")
    nobody = units.exclude(pk__in=reached).order_by("path")
    return Reminded(
        people=sent,
        already=already,
        nobody=list(nobody.values_list("name", flat=True)[:NAMED]),
        nobody_count=nobody.count(),
    )
