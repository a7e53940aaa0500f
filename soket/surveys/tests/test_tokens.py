"""A worker survey's questionnaires: secret links good for one answer each, printed with
their QR code for the unit's own people and the survey's administrators only."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from soket.core import clock
from soket.surveys import sampling, tokens
from soket.surveys.models import Respondent, Survey, Token
from soket.surveys.tests.making import NOW, SurveyTestCase, make_survey
from soket.testing import make_user


def questionnaires_of(page: str) -> list[str]:
    return re.findall(r'<ol class="questionnaires">.*?</ol>', page, flags=re.S)


class TokensTestCase(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.workers = make_survey(cls, respondents=Survey.Respondents.PEOPLE, title="NLĐ")
        with clock.frozen_at(NOW):
            sampling.draw(
                survey=cls.workers, by=cls.dave, selection=Survey.Selection.ALL,
                kinds=[cls.kinds["grassroots"]], questionnaires_per_unit=3,
            )  # fmt: skip
        Survey.objects.filter(pk=cls.workers.pk).update(state=Survey.State.OPEN)
        cls.url = reverse("survey_tokens", args=[cls.workers.pk, cls.grassroots_a1.pk])

    def test_secrets_are_long_random_and_unique(self):
        secrets = list(Token.objects.values_list("secret", flat=True))
        self.assertEqual(len(secrets), 39)
        self.assertEqual(len(set(secrets)), 39)
        self.assertTrue(all(len(secret) >= 32 for secret in secrets))

    def test_the_qr_code_is_inline_svg_without_style_attributes(self):
        svg = tokens.qr_svg("https://soket.example/khao-sat/phieu/abc/")
        self.assertTrue(svg.startswith("<svg"))
        self.assertIn("viewBox", svg)
        self.assertNotIn("style=", svg)
        self.assertNotIn("<?xml", svg)

    def test_the_units_reporter_prints_its_questionnaires_with_links_and_codes(self):
        self.client.force_login(self.gina)
        page = self.client.get(self.url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("no-store", page["Cache-Control"])
        mine = Token.objects.filter(respondent__unit=self.grassroots_a1).order_by("number")
        for token in mine:
            link = "http://testserver" + reverse("survey_anonymous", args=[token.secret])
            self.assertContains(page, f'href="{link}"')
        self.assertContains(page, "<svg", count=3)
        self.assertNotContains(page, "style=")
        other = Token.objects.filter(respondent__unit=self.grassroots_a2).first()
        self.assertNotContains(page, other.secret)

    def test_the_page_tells_how_many_were_answered_but_never_which(self):
        self.client.force_login(self.gina)
        before = self.client.get(self.url).content.decode()
        spent = Token.objects.filter(respondent__unit=self.grassroots_a1).order_by("number")[1]
        spent.is_spent = True
        spent.save()
        page = self.client.get(self.url)
        with translation.override(settings.LANGUAGE_CODE):
            told = ngettext(
                "%(spent)s of %(n)s questionnaire answered.",
                "%(spent)s of %(n)s questionnaires answered.",
                3,
            ) % {"spent": 1, "n": 3}
            answered = _("Answered")
        self.assertContains(page, told)
        self.assertNotContains(page, f">{answered}<")
        self.assertNotContains(page, "spent")
        # Each questionnaire shows exactly as it did before it was answered: its link,
        # its QR code, its number.
        self.assertEqual(questionnaires_of(page.content.decode()), questionnaires_of(before))

    def test_the_surveys_administrator_prints_them_too(self):
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_others_may_not_and_what_is_not_a_worker_survey_of_the_unit_is_not_found(self):
        for person in (self.alice, self.carol, self.bob, make_user("ivy", self.grassroots_a2)):
            self.client.force_login(person)
            self.assertEqual(self.client.get(self.url).status_code, 403, person)
        self.client.force_login(self.erin)  # another province: does not see the survey
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.force_login(self.gina)
        self.assertEqual(self.client.post(self.url).status_code, 405)
        # A unit not asked, a unit survey, a survey not open: not found.
        outside = reverse("survey_tokens", args=[self.workers.pk, self.district_a1.pk])
        self.assertEqual(self.client.get(outside).status_code, 404)
        self.assertEqual(
            self.client.get(
                reverse("survey_tokens", args=[self.survey.pk, self.grassroots_a1.pk])
            ).status_code,
            404,
        )
        Survey.objects.filter(pk=self.workers.pk).update(state=Survey.State.CLOSED)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_each_unit_gets_its_own_numbered_questionnaires(self):
        respondent = Respondent.objects.get(survey=self.workers, unit=self.grassroots_a1)
        self.assertEqual(list(respondent.tokens.values_list("number", flat=True)), [1, 2, 3])

    def test_the_respondents_page_links_the_questionnaires_for_the_administrators_only(self):
        page_url = reverse("survey_respondents", args=[self.workers.pk])
        self.client.force_login(self.dave)
        self.assertContains(self.client.get(page_url), f'href="{self.url}"')
        self.client.force_login(self.carol)  # reads the survey, hands out nothing
        page = self.client.get(page_url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, f'href="{self.url}"')
