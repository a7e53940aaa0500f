"""On random trees, figures and report states: the analysis's result is the rollup and
a sum (or ratio of sums) computed here from the figures; who met the goal, who did not,
the best and the weakest are what a count here finds."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from soket.analysis import selectors
from soket.analysis.tests.making import numbers, report
from soket.campaigns.models import Campaign, OutlineSection, Participation
from soket.reports import rollup
from soket.reports.assessment import ratio_percent
from soket.reports.models import Figure, Report
from soket.testing import make_kinds, make_operators, make_resolution, make_target, make_unit

D = datetime.date
TREES = st.lists(st.integers(0, 100), min_size=1, max_size=9)
UNITS = st.lists(
    st.tuples(
        st.sampled_from([None, "draft", "submitted", "accepted", "returned"]),
        st.integers(0, 30),  # a count
        st.integers(0, 12),  # a numerator
        st.integers(1, 12),  # a denominator
        st.integers(0, 10),  # a grassroots union's own share figure
        st.one_of(st.none(), st.integers(0, 40)),  # a goal of its own, or none
    ),
    min_size=9,
    max_size=9,
)


def build(tree, given_units):
    """A final review over a random tree: units below the province are districts or
    sector unions, and grassroots unions below them; each has a report in a random state
    (or none) and some set goals of their own through the cascade."""
    kinds = make_kinds()
    admin, _reviewer = make_operators()
    root = make_unit("R", kinds["province"])
    units = [root]
    for index, choice in enumerate(tree, start=1):
        parent = units[choice % len(units)]
        kind = kinds["grassroots"]
        if parent == root:
            kind = kinds["district" if choice % 2 else "sector"]
        units.append(make_unit(f"U{index}", kind, parent))
    resolution = make_resolution("nq", root)
    targets = [
        make_target(resolution, "S", "sum", 40, order=1),
        make_target(resolution, "R", "ratio", 50, order=2),
        make_target(resolution, "H", "share_meeting", 5, order=3),
        make_target(resolution, "M", "ratio", 40, order=4, direction="at_most"),
    ]
    campaign = Campaign.objects.create(
        state="issued", code="c", owner=root, kind="final", title="c",
        reviewed_from=D(2013, 1, 1), reviewed_to=D(2018, 1, 1),
    )  # fmt: skip
    OutlineSection.objects.create(campaign=campaign, order=1).targets.set(targets)
    Participation.objects.create(campaign=campaign, root=root).kinds.set(kinds.values())

    has_children = {unit.parent_id for unit in units}
    for unit, (state, count, numerator, denominator, share, goal) in zip(
        units[1:], given_units, strict=False
    ):
        if goal is not None:  # its own targets, making the province's summed and rate ones concrete
            own = make_resolution(f"nq-{unit.code}", unit)
            for target in targets[:2]:
                make_target(own, f"{target.code}1", target.aggregation, goal).derived_from.add(
                    target
                )
        if state is None:
            continue
        part = min(numerator, denominator)
        counted = unit.pk in has_children  # a share is counted units below it
        figures = {
            targets[0].pk: numbers(count),
            targets[1].pk: numbers(numerator=part, denominator=denominator),
            targets[2].pk: (
                numbers(numerator=part, denominator=denominator) if counted else numbers(share)
            ),
            targets[3].pk: numbers(numerator=part, denominator=denominator),
        }
        report(campaign, unit, figures, state)
    return campaign, units, targets, admin


def naive_result(target, figures):
    """The target's rule applied here to the figures themselves."""
    if not figures:
        return None
    if target.aggregation == "sum":
        return sum(figure.value for figure in figures)
    return ratio_percent(
        sum(figure.numerator for figure in figures), sum(figure.denominator for figure in figures)
    )


def meets(target, value) -> bool:
    """Final review: against the goal itself, the target's way."""
    if target.direction == "at_most":
        return value <= target.goal_value
    return value >= target.goal_value


