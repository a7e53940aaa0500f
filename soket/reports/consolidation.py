"""Drafting a level's report from the reports below it.

The drafter's figures start as the rollup of the children's reports and its sections
as the children's texts, each passage under the name of the unit (or department) that
wrote it. Later changes below show as moved figures; refreshing a figure takes the new
rollup, and figures the drafter edited are left alone unless they ask.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from soket import access
from soket.audit import services as audit
from soket.core import clock
from soket.orgs.models import User
from soket.reports import rollup
from soket.reports.models import Figure, Report, SectionText
from soket.reports.selectors import report_targets
from soket.reports.services import (
    bump_revision,
    report_content,
    require_editable,
    require_permission,
)
from soket.resolutions.models import Target


def _states(include_submitted: bool) -> tuple[str, ...]:
    return rollup.ACCEPTED_OR_SUBMITTED if include_submitted else rollup.ACCEPTED


def _live(report: Report, include_submitted: bool) -> dict[int, rollup.Rolled]:
    rolled = rollup.children_rollup(
        campaign=report.campaign, parents=[report.unit_id], states=_states(include_submitted)
    )
    return {target_id: value for (_parent, target_id), value in rolled.items()}


@dataclass(frozen=True)
class MovedFigure:
    target: Target
    drafted: Decimal | None
    live: Decimal | None
    edited: bool  # the drafter changed the drafted value by hand


def not_yet_accepted(*, report: Report, include_submitted: bool) -> int:
    """How many of the reports a draft would use are submitted but not yet accepted."""
    if not include_submitted:
        return 0
    return _reports_below(report, include_submitted).filter(state=Report.State.SUBMITTED).count()


def _reports_below(report: Report, include_submitted: bool):
    """What a draft reads: the children's unit reports and the unit's departments' reports."""
    return Report.objects.filter(
        campaign=report.campaign, state__in=_states(include_submitted)
    ).filter(
        Q(unit__parent=report.unit, department__isnull=True)
        | Q(unit=report.unit, department__isnull=False)
    )


def moved_figures(*, report: Report, include_submitted: bool = False) -> list[MovedFigure]:
    """Figures whose rollup below has changed since they were drafted."""
    live = _live(report, include_submitted)
    moved = []
    for figure in report.figures.select_related("target").exclude(
        drafted_value=None, drafted_numerator=None
    ):
        rolled = live.get(figure.target_id)
        value, numerator, denominator = (
            rolled.for_target(figure.target) if rolled else (None, None, None)
        )
        drafted = (figure.drafted_value, figure.drafted_numerator, figure.drafted_denominator)
        if drafted != (value, numerator, denominator):
            moved.append(
                MovedFigure(
                    target=figure.target,
                    drafted=figure.drafted_value,
                    live=value,
                    edited=figure.value != figure.drafted_value,
                )
            )
    return moved


def _compiled_texts(report: Report, include_submitted: bool) -> dict[int, str]:
    """Each outline section's passages from the reports below, each under its author."""
    texts = (
        SectionText.objects.filter(report__in=_reports_below(report, include_submitted))
        .exclude(text="")
        .select_related("report__unit", "report__department")
        .order_by("section_id", "report__department__order", "report__unit__name")
    )
    compiled: dict[int, list[str]] = {}
    for text in texts:
        author = text.report.author_name
        if text.report.state != Report.State.ACCEPTED:
            author = _("%s — not yet accepted") % author
        compiled.setdefault(text.section_id, []).append(f"[{author}] {text.text.strip()}")
    return {section: "\n\n".join(passages) for section, passages in compiled.items()}


@transaction.atomic
def report_refresh_figures(
    *,
    report: Report,
    by: User,
    revision: int,
    targets: Iterable[Target] | None = None,
    include_submitted: bool = False,
) -> Report:
    """Set figures (all, or `targets`) to the live rollup of the reports below."""
    require_permission(access.can_edit_report(by, report))
    report.refresh_from_db()
    require_editable(report)
    bump_revision(report, revision)
    before = report_content(report)
    live = _live(report, include_submitted)
    for target in targets if targets is not None else report_targets(report.campaign):
        rolled = live.get(target.pk)
        value, numerator, denominator = rolled.for_target(target) if rolled else (None, None, None)
        Figure.objects.update_or_create(
            report=report,
            target=target,
            defaults={
                "value": value,
                "numerator": numerator,
                "denominator": denominator,
                "drafted_value": value,
                "drafted_numerator": numerator,
                "drafted_denominator": denominator,
            },
        )
    report.refresh_from_db()
    audit.record(
        by=by, action="refresh", instance=report, before=before, after=report_content(report)
    )
    return report


@transaction.atomic
def report_draft_from_below(
    *, report: Report, by: User, revision: int, include_submitted: bool = False
) -> Report:
    """Draft figures and empty sections from the reports below; written sections stay."""
    report = report_refresh_figures(
        report=report, by=by, revision=revision, include_submitted=include_submitted
    )
    before = report_content(report)
    written = set(report.section_texts.exclude(text="").values_list("section_id", flat=True))
    for section_id, text in _compiled_texts(report, include_submitted).items():
        if section_id not in written:
            SectionText.objects.update_or_create(
                report=report, section_id=section_id, defaults={"text": text}
            )
    Report.objects.filter(pk=report.pk).update(drafted_at=clock.now())
    report.refresh_from_db()
    audit.record(
        by=by, action="draft", instance=report, before=before, after=report_content(report)
    )
    return report
