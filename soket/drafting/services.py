"""The drafter's and the readers' moves, from circulating a draft to its adoption.

Who drafts is whoever may write the report (reports.workflow.can_edit); who reads is
named by the drafter among the people of the report's unit and its departments and the
campaign's steering members who see the report (selectors.eligible_readers). Every
write is one transaction and refuses bad input with a message for the person who tried.

Choices where the plan is silent:
- A comment after its round's due date, or once the presentation is recorded, is
  refused: the drafter opens a new round for late readers.
- The drafter is told once per reader and round, at the reader's first comment.
- Circulating again what an open round already circulates (the same text and figures,
  readers and due date: a double click) returns that round; keeping a version that says
  what the last kept one says returns the last.
- A refused reader is not named: the drafter chose among the people the form listed,
  so an id from elsewhere names nobody back.
- The adopted version is the presented one when the report has not changed since the
  conference; otherwise (the conference asked for changes) the report as it stands is
  kept as a new adopted version. Recording the adoption again after further changes
  makes a newer one. The report goes up only as adopted (submit_guard).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from soket.audit import services as audit
from soket.campaigns.models import OutlineSection
from soket.campaigns.selectors import report_outline
from soket.core import clock
from soket.core.text import clean_text, grouped
from soket.drafting.models import Comment, CommentRound, DraftingRecord, DraftVersion, Reader
from soket.drafting.selectors import eligible_readers, unanswered
from soket.notices.services import notify
from soket.orgs.models import User
from soket.reports import limits, workflow
from soket.reports.models import Report
from soket.reports.services import ReportError, report_content

Purpose = DraftVersion.Purpose
Answer = Comment.Answer
MAX_CONFERENCE = 300


class DraftingError(ReportError):
    """A drafting step that cannot be taken; the message is for the person who tried."""


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "d/m/Y")


def _require_drafter(by: User, report: Report) -> None:
    if not workflow.can_edit(by, report):
        raise PermissionDenied


def _require_editable(report: Report) -> None:
    if not report.is_editable:
        raise DraftingError(
            _("The report is %s: its drafting is over until it comes back to its unit.")
            % report.get_state_display().lower()
        )


def _locked(report: Report) -> Report:
    """The report's row, locked: versions and rounds are numbered one at a time."""
    return Report.objects.select_for_update().get(pk=report.pk)


def _next_number(rows, report: Report) -> int:
    return (rows.filter(report=report).aggregate(last=Max("number"))["last"] or 0) + 1


def _keep(report: Report, *, by: User, purpose: str) -> DraftVersion:
    """A new version of the report as it stands (the caller holds the report's lock)."""
    return DraftVersion.objects.create(
        report=report,
        number=_next_number(DraftVersion.objects, report),
        purpose=purpose,
        content=report_content(report),
        made_by=by,
        made_at=clock.now(),
    )


@transaction.atomic
def version_keep(*, report: Report, by: User) -> DraftVersion:
    """Keep the report as it stands now, to compare with later."""
    _require_drafter(by, report)
    report = _locked(report)
    last = DraftVersion.objects.filter(report=report).order_by("-number").first()
    if last is not None and last.content == report_content(report):
        return last  # a double click, or nothing changed since: no second copy
    version = _keep(report, by=by, purpose=Purpose.SAVED)
    audit.record(
        by=by, action="version", instance=report, before=None, after={"version": version.number}
    )
    return version


def _same_open_round(
    report: Report, *, readers: set[int], due_on: datetime.date
) -> CommentRound | None:
    """The latest open round if it circulates what the report says now to the same
    readers by the same date (a double click), else None."""
    last = (
        CommentRound.objects.filter(report=report, closed_at__isnull=True)
        .select_related("version")
        .order_by("-number")
        .first()
    )
    if (
        last is not None
        and last.due_on == due_on
        and set(last.readers.values_list("user_id", flat=True)) == readers
        and last.version.content == report_content(report)
    ):
        return last
    return None


