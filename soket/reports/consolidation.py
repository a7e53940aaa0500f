"""Drafting a level's report from the reports below it.

The drafter's figures start as the rollup of the children's reports, and its sections
and review items as the children's texts, each passage under the name of the unit (or
department) that wrote it. Each compiled text and each rolled-up figure is kept beside
what the drafter has now (`drafted_text`, `Figure.drafted_*`), so a later draft tells
the drafter's edits from what it compiled itself:

- what the drafter has not edited takes the new compilation, and the summary says so;
- what they edited is left alone, and when the reports below have changed since, the
  change is shown: they take it (a guarded write, kept in the audit trail) or keep their
  own text, which records that they have seen this compilation until it changes again.

Nothing stale is kept silently and no edit is lost.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from soket.audit import services as audit
from soket.core import clock
from soket.orgs.models import User
from soket.orgs.names import short_name
from soket.reports import limits, provenance, rollup, searchable, workflow
from soket.reports.models import Assessment, Figure, ItemAssessment, Report, SectionText
from soket.reports.selectors import (
    evaluation_of,
    evaluations,
    goals_of,
    is_judged_here,
    outline_sections,
    report_targets,
)
from soket.reports.services import (
    ReportError,
    bump_revision,
    report_content,
    require_editable,
    require_permission,
)
from soket.reports.templatetags.report_tags import assessment_label
from soket.resolutions.models import Target

Numbers = tuple[Decimal | None, Decimal | None, Decimal | None]
NONE: Numbers = (None, None, None)
Row = SectionText | ItemAssessment | None  # a stored text, if there is one yet
STORED = Decimal("0.0001")  # the figures' decimal places: a rollup compares as stored


def states_used(include_submitted: bool) -> tuple[str, ...]:
    """The states of the reports below a draft reads."""
    return rollup.ACCEPTED_OR_SUBMITTED if include_submitted else rollup.ACCEPTED


def _stored(numbers: Numbers) -> Numbers:
    a, b, c = (None if n is None else n.quantize(STORED) for n in numbers)
    return a, b, c


def _live(report: Report, include_submitted: bool) -> dict[int, rollup.Rolled]:
    rolled = rollup.children_rollup(
        campaign=report.campaign, parents=[report.unit_id], states=states_used(include_submitted)
    )
    return {target_id: value for (_parent, target_id), value in rolled.items()}


def _seen(what: str) -> str:
    """A short fingerprint of a compilation, so a choice applies to what the person saw."""
    return hashlib.sha256(what.encode()).hexdigest()[:20]


def _passages(text: str) -> list[str]:
    return [passage.strip() for passage in text.split("\n\n") if passage.strip()]


@dataclass(frozen=True)
class TextChange:
    """A section or review item whose compilation from below changed since the draft."""

    key: str  # "section-<id>" or "item-<id>", as the choice form names it
    title: str
    drafted: str  # compiled at the last draft (or last seen)
    compiled: str  # compiled now
    text: str  # what the drafter has now

    @property
    def edited(self) -> bool:
        return self.text != self.drafted

    @property
    def added(self) -> list[str]:
        before = set(_passages(self.drafted))
        return [passage for passage in _passages(self.compiled) if passage not in before]

    @property
    def removed(self) -> list[str]:
        now = set(_passages(self.compiled))
        return [passage for passage in _passages(self.drafted) if passage not in now]

    @property
    def seen(self) -> str:
        return _seen(self.compiled)


@dataclass(frozen=True)
class MovedFigure:
    """A figure whose rollup below changed since it was drafted."""

    target: Target
    drafted: Decimal | None
    live: Decimal | None
    edited: bool  # the drafter changed the drafted figure by hand
    value: Decimal | None = None  # the drafter's figure now
    live_numbers: Numbers = NONE
    drafted_numbers: Numbers = NONE

    @property
    def key(self) -> str:
        return f"figure-{self.target.pk}"

    @property
    def seen(self) -> str:
        return _seen(repr(self.live_numbers))


@dataclass(frozen=True)
class ChangesBelow:
    sections: list[TextChange] = field(default_factory=list)
    items: list[TextChange] = field(default_factory=list)
    figures: list[MovedFigure] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sections or self.items or self.figures)

    def __len__(self) -> int:
        return len(self.sections) + len(self.items) + len(self.figures)

    def all(self) -> list[TextChange | MovedFigure]:
        return [*self.sections, *self.items, *self.figures]

    @property
    def edited(self) -> int:
        """How many changes wait for the drafter's choice: the others a draft takes."""
        return sum(1 for change in self.all() if change.edited)

    def get(self, key: str) -> TextChange | MovedFigure | None:
        return next((change for change in self.all() if change.key == key), None)


