"""Target analysis: for each target a campaign asks of a unit, what was and was not
achieved there, which units below met it, which did not and why (issue 13, point 1).

Read live, never from a table rebuilt at night: the unit's result comes from the running
totals of its children's reports (reports.rollup, changed in the transaction of every
report's move), the units below from their own reports. Every read is set-based — one
query for all the children's figures of all the targets, one for all their own goals —
so the analysis of the confederation takes as many queries as a district's.

The judgements are those of the report page and the documents (reports.selectors): a
unit is judged against its own target where it made the campaign's concrete through the
cascade, else against the target itself, and a summed goal only at the level that set
it (`is_judged_here`): a district's part of a provincial total is a contribution, not a
result to grade.

Analysis sits above reports and below documents, which will put it in the consolidated
report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from soket.campaigns.access import visible_campaigns
from soket.campaigns.models import Campaign
from soket.orgs.access import visible_units
from soket.orgs.models import Unit, UnitKind, User, ids_in_path
from soket.orgs.selectors import unit_tree_roots
from soket.reports import lateness, provenance, rollup
from soket.reports.assessment import Evaluation
from soket.reports.completeness import UnitStatus, children_status
from soket.reports.models import Assessment, Figure, Report, RollupTotal
from soket.reports.selectors import evaluation_of, is_judged_here, report_targets
from soket.resolutions import meaning
from soket.resolutions.access import visible_resolutions
from soket.resolutions.models import ActionProgramme, Target

MET = frozenset({Assessment.EXCEEDED, Assessment.ACHIEVED})
Numbers = tuple[Decimal | None, Decimal | None, Decimal | None]
NO_NUMBERS: Numbers = (None, None, None)
# Levels of the cascade followed upwards: more than the tree has is a loop in the data.
CASCADE_LEVELS = 10


# Which campaign, which unit.


def analysed_campaigns(user: User) -> QuerySet[Campaign]:
    """The plans whose targets the person may analyse: the issued ones they see. A draft
    has no reports yet; a deployment's units report under the plan it deploys."""
    return visible_campaigns(user).filter(state=Campaign.State.ISSUED, deployed_from__isnull=True)


def analysed_campaign(*, user: User, pk: int) -> Campaign:
    """Campaign.DoesNotExist when the person may not analyse it."""
    return analysed_campaigns(user).select_related("owner").get(pk=pk)


def _roots(campaign: Campaign) -> list[Unit]:
    """The tops of the subtrees the campaign covers (its participations' roots)."""
    return [p.root for p in campaign.participations.select_related("root").order_by("root__path")]


def _analysable(user: User, roots: list[Unit]) -> QuerySet[Unit]:
    """The units of the campaign's tree that lie in the person's scope."""
    return Unit.objects.subtrees_of(roots) & visible_units(user)


def analysed_unit(*, user: User, campaign: Campaign, pk: int) -> Unit:
    """A unit of the campaign's tree in the person's scope; Unit.DoesNotExist otherwise,
    whether it lies outside their branch or outside the campaign."""
    return _analysable(user, _roots(campaign)).select_related("kind").get(pk=pk)


def default_unit(*, user: User, campaign: Campaign) -> Unit | None:
    """Where the analysis opens: the person's highest unit in the campaign's tree, as the
    campaign's page opens its tree at the tops of their scope within it; None when no
    unit of theirs takes part."""
    tops = unit_tree_roots(user=user, within=_roots(campaign))
    return min(tops, key=lambda unit: (unit.depth, unit.path), default=None)


# What the analysis holds.


@dataclass(frozen=True)
class Given:
    """A figure of a report in the states analysed."""

    report_id: int
    state: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    override: str
    causes: str


@dataclass(frozen=True)
class UnitResult:
    """One unit directly below, for one target."""

    unit: Unit
    state: str | None  # its report's state; None: no report started
    report_id: int | None  # its report, when it is in the states analysed
    value: Decimal | None  # its figure, when its report is in the states analysed
    numerator: Decimal | None
    denominator: Decimal | None
    goal: Target  # the target whose goal judges it: its own, else the analysed one
    goal_is_from_above: bool
    evaluation: Evaluation
    causes: str  # what it gave for falling short, as printed; "" where it did not

    @property
    def counted(self) -> bool:
        return self.report_id is not None

    @property
    def met(self) -> bool:
        return self.evaluation.assessment in MET

    @property
    def fell_short(self) -> bool:
        return self.evaluation.assessment == Assessment.NOT_ACHIEVED

    @property
    def state_label(self) -> str:
        return str(Report.State(self.state).label) if self.state else ""


