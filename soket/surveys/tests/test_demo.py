"""The demo's survey: the steering committee's survey of 02/2016 of the workers of a
stratified sample of grassroots unions, marked illustrative, whose draw can be made again
from its recorded seed and whose answers reach the results with their margins."""

from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from soket.campaigns.models import Campaign
from soket.demo import data
from soket.demo.loader import load_demo
from soket.demo.surveys import D_TITLE, load_demo_survey
from soket.orgs.models import User
from soket.surveys import sampling
from soket.surveys.models import Respondent, Response, Survey, Token


class DemoSurveyTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()
        cls.campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
        cls.survey = Survey.objects.get(campaign=cls.campaign)

    def test_the_committees_survey_is_open_marked_illustrative_and_answered(self):
        self.assertEqual(self.survey.title, D_TITLE)
        self.assertIn("minh họa", self.survey.title)
        self.assertTrue(self.survey.is_illustrative)
        self.assertEqual(self.survey.state, Survey.State.OPEN)
        self.assertEqual(self.survey.respondents, Survey.Respondents.PEOPLE)
        self.assertEqual(self.survey.selection, Survey.Selection.SAMPLE)
        self.assertIsNotNone(self.survey.seed)
        self.assertGreater(Response.objects.filter(respondent__survey=self.survey).count(), 50)
        spent = Token.objects.filter(respondent__survey=self.survey, is_spent=True).count()
        self.assertEqual(spent, Response.objects.filter(respondent__survey=self.survey).count())

    def test_the_draw_is_made_again_from_its_seed(self):
        drawn = set(Respondent.objects.filter(survey=self.survey).values_list("unit", flat=True))
        copy = Survey.objects.create(
            campaign=self.campaign, owner=self.survey.owner, title="Bản sao",
            respondents=Survey.Respondents.PEOPLE, created_by=self.survey.created_by,
            created_at=self.survey.created_at,
        )  # fmt: skip
        sampling.draw(
            survey=copy, by=User.objects.get(username=data.PROVINCE_ADMIN),
            selection=Survey.Selection.SAMPLE, kinds=list(self.survey.kinds.all()),
            size=self.survey.sample_size, seed=self.survey.seed, questionnaires_per_unit=1,
        )  # fmt: skip
        again = set(Respondent.objects.filter(survey=copy).values_list("unit", flat=True))
        self.assertEqual(again, drawn)

    def test_loading_again_changes_nothing(self):
        before = Response.objects.count()
        load_demo_survey(self.campaign)
        self.assertEqual(Survey.objects.filter(campaign=self.campaign).count(), 1)
        self.assertEqual(Response.objects.count(), before)

    def test_the_province_reads_the_results_and_a_union_with_few_answers_sees_none(self):
        self.client.force_login(User.objects.get(username="tinh.duyet"))
        page = self.client.get(reverse("survey_results", args=[self.survey.pk]))
        self.assertContains(page, "điểm %")  # shares come with their margin
        small = next(
            respondent
            for respondent in Respondent.objects.filter(survey=self.survey).select_related("unit")
            if 0 < respondent.responses.count() < 5
        )
        reporter = User.objects.filter(
            roles__unit=small.unit, roles__kind="reporter", is_active=True
        ).first()
        assert reporter is not None
        self.client.force_login(reporter)
        page = self.client.get(reverse("survey_results", args=[self.survey.pk]))
        with translation.override(settings.LANGUAGE_CODE):
            hidden = ngettext(
                "Fewer than %(count)s worker of this unit answered: their answers are not "
                "shown, so that no answer can be traced to one person.",
                "Fewer than %(count)s workers of this unit answered: their answers are not "
                "shown, so that no answer can be traced to one person.",
                5,
            ) % {"count": 5}
        self.assertContains(page, hidden)
