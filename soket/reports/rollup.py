"""Rolling figures up the tree, in SQL.

A parent's figure for a target comes from its children's own reports: one GROUP BY on
the children's parent gives every parent of every level at once, live, with no nightly
rebuild. Each level's figures can be edited by its drafter, so the level above rolls up
what the level below decided. Where nobody edits, the top equals the rollup straight
over the leaves, since sums of sums are sums (ratios and shares carry their numerators
and denominators up, never their percentages).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from soket.campaigns.models import Campaign
from soket.orgs.models import Unit
from soket.reports.assessment import ratio_percent
from soket.reports.models import Figure, Report
from soket.resolutions.models import Target

ACCEPTED = (Report.State.ACCEPTED,)
ACCEPTED_OR_SUBMITTED = (Report.State.ACCEPTED, Report.State.SUBMITTED)


@dataclass(frozen=True)
class Rolled:
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    reports: int
    not_yet_accepted: int  # how many of them are only submitted

    def for_target(self, target: Target) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        """The parent's value, numerator and denominator under the target's rule."""
        if target.aggregation == Target.Aggregation.SUM:
            return self.value, None, None
        if target.aggregation in (Target.Aggregation.RATIO, Target.Aggregation.SHARE_MEETING):
            return ratio_percent(self.numerator, self.denominator), self.numerator, self.denominator
        return None, None, None


def _aggregate(figures: QuerySet[Figure], *group_by: str) -> QuerySet:
    return figures.values(*group_by, "target_id").annotate(
        total_value=Sum("value"),
        total_numerator=Sum("numerator"),
        total_denominator=Sum("denominator"),
        reports=Count("pk"),
        not_yet_accepted=Count("pk", filter=Q(report__state=Report.State.SUBMITTED)),
    )


def _rolled(row: dict) -> Rolled:
    return Rolled(
        row["total_value"],
        row["total_numerator"],
        row["total_denominator"],
        row["reports"],
        row["not_yet_accepted"],
    )


def children_rollup(
    *,
    campaign: Campaign,
    parents: Iterable[int] | None = None,
    states: Iterable[str] = ACCEPTED,
) -> dict[tuple[int, int], Rolled]:
    """{(parent unit id, target id): rolled figure} from the children's unit reports."""
    figures = Figure.objects.filter(
        report__campaign=campaign,
        report__department__isnull=True,
        report__state__in=list(states),
    )
    if parents is not None:
        figures = figures.filter(report__unit__parent_id__in=list(parents))
    rows = _aggregate(figures, "report__unit__parent_id")
    return {(row["report__unit__parent_id"], row["target_id"]): _rolled(row) for row in rows}


def leaves_rollup(
    *, campaign: Campaign, unit: Unit, states: Iterable[str] = ACCEPTED
) -> dict[int, Rolled]:
    """{target id: rolled figure} straight over the reports of the leaves of a subtree."""
    has_children = Unit.objects.filter(parent=OuterRef("report__unit"))
    figures = Figure.objects.filter(
        report__campaign=campaign,
        report__department__isnull=True,
        report__state__in=list(states),
        report__unit__in=Unit.objects.subtree_of(unit),
    ).filter(~Exists(has_children))
    return {row["target_id"]: _rolled(row) for row in _aggregate(figures)}