@dataclass(frozen=True)
class Baseline:
    """Where the target started the term, and the change since."""

    value: Decimal
    year: int | None
    change: Decimal | None  # the result less the baseline; None without a result
    improved: bool | None  # whether the change goes the target's way


@dataclass(frozen=True)
class ResultElsewhere:
    """What the unit reported for a target in another campaign it may see."""

    campaign_id: int
    campaign_title: str
    value: Decimal | None


@dataclass(frozen=True)
class CascadeLink:
    """A target the analysed one makes concrete, at any remove (`level` 1: directly), or
    the unit's own target that makes it concrete (`is_own_goal`, level 0); with what the
    unit reported for it in other campaigns."""

    target: Target
    level: int
    is_own_goal: bool
    results: list[ResultElsewhere]


@dataclass(frozen=True)
class TargetAnalysis:
    target: Target
    goal: Target  # the target whose goal applies to the unit
    goal_is_from_above: bool
    value: Decimal | None  # the consolidated result (the unit's own figure for a leaf)
    numerator: Decimal | None
    denominator: Decimal | None
    reports: int  # how many reports below it adds up
    not_yet_accepted: int  # of them, those only submitted
    evaluation: Evaluation
    baseline: Baseline | None
    units: list[UnitResult]  # the units directly below (of the chosen level)
    best: UnitResult | None
    weakest: UnitResult | None  # None also where every figure is as good as the best
    chain: list[CascadeLink]

    @property
    def met(self) -> list[UnitResult]:
        return [unit for unit in self.units if unit.met]

    @property
    def not_met(self) -> list[UnitResult]:
        return [unit for unit in self.units if unit.fell_short]

    @property
    def not_judged(self) -> list[UnitResult]:
        """Units with a figure but no assessment: a contribution to a summed goal set
        above them, or a target without a goal."""
        return [
            unit
            for unit in self.units
            if unit.counted and unit.evaluation.assessment is None and unit.value is not None
        ]

    @property
    def without_figure(self) -> list[UnitResult]:
        return [
            unit for unit in self.units if unit.value is None and not unit.evaluation.assessment
        ]


@dataclass(frozen=True)
class Analysis:
    campaign: Campaign
    unit: Unit
    above: list[Unit]  # the unit's ancestors the person may open, top first
    include_submitted: bool
    rolls_up: bool  # False: no unit is expected below, the unit's own figures are shown
    kinds: list[UnitKind]  # the levels directly below, to filter by
    kind: UnitKind | None
    programmes: list[ActionProgramme]  # those of the unit's targets, to filter by
    programme: ActionProgramme | None
    dropped: frozenset[str]  # the filters asked for that do not apply here ("kind", …)
    rows: list[TargetAnalysis]
    expected_below: int  # units expected directly below, of every level

    @property
    def marks_goals_from_above(self) -> bool:
        """Whether a goal shown is the level above's, marked (*)."""
        return any(row.goal_is_from_above for row in self.rows)


# Reading it.


def target_analysis(
    *,
    user: User,
    campaign: Campaign,
    unit: Unit,
    kind: int | None = None,
    programme: int | None = None,
    include_submitted: bool = False,
    target: int | None = None,
    chain: bool = True,
) -> Analysis:
    """The analysis of every target the campaign's outline links for `unit`
    (reports.selectors.report_targets), of one action programme if given, with the units
    directly below (of one level if given). Campaign.DoesNotExist or Unit.DoesNotExist
    when the person may not see them; a filter that does not apply is left out and named
    in `dropped`. With `target`, of that target alone (Target.DoesNotExist when the
    outline does not link it for the unit). Without `chain`, no cascade of targets above
    (the dashboard shows none: a few queries fewer)."""
    if not analysed_campaigns(user).filter(pk=campaign.pk).exists():
        raise Campaign.DoesNotExist("The person may not analyse this campaign.")
    roots = _roots(campaign)
    scope = _analysable(user, roots)
    unit = scope.select_related("kind").get(pk=unit.pk)
    return _analyse(
        campaign=campaign,
        unit=unit,
        user=user,
        above=list(
            scope.filter(pk__in=Unit.objects.ancestors_of(unit).values("pk")).order_by("depth")
        )
        if unit.parent_id
        else [],
        kind=kind,
        programme=programme,
        include_submitted=include_submitted,
        target=target,
        chain=chain,
    )


