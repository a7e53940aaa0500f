"""A union's answer and a worker's paper questionnaire: each kind of question read and
refused with a message naming the question, the skip rule that hides and clears an
answer, required questions, a stale form, a paper questionnaire spending the one of its
number (a number already in refused by name), and nothing written unless all is right."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from unittest import skipUnless

from django import db
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import TransactionTestCase
from django.utils import translation
from django.utils.translation import gettext as _

from soket.core import clock
from soket.surveys import answers
from soket.surveys.answers import AnswerError
from soket.surveys.models import Answer, Choice, Question, Respondent, Response, Survey, Token
from soket.surveys.tests.making import NOW, SurveyTestCase, build_units, make_survey
from soket.testing import build_campaign, build_tree

WEB, PAPER = Response.Channel.WEB, Response.Channel.PAPER
GOOD = {
    "doan-vien": "1.234",
    "tlu": "co",
    "tlu-nam": "15/01/2016",
    "hoat-dong": ["hoi-nghi", "van-nghe"],
    "hai-long": "4",
    "kien-nghi": "Tăng phúc lợi",
}


def opened(survey: Survey) -> Survey:
    Survey.objects.filter(pk=survey.pk).update(state=Survey.State.OPEN)
    survey.refresh_from_db()
    return survey


class AnswerTestCase(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        opened(cls.survey)
        cls.respondent = Respondent.objects.create(survey=cls.survey, unit=cls.grassroots_a1)

    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def save(self, revision=0, **changes):
        values = {**GOOD, **changes}
        return answers.unit_answer_save(
            respondent=self.respondent, by=self.gina, channel=WEB, values=values, revision=revision
        )

    def problems(self, **changes) -> dict[str | None, str]:
        with self.assertRaises(AnswerError) as refused:
            self.save(**changes)
        return {problem.code: problem.message for problem in refused.exception.problems}

    def stored(self, response: Response) -> dict[str, object]:
        return answers.initial_values(response)

    def test_a_unit_that_answers_every_kind_of_question_has_each_answer_stored_as_its_kind(self):
        response = self.save()
        self.assertEqual(response.channel, WEB)
        self.assertEqual(response.entered_by, self.gina)
        self.assertEqual(response.answered_on, NOW.date())
        self.assertFalse(response.is_worker)
        self.assertEqual(response.answers.get(question=self.q_members).number, Decimal(1234))
        self.assertEqual(
            response.answers.get(question=self.q_signed).date, datetime.date(2016, 1, 15)
        )
        chosen = response.answers.get(question=self.q_activities).chosen
        self.assertEqual(set(chosen.values_list("code", flat=True)), {"hoi-nghi", "van-nghe"})
        self.assertEqual(response.answers.get(question=self.q_satisfaction).number, 4)
        self.assertEqual(response.answers.get(question=self.q_remarks).text, "Tăng phúc lợi")
        self.assertEqual(self.stored(response)["doan-vien"], "1234")

    def test_a_number_is_read_the_vietnamese_way_and_kept_within_its_bounds(self):
        response = self.save(**{"doan-vien": "12,5"})
        self.assertEqual(response.answers.get(question=self.q_members).number, Decimal("12.5"))
        label = "“Số đoàn viên”: "
        self.assertEqual(
            self.problems(revision=1, **{"doan-vien": "-3"})["doan-vien"],
            label + _("the answer cannot be less than %s") % "0",
        )
        self.assertTrue(
            self.problems(revision=1, **{"doan-vien": "mười"})["doan-vien"].startswith(label)
        )
        self.assertIn("1.5", self.problems(revision=1, **{"doan-vien": "1.5"})["doan-vien"])
        self.assertEqual(
            self.problems(revision=1, **{"doan-vien": "1,23456"})["doan-vien"],
            label + _("give at most %d decimal places") % 4,
        )

    def test_a_choice_must_be_one_of_the_questions_choices(self):
        problems = self.problems(tlu="co-le", **{"hoat-dong": ["thi-dua", "bong-da"]})
        self.assertEqual(
            problems["tlu"],
            "“Đã ký thỏa ước lao động tập thể?”: "
            + _("“%(value)s” is not one of the answers: %(codes)s")
            % {"value": "co-le", "codes": "co, khong"},
        )
        self.assertIn("bong-da", problems["hoat-dong"])
        self.assertTrue(problems["hoat-dong"].startswith("“Hoạt động đã tổ chức”: "))
        self.assertEqual(
            self.problems(tlu=["co", "khong"])["tlu"],
            "“Đã ký thỏa ước lao động tập thể?”: " + _("choose only one answer"),
        )

    def test_several_choices_that_name_none_are_no_answer(self):
        self.assertEqual(
            self.problems(**{"hoat-dong": " , ;"})["hoat-dong"],
            "“Hoạt động đã tổ chức”: "
            + _("choose among the answers: %s") % "hoi-nghi, thi-dua, van-nghe",
        )

    def test_a_scale_takes_a_whole_number_from_one_to_five(self):
        expected = "“Mức độ hài lòng với hoạt động công đoàn”: " + _(
            "choose a whole number from 1 to 5"
        )
        for wrong in ("0", "6", "2,5", "tốt"):
            with self.subTest(wrong=wrong):
                self.assertEqual(self.problems(**{"hai-long": wrong})["hai-long"], expected)

    def test_a_date_must_be_a_real_date_written_dd_mm_yyyy(self):
        expected = "“Ngày ký thỏa ước”: " + _("write the date as dd/mm/yyyy, e.g. 31/12/2015")
        for wrong in ("31/02/2016", "hôm qua", "2016/13/01"):
            with self.subTest(wrong=wrong):
                self.assertEqual(self.problems(**{"tlu-nam": wrong})["tlu-nam"], expected)
        self.assertIn("1945", self.problems(**{"tlu-nam": "01/01/1200"})["tlu-nam"])

    def test_a_text_answer_has_a_length_limit(self):
        problems = self.problems(**{"kien-nghi": "x" * (answers.TEXT_LIMIT + 1)})
        self.assertTrue(problems["kien-nghi"].startswith("“Kiến nghị”: "))

    def test_a_required_question_left_blank_is_refused_by_name(self):
        problems = self.problems(**{"doan-vien": " ", "tlu": ""})
        self.assertEqual(problems["doan-vien"], "“Số đoàn viên”: " + _("an answer is required"))
        self.assertIn("tlu", problems)
        self.assertNotIn("tlu-nam", problems)  # hidden: its rule's question is unanswered

    def test_the_skip_rule_hides_a_question_which_is_then_neither_required_nor_kept(self):
        response = self.save(tlu="khong", **{"tlu-nam": "không nhớ"})
        self.assertFalse(response.answers.filter(question=self.q_signed).exists())
        problems = self.problems(revision=1, **{"tlu-nam": ""})
        self.assertEqual(problems, {"tlu-nam": "“Ngày ký thỏa ước”: " + _("an answer is required")})

    def test_changing_an_answer_so_that_it_hides_a_question_clears_its_answer(self):
        response = self.save()
        self.assertTrue(response.answers.filter(question=self.q_signed).exists())
        response = self.save(revision=1, tlu="khong")
        self.assertEqual(response.revision, 2)
        self.assertFalse(Answer.objects.filter(question=self.q_signed).exists())
        self.assertEqual(Response.objects.count(), 1)

    def test_a_form_opened_before_someone_else_saved_is_refused_and_changes_nothing(self):
        self.save()
        problems = self.problems(revision=0, **{"doan-vien": "99"})
        self.assertIn(None, problems)
        self.assertEqual(
            Answer.objects.get(question=self.q_members).number, Decimal(1234), "unchanged"
        )

    def test_an_answer_with_one_problem_writes_nothing_at_all(self):
        self.problems(**{"hai-long": "9"})
        self.assertFalse(Response.objects.exists())
        self.assertFalse(Answer.objects.exists())
        self.save()
        self.problems(revision=1, **{"doan-vien": "5", "hai-long": "9"})
        self.assertEqual(Answer.objects.get(question=self.q_members).number, Decimal(1234))

    def test_only_the_units_own_reporters_answer_for_it(self):
        for person in (self.alice, self.carol, self.dave):
            with self.subTest(person=person.username), self.assertRaises(PermissionDenied):
                answers.unit_answer_save(
                    respondent=self.respondent, by=person, channel=WEB, values=GOOD, revision=0
                )

    def test_a_closed_survey_takes_no_answer(self):
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.CLOSED)
        problems = self.problems()
        closed = _("The survey “%(survey)s” is %(state)s: it takes no answers now.") % {
            "survey": self.survey.title,
            "state": Survey.State.CLOSED.label.lower(),
        }
        self.assertIn(closed, problems[None])
        self.assertFalse(Response.objects.exists())


class WorkerPaperTestCase(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.workers = opened(make_survey(cls, respondents=Survey.Respondents.PEOPLE, title="CN"))
        cls.respondent = Respondent.objects.create(survey=cls.workers, unit=cls.grassroots_a1)
        for number in (1, 2, 3):
            Token.objects.create(respondent=cls.respondent, number=number, secret=f"phieu-{number}")

    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def spent(self) -> list[int]:
        return list(
            Token.objects.filter(respondent=self.respondent, is_spent=True)
            .order_by("number")
            .values_list("number", flat=True)
        )

    def typed_in(self, *numbers, **changes):
        return answers.worker_answers_save(
            respondent=self.respondent, by=self.gina, channel=PAPER,
            questionnaires=[(number, {**GOOD, "tlu": "khong", **changes}) for number in numbers],
        )  # fmt: skip

    def refused(self, *numbers, **changes) -> list[answers.Problem]:
        with self.assertRaises(AnswerError) as refused:
            self.typed_in(*numbers, **changes)
        return refused.exception.problems

    def already_in(self, number: int) -> str:
        return _(
            "Questionnaire no. %(number)d of %(unit)s is already in (answered on its link "
            "or typed in before): check the number written on the sheet."
        ) % {"number": number, "unit": self.grassroots_a1.name}

    def test_a_questionnaire_typed_in_spends_the_one_of_its_number_and_no_other(self):
        self.typed_in(2)
        self.assertEqual(self.spent(), [2])
        # The workers holding numbers 1 and 3 still answer on their links.
        for secret in ("phieu-1", "phieu-3"):
            answers.anonymous_answer_save(
                secret=secret, values={**GOOD, "tlu": "khong"}, address=None
            )
        self.assertEqual(self.spent(), [1, 2, 3])
        self.assertEqual(answers.worker_count(self.respondent), 3)

    def test_a_number_answered_on_its_link_is_refused_when_typed_in_and_named(self):
        answers.anonymous_answer_save(
            secret="phieu-2", values={**GOOD, "tlu": "khong"}, address=None
        )
        problems = self.refused(2)
        self.assertEqual(
            [(p.index, p.of_number, p.message) for p in problems], [(0, True, self.already_in(2))]
        )
        self.assertEqual(answers.worker_count(self.respondent), 1)  # the link's own
        self.assertEqual(self.spent(), [2])

    def test_the_same_questionnaire_typed_in_twice_is_refused_the_second_time(self):
        values = {**GOOD, "tlu": "khong"}
        answers.worker_answer_save(
            respondent=self.respondent, by=self.gina, channel=PAPER, number="1", values=values
        )
        with self.assertRaises(AnswerError) as refused:
            answers.worker_answer_save(
                respondent=self.respondent, by=self.gina, channel=PAPER, number="1", values=values
            )
        self.assertEqual(str(refused.exception), self.already_in(1))
        self.assertEqual(answers.worker_count(self.respondent), 1)
        self.assertEqual(self.spent(), [1])

    def test_numbers_missing_unknown_or_given_twice_are_refused_each_by_its_place(self):
        unit = self.grassroots_a1.name
        problems = self.refused(1, 1, 9, " ", "ba", 0)
        self.assertEqual(
            [(p.index, p.message) for p in problems if p.of_number],
            [
                (1, _("Questionnaire no. %(number)d is given twice: each questionnaire is "
                      "typed in once.") % {"number": 1}),
                (2, _("%(unit)s has no questionnaire no. %(number)d: its questionnaires are "
                      "numbered from 1 to %(last)d.") % {"unit": unit, "number": 9, "last": 3}),
                (3, _("The questionnaire's number is missing: write the number printed on "
                      "the sheet.")),
                (4, _("“%s” is not a questionnaire number: write the number printed on the "
                      "sheet, e.g. 3.") % "ba"),
                (5, _("“%s” is not a questionnaire number: write the number printed on the "
                      "sheet, e.g. 3.") % "0"),
            ],
        )  # fmt: skip
        self.assertFalse(Response.objects.exists())
        self.assertEqual(self.spent(), [])

    def test_a_questionnaires_wrong_answer_is_named_with_its_place_and_all_are_refused(self):
        problems = self.refused(1, 2, **{"doan-vien": ""})
        self.assertEqual(
            [(p.index, p.code) for p in problems], [(0, "doan-vien"), (1, "doan-vien")]
        )
        self.assertFalse(Response.objects.exists())
        self.assertEqual(self.spent(), [])

    def test_each_paper_questionnaire_typed_in_is_a_new_worker_answer(self):
        for number, members in ((1, "10"), (3, "20")):
            answers.worker_answer_save(
                respondent=self.respondent, by=self.gina, channel=PAPER, number=number,
                values={**GOOD, "doan-vien": members, "tlu": "khong"},
            )  # fmt: skip
        responses = Response.objects.filter(respondent=self.respondent).order_by("pk")
        self.assertEqual([r.is_worker for r in responses], [True, True])
        self.assertEqual({r.entered_by for r in responses}, {self.gina})
        self.assertEqual(answers.worker_count(self.respondent), 2)
        self.assertEqual(
            sorted(
                Answer.objects.filter(question__code="doan-vien").values_list("number", flat=True)
            ),
            [10, 20],
        )
        self.assertEqual(self.spent(), [1, 3])

    def test_a_worker_survey_has_no_answer_of_the_union_itself(self):
        with self.assertRaises(AnswerError):
            answers.unit_answer_save(
                respondent=self.respondent, by=self.gina, channel=WEB, values=GOOD, revision=0
            )
        self.assertFalse(Response.objects.exists())


class ShownNumberTestCase(SurveyTestCase):
    def test_a_number_is_written_back_as_the_form_writes_it(self):
        self.assertEqual(answers.shown_number(Decimal("1234.5000")), "1234,5")
        self.assertEqual(answers.shown_number(Decimal("1E+3")), "1000")


class ChoiceNamesTestCase(SurveyTestCase):
    """A choice is named by its code before any label, and by its label before any
    English label, whichever choice comes first."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        opened(cls.survey)
        cls.respondent = Respondent.objects.create(survey=cls.survey, unit=cls.grassroots_a1)
        cls.shift = Question.objects.create(
            survey=cls.survey, order=9, code="ca", kind="single", label="Ca làm việc"
        )
        # The first choice's label is the second's code; the second's English label is
        # the third's label.
        cls.choices = {
            code: Choice.objects.create(
                question=cls.shift, order=order, code=code, label=label, label_en=label_en
            )
            for order, (code, label, label_en) in enumerate(
                [("1", "2", "Day"), ("2", "Đêm", "Ca ba"), ("3", "Ca ba", "Rotating")]
            )
        }

    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))

    def chosen(self, value: str) -> str:
        response = answers.unit_answer_save(
            respondent=self.respondent, by=self.gina, channel=WEB,
            values={**GOOD, "ca": value},
            revision=answers.unit_response(self.respondent).revision
            if answers.unit_response(self.respondent) else 0,
        )  # fmt: skip
        answer = response.answers.get(question=self.shift)
        return answer.chosen.get().code

    def test_a_label_equal_to_another_choices_code_names_that_code(self):
        self.assertEqual(self.chosen("2"), "2")
        self.assertEqual(self.chosen("1"), "1")
        self.assertEqual(self.chosen("Đêm"), "2")

    def test_a_label_comes_before_an_english_label_equal_to_it(self):
        self.assertEqual(self.chosen("ca ba"), "3")
        self.assertEqual(self.chosen("Day"), "1")


