"""A worker answers the anonymous questionnaire on a phone (390 pixels wide) in a real
Chromium: no account, the skip rule shows and hides its question as the answer
changes, nothing scrolls sideways, and no script error or CSP violation on the way."""

from __future__ import annotations

import secrets

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from soket.core.browser import BrowserTestCase
from soket.surveys.models import Answer, Respondent, Response, Survey, Token
from soket.surveys.tests.making import build_units, make_survey
from soket.testing import build_campaign, build_tree

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


class AnonymousBrowserTestCase(BrowserTestCase):
    def setUp(self):
        build_tree(self)
        build_campaign(self)
        build_units(self)
        self.workers = make_survey(self, respondents=Survey.Respondents.PEOPLE)
        Survey.objects.filter(pk=self.workers.pk).update(state=Survey.State.OPEN)
        respondent = Respondent.objects.create(survey=self.workers, unit=self.grassroots_a1)
        self.token = Token.objects.create(
            respondent=respondent, number=1, secret=secrets.token_urlsafe()
        )
        self.page = self.new_page()
        self.page.set_viewport_size(PHONE)

    def fits_the_screen(self) -> bool:
        return self.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    def test_a_worker_answers_on_a_phone_and_the_skip_rule_follows_the_answer(self):
        url = self.live_server_url + reverse("survey_anonymous", args=[self.token.secret])
        self.page.goto(url)
        self.assertIn("Khảo sát", self.page.inner_text("h1"))
        signed = self.page.locator("#cau-tlu-nam")
        self.assertFalse(signed.is_visible(), "hidden until the agreement is said to be signed")
        self.assertTrue(self.fits_the_screen())

        self.page.fill("#id_q-doan-vien", "35")
        self.page.check("#id_q-tlu_0")  # Có
        signed.wait_for(state="visible")
        self.page.fill("#id_q-tlu-nam", "15/01/2016")
        self.page.check("#id_q-tlu_1")  # Không: the date is hidden again, and not sent
        signed.wait_for(state="hidden")
        self.assertTrue(self.page.is_disabled("#id_q-tlu-nam"))
        self.page.check("#id_q-tlu_0")
        signed.wait_for(state="visible")
        self.page.check("#id_q-hoat-dong_1")
        self.page.check("#id_q-hai-long_3")
        self.page.fill("#id_q-kien-nghi", "Tăng ca ít hơn")
        self.assertTrue(self.fits_the_screen())
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**" + reverse("survey_anonymous_done"))
        self.assertTrue(self.fits_the_screen())

        response = Response.objects.get()
        self.assertEqual(response.channel, Response.Channel.ANONYMOUS)
        self.assertIsNone(response.entered_by)
        self.assertEqual(
            Answer.objects.get(response=response, question__code="tlu-nam").date.isoformat(),
            "2016-01-15",
        )
        self.assertTrue(Token.objects.get(pk=self.token.pk).is_spent)
        self.page.goto(url)
        with translation.override(settings.LANGUAGE_CODE):
            spent = _("This questionnaire has already been answered")
        self.assertEqual(self.page.inner_text("h1"), spent)
        self.assertEqual(Response.objects.count(), 1)
        # The console error of the 410 page's own status aside, nothing else went wrong.
        errors = [error for error in self.console_errors if "410" not in error]
        self.assertEqual(errors, [], "no script errors, no CSP violations")

    def test_a_question_hidden_by_the_rule_is_not_required_and_not_kept(self):
        url = self.live_server_url + reverse("survey_anonymous", args=[self.token.secret])
        self.page.goto(url)
        self.page.fill("#id_q-doan-vien", "12")
        self.page.check("#id_q-tlu_0")
        self.page.fill("#id_q-tlu-nam", "01/01/2016")
        self.page.check("#id_q-tlu_1")
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**" + reverse("survey_anonymous_done"))
        self.assertFalse(Answer.objects.filter(question__code="tlu-nam").exists())
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")
