"""The steering committee's work plan: its tasks as rows a page, the demo or a test can
build, the standard tasks drawn from the plan, and how the rows are written (the
campaigns service saves them, guarded and audited; nothing else calls the writer).

The tasks are the committee's working tool, not a part of the issued document: they
change without an amendment and tell no unit.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from soket.campaigns.deadlines import report_dates
from soket.campaigns.models import Campaign, CommitteeTask, Deadline, Milestone, SteeringMember
from soket.campaigns.parts import day_text
from soket.core import clock
from soket.core.forms import FIRST_YEAR, LAST_YEAR
from soket.core.text import folded
from soket.orgs.models import Department

TITLE_LENGTH = CommitteeTask._meta.get_field("title").max_length or 300
MAX_TASKS = 250


@dataclass(frozen=True)
class TaskRow:
    """A task; exactly one of `member_id` (a member of this campaign's committee) and
    `department_id` (a department of the campaign's unit) names who is in charge."""

    title: str
    member_id: int | None = None
    department_id: int | None = None
    description: str = ""
    starts_on: datetime.date | None = None
    due_on: datetime.date | None = None
    status: str = CommitteeTask.Status.NOT_STARTED
    done_on: datetime.date | None = None
    note: str = ""
    is_illustrative: bool | None = None  # None: as stored (a new row: not illustrative)
    id: int | None = None


def task_rows(campaign: Campaign) -> list[TaskRow]:
    return [
        TaskRow(
            title=task.title,
            member_id=task.member_id,
            department_id=task.department_id,
            description=task.description,
            starts_on=task.starts_on,
            due_on=task.due_on,
            status=task.status,
            done_on=task.done_on,
            note=task.note,
            is_illustrative=task.is_illustrative,
            id=task.pk,
        )
        for task in campaign.tasks.order_by("order")
    ]


def snapshot(campaign: Campaign) -> dict:
    """The tasks as the audit trail keeps them."""
    return {
        "tasks": [
            [
                row.title, row.member_id, row.department_id, row.description,
                day_text(row.starts_on), day_text(row.due_on), row.status,
                day_text(row.done_on), row.note, row.is_illustrative,
            ]
            for row in task_rows(campaign)
        ]
    }  # fmt: skip


def write_tasks(campaign: Campaign, rows: Sequence[TaskRow]) -> None:
    """The campaign's tasks become `rows`, in their order: rows with an id update that
    task, rows without one are new, stored tasks not among them are deleted. Every
    refusal names the task by its place and title."""
    if len(rows) > MAX_TASKS:
        raise ValidationError(_("At most %d tasks.") % MAX_TASKS)
    existing = {task.pk: task for task in CommitteeTask.objects.filter(campaign=campaign)}
    members = set(campaign.steering_members.values_list("pk", flat=True))
    departments = set(
        Department.objects.filter(unit=campaign.owner_id).values_list("pk", flat=True)
    )
    today = clock.today()
    errors: list[str] = []
    seen: set[int] = set()
    for position, row in enumerate(rows, start=1):
        name = {"n": position, "title": row.title.strip()[:60]}
        if row.id is not None and (row.id not in existing or row.id in seen):
            errors.append(_("Task %(n)d no longer exists: reload the page.") % name)
        if row.id is not None:
            seen.add(row.id)
        if not row.title.strip():
            errors.append(_("Task %(n)d: say what is to be done.") % name)
        elif len(row.title.strip()) > TITLE_LENGTH:
            errors.append(
                _("Task %(n)d “%(title)s”: the task is longer than %(limit)d characters.")
                % {**name, "limit": TITLE_LENGTH}
            )
        if (row.member_id is None) == (row.department_id is None):
            errors.append(
                _(
                    "Task %(n)d “%(title)s”: choose who is in charge, one member of the "
                    "committee or one department."
                )
                % name
            )
        elif row.member_id is not None and row.member_id not in members:
            errors.append(
                _("Task %(n)d “%(title)s”: the member in charge is no longer on the committee.")
                % name
            )
        elif row.department_id is not None and row.department_id not in departments:
            errors.append(
                _(
                    "Task %(n)d “%(title)s”: the department in charge is not a department "
                    "of %(unit)s."
                )
                % {**name, "unit": campaign.owner}
            )
        for day, label in (
            (row.starts_on, _("starts on")),
            (row.due_on, _("due on")),
            (row.done_on, _("done on")),
        ):
            if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
                errors.append(
                    _(
                        "Task %(n)d “%(title)s”, %(field)s: give a year between %(first)d "
                        "and %(last)d."
                    )
                    % {**name, "field": label, "first": FIRST_YEAR, "last": LAST_YEAR}
                )
        if row.starts_on and row.due_on and row.due_on < row.starts_on:
            errors.append(
                _("Task %(n)d “%(title)s”: it is due (%(due)s) before it starts (%(start)s).")
                % {**name, "due": day_text(row.due_on), "start": day_text(row.starts_on)}
            )
        if row.status not in CommitteeTask.Status.values:
            errors.append(_("Task %(n)d “%(title)s”: choose its status.") % name)
        elif row.status != CommitteeTask.Status.DONE and row.done_on is not None:
            errors.append(
                _("Task %(n)d “%(title)s”: a day it was done is given, but it is not marked done.")
                % name
            )
        if row.done_on is not None and row.done_on > today:
            errors.append(
                _("Task %(n)d “%(title)s”, done on: %(day)s is still to come.")
                % {**name, "day": day_text(row.done_on)}
            )
    if errors:
        raise ValidationError(errors)
    keep = {row.id for row in rows if row.id is not None}
    CommitteeTask.objects.filter(campaign=campaign).exclude(pk__in=keep).delete()
    for position, row in enumerate(rows, start=1):
        task = existing.get(row.id) if row.id is not None else None
        task = task or CommitteeTask(campaign=campaign)
        task.order = position
        task.title = row.title.strip()
        task.description = row.description.strip()
        task.member_id, task.department_id = row.member_id, row.department_id
        task.starts_on, task.due_on = row.starts_on, row.due_on
        task.status = row.status
        # Marked done without a day: done today, as a status change from its owner is.
        task.done_on = (row.done_on or today) if row.status == CommitteeTask.Status.DONE else None
        task.note = row.note.strip()
        if row.is_illustrative is not None:
            task.is_illustrative = row.is_illustrative
        task.save()


# The standard tasks, drawn from the plan.


def _mentions(text: str, words: Sequence[str]) -> bool:
    """Whether the text says one of the (folded) words, however it was typed."""
    plain = folded(text)
    return any(re.search(rf"\b{re.escape(word)}\b", plain) for word in words)


@dataclass(frozen=True)
class Standard:
    """A task every review's committee has (the seed's section III.1.2 and timeline),
    and where in the plan its date is found, tried in order: a deadline of the owner's
    own level whose text says one of `deadline_words`, the departments' report date
    (`departments`), the first timeline line whose text says one of `line_words` (its
    earliest deadline, else its last day), the owner's own report date (`own_report`)."""

    title: str
    drafting: bool = False  # the secretary's, if the committee has one; else the head's
    deadline_words: tuple[str, ...] = ()
    departments: bool = False
    line_words: tuple[str, ...] = ()
    own_report: bool = False


def standards(campaign: Campaign) -> list[Standard]:
    review = "sơ kết" if campaign.kind == Campaign.Kind.INTERIM else "tổng kết"
    parent = campaign.owner.parent
    upward = f"Gửi báo cáo {review} về {parent.name}" if parent else f"Gửi báo cáo {review}"
    return [
        Standard(
            f"Xây dựng Đề cương báo cáo {review}",
            drafting=True,
            deadline_words=("de cuong",),
            line_words=("de cuong",),
        ),
        Standard(
            "Hướng dẫn, triển khai kế hoạch đến các đơn vị trực thuộc và các ban",
            deadline_words=("trien khai", "huong dan"),
            line_words=("trien khai", "huong dan"),
        ),
        Standard(
            "Khảo sát, nắm tình hình CNVCLĐ và hoạt động Công đoàn",
            deadline_words=("khao sat", "dieu tra"),
            line_words=("khao sat", "dieu tra"),
        ),
        Standard(
            "Nghe báo cáo chuyên đề của các ban",
            deadline_words=("nghe bao cao",),
            departments=True,
            line_words=("nghe bao cao",),
        ),
        Standard(
            "Tổng hợp, phân tích, đánh giá báo cáo của các cấp, các ban; xây dựng dự thảo "
            f"báo cáo {review}",
            drafting=True,
            deadline_words=("du thao",),
            line_words=("du thao",),
        ),
        Standard(
            "Trình dự thảo báo cáo Ban Thường vụ, Hội nghị Ban Chấp hành",
            deadline_words=("trinh ban thuong vu", "trinh hoi nghi", "hoi nghi ban chap hanh"),
            line_words=("trinh ban thuong vu", "trinh hoi nghi"),
        ),
        Standard(
            f"Hoàn chỉnh báo cáo {review}",
            drafting=True,
            deadline_words=("hoan chinh",),
            own_report=True,
        ),
        Standard(upward, deadline_words=("gui bao cao",), own_report=True),
    ]


def standard_rows(campaign: Campaign) -> list[TaskRow]:
    """The standard tasks of a campaign's committee, dated from its plan where the plan
    says when (see Standard), otherwise left without a date for its administrators to
    set; each in the charge of the committee's head (the drafting ones of its secretary,
    if it has one)."""
    members = list(campaign.steering_members.order_by("order"))
    if not members:
        raise ValidationError(
            _("Set up the steering committee first: every task needs someone in charge.")
        )

    def first(role: str) -> SteeringMember | None:
        return next((m for m in members if m.committee_role == role), None)

    head = first(SteeringMember.CommitteeRole.HEAD) or members[0]
    secretary = first(SteeringMember.CommitteeRole.SECRETARY) or head
    milestones = list(campaign.milestones.prefetch_related("deadlines").order_by("order"))
    owner = campaign.owner
    own = [
        (d, m)
        for m in milestones
        for d in sorted(m.deadlines.all(), key=lambda d: (d.due_on, d.pk))
        if d.unit_kind_id == owner.kind_id and not d.for_departments
    ]
    departments = sorted(
        (
            (d, m)
            for m in milestones
            for d in m.deadlines.all()
            if d.for_departments and d.is_report
        ),
        key=lambda pair: pair[0].due_on,
    )
    own_report = report_dates(campaign).due_on(owner.kind_id, owner.path)
    rows = []
    for standard in standards(campaign):
        starts, due = _dates(standard, own, departments, milestones, own_report)
        rows.append(
            TaskRow(
                title=standard.title,
                member_id=(secretary if standard.drafting else head).pk,
                starts_on=starts if starts and due and starts <= due else None,
                due_on=due,
            )
        )
    return rows


def _dates(
    standard: Standard,
    own: list[tuple[Deadline, Milestone]],
    departments: list[tuple[Deadline, Milestone]],
    milestones: list[Milestone],
    own_report: datetime.date | None,
) -> tuple[datetime.date | None, datetime.date | None]:
    """When a standard task starts and is due, from the plan (None where it is silent)."""
    for deadline, milestone in own:
        if standard.deadline_words and _mentions(deadline.deliverable, standard.deadline_words):
            return milestone.starts_on, deadline.due_on
    if standard.departments and departments:
        deadline, milestone = departments[0]
        return milestone.starts_on, deadline.due_on
    for milestone in milestones:
        if standard.line_words and _mentions(
            f"{milestone.label} {milestone.text}", standard.line_words
        ):
            days = sorted(d.due_on for d in milestone.deadlines.all())
            return milestone.starts_on, days[0] if days else milestone.ends_on
    if standard.own_report and own_report:
        return None, own_report
    return None, None