def unit_analysis(*, campaign: Campaign, unit: Unit, include_submitted: bool) -> Analysis:
    """The analysis of the unit, read for its own consolidated document (the dashboard's
    charts in it): no person's scope, so without the cascade of targets above, which
    depends on the resolutions the reader may see."""
    return _analyse(
        campaign=campaign,
        unit=unit,
        user=None,
        above=[],
        kind=None,
        programme=None,
        include_submitted=include_submitted,
        target=None,
        chain=False,
    )


def _analyse(
    *,
    campaign: Campaign,
    unit: Unit,
    user: User | None,
    above: list[Unit],
    kind: int | None,
    programme: int | None,
    include_submitted: bool,
    target: int | None,
    chain: bool,
) -> Analysis:
    # The unit reports only in plans of its own federations: read once, as a few ids
    # (a national viewer sees plans issued anywhere in a tree of 135,000 units).
    line = ids_in_path(unit.path)
    others = (
        list(
            analysed_campaigns(user)
            .filter(owner_id__in=line)
            .exclude(pk=campaign.pk)
            .values_list("pk", flat=True)
        )
        if user is not None and chain
        else []
    )
    states = rollup.ACCEPTED_OR_SUBMITTED if include_submitted else rollup.ACCEPTED
    dropped = set()

    targets = report_targets(campaign, unit)
    programmes = list(
        ActionProgramme.objects.filter(pk__in={t.programme_id for t in targets if t.programme_id})
        .select_related("resolution")
        .order_by("resolution__term_start_year", "resolution_id", "number")
    )
    chosen_programme = next((p for p in programmes if p.pk == programme), None)
    if programme is not None and chosen_programme is None:
        dropped.add("programme")
    if chosen_programme is not None:
        targets = [t for t in targets if t.programme_id == programme]
    if target is not None:
        targets = [t for t in targets if t.pk == target]
        if not targets:
            raise Target.DoesNotExist("The outline links no such target for this unit.")

    statuses = children_status(campaign=campaign, within=unit, today=lateness.today())
    kinds = sorted({s.unit.kind for s in statuses}, key=lambda k: (k.rank, k.name, k.pk))
    chosen_kind = next((k for k in kinds if k.pk == kind), None)
    if kind is not None and chosen_kind is None:
        dropped.add("kind")
    listed = [s for s in statuses if chosen_kind is None or s.unit.kind_id == chosen_kind.pk]
    rolls_up = bool(statuses)

    figures = _figures(campaign, [unit.pk, *(s.unit.pk for s in statuses)], targets, states)
    goals = _own_goals(unit, targets)
    rolled = (
        rollup.children_rollup(campaign=campaign, parents=[unit.pk], states=states)
        if rolls_up
        else {}
    )
    chains = _chains(user, others, unit, targets, goals, states, rolls_up) if user and chain else {}
    here = Report(campaign=campaign, unit=unit)
    # A federation's own hand-set assessments, whatever its report's state: the report
    # page's and the documents' judgement of a qualitative target, or of one set by hand,
    # beside the live result from below (a unit with none below reads its own figure).
    overrides = dict(
        Figure.objects.filter(
            report__campaign=campaign,
            report__unit=unit,
            report__department__isnull=True,
            target__in=targets,
        )
        .exclude(assessment_override="")
        .values_list("target_id", "assessment_override")
    )
    # The reports below as evaluation_of reads them: whose they are, in which campaign.
    reports = {
        s.unit.pk: Report(campaign=campaign, unit=s.unit, state=s.state or Report.State.DRAFT)
        for s in listed
    }
    rows = []
    for analysed in targets:
        goal = goals.get((unit.pk, analysed.pk), analysed)
        override, pending, counted = "", 0, 0
        if rolls_up:
            override = overrides.get(analysed.pk, "")
            total = rolled.get((unit.pk, analysed.pk))
            numbers = total.for_target(analysed) if total else NO_NUMBERS
            if total:
                counted, pending = total.reports, total.not_yet_accepted
        else:
            own = figures.get((unit.pk, analysed.pk))
            numbers = (own.value, own.numerator, own.denominator) if own else NO_NUMBERS
            if own:
                override, counted = own.override, 1
                pending = int(own.state == Report.State.SUBMITTED)
        value = numbers[0]
        below = [_unit_result(reports[s.unit.pk], s, analysed, figures, goals) for s in listed]
        best, weakest = ranked(analysed, below)
        rows.append(
            TargetAnalysis(
                target=analysed,
                goal=goal,
                goal_is_from_above=goal.resolution.issuer_id != unit.pk,
                value=value,
                numerator=numbers[1],
                denominator=numbers[2],
                reports=counted,
                not_yet_accepted=pending,
                evaluation=evaluation_of(here, goal, value, override=override),
                baseline=_baseline(goal, here, value),
                units=below,
                best=best,
                weakest=weakest,
                chain=chains.get(analysed.pk, []),
            )
        )
    return Analysis(
        campaign=campaign,
        unit=unit,
        above=above,
        include_submitted=include_submitted,
        rolls_up=rolls_up,
        kinds=kinds,
        kind=chosen_kind,
        programmes=programmes,
        programme=chosen_programme,
        dropped=frozenset(dropped),
        rows=rows,
        expected_below=len(statuses),
    )


