"""A hostile user against the surveys app: odd ids and values in paths, forms and query
strings, hostile text, tampered skip logic, stale and double submissions, spent and
made-up links, bad spreadsheets and attempts to read what privacy hides. Never a 500,
never a partial write, never a script run, never a worker traced."""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from decimal import Decimal

import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from soket.core import clock
from soket.core.uploads import XLSX_TYPE
from soket.orgs.models import User
from soket.surveys import spreadsheet
from soket.surveys.answers import Questionnaire, check_values
from soket.surveys.models import (
    Answer,
    Choice,
    Respondent,
    Response,
    Section,
    Survey,
    Throttle,
    Token,
)
from soket.surveys.tests.making import NOW, SurveyTestCase, make_survey
from soket.surveys.tests.test_results import give

FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Refused by every number, scale, date and choice question alike.
BAD = ["abc", "-1", "٣", "9" * 30, "x" * 5000, "1e3", "0x10"]
# Odd, but some are read (a NUL is dropped, a blank is no answer): never a 500.
ODD = [*BAD, "1.5", "1\x00", " "]
HUGE = 10**20
POST = {
    "revision": "0",
    "q-doan-vien": "120",
    "q-tlu": "co",
    "q-tlu-nam": "01/12/2015",
    "q-hoat-dong": ["hoi-nghi"],
    "q-hai-long": "4",
    "q-kien-nghi": "Không",
}
WORKER_POST = {"number": "1", "q-doan-vien": "1", "q-tlu": "khong", "q-hai-long": "3"}


def opened(survey: Survey) -> Survey:
    Survey.objects.filter(pk=survey.pk).update(state=Survey.State.OPEN)
    survey.refresh_from_db()
    return survey


class HostileTestCase(SurveyTestCase):
    survey: Survey
    workers: Survey
    respondent: Respondent
    other: Respondent
    w_a1: Respondent
    w_g1: Respondent
    tokens: list[Token]
    gina: User

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        opened(cls.survey)
        cls.respondent = Respondent.objects.create(survey=cls.survey, unit=cls.grassroots_a1)
        cls.other = Respondent.objects.create(survey=cls.survey, unit=cls.grassroots_a2)
        cls.workers = opened(make_survey(cls, respondents=Survey.Respondents.PEOPLE, title="CN"))
        cls.w_a1 = Respondent.objects.create(survey=cls.workers, unit=cls.grassroots_a1)
        cls.w_g1 = Respondent.objects.create(survey=cls.workers, unit=cls.more_a1[0])
        cls.tokens = [
            Token.objects.create(respondent=cls.w_a1, number=n, secret=secrets.token_urlsafe())
            for n in range(1, 6)
        ]

    def setUp(self):
        self.enterContext(clock.frozen_at(NOW))
        self.enterContext(translation.override(settings.LANGUAGE_CODE))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = settings.LANGUAGE_CODE
        self.answer = reverse("survey_answer", args=[self.survey.pk, self.grassroots_a1.pk])

    def asked(self, code: str):
        return self.survey.questions.get(code=code)

    def written(self) -> tuple[int, int]:
        return Response.objects.count(), Answer.objects.count()

    def post_answer(self, **changes):
        data = {**POST, **changes}
        return self.client.post(self.answer, {k: v for k, v in data.items() if v is not None})


