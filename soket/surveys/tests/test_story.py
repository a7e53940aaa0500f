"""A survey's whole life, through the services every page calls: province A writes a
worker questionnaire with a skip rule, draws a stratified sample of its grassroots
unions with a recorded seed, opens it; workers answer on their anonymous links (a link
used twice is refused), a union types in a paper questionnaire and uploads a spreadsheet
of two more; the results count exactly what was given by the unions where at least five
workers answered, with the margin of error of workers clustered in their unions, and a
union's own people read theirs once the survey is closed."""

from __future__ import annotations

import io
import math

import openpyxl
from django.conf import settings
from django.utils import translation

from soket.core import clock
from soket.orgs.models import Role
from soket.surveys import answers, definition, results, sampling, spreadsheet
from soket.surveys.answers import AnswerError
from soket.surveys.models import Question, Respondent, Response, Survey
from soket.surveys.tests.making import NOW, SurveyTestCase
from soket.testing import make_user


class SurveyStoryTestCase(SurveyTestCase):
    def setUp(self):
        self.enterContext(translation.override(settings.LANGUAGE_CODE))
        self.enterContext(clock.frozen_at(NOW))

    def test_from_definition_through_a_sample_and_every_channel_to_the_results(self):
        survey = definition.survey_create(
            campaign=self.campaign, owner=self.province_a, by=self.dave,
            title="Khảo sát người lao động", respondents=Survey.Respondents.PEOPLE,
        )  # fmt: skip
        member = definition.question_add(
            survey=survey, by=self.dave, revision=survey.revision,
            question=definition.QuestionInput(
                label="Là đoàn viên?", kind=Question.Kind.SINGLE, code="doan-vien",
                required=True,
                choices=[definition.ChoiceInput("co", "Có"),
                         definition.ChoiceInput("khong", "Không")],
            ),
        )  # fmt: skip
        survey.refresh_from_db()
        definition.question_add(
            survey=survey, by=self.dave, revision=survey.revision,
            question=definition.QuestionInput(
                label="Vì sao chưa?", kind=Question.Kind.TEXT, code="vi-sao",
                shown_if=member, shown_if_codes=["khong"],
            ),
        )  # fmt: skip
        survey.refresh_from_db()
        grassroots = self.kinds["grassroots"]
        sampling.draw(
            survey=survey, by=self.dave, selection=Survey.Selection.SAMPLE, kinds=[grassroots],
            size=6, seed=42, questionnaires_per_unit=6,
        )  # fmt: skip
        survey.refresh_from_db()
        drawn = set(Respondent.objects.filter(survey=survey).values_list("unit_id", flat=True))
        self.assertEqual(len(drawn), 6)
        self.assertEqual(survey.seed, 42)
        # Drawn again from its seed: the same unions.
        sampling.draw(
            survey=survey, by=self.dave, selection=Survey.Selection.SAMPLE, kinds=[grassroots],
            size=6, seed=42, questionnaires_per_unit=6,
        )  # fmt: skip
        survey.refresh_from_db()
        again = set(Respondent.objects.filter(survey=survey).values_list("unit_id", flat=True))
        self.assertEqual(again, drawn)
        definition.survey_open(survey=survey, by=self.dave, revision=survey.revision)

        # Anonymous answers: one per link; the skip rule clears what it hides. The first
        # union's workers answer 3 on the web, the second's 5, the third's 2.
        first, second, third = Respondent.objects.filter(survey=survey).order_by("unit__path")[:3]
        given = {first: ["co", "khong", "co"], second: ["co", "khong", "co", "co", "co"],
                 third: ["khong", "khong"]}  # fmt: skip
        for respondent, values in given.items():
            tokens = list(respondent.tokens.order_by("number"))
            for token, value in zip(tokens, values, strict=False):
                answers.anonymous_answer_save(
                    secret=token.secret, values={"doan-vien": value, "vi-sao": "Chưa biết"},
                    address="10.0.0.1",
                )  # fmt: skip
        spent = first.tokens.filter(is_spent=True).order_by("number").first()
        assert spent is not None
        with self.assertRaises(AnswerError):
            answers.anonymous_answer_save(
                secret=spent.secret, values={"doan-vien": "co"}, address="10.0.0.2"
            )
        # Paper: one questionnaire typed in by the first union; a spreadsheet of two more.
        typist = make_user("typist", first.unit, Role.Kind.REPORTER)
        # Its workers answered numbers 1 to 3 on their links; the sheet typed in is no. 4,
        # and the spreadsheet lists the numbers left (5 and 6) in its first column.
        answers.worker_answer_save(
            respondent=first, by=typist, channel=Response.Channel.PAPER, number=4,
            values={"doan-vien": "khong", "vi-sao": "Doanh nghiệp chưa có công đoàn"},
        )  # fmt: skip
        book = openpyxl.load_workbook(io.BytesIO(spreadsheet.form_xlsx(first)))
        sheet = book[spreadsheet.FORM]
        self.assertEqual((sheet["A2"].value, sheet["A3"].value), (5, 6))
        sheet["B2"], sheet["B3"] = "co", "khong"
        buffer = io.BytesIO()
        book.save(buffer)
        spreadsheet.upload(
            respondent=first, by=typist, filename="phieu.xlsx", data=buffer.getvalue()
        )

        # The first union: 3 + 1 + 2 = 6 answers (3 "có"); the second 5 (4 "có"); the
        # third's two are counted nowhere, fewer than five.
        found = results.results(survey=survey, scope=results.Scope(unit=self.province_a))
        self.assertEqual((found.responses, found.left_out), (11, 1))
        yes_no = found.question("doan-vien")
        self.assertEqual(yes_no.n, 11)
        counts = {choice.code: choice.count for choice in yes_no.choices}
        self.assertEqual(counts, {"co": 7, "khong": 4})
        # Workers clustered in their unions: p̂ = 7/11; residuals 3 − 6·7/11 = −9/11 and
        # 4 − 5·7/11 = 9/11; var = (2·81/121) / (2·1·5,5²); z = 1.96.
        share = next(c for c in yes_no.choices if c.code == "co").estimate
        self.assertAlmostEqual(share.value, 7 / 11)
        self.assertAlmostEqual(share.margin, 1.96 * math.sqrt((162 / 121) / (2 * 5.5**2)))
        # A reason is kept only beside "không" (those with "có" had theirs cleared): the
        # first union's web and paper ones, the second's one. Neither union has five
        # answers to it, so neither counts in its figures: nothing to show.
        reasons = found.question("vi-sao")
        self.assertEqual((reasons.n, reasons.shown), (0, False))

        # The first union's people read their own workers once the survey is closed.
        def own() -> results.Results:
            scope = results.reader_scope(user=typist, survey=survey, unit_pk=None, kind_pk=None)
            return results.results(survey=survey, scope=scope)

        self.assertTrue(own().waiting)
        survey.refresh_from_db()
        definition.survey_close(survey=survey, by=self.dave, revision=survey.revision)
        survey.refresh_from_db()
        theirs = own()
        self.assertFalse(theirs.hidden)
        self.assertEqual(theirs.responses, 6)
        self.assertEqual(theirs.question("doan-vien").choices[0].count, 3)
