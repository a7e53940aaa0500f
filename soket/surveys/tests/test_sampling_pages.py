"""The respondents page and its draw through the browser's requests: who sees it, who
draws, refusals that keep what was typed, and never a server error."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from soket.core import clock
from soket.surveys import sampling
from soket.surveys.models import Respondent, Survey, Token
from soket.surveys.tests.making import NOW, SurveyTestCase, make_survey


class SamplingPagesTestCase(SurveyTestCase):
    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        self.page = reverse("survey_respondents", args=[self.survey.pk])
        self.draw_url = reverse("survey_draw", args=[self.survey.pk])
        self.grassroots = self.kinds["grassroots"]

    def post(self, survey=None, **fields):
        data = {"selection": "sample", "kinds": [self.grassroots.pk], "size": "5", "seed": "",
                "revision": str((survey or self.survey).revision)}  # fmt: skip
        data.update(fields)
        url = reverse("survey_draw", args=[survey.pk]) if survey else self.draw_url
        return self.client.post(url, {k: v for k, v in data.items() if v is not None})

    def test_the_administrator_draws_a_sample_and_sees_it_by_stratum(self):
        self.client.force_login(self.dave)
        page = self.client.get(self.page)
        self.assertContains(page, 'name="kinds"')
        self.assertContains(page, f'value="{self.kinds["sector"].pk}"')
        self.assertNotContains(page, 'name="questionnaires_per_unit"')
        response = self.post(seed="424242")
        self.assertRedirects(response, self.page)
        self.assertEqual(Respondent.objects.filter(survey=self.survey).count(), 5)
        page = self.client.get(self.page)
        self.assertContains(page, "<code>424242</code>", html=False)
        self.assertContains(page, self.district_a1.name)
        self.assertContains(page, self.sector_s1.name)
        self.assertContains(page, "dave")

    def test_a_worker_survey_asks_for_the_questionnaires_per_unit(self):
        survey = make_survey(self, respondents=Survey.Respondents.PEOPLE, title="NLĐ")
        self.client.force_login(self.dave)
        page = self.client.get(reverse("survey_respondents", args=[survey.pk]))
        self.assertContains(page, 'name="questionnaires_per_unit"')
        response = self.post(survey, questionnaires_per_unit="2", selection="all")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Token.objects.filter(respondent__survey=survey).count(), 26)

    def test_bad_input_is_refused_with_its_message_and_what_was_typed_is_kept(self):
        self.client.force_login(self.dave)
        with translation.override(settings.LANGUAGE_CODE):
            cases = [
                ({"size": "99"}, _(
                    "A sample of %(size)d units cannot be drawn from %(total)d: give a size "
                    "of at most %(total)d, or ask every unit."
                ) % {"size": 99, "total": 13}),
                ({"size": "abc"}, _("The size of the sample is a whole number of units.")),
                ({"size": "9" * 40}, _("The size of the sample is too large.")),
                ({"size": ""}, _("Give the size of the sample (a number of units).")),
                ({"kinds": None}, _("Choose at least one kind of unit to ask.")),
                ({"kinds": ["x"]}, _("Choose the kinds of unit among those listed.")),
                ({"kinds": [self.kinds["confederation"].pk]},
                 _("Choose the kinds of unit among those listed.")),
                ({"selection": "every"}, None),
                ({"seed": "-1"}, _("The seed is a whole number from 0 to 2⁶³ − 1.")),
                ({"seed": "1e5"}, _("The seed is a whole number; leave it empty for a new draw.")),
                ({"revision": "7"}, _(
                    "The survey was changed by someone else since you opened this page; "
                    "look at it again and draw again."
                )),
                ({"revision": None}, _(
                    "The survey was changed by someone else since you opened this page; "
                    "look at it again and draw again."
                )),
                ({"revision": ""}, _(
                    "The survey was changed by someone else since you opened this page; "
                    "look at it again and draw again."
                )),
                ({"revision": "x"}, _(
                    "The survey was changed by someone else since you opened this page; "
                    "look at it again and draw again."
                )),
            ]  # fmt: skip
            for fields, message in cases:
                with self.subTest(fields=fields):
                    response = self.post(**fields)
                    self.assertEqual(response.status_code, 400)
                    if message:
                        self.assertContains(response, message, status_code=400)
                    size = fields.get("size", "5")
                    self.assertContains(response, f'name="size" inputmode="numeric" size="6" '
                                        f'value="{size}"', status_code=400)  # fmt: skip
        self.assertFalse(Respondent.objects.exists())
        # A page sent without its revision stays stale when sent again from the refusal.
        response = self.post(revision=None)
        self.assertContains(response, 'name="revision" value=""', status_code=400)
        # The seed typed is kept too.
        response = self.post(size="99", seed="31337")
        self.assertContains(response, 'value="31337"', status_code=400)

    def test_a_survey_already_open_keeps_its_respondents(self):
        sampling.draw(survey=self.survey, by=self.dave, selection="all", kinds=[self.grassroots])
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.OPEN)
        self.client.force_login(self.dave)
        response = self.post()
        self.assertRedirects(response, self.page, fetch_redirect_response=False)
        self.assertEqual(Respondent.objects.filter(survey=self.survey).count(), 13)
        page = self.client.get(self.page)
        self.assertNotContains(page, 'name="size"')
        with translation.override(settings.LANGUAGE_CODE):
            message = _("The survey is %s: who answers it can no longer change.") % (
                Survey.State.OPEN.label.lower()
            )
        self.assertContains(page, message)

    def test_who_sees_the_page_and_who_draws(self):
        sampling.draw(survey=self.survey, by=self.dave, selection="all", kinds=[self.grassroots])
        # Being prepared: only its administrators see it at all.
        for person in (self.carol, self.alice, self.gina, self.erin):
            self.client.force_login(person)
            self.assertEqual(self.client.get(self.page).status_code, 404, person)
            self.assertEqual(self.post().status_code, 404, person)
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(self.draw_url).status_code, 405)
        self.assertEqual(self.client.post(self.page).status_code, 405)
        self.assertEqual(
            self.client.get(reverse("survey_respondents", args=[10**12])).status_code, 404
        )
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.OPEN)
        # Open: the province's people read it, the units below do not; none of them draws.
        self.client.force_login(self.carol)
        page = self.client.get(self.page)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="size"')
        self.assertEqual(self.post().status_code, 403)
        for person in (self.alice, self.gina):
            self.client.force_login(person)
            self.assertEqual(self.client.get(self.page).status_code, 403, person)
            self.assertEqual(self.post().status_code, 403, person)
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get(self.page).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.page).status_code, 302)
        self.assertEqual(self.post().status_code, 302)
        self.assertEqual(Respondent.objects.filter(survey=self.survey).count(), 13)
