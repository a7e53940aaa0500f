"""Rollup and completeness on random trees and figures (hypothesis)."""

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from soket.campaigns.models import Campaign, OutlineSection, Participation
from soket.orgs.models import Unit, User
from soket.orgs.services import unit_update
from soket.reports import completeness, consolidation, rollup, services
from soket.reports.models import Report
from soket.reports.services import FigureInput
from soket.testing import (
    make_kinds,
    make_operators,
    make_resolution,
    make_target,
    make_unit,
)

D = datetime.date
TREES = st.lists(st.integers(0, 100), min_size=1, max_size=12)


def build(tree_choices):
    """A final-review campaign over a random tree whose every unit takes part."""
    kinds = make_kinds()
    root = make_unit("R", kinds["province"])
    units = [root]
    for index, choice in enumerate(tree_choices, start=1):
        units.append(make_unit(f"U{index}", kinds["grassroots"], units[choice % len(units)]))
    resolution = make_resolution("nq", root)

    targets = (
        make_target(resolution, "S", "sum", 10),
        make_target(resolution, "R", "ratio", 50),
        make_target(resolution, "H", "share_meeting", 5),
    )
    campaign = Campaign.objects.create(state="issued",
        code="c", owner=root, kind="final", title="c",
        reviewed_from=D(2013, 1, 1), reviewed_to=D(2018, 1, 1),
    )  # fmt: skip
    section = OutlineSection.objects.create(campaign=campaign, order=1, heading="I")
    section.targets.set(targets)
    participation = Participation.objects.create(campaign=campaign, root=root)
    participation.kinds.set(kinds.values())
    admin, _reviewer = make_operators()
    return campaign, units, targets, admin


def reviewer() -> User:
    """The second operator, who reviews what `admin` sends."""
    return User.objects.get(username="reviewer")


def save_submit_accept(report, admin, figures, *, accept=True):
    services.report_save(report=report, by=admin, revision=report.revision, figures=figures)
    services.report_submit(report=report, by=admin, warnings_confirmed=True)
    if accept:
        services.report_accept(report=report, by=reviewer())


class RollupPropertiesTestCase(HypothesisTestCase):
    @settings(max_examples=20, deadline=None)
    @given(
        TREES,
        st.lists(
            st.tuples(
                st.integers(0, 500), st.integers(0, 50), st.integers(1, 50), st.integers(0, 10)
            ),
            min_size=13,
            max_size=13,
        ),
    )
    def test_parents_add_up_their_children_and_the_top_adds_up_the_leaves(self, tree, numbers):
        campaign, units, (t_sum, t_ratio, t_share), admin = build(tree)
        with_children = set(
            Unit.objects.filter(children__isnull=False).values_list("pk", flat=True)
        )
        leaves = [unit for unit in units if unit.pk not in with_children]
        for unit, (value, numerator, denominator, share) in zip(leaves, numbers, strict=False):
            figures = {
                t_sum.pk: FigureInput(value=Decimal(value), causes="c"),
                # A part is never more than its whole (validation refuses it).
                t_ratio.pk: FigureInput(
                    numerator=Decimal(min(numerator, denominator)),
                    denominator=Decimal(denominator),
                    causes="c",
                ),
                t_share.pk: FigureInput(value=Decimal(share), causes="c"),
            }
            save_submit_accept(services.report_for(campaign=campaign, unit=unit), admin, figures)

        # Every parent, deepest first: its rollup adds up its children; it is drafted
        # from below and accepted without an edit (the top has nobody above to accept it).
        for parent in sorted((u for u in units if u.pk in with_children), key=lambda u: -u.depth):
            rolled = rollup.children_rollup(campaign=campaign, parents=[parent.pk])
            children = Report.objects.filter(campaign=campaign, unit__parent=parent)
            sums = [f.value for c in children for f in c.figures.filter(target=t_sum)]
            self.assertEqual(rolled[(parent.pk, t_sum.pk)].value, sum(sums))
            ratios = [f for c in children for f in c.figures.filter(target=t_ratio)]
            ratio = rolled[(parent.pk, t_ratio.pk)]
            self.assertEqual(ratio.numerator, sum(f.numerator for f in ratios))
            self.assertEqual(ratio.denominator, sum(f.denominator for f in ratios))

            report = services.report_for(campaign=campaign, unit=parent)
            report = consolidation.report_draft_from_below(
                report=report, by=admin, revision=report.revision
            )
            unchanged = {
                f.target_id: FigureInput(
                    value=f.value, numerator=f.numerator, denominator=f.denominator, causes="c"
                )
                for f in report.figures.all()
            }
            save_submit_accept(report, admin, unchanged, accept=parent.parent_id is not None)

        top = {f.target_id: f for f in Report.objects.get(unit=units[0]).figures.all()}
        straight = rollup.leaves_rollup(campaign=campaign, unit=units[0])
        self.assertEqual(top[t_sum.pk].value, straight[t_sum.pk].value)
        for target in (t_ratio, t_share):
            self.assertEqual(top[target.pk].numerator, straight[target.pk].numerator)
            self.assertEqual(top[target.pk].denominator, straight[target.pk].denominator)