@skipUnless(connection.features.has_select_for_update, "needs row locks (PostgreSQL)")
class PaperDoubleSubmitTestCase(TransactionTestCase):
    """The same paper questionnaire sent twice at the same moment, each in its own
    connection: the row locks let the first through, and the second finds its number in."""

    def setUp(self):
        build_tree(self)
        build_campaign(self)
        build_units(self)
        workers = make_survey(self, respondents=Survey.Respondents.PEOPLE)
        Survey.objects.filter(pk=workers.pk).update(state=Survey.State.OPEN)
        self.respondent = Respondent.objects.create(survey=workers, unit=self.grassroots_a1)
        for number in (1, 2, 3):
            Token.objects.create(respondent=self.respondent, number=number, secret=f"p-{number}")

    def test_two_sendings_of_one_paper_questionnaire_at_once_save_one(self):
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def send() -> None:
            try:
                start.wait()
                answers.worker_answer_save(
                    respondent=self.respondent, by=self.gina, channel=PAPER, number="2",
                    values={**GOOD, "tlu": "khong"},
                )  # fmt: skip
                outcomes.append("saved")
            except AnswerError:
                outcomes.append("refused")
            finally:
                db.connections.close_all()

        threads = [threading.Thread(target=send) for _n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(sorted(outcomes), ["refused", "saved"])
        self.assertEqual(Response.objects.count(), 1)
        self.assertEqual(
            list(Token.objects.filter(is_spent=True).values_list("number", flat=True)), [2]
        )