def _figures(
    campaign: Campaign, unit_ids: list[int], targets: list[Target], states: Iterable[str]
) -> dict[tuple[int, int], Given]:
    """{(unit id, target id): figure} of these units' reports in the states analysed
    (the unit's and its children's): one query for every unit and every target."""
    rows = Figure.objects.filter(
        report__unit__in=unit_ids,
        report__campaign=campaign,
        report__department__isnull=True,
        report__state__in=list(states),
        target__in=[target.pk for target in targets],
    ).values_list(
        "report__unit_id",
        "target_id",
        "report_id",
        "report__state",
        "value",
        "numerator",
        "denominator",
        "assessment_override",
        "causes",
    )
    return {(row[0], row[1]): Given(*row[2:]) for row in rows}


def _own_goals(unit: Unit, targets: list[Target]) -> dict[tuple[int, int], Target]:
    """{(unit id, target id): the unit's own target that makes it concrete}, for the unit
    and each unit directly below that set one (resolutions.selectors.own_targets, for
    all of them at once: where a unit set several, the last one made wins, as there)."""
    links = (
        Target.derived_from.through.objects.filter(to_target__in=targets)
        .filter(
            Q(from_target__resolution__issuer=unit)
            | Q(from_target__resolution__issuer__parent=unit)
        )
        .select_related("from_target__resolution__issuer")
        .prefetch_related("from_target__milestones")
        .order_by("from_target_id")
    )
    return {
        (link.from_target.resolution.issuer_id, link.to_target_id): link.from_target
        for link in links
    }


def _unit_result(
    report: Report,
    status: UnitStatus,
    target: Target,
    figures: dict[tuple[int, int], Given],
    goals: dict[tuple[int, int], Target],
) -> UnitResult:
    child = status.unit
    given = figures.get((child.pk, target.pk))
    goal = goals.get((child.pk, target.pk), target)
    value = given.value if given else None
    evaluation = evaluation_of(report, goal, value, override=given.override if given else "")
    fell_short = evaluation.assessment == Assessment.NOT_ACHIEVED
    return UnitResult(
        unit=child,
        state=status.state,
        report_id=given.report_id if given else None,
        value=value,
        numerator=given.numerator if given else None,
        denominator=given.denominator if given else None,
        goal=goal,
        goal_is_from_above=goal.resolution.issuer_id != child.pk,
        evaluation=evaluation,
        causes=provenance.printed(given.causes.strip()) if given and fell_short else "",
    )


def ranked(target: Target, units: list[UnitResult]) -> tuple[UnitResult | None, UnitResult | None]:
    """The best and the weakest of the units with a figure, the target's way (at most:
    lower is better); the first in the list on a tie. No weakest where none is worse
    than the best (a single unit, or all alike); neither for a qualitative target."""
    figured = [(unit.value, unit) for unit in units if unit.value is not None]
    if meaning.is_qualitative(target) or not figured:
        return None, None
    best_value, best = weakest_value, weakest = figured[0]
    for value, unit in figured[1:]:
        if meaning.is_better(target, value, best_value):
            best_value, best = value, unit
        if meaning.is_better(target, weakest_value, value):
            weakest_value, weakest = value, unit
    return best, (None if weakest_value == best_value else weakest)