@dataclass(frozen=True)
class Redrafted:
    report: Report
    updated: list[str]  # what took the new compilation: section numbers, items, target codes
    waiting: ChangesBelow  # what the drafter edited and the reports below changed


def not_yet_accepted(*, report: Report, include_submitted: bool) -> int:
    """How many of the reports a draft would use are submitted but not yet accepted."""
    if not include_submitted:
        return 0
    return _reports_below(report, include_submitted).filter(state=Report.State.SUBMITTED).count()


def _reports_below(report: Report, include_submitted: bool):
    """What a draft reads: the children's unit reports and the unit's departments' reports."""
    return Report.objects.filter(
        campaign=report.campaign, state__in=states_used(include_submitted)
    ).filter(
        Q(unit__parent=report.unit, department__isnull=True)
        | Q(unit=report.unit, department__isnull=False)
    )


def _compiled(model, key: str, report: Report, include_submitted: bool) -> dict[int, str]:
    """Each section's (or review item's) passages from the reports below: the
    departments' by their order (their topics), then the units' in the order of the
    tree, each under a source line naming who wrote it (`provenance`), which the
    printed document leaves out. Each passage is what the report below says as printed:
    its own source lines are left out, so sources never nest."""
    texts = (
        model.objects.filter(report__in=_reports_below(report, include_submitted))
        .exclude(text="")
        .select_related("report__unit", "report__department")
        .order_by(
            key,
            F("report__department__order").asc(nulls_last=True),
            "report__unit__path",
            "report_id",
        )
    )
    compiled: dict[int, list[str]] = {}
    for text in texts:
        author = text.report.author_name
        if text.report.state != Report.State.ACCEPTED:
            author = _("%s — not yet accepted") % author
        compiled.setdefault(getattr(text, key), []).append(
            provenance.with_source(author, provenance.printed(text.text))
        )
    return {pk: "\n\n".join(passages) for pk, passages in compiled.items()}


def _summary(
    report: Report,
    targets: list[Target],
    live: dict[int, rollup.Rolled],
    goals: dict[int, Target],
) -> str:
    """A line that opens a section of targets: how many were exceeded, reached and
    missed by the figures below, for the drafter to keep or change. Written in
    Vietnamese whatever the drafter's language: it is printed. `goals`: `goals_of`
    the report's targets, read once for all its sections."""
    if not targets:
        return ""
    counted: Counter[str] = Counter()
    for target in targets:
        rolled = live.get(target.pk)
        value = rolled.for_target(target)[0] if rolled else None
        counted[_kind_of_result(report, goals[target.pk], value)] += 1
    with translation.override("vi"):  # the words the targets table prints
        words: dict[str, str] = {
            str(value): f"chỉ tiêu {assessment_label(value, report.campaign)}"
            for value in (Assessment.EXCEEDED, Assessment.ACHIEVED, Assessment.NOT_ACHIEVED)
        }
    words |= {
        CONTRIBUTION: "chỉ tiêu là phần đóng góp vào mục tiêu chung, không đánh giá ở cấp này",
        QUALITATIVE: "chỉ tiêu định tính",
        NO_FIGURE: "chỉ tiêu chưa có số liệu",
    }
    parts = [f"{counted[kind]} {text}" for kind, text in words.items() if counted[kind]]
    return f"Trong {len(targets)} chỉ tiêu: " + ", ".join(parts) + "."


# What a target's figure below amounts to, where it is not judged.
CONTRIBUTION, QUALITATIVE, NO_FIGURE = "contribution", "qualitative", "no-figure"


def _kind_of_result(report: Report, goal: Target, value: Decimal | None) -> str:
    computed = evaluation_of(report, goal, value).computed
    if computed:
        return computed
    if goal.direction == Target.Direction.QUALITATIVE:
        return QUALITATIVE
    if value is not None and not is_judged_here(goal, report):
        return CONTRIBUTION
    return NO_FIGURE


