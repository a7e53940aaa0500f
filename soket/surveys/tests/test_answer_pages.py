"""The answer pages: who may open them (404 for a survey or unit not seen, 403 for those
who see the survey but do not answer for the unit, 405 for a wrong method), a refused
answer that comes back with what was typed, a worker's paper questionnaire typed in
under its number (a number already in refused by name), and no bad input that breaks a
page."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from soket.core import clock
from soket.surveys import answers
from soket.surveys.models import Answer, Respondent, Response, Survey, Token
from soket.surveys.tests.making import NOW, SurveyTestCase, make_survey

POST = {
    "revision": "0",
    "q-doan-vien": "120",
    "q-tlu": "co",
    "q-tlu-nam": "01/12/2015",
    "q-hoat-dong": ["hoi-nghi", "thi-dua"],
    "q-hai-long": "4",
    "q-kien-nghi": "Không",
}


def opened(survey: Survey) -> Survey:
    Survey.objects.filter(pk=survey.pk).update(state=Survey.State.OPEN)
    survey.refresh_from_db()
    return survey


class AnswerPagesTestCase(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        opened(cls.survey)
        cls.respondent = Respondent.objects.create(survey=cls.survey, unit=cls.grassroots_a1)
        Respondent.objects.create(survey=cls.survey, unit=cls.grassroots_a2)
        cls.workers = opened(make_survey(cls, respondents=Survey.Respondents.PEOPLE, title="CN"))
        cls.worker_unit = Respondent.objects.create(survey=cls.workers, unit=cls.grassroots_a1)
        for number in (1, 2, 3):
            Token.objects.create(respondent=cls.worker_unit, number=number, secret=f"cn-{number}")

    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        self.enterContext(translation.override(settings.LANGUAGE_CODE))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = settings.LANGUAGE_CODE
        self.answer = reverse("survey_answer", args=[self.survey.pk, self.grassroots_a1.pk])
        self.paper = reverse("survey_paper", args=[self.survey.pk, self.grassroots_a1.pk])

    def answers_to(self, code: str):
        return Answer.objects.filter(question__survey=self.survey, question__code=code)

    def urls(self, survey: Survey, unit) -> dict[str, str]:
        return {
            name: reverse(name, args=[survey.pk, unit.pk])
            for name in (
                "survey_answer",
                "survey_paper",
                "survey_answer_xlsx",
                "survey_answer_upload",
            )
        }

    def test_a_unit_answers_on_the_web_and_amends_its_answer(self):
        self.client.force_login(self.gina)
        page = self.client.get(self.answer)
        self.assertContains(page, "Số đoàn viên")
        self.assertContains(page, 'data-shown-if="q-tlu" data-shown-if-codes="co"')
        self.assertContains(page, "surveys-answer.js")
        self.assertRedirects(self.client.post(self.answer, POST), self.answer)
        response = Response.objects.get()
        self.assertEqual((response.channel, response.revision), (Response.Channel.WEB, 1))
        page = self.client.get(self.answer)
        self.assertContains(page, 'value="120"')
        self.assertContains(page, 'name="revision" value="1"')
        amended = {**POST, "revision": "1", "q-tlu": "khong", "q-doan-vien": "130"}
        self.assertRedirects(self.client.post(self.answer, amended), self.answer)
        self.assertFalse(self.answers_to("tlu-nam").exists())
        self.assertEqual(Response.objects.get().revision, 2)

    def test_a_refused_answer_comes_back_with_what_was_typed(self):
        self.client.force_login(self.gina)
        typed = {**POST, "q-doan-vien": "khoảng 120", "q-tlu-nam": "", "q-kien-nghi": "Giữ lại"}
        page = self.client.post(self.answer, typed)
        self.assertContains(page, 'value="khoảng 120"', status_code=400)
        self.assertContains(page, "Giữ lại", status_code=400)
        self.assertContains(
            page, "“Ngày ký thỏa ước”: " + _("an answer is required"), status_code=400
        )
        self.assertContains(page, 'value="thi-dua" id="id_q-hoat-dong_1" checked', status_code=400)
        self.assertFalse(Response.objects.exists())

    def test_a_stale_form_is_refused_and_keeps_what_was_typed(self):
        self.client.force_login(self.gina)
        self.client.post(self.answer, POST)
        page = self.client.post(self.answer, {**POST, "q-doan-vien": "999"})
        self.assertContains(page, 'value="999"', status_code=400)
        stale = _(
            "Someone saved this unit's answer after you opened the form. Nothing was "
            "saved: open the answer again to see theirs, then make your changes."
        )
        self.assertContains(page, escape(stale), status_code=400)
        self.assertEqual(self.answers_to("doan-vien").get().number, 120)

    def test_bad_input_never_breaks_the_page(self):
        self.client.force_login(self.gina)
        for changes in (
            {"revision": "x"},
            {"revision": "99999999999999999999999"},
            {"q-hoat-dong": ["không-có", "\x00"]},
            {"q-hai-long": "1" * 500},
            {"q-doan-vien": "1e400"},
            {"q-tlu-nam": "99/99/99999"},
        ):
            with self.subTest(changes=changes):
                page = self.client.post(self.answer, {**POST, **changes})
                self.assertEqual(page.status_code, 400)
        self.assertFalse(Response.objects.exists())

    def test_paper_entry_of_a_unit_survey_is_the_units_answer_typed_in(self):
        self.client.force_login(self.gina)
        self.assertContains(self.client.get(self.paper), "Số đoàn viên")
        self.assertRedirects(self.client.post(self.paper, POST), self.answer)
        self.assertEqual(Response.objects.get().channel, Response.Channel.PAPER)

    def worker_paper(self) -> str:
        return reverse("survey_paper", args=[self.workers.pk, self.grassroots_a1.pk])

    def offered(self, page) -> list[str]:
        """The questionnaire numbers the paper form offers."""
        return re.findall(r'<option value="(\d+)"', page.content.decode())

    def already_in(self, number: int) -> str:
        return _(
            "Questionnaire no. %(number)d of %(unit)s is already in (answered on its link "
            "or typed in before): check the number written on the sheet."
        ) % {"number": number, "unit": self.grassroots_a1.name}

    def spent(self) -> list[int]:
        return list(
            Token.objects.filter(respondent=self.worker_unit, is_spent=True)
            .order_by("number")
            .values_list("number", flat=True)
        )

    def test_paper_entry_of_a_worker_survey_adds_the_questionnaire_of_its_number(self):
        self.client.force_login(self.gina)
        paper = self.worker_paper()
        page = self.client.get(paper)
        self.assertContains(page, _("Questionnaire number"))
        self.assertNotContains(page, 'name="revision"')
        self.assertEqual(self.offered(page), ["1", "2", "3"])
        page = self.client.post(paper, {**POST, "number": "2"}, follow=True)
        self.assertRedirects(page, paper)
        with translation.override(settings.LANGUAGE_CODE):
            saved = ngettext(
                "Questionnaire no. %(number)d is saved: %(count)d questionnaire of %(unit)s is in.",
                "Questionnaire no. %(number)d is saved: %(count)d questionnaires of %(unit)s "
                "are in.",
                1,
            ) % {"number": 2, "count": 1, "unit": self.grassroots_a1.name}
        self.assertIn(saved, [str(message) for message in page.context["messages"]])
        self.assertEqual(self.spent(), [2])
        self.assertEqual(self.offered(page), ["1", "3"])  # the next: among those left
        self.assertNotContains(page, 'value="120"')  # empty for the next one
        self.assertRedirects(self.client.post(paper, {**POST, "number": "1"}), paper)
        self.assertEqual(Response.objects.filter(is_worker=True).count(), 2)
        page = self.client.get(paper)
        with translation.override(settings.LANGUAGE_CODE):
            count = ngettext(
                "%(count)s questionnaire of this unit is in.",
                "%(count)s questionnaires of this unit are in.",
                2,
            ) % {"count": 2}
        self.assertContains(page, f'<p class="count" role="status">{count}</p>', html=True)

    def test_a_paper_questionnaire_sent_twice_is_saved_once_and_the_second_keeps_it_typed(self):
        self.client.force_login(self.gina)
        paper = self.worker_paper()
        sent = {**POST, "number": "2"}
        self.assertRedirects(self.client.post(paper, sent), paper)
        again = self.client.post(paper, sent)  # a double click, or a reload of the POST
        self.assertContains(again, escape(self.already_in(2)), status_code=400)
        self.assertContains(again, 'value="120"', status_code=400)
        self.assertContains(again, '<option value="2" selected>2</option>', status_code=400)
        self.assertEqual(Response.objects.filter(is_worker=True).count(), 1)
        self.assertEqual(self.spent(), [2])

    def test_a_number_answered_on_its_link_is_refused_on_paper_by_name(self):
        self.client.force_login(self.gina)
        answers.anonymous_answer_save(
            secret="cn-3", values={"doan-vien": "5", "tlu": "khong"}, address=None
        )
        refused = self.client.post(self.worker_paper(), {**POST, "number": "3"})
        self.assertContains(refused, escape(self.already_in(3)), status_code=400)
        self.assertContains(refused, 'value="120"', status_code=400)
        self.assertEqual(self.offered(refused)[:2], ["1", "2"])
        self.assertEqual(Response.objects.filter(is_worker=True).count(), 1)  # the link's
        self.assertEqual(self.spent(), [3])

    def test_a_paper_questionnaire_without_its_number_is_refused_with_its_answers_checked(self):
        self.client.force_login(self.gina)
        typed = {**POST, "q-tlu-nam": ""}
        for number in ("", "x", "99999999999999999999999", ["1", "2"]):
            with self.subTest(number=number):
                page = self.client.post(self.worker_paper(), {**typed, "number": number})
                self.assertEqual(page.status_code, 400)
                self.assertContains(
                    page, "“Ngày ký thỏa ước”: " + _("an answer is required"), status_code=400
                )
        missing = self.client.post(self.worker_paper(), typed)
        self.assertContains(
            missing,
            escape(
                _("The questionnaire's number is missing: write the number printed on the sheet.")
            ),
            status_code=400,
        )
        self.assertFalse(Response.objects.exists())
        self.assertEqual(self.spent(), [])

    def test_when_every_questionnaire_is_in_none_is_offered_and_none_taken(self):
        self.client.force_login(self.gina)
        Token.objects.filter(respondent=self.worker_unit).update(is_spent=True)
        page = self.client.get(self.worker_paper())
        self.assertEqual(self.offered(page), [])
        self.assertContains(
            page, _("Every questionnaire of this unit is in: none is left to type in.")
        )
        refused = self.client.post(self.worker_paper(), {**POST, "number": "1"})
        self.assertContains(refused, escape(self.already_in(1)), status_code=400)
        self.assertEqual(answers.worker_count(self.worker_unit), 0)

    def test_only_the_units_own_reporters_and_approvers_may_answer_for_it(self):
        urls = self.urls(self.survey, self.grassroots_a1)
        for person, status in (
            (self.carol, 403),  # a viewer of the province: sees the survey
            (self.alice, 403),  # an approver of the district above the unit
            (self.dave, 403),  # the campaign administrator who runs the survey
            (self.bob, 403),  # an approver of the sibling district
            (self.erin, 404),  # another province: does not see the survey
        ):
            self.client.force_login(person)
            for name, url in urls.items():
                with self.subTest(person=person.username, url=name):
                    if name == "survey_answer_upload":
                        self.assertEqual(self.client.post(url).status_code, status)
                    else:
                        self.assertEqual(self.client.get(url).status_code, status)
        self.client.logout()
        page = self.client.get(urls["survey_answer"])
        self.assertEqual(page.status_code, 302)
        self.assertIn(reverse("login"), page["Location"])

    def test_a_unit_not_asked_or_a_survey_not_open_is_not_found(self):
        self.client.force_login(self.gina)
        not_asked = reverse("survey_answer", args=[self.survey.pk, self.district_a1.pk])
        self.assertEqual(self.client.get(not_asked).status_code, 404)
        self.assertEqual(
            self.client.get(
                reverse("survey_answer", args=[999999, self.grassroots_a1.pk])
            ).status_code,
            404,
        )
        huge = "9" * 30
        for url in (
            f"/khao-sat/{huge}/tra-loi/{self.grassroots_a1.pk}/",
            f"/khao-sat/{self.survey.pk}/tra-loi/{huge}/",
            f"/khao-sat/{self.survey.pk}/tra-loi/{huge}/bang-tinh/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        # A worker survey has no answer of the union itself.
        workers = reverse("survey_answer", args=[self.workers.pk, self.grassroots_a1.pk])
        self.assertEqual(self.client.get(workers).status_code, 404)
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.DRAFT)
        self.assertEqual(self.client.get(self.answer).status_code, 404)

    def test_a_closed_survey_shows_the_answer_but_takes_no_other(self):
        self.client.force_login(self.gina)
        self.client.post(self.answer, POST)
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.CLOSED)
        page = self.client.get(self.answer)
        self.assertContains(page, 'value="120"')
        self.assertContains(page, "disabled")
        self.assertNotContains(page, 'type="submit" data-once')
        page = self.client.post(self.answer, {**POST, "revision": "1", "q-doan-vien": "5"})
        self.assertEqual(page.status_code, 400)
        self.assertEqual(self.answers_to("doan-vien").get().number, 120)

    def test_wrong_methods_are_refused(self):
        self.client.force_login(self.gina)
        urls = self.urls(self.survey, self.grassroots_a1)
        self.assertEqual(self.client.put(urls["survey_answer"]).status_code, 405)
        self.assertEqual(self.client.delete(urls["survey_paper"]).status_code, 405)
        self.assertEqual(self.client.post(urls["survey_answer_xlsx"]).status_code, 405)
        self.assertEqual(self.client.get(urls["survey_answer_upload"]).status_code, 405)
        anonymous = reverse("survey_anonymous", args=["abc"])
        self.assertEqual(self.client.put(anonymous).status_code, 405)
        self.assertEqual(self.client.post(reverse("survey_anonymous_done")).status_code, 405)

    def test_an_upload_without_a_file_says_so(self):
        self.client.force_login(self.gina)
        urls = self.urls(self.survey, self.grassroots_a1)
        page = self.client.post(urls["survey_answer_upload"], follow=True)
        self.assertIn(
            _("Choose the filled-in form to upload."),
            [str(message) for message in page.context["messages"]],
        )
