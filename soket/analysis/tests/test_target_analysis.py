"""The target analysis a steering committee reads: goal, result, who met it and who did
not and why, best and weakest, the change since the baseline, the cascade."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from soket.analysis import selectors
from soket.analysis.tests.making import numbers, report
from soket.campaigns.models import Campaign, OutlineSection, Participation
from soket.orgs.models import Role, Unit
from soket.reports import rollup
from soket.reports.models import Assessment
from soket.resolutions.models import ActionProgramme
from soket.testing import (
    CampaignTestCase,
    make_operators,
    make_resolution,
    make_target,
    make_unit,
    make_user,
)

D = datetime.date


class AnalysisTestCase(CampaignTestCase):
    """Province A's interim campaign, reviewed to 31/12/2015: districts A1 and A2 below
    the province, A1-01 below A1 (A1-02 closed before the deadline)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_operators()

    def analyse(self, unit=None, user=None, **filters):
        return selectors.target_analysis(
            user=user or self.carol, campaign=self.campaign, unit=unit or self.province_a, **filters
        )

    def row(self, analysis, target):
        return next(row for row in analysis.rows if row.target == target)


class ResultsTestCase(AnalysisTestCase):
    def setUp(self):
        self.a1 = report(
            self.campaign,
            self.district_a1,
            {
                self.t_sum.pk: numbers(60),
                self.t_ratio.pk: numbers(numerator=30, denominator=40, causes="Thiếu vốn"),
                self.t_share.pk: numbers(numerator=1, denominator=1),
            },
        )
        self.a2 = report(
            self.campaign,
            self.district_a2,
            {
                self.t_sum.pk: numbers(30),
                self.t_ratio.pk: numbers(numerator=10, denominator=20),
                self.t_share.pk: numbers(numerator=0, denominator=1),
            },
            state="submitted",
        )

    def test_the_province_reads_its_districts_accepted_figures_added_up(self):
        analysis = self.analyse()
        self.assertTrue(analysis.rolls_up)
        below = [unit.unit for unit in self.row(analysis, self.t_sum).units]
        self.assertEqual(below, [self.district_a1, self.district_a2])
        summed = self.row(analysis, self.t_sum)
        self.assertEqual((summed.value, summed.reports, summed.not_yet_accepted), (60, 1, 0))
        ratio = self.row(analysis, self.t_ratio)
        self.assertEqual((ratio.numerator, ratio.denominator, ratio.value), (30, 40, 75))

    def test_reports_not_yet_accepted_count_when_asked(self):
        summed = self.row(self.analyse(include_submitted=True), self.t_sum)
        self.assertEqual((summed.value, summed.reports, summed.not_yet_accepted), (90, 2, 1))
        ratio = self.row(self.analyse(include_submitted=True), self.t_ratio)
        self.assertEqual((ratio.numerator, ratio.denominator), (40, 60))

    def test_it_is_live_a_report_accepted_a_moment_ago_is_in_it(self):
        from soket.analysis.tests.making import operators
        from soket.reports import services

        services.report_accept(report=self.a2, by=operators()[1])
        self.assertEqual(self.row(self.analyse(), self.t_sum).value, 90)

    def test_the_result_equals_the_rollup(self):
        for include_submitted, states in ((False, rollup.ACCEPTED), (True, rollup.COUNTED)):
            rolled = rollup.children_rollup(
                campaign=self.campaign, parents=[self.province_a.pk], states=states
            )
            for row in self.analyse(include_submitted=include_submitted).rows:
                total = rolled.get((self.province_a.pk, row.target.pk))
                expected = total.for_target(row.target)[0] if total else None
                self.assertEqual(row.value, expected, row.target.code)

    def test_who_met_a_rate_and_who_did_not_with_their_causes(self):
        ratio = self.row(self.analyse(include_submitted=True), self.t_ratio)
        # Interim on 31/12/2015, no baseline: a rate is judged against the goal, 75%.
        self.assertEqual([u.unit for u in ratio.met], [self.district_a1])
        self.assertEqual([u.unit for u in ratio.not_met], [self.district_a2])
        self.assertEqual(ratio.best.unit, self.district_a1)
        self.assertEqual(ratio.weakest.unit, self.district_a2)
        self.assertEqual(ratio.evaluation.assessment, Assessment.NOT_ACHIEVED)  # 40/60

    def test_causes_are_shown_where_a_unit_fell_short_only_and_as_printed(self):
        report(
            self.campaign,
            self.grassroots_a1,
            {self.t_ratio.pk: numbers(numerator=1, denominator=4, causes="Ít ⟦CĐCS X⟧")},
        )
        a1 = selectors.target_analysis(
            user=self.alice, campaign=self.campaign, unit=self.district_a1
        )
        unit = self.row(a1, self.t_ratio).units[0]
        self.assertTrue(unit.fell_short)
        self.assertEqual(unit.causes, "Ít (CĐCS X)")
        province = self.row(self.analyse(), self.t_ratio)
        self.assertEqual(province.units[0].causes, "")  # A1 met it: its causes are not shown

    def test_a_summed_goal_is_judged_only_where_it_was_set(self):
        summed = self.row(self.analyse(include_submitted=True), self.t_sum)
        # The province set it: its total is judged; its districts' parts are not.
        self.assertIsNotNone(summed.evaluation.assessment)
        self.assertEqual((summed.met, summed.not_met), ([], []))
        self.assertEqual(len(summed.not_judged), 2)

    def test_a_district_with_a_goal_of_its_own_is_judged_against_it(self):
        own = make_resolution("a1-xv", self.district_a1)
        a1_target = make_target(own, "S1", "sum", 50, wording="Đoàn viên mới A1")
        a1_target.derived_from.add(self.t_sum)
        summed = self.row(self.analyse(include_submitted=True), self.t_sum)
        a1, a2 = summed.units
        self.assertEqual((a1.goal, a1.goal_is_from_above), (a1_target, False))
        self.assertTrue(a1.met)  # 60 by 31/12/2015 against a line from 0 to 50 in 2018
        self.assertEqual((a2.goal, a2.evaluation.assessment), (self.t_sum, None))
        # At A1 itself, its own goal applies too.
        at_a1 = self.row(
            selectors.target_analysis(
                user=self.alice, campaign=self.campaign, unit=self.district_a1
            ),
            self.t_sum,
        )
        self.assertEqual((at_a1.goal, at_a1.goal_is_from_above), (a1_target, False))
        self.assertEqual(at_a1.chain[0].target, a1_target)
        self.assertTrue(at_a1.chain[0].is_own_goal)

    def test_a_grassroots_union_with_nobody_below_shows_its_own_figure(self):
        report(self.campaign, self.grassroots_a1, {self.t_sum.pk: numbers(7)})
        leaf = selectors.target_analysis(
            user=self.alice, campaign=self.campaign, unit=self.grassroots_a1
        )
        self.assertFalse(leaf.rolls_up)
        self.assertEqual(self.row(leaf, self.t_sum).value, 7)
        self.assertEqual(self.row(leaf, self.t_sum).units, [])


