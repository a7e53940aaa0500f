"""The parts of a campaign, as rows a page, a command or a test can build, and how each
part is written from its rows, read back as rows, and compared (soket.campaigns.services
saves them, guarded and audited; nothing else calls the writers here)."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from soket.campaigns import hooks
from soket.campaigns.models import (
    Campaign,
    CommitteeTask,
    Deadline,
    Milestone,
    OutlineSection,
    Participation,
    PlanSection,
    Recipient,
    SteeringMember,
)
from soket.campaigns.selectors import deployment_chain, outline_choices, outline_plans
from soket.orgs.models import Unit, UnitKind
from soket.resolutions.models import Target


class Part(enum.StrEnum):
    """The parts of a campaign that are saved, and amended, one at a time."""

    HEADER = "chung"
    PLAN = "ke-hoach"
    TIMELINE = "tien-do"
    COMMITTEE = "ban-chi-dao"
    OUTLINE = "de-cuong"
    PARTICIPANTS = "don-vi"
    RECIPIENTS = "noi-nhan"

    @property
    def label(self) -> str:
        return {
            Part.HEADER: _("General"),
            Part.PLAN: _("Plan"),
            Part.TIMELINE: _("Timeline"),
            Part.COMMITTEE: _("Steering committee"),
            Part.OUTLINE: _("Report outline"),
            Part.PARTICIPANTS: _("Participating units"),
            Part.RECIPIENTS: _("Recipients"),
        }[self]


def parts_of(campaign: Campaign) -> list[Part]:
    """The parts a campaign's administrators write: a deployed plan takes its units from
    the plan it deploys (and adds sections of its own to that plan's outline)."""
    if campaign.is_deployment:
        return [part for part in Part if part is not Part.PARTICIPANTS]
    return list(Part)


# What a page gives: plain rows, so a form, a command or a test can build them.


@dataclass(frozen=True)
class Header:
    kind: str
    title: str
    reviewed_from: datetime.date
    reviewed_to: datetime.date
    resolution_ids: tuple[int, ...] = ()
    review_item_ids: tuple[int, ...] = ()
    preamble: str = ""
    closing: str = ""
    signing_capacity: str = ""
    signer_title: str = ""
    signer_name: str = ""


@dataclass(frozen=True)
class PlanRow:
    """A plan section; `depth` 0 is a part (I., II.), 1 and 2 its subsections."""

    part: str
    number: str = ""
    heading: str = ""
    body: str = ""
    depth: int = 0
    audience_kind_ids: tuple[int, ...] = ()
    for_departments: bool = False
    id: int | None = None


@dataclass(frozen=True)
class DeadlineRow:
    """What one level (a kind of unit, or with no kind the owner's departments) must
    deliver by when; `is_report` marks the level's review report."""

    unit_kind_id: int | None
    due_on: datetime.date
    deliverable: str
    is_report: bool = False
    id: int | None = None


@dataclass(frozen=True)
class MilestoneRow:
    label: str
    text: str
    starts_on: datetime.date
    ends_on: datetime.date
    deadlines: tuple[DeadlineRow, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class MemberRow:
    position: str
    committee_role: str
    name: str = ""
    user_id: int | None = None
    is_illustrative: bool | None = None  # None: as stored (a new row: not illustrative)
    id: int | None = None


@dataclass(frozen=True)
class OutlineRow:
    heading: str
    number: str = ""
    guidance: str = ""
    depth: int = 0
    target_ids: tuple[int, ...] = ()
    review_item_ids: tuple[int, ...] = ()
    is_illustrative: bool | None = None  # None: as stored (a new row: not illustrative)
    id: int | None = None


@dataclass(frozen=True)
class ParticipationRow:
    root_id: int
    kind_ids: tuple[int, ...]


# The parts, written from their rows.


def _parents_by_depth(rows: Sequence[Any], what: str, deepest: int) -> list[int | None]:
    """For each row, the position of its parent: the nearest row before it one level up."""
    parents: list[int | None] = []
    stack: list[int] = []
    for position, row in enumerate(rows):
        if not 0 <= row.depth <= deepest:
            raise ValidationError(_("%(what)s %(n)d: level %(depth)d is not allowed.") % {
                "what": what, "n": position + 1, "depth": row.depth})  # fmt: skip
        if row.depth > len(stack):
            raise ValidationError(
                _("%(what)s %(n)d is indented below a row it cannot belong to.")
                % {"what": what, "n": position + 1}
            )
        del stack[row.depth :]
        parents.append(stack[-1] if stack else None)
        stack.append(position)
    return parents


def _kept(model, campaign: Campaign, rows: Sequence[Any], what: str) -> dict[int, Any]:
    """The stored rows the page sent back, by id; an id from elsewhere is refused."""
    existing = {obj.pk: obj for obj in model.objects.filter(campaign=campaign)}
    seen: set[int] = set()
    for position, row in enumerate(rows, start=1):
        if row.id is not None and (row.id not in existing or row.id in seen):
            raise ValidationError(
                _("%(what)s %(n)d no longer exists: reload the page.")
                % {"what": what, "n": position}
            )
        if row.id is not None:
            seen.add(row.id)
    return existing


def write_plan(campaign: Campaign, rows: Sequence[PlanRow]) -> None:
    what = _("Section")
    parents = _parents_by_depth(rows, what, 2)
    existing = _kept(PlanSection, campaign, rows, what)
    for position, row in enumerate(rows, start=1):
        if row.part not in PlanSection.Part.values:
            raise ValidationError(
                _("%(what)s %(n)d: choose its part.") % {"what": what, "n": position}
            )
        if not (row.heading.strip() or row.body.strip()):
            raise ValidationError(
                _("%(what)s %(n)d has neither heading nor text.") % {"what": what, "n": position}
            )
    keep = {row.id for row in rows if row.id is not None}
    # Parents are let go first: deleting a section deletes its subsections, which may
    # have moved under another.
    PlanSection.objects.filter(campaign=campaign).update(parent=None)
    PlanSection.objects.filter(campaign=campaign).exclude(pk__in=keep).delete()
    saved: list[PlanSection] = []
    for position, (row, parent) in enumerate(zip(rows, parents, strict=True), start=1):
        section = existing.get(row.id) if row.id is not None else None
        section = section or PlanSection(campaign=campaign)
        section.parent = saved[parent] if parent is not None else None
        section.part = row.part
        section.order = position
        section.number = row.number.strip()
        section.heading = row.heading.strip()
        section.body = row.body.strip()
        section.for_departments = row.for_departments
        section.save()
        section.audience_kinds.set(row.audience_kind_ids)
        saved.append(section)


def write_timeline(campaign: Campaign, milestones: Sequence[MilestoneRow]) -> None:
    what = _("Timeline line")
    existing = _kept(Milestone, campaign, milestones, what)
    deadlines = {d.pk: d for d in Deadline.objects.filter(milestone__campaign=campaign)}
    seen: set[int] = set()
    errors = []
    for position, row in enumerate(milestones, start=1):
        if not row.label.strip() or not row.text.strip():
            errors.append(_("%(what)s %(n)d: say when and what.") % {"what": what, "n": position})
        if row.ends_on < row.starts_on:
            errors.append(
                _("%(what)s %(n)d ends before it starts.") % {"what": what, "n": position}
            )
        for given in row.deadlines:
            if given.id is not None and (given.id not in deadlines or given.id in seen):
                errors.append(_("A deadline no longer exists: reload the page."))
            if given.id is not None:
                seen.add(given.id)
            if not given.deliverable.strip():
                errors.append(
                    _("%(what)s %(n)d: say what is due on %(day)s.")
                    % {"what": what, "n": position, "day": f"{given.due_on:%d/%m/%Y}"}
                )
    if errors:
        raise ValidationError(errors)
    kept_deadlines = {d.id for row in milestones for d in row.deadlines if d.id is not None}
    Deadline.objects.filter(milestone__campaign=campaign).exclude(pk__in=kept_deadlines).delete()
    saved: list[Milestone] = []
    for position, row in enumerate(milestones, start=1):
        milestone = existing.get(row.id) if row.id is not None else None
        milestone = milestone or Milestone(campaign=campaign)
        saved.append(milestone)
        milestone.order = position
        milestone.label = row.label.strip()
        milestone.text = row.text.strip()
        milestone.starts_on, milestone.ends_on = row.starts_on, row.ends_on
        milestone.save()
        for item in row.deadlines:
            deadline = (deadlines.get(item.id) if item.id is not None else None) or Deadline()
            deadline.milestone = milestone
            deadline.unit_kind_id = item.unit_kind_id
            deadline.for_departments = item.unit_kind_id is None
            deadline.due_on = item.due_on
            deadline.deliverable = item.deliverable.strip()
            deadline.is_report = item.is_report
            deadline.save()
    # Last, so a deadline moved to another line is not deleted with its old one.
    keep = {row.id for row in milestones if row.id is not None}
    Milestone.objects.filter(campaign=campaign).exclude(pk__in=keep).exclude(
        pk__in=[m.pk for m in saved]
    ).delete()


def write_committee(campaign: Campaign, rows: Sequence[MemberRow]) -> None:
    what = _("Member")
    existing = _kept(SteeringMember, campaign, rows, what)
    for position, row in enumerate(rows, start=1):
        if not row.position.strip() and not row.user_id:
            raise ValidationError(
                _("%(what)s %(n)d: give a position.") % {"what": what, "n": position}
            )
        if row.committee_role not in SteeringMember.CommitteeRole.values:
            raise ValidationError(
                _("%(what)s %(n)d: choose a role in the committee.") % {"what": what, "n": position}
            )
    keep = {row.id for row in rows if row.id is not None}
    dropped = SteeringMember.objects.filter(campaign=campaign).exclude(pk__in=keep)
    busy = (
        CommitteeTask.objects.filter(member__in=dropped)
        .select_related("member")
        .order_by("member__order", "order")
        .first()
    )
    if busy is not None:
        raise ValidationError(
            _("%(member)s is in charge of the task “%(task)s”: give it to someone else first.")
            % {"member": busy.owner_name, "task": busy.title}
        )
    dropped.delete()
    for position, row in enumerate(rows, start=1):
        member = existing.get(row.id) if row.id is not None else None
        member = member or SteeringMember(campaign=campaign)
        member.order = position
        member.name = row.name.strip()
        member.position = row.position.strip()
        member.committee_role = row.committee_role
        member.user_id = row.user_id
        if row.is_illustrative is not None:
            member.is_illustrative = row.is_illustrative
        member.save()


def write_outline(campaign: Campaign, rows: Sequence[OutlineRow]) -> None:
    what = _("Outline section")
    parents = _parents_by_depth(rows, what, 1)
    existing = _kept(OutlineSection, campaign, rows, what)
    targets, items = outline_choices(campaign)
    target_ids = set(targets.values_list("pk", flat=True))
    item_ids = set(items.values_list("pk", flat=True))
    # A unit's report lists the plan's targets and a deployment's own by code, together:
    # no code twice, whether the plan above or a deployment below took it first.
    linked = Target.objects.filter(
        Q(outline_sections__campaign__in=outline_plans(campaign)[:-1])
        | Q(outline_sections__campaign__in=deployment_chain(campaign)[1:])
    )
    taken = dict(
        Target.objects.filter(
            pk__in={pk for row in rows for pk in row.target_ids},
            code__in=linked.values("code"),
        )
        .exclude(pk__in=linked.values("pk"))
        .values_list("pk", "code")
    )
    for position, row in enumerate(rows, start=1):
        clash = [taken[pk] for pk in row.target_ids if pk in taken]
        if clash:
            raise ValidationError(
                _(
                    "%(what)s %(n)d: target %(code)s has the code of another target of a plan "
                    "it deploys or that deploys it; the units' reports would show two "
                    "%(code)s. Give one of them another code."
                )
                % {"what": what, "n": position, "code": clash[0]}
            )
        if not row.heading.strip():
            raise ValidationError(
                _("%(what)s %(n)d: give a heading.") % {"what": what, "n": position}
            )
        if not set(row.target_ids) <= target_ids:
            raise ValidationError(
                _("%(what)s %(n)d: a target is not of a resolution this campaign reviews.")
                % {"what": what, "n": position}
            )
        if not set(row.review_item_ids) <= item_ids:
            raise ValidationError(
                _("%(what)s %(n)d: a review item is not reviewed by this campaign.")
                % {"what": what, "n": position}
            )
    keep = {row.id for row in rows if row.id is not None}
    dropped = OutlineSection.objects.filter(campaign=campaign).exclude(pk__in=keep)
    written = _written_sections(dropped)
    if written:
        raise ValidationError(
            _("Units have already written under “%s”: keep that section.") % written[0]
        )
    OutlineSection.objects.filter(campaign=campaign).update(parent=None)  # as for the plan
    dropped.delete()
    saved: list[OutlineSection] = []
    for position, (row, parent) in enumerate(zip(rows, parents, strict=True), start=1):
        section = existing.get(row.id) if row.id is not None else None
        section = section or OutlineSection(campaign=campaign)
        section.parent = saved[parent] if parent is not None else None
        section.order = position
        section.number = row.number.strip()
        section.heading = row.heading.strip()
        section.guidance = row.guidance.strip()
        if row.is_illustrative is not None:
            section.is_illustrative = row.is_illustrative
        section.save()
        section.targets.set(row.target_ids)
        section.review_items.set(row.review_item_ids)
        saved.append(section)


def _written_sections(sections) -> list[str]:
    """Headings of the sections among `sections` that some report has text under: the
    follower (the reports) answers, as campaigns know nothing of reports."""
    return hooks.written_sections(list(sections.values_list("pk", flat=True)))


def write_participants(campaign: Campaign, rows: Sequence[ParticipationRow]) -> None:
    owner_subtree = Unit.objects.subtree_of(campaign.owner)
    roots = set(
        owner_subtree.filter(pk__in=[row.root_id for row in rows]).values_list("pk", flat=True)
    )
    kinds = set(UnitKind.objects.values_list("pk", flat=True))
    seen: set[int] = set()
    for position, row in enumerate(rows, start=1):
        if row.root_id in seen:
            raise ValidationError(
                _("Participation %d: the unit is on an earlier line; tick its levels there.")
                % position
            )
        seen.add(row.root_id)
        if row.root_id not in roots:
            raise ValidationError(
                _("Participation %d: the unit is not in your unit's subtree.") % position
            )
        if not row.kind_ids or not set(row.kind_ids) <= kinds:
            raise ValidationError(
                _("Participation %d: choose the levels that take part.") % position
            )
    stored = {p.root_id: p for p in campaign.participations.all()}
    campaign.participations.exclude(root_id__in=[row.root_id for row in rows]).delete()
    for row in rows:
        participation = stored.get(row.root_id) or Participation.objects.create(
            campaign=campaign, root_id=row.root_id
        )
        participation.kinds.set(row.kind_ids)


RECIPIENT_LENGTH = Recipient._meta.get_field("text").max_length or 300
RECIPIENT_LINES = 200


def write_recipients(campaign: Campaign, lines: Sequence[str]) -> None:
    """One line each; lines are rewritten in place, so an unchanged list changes nothing."""
    texts = [line.strip() for line in lines if line.strip()]
    if len(texts) > RECIPIENT_LINES:
        raise ValidationError(_("At most %d recipients.") % RECIPIENT_LINES)
    for position, text in enumerate(texts, start=1):
        if len(text) > RECIPIENT_LENGTH:
            raise ValidationError(
                _("Recipient %(n)d is longer than %(limit)d characters.")
                % {"n": position, "limit": RECIPIENT_LENGTH}
            )
    stored = {r.order: r for r in campaign.recipients.all()}
    campaign.recipients.filter(order__gt=len(texts)).delete()
    for order, text in enumerate(texts, start=1):
        recipient = stored.get(order)
        if recipient is None:
            Recipient.objects.create(campaign=campaign, order=order, text=text)
        elif recipient.text != text:
            Recipient.objects.filter(pk=recipient.pk).update(text=text)


# Rows as stored, for copying and for the pages.


def _depths(sections: list[Any]) -> dict[int, int]:
    """Each section's level, from its parents (sections come in order, parents first)."""
    depths: dict[int, int] = {}
    for section in sections:
        depths[section.pk] = 0 if section.parent_id is None else depths[section.parent_id] + 1
    return depths


def plan_rows(campaign: Campaign, *, keep_ids: bool = True) -> list[PlanRow]:
    sections = list(campaign.sections.order_by("order").prefetch_related("audience_kinds"))
    depths = _depths(sections)
    return [
        PlanRow(
            part=section.part,
            number=section.number,
            heading=section.heading,
            body=section.body,
            depth=depths[section.pk],
            audience_kind_ids=tuple(sorted(k.pk for k in section.audience_kinds.all())),
            for_departments=section.for_departments,
            id=section.pk if keep_ids else None,
        )
        for section in sections
    ]


def member_rows(campaign: Campaign, *, keep_ids: bool = True) -> list[MemberRow]:
    return [
        MemberRow(
            position=member.position,
            committee_role=member.committee_role,
            name=member.name,
            user_id=member.user_id,
            is_illustrative=member.is_illustrative,
            id=member.pk if keep_ids else None,
        )
        for member in campaign.steering_members.order_by("order")
    ]


def milestone_rows(campaign: Campaign) -> list[MilestoneRow]:
    return [
        MilestoneRow(
            label=m.label,
            text=m.text,
            starts_on=m.starts_on,
            ends_on=m.ends_on,
            deadlines=tuple(
                DeadlineRow(
                    unit_kind_id=d.unit_kind_id,
                    due_on=d.due_on,
                    deliverable=d.deliverable,
                    is_report=d.is_report,
                    id=d.pk,
                )
                for d in sorted(m.deadlines.all(), key=lambda d: d.pk)
            ),
            id=m.pk,
        )
        for m in campaign.milestones.prefetch_related("deadlines").order_by("order")
    ]


def outline_rows(campaign: Campaign, *, keep_ids: bool = True) -> list[OutlineRow]:
    sections = list(
        campaign.outline_sections.order_by("order").prefetch_related("targets", "review_items")
    )
    depths = _depths(sections)
    return [
        OutlineRow(
            heading=section.heading,
            number=section.number,
            guidance=section.guidance,
            depth=depths[section.pk],
            target_ids=tuple(sorted(t.pk for t in section.targets.all())),
            review_item_ids=tuple(sorted(i.pk for i in section.review_items.all())),
            is_illustrative=section.is_illustrative,
            id=section.pk if keep_ids else None,
        )
        for section in sections
    ]


# Snapshots: what a part reads as, to audit, to compare and to describe an amendment.


def day_text(day: datetime.date | None) -> str:
    """A day as the snapshots and messages write it (dd/mm/yyyy), or "" for none."""
    return f"{day:%d/%m/%Y}" if day else ""


def snapshot(campaign: Campaign, part: Part) -> dict:
    readers: dict[Part, Callable[[Campaign], dict]] = {
        Part.HEADER: _header_snapshot,
        Part.PLAN: lambda c: {
            "rows": [
                [
                    r.depth,
                    r.part,
                    r.number,
                    r.heading,
                    r.body,
                    list(r.audience_kind_ids),
                    r.for_departments,
                ]
                for r in plan_rows(c)
            ]
        },
        Part.TIMELINE: _timeline_snapshot,
        Part.COMMITTEE: lambda c: {
            "rows": [
                [m.name, m.position, m.committee_role, m.user_id, m.is_illustrative]
                for m in c.steering_members.order_by("order")
            ]
        },
        Part.OUTLINE: lambda c: {
            "rows": [
                [
                    r.depth,
                    r.number,
                    r.heading,
                    r.guidance,
                    list(r.target_ids),
                    list(r.review_item_ids),
                    r.is_illustrative,
                ]
                for r in outline_rows(c)
            ]
        },
        Part.PARTICIPANTS: lambda c: {
            "rows": sorted(
                [p.root.name, sorted(k.name for k in p.kinds.all())]
                for p in c.participations.select_related("root").prefetch_related("kinds")
            )
        },
        Part.RECIPIENTS: lambda c: {
            "rows": list(c.recipients.order_by("order").values_list("text", flat=True))
        },
    }
    return readers[part](campaign)


def _header_snapshot(campaign: Campaign) -> dict:
    return {
        "kind": campaign.kind,
        "title": campaign.title,
        "reviewed_from": day_text(campaign.reviewed_from),
        "reviewed_to": day_text(campaign.reviewed_to),
        "resolutions": sorted(campaign.resolutions.values_list("pk", flat=True)),
        "review_items": sorted(campaign.review_items.values_list("pk", flat=True)),
        "preamble": campaign.preamble,
        "closing": campaign.closing,
        "signing_capacity": campaign.signing_capacity,
        "signer_title": campaign.signer_title,
        "signer_name": campaign.signer_name,
    }


def _timeline_snapshot(campaign: Campaign) -> dict:
    """The milestones, and each level's deadlines keyed by level (a kind's id, or
    "departments"), so an amendment knows which levels' dates moved."""
    deadlines: dict[str, list] = {}
    for d in Deadline.objects.filter(milestone__campaign=campaign).select_related("unit_kind"):
        key = "departments" if d.for_departments else str(d.unit_kind_id)
        deadlines.setdefault(key, []).append([day_text(d.due_on), d.deliverable, d.is_report])
    return {
        "milestones": [
            [m.label, m.text, day_text(m.starts_on), day_text(m.ends_on)]
            for m in campaign.milestones.order_by("order")
        ],
        "deadlines": {key: sorted(rows) for key, rows in deadlines.items()},
    }


def snapshot_all(campaign: Campaign) -> dict:
    return {part.value: snapshot(campaign, part) for part in Part}


def describe_changes(part: Part, before: dict, after: dict) -> list[str]:
    """What changed, in a line each, as the units told of an amendment read it."""
    if part is Part.HEADER:
        lines = []
        for key in before:
            if before[key] != after.get(key):
                label = getattr(Campaign._meta.get_field(key), "verbose_name", key)
                old, new = before[key], after.get(key)
                short = isinstance(old, str) and len(old) < 60 and len(str(new)) < 60
                values = {"what": label, "old": old, "new": new}
                lines.append(
                    _("%(what)s: %(old)s → %(new)s") % values if short else _("%s changed") % label
                )
        return lines
    if part is Part.TIMELINE:
        names = dict(UnitKind.objects.values_list("pk", "name"))
        lines = []
        for key in sorted(set(before["deadlines"]) | set(after["deadlines"])):
            old, new = before["deadlines"].get(key, []), after["deadlines"].get(key, [])
            if old == new:
                continue
            level = _("Departments") if key == "departments" else names.get(int(key), key)
            old_days = ", ".join(f"{d} ({what})" for d, what, _r in old) or "—"
            new_days = ", ".join(f"{d} ({what})" for d, what, _r in new) or "—"
            lines.append(_("deadline of %(level)s: %(old)s → %(new)s") % {
                "level": level, "old": old_days, "new": new_days})  # fmt: skip
        if before["milestones"] != after["milestones"]:
            lines.append(_("the timeline's lines changed"))
        return lines
    old_rows, new_rows = before["rows"], after["rows"]
    added = len([r for r in new_rows if r not in old_rows])
    removed = len([r for r in old_rows if r not in new_rows])
    return [
        _("%(part)s: %(added)d line(s) added or changed, %(removed)d removed or changed")
        % {"part": part.label, "added": added, "removed": removed}
    ]
