"""Reminding the units that have not answered an open survey: in the reports' steps,
their own reporters and approvers, each once per step, however often the sweep runs."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from soket.core import clock
from soket.notices.models import Notice
from soket.orgs.models import Role
from soket.surveys import reminders, sampling
from soket.surveys.models import Respondent, Response, Survey
from soket.surveys.tests.making import NOW, SurveyTestCase, make_survey
from soket.testing import make_user

D = datetime.date
DUE = D(2016, 2, 20)


class SurveyRemindersTestCase(SurveyTestCase):
    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        # Two units asked: A1-01 (gina, reporter and approver) and A1-g1 (rita, reporter;
        # vic, a viewer, who does not answer for it).
        self.rita = make_user("rita", self.more_a1[0], Role.Kind.REPORTER)
        self.vic = make_user("vic", self.more_a1[0], Role.Kind.VIEWER)
        sampling.draw(
            survey=self.survey, by=self.dave, selection=Survey.Selection.ALL,
            kinds=[self.kinds["grassroots"]],
        )  # fmt: skip
        Respondent.objects.filter(survey=self.survey).exclude(
            unit__in=[self.grassroots_a1, self.more_a1[0]]
        ).delete()
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.OPEN, due_on=DUE)
        self.survey.refresh_from_db()

    def keys(self, user) -> list[str]:
        return list(Notice.objects.filter(user=user).order_by("pk").values_list("key", flat=True))

    def key(self, unit, step: str) -> str:
        respondent = Respondent.objects.get(survey=self.survey, unit=unit)
        return f"survey:{self.survey.pk}:{respondent.pk}:20160220:{step}"

    def test_each_step_reminds_the_units_people_once_even_when_the_sweep_runs_twice(self):
        self.assertEqual(reminders.sweep(today=D(2016, 2, 16)), 0)  # too early
        self.assertEqual(reminders.sweep(today=D(2016, 2, 17)), 2)
        self.assertEqual(reminders.sweep(today=D(2016, 2, 17)), 0)  # run twice
        self.assertEqual(reminders.sweep(today=D(2016, 2, 18)), 0)
        self.assertEqual(reminders.sweep(today=D(2016, 2, 20)), 2)
        self.assertEqual(reminders.sweep(today=D(2016, 2, 20)), 0)
        self.assertEqual(reminders.sweep(today=D(2016, 2, 23)), 2)
        self.assertEqual(reminders.sweep(today=D(2016, 2, 23)), 0)
        self.assertEqual(reminders.sweep(today=D(2016, 3, 30)), 0)  # overdue: once
        self.assertEqual(
            self.keys(self.gina),
            [self.key(self.grassroots_a1, step) for step in ("before", "due", "overdue")],
        )
        self.assertEqual(
            self.keys(self.rita),
            [self.key(self.more_a1[0], step) for step in ("before", "due", "overdue")],
        )
        self.assertEqual(self.keys(self.vic), [])
        self.assertEqual(self.keys(self.alice), [])  # the district above answers nothing here
        with translation.override(settings.LANGUAGE_CODE):
            expected = _(
                "Today, %(day)s, your unit's answers to the survey “%(survey)s” are due."
            ) % {"day": "20/02/2016", "survey": self.survey.title}
        self.assertEqual(Notice.objects.filter(user=self.gina)[1].text, expected)

    def test_a_unit_that_answered_is_not_reminded(self):
        respondent = Respondent.objects.get(survey=self.survey, unit=self.grassroots_a1)
        Response.objects.create(
            respondent=respondent, channel="web", answered_on=NOW.date(), entered_by=self.gina
        )
        self.assertEqual(reminders.sweep(today=D(2016, 2, 20)), 1)
        self.assertEqual(self.keys(self.gina), [])
        self.assertEqual(self.keys(self.rita), [self.key(self.more_a1[0], "due")])

    def test_a_moved_due_date_reminds_again(self):
        reminders.sweep(today=D(2016, 2, 20))
        Survey.objects.filter(pk=self.survey.pk).update(due_on=D(2016, 2, 25))
        self.assertEqual(reminders.sweep(today=D(2016, 2, 22)), 2)
        respondent = Respondent.objects.get(survey=self.survey, unit=self.more_a1[0])
        self.assertIn(
            f"survey:{self.survey.pk}:{respondent.pk}:20160225:before", self.keys(self.rita)
        )

    def test_drafts_closed_surveys_surveys_without_date_and_inactive_people_are_left_alone(self):
        for state in (Survey.State.DRAFT, Survey.State.CLOSED):
            Survey.objects.filter(pk=self.survey.pk).update(state=state)
            self.assertEqual(reminders.sweep(today=D(2016, 2, 20)), 0)
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.OPEN, due_on=None)
        self.assertEqual(reminders.sweep(today=D(2016, 2, 20)), 0)
        Survey.objects.filter(pk=self.survey.pk).update(due_on=DUE)
        self.rita.is_active = False
        self.rita.save()
        self.assertEqual(reminders.sweep(today=D(2016, 2, 20)), 1)
        self.assertEqual(self.keys(self.rita), [])
        self.assertFalse(Notice.objects.exclude(user=self.gina).exists())

    def test_a_worker_survey_reminds_units_without_any_answer_with_a_link_to_their_questionnaires(
        self,
    ):
        survey = make_survey(self, respondents=Survey.Respondents.PEOPLE, title="NLĐ")
        sampling.draw(
            survey=survey, by=self.dave, selection=Survey.Selection.ALL,
            kinds=[self.kinds["grassroots"]], questionnaires_per_unit=2,
        )  # fmt: skip
        Survey.objects.filter(pk=survey.pk).update(state=Survey.State.OPEN, due_on=DUE)
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.CLOSED)
        answered = Respondent.objects.get(survey=survey, unit=self.more_a1[0])
        Response.objects.create(
            respondent=answered, channel="anonymous", answered_on=NOW.date(), is_worker=True
        )
        self.assertEqual(reminders.sweep(today=D(2016, 2, 20)), 1)
        self.assertEqual(self.keys(self.rita), [])
        notice = Notice.objects.get(user=self.gina)
        self.assertEqual(
            notice.url, reverse("survey_tokens", args=[survey.pk, self.grassroots_a1.pk])
        )
