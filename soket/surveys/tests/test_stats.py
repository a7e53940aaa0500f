"""The estimates and their margins of error at 95 percent, against the formulas worked by hand
on fixed data (stats' docstring gives them)."""

from __future__ import annotations

import math

from django.conf import settings
from django.test import SimpleTestCase
from django.utils import translation
from django.utils.translation import gettext as _
from matplotlib.collections import LineCollection

from soket.surveys import stats
from soket.surveys.charts import ShareBar, ShareBars, share_chart, whisker
from soket.surveys.stats import MeanStratum, ShareStratum


class ClusteredTests(SimpleTestCase):
    """Workers' answers, with the units that handed out the questionnaires as clusters:
    p̂ = Σy_i / Σm_i, var = Σ(y_i − p̂·m_i)² / (k(k − 1)·m̄²)."""

    def test_two_units_one_all_yes_one_all_no(self):
        """Two units of 10 answers each, one all yes (y = 10), one all no (y = 0):
        p̂ = 10/20 = 0,5; residuals 10 − 0,5·10 = 5 and 0 − 0,5·10 = −5;
        var = (5² + (−5)²) / (2·1·10²) = 50/200 = 0,25; margin = 1,96·√0,25 = 0,98."""
        estimate = stats.clustered([stats.Cluster(10, 10), stats.Cluster(10, 0)])
        self.assertEqual(estimate.value, 0.5)
        self.assertAlmostEqual(estimate.margin, 0.98)
        self.assertEqual(estimate.n, 20)
        self.assertFalse(estimate.census)

    def test_clusters_of_unequal_size(self):
        """6 of 8, 2 of 4 and 3 of 6: p̂ = 11/18, m̄ = 6; residuals 6 − 8·11/18 = 10/9,
        2 − 4·11/18 = −4/9, 3 − 6·11/18 = −2/3; Σ² = 100/81 + 16/81 + 36/81 = 152/81;
        var = (152/81) / (3·2·36) = 152/17496."""
        estimate = stats.clustered([stats.Cluster(8, 6), stats.Cluster(4, 2), stats.Cluster(6, 3)])
        self.assertAlmostEqual(estimate.value, 11 / 18)
        self.assertAlmostEqual(estimate.margin, 1.96 * math.sqrt(152 / 17496))

    def test_a_mean_replaces_the_hits_by_each_units_sum(self):
        """Unit 1: 2, 4 (sum 6); unit 2: 4, 5, 6 (sum 15): ȳ = 21/5 = 4,2, m̄ = 2,5;
        residuals 6 − 2·4,2 = −2,4 and 15 − 3·4,2 = 2,4; var = 11,52 / (2·1·6,25)."""
        estimate = stats.clustered([stats.Cluster(2, 6.0), stats.Cluster(3, 15.0)])
        self.assertAlmostEqual(estimate.value, 4.2)
        self.assertAlmostEqual(estimate.margin, 1.96 * math.sqrt(11.52 / 12.5))

    def test_one_unit_or_none_gives_no_margin(self):
        self.assertEqual(stats.clustered([]), stats.Estimate(None, None, 0))
        self.assertEqual(stats.clustered([stats.Cluster(0, 0)]), stats.Estimate(None, None, 0))
        self.assertEqual(stats.clustered([stats.Cluster(9, 3)]), stats.Estimate(3 / 9, None, 9))

    def test_a_share_of_none_or_of_all_has_no_margin_not_a_margin_of_zero(self):
        # Every answer of every unit the same: the sample shows no spread, which is
        # not a certainty; "± 0,0 điểm %" would say it is.
        for hits in (0, 7):
            estimate = stats.clustered([stats.Cluster(7, hits), stats.Cluster(5, hits * 5 // 7)])
            self.assertIsNone(estimate.margin, hits)
            self.assertEqual(stats.margin_text(estimate, share=True, language="vi"), "")


class WeightedClusteredTests(SimpleTestCase):
    """Units drawn by stratum, not in proportion: each weighs w = N_h/n_h;
    p̂ = Σw·y / Σw·m, var = Σ_h n_h/(n_h − 1)·Σ_{i∈h}(w·z − mean_h(w·z))² / (Σw·m)²,
    z = y − p̂·m."""

    def test_two_strata_of_two_units_worked_by_hand(self):
        """A (40 units, 2 drawn, w = 20): 5 of 5 and 3 of 5; B (4 units, 2 drawn, w = 2):
        0 of 5 and 2 of 5. Σw·y = 20·8 + 2·2 = 164, Σw·m = 220, p̂ = 41/55.
        A: z = 5 − 5·41/55 = 14/11 and 3 − 41/11 = −8/11; w·z = 280/11, −160/11, mean
        60/11, deviations ±20: 2/1·800 = 1600. B: z = −41/11, −19/11; w·z = −82/11,
        −38/11, deviations ±2: 2/1·8 = 16. var = 1616 / 220²."""
        estimate = stats.clustered([
            stats.Cluster(5, 5, 20.0, "A"), stats.Cluster(5, 3, 20.0, "A"),
            stats.Cluster(5, 0, 2.0, "B"), stats.Cluster(5, 2, 2.0, "B"),
        ])  # fmt: skip
        self.assertAlmostEqual(estimate.value, 41 / 55)
        self.assertAlmostEqual(estimate.margin, 1.96 * math.sqrt(1616 / 220**2))
        self.assertAlmostEqual(estimate.margin, 0.358141, places=5)
        self.assertEqual(estimate.n, 20)

    def test_a_stratum_of_one_unit_joins_the_smallest_other_for_the_variance(self):
        """A (w = 20): 5 of 5 and 3 of 5; B (w = 4), one unit: 0 of 5. p̂ = 160/220 = 8/11.
        B has no variance of its own and is collapsed into A: w·z = 20·(5 − 40/11) =
        300/11, 20·(3 − 40/11) = −140/11, 4·(0 − 40/11) = −160/11, mean 0;
        3/2·(300² + 140² + 160²)/11² = 202800/121; var = that / 220²."""
        estimate = stats.clustered([
            stats.Cluster(5, 5, 20.0, "A"), stats.Cluster(5, 3, 20.0, "A"),
            stats.Cluster(5, 0, 4.0, "B"),
        ])  # fmt: skip
        self.assertAlmostEqual(estimate.value, 160 / 220)
        self.assertAlmostEqual(estimate.margin, 1.96 * math.sqrt(202800 / 121) / 220)

    def test_strata_of_one_unit_each_are_pooled_into_one(self):
        """Two strata of one unit (w = 4 each): 0 of 5 and 2 of 5. p̂ = 8/40 = 0.2;
        w·z = 4·(0 − 1) = −4, 4·(2 − 1) = 4, mean 0; 2/1·32 = 64; var = 64/40²."""
        estimate = stats.clustered([stats.Cluster(5, 0, 4.0, "B"), stats.Cluster(5, 2, 4.0, "C")])
        self.assertAlmostEqual(estimate.value, 0.2)
        self.assertAlmostEqual(estimate.margin, 1.96 * math.sqrt(64 / 40**2))


class StratifiedTests(SimpleTestCase):
    def test_a_stratified_share_weights_each_stratum_by_its_units(self):
        # A: 3 of 4 answering units out of 10; B: 2 of 6 out of 30. W = 1/4, 3/4.
        # p̂ = ¼·¾ + ¾·⅓ = 0,4375.
        # var = (¼)²(1 − 4/10)·(4/3·¾·¼)/4 + (¾)²(1 − 6/30)·(6/5·⅓·⅔)/6
        #     = 0,0625·0,6·0,0625 + 0,5625·0,8·(4/90) = 0,00234375 + 0,02 = 0,02234375.
        estimate = stats.stratified_share(
            [ShareStratum(population=10, answered=4, hits=3),
             ShareStratum(population=30, answered=6, hits=2)]
        )  # fmt: skip
        self.assertAlmostEqual(estimate.value, 0.4375)
        self.assertAlmostEqual(estimate.margin, 1.96 * math.sqrt(0.02234375))
        self.assertAlmostEqual(estimate.margin, 0.292977, places=6)
        self.assertEqual(estimate.n, 10)

    def test_a_stratified_mean_weights_each_stratum_by_its_units(self):
        # A (10 units): 1, 3 — mean 2, s² = 2; B (20 units): 4, 5, 6 — mean 5, s² = 1.
        # W = ⅓, ⅔: ȳ = ⅔ + 10/3 = 4; var = (1/9)(0,8)(2/2) + (4/9)(0,85)(1/3).
        estimate = stats.stratified_mean(
            [MeanStratum(population=10, answered=2, total=4.0, squares=10.0),
             MeanStratum(population=20, answered=3, total=15.0, squares=77.0)]
        )  # fmt: skip
        self.assertAlmostEqual(estimate.value, 4.0)
        self.assertAlmostEqual(estimate.margin, 1.96 * math.sqrt(0.8 / 9 + 4 * 0.85 / 27))
        self.assertAlmostEqual(estimate.margin, 0.908423, places=6)

    def test_a_stratum_every_unit_of_which_answered_adds_no_error(self):
        # B answered in full (6 of 6): only A's term is left.
        estimate = stats.stratified_share(
            [ShareStratum(population=10, answered=4, hits=3),
             ShareStratum(population=6, answered=6, hits=2)]
        )  # fmt: skip
        weight = 10 / 16
        self.assertAlmostEqual(estimate.value, weight * 0.75 + (6 / 16) * (2 / 6))
        expected = weight**2 * 0.6 * (4 / 3 * 0.75 * 0.25) / 4
        self.assertAlmostEqual(estimate.margin, 1.96 * math.sqrt(expected))

    def test_a_stratum_without_answers_is_left_out_of_the_weights(self):
        estimate = stats.stratified_share(
            [ShareStratum(population=10, answered=4, hits=3),
             ShareStratum(population=30, answered=0, hits=0)]
        )  # fmt: skip
        self.assertAlmostEqual(estimate.value, 0.75)
        self.assertAlmostEqual(estimate.margin, 1.96 * math.sqrt(0.6 * 0.25 / 4))
        self.assertEqual(estimate.n, 4)

    def test_one_answer_of_a_stratum_of_several_leaves_no_margin(self):
        estimate = stats.stratified_share(
            [ShareStratum(population=10, answered=4, hits=3),
             ShareStratum(population=5, answered=1, hits=1)]
        )  # fmt: skip
        self.assertIsNotNone(estimate.value)
        self.assertIsNone(estimate.margin)

    def test_edge_cases_of_a_stratified_share(self):
        self.assertEqual(stats.stratified_share([]), stats.Estimate(None, None, 0))
        one = stats.stratified_share([ShareStratum(population=10, answered=1, hits=1)])
        self.assertEqual((one.value, one.margin), (1.0, None))

    def test_a_share_of_none_or_of_all_from_a_sample_has_no_margin(self):
        # 5 units of 10 answered, all alike: the estimated variance is 0, but half the
        # stratum is unknown, so no margin (not "± 0,0 điểm %").
        none = stats.stratified_share([ShareStratum(population=10, answered=5, hits=0)])
        self.assertEqual((none.value, none.margin, none.census), (0.0, None, False))
        every = stats.stratified_share([ShareStratum(population=10, answered=5, hits=5)])
        self.assertEqual((every.value, every.margin, every.census), (1.0, None, False))
        alike = stats.stratified_mean([MeanStratum(population=10, answered=3, total=12.0,
                                                   squares=48.0)])  # fmt: skip
        self.assertEqual((alike.value, alike.margin), (4.0, None))
        self.assertEqual(stats.margin_text(every, share=True, language="vi"), "")

    def test_every_unit_of_every_stratum_answering_is_a_census(self):
        estimate = stats.stratified_share(
            [ShareStratum(population=4, answered=4, hits=1),
             ShareStratum(population=2, answered=2, hits=2)]
        )  # fmt: skip
        self.assertEqual(estimate, stats.Estimate(3 / 6, None, 6, census=True))

    def test_a_census_not_every_unit_of_which_answered_is_a_sample(self):
        # Every unit asked (N_h = the units asked), 3 of 4 answered in one stratum: the
        # stratified estimate, with the margin of the stratum not answered in full.
        estimate = stats.stratified_share(
            [ShareStratum(population=4, answered=3, hits=2),
             ShareStratum(population=2, answered=2, hits=1)]
        )  # fmt: skip
        self.assertFalse(estimate.census)
        self.assertAlmostEqual(estimate.value, 4 / 6 * 2 / 3 + 2 / 6 * 1 / 2)
        # (4/6)²·(1 − 3/4)·(3/2·2/3·1/3)/3
        self.assertAlmostEqual(estimate.margin, 1.96 * math.sqrt((4 / 6) ** 2 * 0.25 / 9))
        # A stratum with no answer at all: not a census either.
        gap = stats.stratified_share(
            [ShareStratum(population=4, answered=4, hits=2),
             ShareStratum(population=2, answered=0, hits=0)]
        )  # fmt: skip
        self.assertFalse(gap.census)

    def test_a_census_has_no_sampling_error(self):
        estimate = stats.census_share(3, 4)
        self.assertEqual(estimate, stats.Estimate(0.75, None, 4, census=True))
        self.assertEqual(stats.census_mean(2, 9.0), stats.Estimate(4.5, None, 2, census=True))
        self.assertEqual(stats.census_share(0, 0).value, None)


class WritingTests(SimpleTestCase):
    def setUp(self):
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def test_shares_and_margins_are_written_the_vietnamese_way(self):
        estimate = stats.Estimate(0.625, 0.081, 40)
        self.assertEqual(stats.share_text(estimate, "vi"), "62,5%")
        self.assertEqual(
            stats.margin_text(estimate, share=True, language="vi"),
            _("± %(points)s percentage points") % {"points": "8,1"},
        )
        mean = stats.Estimate(3.456, 0.1234, 40)
        self.assertEqual(stats.mean_text(mean, "vi"), "3,46")
        self.assertEqual(stats.margin_text(mean, share=False, language="vi"), "± 0,12")

    def test_a_census_says_so_and_no_margin_says_nothing(self):
        census = stats.census_share(1, 2)
        self.assertEqual(
            stats.margin_text(census, share=True, language="vi"), _("all units (census)")
        )
        self.assertEqual(stats.margin_text(stats.Estimate(1.0, None, 1), share=True), "")
        self.assertEqual(stats.share_text(stats.Estimate(None, None, 0)), "")


class ChartTests(SimpleTestCase):
    def test_whiskers_stay_between_none_and_all(self):
        self.assertEqual(whisker(ShareBar("a", 95.0, 10.0, "95%")), (10.0, 5.0))
        self.assertEqual(whisker(ShareBar("b", 3.0, 10.0, "3%")), (3.0, 10.0))
        self.assertEqual(whisker(ShareBar("c", 50.0, None, "50%")), (0.0, 0.0))
        drawn = share_chart(ShareBars("Q", "n = 9", [
            ShareBar("a", 95.0, 10.0, "95%"), ShareBar("b", 3.0, 10.0, "3%"),
        ]))  # fmt: skip
        ends = [
            x
            for axes in drawn.axes
            for collection in axes.collections
            if isinstance(collection, LineCollection)
            for segment in collection.get_segments()
            for x, _y in segment
        ]
        self.assertTrue(ends)
        self.assertLessEqual(max(ends), 100.0)
        self.assertGreaterEqual(min(ends), 0.0)