class CompletenessPropertiesTestCase(HypothesisTestCase):
    @settings(max_examples=25, deadline=None)
    @given(
        TREES,
        st.lists(
            st.tuples(
                st.one_of(st.none(), st.integers(-400, 400)),
                st.one_of(st.none(), st.integers(1, 800)),
                st.booleans(),
            ),
            min_size=12,
            max_size=12,
        ),
        st.integers(-200, 200),
    )
    def test_rates_stay_between_0_and_100_as_units_open_and_close(self, tree, lives, offset):
        campaign, units, _targets, admin = build(tree)
        completeness.completeness(campaign=campaign, within=units[0], today=D(2016, 1, 1))
        base = campaign.reviewed_to  # the day a level without a report deadline is counted on
        for unit, (opened, span, submits) in zip(units[1:], lives, strict=False):
            opened_on = base + datetime.timedelta(days=opened) if opened is not None else None
            closed_on = opened_on + datetime.timedelta(days=span) if opened_on and span else None
            unit_update(unit=unit, fields={"opened_on": opened_on, "closed_on": closed_on})
            if submits:
                report = services.report_for(campaign=campaign, unit=unit)
                services.report_submit(report=report, by=admin, warnings_confirmed=True)
        today = base + datetime.timedelta(days=offset)
        open_units = Unit.objects.subtree_of(units[0], include_self=False).active_on(base)
        for row in completeness.completeness(campaign=campaign, within=units[0], today=today):
            self.assertLessEqual(row.reported, row.expected)
            self.assertLessEqual(row.missing, row.expected)
            self.assertTrue(0 <= row.accepted_rate <= 100)
            self.assertTrue(0 <= row.reported_rate <= 100)
            self.assertEqual(row.expected, open_units.filter(kind=row.kind).count())


def totals_snapshot(campaign):
    from soket.reports.models import RollupTotal

    return sorted(
        (t.parent_id, t.target_id, t.state, t.value, t.numerator, t.denominator,
         t.values, t.numerators, t.denominators, t.reports)
        for t in RollupTotal.objects.filter(campaign=campaign, reports__gt=0)
    )  # fmt: skip


ACTIONS = st.lists(st.tuples(st.integers(0, 12), st.sampled_from(
    ["submit", "accept", "return", "withdraw", "reopen", "edit"])), max_size=40)  # fmt: skip


class RunningTotalsTestCase(HypothesisTestCase):
    """Whatever happens to the reports, the running totals equal a recomputation."""

    @settings(max_examples=20, deadline=None)
    @given(TREES, ACTIONS)
    def test_running_totals_equal_a_rebuild_after_any_history(self, tree, actions):
        campaign, units, (t_sum, t_ratio, t_share), admin = build(tree)
        reports = [services.report_for(campaign=campaign, unit=unit) for unit in units[1:]]
        moves = {
            "submit": services.report_submit,
            "accept": services.report_accept,
            "withdraw": services.report_withdraw,
            "return": lambda report, by: services.report_return(report=report, by=by, reason="r"),
            "reopen": lambda report, by: services.report_reopen(report=report, by=by, reason="r"),
        }
        for index, action in actions:
            report = reports[index % len(reports)]
            report.refresh_from_db()
            try:
                if action == "edit":
                    figures = {
                        t_sum.pk: FigureInput(value=Decimal(index), causes="c"),
                        t_ratio.pk: FigureInput(
                            numerator=Decimal(index), denominator=Decimal(9), causes="c"
                        ),
                        t_share.pk: FigureInput(value=Decimal(index % 7), causes="c"),
                    }
                    services.report_save(
                        report=report, by=admin, revision=report.revision, figures=figures
                    )
                elif action in ("return", "reopen"):
                    moves[action](report, reviewer())
                else:
                    moves[action](report=report, by=reviewer() if action == "accept" else admin)
            except services.ReportError:
                pass  # not possible from the report's state: nothing changes
        running = totals_snapshot(campaign)
        rollup.rebuild(campaign=campaign)
        self.assertEqual(running, totals_snapshot(campaign))


class UnitMoveTestCase(HypothesisTestCase):
    def test_a_moved_units_report_counts_under_its_new_parent(self):
        from soket.orgs.services import unit_move

        campaign, units, (t_sum, _r, _h), admin = build([0, 0, 1])  # R › U1 › U3, R › U2
        u1, u2, u3 = units[1], units[2], units[3]
        report = services.report_for(campaign=campaign, unit=u3)
        figures = {t_sum.pk: FigureInput(value=Decimal(42), causes="c")}
        services.report_save(report=report, by=admin, revision=report.revision, figures=figures)
        services.report_submit(report=report, by=admin, warnings_confirmed=True)
        services.report_accept(report=report, by=reviewer())
        self.assertEqual(rollup.children_rollup(campaign=campaign)[(u1.pk, t_sum.pk)].value, 42)

        unit_move(unit=u3, new_parent=u2)
        rolled = rollup.children_rollup(campaign=campaign)
        self.assertNotIn((u1.pk, t_sum.pk), rolled)
        self.assertEqual(rolled[(u2.pk, t_sum.pk)].value, 42)
        running = totals_snapshot(campaign)
        rollup.rebuild(campaign=campaign)
        self.assertEqual(running, totals_snapshot(campaign))
