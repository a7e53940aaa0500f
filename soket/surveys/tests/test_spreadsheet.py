"""The .xlsx round trip of a unit's answers: the union's form (a row per question) and
the worker form (a row per questionnaire, under its number), each read with the report
form's checks: every problem placed at its row and question (a number repeated, unknown
or already in at its cell), nothing saved unless all is right, the form of another
survey or unit, a file already saved and a file that is no workbook refused."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from soket.core import clock
from soket.core.tabular import RowError, TableError
from soket.orgs import services
from soket.orgs.models import Role
from soket.surveys import answers, spreadsheet
from soket.surveys.answers import AnswerError
from soket.surveys.models import Answer, Respondent, Response, Survey, Token
from soket.surveys.tests.making import NOW, SurveyTestCase, make_survey

ANSWER_COLUMN = 4


def opened(survey: Survey) -> Survey:
    Survey.objects.filter(pk=survey.pk).update(state=Survey.State.OPEN)
    survey.refresh_from_db()
    return survey


def workbook_of(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def saved(workbook: openpyxl.Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


class SpreadsheetTestCase(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        opened(cls.survey)
        cls.respondent = Respondent.objects.create(survey=cls.survey, unit=cls.grassroots_a1)
        cls.other = Respondent.objects.create(survey=cls.survey, unit=cls.grassroots_a2)
        # gina answers for A2-01 too, so that only the file itself can tell them apart.
        services.role_grant(user=cls.gina, unit=cls.grassroots_a2, kind=Role.Kind.REPORTER)
        cls.workers = opened(make_survey(cls, respondents=Survey.Respondents.PEOPLE, title="CN"))
        cls.worker_unit = Respondent.objects.create(survey=cls.workers, unit=cls.grassroots_a1)
        for number in range(1, 6):
            Token.objects.create(respondent=cls.worker_unit, number=number, secret=f"cn-{number}")

    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        self.enterContext(translation.override(settings.LANGUAGE_CODE))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = settings.LANGUAGE_CODE
        self.client.force_login(self.gina)

    def download(self, respondent: Respondent) -> openpyxl.Workbook:
        page = self.client.get(
            reverse("survey_answer_xlsx", args=[respondent.survey_id, respondent.unit_id])
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn("attachment", page["Content-Disposition"])
        return workbook_of(page.content)

    def fill(self, workbook: openpyxl.Workbook, answers_by_code: dict[str, object]) -> int:
        sheet = workbook[spreadsheet.FORM]
        for row in range(2, sheet.max_row + 1):
            code = sheet.cell(row, 1).value
            if code in answers_by_code:
                sheet.cell(row, ANSWER_COLUMN, answers_by_code[code])
        return sheet.max_row

    def upload(self, respondent: Respondent, data: bytes, name: str = "phieu.xlsx"):
        return self.client.post(
            reverse("survey_answer_upload", args=[respondent.survey_id, respondent.unit_id]),
            {"file": SimpleUploadedFile(name, data)},
            follow=True,
        )

    def messages(self, page) -> list[str]:
        return [str(message) for message in page.context["messages"]]

    def row_of(self, workbook: openpyxl.Workbook, code: str) -> int:
        sheet = workbook[spreadsheet.FORM]
        return next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 1).value == code)

    def test_a_unit_answers_by_spreadsheet_and_gets_its_answer_back_in_the_next_form(self):
        workbook = self.download(self.respondent)
        sheet = workbook[spreadsheet.FORM]
        self.assertEqual(
            [sheet.cell(1, column).value for column in range(1, 5)],
            [spreadsheet.CODE, spreadsheet.QUESTION, spreadsheet.HOW, spreadsheet.ANSWER],
        )
        answer_cell = sheet.cell(self.row_of(workbook, "tlu-nam"), ANSWER_COLUMN)
        self.assertEqual(answer_cell.number_format, "@")  # text: a date stays as typed
        self.fill(
            workbook,
            {"doan-vien": "250", "tlu": "co", "tlu-nam": "15/01/2016",
             "hoat-dong": "hoi-nghi, thi-dua", "hai-long": 5, "kien-nghi": "=1+1"},
        )  # fmt: skip
        # Typed in a text cell, as the form's cells are: Excel keeps it as text.
        sheet.cell(self.row_of(workbook, "kien-nghi"), ANSWER_COLUMN).data_type = "s"
        page = self.upload(self.respondent, saved(workbook))
        self.assertIn(_("The form was read and the answer saved."), self.messages(page))
        response = Response.objects.get(respondent=self.respondent)
        self.assertEqual(response.channel, Response.Channel.SPREADSHEET)
        self.assertEqual(response.answers.get(question__code="doan-vien").number, 250)
        self.assertEqual(response.answers.get(question__code="kien-nghi").text, "=1+1")
        self.assertEqual(
            set(
                response.answers.get(question__code="hoat-dong").chosen.values_list(
                    "code", flat=True
                )
            ),
            {"hoi-nghi", "thi-dua"},
        )
        again = self.download(self.respondent)[spreadsheet.FORM]
        answers_back = {
            again.cell(row, 1).value: again.cell(row, ANSWER_COLUMN).value
            for row in range(2, again.max_row + 1)
        }
        self.assertEqual(answers_back["doan-vien"], "250")
        self.assertEqual(answers_back["tlu-nam"], "15/01/2016")
        self.assertEqual(answers_back["kien-nghi"], "=1+1")
        # Uploaded again as it came: the same answer, one revision on.
        self.upload(self.respondent, saved(workbook_of(saved(self.download(self.respondent)))))
        self.assertEqual(Response.objects.get(respondent=self.respondent).revision, 2)

    def test_every_wrong_cell_is_named_by_its_row_and_question_and_nothing_is_saved(self):
        workbook = self.download(self.respondent)
        self.fill(workbook, {"doan-vien": "nhiều", "tlu": "co", "tlu-nam": "", "hai-long": "7"})
        with self.assertRaises(TableError) as refused:
            spreadsheet.read_unit_form(
                respondent=self.respondent, filename="phieu.xlsx", data=saved(workbook)
            )
        placed = {(error.row, error.column) for error in refused.exception.errors}
        self.assertEqual(
            placed,
            {
                (self.row_of(workbook, "doan-vien"), spreadsheet.ANSWER),
                (self.row_of(workbook, "tlu-nam"), spreadsheet.ANSWER),
                (self.row_of(workbook, "hai-long"), spreadsheet.ANSWER),
            },
        )
        required = RowError(
            self.row_of(workbook, "tlu-nam"),
            spreadsheet.ANSWER,
            "“Ngày ký thỏa ước”: " + _("an answer is required"),
            spreadsheet.FORM,
        )
        page = self.upload(self.respondent, saved(workbook))
        shown = self.messages(page)
        self.assertIn(str(required), shown)
        self.assertIn(_("Nothing was saved: correct the file and upload it again."), shown)
        self.assertFalse(Response.objects.exists())

    def test_an_unknown_question_code_in_the_form_is_refused_by_row(self):
        workbook = self.download(self.respondent)
        self.fill(workbook, {"doan-vien": "3", "tlu": "khong"})
        workbook[spreadsheet.FORM].protection.sheet = False
        workbook[spreadsheet.FORM].cell(2, 1, "cau-la")
        with self.assertRaises(TableError) as refused:
            spreadsheet.read_unit_form(
                respondent=self.respondent, filename="phieu.xlsx", data=saved(workbook)
            )
        self.assertIn((2, spreadsheet.CODE), {(e.row, e.column) for e in refused.exception.errors})

    def test_the_form_of_another_unit_or_another_survey_is_refused(self):
        other_unit = self.download(self.other)
        self.fill(other_unit, {"doan-vien": "3", "tlu": "khong"})
        page = self.upload(self.respondent, saved(other_unit))
        expected = _(
            "This file is not the answer form of %(unit)s for the survey “%(survey)s”: "
            "download the form from the unit's answer page."
        ) % {"unit": self.grassroots_a1.name, "survey": self.survey.title}
        self.assertIn(expected, self.messages(page))
        other_survey = self.download(self.worker_unit)
        page = self.upload(self.respondent, saved(other_survey))
        self.assertIn(expected, self.messages(page))
        self.assertFalse(Response.objects.exists())

    def test_a_file_that_is_not_a_workbook_is_refused_before_it_is_read(self):
        for name, data in (
            ("phieu.xlsx", b"doan-vien;3\n"),
            ("phieu.xlsx", b"PK\x03\x04 not really a zip"),
            ("phieu.csv", b"doan-vien,3\n"),
        ):
            with self.subTest(name=name, data=data[:10]):
                with self.assertRaises(TableError) as refused:
                    spreadsheet.upload(
                        respondent=self.respondent, by=self.gina, filename=name, data=data
                    )
                message = str(refused.exception.errors[0])
                self.assertIn(
                    message,
                    {
                        _("The file is not a valid .xlsx workbook."),
                        _("Upload the answer form as an .xlsx file."),
                    },
                )
        self.assertFalse(Response.objects.exists())

    def test_a_file_larger_than_allowed_is_refused_by_its_size(self):
        data = saved(self.download(self.respondent))
        with self.settings(SOKET_MAX_UPLOAD_BYTES=1000), self.assertRaises(TableError):
            spreadsheet.upload(
                respondent=self.respondent, by=self.gina, filename="phieu.xlsx", data=data
            )

    def test_a_form_downloaded_before_the_answer_was_changed_on_the_web_is_refused(self):
        workbook = self.download(self.respondent)
        self.fill(workbook, {"doan-vien": "3", "tlu": "khong"})
        answers.unit_answer_save(
            respondent=self.respondent, by=self.gina, channel=Response.Channel.WEB,
            values={"doan-vien": "9", "tlu": "khong"}, revision=0,
        )  # fmt: skip
        with self.assertRaises(AnswerError):
            spreadsheet.upload(
                respondent=self.respondent, by=self.gina, filename="phieu.xlsx",
                data=saved(workbook),
            )  # fmt: skip
        self.assertEqual(Answer.objects.get(question__code="doan-vien").number, 9)

    def fill_workers(self, rows: list[dict[str, object]]) -> bytes:
        """A downloaded worker form, its rows filled from row 2 on (each row keeps the
        number the form wrote in it unless `rows` gives another under NUMBER)."""
        workbook = self.download(self.worker_unit)
        sheet = workbook[spreadsheet.FORM]
        codes = {sheet.cell(1, column).value: column for column in range(1, sheet.max_column + 1)}
        for number, values in enumerate(rows, start=2):
            for code, value in values.items():
                sheet.cell(number, codes[code], value)
        return saved(workbook)

    def spent(self) -> list[int]:
        return list(
            Token.objects.filter(respondent=self.worker_unit, is_spent=True)
            .order_by("number")
            .values_list("number", flat=True)
        )

    def already_in(self, number: int) -> str:
        return _(
            "Questionnaire no. %(number)d of %(unit)s is already in (answered on its link "
            "or typed in before): check the number written on the sheet."
        ) % {"number": number, "unit": self.grassroots_a1.name}

    def test_the_worker_form_lists_the_numbers_not_yet_in_one_per_row(self):
        answers.anonymous_answer_save(
            secret="cn-2", values={"doan-vien": "1", "tlu": "khong"}, address=None
        )
        sheet = self.download(self.worker_unit)[spreadsheet.FORM]
        self.assertEqual(
            [sheet.cell(1, column).value for column in range(1, 4)],
            [spreadsheet.NUMBER, "doan-vien", "tlu"],
        )
        self.assertEqual(
            [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)], [1, 3, 4, 5]
        )
        self.assertEqual(sheet.cell(2, 4).number_format, "@")  # text: a date stays as typed

    def test_a_worker_form_saves_every_questionnaire_of_its_numbers_or_none(self):
        good = {"doan-vien": "1", "tlu": "khong", "hai-long": "4"}
        rows = [good, {**good, "tlu": "co"}, {**good, "hai-long": "9"}]
        with self.assertRaises(TableError) as refused:
            spreadsheet.upload(
                respondent=self.worker_unit, by=self.gina, filename="phieu.xlsx",
                data=self.fill_workers(rows),
            )  # fmt: skip
        placed = {(error.row, error.column) for error in refused.exception.errors}
        self.assertEqual(placed, {(3, "tlu-nam"), (4, "hai-long")})
        self.assertFalse(Response.objects.exists())
        self.assertEqual(self.spent(), [])

        rows[1]["tlu-nam"] = "02/02/2016"
        rows[2]["hai-long"] = "2"
        page = self.upload(self.worker_unit, self.fill_workers(rows))
        self.assertRedirects(
            page, reverse("survey_paper", args=[self.workers.pk, self.grassroots_a1.pk])
        )
        responses = Response.objects.filter(respondent=self.worker_unit)
        self.assertEqual(responses.count(), 3)
        self.assertTrue(all(r.is_worker and r.channel == "spreadsheet" for r in responses))
        self.assertEqual(
            sorted(
                Answer.objects.filter(question__code="hai-long").values_list("number", flat=True)
            ),
            [Decimal(2), Decimal(4), Decimal(4)],
        )
        # The rows of numbers 4 and 5, left with their number only, were no questionnaires.
        self.assertEqual(self.spent(), [1, 2, 3])

    def test_numbers_repeated_unknown_used_or_missing_are_refused_at_their_cells(self):
        good = {"doan-vien": "1", "tlu": "khong"}
        answers.anonymous_answer_save(secret="cn-3", values=good, address=None)
        number = spreadsheet.NUMBER
        data = self.fill_workers(
            [
                {**good, number: 1},
                {**good, number: 1},
                {**good, number: 9},
                {**good, number: 3},
                {**good, number: None},
                {**good, number: "một"},
            ]
        )
        with self.assertRaises(TableError) as refused:
            spreadsheet.upload(
                respondent=self.worker_unit, by=self.gina, filename="phieu.xlsx", data=data
            )
        unit = self.grassroots_a1.name
        self.assertEqual(
            [(e.row, e.column, e.message) for e in refused.exception.errors],
            [
                (3, number, _("Questionnaire no. %(number)d is given twice: each questionnaire "
                              "is typed in once.") % {"number": 1}),
                (4, number, _("%(unit)s has no questionnaire no. %(number)d: its "
                              "questionnaires are numbered from 1 to %(last)d.")
                 % {"unit": unit, "number": 9, "last": 5}),
                (5, number, self.already_in(3)),
                (6, number, _("The questionnaire's number is missing: write the number "
                              "printed on the sheet.")),
                (7, number, _("“%s” is not a questionnaire number: write the number printed "
                              "on the sheet, e.g. 3.") % "một"),
            ],
        )  # fmt: skip
        page = self.upload(self.worker_unit, data)  # and through the page, each by its row
        shown = self.messages(page)
        self.assertIn(str(RowError(5, number, self.already_in(3), spreadsheet.FORM)), shown)
        self.assertIn(_("Nothing was saved: correct the file and upload it again."), shown)
        self.assertEqual(answers.worker_count(self.worker_unit), 1)  # the link's own
        self.assertEqual(self.spent(), [3])

    def test_the_same_worker_file_uploaded_twice_is_refused_by_its_numbers(self):
        good = {"doan-vien": "1", "tlu": "khong"}
        data = self.fill_workers([good, {**good, "doan-vien": "2"}])
        read = ngettext(
            "The form was read: %(count)d questionnaire is saved.",
            "The form was read: %(count)d questionnaires are saved.",
            2,
        ) % {"count": 2}
        self.assertEqual(self.messages(self.upload(self.worker_unit, data))[-1], read)
        with self.assertRaises(TableError) as refused:
            spreadsheet.upload(
                respondent=self.worker_unit, by=self.gina, filename="phieu.xlsx", data=data
            )
        self.assertEqual(
            [(e.row, e.column, e.message) for e in refused.exception.errors],
            [
                (2, spreadsheet.NUMBER, self.already_in(1)),
                (3, spreadsheet.NUMBER, self.already_in(2)),
            ],
        )
        page = self.upload(self.worker_unit, data)  # and through the page
        self.assertIn(
            _("Nothing was saved: correct the file and upload it again."), self.messages(page)
        )
        self.assertEqual(Response.objects.filter(respondent=self.worker_unit).count(), 2)
        self.assertEqual(self.spent(), [1, 2])
        # The next form lists the numbers left, and is saved.
        self.upload(self.worker_unit, self.fill_workers([{**good, "doan-vien": "3"}]))
        self.assertEqual(Response.objects.filter(respondent=self.worker_unit).count(), 3)
        self.assertEqual(self.spent(), [1, 2, 3])

    def test_a_worker_form_with_no_questionnaire_typed_in_is_refused(self):
        with self.assertRaises(TableError) as refused:
            spreadsheet.upload(
                respondent=self.worker_unit, by=self.gina, filename="phieu.xlsx",
                data=self.fill_workers([]),
            )  # fmt: skip
        self.assertEqual(
            [e.message for e in refused.exception.errors],
            [
                _(
                    "The form holds no questionnaire: type each paper questionnaire in the row "
                    "of the number printed on it."
                )
            ],
        )
        self.assertFalse(Response.objects.exists())
