"""Writing reports and moving them through their states.

Every write is one transaction. Saves are guarded by the report's revision: a save that
started from an older revision than the stored one would overwrite someone else's work,
so it is refused and the caller keeps the text to merge. State changes are guarded by
the state they start from, so a double-clicked button changes the state once.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from soket.audit import services as audit
from soket.campaigns.models import Campaign
from soket.core import clock
from soket.core.text import clean_text, grouped
from soket.notices.services import notify
from soket.orgs.models import Department, Unit, User
from soket.reports import (
    entry,
    hooks,
    limits,
    provenance,
    running,
    searchable,
    validation,
    workflow,
)
from soket.reports.assessment import compare, ratio_percent
from soket.reports.models import (
    Assessment,
    Figure,
    ItemAssessment,
    Report,
    SectionText,
    Transition,
    Version,
)
from soket.resolutions.models import Target

State = Report.State


class ReportError(Exception):
    """A change that cannot be made; the message is for the person who tried."""


class ReportConflict(ReportError):
    def __init__(self):
        super().__init__(
            _(
                "Someone else saved this report while you were editing it. Your text is "
                "kept below: compare it with the saved version, then save again."
            )
        )


class ReportWarnings(ReportError):
    """Figures that look wrong without being impossible: sent only once confirmed."""

    def __init__(self, warnings: list[str]):
        super().__init__(_("Check these figures before submitting: %s") % "; ".join(warnings))
        self.warnings = warnings


class ReportIncomplete(ReportError):
    def __init__(self, problems: list[str]):
        super().__init__(_("The report cannot be submitted yet: %s") % "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FigureInput:
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    override: str = ""
    override_reason: str = ""
    causes: str = ""


def require_permission(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def require_editable(report: Report) -> None:
    """Refuse changes to a report that is with the level above or accepted."""
    if not report.is_editable:
        raise ReportError(_("This report is %s and cannot be edited.") % report.get_state_display())


def report_for(*, campaign: Campaign, unit: Unit, department: Department | None = None) -> Report:
    """The report of a unit (or department) in a campaign, started as a draft if missing."""
    if not campaign.is_issued:
        raise ReportError(_("This plan is not issued yet: its reports open when it is."))
    if campaign.is_deployment:
        raise ReportError(_("Reports are written under the plan this one deploys."))
    try:
        with transaction.atomic():
            report, _created = Report.objects.get_or_create(
                campaign=campaign, unit=unit, department=department
            )
    except IntegrityError:  # created meanwhile by a concurrent request
        report = Report.objects.get(campaign=campaign, unit=unit, department=department)
    return report


def bump_revision(report: Report, revision: int) -> None:
    changed = Report.objects.filter(pk=report.pk, revision=revision).update(
        revision=F("revision") + 1
    )
    if not changed:
        raise ReportConflict


def figure_fields(target: Target, given: FigureInput) -> dict:
    """The stored numbers of a figure, derived as the target's aggregation needs."""
    value, numerator, denominator = given.value, given.numerator, given.denominator
    if target.aggregation == Target.Aggregation.RATIO:
        value = ratio_percent(numerator, denominator)
    elif target.aggregation == Target.Aggregation.SHARE_MEETING:
        if numerator is not None and denominator:
            value = ratio_percent(numerator, denominator)
        elif value is not None and target.goal_value is not None:
            meets = compare(target, value, target.goal_value) != Assessment.NOT_ACHIEVED
            numerator, denominator = Decimal(1 if meets else 0), Decimal(1)
    return {"value": value, "numerator": numerator, "denominator": denominator}


