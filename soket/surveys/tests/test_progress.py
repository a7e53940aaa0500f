"""How far the answers have come, by branch and kind, in one grouped query; and the
progress page drilled down within what each person sees."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soket.core import clock
from soket.surveys import progress, sampling
from soket.surveys.models import Respondent, Response, Survey, Token
from soket.surveys.tests.making import NOW, SurveyTestCase, make_survey
from soket.testing import make_unit

ALL = Survey.Selection.ALL


class ProgressTestCase(SurveyTestCase):
    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        self.grassroots = self.kinds["grassroots"]

    def answer(self, unit, *, survey=None, workers: int = 0) -> None:
        respondent = Respondent.objects.get(survey=survey or self.survey, unit=unit)
        if not workers:
            Response.objects.create(
                respondent=respondent, channel="web", answered_on=NOW.date(), entered_by=self.gina
            )
        for _n in range(workers):
            Response.objects.create(
                respondent=respondent, channel="anonymous", answered_on=NOW.date(), is_worker=True
            )

    def test_a_unit_survey_counts_the_units_that_answered_by_branch_and_kind(self):
        sampling.draw(
            survey=self.survey, by=self.dave, selection=ALL,
            kinds=[self.grassroots, self.kinds["district"]],
        )  # fmt: skip
        self.answer(self.grassroots_a1)
        self.answer(self.more_a1[0])
        self.answer(self.district_a2)
        self.answer(self.more_s1[1])
        seen = progress.progress(survey=self.survey, within=self.province_a)
        self.assertEqual((seen.total.chosen, seen.total.answered), (15, 4))
        by_branch = {
            (branch.unit.code, kind.code): (tally.chosen, tally.answered)
            for branch in seen.branches
            for kind, tally in branch.rows
        }
        self.assertEqual(
            by_branch,
            {("A1", "district"): (1, 0), ("A1", "grassroots"): (7, 2),
             ("A2", "district"): (1, 1), ("A2", "grassroots"): (4, 0),
             ("S1", "grassroots"): (2, 1)},
        )  # fmt: skip
        self.assertEqual(
            [(kind.code, tally.chosen, tally.answered) for kind, tally in seen.kind_rows()],
            [("district", 2, 1), ("grassroots", 13, 3)],
        )
        # One level down: the district itself first, then its grassroots unions.
        district = progress.progress(survey=self.survey, within=self.district_a1)
        self.assertEqual(district.branches[0].unit, self.district_a1)
        self.assertTrue(district.branches[0].is_itself)
        self.assertEqual(len(district.branches), 8)
        self.assertEqual((district.total.chosen, district.total.answered), (8, 2))
        self.assertFalse(any(branch.deeper for branch in district.branches))

    def test_a_worker_survey_counts_questionnaires_answers_and_units_with_an_answer(self):
        survey = make_survey(self, respondents=Survey.Respondents.PEOPLE, title="NLĐ")
        sampling.draw(
            survey=survey, by=self.dave, selection=ALL, kinds=[self.grassroots],
            questionnaires_per_unit=4,
        )  # fmt: skip
        self.answer(self.grassroots_a1, survey=survey, workers=3)
        self.answer(self.more_a1[2], survey=survey, workers=1)
        self.answer(self.more_a2[0], survey=survey, workers=2)
        seen = progress.progress(survey=survey, within=self.province_a)
        total = seen.total
        self.assertEqual(
            (total.chosen, total.answered, total.questionnaires, total.answers), (13, 3, 52, 6)
        )
        a1 = next(branch for branch in seen.branches if branch.unit == self.district_a1)
        self.assertEqual(
            (a1.total.chosen, a1.total.answered, a1.total.questionnaires, a1.total.answers),
            (7, 2, 28, 4),
        )
        self.assertEqual(a1.total.answers_rate, 14)

    def test_the_progress_is_one_query_whatever_the_number_of_units(self):
        survey = make_survey(self, respondents=Survey.Respondents.PEOPLE, title="NLĐ")
        sampling.draw(
            survey=survey, by=self.dave, selection=ALL, kinds=[self.grassroots],
            questionnaires_per_unit=2,
        )  # fmt: skip
        with CaptureQueriesContext(connection) as few:
            progress.progress(survey=survey, within=self.province_a)
        for n in range(12):
            make_unit(f"A2-y{n}", self.grassroots, self.district_a2)
        sampling.draw(
            survey=survey, by=self.dave, selection=ALL, kinds=[self.grassroots],
            questionnaires_per_unit=2,
        )  # fmt: skip
        self.assertEqual(Token.objects.filter(respondent__survey=survey).count(), 50)
        with CaptureQueriesContext(connection) as many:
            seen = progress.progress(survey=survey, within=self.province_a)
        self.assertEqual(len(few), len(many))
        self.assertLessEqual(len(many), 3)
        self.assertEqual(seen.total.chosen, 25)


class ProgressPageTestCase(SurveyTestCase):
    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        sampling.draw(
            survey=self.survey, by=self.dave, selection=ALL, kinds=[self.kinds["grassroots"]]
        )
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.OPEN)
        self.url = reverse("survey_progress", args=[self.survey.pk])

    def test_the_province_sees_every_branch_and_drills_into_one(self):
        self.client.force_login(self.carol)
        page = self.client.get(self.url)
        self.assertContains(page, f'href="?don-vi={self.district_a1.pk}"')
        self.assertContains(page, self.sector_s1.name)
        page = self.client.get(self.url, {"don-vi": self.district_a1.pk})
        self.assertContains(page, self.more_a1[5].name)
        self.assertNotContains(page, self.more_a2[0].name)

    def test_a_district_sees_its_own_branch_only(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.url)
        self.assertEqual(page.context["progress"].within, self.district_a1)
        self.assertNotContains(page, self.more_a2[0].name)
        self.assertEqual(
            self.client.get(self.url, {"don-vi": self.district_a2.pk}).status_code, 404
        )
        self.assertEqual(self.client.get(self.url, {"don-vi": self.province_a.pk}).status_code, 404)
        self.assertEqual(self.client.get(self.url, {"don-vi": "x"}).status_code, 404)
        self.assertEqual(self.client.get(self.url, {"don-vi": "9" * 30}).status_code, 404)

    def test_outsiders_and_strangers_see_nothing(self):
        self.client.force_login(self.erin)  # another province
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.client.force_login(self.carol)
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_a_worker_surveys_page_counts_questionnaires_and_answers(self):
        survey = make_survey(self, respondents=Survey.Respondents.PEOPLE, title="NLĐ")
        sampling.draw(
            survey=survey, by=self.dave, selection=ALL, kinds=[self.kinds["grassroots"]],
            questionnaires_per_unit=2,
        )  # fmt: skip
        Survey.objects.filter(pk=survey.pk).update(state=Survey.State.OPEN)
        respondent = Respondent.objects.get(survey=survey, unit=self.grassroots_a1)
        Response.objects.create(
            respondent=respondent, channel="anonymous", answered_on=NOW.date(), is_worker=True
        )
        self.client.force_login(self.gina)  # her own unit only
        page = self.client.get(reverse("survey_progress", args=[survey.pk]))
        self.assertEqual(page.context["progress"].within, self.grassroots_a1)
        total = page.context["progress"].total
        self.assertEqual((total.chosen, total.answered, total.questionnaires, total.answers),
                         (1, 1, 2, 1))  # fmt: skip
        self.assertContains(page, "50%")
