"""Writing, issuing and amending a campaign: the one path the pages, the back office's
operator, the demo, the tests and the benchmark all take.

A campaign is written part by part (its header, the plan's sections, the timeline, the
steering committee, the report outline, the participating units, the distribution
list), each part saved whole from the rows its page shows. Every save is guarded like a
report's (`revision`: two editors never overwrite each other), audited, and tells what
follows a campaign (the completeness counts) when it moved who is expected or when.

Once issued, a part changes only by amendment: the same save with a reason, recorded
as an `Amendment` with what changed, and told to the levels it affects (a moved
deadline to exactly the units of that level). Telling many units is the background
runner's work (`hooks.announce`), so a national campaign's issue returns at once.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from soket.audit import services as audit
from soket.campaigns import hooks, skeletons, workplan
from soket.campaigns.access import administered_units, can_update_task, visible_campaigns
from soket.campaigns.deadlines import ReportDates, plan_of, report_dates
from soket.campaigns.models import (
    Amendment,
    Campaign,
    CommitteeTask,
    Deadline,
    OutlineSection,
)
from soket.campaigns.parts import (
    DeadlineRow,
    Header,
    MemberRow,
    MilestoneRow,
    OutlineRow,
    Part,
    ParticipationRow,
    PlanRow,
    describe_changes,
    member_rows,
    milestone_rows,
    outline_rows,
    plan_rows,
    snapshot,
    snapshot_all,
    write_committee,
    write_outline,
    write_participants,
    write_plan,
    write_recipients,
    write_timeline,
)
from soket.campaigns.selectors import (
    deploying_units,
    kinds_below,
)
from soket.core import clock
from soket.core.forms import FIRST_YEAR, LAST_YEAR
from soket.orgs.models import Unit, UnitKind, User


class Action(enum.StrEnum):
    """What the audit trail records of a campaign."""

    CREATE = "campaign_create"
    COPY = "campaign_copy"
    SAVE = "campaign_save"
    ISSUE = "campaign_issue"
    AMEND = "campaign_amend"
    DEPLOY = "campaign_deploy"
    TASKS = "campaign_tasks_save"
    TASK_STATUS = "campaign_task_status"


REASON_LENGTH = 2000  # an amendment's reason goes into every notice and e-mail


class CampaignConflict(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else saved this campaign while you were editing it. What you typed "
                "is kept below: compare it with the saved version, then save again."
            )
        )


# Who may.


def _require_admin(by: User, owner: Unit) -> None:
    if not administered_units(by).filter(pk=owner.pk).exists():
        raise PermissionDenied


# Creating.


def _new_code(owner: Unit, title: str, *, salt: int = 0) -> str:
    base = slugify(f"{owner.code}-{title}")[:48].strip("-") or "dot"
    if salt:
        base = f"{base}-{secrets.token_hex(3)}"
    code, n = base, 1
    while Campaign.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _check_header(header: Header) -> None:
    errors: dict[str, str] = {}
    if not header.title.strip():
        errors["title"] = _("Give the campaign a title.")
    if header.kind not in Campaign.Kind.values:
        errors["kind"] = _("Choose an interim or a final review.")
    for name in ("reviewed_from", "reviewed_to"):
        if not FIRST_YEAR <= getattr(header, name).year <= LAST_YEAR:
            errors[name] = _("Give a year between %(first)d and %(last)d.") % {
                "first": FIRST_YEAR,
                "last": LAST_YEAR,
            }
    if not errors and header.reviewed_to <= header.reviewed_from:
        errors["reviewed_to"] = _("The reviewed period must end after it starts.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(
    *, by: User, owner: Unit, header: Header, skeleton: bool = False, code: str = ""
) -> Campaign:
    """A new draft of `owner`, blank or from the built-in skeleton of its kind."""
    _require_admin(by, owner)
    _check_header(header)
    campaign = _new_draft(owner, header, code=code)
    if skeleton:
        write_plan(
            campaign,
            [
                PlanRow(part, number, heading, body, depth)
                for depth, part, number, heading, body in skeletons.PLAN
            ],
        )
        outline = skeletons.outline(header.kind)
        write_outline(
            campaign,
            [
                OutlineRow(heading, number, guidance, depth)
                for depth, number, heading, guidance in outline
            ],
        )
    audit.record(by=by, action=Action.CREATE, instance=campaign, after=snapshot_all(campaign))
    return campaign


def _new_draft(owner: Unit, header: Header, *, code: str = "") -> Campaign:
    """The campaign row, under a code of its own: two drafts of one title made at the same
    moment get two codes."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    code=code or _new_code(owner, header.title, salt=attempt),
                    owner=owner,
                    state=Campaign.State.DRAFT,
                    **_header_fields(header),
                )
        except IntegrityError:
            if code or attempt == 2:
                raise
            continue
        _set_header_relations(campaign, header)
        return campaign
    raise AssertionError("unreachable")