@transaction.atomic
def report_save(
    *,
    report: Report,
    by: User,
    revision: int,
    sections: Mapping[int, str] | None = None,
    figures: Mapping[int, FigureInput] | None = None,
    items: Mapping[int, str] | None = None,
) -> Report:
    require_permission(workflow.can_edit(by, report))
    report.refresh_from_db()
    require_editable(report)
    targets = Target.objects.in_bulk(list((figures or {}).keys()))
    codes = {target_id: target.code for target_id, target in targets.items()}
    problems = [
        _("%s: give the reason for setting the assessment by hand")
        % validation.target_name(targets[target_id])
        for target_id, given in (figures or {}).items()
        if given.override and not given.override_reason.strip()
    ]
    problems += limits.problems(
        sections=sections or {}, items=items or {}, figures=figures or {}, codes=codes
    )
    problems += validation.figure_errors(report=report, figures=figures or {}, targets=targets)
    if problems:
        raise ReportError("; ".join(problems))
    bump_revision(report, revision)
    before = report_content(report)

    for section_id, text in (sections or {}).items():
        SectionText.objects.update_or_create(
            report=report,
            section_id=section_id,
            defaults={"text": text, "folded": searchable.text_copy(text)},
        )
    for target_id, given in (figures or {}).items():
        Figure.objects.update_or_create(
            report=report,
            target_id=target_id,
            defaults={
                **figure_fields(targets[target_id], given),
                "assessment_override": given.override,
                "override_reason": given.override_reason,
                "causes": given.causes,
                "folded_causes": searchable.causes_copy(given.causes),
            },
        )
    for item_id, text in (items or {}).items():
        ItemAssessment.objects.update_or_create(
            report=report,
            item_id=item_id,
            defaults={"text": text, "folded": searchable.text_copy(text)},
        )
    report.refresh_from_db()
    audit.record(by=by, action="save", instance=report, before=before, after=report_content(report))
    return report


def quoted_in(text: str, *, source: str, passage: str) -> bool:
    """Whether `passage` already stands in `text` under a source line naming `source`:
    quoted before, or drafted from below under the same name."""
    line = provenance.source_line(source)
    return any(
        provenance.source_line(found.source) == line and passage.strip() in found.text
        for found in provenance.passages(text)
        if found.source
    )


@transaction.atomic
def report_quote(
    *,
    report: Report,
    by: User,
    text: str,
    source: str,
    section_id: int | None = None,
    item_id: int | None = None,
    revision: int | None = None,
) -> bool:
    """Add a passage of a report below to a section (or a review item's assessment) of
    this report, under a source line naming who wrote it (`provenance.with_source`),
    which the printed document leaves out as it does for drafted text.

    Idempotent: a passage already there under the same source is not added again, so a
    double click quotes once; returns whether it was added. An addition bumps the
    revision, so a form of the report opened before it is refused on save and keeps its
    text (an append loses nothing of anyone's, so it needs no revision of its own; one
    given is checked like a save's)."""
    if (section_id is None) == (item_id is None):
        raise ValueError("a quote goes to one section or one review item")
    require_permission(workflow.can_edit(by, report))
    Report.objects.select_for_update().filter(pk=report.pk).get()  # one quote at a time
    report.refresh_from_db()
    require_editable(report)
    passage = clean_text(text).strip()
    if not passage or not source.strip():
        raise ReportError(_("There is nothing to quote."))
    model: type[SectionText] | type[ItemAssessment]
    key: dict[str, int]
    if section_id is not None:
        model, key, where = SectionText, {"section_id": section_id}, _("A section of the report")
    else:
        assert item_id is not None
        model, key, where = (
            ItemAssessment,
            {"item_id": item_id},
            _("The assessment of a review item"),
        )
    row = model.objects.filter(report=report, **key).first()
    current = row.text if row else ""
    if quoted_in(current, source=source, passage=passage):
        return False
    if revision is not None and revision != report.revision:
        raise ReportConflict
    new = "\n\n".join(
        part for part in (current.rstrip(), provenance.with_source(source, passage)) if part
    )
    problem = limits.too_long(new, limits.TEXT, where)
    if problem:
        raise ReportError(problem)
    before = report_content(report)
    bump_revision(report, report.revision)
    model.objects.update_or_create(
        defaults={"text": new, "folded": searchable.text_copy(new)},
        report=report,
        **key,  # type: ignore[arg-type]  # django-stubs reads **key as `defaults`
    )
    report.refresh_from_db()
    audit.record(
        by=by, action="quote", instance=report, before=before, after=report_content(report)
    )
    return True


MAX_DOCUMENT_NUMBER = cast(int, Report._meta.get_field("document_number").max_length)


