"""Drawing who answers: a census, a stratified sample reproducible from its seed, the
allocation's arithmetic, and the draws refused with a message naming what is wrong."""

from __future__ import annotations

import random

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _

from soket.core import clock
from soket.orgs import services
from soket.orgs.models import Role
from soket.surveys import sampling
from soket.surveys.models import Respondent, Response, Stratum, Survey, Token
from soket.surveys.tests.making import NOW, SurveyTestCase, make_survey
from soket.testing import make_unit

ALL, SAMPLE = Survey.Selection.ALL, Survey.Selection.SAMPLE


class SamplingTestCase(SurveyTestCase):
    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        self.grassroots = self.kinds["grassroots"]

    def draw(self, survey=None, **fields):
        fields.setdefault("kinds", [self.grassroots])
        fields.setdefault("selection", SAMPLE)
        return sampling.draw(survey=survey or self.survey, by=self.dave, **fields)

    def chosen(self, survey=None) -> list[str]:
        return list(
            Respondent.objects.filter(survey=survey or self.survey)
            .order_by("unit__path")
            .values_list("unit__code", flat=True)
        )

    def strata(self, survey=None) -> dict[tuple[str, str], tuple[int, int]]:
        return {
            (s.branch.code, s.kind.code): (s.population, s.drawn)
            for s in Stratum.objects.filter(survey=survey or self.survey).select_related(
                "branch", "kind"
            )
        }

    def refused(self, message: str, **fields) -> None:
        with self.assertRaises(sampling.SamplingError) as caught:
            self.draw(**fields)
        self.assertEqual(str(caught.exception), message)

    def test_a_census_asks_every_open_participating_unit_of_the_kinds_below_the_owner(self):
        survey = self.draw(selection=ALL)
        # A1-02 closed in 2015 is left out; the province itself is never asked.
        self.assertEqual(len(self.chosen()), 13)
        self.assertNotIn("A1-02", self.chosen())
        self.assertEqual(
            self.strata(),
            {("A1", "grassroots"): (7, 7), ("A2", "grassroots"): (4, 4),
             ("S1", "grassroots"): (2, 2)},
        )  # fmt: skip
        self.assertEqual((survey.population, survey.seed, survey.sample_size), (13, None, None))
        self.assertEqual(survey.drawn_by, self.dave)
        self.assertEqual(survey.drawn_at, NOW)
        self.assertEqual(survey.revision, 1)
        self.assertEqual(list(survey.kinds.all()), [self.grassroots])

    def test_units_directly_below_the_owner_share_one_stratum_per_kind(self):
        self.draw(selection=ALL, kinds=[self.kinds["district"], self.kinds["sector"]])
        self.assertEqual(self.chosen(), ["A1", "A2", "S1"])
        self.assertEqual(self.strata(), {("A", "district"): (2, 2), ("A", "sector"): (1, 1)})

    def test_the_same_seed_draws_the_same_units_and_another_seed_others(self):
        first = self.draw(size=6, seed=20160201)
        drawn = self.chosen()
        self.assertEqual(first.seed, 20160201)
        self.draw(size=6, seed=20160201)
        self.assertEqual(self.chosen(), drawn)
        # A sample of six from 13 in three strata: 7/13, 4/13, 2/13 of six.
        self.assertEqual(
            self.strata(),
            {("A1", "grassroots"): (7, 2), ("A2", "grassroots"): (4, 2),
             ("S1", "grassroots"): (2, 2)},
        )  # fmt: skip
        others = set()
        for seed in range(1, 8):
            self.draw(size=6, seed=seed)
            others.add(tuple(self.chosen()))
        self.assertGreater(len(others), 1)  # the seed does choose

    def test_a_draw_without_a_seed_records_a_fresh_one_that_repeats_it(self):
        survey = self.draw(size=5)
        self.assertIsNotNone(survey.seed)
        self.assertTrue(0 <= survey.seed < 2**63)
        drawn = self.chosen()
        self.draw(size=5, seed=survey.seed)
        self.assertEqual(self.chosen(), drawn)

    def test_the_draw_is_the_same_on_another_survey_of_the_same_tree(self):
        self.draw(size=4, seed=7)
        other = make_survey(self, title="Khảo sát khác")
        self.draw(survey=other, size=4, seed=7)
        self.assertEqual(self.chosen(other), self.chosen())

    def test_every_stratum_gets_a_unit_when_the_size_allows(self):
        self.draw(size=3, seed=1)
        self.assertEqual(
            {key: drawn for key, (_population, drawn) in self.strata().items()},
            {("A1", "grassroots"): 1, ("A2", "grassroots"): 1, ("S1", "grassroots"): 1},
        )
        # Below the number of strata, the largest ones come first.
        self.draw(size=1, seed=1)
        self.assertEqual(self.strata()[("A1", "grassroots")], (7, 1))
        self.assertEqual(sum(drawn for _p, drawn in self.strata().values()), 1)

    def test_a_sample_as_large_as_the_population_takes_every_unit(self):
        self.draw(size=13, seed=3)
        self.assertEqual(len(self.chosen()), 13)

    def test_allocation_is_proportional_with_largest_remainders_and_never_above_a_stratum(self):
        rng = random.Random(0)
        self.assertEqual(sampling.allocate([50, 30, 20], 10, rng), [5, 3, 2])
        # 5 × (10, 6, 4)/20 = 2.5, 1.5, 1: one each, the rest to the largest remainders.
        self.assertEqual(sampling.allocate([10, 6, 4], 5, rng), [2, 2, 1])
        # 7 × (10, 6, 4)/20 = 3.5, 2.1, 1.4: two at least in each, for a margin of error.
        self.assertEqual(sampling.allocate([10, 6, 4], 7, rng), [3, 2, 2])
        # One for each small stratum, taken from the largest.
        self.assertEqual(sampling.allocate([100, 1, 1, 1], 4, rng), [1, 1, 1, 1])
        self.assertEqual(sampling.allocate([100, 1, 1, 1], 10, rng), [7, 1, 1, 1])
        for _n in range(200):
            sizes = [rng.randint(1, 40) for _k in range(rng.randint(1, 8))]
            size = rng.randint(1, sum(sizes))
            counts = sampling.allocate(sizes, size, rng)
            self.assertEqual(sum(counts), size)
            self.assertTrue(all(0 <= c <= n for c, n in zip(counts, sizes, strict=True)))
            if size >= sum(min(n, 2) for n in sizes):
                self.assertTrue(all(c >= min(n, 2) for c, n in zip(counts, sizes, strict=True)))
            elif size >= len(sizes):
                self.assertTrue(all(c >= 1 for c in counts))

    def test_the_population_with_its_strata_is_read_in_a_few_queries(self):
        for n in range(10):
            make_unit(f"A2-x{n}", self.grassroots, self.district_a2)
        with CaptureQueriesContext(connection) as first:
            sampling.population(self.survey, [self.grassroots])
        for n in range(10):
            make_unit(f"A1-x{n}", self.grassroots, self.district_a1)
        with CaptureQueriesContext(connection) as second:
            cells = sampling.population(self.survey, [self.grassroots])
        self.assertEqual(len(first), len(second))
        self.assertLessEqual(len(second), 4)
        self.assertEqual(sum(len(cell.units) for cell in cells), 33)

    def test_a_tree_without_districts_stratifies_by_what_sits_under_the_owner(self):
        """The 2025 shape: grassroots unions directly under the province, others under a
        sector union."""
        province = make_unit("P", self.kinds["province"], self.confederation)
        services.role_grant(user=self.dave, unit=province, kind=Role.Kind.CAMPAIGN_ADMIN)
        for n in range(6):
            make_unit(f"P-{n}", self.grassroots, province)
        sector = make_unit("P-S", self.kinds["sector"], province)
        for n in range(3):
            make_unit(f"P-S-{n}", self.grassroots, sector)
        self.campaign.participations.create(root=province).kinds.set(self.kinds.values())
        survey = make_survey(self, title="Khảo sát 2025")
        Survey.objects.filter(pk=survey.pk).update(owner=province)
        survey.refresh_from_db()
        self.draw(survey=survey, size=4, seed=11)
        self.assertEqual(
            self.strata(survey), {("P", "grassroots"): (6, 2), ("P-S", "grassroots"): (3, 2)}
        )
        self.draw(survey=survey, size=4, seed=11)
        self.assertEqual(len(self.chosen(survey)), 4)

    def test_a_worker_survey_gives_each_unit_its_questionnaires(self):
        survey = make_survey(self, respondents=Survey.Respondents.PEOPLE, title="Người lao động")
        self.draw(survey=survey, size=4, seed=5, questionnaires_per_unit=3)
        self.assertEqual(Token.objects.filter(respondent__survey=survey).count(), 12)
        numbers = Token.objects.filter(respondent__survey=survey).values_list("number", flat=True)
        self.assertEqual(sorted(set(numbers)), [1, 2, 3])
        # Drawing again replaces the questionnaires too.
        self.draw(survey=survey, size=2, seed=5, questionnaires_per_unit=2)
        self.assertEqual(Token.objects.filter(respondent__survey=survey).count(), 4)

    def test_draws_that_cannot_be_made_are_refused_and_change_nothing(self):
        self.draw(size=3, seed=9)
        before = self.chosen()
        with translation.override(settings.LANGUAGE_CODE):
            self.refused(
                _(
                    "A sample of %(size)d units cannot be drawn from %(total)d: give a size "
                    "of at most %(total)d, or ask every unit."
                )
                % {"size": 14, "total": 13},
                size=14,
            )
            self.refused(_("Give the size of the sample (a number of units)."), size=None)
            self.refused(_("The sample must hold at least one unit."), size=0)
            self.refused(_("Choose at least one kind of unit to ask."), kinds=[], size=2)
            self.refused(
                _("No unit of the chosen kinds takes part in the campaign below %s.")
                % self.province_a,
                kinds=[self.kinds["confederation"]],
                size=1,
            )
            self.refused(
                _("The seed is a whole number from 0 to %d.") % (2**63 - 1), size=2, seed=2**63
            )
            self.refused(
                _(
                    "The survey was changed by someone else since you opened this page; "
                    "look at it again and draw again."
                ),
                size=2,
                revision=0,
            )
            worker = make_survey(self, respondents=Survey.Respondents.PEOPLE, title="NLĐ")
            with self.assertRaises(sampling.SamplingError) as caught:
                self.draw(survey=worker, size=2)
            self.assertEqual(
                str(caught.exception),
                _("Give the number of questionnaires each unit hands out."),
            )
            Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.OPEN)
            self.survey.refresh_from_db()
            self.refused(
                _("The survey is %s: who answers it can no longer change.")
                % Survey.State.OPEN.label.lower(),
                size=2,
            )
        self.assertEqual(self.chosen(), before)

    def test_only_the_surveys_administrators_draw(self):
        for person in (self.alice, self.carol, self.gina):
            with self.assertRaises(PermissionDenied):
                sampling.draw(survey=self.survey, by=person, selection=ALL, kinds=[self.grassroots])
        self.assertFalse(Respondent.objects.exists())

    def test_a_survey_with_answers_keeps_its_respondents(self):
        self.draw(selection=ALL)
        respondent = Respondent.objects.first()
        Response.objects.create(
            respondent=respondent, channel="web", answered_on=NOW.date(), entered_by=self.gina
        )
        with translation.override(settings.LANGUAGE_CODE):
            self.refused(
                _("Answers have been received already: who answers cannot change."), size=2
            )
        self.assertEqual(len(self.chosen()), 13)


class QuestionnairesInAllTestCase(SurveyTestCase):
    @override_settings(SOKET_SURVEY_MOST_QUESTIONNAIRES=20)
    def test_a_draw_never_makes_more_questionnaires_than_one_request_may(self):
        survey = make_survey(self, respondents=Survey.Respondents.PEOPLE, title="Người lao động")
        with self.assertRaises(sampling.SamplingError) as refused:
            sampling.draw(
                survey=survey, by=self.dave, selection=Survey.Selection.ALL,
                kinds=[self.kinds["grassroots"]], questionnaires_per_unit=3,
            )  # fmt: skip
        self.assertIn("20", str(refused.exception))
        self.assertFalse(Respondent.objects.filter(survey=survey).exists())
        self.assertFalse(Token.objects.filter(respondent__survey=survey).exists())