def causes_below(
    *, report: Report, targets: list[Target], include_submitted: bool
) -> dict[int, str]:
    """For each target, the causes the units below gave for it, in the order of the
    tree: the same words from several units once, with their names after them."""
    figures = (
        Figure.objects.filter(
            report__in=_reports_below(report, include_submitted).filter(department__isnull=True),
            target__in=targets,
        )
        .exclude(causes="")
        .select_related("report__unit")
        .order_by("target_id", "report__unit__path")
    )
    said: dict[int, dict[str, list[str]]] = {}
    for figure in figures:
        for line in provenance.unattributed(figure.causes).splitlines():
            words = " ".join(line.split()).rstrip(".;")
            if words:
                by_words = said.setdefault(figure.target_id, {})
                names = by_words.setdefault(words, [])
                if figure.report.unit.name not in names:
                    names.append(figure.report.unit.name)
    gathered: dict[int, str] = {}
    for target_id, by_words in said.items():
        lines = [
            provenance.attributed(words, _named(units)) + "." for words, units in by_words.items()
        ]
        gathered[target_id] = _within(lines, limits.SHORT_TEXT)
    return gathered


def _more(count: int) -> str:
    return f"(Và {count} nguyên nhân khác trong báo cáo của các đơn vị.)" if count else ""