class DirectionTestCase(AnalysisTestCase):
    def test_where_less_is_better_the_lowest_figure_is_the_best(self):
        strikes = make_target(
            self.resolution, "V", "ratio", 5, direction="at_most", wording="Tỷ lệ tranh chấp",
            order=5,
        )  # fmt: skip
        self.section_results.targets.add(strikes)
        report(self.campaign, self.district_a1, {strikes.pk: numbers(numerator=1, denominator=50)})
        report(self.campaign, self.district_a2, {strikes.pk: numbers(numerator=9, denominator=50)})
        row = self.row(self.analyse(), strikes)
        self.assertEqual((row.best.unit, row.weakest.unit), (self.district_a1, self.district_a2))
        self.assertEqual([u.unit for u in row.met], [self.district_a1])  # 2% ≤ 5%
        self.assertEqual([u.unit for u in row.not_met], [self.district_a2])  # 18%

    def test_units_alike_have_a_best_and_no_weakest(self):
        for district in (self.district_a1, self.district_a2):
            report(self.campaign, district, {self.t_sum.pk: numbers(5)})
        row = self.row(self.analyse(), self.t_sum)
        self.assertEqual((row.best.unit, row.weakest), (self.district_a1, None))

    def test_only_units_with_a_figure_are_ranked(self):
        report(self.campaign, self.district_a2, {self.t_sum.pk: numbers(5)})
        row = self.row(self.analyse(), self.t_sum)
        self.assertEqual((row.best.unit, row.weakest), (self.district_a2, None))
        self.assertEqual([u.unit for u in row.without_figure], [self.district_a1])