@transaction.atomic
def round_open(
    *,
    report: Report,
    by: User,
    readers: Iterable[User],
    due_on: datetime.date | None,
    note: str = "",
) -> CommentRound:
    """Circulate the report as it stands to the named readers for comments by `due_on`;
    each reader is told once, with a link to the page where they comment."""
    _require_drafter(by, report)
    report = _locked(report)
    _require_editable(report)
    chosen = {user.pk: user for user in readers}
    note = note.strip()
    problems = []
    if not chosen:
        problems.append(_("Choose at least one reader."))
    if by.pk in chosen:
        problems.append(_("You circulate the draft: you cannot also be one of its readers."))
    outside = set(chosen) - set(
        eligible_readers(report).filter(pk__in=list(chosen)).values_list("pk", flat=True)
    )
    if outside:
        # Not named: the drafter may not see who they are.
        problems.append(
            ngettext(
                "%(count)d of the readers chosen cannot read this draft: readers are the "
                "people of the unit and its departments and the steering committee's "
                "members who see the report.",
                "%(count)d of the readers chosen cannot read this draft: readers are the "
                "people of the unit and its departments and the steering committee's "
                "members who see the report.",
                len(outside),
            )
            % {"count": len(outside)}
        )
    if due_on is None:
        problems.append(_("Give the date comments are due by (dd/mm/yyyy)."))
    elif due_on < clock.today():
        problems.append(_("The date comments are due by cannot be earlier than today."))
    if len(note) > limits.SHORT_TEXT:
        problems.append(_("The note is longer than %s characters.") % grouped(limits.SHORT_TEXT))
    if problems:
        raise DraftingError(" ".join(problems))
    assert due_on is not None
    same = _same_open_round(report, readers=set(chosen), due_on=due_on)
    if same is not None:
        return same
    version = _keep(report, by=by, purpose=Purpose.CIRCULATED)
    round_ = CommentRound.objects.create(
        report=report,
        number=_next_number(CommentRound.objects, report),
        version=version,
        due_on=due_on,
        note=note,
        opened_by=by,
        opened_at=clock.now(),
    )
    Reader.objects.bulk_create(Reader(round=round_, user=user) for user in chosen.values())
    notify(
        users=chosen.values(),
        text=_("“%(report)s”: the draft is circulated to you for comments by %(day)s.")
        % {"report": report.author_name, "day": _day(due_on)},
        url=reverse("comment_round", args=[round_.pk]),
        key=f"drafting-round-{round_.pk}",
    )
    audit.record(
        by=by,
        action="circulate",
        instance=report,
        before=None,
        after={"round": round_.number, "version": version.number, "due_on": due_on.isoformat()},
    )
    return round_


@transaction.atomic
def comment_add(
    *, round: CommentRound, by: User, section: OutlineSection | None, text: str
) -> Comment:
    """A reader's comment on one section of the circulated version, or on the whole.
    The report's row is locked first, as presentation_record locks it before closing
    the rounds: a comment lands before the closing or is refused after it."""
    Report.objects.select_for_update().only("pk").get(pk=round.report_id)
    round_ = CommentRound.objects.select_related("report").get(pk=round.pk)
    if not Reader.objects.filter(round=round_, user_id=by.pk, user__is_active=True).exists():
        raise DraftingError(_("You are not among the readers of this draft."))
    text = clean_text(text).strip()
    if round_.closed_at is not None:
        raise DraftingError(
            _("Comments on this draft are closed: it has been presented to the conference.")
        )
    if clock.today() > round_.due_on:
        raise DraftingError(
            _(
                "Comments were due by %s: this round is over. Ask the drafter to circulate "
                "the draft to you again."
            )
            % _day(round_.due_on)
        )
    problems = []
    if not text:
        problems.append(_("Write your comment."))
    elif len(text) > limits.SHORT_TEXT:
        problems.append(_("The comment is longer than %s characters.") % grouped(limits.SHORT_TEXT))
    report = round_.report
    if (
        section is not None
        and not report_outline(report.campaign, report.unit).filter(pk=section.pk).exists()
    ):
        problems.append(_("This section is not in the report's outline."))
    if problems:
        raise DraftingError(" ".join(problems))
    comment = Comment.objects.create(
        round=round_, reader=by, section=section, text=text, created_at=clock.now()
    )
    # The drafter hears once per reader and round, not once per comment.
    notify(
        users=User.objects.filter(pk=round_.opened_by_id, is_active=True),
        text=_("%(reader)s commented on the draft of “%(report)s” (round %(round)d).")
        % {
            "reader": by.full_name or by.username,
            "report": report.author_name,
            "round": round_.number,
        },
        url=reverse("drafting_detail", args=[report.pk]),
        key=f"drafting-round-{round_.pk}-reader-{by.pk}",
    )
    return comment


@transaction.atomic
def comment_answer(*, comment: Comment, by: User, answer: str, reason: str = "") -> Comment:
    """The drafter's answer: taken, or not taken with the reason why. An answer can be
    changed until the report leaves its unit."""
    comment = Comment.objects.select_related("round__report").get(pk=comment.pk)
    report = comment.round.report
    _require_drafter(by, report)
    _require_editable(report)
    reason = clean_text(reason).strip()
    if answer not in Answer.values:
        raise DraftingError(_("Say whether the comment is taken or not."))
    if answer == Answer.NOT_TAKEN and not reason:
        raise DraftingError(_("Say why the comment is not taken."))
    if len(reason) > limits.SHORT_TEXT:
        raise DraftingError(
            _("The reason is longer than %s characters.") % grouped(limits.SHORT_TEXT)
        )
    before = {"answer": comment.answer, "reason": comment.answer_reason}
    Comment.objects.filter(pk=comment.pk).update(
        answer=answer,
        answer_reason=reason,
        answered_by=by,
        answered_at=clock.now(),
    )
    comment.refresh_from_db()
    audit.record(
        by=by,
        action="answer",
        instance=report,
        before={"comment": comment.pk, **before},
        after={"comment": comment.pk, "answer": answer, "reason": reason},
    )
    return comment