class OddInputTests(HostileTestCase):
    def test_huge_ids_in_every_path_are_not_found_and_never_a_500(self):
        routes = {
            "survey_list": [HUGE], "survey_create": [HUGE], "survey_detail": [HUGE],
            "survey_edit": [HUGE], "survey_section_add": [HUGE], "survey_section_edit": [HUGE],
            "survey_question_add": [HUGE], "survey_question_edit": [HUGE],
            "survey_question_delete": [HUGE], "survey_open": [HUGE], "survey_close": [HUGE],
            "survey_respondents": [HUGE], "survey_draw": [HUGE], "survey_progress": [HUGE],
            "survey_tokens": [self.survey.pk, HUGE], "survey_answer": [self.survey.pk, HUGE],
            "survey_paper": [HUGE, self.grassroots_a1.pk],
            "survey_answer_xlsx": [self.survey.pk, HUGE],
            "survey_answer_upload": [HUGE, HUGE], "survey_results": [HUGE],
            "survey_results_xlsx": [HUGE], "survey_result_quote": [HUGE],
        }  # fmt: skip
        for user in (self.dave, self.gina):
            self.client.force_login(user)
            for name, args in routes.items():
                url = reverse(name, args=args)
                for method in (self.client.get, self.client.post):
                    with self.subTest(user=user.username, name=name, method=method.__name__):
                        status = method(url).status_code
                        self.assertIn(status, (403, 404, 405))
        chart = reverse("survey_result_chart", args=[HUGE, "tlu", "svg"])
        self.assertEqual(self.client.get(chart).status_code, 404)

    def test_odd_query_values_on_the_results_never_break_them(self):
        self.client.force_login(self.dave)
        urls = [
            reverse("survey_results", args=[self.survey.pk]),
            reverse("survey_results_xlsx", args=[self.survey.pk]),
            reverse("survey_result_chart", args=[self.survey.pk, "tlu", "svg"]),
            reverse("survey_results", args=[self.workers.pk]),
        ]
        for url in urls:
            for name in ("don-vi", "cap", "trang", "cau-hoi"):
                for value in [*ODD, str(HUGE), ["1", "2"]]:
                    with self.subTest(url=url, name=name, value=str(value)[:20]):
                        status = self.client.get(url, {name: value}).status_code
                        self.assertIn(status, (200, 400, 404))

    def test_odd_values_posted_to_the_answer_are_refused_and_write_nothing(self):
        self.client.force_login(self.gina)
        before = self.written()
        for name in ("q-doan-vien", "q-tlu", "q-tlu-nam", "q-hai-long"):
            for value in BAD:
                with self.subTest(name=name, value=str(value)[:20]):
                    response = self.post_answer(**{name: value})
                    self.assertEqual(response.status_code, 400)
                    self.assertEqual(self.written(), before)

    def test_odd_values_that_are_read_never_break_the_answer(self):
        self.client.force_login(self.gina)
        for name in ("q-doan-vien", "q-tlu", "q-tlu-nam", "q-hai-long", "q-hoat-dong"):
            for value in [*ODD, ["1", "2"]]:
                with self.subTest(name=name, value=str(value)[:20]):
                    revision = str(Response.objects.filter(is_worker=False).count())
                    response = self.post_answer(revision=revision, **{name: value})
                    self.assertIn(response.status_code, (302, 400))
                    self.assertLessEqual(Response.objects.count(), 1)

    def test_missing_fields_and_an_odd_revision_are_refused_plainly(self):
        self.client.force_login(self.gina)
        before = self.written()
        response = self.client.post(self.answer, {"revision": "0"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, _("an answer is required"), status_code=400)
        for revision in [*ODD, ["0", "x"], None]:
            with self.subTest(revision=str(revision)[:20]):
                self.assertEqual(self.post_answer(revision=revision).status_code, 400)
        self.assertEqual(self.written(), before)

    def test_odd_values_posted_on_paper_and_anonymous_write_nothing(self):
        self.client.force_login(self.gina)
        paper = reverse("survey_paper", args=[self.workers.pk, self.grassroots_a1.pk])
        anonymous = reverse("survey_anonymous", args=[self.tokens[0].secret])
        before = self.written()
        for value in BAD:
            with self.subTest(value=value[:20]):
                data = {**WORKER_POST, "q-hai-long": value}
                self.assertEqual(self.client.post(paper, data).status_code, 400)
                self.assertEqual(self.client.post(anonymous, data).status_code, 400)
        self.assertEqual(self.written(), before)
        self.assertFalse(Token.objects.get(pk=self.tokens[0].pk).is_spent)

    def test_odd_secrets_in_the_anonymous_link_are_not_found(self):
        for secret in ["a", "x" * 64, "x" * 65, "x" * 5000, "٣٣٣", "%00", "..", "' OR 1=1"]:
            with self.subTest(secret=secret[:20]):
                url = reverse("survey_anonymous", args=[secret])
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, WORKER_POST).status_code, 404)
        self.assertEqual(Response.objects.count(), 0)

    def test_odd_values_posted_to_the_quote_never_break_it(self):
        self.client.force_login(self.dave)
        url = reverse("survey_result_quote", args=[self.survey.pk])
        for value in [*ODD, ["tlu", "tlu"]]:
            for name in ("cau-hoi", "muc", "don-vi", "cap"):
                with self.subTest(name=name, value=str(value)[:20]):
                    data = {"cau-hoi": "tlu", name: value}
                    self.assertLess(self.client.post(url, data).status_code, 500)