class BaselineTestCase(AnalysisTestCase):
    def test_the_change_since_the_start_of_the_term_goes_the_targets_way(self):
        self.t_ratio.baseline_value, self.t_ratio.baseline_year = Decimal(50), 2013
        self.t_ratio.save()
        report(
            self.campaign, self.district_a1, {self.t_ratio.pk: numbers(numerator=3, denominator=5)}
        )
        baseline = self.row(self.analyse(), self.t_ratio).baseline
        self.assertEqual((baseline.value, baseline.year, baseline.change), (50, 2013, 10))
        self.assertTrue(baseline.improved)

    def test_a_summed_baseline_belongs_to_the_level_that_set_it(self):
        self.t_sum.baseline_value = Decimal(1000)
        self.t_sum.save()
        report(self.campaign, self.grassroots_a1, {self.t_sum.pk: numbers(3)})
        at_a1 = selectors.target_analysis(
            user=self.alice, campaign=self.campaign, unit=self.district_a1
        )
        self.assertIsNone(self.row(at_a1, self.t_sum).baseline)  # 3 is no change from 1000
        self.assertIsNotNone(self.row(self.analyse(), self.t_sum).baseline)

    def test_no_baseline_no_change(self):
        self.assertIsNone(self.row(self.analyse(), self.t_sum).baseline)


class CascadeTestCase(AnalysisTestCase):
    """The confederation's plan asks for its own target; province A's makes it concrete."""

    def setUp(self):
        self.national = make_resolution("tld-xi", self.confederation)
        self.national_target = make_target(self.national, "TLĐ-1", "sum", 1000, wording="ĐV mới")
        self.t_sum.derived_from.add(self.national_target)
        self.national_campaign = Campaign.objects.create(
            state="issued", code="so-ket-tld", owner=self.confederation, kind="interim",
            title="Sơ kết Tổng Liên đoàn", reviewed_from=D(2013, 1, 1), reviewed_to=D(2015, 12, 31),
        )  # fmt: skip
        section = OutlineSection.objects.create(campaign=self.national_campaign, order=1)
        section.targets.add(self.national_target)
        Participation.objects.create(
            campaign=self.national_campaign, root=self.confederation
        ).kinds.set(self.kinds.values())

    def test_the_provinces_target_stands_beside_the_confederations_with_both_results(self):
        report(self.national_campaign, self.district_a1, {self.national_target.pk: numbers(70)})
        report(self.national_campaign, self.district_a2, {self.national_target.pk: numbers(5)})
        report(self.campaign, self.district_a1, {self.t_sum.pk: numbers(60)})
        row = self.row(self.analyse(), self.t_sum)
        self.assertEqual(row.value, 60)
        (link,) = row.chain
        self.assertEqual(
            (link.target, link.level, link.is_own_goal), (self.national_target, 1, False)
        )
        self.assertEqual(
            [(r.campaign_id, r.value) for r in link.results], [(self.national_campaign.pk, 75)]
        )

    def test_a_longer_chain_is_followed_up_every_level(self):
        own = make_resolution("a1-xv", self.district_a1)
        below = make_target(own, "S1", "sum", 50)
        below.derived_from.add(self.t_sum)
        row = self.row(
            selectors.target_analysis(
                user=self.alice, campaign=self.campaign, unit=self.district_a1
            ),
            self.t_sum,
        )
        self.assertEqual(
            [(link.target, link.level) for link in row.chain],
            [(below, 0), (self.national_target, 1)],
        )

    def test_a_campaign_the_person_does_not_see_gives_no_result(self):
        report(self.national_campaign, self.district_a1, {self.national_target.pk: numbers(70)})
        Campaign.objects.filter(pk=self.national_campaign.pk).update(state="draft")
        (link,) = self.row(self.analyse(), self.t_sum).chain
        self.assertEqual(link.results, [])


class FiltersTestCase(AnalysisTestCase):
    def test_the_units_below_can_be_narrowed_to_one_level(self):
        sector = make_unit("A-N1", self.kinds["sector"], self.province_a)
        analysis = self.analyse()
        self.assertCountEqual([kind.code for kind in analysis.kinds], ["district", "sector"])
        narrowed = self.analyse(kind=self.kinds["sector"].pk)
        self.assertEqual(narrowed.kind, self.kinds["sector"])
        self.assertEqual([u.unit for u in narrowed.rows[0].units], [sector])
        self.assertEqual(narrowed.dropped, frozenset())

    def test_a_level_not_directly_below_is_left_out_and_said(self):
        analysis = self.analyse(kind=self.kinds["grassroots"].pk)
        self.assertIsNone(analysis.kind)
        self.assertEqual(analysis.dropped, {"kind"})
        self.assertEqual(len(analysis.rows[0].units), 2)

    def test_the_targets_can_be_narrowed_to_one_action_programme(self):
        programme = ActionProgramme.objects.create(
            resolution=self.resolution, number=1, title="Phát triển đoàn viên"
        )
        self.t_sum.programme = programme
        self.t_sum.save()
        analysis = self.analyse(programme=programme.pk)
        self.assertEqual([row.target for row in analysis.rows], [self.t_sum])
        self.assertEqual(analysis.programmes, [programme])
        unknown = self.analyse(programme=programme.pk + 1000)
        self.assertEqual(unknown.dropped, {"programme"})
        self.assertEqual(len(unknown.rows), 4)