@transaction.atomic
def report_set_reference(
    *,
    report: Report,
    by: User,
    revision: int,
    document_number: str,
    issued_on: datetime.date | None,
    is_signed: bool,
) -> Report:
    """Record the number, date and signing of the report as the office issues it.

    They belong to the document that leaves with the submission, so they change while
    the report can be edited, and a stale form is refused like any other save."""
    require_permission(workflow.can_edit(by, report))
    report.refresh_from_db()
    require_editable(report)
    document_number = " ".join(document_number.split())
    problems = []
    if document_number and document_number[0] not in "0123456789":
        problems.append(_("The document number starts with its number, as in 45/BC-LĐLĐ."))
    if len(document_number) > MAX_DOCUMENT_NUMBER:
        problems.append(
            _("The document number is longer than %d characters.") % MAX_DOCUMENT_NUMBER
        )
    if issued_on is not None and issued_on > clock.today():
        problems.append(_("The document date cannot be later than today."))
    if problems:
        raise ReportError(" ".join(problems))
    before = _reference(report)
    bump_revision(report, revision)
    Report.objects.filter(pk=report.pk).update(
        document_number=document_number, issued_on=issued_on, is_signed=is_signed
    )
    report.refresh_from_db()
    audit.record(
        by=by, action="reference", instance=report, before=before, after=_reference(report)
    )
    return report


def _reference(report: Report) -> dict:
    return {
        "document_number": report.document_number,
        "issued_on": report.issued_on.isoformat() if report.issued_on else None,
        "is_signed": report.is_signed,
    }


def report_content(report: Report) -> dict:
    """What a report says, as plain data: kept in every submitted version."""
    figures = report.figures.select_related("target")
    return {
        "sections": {
            str(text.section_id): text.text for text in report.section_texts.all() if text.text
        },
        "figures": {
            figure.target.code: {
                "value": _number(figure.value),
                "numerator": _number(figure.numerator),
                "denominator": _number(figure.denominator),
                "assessment_override": figure.assessment_override,
                "override_reason": figure.override_reason,
                "causes": figure.causes,
            }
            for figure in figures
        },
        "items": {
            item.item.code: item.text for item in report.item_assessments.select_related("item")
        },
        "attachments": sorted(report.attachments.values_list("name", flat=True)),
    }


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _move(
    report: Report,
    *,
    action: str,
    to_state: str,
    from_states: Iterable[str],
    by: User,
    reason: str,
    at: datetime.datetime,
    **fields,
) -> Report:
    """Change the state if it still is one of `from_states`; record who, when and why.

    The running totals and counts follow (running.py), at the end of the transaction."""
    from_states = list(from_states)
    locked = Report.objects.select_for_update().filter(pk=report.pk)
    before, first_submitted_before = locked.values_list("state", "first_submitted_at").get()
    changed = Report.objects.filter(pk=report.pk, state__in=from_states).update(
        state=to_state, revision=F("revision") + 1, **fields
    )
    if not changed:
        report.refresh_from_db()
        raise ReportError(
            _("The report is already %s; nothing was changed.") % report.get_state_display()
        )
    Transition.objects.create(
        report=report,
        action=action,
        from_state=before,
        to_state=to_state,
        by=by,
        at=at,
        reason=reason,
    )
    report.refresh_from_db()
    running.report_moved(report, from_state=before, first_submitted_before=first_submitted_before)
    audit.record(
        by=by,
        action=action,
        instance=report,
        before={"state": before},
        after={"state": to_state, "reason": reason},
    )
    return report


def _missing_causes(report: Report) -> list[str]:
    from soket.reports.selectors import evaluations

    return [
        _("%s was not reached: state its causes") % validation.target_name(row.target)
        for row in evaluations(report=report)
        if row.evaluation.assessment == Assessment.NOT_ACHIEVED and not row.figure.causes.strip()
    ]


