"""A survey's results: the counts, shares and means equal those counted here from the
answers given, the stratified estimate uses the strata's weights, the scope narrows to a
unit's subtree or a level, and a unit below reads only its own (its workers' only once
five have answered)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from soket.orgs.models import Role
from soket.surveys import access, stats
from soket.surveys import results as survey_results
from soket.surveys.models import Answer, Choice, Question, Respondent, Response, Stratum, Survey
from soket.surveys.results import Scope
from soket.surveys.tests.making import SurveyTestCase, make_survey
from soket.surveys.views.results import waiting_text
from soket.testing import make_user

DAY = datetime.date(2016, 2, 10)


def give(respondent: Respondent, *, worker: bool = False, **values) -> Response:
    """A response with its answers, straight into the tables (values by question code,
    with "_" for "-"; a list of choice codes for a choice question)."""
    response = Response.objects.create(
        respondent=respondent,
        channel="anonymous" if worker else "web",
        answered_on=DAY,
        is_worker=worker,
    )
    questions = {q.code: q for q in respondent.survey.questions.all()}
    for name, value in values.items():
        question = questions[name.replace("_", "-")]
        if question.kind in ("single", "multiple"):
            answer = Answer.objects.create(response=response, question=question)
            answer.chosen.set(Choice.objects.filter(question=question, code__in=value))
        elif question.kind in ("number", "scale"):
            Answer.objects.create(response=response, question=question, number=Decimal(value))
        elif question.kind == "text":
            Answer.objects.create(response=response, question=question, text=value)
        else:
            Answer.objects.create(response=response, question=question, date=value)
    return response


# The sample: (stratum's branch, its units, the units drawn with their answers or None).
ANSWERS = {
    "A1": (7, [
        ("A1-01", {"doan_vien": 30, "tlu": ["co"], "hoat_dong": ["hoi-nghi", "thi-dua"],
                   "hai_long": 4, "kien_nghi": "=1+1"}),
        ("A1-g1", {"doan_vien": 50, "tlu": ["khong"], "hoat_dong": ["hoi-nghi"], "hai_long": 5}),
        ("A1-g2", {"doan_vien": 20, "tlu": ["co"], "hai_long": 3, "kien_nghi": "Tăng lương"}),
        ("A1-g3", None),
    ]),
    "A2": (4, [
        ("A2-01", {"doan_vien": 100, "tlu": ["co"], "hoat_dong": ["van-nghe"], "hai_long": 2}),
        ("A2-g1", {"doan_vien": 10, "tlu": ["khong"], "hoat_dong": ["hoi-nghi", "van-nghe"],
                   "hai_long": 4}),
    ]),
    "S1": (2, [
        ("S1-g1", {"doan_vien": 40, "tlu": ["co"], "hai_long": 5}),
    ]),
}  # fmt: skip


class ResultsTestCase(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey.state = Survey.State.OPEN
        cls.survey.selection = Survey.Selection.SAMPLE
        cls.survey.save()
        cls.branch = {"A1": cls.district_a1, "A2": cls.district_a2, "S1": cls.sector_s1}
        cls.strata = {}
        grassroots = cls.kinds["grassroots"]
        for name, (population, drawn) in ANSWERS.items():
            stratum = Stratum.objects.create(
                survey=cls.survey,
                branch=cls.branch[name],
                kind=grassroots,
                population=population,
                drawn=len(drawn),
            )
            cls.strata[name] = stratum
            for code, values in drawn:
                respondent = Respondent.objects.create(
                    survey=cls.survey, unit=cls.unit(code), stratum=stratum
                )
                if values is not None:
                    give(respondent, **values)

    @classmethod
    def unit(cls, code: str):
        from soket.orgs.models import Unit

        return Unit.objects.get(code=code)

    def given(self, branches=("A1", "A2", "S1")) -> list[dict]:
        return [
            values for name in branches for _code, values in ANSWERS[name][1] if values is not None
        ]

    def results(self, **scope):
        scope.setdefault("unit", self.province_a)
        return survey_results.results(survey=self.survey, scope=Scope(**scope))


class CountsTests(ResultsTestCase):
    def test_the_counts_of_each_choice_are_those_of_the_answers(self):
        found = self.results()
        given = self.given()
        self.assertEqual(found.responses, len(given))
        agreement = found.question("tlu")
        self.assertEqual(agreement.n, len(given))
        counted = {c.code: c.count for c in agreement.choices}
        self.assertEqual(counted["co"], sum(v["tlu"] == ["co"] for v in given))
        self.assertEqual(counted["khong"], sum(v["tlu"] == ["khong"] for v in given))
        activities = found.question("hoat-dong")
        # Several choices: n counts the answers that took at least one.
        self.assertEqual(activities.n, sum(bool(v.get("hoat_dong")) for v in given))
        for choice in activities.choices:
            self.assertEqual(
                choice.count, sum(choice.code in v.get("hoat_dong", []) for v in given)
            )
        scale = found.question("hai-long")
        for choice in scale.choices:
            self.assertEqual(choice.count, sum(v["hai_long"] == int(choice.code) for v in given))
        self.assertEqual(found.question("kien-nghi").n, 2)

    def test_a_census_every_unit_of_which_answered_shows_the_plain_shares_without_margin(self):
        Survey.objects.filter(pk=self.survey.pk).update(selection=Survey.Selection.ALL)
        self.survey.refresh_from_db()
        Respondent.objects.filter(survey=self.survey, unit__code="A1-g3").delete()
        found = self.results()
        self.assertEqual(found.method, survey_results.CENSUS)
        given = self.given()
        yes = found.question("tlu").choices[0]
        self.assertEqual(yes.estimate.value, sum(v["tlu"] == ["co"] for v in given) / len(given))
        self.assertIsNone(yes.estimate.margin)
        self.assertTrue(yes.estimate.census)
        members = [v["doan_vien"] for v in given]
        self.assertAlmostEqual(found.question("doan-vien").mean.value, sum(members) / len(given))

    def test_a_census_not_every_unit_of_which_answered_is_a_sample_of_each_stratum(self):
        """Every unit asked, but A1-g3 did not answer: the units that answered in each
        stratum are a sample of it (N_h the units asked there: A1 4, A2 2, S1 1).
        "Có": A1 2 of 3, A2 1 of 2, S1 1 of 1; W = 4/7, 2/7, 1/7;
        p̂ = 4/7·2/3 + 2/7·1/2 + 1/7·1 = 8/21 + 1/7 + 1/7 = 14/21;
        var = (4/7)²·(1 − 3/4)·(3/2·2/3·1/3)/3 (A2 and S1 answered in full)."""
        Survey.objects.filter(pk=self.survey.pk).update(selection=Survey.Selection.ALL)
        self.survey.refresh_from_db()
        found = self.results()
        self.assertEqual(found.method, survey_results.INCOMPLETE)
        yes = found.question("tlu").choices[0]
        self.assertFalse(yes.estimate.census)
        self.assertAlmostEqual(yes.estimate.value, 14 / 21)
        variance = (4 / 7) ** 2 * (1 - 3 / 4) * (3 / 2 * 2 / 3 * 1 / 3) / 3
        self.assertAlmostEqual(yes.estimate.margin, 1.96 * variance**0.5)
        self.assertNotEqual(yes.margin(), _("all units (census)"))
        # A2, where both units asked answered, is a census of its own.
        a2 = self.results(unit=self.district_a2).question("tlu").choices[0].estimate
        self.assertTrue(a2.census)
        self.assertEqual(a2.value, 1 / 2)

    def test_a_sample_gives_the_stratified_estimate_with_the_strata_weights(self):
        found = self.results()
        self.assertEqual(found.method, survey_results.STRATIFIED)
        per = []
        for _name, (population, drawn) in ANSWERS.items():
            answered = [v for _code, v in drawn if v is not None]
            hits = sum(v["tlu"] == ["co"] for v in answered)
            per.append((population, len(answered), hits))
        total = sum(population for population, _n, _hits in per)
        expected = sum(population / total * hits / n for population, n, hits in per)
        yes = found.question("tlu").choices[0]
        self.assertEqual(yes.code, "co")
        self.assertAlmostEqual(yes.estimate.value, expected)
        # S1 has one answer from two units: no variance to estimate there, so no margin.
        self.assertIsNone(yes.estimate.margin)
        self.assertEqual(yes.estimate.n, 6)

    def test_the_margin_of_a_sample_follows_the_strata(self):
        give(
            Respondent.objects.create(
                survey=self.survey, unit=self.unit("S1-g2"), stratum=self.strata["S1"]
            ),
            doan_vien=60, tlu=["khong"], hai_long=1,
        )  # fmt: skip
        found = self.results()
        # A1: 2 of 3 said yes, out of 7; A2: 1 of 2, out of 4; S1: 1 of 2, out of 2.
        strata = [(7, 3, 2), (4, 2, 1), (2, 2, 1)]
        total = 13
        value = sum(big / total * hits / n for big, n, hits in strata)
        variance = sum(
            (big / total) ** 2 * (1 - n / big) * (hits / n) * (1 - hits / n) / (n - 1)
            for big, n, hits in strata
        )
        yes = found.question("tlu").choices[0]
        self.assertAlmostEqual(yes.estimate.value, value)
        self.assertAlmostEqual(yes.estimate.margin, 1.96 * variance**0.5)
        # The mean of the members, the same way.
        members = {"A1": [30, 50, 20], "A2": [100, 10], "S1": [40, 60]}
        sizes = {"A1": 7, "A2": 4, "S1": 2}
        mean = sum(sizes[b] / total * sum(ys) / len(ys) for b, ys in members.items())
        self.assertAlmostEqual(found.question("doan-vien").mean.value, mean)

    def test_the_strata_are_listed_each_with_its_answers(self):
        rows = self.results().question("tlu").strata
        self.assertEqual([row.n for row in rows], [3, 2, 1])
        self.assertIn(self.district_a1.name, rows[0].label)

    def test_the_results_take_a_few_queries_whatever_the_number_of_units(self):
        with CaptureQueriesContext(connection) as few:
            self.results()
        for code in ("A1-g4", "A1-g5", "A1-g6"):
            respondent = Respondent.objects.create(
                survey=self.survey, unit=self.unit(code), stratum=self.strata["A1"]
            )
            give(respondent, doan_vien=5, tlu=["co"], hoat_dong=["thi-dua"], hai_long=3,
                 kien_nghi="Thêm")  # fmt: skip
        with CaptureQueriesContext(connection) as more:
            self.results()
        self.assertEqual(len(more), len(few))


class SkipRuleTests(SurveyTestCase):
    """A question behind a skip rule is asked of some units only: each stratum weighs
    by its units asked it, N_h·a_h/r_h, not by all its units."""

    def strata(self, selection: str, plan: dict, population: int = 2) -> None:
        survey = self.survey
        survey.state, survey.selection = Survey.State.OPEN, selection
        survey.save()
        self.q_activities.shown_if = self.q_agreement
        self.q_activities.shown_if_codes = ["co"]
        self.q_activities.save()
        for branch, units in plan.items():
            stratum = Stratum.objects.create(
                survey=survey, branch=branch, kind=self.kinds["grassroots"],
                population=population, drawn=len(units),
            )  # fmt: skip
            for unit, values in units:
                give(
                    Respondent.objects.create(survey=survey, unit=unit, stratum=stratum),
                    **values,
                )

    def test_a_census_with_a_skip_rule_gives_the_plain_share_of_those_asked(self):
        """A1: one unit of two says "có" and is asked the activities; A2: both are. The
        three asked answered: "hội nghị" is 1 of 3, every unit asked answered (census);
        weighing A1 by its 2 units would have made it 1/2."""
        self.strata(Survey.Selection.ALL, {
            self.district_a1: [
                (self.grassroots_a1, {"doan_vien": 1, "tlu": ["co"], "hoat_dong": ["hoi-nghi"]}),
                (self.more_a1[0], {"doan_vien": 1, "tlu": ["khong"]}),
            ],
            self.district_a2: [
                (self.grassroots_a2, {"doan_vien": 1, "tlu": ["co"], "hoat_dong": ["van-nghe"]}),
                (self.more_a2[0], {"doan_vien": 1, "tlu": ["co"], "hoat_dong": ["van-nghe"]}),
            ],
        })  # fmt: skip
        found = survey_results.results(survey=self.survey, scope=Scope(unit=self.province_a))
        self.assertEqual(found.method, survey_results.CENSUS)
        activities = found.question("hoat-dong")
        self.assertEqual(activities.n, 3)
        meeting, _contest, arts = activities.choices
        self.assertAlmostEqual(meeting.estimate.value, 1 / 3)
        self.assertAlmostEqual(arts.estimate.value, 2 / 3)
        self.assertTrue(meeting.estimate.census)
        with translation.override(settings.LANGUAGE_CODE):
            self.assertEqual(meeting.margin(), _("all units (census)"))
        # A question without the rule still weighs each stratum by all its units.
        self.assertAlmostEqual(found.question("tlu").choices[0].estimate.value, 3 / 4)

    def test_a_sample_with_a_skip_rule_weighs_each_stratum_by_its_units_asked(self):
        """Strata of 10 units: A1's 3 units answered, 1 asked the activities ("hội
        nghị"); A2's 2 answered, both asked (neither took it). N' = 10·1/3 and 10·2/2:
        p̂ = (10/3·1 + 10·0) / (10/3 + 10) = 1/4 (all 10 units' weight would give 1/2)."""
        yes, no = {"doan_vien": 1, "tlu": ["co"]}, {"doan_vien": 1, "tlu": ["khong"]}
        self.strata(Survey.Selection.SAMPLE, {
            self.district_a1: [(self.grassroots_a1, {**yes, "hoat_dong": ["hoi-nghi"]}),
                               (self.more_a1[0], no), (self.more_a1[1], no)],
            self.district_a2: [(self.grassroots_a2, {**yes, "hoat_dong": ["van-nghe"]}),
                               (self.more_a2[0], {**yes, "hoat_dong": ["thi-dua"]})],
        }, population=10)  # fmt: skip
        found = survey_results.results(survey=self.survey, scope=Scope(unit=self.province_a))
        self.assertEqual(found.method, survey_results.STRATIFIED)
        meeting = found.question("hoat-dong").choices[0].estimate
        self.assertAlmostEqual(meeting.value, 1 / 4)
        self.assertFalse(meeting.census)


class ScopeTests(ResultsTestCase):
    def test_a_branch_counts_its_own_units_only(self):
        found = self.results(unit=self.district_a1)
        given = self.given(["A1"])
        self.assertEqual(found.responses, len(given))
        self.assertEqual(found.method, survey_results.STRATIFIED)
        yes = found.question("tlu").choices[0]
        self.assertAlmostEqual(yes.estimate.value, 2 / 3)

    def test_a_unit_within_a_stratum_gets_the_answers_counted_without_margin(self):
        found = self.results(unit=self.grassroots_a1)
        self.assertEqual(found.method, survey_results.PART)
        self.assertEqual(found.responses, 1)
        self.assertIsNone(found.question("tlu").choices[0].estimate.margin)

    def test_a_level_with_no_unit_asked_counts_nothing(self):
        found = self.results(kind=self.kinds["district"])
        self.assertEqual(found.responses, 0)
        self.assertEqual(self.results(kind=self.kinds["grassroots"]).responses, 6)

    def test_the_surveying_unit_and_above_read_everything(self):
        for person in (self.dave, self.carol):
            scope = survey_results.reader_scope(
                user=person, survey=self.survey, unit_pk=None, kind_pk=None
            )
            self.assertEqual((scope.unit, scope.own), (self.province_a, False))
        scope = survey_results.reader_scope(
            user=self.carol, survey=self.survey, unit_pk=self.district_a2.pk, kind_pk=None
        )
        self.assertEqual(scope.unit, self.district_a2)

    def test_a_unit_outside_the_survey_is_not_found(self):
        from soket.orgs.models import Unit

        with self.assertRaises(Unit.DoesNotExist):
            survey_results.reader_scope(
                user=self.carol, survey=self.survey, unit_pk=self.province_b.pk, kind_pk=None
            )

    def test_a_unit_asked_reads_its_own_answer_only(self):
        scope = survey_results.reader_scope(
            user=self.gina, survey=self.survey, unit_pk=None, kind_pk=None
        )
        self.assertEqual((scope.unit, scope.own), (self.grassroots_a1, True))
        found = survey_results.results(survey=self.survey, scope=scope)
        self.assertEqual(found.method, survey_results.OWN)
        self.assertEqual(found.responses, 1)
        self.assertEqual(found.question("doan-vien").mean.value, 30)
        from soket.orgs.models import Unit

        with self.assertRaises(Unit.DoesNotExist):  # another unit asked: not theirs
            survey_results.reader_scope(
                user=self.gina, survey=self.survey, unit_pk=self.unit("A1-g1").pk, kind_pk=None
            )

    def test_people_of_a_unit_holding_no_unit_asked_read_nothing(self):
        # A1-02 (below A1, not asked), a unit outside the province, and S1's sector
        # union when none of its units is asked.
        Respondent.objects.filter(survey=self.survey, unit__code__startswith="S1").delete()
        outside = [
            make_user("otto", self.grassroots_a1_closed, Role.Kind.APPROVER),
            self.erin,
            make_user("sam", self.sector_s1, Role.Kind.VIEWER),
        ]
        for person in outside:
            with self.assertRaises(survey_results.NotReader):
                survey_results.reader_scope(
                    user=person, survey=self.survey, unit_pk=None, kind_pk=None
                )

    def test_a_district_between_reads_its_own_subtree(self):
        """alice (district A1) cannot read the province's survey, but reads what A1's
        units answered, as she reads their reports; bob reads A2's."""
        scope = survey_results.reader_scope(
            user=self.alice, survey=self.survey, unit_pk=None, kind_pk=None
        )
        self.assertEqual((scope.unit, scope.own), (self.district_a1, False))
        found = survey_results.results(survey=self.survey, scope=scope)
        self.assertEqual(found.responses, len(self.given(["A1"])))
        self.assertAlmostEqual(found.question("tlu").choices[0].estimate.value, 2 / 3)
        narrowed = survey_results.reader_scope(
            user=self.alice, survey=self.survey, unit_pk=self.unit("A1-g1").pk, kind_pk=None
        )
        self.assertEqual(narrowed.unit.code, "A1-g1")
        self.assertEqual(survey_results.results(survey=self.survey, scope=narrowed).responses, 1)
        from soket.orgs.models import Unit

        for elsewhere in (self.grassroots_a2, self.province_a, self.district_a2):
            with self.assertRaises(Unit.DoesNotExist):
                survey_results.reader_scope(
                    user=self.alice, survey=self.survey, unit_pk=elsewhere.pk, kind_pk=None
                )
        theirs = survey_results.reader_scope(
            user=self.bob, survey=self.survey, unit_pk=None, kind_pk=None
        )
        self.assertEqual(theirs.unit, self.district_a2)
        self.assertEqual(survey_results.reader_units(self.alice, self.survey), [self.district_a1])


class WorkersTests(SurveyTestCase):
    """A worker survey: A1-01 (gina's) and A2-01 hand out questionnaires."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.workers = make_survey(
            cls, respondents=Survey.Respondents.PEOPLE, title="Đời sống công nhân",
            state=Survey.State.OPEN,
        )  # fmt: skip
        stratum = Stratum.objects.create(
            survey=cls.workers, branch=cls.district_a1, kind=cls.kinds["grassroots"],
            population=7, drawn=1,
        )  # fmt: skip
        cls.ours = Respondent.objects.create(
            survey=cls.workers, unit=cls.grassroots_a1, stratum=stratum
        )
        cls.theirs = Respondent.objects.create(survey=cls.workers, unit=cls.grassroots_a2)
        cls.viewer = make_user("vera", cls.grassroots_a1, Role.Kind.VIEWER)

    def answer(self, respondent, count: int, **values):
        for _n in range(count):
            give(respondent, worker=True, **values)

    def own(self, person=None):
        scope = survey_results.reader_scope(
            user=person or self.gina, survey=self.workers, unit_pk=None, kind_pk=None
        )
        return survey_results.results(survey=self.workers, scope=scope)

    def test_fewer_than_five_workers_of_a_unit_show_it_nothing(self):
        self.close()
        self.answer(self.ours, access.SMALLEST_GROUP_SHOWN - 1, tlu=["co"], doan_vien=1)
        self.answer(self.theirs, 10, tlu=["khong"], doan_vien=2)
        for person in (self.gina, self.viewer):
            found = self.own(person)
            self.assertTrue(found.too_few)
            self.assertEqual(found.left_out, 1)
            self.assertFalse(any(result.shown for result in found.questions))
            self.assertFalse(any(result.choices for result in found.questions))

    def close(self):
        Survey.objects.filter(pk=self.workers.pk).update(state=Survey.State.CLOSED)
        self.workers.refresh_from_db()

    def test_five_workers_of_a_unit_show_it_their_aggregate_once_closed(self):
        self.answer(self.ours, 3, tlu=["co"], doan_vien=1, hai_long=4)
        self.answer(self.ours, 2, tlu=["khong"], doan_vien=2)
        self.answer(self.theirs, 10, tlu=["khong"])
        self.close()
        found = self.own()
        self.assertFalse(found.hidden)
        self.assertEqual(found.method, survey_results.WORKERS)
        agreement = found.question("tlu")
        self.assertTrue(agreement.shown)
        self.assertEqual([c.count for c in agreement.choices], [3, 2])
        # One unit is one cluster: the share, no margin.
        self.assertEqual(agreement.choices[0].estimate, stats.Estimate(3 / 5, None, 5))
        # Three of them answered the scale: fewer than five, not shown.
        self.assertFalse(found.question("hai-long").shown)

    def test_a_units_own_people_read_their_workers_only_once_the_survey_is_closed(self):
        """While it is open, the unit that handed out the questionnaires would see the
        figures move with each answer (from 5 to 6: the 6th worker's answer)."""
        self.answer(self.ours, 6, tlu=["co"], kien_nghi="Của chúng tôi")
        for person in (self.gina, self.viewer):
            found = self.own(person)
            self.assertTrue(found.waiting, person)
            self.assertFalse(found.too_few)
            self.assertEqual(found.responses, 0)
            self.assertFalse(any(r.shown or r.choices for r in found.questions))
        self.close()
        found = self.own()
        self.assertFalse(found.waiting)
        self.assertEqual(found.responses, 6)
        self.assertEqual(found.question("tlu").choices[0].count, 6)

    def test_a_units_workers_count_nowhere_until_five_answered(self):
        """A1-01's three workers, A1-g1's none, A2-01's six: A1-01's answers are in no
        figure, text or export of anyone, for any scope; so the whole less A2-01 is
        nothing, and district A1 (where one unit's workers answered) shows nothing."""
        g1 = Respondent.objects.create(survey=self.workers, unit=self.more_a1[0])
        self.answer(self.ours, 3, tlu=["co"], doan_vien=9, kien_nghi="BÍ MẬT")
        self.answer(self.theirs, 6, tlu=["khong"], doan_vien=2, kien_nghi="Công khai")
        question = self.workers.questions.get(code="kien-nghi")
        everything = Scope(unit=self.province_a)
        whole = survey_results.results(survey=self.workers, scope=everything)
        self.assertEqual((whole.responses, whole.left_out), (6, 1))
        self.assertEqual([c.count for c in whole.question("tlu").choices], [0, 6])
        self.assertEqual(whole.question("doan-vien").mean.value, 2.0)
        a2 = survey_results.results(survey=self.workers, scope=Scope(unit=self.district_a2))
        self.assertEqual(a2.responses, whole.responses)  # nothing left to subtract
        for unit in (self.district_a1, self.grassroots_a1):
            found = survey_results.results(survey=self.workers, scope=Scope(unit=unit))
            self.assertEqual((found.responses, found.left_out), (0, 1), unit)
            self.assertFalse(any(c.count for r in found.questions for c in r.choices))
            self.assertEqual(
                survey_results.text_answers(
                    survey=self.workers, scope=Scope(unit=unit), question=question
                ),
                ([], False),
            )
        for scope in (everything, Scope(unit=self.district_a1), Scope(unit=self.grassroots_a1)):
            texts = survey_results.all_text_answers(survey=self.workers, scope=scope, limit=99)
            self.assertNotIn("BÍ MẬT", [text for _code, text, _unit in texts])
        # Two more of A1-01's workers answer: now five, and they count everywhere.
        self.answer(self.ours, 2, tlu=["co"], doan_vien=9)
        whole = survey_results.results(survey=self.workers, scope=everything)
        self.assertEqual((whole.responses, whole.left_out), (11, 0))
        self.assertEqual([c.count for c in whole.question("tlu").choices], [5, 6])
        self.assertIsNotNone(g1)

    def test_the_surveying_unit_reads_the_clustered_estimate(self):
        """Two units of 10 answers, one all "có", one all "không": p̂ = 0,5 and the
        margin 1,96·√((5² + (−5)²) / (2·1·10²)) = 1,96·0,5 = 0,98 (stats.clustered: both
        units in one stratum, so of equal weight)."""
        Respondent.objects.filter(pk=self.theirs.pk).update(stratum=self.ours.stratum)
        self.answer(self.ours, 10, tlu=["co"], doan_vien=1)
        self.answer(self.theirs, 10, tlu=["khong"], doan_vien=3)
        scope = survey_results.reader_scope(
            user=self.dave, survey=self.workers, unit_pk=None, kind_pk=None
        )
        found = survey_results.results(survey=self.workers, scope=scope)
        self.assertFalse(found.hidden)
        self.assertEqual(found.responses, 20)
        yes = found.question("tlu").choices[0].estimate
        self.assertEqual(yes.value, 0.5)
        self.assertAlmostEqual(yes.margin, 0.98)
        # The mean, the same way: units' sums 10 and 30, ȳ = 2, residuals ∓10.
        mean = found.question("doan-vien").mean
        self.assertEqual(mean.value, 2.0)
        self.assertAlmostEqual(mean.margin, 1.96 * (200 / 200) ** 0.5)

    def test_a_share_of_all_from_workers_has_no_margin(self):
        self.answer(self.ours, 5, tlu=["co"])
        self.answer(self.theirs, 7, tlu=["co"])
        found = survey_results.results(survey=self.workers, scope=Scope(unit=self.province_a))
        yes = found.question("tlu").choices[0]
        self.assertEqual((yes.estimate.value, yes.estimate.margin), (1.0, None))
        self.assertEqual(yes.margin(), "")

    def test_a_district_reads_its_units_workers_while_open_but_not_its_own_too_soon(self):
        """alice (district A1) is not of a unit that handed out questionnaires: she
        reads A1's counted workers while the survey is open, like the province (A1 holds
        two units asked: no figure is one unit's)."""
        self.answer(self.ours, 5, tlu=["co"])
        second = Respondent.objects.create(survey=self.workers, unit=self.more_a1[0])
        self.answer(second, 5, tlu=["khong"])
        scope = survey_results.reader_scope(
            user=self.alice, survey=self.workers, unit_pk=None, kind_pk=None
        )
        self.assertEqual((scope.unit, scope.own, scope.waits), (self.district_a1, False, False))
        found = survey_results.results(survey=self.workers, scope=scope)
        self.assertEqual(found.responses, 10)
        own = survey_results.reader_scope(
            user=self.gina, survey=self.workers, unit_pk=None, kind_pk=None
        )
        self.assertEqual((own.unit, own.own, own.waits), (self.grassroots_a1, True, True))

    def test_the_results_of_workers_take_a_few_queries_whatever_the_number_of_units(self):
        self.answer(self.ours, 5, tlu=["co"], hai_long=3, doan_vien=1)
        with CaptureQueriesContext(connection) as few:
            survey_results.results(survey=self.workers, scope=Scope(unit=self.province_a))
        for unit in self.more_a1[:3]:
            respondent = Respondent.objects.create(survey=self.workers, unit=unit)
            self.answer(respondent, 5, tlu=["khong"], hai_long=4, doan_vien=2)
        with CaptureQueriesContext(connection) as more:
            found = survey_results.results(survey=self.workers, scope=Scope(unit=self.province_a))
        self.assertEqual(found.responses, 20)
        self.assertEqual(len(more), len(few))

    def test_text_answers_are_paged_and_name_no_one(self):
        total = survey_results.TEXTS_PER_PAGE + 3
        for number in range(total):
            give(self.ours, worker=True, kien_nghi=f"Ý kiến {number}")
        scope = Scope(unit=self.province_a)
        question = self.workers.questions.get(code="kien-nghi")
        first, more = survey_results.text_answers(
            survey=self.workers, scope=scope, question=question
        )
        second, after = survey_results.text_answers(
            survey=self.workers, scope=scope, question=question, page=2
        )
        self.assertEqual((len(first), more, len(second), after), (20, True, 3, False))
        self.assertEqual({unit for _text, unit in first + second}, {""})
        self.assertEqual(
            {text for text, _unit in first + second}, {f"Ý kiến {n}" for n in range(total)}
        )

    def test_text_answers_are_listed_by_their_text_not_as_they_came(self):
        came = ["muoi", "bon", "hai", "nam", "mot", "ba"]  # plain letters: any collation
        for text in came:
            give(self.ours, worker=True, kien_nghi=f"x-{text}")
        question = self.workers.questions.get(code="kien-nghi")
        scope = Scope(unit=self.province_a)
        listed, _more = survey_results.text_answers(
            survey=self.workers, scope=scope, question=question
        )
        exported = survey_results.all_text_answers(survey=self.workers, scope=scope, limit=99)
        in_order = sorted(f"x-{text}" for text in came)
        self.assertEqual([text for text, _unit in listed], in_order)
        self.assertEqual([text for _code, text, _unit in exported], in_order)

    def test_a_unit_whose_workers_answered_a_question_too_few_counts_in_none_of_its_figures(self):
        """A1-01: five questionnaires, one worker alone answers the optional scale (1)
        and writes a remark; A2-01: ten, all 5 and each a remark. The whole survey less
        district A2 would show that one worker: A1-01 counts in no figure of the scale,
        nor is its remark listed."""
        self.answer(self.ours, 1, tlu=["co"], hai_long=1, kien_nghi="MỘT MÌNH")
        self.answer(self.ours, 4, tlu=["co"])
        self.answer(self.theirs, 10, tlu=["khong"], hai_long=5, kien_nghi="Cả nhóm")
        whole = survey_results.results(survey=self.workers, scope=Scope(unit=self.province_a))
        a2 = survey_results.results(survey=self.workers, scope=Scope(unit=self.district_a2))
        scale, theirs = whole.question("hai-long"), a2.question("hai-long")
        self.assertEqual((scale.n, [c.count for c in scale.choices]), (10, [0, 0, 0, 0, 10]))
        self.assertEqual([c.count for c in scale.choices], [c.count for c in theirs.choices])
        self.assertEqual(scale.mean.value, 5.0)
        self.assertEqual(scale.strata, [])  # no row of A1's stratum (A2-01 has none)
        self.assertEqual(whole.question("kien-nghi").n, 10)
        self.assertEqual(whole.question("tlu").n, 15)  # all five answered this one
        question = self.workers.questions.get(code="kien-nghi")
        for scope in (Scope(unit=self.province_a), Scope(unit=self.district_a1)):
            listed, _more = survey_results.text_answers(
                survey=self.workers, scope=scope, question=question
            )
            exported = survey_results.all_text_answers(survey=self.workers, scope=scope, limit=99)
            self.assertNotIn("MỘT MÌNH", [text for text, _unit in listed])
            self.assertNotIn("MỘT MÌNH", [text for _code, text, _unit in exported])
        self.assertEqual(len(exported), 0)
        self.assertEqual(
            len(survey_results.all_text_answers(
                survey=self.workers, scope=Scope(unit=self.province_a), limit=99
            )),
            10,
        )  # fmt: skip
        a1 = survey_results.results(survey=self.workers, scope=Scope(unit=self.grassroots_a1))
        self.assertEqual((a1.question("hai-long").n, a1.question("hai-long").shown), (0, False))

    def test_a_hidden_stratum_row_hides_its_n_too(self):
        rows = survey_results._by_stratum(
            self.workers.questions.get(code="tlu"), [None], {}, {(None, "x"): 1}, {},
            {None: 3}, "vi", hide_small=True,
        )  # fmt: skip
        self.assertEqual((rows[0].n, set(rows[0].figures)), ("—", {"—"}))

    def test_a_date_of_workers_gives_its_count_not_its_earliest_and_latest_day(self):
        """The earliest and the latest day are each one worker's answer."""
        self.answer(self.ours, 1, tlu=["co"], tlu_nam=datetime.date(1990, 3, 1))
        self.answer(self.ours, 4, tlu=["co"], tlu_nam=datetime.date(2015, 6, 1))
        self.close()
        signed = self.own().question("tlu-nam")
        self.assertEqual((signed.shown, signed.n), (True, 5))
        self.assertEqual((signed.first_day, signed.last_day), (None, None))
        self.client.force_login(self.gina)
        page = self.client.get(reverse("survey_results", args=[self.workers.pk]))
        self.assertContains(page, "n = 5")
        self.assertNotContains(page, "01/03/1990")
        self.assertNotContains(page, "01/06/2015")

    def test_worker_figures_weigh_each_unit_by_its_strata_draw(self):
        """A stratum of 40 units with 2 drawn, all "có"; one of 4 units with 2 drawn, all
        "không"; five answers each. w = 40/2 = 20 and 4/2 = 2:
        p̂ = (20·5 + 20·5) / (20·10 + 2·10) = 200/220 ≈ 0,909 (unweighted: 0,5). Every
        unit's answers alike within its stratum: no spread seen, no margin."""
        survey = make_survey(
            self, respondents=Survey.Respondents.PEOPLE, title="Có trọng số",
            state=Survey.State.CLOSED,
        )  # fmt: skip
        plan = [
            (self.district_a1, 40, [self.grassroots_a1, self.more_a1[0]], "co"),
            (self.district_a2, 4, [self.grassroots_a2, self.more_a2[0]], "khong"),
        ]
        for branch, population, units, said in plan:
            stratum = Stratum.objects.create(
                survey=survey, branch=branch, kind=self.kinds["grassroots"],
                population=population, drawn=len(units),
            )  # fmt: skip
            for unit in units:
                respondent = Respondent.objects.create(survey=survey, unit=unit, stratum=stratum)
                self.answer(respondent, 5, tlu=[said], doan_vien=1 if said == "co" else 3)
        found = survey_results.results(survey=survey, scope=Scope(unit=self.province_a))
        yes = found.question("tlu").choices[0]
        self.assertEqual(yes.count, 10)
        self.assertAlmostEqual(yes.estimate.value, 200 / 220)
        self.assertAlmostEqual(yes.estimate.value, 0.909, places=3)
        self.assertIsNone(yes.estimate.margin)
        # The mean, the same way: (20·10·1 + 2·10·3) / 220.
        self.assertAlmostEqual(found.question("doan-vien").mean.value, 260 / 220)

    def test_a_reader_narrowing_an_open_survey_to_one_unit_waits_for_its_closing(self):
        """dave (the province, who can print every unit's questionnaires) narrows to
        A1-01 while answers come in: he would watch its figures change answer by
        answer, so he waits like A1-01's own people; district A1, with two units asked,
        he reads."""
        self.answer(self.ours, 6, tlu=["co"])
        second = Respondent.objects.create(survey=self.workers, unit=self.more_a1[0])
        self.answer(second, 5, tlu=["khong"])
        for unit, waits in ((self.grassroots_a1, True), (self.district_a1, False),
                            (self.district_a2, True)):  # fmt: skip
            scope = survey_results.reader_scope(
                user=self.dave, survey=self.workers, unit_pk=unit.pk, kind_pk=None
            )
            self.assertEqual(scope.waits, waits, unit)
            found = survey_results.results(survey=self.workers, scope=scope)
            self.assertEqual(found.waiting, waits, unit)
        narrowed = survey_results.reader_scope(
            user=self.dave, survey=self.workers, unit_pk=self.grassroots_a1.pk, kind_pk=None
        )
        found = survey_results.results(survey=self.workers, scope=narrowed)
        self.assertEqual(found.responses, 0)
        self.assertFalse(any(r.choices for r in found.questions))
        # A district of two units asked, only one of which has five answers so far:
        # its figures are that one unit's, and wait too.
        Response.objects.filter(respondent=second).delete()
        scope = survey_results.reader_scope(
            user=self.dave, survey=self.workers, unit_pk=self.district_a1.pk, kind_pk=None
        )
        self.assertTrue(scope.waits)
        with translation.override(settings.LANGUAGE_CODE):
            self.client.force_login(self.dave)
            page = self.client.get(
                reverse("survey_results", args=[self.workers.pk]),
                {"don-vi": self.grassroots_a1.pk},
            )
            self.assertContains(page, escape(waiting_text(found)))
            self.assertNotContains(page, "n = 6")
        self.close()
        found = survey_results.results(survey=self.workers, scope=narrowed)
        self.assertEqual((found.waiting, found.responses), (False, 6))

    def test_a_chart_reads_one_questions_figures_whatever_their_number(self):
        self.answer(self.ours, 6, tlu=["co"], doan_vien=1, hai_long=3, hoat_dong=["thi-dua"])
        self.answer(self.theirs, 6, tlu=["khong"], doan_vien=2, hai_long=4)
        only = survey_results.results(survey=self.workers, scope=Scope(unit=self.province_a),
                                      only="tlu")  # fmt: skip
        self.assertEqual([r.code for r in only.questions], ["tlu"])
        self.assertEqual([c.count for c in only.question("tlu").choices], [6, 6])
        self.client.force_login(self.dave)
        chart = reverse("survey_result_chart", args=[self.workers.pk, "tlu", "svg"])
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get(chart).status_code, 200)
        for number in range(3):
            question = Question.objects.create(
                survey=self.workers, order=10 + number, code=f"them-{number}", kind="single",
                label=f"Thêm {number}",
            )  # fmt: skip
            Choice.objects.create(question=question, order=1, code="co", label="Có")
        for response in Response.objects.filter(respondent__survey=self.workers):
            for question in self.workers.questions.filter(code__startswith="them-"):
                answer = Answer.objects.create(response=response, question=question)
                answer.chosen.set(question.choices.all())
        with CaptureQueriesContext(connection) as more:
            self.assertEqual(self.client.get(chart).status_code, 200)
        self.assertEqual(len(more), len(few))