def _baseline(goal: Target, here: Report, value: Decimal | None) -> Baseline | None:
    """The change since the baseline of the goal that applies, where it applies to the
    unit's own result: a summed baseline belongs to the level that set it, as its goal."""
    start = goal.baseline_value
    if start is None or not is_judged_here(goal, here):
        return None
    if value is None:
        return Baseline(start, goal.baseline_year, None, None)
    improved = None if value == start else meaning.is_better(goal, value, start)
    return Baseline(start, goal.baseline_year, value - start, improved)


# The cascade.


def _chains(
    user: User,
    others: list[int],
    unit: Unit,
    targets: list[Target],
    goals: dict[tuple[int, int], Target],
    states: Iterable[str],
    rolls_up: bool,
) -> dict[int, list[CascadeLink]]:
    """{target id: its cascade}: the unit's own target that makes it concrete, if any,
    then every target it makes concrete, level by level upwards (resolutions the person
    may not see left out), each with what the unit reported for it in other campaigns.
    One query a level of the cascade, one for the results."""
    above: dict[int, list[Target]] = {}
    frontier = {target.pk for target in targets}
    seen = set(frontier)
    # The cascade goes up the unit's line only: its federations' resolutions, a few ids.
    readable = list(
        visible_resolutions(user)
        .filter(issuer_id__in=ids_in_path(unit.path))
        .values_list("pk", flat=True)
    )
    for _level in range(CASCADE_LEVELS):
        if not frontier:
            break
        links = (
            Target.derived_from.through.objects.filter(
                from_target__in=frontier, to_target__resolution__in=readable
            )
            .select_related("to_target__resolution__issuer")
            .order_by("to_target__resolution__issuer__path", "to_target__order", "to_target_id")
        )
        frontier = set()
        for link in links:
            above.setdefault(link.from_target_id, []).append(link.to_target)
            if link.to_target_id not in seen:
                seen.add(link.to_target_id)
                frontier.add(link.to_target_id)

    walked: dict[int, list[tuple[Target, int, bool]]] = {}
    for target in targets:
        own = goals.get((unit.pk, target.pk))
        steps = [(own, 0, True)] if own is not None and own.pk != target.pk else []
        level, current, visited = 1, [target], {target.pk}
        while current:
            following = []
            for lower in current:
                for higher in above.get(lower.pk, []):
                    if higher.pk not in visited:
                        visited.add(higher.pk)
                        steps.append((higher, level, False))
                        following.append(higher)
            current, level = following, level + 1
        if steps:
            walked[target.pk] = steps
    wanted = {step[0].pk: step[0] for steps in walked.values() for step in steps}
    results = _results_elsewhere(others, unit, wanted, states, rolls_up)
    return {
        target_id: [
            CascadeLink(higher, level, own, results.get(higher.pk, []))
            for higher, level, own in steps
        ]
        for target_id, steps in walked.items()
    }


def _results_elsewhere(
    others: list[int],
    unit: Unit,
    targets: dict[int, Target],
    states: Iterable[str],
    rolls_up: bool,
) -> dict[int, list[ResultElsewhere]]:
    """{target id: the unit's results for it in `others`, the other campaigns the person
    may analyse}, read as this analysis reads its own: from the running totals of its
    children's reports (children_rollup's sums, for every campaign at once), or, for a
    unit with none expected below, its own report's figure. One query."""
    if not targets or not others:
        return {}
    found: dict[int, list[ResultElsewhere]] = {}
    if rolls_up:
        totals = rollup.totals_by(
            RollupTotal.objects.filter(
                campaign__in=others,
                parent=unit,
                target__in=list(targets),
                state__in=list(states),
            ),
            "campaign_id",
            "campaign__title",
        ).order_by("-campaign__reviewed_to", "campaign_id")
        for row in totals:
            rolled = rollup.rolled(row)
            value = rolled.for_target(targets[row["target_id"]])[0]
            found.setdefault(row["target_id"], []).append(
                ResultElsewhere(row["campaign_id"], row["campaign__title"], value)
            )
        return found
    figures = (
        Figure.objects.filter(
            report__campaign__in=others,
            report__unit=unit,
            report__department__isnull=True,
            report__state__in=list(states),
            target__in=list(targets),
            value__isnull=False,
        )
        .order_by("-report__campaign__reviewed_to", "report__campaign_id")
        .values_list("target_id", "report__campaign_id", "report__campaign__title", "value")
    )
    for target_id, campaign_id, title, value in figures:
        found.setdefault(target_id, []).append(ResultElsewhere(campaign_id, title, value))
    return found