class ScopeTestCase(AnalysisTestCase):
    def test_a_district_cannot_analyse_its_neighbour(self):
        with self.assertRaises(Unit.DoesNotExist):
            self.analyse(unit=self.district_a2, user=self.alice)

    def test_a_district_cannot_analyse_the_province_above_it(self):
        with self.assertRaises(Unit.DoesNotExist):
            self.analyse(unit=self.province_a, user=self.alice)

    def test_the_level_above_analyses_a_district(self):
        analysis = self.analyse(unit=self.district_a1, user=self.carol)
        self.assertEqual(analysis.above, [self.province_a])

    def test_another_province_does_not_see_the_campaign(self):
        with self.assertRaises(Campaign.DoesNotExist):
            self.analyse(user=self.erin)

    def test_a_draft_campaign_is_analysed_by_nobody(self):
        Campaign.objects.filter(pk=self.campaign.pk).update(state="draft")
        for person in (self.dave, self.carol):
            with self.subTest(person=person), self.assertRaises(Campaign.DoesNotExist):
                self.analyse(user=person)

    def test_a_unit_outside_the_campaign_is_not_analysed(self):
        national = make_user("tld-viewer", self.confederation, Role.Kind.VIEWER)
        with self.assertRaises(Unit.DoesNotExist):
            self.analyse(unit=self.confederation, user=national)

    def test_the_analysis_opens_at_the_persons_highest_unit_in_the_campaign(self):
        national = make_user("tld-viewer", self.confederation, Role.Kind.VIEWER)
        for person, unit in (
            (self.alice, self.district_a1),
            (self.carol, self.province_a),
            (national, self.province_a),
        ):
            with self.subTest(person=person):
                self.assertEqual(selectors.default_unit(user=person, campaign=self.campaign), unit)


class HandAssessmentTestCase(AnalysisTestCase):
    def test_a_federations_own_hand_assessment_is_its_judgement_as_on_its_report_page(self):
        report(self.campaign, self.district_a1, {self.t_sum.pk: numbers(60)})
        province = report(
            self.campaign,
            self.province_a,
            {
                self.t_qual.pk: numbers(
                    override=Assessment.ACHIEVED, override_reason="Học tập đầy đủ"
                ),
                self.t_sum.pk: numbers(
                    60, override=Assessment.NOT_ACHIEVED, override_reason="Chưa vững"
                ),
            },
            state="draft",
        )
        analysis = self.analyse()
        self.assertTrue(analysis.rolls_up)
        self.assertEqual(self.row(analysis, self.t_qual).evaluation.assessment, Assessment.ACHIEVED)
        # The drafter's judgement wins over the computed one, as on the report page.
        summed = self.row(analysis, self.t_sum).evaluation
        self.assertEqual((summed.computed, summed.assessment), ("exceeded", "not_achieved"))
        self.assertTrue(province.pk)


class WholeCountryTestCase(AnalysisTestCase):
    def test_no_query_grows_with_the_plans_and_resolutions_of_other_branches(self):
        """A national viewer sees every plan and resolution in the country; the analysis
        of one province reads only those of its own line, never all of them as a list."""
        for number in range(40):
            unit = make_unit(f"B1-{number + 10:02d}", self.kinds["grassroots"], self.district_b1)
            make_resolution(f"r-{number}", unit)
            Campaign.objects.create(
                state="issued",
                code=f"p-{number}",
                owner=unit,
                kind="interim",
                title="Kế hoạch khác",
                reviewed_from=D(2013, 1, 1),
                reviewed_to=D(2015, 12, 31),
            )
        viewer = make_user("tu", self.confederation, Role.Kind.VIEWER)
        with CaptureQueriesContext(connection) as queries:
            self.analyse(user=viewer)
        widest = max(query["sql"].count("%s") + query["sql"].count("?") for query in queries)
        self.assertLess(widest, 40, "a list of every plan or resolution in a query")