class AnalysisPropertiesTestCase(HypothesisTestCase):
    @settings(max_examples=15, deadline=None)
    @given(TREES, UNITS)
    def test_the_analysis_is_the_rollup_and_a_count_of_the_figures(self, tree, given_units):
        campaign, units, targets, admin = build(tree, given_units)
        for include_submitted in (False, True):
            self.check(campaign, units, targets, admin, include_submitted)

    def check(self, campaign, units, targets, admin, include_submitted):
        states = rollup.COUNTED if include_submitted else rollup.ACCEPTED
        by_parent: dict[int, list] = {}
        for unit in units[1:]:
            by_parent.setdefault(unit.parent_id, []).append(unit)
        own = {
            (link.from_target.resolution.issuer_id, link.to_target_id): link.from_target
            for link in targets[0].derived_from.through.objects.select_related(
                "from_target__resolution"
            )
        }
        counted = {
            report.unit_id: report
            for report in Report.objects.filter(campaign=campaign, state__in=states)
        }
        figures = {
            (figure.report.unit_id, figure.target_id): figure
            for figure in Figure.objects.filter(report__in=counted.values()).select_related(
                "report"
            )
        }
        rolled = rollup.children_rollup(campaign=campaign, states=states)

        for unit in units:
            analysis = selectors.target_analysis(
                user=admin, campaign=campaign, unit=unit, include_submitted=include_submitted
            )
            children = sorted(by_parent.get(unit.pk, []), key=lambda u: (u.kind.rank, u.path))
            self.assertEqual(analysis.rolls_up, bool(children))
            self.assertEqual([row.target for row in analysis.rows], targets)
            for row in analysis.rows:
                target = row.target
                given_below = [
                    figures[(child.pk, target.pk)]
                    for child in children
                    if (child.pk, target.pk) in figures
                ]
                if children:
                    total = rolled.get((unit.pk, target.pk))
                    self.assertEqual(
                        row.value, total.for_target(target)[0] if total else None, target.code
                    )
                    self.assertEqual(row.value, naive_result(target, given_below), target.code)
                    self.assertEqual(row.reports, len(given_below))
                else:
                    mine = figures.get((unit.pk, target.pk))
                    self.assertEqual(row.value, mine.value if mine else None)

                # Who met the goal that applies to them: their own where they set one;
                # a summed goal only where it was set.
                met, short, values = [], [], []
                for child in children:
                    figure = figures.get((child.pk, target.pk))
                    if figure is None:
                        continue
                    values.append((figure.value, child))
                    goal = own.get((child.pk, target.pk))
                    if goal is None and target.aggregation == "sum":
                        continue
                    (met if meets(goal or target, figure.value) else short).append(child)
                self.assertEqual([u.unit for u in row.units], children)
                self.assertEqual([u.unit for u in row.met], met, target.code)
                self.assertEqual([u.unit for u in row.not_met], short, target.code)

                if values:
                    pick = min if target.direction == "at_most" else max
                    worst = max if target.direction == "at_most" else min
                    best_value = pick(value for value, _child in values)
                    worst_value = worst(value for value, _child in values)
                    first = next(child for value, child in values if value == best_value)
                    last = next(child for value, child in values if value == worst_value)
                    self.assertEqual(row.best.unit, first)
                    if worst_value == best_value:
                        self.assertIsNone(row.weakest)
                    else:
                        self.assertEqual(row.weakest.unit, last)
                else:
                    self.assertEqual((row.best, row.weakest), (None, None))

            # One level only: the units of that level, counted the same way.
            if children:
                kind = children[-1].kind
                narrowed = selectors.target_analysis(
                    user=admin, campaign=campaign, unit=unit, kind=kind.pk,
                    include_submitted=include_submitted,
                )  # fmt: skip
                for row, whole in zip(narrowed.rows, analysis.rows, strict=True):
                    self.assertEqual(row.value, whole.value)  # the unit's result, whole
                    self.assertEqual([u.unit.kind for u in row.units], [kind] * len(row.units))
                    self.assertEqual(
                        [u.unit for u in row.met],
                        [u.unit for u in whole.met if u.unit.kind == kind],
                    )