def _stored_errors(report: Report) -> list[str]:
    """The checks of every save, run again on what is stored: figures kept from before a
    check existed, or written by a script, are not sent up as they are."""
    below = entry.has_units_below(report)
    figures = {
        figure.target_id: (
            FigureInput(numerator=figure.numerator, denominator=figure.denominator)
            if entry.entered_as_counts(figure.target, units_below=below)
            else FigureInput(value=figure.value)
        )
        for figure in report.figures.select_related("target")
    }
    return validation.figure_errors(report=report, figures=figures)


@transaction.atomic
@running.applied_last
def report_transition(
    *,
    report: Report,
    move: workflow.Move,
    by: User,
    reason: str = "",
    warnings_confirmed: bool = False,
) -> Report:
    """Make one move of the workflow (workflow.py): check that the person may, that a
    reason is given where one is needed, and that the report is still where the move
    starts; record it, keep a version of what was sent, and tell whom the move tells.

    A report is submitted with figures that look wrong (validation.warnings_for) only
    once the sender has seen the warnings and confirmed them."""
    if move.action is None or move.to_state is None:
        raise ValueError(f"{move.name} changes no state: it is report_save")
    require_permission(move.allowed(by, report))
    reason = reason.strip() if move.needs_reason else ""
    if move.needs_reason and not reason:
        raise ReportError(str(move.asks_reason))
    if len(reason) > limits.SHORT_TEXT:
        raise ReportError(
            _("The reason is longer than %s characters.") % grouped(limits.SHORT_TEXT)
        )
    now = clock.now()
    fields: dict = {}
    if move is workflow.SUBMIT:
        # What is checked is what goes up: no save may slip in between (it waits for
        # the row), so a guard's or a check's reading still holds when the state moves.
        Report.objects.select_for_update().filter(pk=report.pk).values_list("pk").get()
        for guard in hooks.submit_guards:  # the rules of the apps above (drafting's adoption)
            guard(report)
        problems = _stored_errors(report) + _missing_causes(report)
        if problems:
            raise ReportIncomplete(problems)
        warnings = validation.warnings_for(report)
        if warnings and not warnings_confirmed and report.is_editable:
            raise ReportWarnings(warnings)
        fields = {
            "submitted_at": now,
            "first_submitted_at": Coalesce(F("first_submitted_at"), Value(now)),
        }
    elif move is workflow.ACCEPT:
        fields = {"accepted_at": now}
    elif move is workflow.REOPEN:
        fields = {"accepted_at": None}
    report = _move(
        report,
        action=move.action,
        to_state=move.to_state,
        from_states=move.from_states,
        by=by,
        reason=reason,
        at=now,
        **fields,
    )
    if move is workflow.SUBMIT:
        Version.objects.create(
            report=report,
            number=report.versions.count() + 1,
            submitted_by=by,
            submitted_at=now,
            content=report_content(report),
        )
    if move.notice:
        notify(
            users=workflow.told(move, report, by=by),
            text=move.notice
            % {"unit": report.author_name, "campaign": report.campaign.title, "reason": reason},
            url=reverse("report_detail", args=[report.pk]),
        )
    return report


# Each move by name, for the code that reads best that way (tests, the demo, commands).


def report_submit(*, report: Report, by: User, warnings_confirmed: bool = False) -> Report:
    return report_transition(
        report=report, move=workflow.SUBMIT, by=by, warnings_confirmed=warnings_confirmed
    )


def report_withdraw(*, report: Report, by: User) -> Report:
    """Take back a submission that nobody has reviewed yet."""
    return report_transition(report=report, move=workflow.WITHDRAW, by=by)


def report_return(*, report: Report, by: User, reason: str) -> Report:
    return report_transition(report=report, move=workflow.RETURN, by=by, reason=reason)


def report_accept(*, report: Report, by: User) -> Report:
    return report_transition(report=report, move=workflow.ACCEPT, by=by)


def report_reopen(*, report: Report, by: User, reason: str) -> Report:
    """Open an accepted report again for its unit to change."""
    return report_transition(report=report, move=workflow.REOPEN, by=by, reason=reason)


@transaction.atomic
@running.applied_last
def reports_accept(*, reports: Iterable[Report], by: User) -> list[Report]:
    """Accept many submitted reports at once: all of them, or none if any cannot be."""
    return [report_accept(report=report, by=by) for report in reports]
