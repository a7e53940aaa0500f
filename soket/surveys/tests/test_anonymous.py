"""A worker's anonymous questionnaire: one answer per link (a second one refused, also
when it comes straight after the first), nothing kept that could name the worker, a
throttle per address that stores no address, and a survey closed or a link unknown
answered by a plain page, all without logging in."""

from __future__ import annotations

import datetime
import secrets
import threading
from unittest import skipUnless

from django import db
from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from soket.core import clock
from soket.surveys import answers
from soket.surveys.answers import AnswerError, Throttled
from soket.surveys.models import Answer, Respondent, Response, Survey, Throttle, Token
from soket.surveys.tests.making import NOW, SurveyTestCase, build_units, make_survey
from soket.testing import build_campaign, build_tree

VALUES = {"doan-vien": "1", "tlu": "co", "tlu-nam": "01/01/2016", "hai-long": "3"}
POST = {"q-doan-vien": "1", "q-tlu": "co", "q-tlu-nam": "01/01/2016", "q-hai-long": "3"}
ADDRESS = "203.0.113.7"


class AnonymousTestCase(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.workers = make_survey(cls, respondents=Survey.Respondents.PEOPLE, title="Đời sống CN")
        Survey.objects.filter(pk=cls.workers.pk).update(state=Survey.State.OPEN)
        cls.respondent = Respondent.objects.create(survey=cls.workers, unit=cls.grassroots_a1)
        cls.tokens = [
            Token.objects.create(
                respondent=cls.respondent, number=n, secret=secrets.token_urlsafe()
            )
            for n in range(1, answers.THROTTLE_LIMIT + 3)
        ]

    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def url(self, token: Token) -> str:
        return reverse("survey_anonymous", args=[token.secret])

    def send(self, token: Token, address: str = ADDRESS, **values) -> Response:
        return answers.anonymous_answer_save(
            secret=token.secret, values={**VALUES, **values}, address=address
        )

    def test_a_worker_answers_once_and_the_answer_names_only_the_unit_and_the_day(self):
        response = self.send(self.tokens[0])
        self.assertEqual(response.respondent, self.respondent)
        self.assertEqual(response.channel, Response.Channel.ANONYMOUS)
        self.assertEqual(response.answered_on, NOW.date())
        self.assertIsNone(response.entered_by)
        self.assertTrue(response.is_worker)
        self.assertEqual(response.answers.count(), 4)
        token = Token.objects.get(pk=self.tokens[0].pk)
        self.assertTrue(token.is_spent)
        # Nothing points from the answer to its token, and no time of day is kept.
        fields = {field.name for field in Response._meta.get_fields()}
        self.assertFalse({"token", "tokens", "answered_at", "address"} & fields)

    def test_a_second_answer_with_the_same_link_is_refused_and_writes_nothing(self):
        self.send(self.tokens[0])
        with self.assertRaises(AnswerError) as refused:
            self.send(self.tokens[0], **{"doan-vien": "2"})
        self.assertEqual(
            str(refused.exception),
            _("This questionnaire has already been answered: each link takes one answer."),
        )
        self.assertEqual(Response.objects.count(), 1)
        self.assertEqual(Answer.objects.filter(question__code="doan-vien").get().number, 1)

    def test_a_double_click_saves_one_answer_and_shows_the_second_it_was_already_sent(self):
        url = self.url(self.tokens[0])
        first = self.client.post(url, POST)
        second = self.client.post(url, POST)
        self.assertRedirects(first, reverse("survey_anonymous_done"))
        self.assertEqual(second.status_code, 410)
        self.assertContains(
            second, _("This questionnaire has already been answered"), status_code=410
        )
        self.assertEqual(Response.objects.count(), 1)

    def test_the_questionnaire_opens_and_is_sent_without_an_account_or_a_session(self):
        page = self.client.get(self.url(self.tokens[1]))
        self.assertContains(page, "Số đoàn viên")
        self.assertContains(page, 'data-shown-if="q-tlu"')
        self.assertNotContains(page, self.grassroots_a1.name)
        self.assertIn("no-store", page["Cache-Control"])
        sent = self.client.post(self.url(self.tokens[1]), POST, REMOTE_ADDR=ADDRESS)
        self.assertRedirects(sent, reverse("survey_anonymous_done"))
        self.assertNotIn(settings.SESSION_COOKIE_NAME, sent.cookies)
        self.assertEqual(self.client.get(reverse("survey_anonymous_done")).status_code, 200)
        # The address is nowhere: not in the answer; a good link is not even counted, and
        # a refused one (the same link again) is counted under a key that hides it.
        self.assertFalse(Throttle.objects.exists())
        again = self.client.post(self.url(self.tokens[1]), POST, REMOTE_ADDR=ADDRESS)
        self.assertEqual(again.status_code, 410)
        self.assertTrue(Throttle.objects.exists())
        for throttle in Throttle.objects.all():
            self.assertNotIn(ADDRESS, throttle.key)
            self.assertRegex(throttle.key, r"^[0-9a-f]{64}$")
        self.assertEqual(Response.objects.get().entered_by, None)

    def test_a_refused_answer_keeps_what_was_typed_and_spends_nothing(self):
        page = self.client.post(self.url(self.tokens[2]), {**POST, "q-doan-vien": "nhiều"})
        self.assertContains(page, 'value="nhiều"', status_code=400)
        self.assertContains(page, "“Số đoàn viên”", status_code=400)
        self.assertFalse(Token.objects.get(pk=self.tokens[2].pk).is_spent)
        self.assertFalse(Response.objects.exists())

    def test_a_factorys_workers_sharing_one_address_all_answer_with_their_links(self):
        for token in self.tokens:  # more than THROTTLE_LIMIT, in one window
            self.send(token)
        self.assertEqual(Response.objects.count(), answers.THROTTLE_LIMIT + 2)
        self.assertFalse(Throttle.objects.filter(count__gt=0).exists())

    def test_an_answer_refused_for_what_was_typed_is_not_counted(self):
        for _round in range(answers.THROTTLE_LIMIT + 1):
            with self.assertRaises(AnswerError):
                self.send(self.tokens[0], **{"doan-vien": ""})
        self.send(self.tokens[0])
        self.assertTrue(Token.objects.get(pk=self.tokens[0].pk).is_spent)

    def test_an_address_trying_links_that_take_no_answer_is_held_back(self):
        self.send(self.tokens[0])
        tries = ["khong-co", "x" * 300, self.tokens[0].secret]  # unknown, too long, spent
        for attempt in range(answers.THROTTLE_LIMIT + 1):
            with self.assertRaises(AnswerError) as refused:
                answers.anonymous_answer_save(
                    secret=tries[attempt % len(tries)], values=VALUES, address=ADDRESS
                )
            self.assertNotIsInstance(refused.exception, Throttled)
        # Now even a good link from that address waits, and nothing is saved or spent.
        with self.assertRaises(Throttled) as refused:
            self.send(self.tokens[1])
        too_many = _(
            "Too many questionnaires were sent from your connection in the last few "
            "minutes. Nothing was saved: wait %d minutes and send it again."
        ) % int(answers.THROTTLE_WINDOW.total_seconds() // 60)
        self.assertEqual(too_many, str(refused.exception))
        self.assertFalse(Token.objects.get(pk=self.tokens[1].pk).is_spent)
        # Another address is not held back; nor is this one once the window has passed.
        self.send(self.tokens[1], address="198.51.100.1")
        with clock.frozen_at(NOW + answers.THROTTLE_WINDOW + datetime.timedelta(seconds=1)):
            self.send(self.tokens[2])
        self.assertEqual(Response.objects.count(), 3)
        self.assertEqual(Throttle.objects.filter(count__gt=0).count(), 1)

    def test_links_tried_on_the_web_are_counted_and_then_every_link_is_held_back(self):
        for _round in range(answers.THROTTLE_LIMIT + 1):
            made_up = reverse("survey_anonymous", args=[secrets.token_urlsafe()])
            self.assertEqual(self.client.post(made_up, POST, REMOTE_ADDR=ADDRESS).status_code, 404)
        made_up = reverse("survey_anonymous", args=[secrets.token_urlsafe()])
        held = self.client.post(made_up, POST, REMOTE_ADDR=ADDRESS)
        self.assertContains(held, answers.throttled_message(), status_code=429)
        good = self.client.post(self.url(self.tokens[0]), POST, REMOTE_ADDR=ADDRESS)
        self.assertContains(good, answers.throttled_message(), status_code=429)
        self.assertContains(good, 'value="1"', status_code=429)  # what was typed is kept
        self.assertFalse(Token.objects.get(pk=self.tokens[0].pk).is_spent)
        # Opening a link is not an attempt: the page still opens, and another address
        # sends its answer.
        self.assertEqual(self.client.get(self.url(self.tokens[0])).status_code, 200)
        sent = self.client.post(self.url(self.tokens[0]), POST, REMOTE_ADDR="198.51.100.1")
        self.assertRedirects(sent, reverse("survey_anonymous_done"))

    def test_a_closed_survey_counts_as_a_refused_link(self):
        Survey.objects.filter(pk=self.workers.pk).update(state=Survey.State.CLOSED)
        for token in self.tokens[: answers.THROTTLE_LIMIT + 1]:
            with self.assertRaises(AnswerError) as refused:
                self.send(token)
            self.assertNotIsInstance(refused.exception, Throttled)
        with self.assertRaises(Throttled):
            self.send(self.tokens[answers.THROTTLE_LIMIT + 1])

    def test_the_page_says_when_too_many_were_sent_and_keeps_the_answers(self):
        Throttle.objects.create(
            key=answers._throttle_key(ADDRESS, answers._window_start(NOW)),
            window_start=answers._window_start(NOW),
            count=answers.THROTTLE_LIMIT + 1,
        )
        page = self.client.post(self.url(self.tokens[3]), POST, REMOTE_ADDR=ADDRESS)
        self.assertEqual(page.status_code, 429)
        self.assertContains(page, 'value="1"', status_code=429)
        self.assertFalse(Response.objects.exists())

    def test_a_closed_survey_takes_no_anonymous_answer(self):
        Survey.objects.filter(pk=self.workers.pk).update(state=Survey.State.CLOSED)
        page = self.client.get(self.url(self.tokens[0]))
        self.assertContains(page, _("This survey is not taking answers"), status_code=410)
        sent = self.client.post(self.url(self.tokens[0]), POST)
        self.assertEqual(sent.status_code, 410)
        with self.assertRaises(AnswerError):
            self.send(self.tokens[0])
        self.assertFalse(Response.objects.exists())
        self.assertFalse(Token.objects.get(pk=self.tokens[0].pk).is_spent)

    def test_an_unknown_or_spent_link_says_so_plainly(self):
        for secret in ("khong-co", "x" * 300, "%20"):
            with self.subTest(secret=secret):
                page = self.client.get(reverse("survey_anonymous", args=[secret]))
                self.assertContains(
                    page, _("This questionnaire link is not valid"), status_code=404
                )
        self.send(self.tokens[4])
        page = self.client.get(self.url(self.tokens[4]))
        self.assertContains(
            page, _("This questionnaire has already been answered"), status_code=410
        )
        with self.assertRaises(AnswerError):
            answers.anonymous_answer_save(secret="khong-co", values=VALUES, address=ADDRESS)

    def test_a_link_only_answers_a_worker_survey_that_is_open(self):
        Survey.objects.filter(pk=self.workers.pk).update(state=Survey.State.DRAFT)
        page = self.client.get(self.url(self.tokens[0]))
        self.assertEqual(page.status_code, 410)
        self.assertNotContains(page, "Số đoàn viên", status_code=410)


@skipUnless(connection.features.has_select_for_update, "needs row locks (PostgreSQL)")
class DoubleClickTestCase(TransactionTestCase):
    """Two requests with the same link at the same moment, each in its own connection:
    the token's row lock lets one answer through and refuses the other."""

    def setUp(self):
        build_tree(self)
        build_campaign(self)
        build_units(self)
        workers = make_survey(self, respondents=Survey.Respondents.PEOPLE)
        Survey.objects.filter(pk=workers.pk).update(state=Survey.State.OPEN)
        respondent = Respondent.objects.create(survey=workers, unit=self.grassroots_a1)
        self.token = Token.objects.create(
            respondent=respondent, number=1, secret=secrets.token_urlsafe()
        )

    def test_two_answers_sent_at_once_with_one_link_save_one(self):
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def send(address: str) -> None:
            try:
                start.wait()
                answers.anonymous_answer_save(
                    secret=self.token.secret, values=VALUES, address=address
                )
                outcomes.append("saved")
            except AnswerError:
                outcomes.append("refused")
            finally:
                db.connections.close_all()

        threads = [threading.Thread(target=send, args=(f"198.51.100.{n}",)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(sorted(outcomes), ["refused", "saved"])
        self.assertEqual(Response.objects.count(), 1)
        self.assertEqual(Answer.objects.filter(question__code="doan-vien").count(), 1)
