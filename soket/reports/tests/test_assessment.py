"""How a figure is judged in an interim and a final review, and why the pace label and
"đạt X% kế hoạch" can never disagree."""

import datetime
from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from soket.core import numbers
from soket.reports.assessment import evaluate, expected_by
from soket.reports.models import Assessment
from soket.resolutions.models import Resolution, Target, TargetMilestone

D = Decimal
MID_TERM = datetime.date(2016, 1, 1)  # three fifths of 2013–2018


def target(aggregation="sum", goal="100", unit="", direction="at_least", baseline=None):
    """A target of a 2013–2018 resolution, in memory: judging reads no database."""
    return Target(
        resolution=Resolution(term_start_year=2013, term_end_year=2018),
        code="CT",
        wording="w",
        aggregation=aggregation,
        direction=direction,
        unit_of_measure=unit,
        goal_value=None if goal is None else D(goal),
        baseline_value=None if baseline is None else D(baseline),
    )


def interim(the_target, value, milestones=(), as_of=MID_TERM):
    return evaluate(
        target=the_target,
        value=D(value),
        interim=True,
        as_of=as_of,
        milestones=list(milestones),
    )


class RatesWithoutBaselineTests(SimpleTestCase):
    def test_a_rate_with_no_baseline_is_judged_against_its_goal_not_a_line_from_zero(self):
        # The bug: 78,57% against a 100% goal read "ahead of schedule" at mid-term.
        result = interim(target("ratio", "100", "%"), "78.5714")
        self.assertEqual(result.expected, D(100))
        self.assertEqual(result.computed, Assessment.NOT_ACHIEVED)
        self.assertEqual(result.percent_of_goal, D("78.57"))

    def test_a_share_of_units_and_a_percentage_are_rates_too(self):
        share = interim(target("share_meeting", "95", "%"), "90")
        percentage = interim(target("none", "90", "%"), "85")
        self.assertEqual((share.expected, share.computed), (D(95), Assessment.NOT_ACHIEVED))
        self.assertEqual(
            (percentage.expected, percentage.computed), (D(90), Assessment.NOT_ACHIEVED)
        )

    def test_a_rate_that_reaches_its_goal_early_is_ahead_or_on_schedule(self):
        self.assertEqual(interim(target("ratio", "75", "%"), "75").computed, Assessment.ACHIEVED)
        self.assertEqual(interim(target("ratio", "75", "%"), "80").computed, Assessment.EXCEEDED)

    def test_a_rate_with_milestones_but_no_baseline_is_asked_its_first_milestone_from_the_start(
        self,
    ):
        rate = target("ratio", "80", "%")
        milestones = [TargetMilestone(due_on=datetime.date(2016, 1, 1), value=D(70))]
        self.assertEqual(expected_by(rate, datetime.date(2014, 6, 1), milestones), D(70))
        self.assertEqual(expected_by(rate, MID_TERM, milestones), D(70))
        later = expected_by(rate, datetime.date(2017, 1, 1), milestones)
        self.assertTrue(D(70) < later < D(80))

    def test_a_rate_with_a_baseline_climbs_from_it_to_the_goal(self):
        rate = target("ratio", "80", "%", baseline="50")
        expected = expected_by(rate, MID_TERM, [])
        self.assertAlmostEqual(float(expected), 50 + 30 * 1095 / 1826, places=3)
        self.assertEqual(interim(rate, "70").computed, Assessment.EXCEEDED)


class CountsTests(SimpleTestCase):
    def test_a_count_climbs_from_zero_and_the_percent_is_of_the_plan_for_the_period(self):
        members = target("sum", "10000", "đoàn viên")
        result = interim(members, "7400")
        self.assertAlmostEqual(float(result.expected), 10000 * 1095 / 1826, places=2)
        self.assertEqual(result.computed, Assessment.EXCEEDED)
        self.assertGreater(result.percent_of_goal, D(100))  # of what was due by now
        self.assertEqual(result.percent_of_term_goal, D(74))  # of the term's goal

    def test_a_count_climbs_from_its_baseline(self):
        members = target("sum", "1000", "đoàn viên", baseline="400")
        self.assertEqual(expected_by(members, datetime.date(2013, 1, 1), []), D(400))
        self.assertEqual(expected_by(members, datetime.date(2018, 1, 1), []), D(1000))

    def test_milestones_are_passed_through_for_a_count(self):
        houses = target("sum", "60", "nhà")
        milestones = [TargetMilestone(due_on=MID_TERM, value=D(45))]
        self.assertEqual(expected_by(houses, MID_TERM, milestones), D(45))

    def test_a_final_review_judges_against_the_goal(self):
        members = target("sum", "10000", "đoàn viên")
        result = evaluate(
            target=members, value=D(7400), interim=False, as_of=MID_TERM, milestones=[]
        )
        self.assertEqual(result.expected, D(10000))
        self.assertEqual(result.computed, Assessment.NOT_ACHIEVED)
        self.assertEqual(result.percent_of_goal, D(74))

    def test_a_ceiling_has_no_percent_of_its_goal(self):
        strikes = target("sum", "0", "vụ", direction="at_most")
        result = interim(strikes, "0")
        self.assertEqual(result.computed, Assessment.ACHIEVED)
        self.assertIsNone(result.percent_of_goal)

    def test_a_measurable_target_without_a_goal_is_not_judged(self):
        result = interim(target("sum", None, "người"), "12")
        self.assertIsNone(result.computed)
        self.assertIsNone(result.percent_of_goal)


AGGREGATIONS = st.sampled_from(
    [("sum", "đoàn viên"), ("sum", ""), ("ratio", "%"), ("share_meeting", "%"), ("none", "%")]
)
DAYS = st.dates(datetime.date(2012, 6, 1), datetime.date(2018, 6, 1))
AMOUNTS = st.decimals(min_value=0, max_value=100000, places=4)


class PaceAndPercentAgreeTests(SimpleTestCase):
    @settings(max_examples=300, deadline=None)
    @given(
        AGGREGATIONS,
        st.decimals(min_value=D("0.0001"), max_value=100000, places=4),
        st.one_of(st.none(), AMOUNTS),
        AMOUNTS,
        DAYS,
        st.booleans(),
        st.lists(st.tuples(DAYS, AMOUNTS), max_size=3, unique_by=lambda m: m[0]),
    )
    def test_the_printed_percent_and_the_pace_label_never_contradict(
        self, kind, goal, baseline, value, day, is_interim, points
    ):
        aggregation, unit = kind
        the_target = target(aggregation, goal, unit)
        the_target.baseline_value = baseline
        milestones = [TargetMilestone(due_on=due, value=at) for due, at in points]
        result = evaluate(
            target=the_target, value=value, interim=is_interim, as_of=day, milestones=milestones
        )
        if result.percent_of_goal is None:
            return
        printed = numbers.number(result.percent_of_goal)  # as the web, Word and Excel print it
        at_or_above = Decimal(printed.replace(".", "").replace(",", ".")) >= 100
        self.assertEqual(at_or_above, result.computed != Assessment.NOT_ACHIEVED, printed)