def _require_all_answered(report: Report, what: str) -> None:
    left = unanswered(report).count()
    if left:
        raise DraftingError(
            ngettext(
                "%(count)d comment still waits for an answer: answer it before %(what)s.",
                "%(count)d comments still wait for an answer: answer each before %(what)s.",
                left,
            )
            % {"count": left, "what": what}
        )


@transaction.atomic
def presentation_record(
    *, report: Report, by: User, conference_on: datetime.date | None, conference: str = ""
) -> DraftingRecord:
    """Record the version presented to the conference (the report as it stands) and the
    conference's date; the rounds of comments close. Recording it again replaces the
    record, and an adoption recorded before it is to be recorded again."""
    _require_drafter(by, report)
    report = _locked(report)
    _require_editable(report)
    conference = " ".join(conference.split())
    problems = []
    if conference_on is None:
        problems.append(_("Give the date of the conference (dd/mm/yyyy)."))
    elif conference_on > clock.today():
        problems.append(
            _("Record the presentation once the conference has met: its date is later than today.")
        )
    if len(conference) > MAX_CONFERENCE:
        problems.append(_("The conference's name is longer than %d characters.") % MAX_CONFERENCE)
    if problems:
        raise DraftingError(" ".join(problems))
    _require_all_answered(report, _("recording the version presented"))
    version = _keep(report, by=by, purpose=Purpose.PRESENTED)
    CommentRound.objects.filter(report=report, closed_at__isnull=True).update(closed_at=clock.now())
    record, _created = DraftingRecord.objects.update_or_create(
        report=report,
        defaults={
            "presented_version": version,
            "conference": conference,
            "conference_on": conference_on,
            "presented_by": by,
            "adopted_version": None,
            "adopted_on": None,
            "adopted_by": None,
        },
    )
    audit.record(
        by=by,
        action="present",
        instance=report,
        before=None,
        after={
            "version": version.number,
            "conference_on": str(conference_on),
            "conference": conference,
        },
    )
    return record


@transaction.atomic
def adoption_record(
    *, report: Report, by: User, adopted_on: datetime.date | None
) -> DraftingRecord:
    """Record the adoption: of the presented version if the report is unchanged since,
    else of the report as it stands, kept as a new version (the conference asked for
    changes and they are made). That version is the one the report sends up."""
    _require_drafter(by, report)
    report = _locked(report)
    _require_editable(report)
    record = (
        DraftingRecord.objects.filter(report=report).select_related("presented_version").first()
    )
    if record is None or record.presented_version is None or record.conference_on is None:
        raise DraftingError(
            _("Record first the version presented to the conference and the conference's date.")
        )
    if adopted_on is None:
        raise DraftingError(_("Give the date of the adoption (dd/mm/yyyy)."))
    if adopted_on < record.conference_on:
        raise DraftingError(
            _("The adoption cannot come before the conference of %s.") % _day(record.conference_on)
        )
    if adopted_on > clock.today():
        raise DraftingError(_("The date of the adoption cannot be later than today."))
    _require_all_answered(report, _("recording the adoption"))
    if report_content(report) == record.presented_version.content:
        version = record.presented_version
    else:
        version = _keep(report, by=by, purpose=Purpose.ADOPTED)
    record.adopted_version = version
    record.adopted_on = adopted_on
    record.adopted_by = by
    record.save(update_fields=["adopted_version", "adopted_on", "adopted_by"])
    audit.record(
        by=by,
        action="adopt",
        instance=report,
        before=None,
        after={"version": version.number, "adopted_on": adopted_on.isoformat()},
    )
    return record


def submit_guard(report: Report) -> None:
    """A report whose adoption is recorded goes up as adopted: refused when what it says
    now differs from the adopted version (registered in reports.hooks)."""
    version = (
        DraftVersion.objects.filter(
            pk__in=DraftingRecord.objects.filter(report_id=report.pk).values("adopted_version_id")
        )
        .only("number", "content")
        .first()
    )
    if version is not None and report_content(report) != version.content:
        raise DraftingError(
            _(
                "The report has changed since version %d was adopted: what goes up is the "
                "adopted report. Record the adoption again (on the drafting page) after the "
                "changes, or undo them."
            )
            % version.number
        )