class HostileTextTests(HostileTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for survey in (cls.survey, cls.workers):
            Survey.objects.filter(pk=survey.pk).update(title=SCRIPT, introduction=SCRIPT)
            Section.objects.filter(survey=survey).update(heading=SCRIPT)
            survey.questions.filter(code="hai-long").update(label=SCRIPT, help_text=SCRIPT)
            Choice.objects.filter(question__survey=survey, code="co").update(label=SCRIPT)

    def assertEscaped(self, response):
        self.assertNotContains(response, SCRIPT, status_code=response.status_code)
        self.assertContains(response, ESCAPED, status_code=response.status_code)

    def test_script_in_titles_labels_choices_and_headings_is_shown_escaped(self):
        self.client.force_login(self.gina)
        self.assertEscaped(self.client.get(self.answer))
        paper = reverse("survey_paper", args=[self.workers.pk, self.grassroots_a1.pk])
        self.assertEscaped(self.client.get(paper))
        self.client.logout()
        self.assertEscaped(
            self.client.get(reverse("survey_anonymous", args=[self.tokens[0].secret]))
        )
        self.client.force_login(self.dave)
        self.assertEscaped(self.client.get(reverse("survey_detail", args=[self.survey.pk])))

    def test_script_in_labels_is_escaped_in_the_charts(self):
        give(self.respondent, doan_vien=1, tlu=["co"], hai_long=4)
        self.client.force_login(self.dave)
        for code in ("tlu", "hai-long"):
            url = reverse("survey_result_chart", args=[self.survey.pk, code, "svg"])
            chart = self.client.get(url)
            with self.subTest(code=code):
                self.assertEqual(chart.status_code, 200)
                self.assertNotIn(b"<script", chart.content)

    def test_script_in_a_unit_name_is_escaped_on_every_page(self):
        from soket.orgs.models import Unit

        Unit.objects.filter(pk=self.grassroots_a1.pk).update(name=SCRIPT)
        give(self.respondent, doan_vien=1, tlu=["co"], kien_nghi="x")
        self.client.force_login(self.gina)
        self.assertEscaped(self.client.get(self.answer))
        self.client.force_login(self.dave)
        for url in (
            reverse("survey_progress", args=[self.survey.pk]),
            reverse("survey_respondents", args=[self.survey.pk]),
            reverse("survey_results", args=[self.survey.pk]),
            reverse("survey_tokens", args=[self.workers.pk, self.grassroots_a1.pk]),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertLess(response.status_code, 500)
                self.assertNotContains(response, SCRIPT, status_code=response.status_code)

    def test_a_refused_answer_gives_back_the_script_typed_escaped(self):
        self.client.force_login(self.gina)
        response = self.post_answer(**{"q-kien-nghi": SCRIPT, "q-doan-vien": SCRIPT})
        self.assertEqual(response.status_code, 400)
        self.assertNotContains(response, SCRIPT, status_code=400)

    def test_script_and_formulas_in_answers_are_escaped_in_results_and_text_in_the_export(self):
        formulas = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", SCRIPT]
        for respondent, text in zip([self.respondent, self.other], formulas, strict=False):
            give(respondent, doan_vien=1, tlu=["co"], kien_nghi=text)
        for index, text in enumerate(formulas):
            unit = self.more_a1[index]
            give(Respondent.objects.create(survey=self.survey, unit=unit), kien_nghi=text)
        self.client.force_login(self.dave)
        page = self.client.get(reverse("survey_results", args=[self.survey.pk]))
        self.assertEscaped(page)
        export = self.client.get(reverse("survey_results_xlsx", args=[self.survey.pk]))
        self.assertEqual(export.status_code, 200)
        book = openpyxl.load_workbook(io.BytesIO(export.content))
        cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
        for text in formulas:
            found = [cell for cell in cells if cell.value == text]
            with self.subTest(text=text):
                self.assertTrue(found)
                self.assertTrue(all(cell.data_type == "s" for cell in found))
        self.assertFalse([cell for cell in cells if cell.data_type == "f"])


class SkipLogicTamperingTests(HostileTestCase):
    def refused(self, **changes):
        self.client.force_login(self.gina)
        before = self.written()
        response = self.post_answer(**changes)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.written(), before)
        return response

    def test_an_answer_to_a_hidden_question_is_not_kept(self):
        self.client.force_login(self.gina)
        response = self.post_answer(**{"q-tlu": "khong", "q-tlu-nam": "01/01/2016"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Answer.objects.filter(question=self.asked("tlu-nam")).exists())
        # a hidden question's hostile value does not even get read
        response = self.post_answer(revision="1", **{"q-tlu": "khong", "q-tlu-nam": "x"})
        self.assertEqual(response.status_code, 302)

    def test_a_choice_code_that_does_not_exist_is_refused(self):
        self.refused(**{"q-tlu": "maybe"})
        self.refused(**{"q-hoat-dong": ["hoi-nghi", "maybe"]})
        other = Choice.objects.filter(question__survey=self.workers, code="co").get()
        self.refused(**{"q-tlu": str(other.pk)})

    def test_two_values_for_a_single_choice_are_refused_or_one_kept(self):
        # The form keeps the last value posted for a radio; the check refuses a list.
        questionnaire = Questionnaire.of(self.survey)
        values = {"doan-vien": "1", "tlu": ["co", "khong"]}
        _cleaned, problems = check_values(questionnaire, values)
        self.assertIn(_("choose only one answer"), " ".join(map(str, problems)))
        self.client.force_login(self.gina)
        self.assertEqual(self.post_answer(**{"q-tlu": ["co", "khong"]}).status_code, 302)
        self.assertEqual(Answer.objects.get(question=self.asked("tlu")).chosen.count(), 1)

    def test_a_scale_outside_one_to_five_is_refused(self):
        for value in ("0", "6", "3.5", "3,5", "-1", "٣"):
            with self.subTest(value=value):
                response = self.refused(**{"q-hai-long": value})
                self.assertContains(
                    response, _("choose a whole number from 1 to 5"), status_code=400
                )

    def test_an_impossible_date_is_refused(self):
        for value in ("31/02/2016", "00/01/2016", "01/13/2016", "29/02/2015", "01/01/99999"):
            with self.subTest(value=value):
                self.refused(**{"q-tlu-nam": value})

    def test_numbers_below_the_minimum_huge_or_not_numbers_are_refused(self):
        for value in ("-1", "1e308", "NaN", "nan", "Infinity", "-Infinity", "1" * 400, "1.00001"):
            with self.subTest(value=value):
                self.refused(**{"q-doan-vien": value})

    def test_a_number_beyond_the_maximum_is_refused(self):
        self.survey.questions.filter(code="doan-vien").update(maximum=Decimal(500))
        response = self.refused(**{"q-doan-vien": "501"})
        self.assertContains(
            response, _("the answer cannot be more than %s") % "500", status_code=400
        )


class StaleAndSpentTests(HostileTestCase):
    def test_the_same_revision_posted_twice_is_refused_the_second_time(self):
        self.client.force_login(self.gina)
        self.assertEqual(self.post_answer().status_code, 302)
        again = self.post_answer(**{"q-doan-vien": "999"})
        self.assertEqual(again.status_code, 400)
        self.assertContains(again, "999", status_code=400)  # what was typed is kept
        kept = Answer.objects.get(question=self.asked("doan-vien"))
        self.assertEqual(kept.number, 120)
        self.assertEqual(Response.objects.get().revision, 1)

    def test_a_closed_survey_takes_no_answer_from_any_door(self):
        Survey.objects.filter(pk__in=[self.survey.pk, self.workers.pk]).update(
            state=Survey.State.CLOSED
        )
        self.client.force_login(self.gina)
        before = self.written()
        self.assertEqual(self.post_answer().status_code, 400)
        paper = reverse("survey_paper", args=[self.workers.pk, self.grassroots_a1.pk])
        self.assertEqual(self.client.post(paper, WORKER_POST).status_code, 400)
        self.client.logout()
        url = reverse("survey_anonymous", args=[self.tokens[0].secret])
        self.assertEqual(self.client.post(url, WORKER_POST).status_code, 410)
        self.assertEqual(self.written(), before)

    def test_a_draft_survey_is_not_found_by_the_one_who_would_answer(self):
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.DRAFT)
        self.client.force_login(self.gina)
        self.assertEqual(self.post_answer().status_code, 404)
        self.assertEqual(Response.objects.count(), 0)

    def test_a_unit_not_asked_and_another_units_page_are_refused(self):
        self.client.force_login(self.gina)
        not_asked = reverse("survey_answer", args=[self.survey.pk, self.more_a1[0].pk])
        self.assertEqual(self.client.post(not_asked, POST).status_code, 404)
        other = reverse("survey_answer", args=[self.survey.pk, self.grassroots_a2.pk])
        self.assertIn(self.client.post(other, POST).status_code, (403, 404))
        self.assertIn(self.client.get(other).status_code, (403, 404))
        upload = reverse("survey_answer_upload", args=[self.survey.pk, self.grassroots_a2.pk])
        self.assertIn(self.client.post(upload).status_code, (403, 404))
        tokens = reverse("survey_tokens", args=[self.workers.pk, self.more_a1[0].pk])
        self.assertIn(self.client.get(tokens).status_code, (403, 404))
        self.assertEqual(Response.objects.count(), 0)

    def test_a_refused_link_says_nothing_of_its_unit_and_starts_no_session(self):
        url = reverse("survey_anonymous", args=[self.tokens[0].secret])
        first = self.client.get(url)
        self.assertEqual(first.status_code, 200)
        self.assertNotIn(settings.SESSION_COOKIE_NAME, first.cookies)
        self.client.post(url, WORKER_POST)
        spent = self.client.get(url)
        self.assertEqual(spent.status_code, 410)
        self.assertNotContains(spent, self.grassroots_a1.name, status_code=410)
        self.assertNotContains(spent, self.workers.title, status_code=410)
        self.assertNotIn(settings.SESSION_COOKIE_NAME, spent.cookies)
        self.assertIn("no-store", spent.get("Cache-Control", ""))

    def test_a_head_request_does_not_spend_a_link(self):
        url = reverse("survey_anonymous", args=[self.tokens[1].secret])
        self.assertEqual(self.client.head(url).status_code, 200)
        self.assertFalse(Token.objects.get(pk=self.tokens[1].pk).is_spent)
        self.assertEqual(self.client.put(url, WORKER_POST).status_code, 405)

    # Found by this file: the view once refused an unknown or spent link before the
    # throttle counted it, so someone trying links was never stopped (fixed since).
    def test_someone_trying_links_is_stopped_even_behind_a_forged_forwarded_address(self):
        from soket.surveys import answers

        for n in range(answers.THROTTLE_LIMIT + 1):
            made_up = reverse("survey_anonymous", args=[secrets.token_urlsafe()])
            response = self.client.post(made_up, WORKER_POST, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
            self.assertEqual(response.status_code, 404)
        url = reverse("survey_anonymous", args=[self.tokens[2].secret])
        response = self.client.post(url, WORKER_POST, HTTP_X_FORWARDED_FOR="10.9.9.9")
        self.assertEqual(response.status_code, 429)
        self.assertFalse(Token.objects.get(pk=self.tokens[2].pk).is_spent)
        self.assertEqual(Response.objects.count(), 0)

    def test_a_viewer_of_the_unit_or_above_sees_no_questionnaire_links(self):
        from soket.orgs.models import Role
        from soket.testing import make_user

        viewer = make_user("vic", self.grassroots_a1, Role.Kind.VIEWER)
        url = reverse("survey_tokens", args=[self.workers.pk, self.grassroots_a1.pk])
        for user in (viewer, self.carol, self.erin):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                response = self.client.get(url)
                self.assertIn(response.status_code, (403, 404))
                self.assertNotContains(
                    response, self.tokens[0].secret, status_code=response.status_code
                )

    def test_a_text_answer_longer_than_the_limit_is_refused(self):
        from soket.surveys.answers import TEXT_LIMIT

        self.client.force_login(self.gina)
        response = self.post_answer(**{"q-kien-nghi": "ư" * (TEXT_LIMIT + 1)})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Response.objects.count(), 0)

    def test_a_spent_link_is_refused_the_second_time(self):
        url = reverse("survey_anonymous", args=[self.tokens[0].secret])
        self.assertEqual(self.client.post(url, WORKER_POST).status_code, 302)
        self.assertEqual(self.client.post(url, WORKER_POST).status_code, 410)
        self.assertEqual(self.client.get(url).status_code, 410)
        self.assertEqual(Response.objects.count(), 1)

    def test_a_made_up_link_of_the_right_length_and_a_unit_surveys_link_are_not_found(self):
        made_up = secrets.token_urlsafe()
        self.assertEqual(len(made_up), len(self.tokens[0].secret))
        url = reverse("survey_anonymous", args=[made_up])
        self.assertEqual(self.client.post(url, WORKER_POST).status_code, 404)
        unit_token = Token.objects.create(respondent=self.respondent, number=1, secret="u" * 43)
        url = reverse("survey_anonymous", args=[unit_token.secret])
        self.assertEqual(self.client.post(url, POST).status_code, 404)
        self.assertEqual(Response.objects.count(), 0)


class UploadTests(HostileTestCase):
    def upload(self, data: bytes, name: str = "phieu.xlsx", respondent=None):
        respondent = respondent or self.respondent
        url = reverse("survey_answer_upload", args=[respondent.survey_id, respondent.unit_id])
        file = SimpleUploadedFile(name, data, content_type=XLSX_TYPE)
        return self.client.post(url, {"file": file}, follow=True)

    def refused(self, data: bytes, name: str = "phieu.xlsx", respondent=None):
        self.client.force_login(self.gina)
        before = self.written()
        response = self.upload(data, name, respondent)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(list(response.context["messages"]))
        self.assertEqual(self.written(), before)
        return response

    def filled(self, respondent, *, text: bool = False, **answers) -> bytes:
        book = openpyxl.load_workbook(io.BytesIO(spreadsheet.form_xlsx(respondent)))
        sheet = book[spreadsheet.FORM]
        answers = {"tlu": "khong", **answers}
        for row in sheet.iter_rows(min_row=2):
            code = row[0].value
            if code in answers:
                row[3].value = str(answers[code]) if text else answers[code]
                if text:
                    row[3].data_type = "s"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def test_a_good_form_is_saved(self):
        self.client.force_login(self.gina)
        data = self.filled(self.respondent, **{"doan-vien": 5, "tlu": "khong"})
        self.upload(data)
        self.assertEqual(Response.objects.count(), 1)

    def test_a_text_file_renamed_xlsx_an_empty_file_and_another_extension_are_refused(self):
        self.refused(b"doan-vien,tlu\n5,co\n")
        self.refused(b"")
        self.refused(self.filled(self.respondent, **{"doan-vien": 5, "tlu": "co"}), "phieu.csv")
        self.refused(b"PK\x03\x04" + b"\x00" * 100)

    def test_a_zip_bomb_and_an_oversized_file_are_refused(self):
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as packed:
            packed.writestr("[Content_Types].xml", b"<a/>")
            packed.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
        self.refused(bomb.getvalue())
        self.refused(b"\x00" * (settings.SOKET_MAX_UPLOAD_BYTES + 10))

    def test_the_form_of_another_unit_or_survey_is_refused(self):
        self.refused(self.filled(self.other, **{"doan-vien": 5, "tlu": "khong"}))
        self.refused(self.filled(self.w_a1, **{"doan-vien": 5, "tlu": "khong"}))

    def test_a_formula_in_an_answer_cell_is_never_stored_as_its_result(self):
        data = self.filled(
            self.respondent, **{"doan-vien": "=1+1", "tlu": "khong", "kien-nghi": "=2+2"}
        )
        refused = self.refused(data)
        shown = " ".join(str(message) for message in refused.context["messages"])
        self.assertIn(_("Nothing was saved: correct the file and upload it again."), shown)
        data = self.filled(self.respondent, **{"doan-vien": 3, "tlu": "khong", "kien-nghi": "=2+2"})
        self.refused(data)  # a formula in a text cell is refused too, not evaluated
        # "=2+2" typed as text (Excel's ' prefix) is kept as the text it is.
        data = self.filled(self.respondent, text=True, **{"doan-vien": 3, "kien-nghi": "=2+2"})
        self.upload(data)
        self.assertEqual(Answer.objects.get(question=self.asked("kien-nghi")).text, "=2+2")

    def test_an_old_form_after_a_web_answer_and_a_form_on_a_closed_survey_are_refused(self):
        old = self.filled(self.respondent, **{"doan-vien": 7})
        self.client.force_login(self.gina)
        self.assertEqual(self.post_answer().status_code, 302)
        self.refused(old)
        self.assertEqual(Answer.objects.get(question=self.asked("doan-vien")).number, 120)
        fresh = self.filled(self.respondent, **{"doan-vien": 8})
        Survey.objects.filter(pk=self.survey.pk).update(state=Survey.State.CLOSED)
        self.refused(fresh)
        self.assertEqual(Answer.objects.get(question=self.asked("doan-vien")).number, 120)

    def test_a_form_without_its_hidden_sheet_or_with_a_forged_one_is_refused(self):
        book = openpyxl.load_workbook(io.BytesIO(self.filled(self.respondent, **{"doan-vien": 7})))
        meta = book[spreadsheet.META]
        meta["B1"] = "x"  # harmless extra cell
        meta["A6"] = 10**30  # a revision no answer has
        out = io.BytesIO()
        book.save(out)
        self.refused(out.getvalue())
        del book[spreadsheet.META]
        out = io.BytesIO()
        book.save(out)
        self.refused(out.getvalue())

    def test_a_workers_form_with_a_formula_or_a_bad_row_saves_no_questionnaire(self):
        book = openpyxl.load_workbook(io.BytesIO(spreadsheet.form_xlsx(self.w_a1)))
        sheet = book[spreadsheet.FORM]
        heads = [cell.value for cell in sheet[1]]
        column = {code: heads.index(code) + 1 for code in ("doan-vien", "tlu") if code in heads}
        self.assertEqual(len(column), 2, heads)
        for row in (2, 3):
            sheet.cell(row=row, column=column["doan-vien"], value="1").data_type = "s"
            sheet.cell(row=row, column=column["tlu"], value="khong").data_type = "s"
        sheet.cell(row=4, column=column["doan-vien"], value="=1+1")
        sheet.cell(row=4, column=column["tlu"], value="khong").data_type = "s"
        out = io.BytesIO()
        book.save(out)
        self.refused(out.getvalue(), respondent=self.w_a1)

    def test_an_upload_with_no_file_or_a_list_of_files_is_refused(self):
        self.client.force_login(self.gina)
        url = reverse("survey_answer_upload", args=[self.survey.pk, self.grassroots_a1.pk])
        self.assertEqual(self.client.post(url, {"file": "abc"}).status_code, 302)
        data = self.filled(self.respondent, **{"doan-vien": 5, "tlu": "khong"})
        files = [SimpleUploadedFile(f"{n}.xlsx", data) for n in range(2)]
        self.assertLess(self.client.post(url, {"file": files}).status_code, 500)
        self.assertLessEqual(Response.objects.count(), 1)


class PrivacyTests(HostileTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for n in range(3):
            give(
                cls.w_a1, worker=True, doan_vien=n, tlu=["co"], hai_long=4, kien_nghi=f"BÍ MẬT {n}"
            )
        give(cls.respondent, doan_vien=10, tlu=["co"])
        give(cls.other, doan_vien=20, tlu=["khong"], kien_nghi="Của A2")

    def test_a_grassroots_person_reads_no_other_units_results(self):
        self.client.force_login(self.gina)
        url = reverse("survey_results", args=[self.survey.pk])
        for unit in (self.grassroots_a2, self.district_a1, self.province_a, self.grassroots_b1):
            with self.subTest(unit=unit.code):
                self.assertEqual(self.client.get(url, {"don-vi": unit.pk}).status_code, 404)
                export = reverse("survey_results_xlsx", args=[self.survey.pk])
                self.assertEqual(self.client.get(export, {"don-vi": unit.pk}).status_code, 404)
        self.assertNotContains(self.client.get(url), "Của A2")

    def assertNothingOfTheWorkers(self, params):
        url = reverse("survey_results", args=[self.workers.pk])
        page = self.client.get(url, params)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "BÍ MẬT")
        for code in ("tlu", "hai-long"):
            chart = reverse("survey_result_chart", args=[self.workers.pk, code, "svg"])
            self.assertEqual(self.client.get(chart, params).status_code, 404)
        export = self.client.get(reverse("survey_results_xlsx", args=[self.workers.pk]), params)
        book = openpyxl.load_workbook(io.BytesIO(export.content))
        values = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
        self.assertFalse([v for v in values if isinstance(v, str) and "BÍ MẬT" in v])
        self.assertNotIn("100 %", " ".join(str(v) for v in values))  # tlu: all "co"

    def test_a_reader_narrowing_to_one_units_three_workers_sees_nothing_of_them(self):
        self.client.force_login(self.dave)
        self.assertNothingOfTheWorkers({"don-vi": self.grassroots_a1.pk})

    def test_the_unit_itself_sees_nothing_of_its_three_workers(self):
        self.client.force_login(self.gina)
        self.assertNothingOfTheWorkers({})

    # Found by this file: results() once judged "one unit's workers" by the units asked,
    # not those that answered, and showed these three workers to a reader (fixed since).
    def test_a_reader_narrowing_to_a_district_where_only_one_units_workers_answered(self):
        self.client.force_login(self.dave)
        self.assertNothingOfTheWorkers({"don-vi": self.district_a1.pk})

    def test_a_reader_of_the_whole_survey_where_only_one_units_workers_answered(self):
        self.client.force_login(self.dave)
        self.assertNothingOfTheWorkers({})

    def test_an_anonymous_answer_carries_nothing_of_the_person(self):
        url = reverse("survey_anonymous", args=[self.tokens[0].secret])
        address = "198.51.100.23"
        before = set(Response.objects.values_list("pk", flat=True))
        response = self.client.post(url, WORKER_POST, REMOTE_ADDR=address)
        self.assertEqual(response.status_code, 302)
        self.assertNotIn(self.tokens[0].secret, response["Location"])
        saved = Response.objects.exclude(pk__in=before).get()
        self.assertIsNone(saved.entered_by)
        self.assertEqual(saved.answered_on, NOW.date())
        for field in Response._meta.concrete_fields:
            value = getattr(saved, field.attname)
            with self.subTest(field=field.name):
                self.assertNotIn(address, str(value))
                self.assertNotIn(self.tokens[0].secret, str(value))
        self.assertFalse(Throttle.objects.filter(key__contains=address).exists())
        self.assertNotIn(settings.SESSION_COOKIE_NAME, response.cookies)


class DefinitionFuzzTests(HostileTestCase):
    """Every form of the definition and the draw, as its administrator, with every field
    filled with odd values: a refusal or a save, never a 500."""

    draft: Survey

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.draft = make_survey(cls, title="Nháp")

    def pages(self) -> list[str]:
        section = self.draft.sections.order_by("pk")[0]
        question = self.draft.questions.get(code="tlu")
        return [
            reverse("survey_edit", args=[self.draft.pk]),
            reverse("survey_section_add", args=[self.draft.pk]),
            reverse("survey_section_edit", args=[section.pk]),
            reverse("survey_question_add", args=[self.draft.pk]),
            reverse("survey_question_edit", args=[question.pk]),
            reverse("survey_respondents", args=[self.draft.pk]),
        ]

    def names(self) -> list[str]:
        """Every field name of the survey's definition pages (some forms post elsewhere)."""
        found: set[str] = set()
        for url in [*self.pages(), reverse("survey_detail", args=[self.draft.pk])]:
            page = self.client.get(url)
            if page.status_code == 200:
                found |= set(FIELD.findall(page.content.decode()))
        return sorted(found - {"csrfmiddlewaretoken", "language", "next"})

    def test_odd_values_in_every_definition_form_never_break_it(self):
        self.client.force_login(self.dave)
        names = self.names()
        self.assertIn("revision", names)
        for url in self.pages():
            for value in [*ODD, SCRIPT, ["1", "abc"], "\x00" * 10]:
                with self.subTest(url=url, value=str(value)[:20]):
                    data = dict.fromkeys(names, value)
                    self.assertLess(self.client.post(url, data).status_code, 500)
            for name in names:
                for value in ("abc", "9" * 30, "-1"):
                    with self.subTest(url=url, name=name, value=value[:20]):
                        self.assertLess(self.client.post(url, {name: value}).status_code, 500)

    def test_odd_values_in_the_new_survey_form_never_break_it(self):
        self.client.force_login(self.dave)
        url = reverse("survey_create", args=[self.campaign.pk])
        page = self.client.get(reverse("survey_list", args=[self.campaign.pk]))
        names = sorted(set(FIELD.findall(page.content.decode())) - {"csrfmiddlewaretoken"})
        names = sorted({*names, "title", "owner", "respondents", "due_on", "revision"})
        for value in [*ODD, SCRIPT, ["1", "abc"]]:
            with self.subTest(value=str(value)[:20]):
                data = dict.fromkeys(names, value)
                self.assertLess(self.client.post(url, data).status_code, 500)

    def test_odd_values_on_the_draw_open_close_and_delete_never_break_them(self):
        self.client.force_login(self.dave)
        urls = [
            reverse("survey_draw", args=[self.draft.pk]),
            reverse("survey_open", args=[self.draft.pk]),
            reverse("survey_close", args=[self.survey.pk]),
            reverse("survey_question_delete", args=[self.draft.questions.get(code="tlu").pk]),
        ]
        for url in urls:
            for value in [*ODD, ["1", "x"]]:
                with self.subTest(url=url, value=str(value)[:20]):
                    data = {
                        name: value
                        for name in ("revision", "selection", "kinds", "size", "seed",
                                     "questionnaires_per_unit")
                    }  # fmt: skip
                    self.assertLess(self.client.post(url, data).status_code, 500)
        self.assertEqual(Token.objects.filter(respondent__survey=self.draft).count(), 0)

    def question_data(self, **changes) -> dict:
        data = dict.fromkeys(self.names(), "")
        data.pop("shown_if", None)
        data.update({"revision": str(Survey.objects.get(pk=self.draft.pk).revision)})
        data.update({"label": "Câu lạ", "kind": "number", **changes})
        return data

    def test_a_rule_on_a_question_of_another_survey_is_refused(self):
        self.client.force_login(self.dave)
        url = reverse("survey_question_add", args=[self.draft.pk])
        foreign = self.survey.questions.get(code="tlu")
        mine = self.draft.questions.get(code="tlu")
        before = self.draft.questions.count()
        for rule in (f"{foreign.pk}:co", f"{mine.pk}:nope", f"{mine.pk}", "abc:co", f"{HUGE}:co"):
            with self.subTest(rule=rule):
                response = self.client.post(url, self.question_data(shown_if=rule))
                self.assertEqual(response.status_code, 400)
        self.assertEqual(self.draft.questions.count(), before)
        # the good rule is taken, to show the form above posts what the page would
        response = self.client.post(url, self.question_data(shown_if=f"{mine.pk}:co"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.draft.questions.count(), before + 1)

    def test_a_minimum_above_the_maximum_is_refused(self):
        self.client.force_login(self.dave)
        url = reverse("survey_question_add", args=[self.draft.pk])
        before = self.draft.questions.count()
        for minimum, maximum in (("10", "1"), ("NaN", ""), ("Infinity", ""), ("1e308", "")):
            with self.subTest(minimum=minimum):
                data = self.question_data(minimum=minimum, maximum=maximum)
                self.assertEqual(self.client.post(url, data).status_code, 400)
        self.assertEqual(self.draft.questions.count(), before)

    def test_an_open_survey_cannot_be_redefined_under_its_answers(self):
        give(self.respondent, doan_vien=1, tlu=["co"])
        self.client.force_login(self.dave)
        question = self.survey.questions.get(code="tlu")
        edit = reverse("survey_question_edit", args=[question.pk])
        self.assertIn(self.client.post(edit, {"label": "Đổi", "kind": "text"}).status_code,
                      (400, 403, 404, 409))  # fmt: skip
        delete = reverse("survey_question_delete", args=[question.pk])
        self.assertIn(self.client.post(delete, {"revision": "0"}).status_code,
                      (400, 403, 404, 409))  # fmt: skip
        question.refresh_from_db()
        self.assertEqual(question.kind, "single")
        self.assertEqual(Answer.objects.filter(question=question).count(), 1)
        draw = reverse("survey_draw", args=[self.survey.pk])
        data = {"selection": "all", "kinds": str(self.kinds["grassroots"].pk), "revision": "0"}
        self.assertLess(self.client.post(draw, data).status_code, 500)
        self.assertTrue(Respondent.objects.filter(pk=self.respondent.pk).exists())