def _within(lines: list[str], limit: int) -> str:
    """As many lines as fit in `limit` characters with a note of how many more there
    are; the first always, cut short if it must be, so no cause is ever all left out."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        if len("\n".join([*kept, line, _more(len(lines) - index - 1)]).strip()) > limit:
            break
        kept.append(line)
    left = len(lines) - len(kept)
    if lines and not kept:  # the first cause alone is too long: cut, never dropped
        left -= 1
        room = limit - len(_more(left)) - 2
        kept.append(lines[0][: max(room, 0)].rstrip() + "…")
    return "\n".join([*kept, _more(left)]).strip()


# Units named after a cause; past that, how many more (a table row must fit a page).
NAMED_UNITS = 2


def _named(names: list[str]) -> str:
    """ "LĐLĐ huyện A; LĐLĐ huyện B và 4 đơn vị khác"."""
    short = [short_name(name) for name in names]
    if len(short) <= NAMED_UNITS:
        return "; ".join(short)
    return "; ".join(short[:NAMED_UNITS]) + f" và {len(short) - NAMED_UNITS} đơn vị khác"


def _fill_causes(report: Report, include_submitted: bool) -> list[str]:
    """A drafted figure that falls short with no causes yet takes the causes the units
    below gave: the drafter edits them, and the report may be sent as the services
    require a cause for every shortfall. Returns the codes of the targets filled."""
    short = [
        row
        for row in evaluations(report=report)
        if row.evaluation.assessment == Assessment.NOT_ACHIEVED
        and not row.figure.causes.strip()
        and row.figure.pk is not None
    ]
    if not short:
        return []
    gathered = causes_below(
        report=report, targets=[row.target for row in short], include_submitted=include_submitted
    )
    filled = []
    for row in short:
        causes = gathered.get(row.target.pk, "")
        if causes and not limits.too_long(causes, limits.SHORT_TEXT, ""):
            Figure.objects.filter(pk=row.figure.pk).update(
                causes=causes, folded_causes=searchable.causes_copy(causes)
            )
            filled.append(row.target.code)
    return filled


def _text_states(report: Report, include_submitted: bool) -> list[tuple[TextChange, Row]]:
    """Every section and review item: what the drafter has, what was drafted, what the
    reports below compile to now, with the stored row (None if there is none yet)."""
    states: list[tuple[TextChange, Row]] = []
    sections = _compiled(SectionText, "section_id", report, include_submitted)
    stored = {text.section_id: text for text in report.section_texts.all()}
    live = _live(report, include_submitted)
    # The targets with their milestones, and the goals judging them, read once.
    targets = {target.pk: target for target in report_targets(report.campaign, report.unit)}
    goals = goals_of(report, list(targets.values()))
    for section in outline_sections(report.campaign, report.unit):
        row = stored.get(section.pk)
        section_targets = [targets[t.pk] for t in section.targets.all() if t.pk in targets]
        summary = _summary(report, section_targets, live, goals)
        compiled = sections.get(section.pk, "")
        if summary:
            summary = provenance.with_source(_("Summary of the figures below"), summary)
            compiled = f"{summary}\n\n{compiled}".strip()
        change = TextChange(
            key=f"section-{section.pk}",
            title=f"{section.number} {section.heading}".strip(),
            drafted=row.drafted_text if row else "",
            compiled=compiled,
            text=row.text if row else "",
        )
        states.append((change, row))
    items = _compiled(ItemAssessment, "item_id", report, include_submitted)
    assessed = {text.item_id: text for text in report.item_assessments.all()}
    for item in report.campaign.review_items.all():
        assessment = assessed.get(item.pk)
        change = TextChange(
            key=f"item-{item.pk}",
            title=item.title,
            drafted=assessment.drafted_text if assessment else "",
            compiled=items.get(item.pk, ""),
            text=assessment.text if assessment else "",
        )
        states.append((change, assessment))
    return states


def _figure_states(
    report: Report, include_submitted: bool
) -> list[tuple[MovedFigure, Figure | None, Numbers, Numbers]]:
    """Every target: the change (drafted → live), the stored figure, its drafted and its
    current numbers."""
    live = _live(report, include_submitted)
    figures = {figure.target_id: figure for figure in report.figures.all()}
    states = []
    for target in report_targets(report.campaign, report.unit):
        rolled = live.get(target.pk)
        now = _stored(rolled.for_target(target) if rolled else NONE)
        figure = figures.get(target.pk)
        if figure is None:
            drafted = current = NONE
        else:
            drafted = _stored(
                (figure.drafted_value, figure.drafted_numerator, figure.drafted_denominator)
            )
            current = _stored((figure.value, figure.numerator, figure.denominator))
        moved = MovedFigure(
            target=target,
            drafted=drafted[0],
            live=now[0],
            edited=current != drafted,
            value=current[0],
            live_numbers=now,
            drafted_numbers=drafted,
        )
        states.append((moved, figure, drafted, current))
    return states


def _figure_changes(report: Report, include_submitted: bool) -> list[MovedFigure]:
    return [
        moved
        for moved, _figure, drafted, current in _figure_states(report, include_submitted)
        if moved.live_numbers != drafted and moved.live_numbers != current
    ]


def changes_below(*, report: Report) -> ChangesBelow:
    """What the reports below say now that differs from what was drafted from them, and
    from what the drafter has: sections, review items and figures. Empty before the
    first draft."""
    if report.drafted_at is None:
        return ChangesBelow()
    include_submitted = report.drafted_with_submitted  # the reports the last draft used
    texts = [
        change
        for change, _row in _text_states(report, include_submitted)
        if change.compiled != change.drafted and change.compiled != change.text
    ]
    return ChangesBelow(
        sections=[change for change in texts if change.key.startswith("section-")],
        items=[change for change in texts if change.key.startswith("item-")],
        figures=_figure_changes(report, include_submitted),
    )


def _write_text(report: Report, change: TextChange, row: Row, *, text: str) -> None:
    """Store a section's or item's text and the compilation it now answers to."""
    kind, pk = change.key.split("-")
    model: type[SectionText] | type[ItemAssessment] = SectionText
    key = "section_id"
    if kind == "item":
        model, key = ItemAssessment, "item_id"
    copy = searchable.text_copy(text)
    if row is None:
        model.objects.create(
            report=report, **{key: int(pk)}, text=text, drafted_text=change.compiled, folded=copy
        )
    else:
        model.objects.filter(pk=row.pk).update(text=text, drafted_text=change.compiled, folded=copy)


def _write_figure(report: Report, moved: MovedFigure, *, take: bool) -> None:
    value, numerator, denominator = moved.live_numbers
    drafted = {
        "drafted_value": value,
        "drafted_numerator": numerator,
        "drafted_denominator": denominator,
    }
    if take:
        drafted |= {"value": value, "numerator": numerator, "denominator": denominator}
    Figure.objects.update_or_create(report=report, target=moved.target, defaults=drafted)


def _guarded(report: Report, by: User, revision: int) -> None:
    require_permission(workflow.can_edit(by, report))
    report.refresh_from_db()
    require_editable(report)
    if report.department_id is not None:
        raise ReportError(_("A department's report is not drafted from the reports below."))
    bump_revision(report, revision)


@transaction.atomic
def report_redraft(
    *, report: Report, by: User, revision: int, include_submitted: bool = False
) -> Redrafted:
    """Draft again from the reports below: every section, review item and figure the
    drafter has not edited takes the new compilation; those they edited stay as they
    are and, where the reports below changed, are returned to choose from."""
    _guarded(report, by, revision)
    before = report_content(report)
    updated: list[str] = []
    waiting = ChangesBelow()
    for change, row in _text_states(report, include_submitted):
        if change.compiled == change.drafted:
            continue
        if change.compiled == change.text:  # the drafter already has it: just note so
            _write_text(report, change, row, text=change.text)
        elif not change.edited and not limits.too_long(change.compiled, limits.TEXT, ""):
            _write_text(report, change, row, text=change.compiled)
            updated.append(change.title)
        elif change.key.startswith("section-"):  # edited, or too long to hold: shown
            waiting.sections.append(change)
        else:
            waiting.items.append(change)
    for moved, figure, drafted, current in _figure_states(report, include_submitted):
        if figure is None:
            _write_figure(report, moved, take=True)
            if moved.live_numbers != NONE:
                updated.append(moved.target.code)
        elif moved.live_numbers == drafted:
            continue
        elif moved.live_numbers == current or not moved.edited:
            _write_figure(report, moved, take=True)
            if moved.live_numbers != current:
                updated.append(moved.target.code)
        else:
            waiting.figures.append(moved)
    updated += _fill_causes(report, include_submitted)
    Report.objects.filter(pk=report.pk).update(
        drafted_at=clock.now(), drafted_with_submitted=include_submitted
    )
    report.refresh_from_db()
    audit.record(
        by=by, action="draft", instance=report, before=before, after=report_content(report)
    )
    return Redrafted(report=report, updated=updated, waiting=waiting)


def report_draft_from_below(
    *, report: Report, by: User, revision: int, include_submitted: bool = False
) -> Report:
    """Draft (or draft again) from the reports below; see `report_redraft`."""
    return report_redraft(
        report=report, by=by, revision=revision, include_submitted=include_submitted
    ).report


class ChangeGone(ReportError):
    def __init__(self):
        super().__init__(
            _(
                "The reports below have changed again since you looked, or the change was "
                "already taken: look at it again before choosing."
            )
        )


def _chosen(
    report: Report, by: User, revision: int, key: str, seen: str
) -> tuple[TextChange | MovedFigure, Row]:
    """The change the person chose on, as it stands now, once the choice is allowed and
    its page is not stale; refused if the change is not what they saw."""
    _guarded(report, by, revision)
    include_submitted = report.drafted_with_submitted  # the reports the last draft used
    if report.drafted_at is not None:
        if key.startswith("figure-"):
            for moved in _figure_changes(report, include_submitted):
                if moved.key == key and moved.seen == seen:
                    return moved, None
        else:
            for change, row in _text_states(report, include_submitted):
                changed = change.compiled not in (change.drafted, change.text)
                if change.key == key and change.seen == seen and changed:
                    return change, row
    raise ChangeGone


@transaction.atomic
def report_take_change(
    *,
    report: Report,
    by: User,
    revision: int,
    key: str,
    seen: str,
) -> Report:
    """Replace a section, review item or figure with what the reports below say now.

    Guarded by the report's revision like every save: a page older than the last save
    is refused and nothing is written. What it replaces stays in the audit trail."""
    change, row = _chosen(report, by, revision, key, seen)
    before = report_content(report)
    if isinstance(change, MovedFigure):
        _write_figure(report, change, take=True)
        _fill_causes(report, report.drafted_with_submitted)
    else:
        problem = limits.too_long(change.compiled, limits.TEXT, change.title)
        if problem:
            raise ReportError(problem)
        _write_text(report, change, row, text=change.compiled)
    report.refresh_from_db()
    audit.record(by=by, action="take", instance=report, before=before, after=report_content(report))
    return report


@transaction.atomic
def report_keep_change(
    *,
    report: Report,
    by: User,
    revision: int,
    key: str,
    seen: str,
) -> Report:
    """Keep the drafter's own section, review item or figure over what the reports below
    say now, and remember that they saw it: it is not offered again until it changes."""
    change, row = _chosen(report, by, revision, key, seen)
    before: dict[str, object]
    after: dict[str, object]
    if isinstance(change, MovedFigure):
        before = {key: [str(n) for n in change.drafted_numbers]}
        _write_figure(report, change, take=False)
        after = {key: [str(n) for n in change.live_numbers]}
    else:
        before = {key: change.drafted}
        _write_text(report, change, row, text=change.text)
        after = {key: change.compiled}
    report.refresh_from_db()
    audit.record(by=by, action="keep", instance=report, before=before, after=after)
    return report
