"""Reminding the people in charge of the steering committee's tasks, in the reports'
steps (soket.reports.reminders, with its settings): some days before a task is due
(SOKET_REMINDER_DAYS_BEFORE), on the day, and once it is overdue
(SOKET_REMINDER_DAYS_AFTER days after), each person once per task, due date and step.
A task whose owner has nobody to remind (a member without an active account, a
department without active reporters or approvers) reminds the campaign's administrators
at its unit instead, with the same keys, so that no task is forgotten silently. The key
names the task, its due date and the step, so a task whose date moves is reminded
again, and a sweep run twice, or again after a crash, tells nobody twice
(soket.notices keeps one notice per person and key). A task done, without a date, or of
a plan not yet issued (its owners do not see it) is never reminded.

The reports' sweep (the command `send_reminders` and the background runner's task) calls
`sweep` here, in the same schedule: reports sit above campaigns, so the call is theirs.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from soket.campaigns.access import people_in_charge
from soket.campaigns.models import Campaign, CommitteeTask
from soket.notices.models import Notice
from soket.notices.services import notify
from soket.orgs.models import Role, User

BEFORE, DUE, OVERDUE = "before", "due", "overdue"
KEYS_AT_ONCE = 500


def step_on(due_on: datetime.date, today: datetime.date) -> str | None:
    """The latest reminder step that has come by `today`, if any (the reports' steps)."""
    steps = [
        (BEFORE, due_on - datetime.timedelta(days=settings.SOKET_REMINDER_DAYS_BEFORE)),
        (DUE, due_on),
        (OVERDUE, due_on + datetime.timedelta(days=settings.SOKET_REMINDER_DAYS_AFTER)),
    ]
    reached = [name for name, day in steps if day <= today]
    return reached[-1] if reached else None


def reminder_key(task: CommitteeTask, step: str) -> str:
    assert task.due_on is not None
    return f"task:{task.pk}:{task.due_on:%Y%m%d}:{step}"


def _text(task: CommitteeTask, step: str, *, instead: bool) -> str:
    """What the reminder says; told `instead` of its owner, an administrator learns why."""
    assert task.due_on is not None
    values = {
        "task": Truncator(task.title).chars(150),
        "campaign": task.campaign.title,
        "day": f"{task.due_on:%d/%m/%Y}",
    }
    if step == BEFORE:
        text = (
            _("Reminder: the committee's task “%(task)s” (%(campaign)s) is due on %(day)s.")
            % values
        )
    elif step == DUE:
        text = _("Today, %(day)s, the committee's task “%(task)s” (%(campaign)s) is due.") % values
    else:
        text = (
            _(
                "The committee's task “%(task)s” (%(campaign)s) was due on %(day)s and is "
                "not done yet."
            )
            % values
        )
    if instead:
        text += " " + (
            _(
                "Nobody in charge of it (%(owner)s) has an account to be reminded: you are "
                "told as an administrator of the plan."
            )
            % {"owner": task.owner_name}
        )
    return text


def _administrators(owners: dict[int, int]) -> dict[int, list[User]]:
    """The active campaign administrators of each campaign's own unit (`owners`: the
    unit's id by campaign id), by campaign id."""
    by_unit: dict[int, list[User]] = defaultdict(list)
    roles = Role.objects.filter(
        kind=Role.Kind.CAMPAIGN_ADMIN,
        department__isnull=True,
        unit__in=set(owners.values()),
        user__is_active=True,
    ).select_related("user")
    for role in roles.order_by("pk"):
        if role.user not in by_unit[role.unit_id]:
            by_unit[role.unit_id].append(role.user)
    return {pk: by_unit.get(owner, []) for pk, owner in owners.items()}


def sweep(*, today: datetime.date) -> int:
    """Notify the task reminders due by `today`; returns how many notices were created.
    Written in the site's language, as it runs outside any request."""
    with translation.override(settings.LANGUAGE_CODE):
        return _sweep(today)


def _sweep(today: datetime.date) -> int:
    latest = today + datetime.timedelta(days=settings.SOKET_REMINDER_DAYS_BEFORE)
    tasks = (
        CommitteeTask.objects.filter(
            campaign__state=Campaign.State.ISSUED, due_on__isnull=False, due_on__lte=latest
        )
        .exclude(status=CommitteeTask.Status.DONE)
        .select_related("campaign", "member__user", "department")
        .order_by("pk")
    )
    due = [
        (task, step)
        for task in tasks
        if task.due_on is not None and (step := step_on(task.due_on, today)) is not None
    ]
    if not due:
        return 0
    # Who is in charge (else who administers), and who was told already, in a few
    # queries for every task.
    in_charge = people_in_charge([task for task, _step in due])
    orphans = {
        task.campaign_id: task.campaign.owner_id for task, _step in due if not in_charge[task.pk]
    }
    administrators = _administrators(orphans) if orphans else {}
    keys = [reminder_key(task, step) for task, step in due]
    told: set[tuple[str, int]] = set()
    for start in range(0, len(keys), KEYS_AT_ONCE):
        told |= set(
            Notice.objects.filter(key__in=keys[start : start + KEYS_AT_ONCE]).values_list(
                "key", "user_id"
            )
        )
    sent = 0
    for (task, step), key in zip(due, keys, strict=True):
        people = in_charge[task.pk]
        instead = not people
        if instead:
            people = administrators.get(task.campaign_id, [])
        people = [person for person in people if (key, person.pk) not in told]
        if people:
            url = reverse("campaign_detail", args=[task.campaign_id]) + "#tasks"
            text = _text(task, step, instead=instead)
            sent += len(notify(users=people, text=text, url=url, key=key))
    return sent