def _header_fields(header: Header) -> dict[str, Any]:
    return {
        "kind": header.kind,
        "title": header.title.strip(),
        "reviewed_from": header.reviewed_from,
        "reviewed_to": header.reviewed_to,
        "preamble": header.preamble.strip(),
        "closing": header.closing.strip(),
        "signing_capacity": header.signing_capacity.strip(),
        "signer_title": header.signer_title.strip(),
        "signer_name": header.signer_name.strip(),
    }


def _set_header_relations(campaign: Campaign, header: Header) -> None:
    campaign.resolutions.set(header.resolution_ids)
    campaign.review_items.set(header.review_item_ids)


# Copying, with the dates shifted to the new period.


def months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def shift_date(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole months; the last day of a month stays the last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _last_day(year, month + 1)
    keep_last = day.day == _last_day(day.year, day.month)
    return datetime.date(year, month + 1, last if keep_last else min(day.day, last))


def _last_day(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


DATE_IN_TEXT = re.compile(r"\b(?:(\d{1,2})/)?(\d{1,2})/(\d{4})\b")


def shift_text(text: str, months: int) -> str:
    """Dates written dd/mm/yyyy or mm/yyyy in a label, moved by whole months."""

    def moved(match: re.Match) -> str:
        day, month, year = match.group(1), int(match.group(2)), int(match.group(3))
        if not 1 <= month <= 12:
            return match.group(0)
        try:
            new = shift_date(datetime.date(year, month, int(day) if day else 1), months)
        except ValueError:
            return match.group(0)
        if day:
            return f"{new.day:0{len(day)}d}/{new.month:0{len(match.group(2))}d}/{new.year}"
        return f"{new.month:0{len(match.group(2))}d}/{new.year}"

    return DATE_IN_TEXT.sub(moved, text)


@transaction.atomic
def campaign_copy(*, by: User, source: Campaign, owner: Unit, header: Header) -> Campaign:
    """A new draft of `owner` with everything `source` holds (its resolutions and review
    items too), every date moved by the months between the two periods' ends; its number
    and date left blank. The participating units come along only within the same owner."""
    _require_admin(by, owner)
    if not visible_campaigns(by).filter(pk=source.pk).exists():
        raise PermissionDenied
    _check_header(header)
    # What the copied outline reports on comes along, with whatever else was chosen, and
    # the texts and signature the new page did not ask for.
    header = dataclasses.replace(
        header,
        preamble=header.preamble or source.preamble,
        closing=header.closing or source.closing,
        signing_capacity=header.signing_capacity or source.signing_capacity,
        signer_title=header.signer_title or source.signer_title,
        signer_name=header.signer_name or source.signer_name,
        resolution_ids=tuple(
            sorted({*header.resolution_ids, *source.resolutions.values_list("pk", flat=True)})
        ),
        review_item_ids=tuple(
            sorted({*header.review_item_ids, *source.review_items.values_list("pk", flat=True)})
        ),
    )
    months = months_between(source.reviewed_to, header.reviewed_to)
    if not all(
        FIRST_YEAR <= shift_date(day, months).year <= LAST_YEAR
        for day in Deadline.objects.filter(milestone__campaign=source).values_list(
            "due_on", flat=True
        )
    ):
        raise ValidationError(
            {"reviewed_to": _("Moved to this period, a date of the timeline leaves the calendar.")}
        )
    campaign = _new_draft(owner, header)
    write_plan(campaign, plan_rows(source, keep_ids=False))
    write_timeline(
        campaign,
        [
            MilestoneRow(
                label=shift_text(m.label, months),
                text=shift_text(m.text, months),
                starts_on=shift_date(m.starts_on, months),
                ends_on=shift_date(m.ends_on, months),
                deadlines=tuple(
                    DeadlineRow(
                        unit_kind_id=d.unit_kind_id,
                        due_on=shift_date(d.due_on, months),
                        deliverable=shift_text(d.deliverable, months),
                        is_report=d.is_report,
                    )
                    for d in m.deadlines.all()
                ),
            )
            for m in source.milestones.prefetch_related("deadlines")
        ],
    )
    write_committee(campaign, member_rows(source, keep_ids=False))
    write_outline(campaign, outline_rows(source, keep_ids=False))
    write_participants(
        campaign,
        [
            ParticipationRow(p.root_id, tuple(k.pk for k in p.kinds.all()))
            for p in source.participations.prefetch_related("kinds")
        ]
        if source.owner_id == owner.pk
        else [],
    )
    write_recipients(campaign, list(source.recipients.values_list("text", flat=True)))
    after = snapshot_all(campaign)
    audit.record(by=by, action=Action.COPY, instance=campaign, after={"from": source.pk, **after})
    return campaign


# Saving a part: one guarded, audited transaction; an amendment once issued.


def _locked(*, by: User, campaign: Campaign, revision: int) -> Campaign:
    """The campaign, locked for a change by one of its administrators from a page made
    of its current revision."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_admin(by, locked.owner)
    if locked.revision != revision:
        raise CampaignConflict
    return locked


def participating_kind_ids(campaign: Campaign) -> list[int]:
    """The levels a campaign addresses, in any of its participations."""
    return sorted(set(campaign.participations.values_list("kinds", flat=True)) - {None})


@contextmanager
def _editing(
    *, by: User, campaign: Campaign, revision: int, part: Part, reason: str
) -> Iterator[Campaign]:
    locked = _locked(by=by, campaign=campaign, revision=revision)
    if len(reason) > REASON_LENGTH:
        raise ValidationError({"reason": _("Say why in at most %d characters.") % REASON_LENGTH})
    if locked.is_issued and not reason.strip():
        raise ValidationError(
            {"reason": _("The plan is issued: say why it is amended, for the units it reaches.")}
        )
    before, basis = snapshot(locked, part), hooks.basis(locked)
    yield locked
    locked.refresh_from_db()
    after = snapshot(locked, part)
    if before == after:
        return  # nothing changed: the revision stays, so nobody else's save is refused
    Campaign.objects.filter(pk=locked.pk).update(revision=locked.revision + 1)
    locked.revision += 1
    campaign.revision = locked.revision
    if hooks.basis(locked) != basis:
        hooks.changed(locked)
    if not locked.is_issued:
        audit.record(by=by, action=Action.SAVE, instance=locked, before=before, after=after)
        return
    _amend(by=by, campaign=locked, part=part, reason=reason, before=before, after=after)


def _amend(
    *, by: User, campaign: Campaign, part: Part, reason: str, before: dict, after: dict
) -> Amendment:
    number = (campaign.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    kind_ids, departments, report_dates_only = _told(campaign, part, before, after)
    with translation.override(settings.LANGUAGE_CODE):  # for the units, not the editor
        changes = describe_changes(part, before, after)
        text = _("The plan “%(title)s” was amended (%(part)s): %(changes)s. Reason: %(reason)s") % {
            "title": campaign.title,
            "part": part.label,
            "changes": "; ".join(changes),
            "reason": reason.strip(),
        }
    amendment = Amendment.objects.create(
        campaign=campaign,
        number=number,
        made_at=clock.now(),
        made_by=by,
        part=part.value,
        reason=reason.strip(),
        changes=changes,
        told_departments=departments,
    )
    amendment.told_kinds.set(kind_ids)
    audit.record(
        by=by,
        action=Action.AMEND,
        instance=campaign,
        before=before,
        after={**after, "amendment": number, "reason": reason.strip()},
    )
    if kind_ids or departments:
        hooks.announce(
            campaign,
            key=f"campaign:{campaign.pk}:amendment:{number}",
            text=text,
            kind_ids=kind_ids,
            departments=departments,
            report_date_kinds=report_dates_only,
        )
    return amendment


def _told(
    campaign: Campaign, part: Part, before: dict, after: dict
) -> tuple[list[int], bool, list[int]]:
    """The levels an amendment reaches, whether the departments are told, and the levels
    of those where only report dates moved: their units are told only where this plan's
    date is theirs (not below a federation that deployed it with a date of its own).

    For the timeline, the levels whose deadlines moved; nobody for the committee and the
    distribution list (they address no unit); every participating level otherwise."""
    if part is Part.TIMELINE:
        old, new = before["deadlines"], after["deadlines"]
        moved = {key for key in set(old) | set(new) if old.get(key) != new.get(key)}
        kinds = sorted({int(key) for key in moved if key != "departments"})

        def other_than_reports(rows: list) -> list:
            return [row for row in rows if not row[2]]  # [day, deliverable, is_report]

        dates_only = [
            kind
            for kind in kinds
            if other_than_reports(old.get(str(kind), []))
            == other_than_reports(new.get(str(kind), []))
            # A report date removed: the level's units below take another date; all told.
            and any(row[2] for row in new.get(str(kind), []))
        ]
        # A deployed plan addresses no department: the thematic reports are the plan's.
        return kinds, "departments" in moved and not campaign.is_deployment, dates_only
    if part in (Part.COMMITTEE, Part.RECIPIENTS):
        return [], False, []
    departments = part in (Part.HEADER, Part.OUTLINE) and not campaign.is_deployment
    return participating_kind_ids(campaign), departments, []


def _check_outline_kept(campaign: Campaign, header: Header) -> None:
    """A resolution or review item the outline reports on stays while it does: dropping
    it would leave the units' figures and texts with nowhere to go."""
    linked_targets = OutlineSection.targets.through.objects.filter(
        outlinesection__campaign=campaign
    ).exclude(target__resolution__in=header.resolution_ids)
    linked_items = OutlineSection.review_items.through.objects.filter(
        outlinesection__campaign=campaign
    ).exclude(reviewitem__in=header.review_item_ids)
    orphans = OutlineSection.objects.filter(
        Q(pk__in=linked_targets.values("outlinesection_id"))
        | Q(pk__in=linked_items.values("outlinesection_id"))
    )
    heading = orphans.order_by("order").values_list("heading", flat=True).first()
    if heading is not None:
        raise ValidationError(
            _("The outline section “%s” reports on what you took away: change the outline first.")
            % heading
        )


def campaign_save_header(
    *, by: User, campaign: Campaign, revision: int, header: Header, reason: str = ""
) -> Campaign:
    with transaction.atomic():
        _check_header(header)
        _check_deployed_header(campaign, header)
        _check_outline_kept(campaign, header)
        with _editing(
            by=by, campaign=campaign, revision=revision, part=Part.HEADER, reason=reason
        ) as locked:
            Campaign.objects.filter(pk=locked.pk).update(**_header_fields(header))
            _set_header_relations(locked, header)
    campaign.refresh_from_db()
    return campaign


def _save_part(
    *, by: User, campaign: Campaign, revision: int, part: Part, reason: str, write: Callable
) -> Campaign:
    """Write one part from its rows: guarded, audited, an amendment once issued."""
    with (
        transaction.atomic(),
        _editing(by=by, campaign=campaign, revision=revision, part=part, reason=reason) as locked,
    ):
        write(locked)
    return campaign


def campaign_save_plan(
    *, by: User, campaign: Campaign, revision: int, rows: Sequence[PlanRow], reason: str = ""
) -> Campaign:
    return _save_part(
        by=by,
        campaign=campaign,
        revision=revision,
        part=Part.PLAN,
        reason=reason,
        write=lambda locked: write_plan(locked, rows),
    )


def campaign_save_timeline(
    *,
    by: User,
    campaign: Campaign,
    revision: int,
    milestones: Sequence[MilestoneRow],
    reason: str = "",
) -> Campaign:
    return _save_part(
        by=by,
        campaign=campaign,
        revision=revision,
        part=Part.TIMELINE,
        reason=reason,
        write=lambda locked: _write_deployed_timeline(locked, milestones),
    )


def campaign_save_committee(
    *, by: User, campaign: Campaign, revision: int, rows: Sequence[MemberRow], reason: str = ""
) -> Campaign:
    return _save_part(
        by=by,
        campaign=campaign,
        revision=revision,
        part=Part.COMMITTEE,
        reason=reason,
        write=lambda locked: write_committee(locked, rows),
    )


def campaign_save_outline(
    *, by: User, campaign: Campaign, revision: int, rows: Sequence[OutlineRow], reason: str = ""
) -> Campaign:
    return _save_part(
        by=by,
        campaign=campaign,
        revision=revision,
        part=Part.OUTLINE,
        reason=reason,
        write=lambda locked: write_outline(locked, rows),
    )


def campaign_save_participants(
    *,
    by: User,
    campaign: Campaign,
    revision: int,
    rows: Sequence[ParticipationRow],
    reason: str = "",
) -> Campaign:
    if campaign.is_deployment:
        raise ValidationError(_("A deployed plan takes its units from the plan it deploys."))
    return _save_part(
        by=by,
        campaign=campaign,
        revision=revision,
        part=Part.PARTICIPANTS,
        reason=reason,
        write=lambda locked: write_participants(locked, rows),
    )


def campaign_save_recipients(
    *, by: User, campaign: Campaign, revision: int, lines: Sequence[str], reason: str = ""
) -> Campaign:
    return _save_part(
        by=by,
        campaign=campaign,
        revision=revision,
        part=Part.RECIPIENTS,
        reason=reason,
        write=lambda locked: write_recipients(locked, lines),
    )


# Issuing.


@transaction.atomic
def campaign_issue(
    *,
    by: User,
    campaign: Campaign,
    revision: int,
    document_number: str,
    issued_on: datetime.date,
    signing_capacity: str,
    signer_title: str,
    signer_name: str,
    is_signed: bool = False,
    is_illustrative: bool = False,
) -> Campaign:
    """Issue (ban hành) a draft: from now on its units see it, may start their reports, and
    are told; it changes only by amendment."""
    locked = _locked(by=by, campaign=campaign, revision=revision)
    if locked.is_issued:
        raise ValidationError(_("This plan is already issued; change it by an amendment."))
    errors: dict[str, str] = {}
    if not document_number.strip():
        errors["document_number"] = _("Give the plan's number, e.g. 15/KH-LĐLĐ.")
    if not signer_name.strip():
        errors["signer_name"] = _("Give the name of the person who signs the plan.")
    if not signer_title.strip():
        errors["signer_title"] = _("Give the signer's title, e.g. CHỦ TỊCH.")
    parent = locked.deployed_from
    if parent is not None and parent.issued_on and issued_on < parent.issued_on:
        errors["issued_on"] = _(
            "Issue it on or after %(day)s, the day the plan it deploys was issued."
        ) % {"day": f"{parent.issued_on:%d/%m/%Y}"}
    if errors:
        raise ValidationError(errors)
    problems = issue_problems(locked)
    if problems:
        raise ValidationError(problems)
    if locked.is_deployment:
        _check_deployed_dates(locked, _deadline_rows(locked))
    before, basis = {"state": locked.state}, hooks.basis(locked)
    Campaign.objects.filter(pk=locked.pk).update(
        state=Campaign.State.ISSUED,
        document_number=document_number.strip(),
        issued_on=issued_on,
        signing_capacity=signing_capacity.strip(),
        signer_title=signer_title.strip(),
        signer_name=signer_name.strip(),
        is_signed=is_signed,
        is_illustrative=is_illustrative,
        issued_at=clock.now(),
        revision=locked.revision + 1,
    )
    campaign.refresh_from_db()
    audit.record(
        by=by,
        action=Action.ISSUE,
        instance=campaign,
        before=before,
        after={
            "state": campaign.state,
            "document_number": campaign.document_number,
            "issued_on": campaign.issued_on.isoformat() if campaign.issued_on else None,
            "signer_name": campaign.signer_name,
        },
    )
    if hooks.basis(campaign) != basis:
        hooks.changed(campaign)  # a deployment's dates now apply below its federation
    kind_ids = participating_kind_ids(campaign)
    with translation.override(settings.LANGUAGE_CODE):  # for the units, not the issuer
        text = _("Plan %(number)s of %(day)s issued: “%(title)s”. Your unit's report is open.") % {
            "number": campaign.document_number,
            "day": f"{issued_on:%d/%m/%Y}",
            "title": campaign.title,
        }
    hooks.announce(
        campaign,
        key=f"campaign:{campaign.pk}:issued",
        text=text,
        kind_ids=kind_ids,
        departments=not campaign.is_deployment,
    )
    return campaign


def issue_problems(campaign: Campaign) -> list[str]:
    """What a plan lacks before it can be issued: units to address and an outline (a
    deployed plan has both from the plan it deploys, which must still be in force)."""
    problems = []
    if campaign.is_deployment:
        source = campaign.deployed_from
        if source is None or not source.is_issued:
            problems.append(_("The plan it deploys is not issued."))
        elif not campaign.owner.path.startswith(source.owner.path) or not kinds_below(
            plan_of(source), campaign.owner
        ):
            problems.append(
                _(
                    "%(unit)s is no longer a participating federation below %(owner)s: it "
                    "cannot issue this deployment."
                )
                % {"unit": campaign.owner, "owner": source.owner}
            )
        return problems
    if not campaign.participations.exists():
        problems.append(_("Choose the participating units."))
    if not campaign.outline_sections.exists():
        problems.append(_("Write the report outline."))
    return problems


def levels_without_deadline(campaign: Campaign) -> list[UnitKind]:
    """Participating levels with no report deadline in the timeline: shown before issuing,
    as such a level is counted due on the last day of the reviewed period until a
    federation above it deploys the plan with a date of its own."""
    with_deadline = Deadline.objects.filter(
        milestone__campaign=campaign, is_report=True, unit_kind__isnull=False
    ).values("unit_kind_id")
    return list(
        UnitKind.objects.filter(pk__in=participating_kind_ids(campaign))
        .exclude(pk__in=with_deadline)
        .order_by("rank")
    )


# Deploying (triển khai): a federation below turns an issued plan into its own.


@transaction.atomic
def campaign_deploy(*, by: User, source: Campaign, owner: Unit) -> Campaign:
    """A draft of `owner` deploying the issued plan `source`: the same resolutions,
    period and report outline (the units keep reporting under the plan at the top, so
    their figures roll up unchanged); the plan's sections and timeline as a start, with
    only the dates of the levels below `owner`; its own committee, signer and units to
    tell (its participating units below it)."""
    _require_admin(by, owner)
    if not visible_campaigns(by).filter(pk=source.pk).exists():
        raise PermissionDenied
    source = Campaign.objects.select_for_update().get(pk=source.pk)
    if not deploying_units(user=by, source=source).filter(pk=owner.pk).exists():
        raise ValidationError(
            _(
                "%(unit)s cannot deploy this plan: it must be issued, and %(unit)s a "
                "participating federation below its issuer that has not deployed it yet."
            )
            % {"unit": owner}
        )
    plan = plan_of(source)
    levels = kinds_below(plan, owner)
    header = Header(
        kind=source.kind,
        title=source.title,
        reviewed_from=source.reviewed_from,
        reviewed_to=source.reviewed_to,
        resolution_ids=tuple(source.resolutions.values_list("pk", flat=True)),
        review_item_ids=tuple(source.review_items.values_list("pk", flat=True)),
        preamble=source.preamble,
        closing=source.closing,
        signing_capacity=owner.kind.signing_capacity,
    )
    campaign = _new_draft(owner, header)
    Campaign.objects.filter(pk=campaign.pk).update(deployed_from=source)
    campaign.deployed_from = source
    write_plan(campaign, plan_rows(source, keep_ids=False))
    write_timeline(
        campaign,
        [
            dataclasses.replace(
                row,
                id=None,
                deadlines=tuple(
                    dataclasses.replace(d, id=None)
                    for d in row.deadlines
                    if d.unit_kind_id in levels
                ),
            )
            for row in milestone_rows(source)
        ],
    )
    write_participants(campaign, [ParticipationRow(owner.pk, tuple(levels))])
    audit.record(
        by=by,
        action=Action.DEPLOY,
        instance=campaign,
        after={"from": source.pk, **snapshot_all(campaign)},
    )
    return campaign


def _deadline_rows(campaign: Campaign) -> list[DeadlineRow]:
    return [d for row in milestone_rows(campaign) for d in row.deadlines]


def _write_deployed_timeline(campaign: Campaign, milestones: Sequence[MilestoneRow]) -> None:
    if campaign.is_deployment:
        _check_deployed_dates(campaign, [d for row in milestones for d in row.deadlines])
    write_timeline(campaign, milestones)


def _limit_above(dates: ReportDates, kind_id: int, path: str) -> tuple[datetime.date, int] | None:
    """The report date of the level `kind_id` as it stands above the federation at `path`,
    its own dates left out (`local_for` reads only the paths above it), and the plan that
    sets it: the nearest federation's above, else the plan's."""
    local = dates.local_for(kind_id, path)
    day = local.due_on if local else dates.plan.get(kind_id)
    if day is None:
        return None
    return day, local.campaign_id if local else dates.plan_id


def _check_deployed_dates(campaign: Campaign, deadlines: Sequence[DeadlineRow]) -> None:
    """A deployed plan sets dates for the levels below its federation only, within the
    dates of the plan it deploys: not before that plan was issued, not after the day the
    federation itself reports, nor after the date that plan gives the level. (Its
    departments' thematic reports are the plan's owner's: it sets them no date.)"""
    parent = campaign.deployed_from
    if parent is None:
        return
    owner = campaign.owner
    kinds = {kind.pk: kind for kind in UnitKind.objects.all()}
    # The dates as they stand above the federation, whichever plan it deploys (the plan
    # itself, or a deployment of it), its own left out: an amendment may move them.
    dates = report_dates(campaign)
    own_report = _limit_above(dates, owner.kind_id, owner.path)
    errors = []
    for row in deadlines:
        day = f"{row.due_on:%d/%m/%Y}"
        kind = kinds.get(row.unit_kind_id) if row.unit_kind_id else None
        if kind is None or kind.rank <= owner.kind.rank:
            errors.append(
                _("%(level)s: a deployed plan sets dates only for the levels below %(unit)s.")
                % {"level": kind.name if kind else _("Departments"), "unit": owner}
            )
            continue
        what = kind.name
        if parent.issued_on and row.due_on < parent.issued_on:
            errors.append(
                _("%(level)s, %(day)s: before the plan it deploys was issued (%(issued)s).")
                % {"level": what, "day": day, "issued": f"{parent.issued_on:%d/%m/%Y}"}
            )
        if not row.is_report:
            continue  # another deliverable: the plan's report dates bind only reports
        bounds = [own_report, _limit_above(dates, kind.pk, owner.path)]
        for bound in bounds:
            if bound is not None and row.due_on > bound[0]:
                plan = Campaign.objects.get(pk=bound[1])
                errors.append(
                    _(
                        "%(level)s, %(day)s: later than %(bound)s, set by plan %(number)s "
                        "for %(whom)s. Choose a date on or before %(bound)s."
                    )
                    % {
                        "level": what,
                        "day": day,
                        "bound": f"{bound[0]:%d/%m/%Y}",
                        "number": plan.document_number or plan.title,
                        "whom": owner.kind.name if bound is own_report else what,
                    }
                )
                break
    if errors:
        raise ValidationError(errors)


def dates_out_of_bounds(campaign: Campaign) -> list[str]:
    """For a deployment's administrators: its dates the plan above has since overtaken
    (an amendment above moved a date earlier), to amend in turn."""
    if not campaign.is_deployment:
        return []
    try:
        _check_deployed_dates(campaign, _deadline_rows(campaign))
    except ValidationError as error:
        return list(error.messages)
    return []


def overtaken_below(campaign: Campaign) -> list[str]:
    """For a plan's administrators: report dates that deployments below its unit set later
    than the dates above them (deployed before it, or before an amendment above), to be
    amended. Read from the plan's dates at once, whatever the number of deployments."""
    dates = report_dates(campaign)
    below = [
        item
        for item in dates.local
        if item.path.startswith(campaign.owner.path) and item.campaign_id != campaign.pk
    ]
    owners = {
        pk: (name, kind_id)
        for pk, name, kind_id in Campaign.objects.filter(
            pk__in={item.campaign_id for item in below}
        ).values_list("pk", "owner__name", "owner__kind_id")
    }
    kinds = UnitKind.objects.in_bulk()
    problems = []
    for item in below:
        name, owner_kind = owners[item.campaign_id]
        bounds = [
            limit[0]
            for limit in (
                _limit_above(dates, owner_kind, item.path),
                _limit_above(dates, item.kind_id, item.path),
            )
            if limit is not None
        ]
        if bounds and item.due_on > min(bounds):
            problems.append(
                _("%(unit)s: %(level)s due %(day)s, later than %(bound)s set above it.")
                % {
                    "unit": name,
                    "level": kinds[item.kind_id].name,
                    "day": f"{item.due_on:%d/%m/%Y}",
                    "bound": f"{min(bounds):%d/%m/%Y}",
                }
            )
    return problems


def _check_deployed_header(campaign: Campaign, header: Header) -> None:
    """A deployed plan reviews what the plan above reviews, over the same period."""
    source = campaign.deployed_from
    if source is None:
        return
    if (header.reviewed_from, header.reviewed_to) != (source.reviewed_from, source.reviewed_to):
        raise ValidationError(
            {"reviewed_to": _("A deployed plan reviews the same period as the plan it deploys.")}
        )
    if header.kind != source.kind:
        raise ValidationError({"kind": _("A deployed plan is the same kind of review.")})


# The committee's work plan: its own tasks, not a part of the issued plan, so saved
# without an amendment whether the plan is a draft or issued, and guarded by a revision
# of their own (a save of the plan's parts does not make the tasks' page stale).


class TasksAlreadyDrawn(ValidationError):
    """The committee has tasks already: drawing the standard ones again would add them
    twice (a double click on the button comes here, not to a conflict)."""

    def __init__(self) -> None:
        super().__init__(_("The committee already has tasks: add the ones you need on this page."))


def _locked_for_tasks(*, by: User, campaign: Campaign, revision: int | None) -> Campaign:
    """The campaign locked for a change of its tasks by an administrator, from a page of
    tasks_revision `revision` (None: checked by the caller)."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_admin(by, locked.owner)
    if revision is not None and locked.tasks_revision != revision:
        raise CampaignConflict
    return locked


def _tasks_changed(by: User, campaign: Campaign, locked: Campaign, before: dict, action) -> bool:
    """Move the tasks' revision and audit, if the tasks changed."""
    after = workplan.snapshot(locked)
    if before == after:
        return False
    Campaign.objects.filter(pk=locked.pk).update(tasks_revision=locked.tasks_revision + 1)
    campaign.tasks_revision = locked.tasks_revision + 1
    audit.record(by=by, action=action, instance=locked, before=before, after=after)
    return True


@transaction.atomic
def campaign_tasks_save(
    *, by: User, campaign: Campaign, revision: int, rows: Sequence[workplan.TaskRow]
) -> bool:
    """The committee's tasks become `rows` (added, changed, reordered, deleted at once),
    by the campaign's administrators from a page made of the current tasks; says
    whether anything changed."""
    locked = _locked_for_tasks(by=by, campaign=campaign, revision=revision)
    before = workplan.snapshot(locked)
    workplan.write_tasks(locked, rows)
    return _tasks_changed(by, campaign, locked, before, Action.TASKS)


@transaction.atomic
def campaign_tasks_draw(*, by: User, campaign: Campaign, revision: int) -> int:
    """The standard tasks of the committee, drawn from the plan (workplan.standard_rows),
    for a campaign without tasks; returns how many. Tasks there already are refused
    before the page's revision is compared, so a second click says so, not a conflict."""
    locked = _locked_for_tasks(by=by, campaign=campaign, revision=None)
    if locked.tasks.exists():
        raise TasksAlreadyDrawn
    if locked.tasks_revision != revision:
        raise CampaignConflict
    before = workplan.snapshot(locked)
    rows = workplan.standard_rows(locked)
    workplan.write_tasks(locked, rows)
    _tasks_changed(by, campaign, locked, before, Action.TASKS)
    return len(rows)


@transaction.atomic
def task_set_status(
    *, by: User, task: CommitteeTask, status: str, note: str | None = None
) -> CommitteeTask:
    """A task's status (and its note, if given), set by a person in charge of it or an
    administrator of its campaign; a task done records the day, kept if it was done
    already. The tasks' page open elsewhere becomes stale, so nobody overwrites it."""
    locked = Campaign.objects.select_for_update().get(pk=task.campaign_id)
    current = CommitteeTask.objects.select_related("campaign", "member", "department").get(
        pk=task.pk
    )
    if not can_update_task(by, current):
        raise PermissionDenied
    if status not in CommitteeTask.Status.values:
        raise ValidationError({"status": _("Choose the task's status.")})
    if note is not None and len(note) > REASON_LENGTH:
        raise ValidationError(
            {"note": _("Write the note in at most %d characters.") % REASON_LENGTH}
        )
    before = workplan.snapshot(locked)
    done = status == CommitteeTask.Status.DONE
    current.status = status
    current.done_on = (current.done_on or clock.today()) if done else None
    if note is not None:
        current.note = note.strip()
    current.save(update_fields=["status", "done_on", "note"])
    _tasks_changed(by, task.campaign, locked, before, Action.TASK_STATUS)
    return current
