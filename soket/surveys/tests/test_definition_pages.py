"""The survey pages of the definition: a survey written through the browser's requests,
what each person sees and may do, refusals that keep what was typed, and every view's
methods and hostile input."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from soket.surveys import definition
from soket.surveys.models import Question, Respondent, Section, Survey
from soket.testing import make_operators

from .making import SurveyTestCase


class DefinitionPagesTestCase(SurveyTestCase):
    def setUp(self):
        self.enterContext(translation.override(settings.LANGUAGE_CODE))
        self.detail = reverse("survey_detail", args=[self.survey.pk])

    def fresh(self) -> Survey:
        return Survey.objects.get(pk=self.survey.pk)

    def open_survey(self) -> None:
        Respondent.objects.create(survey=self.survey, unit=self.grassroots_a1)
        definition.survey_open(survey=self.survey, by=self.dave)

    def test_a_survey_written_through_the_pages(self):
        self.client.force_login(self.dave)
        campaign_surveys = reverse("survey_list", args=[self.campaign.pk])
        page = self.client.get(campaign_surveys)
        self.assertContains(page, "Khảo sát tình hình hoạt động công đoàn")
        self.assertContains(page, reverse("survey_create", args=[self.campaign.pk]))
        response = self.client.post(
            reverse("survey_create", args=[self.campaign.pk]),
            {"owner": self.province_a.pk, "title": "Đời sống công nhân", "respondents": "people",
             "due_on": "29/02/2016"},
        )  # fmt: skip
        survey = Survey.objects.get(title="Đời sống công nhân")
        detail = reverse("survey_detail", args=[survey.pk])
        self.assertRedirects(response, detail)
        response = self.client.post(
            reverse("survey_section_add", args=[survey.pk]),
            {"heading": "Việc làm", "revision": "0"},
        )
        self.assertRedirects(response, detail)
        section = Section.objects.get(survey=survey)
        response = self.client.post(
            reverse("survey_question_add", args=[survey.pk]),
            {"label": "Anh/chị có hợp đồng lao động?", "kind": "single", "required": "on",
             "choices": "co | Có | Yes\nkhong | Không | No", "section": section.pk,
             "revision": "1"},
        )  # fmt: skip
        self.assertRedirects(response, detail)
        contract = Question.objects.get(survey=survey)
        form = self.client.get(reverse("survey_question_add", args=[survey.pk]))
        self.assertContains(form, f'value="{contract.pk}:co"')
        response = self.client.post(
            reverse("survey_question_add", args=[survey.pk]),
            {"label": "Thời hạn hợp đồng (tháng)", "kind": "number", "minimum": "0",
             "shown_if": [f"{contract.pk}:co"], "revision": "2", "another": "1"},
        )  # fmt: skip
        self.assertRedirects(response, reverse("survey_question_add", args=[survey.pk]))
        page = self.client.get(detail)
        self.assertContains(page, "Việc làm")
        self.assertContains(page, "Anh/chị có hợp đồng lao động?")
        rule = _(
            "Asked only when the answer to question %(number)d (“%(question)s”) is %(answers)s."
        ) % {"number": 1, "question": "Anh/chị có hợp đồng lao động?", "answers": "“Có”"}
        self.assertContains(page, rule)
        # Not ready to open: the page says why and offers no button.
        self.assertContains(
            page, _("Nobody is chosen to answer yet: choose the units that answer.")
        )
        self.assertNotContains(page, reverse("survey_open", args=[survey.pk]))
        edit = reverse("survey_question_edit", args=[contract.pk])
        self.assertContains(self.client.get(edit), "co | Có | Yes")

    def test_what_each_person_sees_and_may_do(self):
        # Being prepared: its unit's administrators only.
        for person in (self.carol, self.gina, self.alice, self.erin):
            self.client.force_login(person)
            with self.subTest(person=person.username):
                self.assertEqual(self.client.get(self.detail).status_code, 404)
        self.client.force_login(self.carol)
        listing = self.client.get(reverse("survey_list", args=[self.campaign.pk]))
        self.assertNotContains(listing, self.survey.title)
        self.assertNotContains(listing, reverse("survey_create", args=[self.campaign.pk]))
        self.open_survey()
        # Open: seen in its line, changed by nobody but its administrators.
        for person in (self.carol, self.gina, self.alice):
            self.client.force_login(person)
            with self.subTest(person=person.username):
                page = self.client.get(self.detail)
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, reverse("survey_close", args=[self.survey.pk]))
                for name, arg in (
                    ("survey_edit", self.survey.pk),
                    ("survey_question_add", self.survey.pk),
                    ("survey_question_edit", self.q_members.pk),
                    ("survey_section_edit", self.q_members.section_id),
                ):
                    url = reverse(name, args=[arg])
                    self.assertEqual(self.client.get(url).status_code, 403)
                for name, arg in (
                    ("survey_close", self.survey.pk),
                    ("survey_open", self.survey.pk),
                    ("survey_section_add", self.survey.pk),
                    ("survey_question_delete", self.q_remarks.pk),
                    ("survey_question_edit", self.q_remarks.pk),
                    ("survey_create", self.campaign.pk),
                ):
                    url = reverse(name, args=[arg])
                    response = self.client.post(url, {"revision": "1", "title": "X"})
                    self.assertEqual(response.status_code, 403)
        # gina answers for her unit: the page links her there.
        self.client.force_login(self.gina)
        page = self.client.get(self.detail)
        self.assertContains(
            page, reverse("survey_answer", args=[self.survey.pk, self.grassroots_a1.pk])
        )
        self.client.force_login(self.erin)  # another province
        self.assertEqual(self.client.get(self.detail).status_code, 404)
        url = reverse("survey_list", args=[self.campaign.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.fresh().state, Survey.State.OPEN)
        self.assertEqual(self.survey.questions.count(), 6)

    def test_the_administrator_opens_and_closes_it(self):
        Respondent.objects.create(survey=self.survey, unit=self.grassroots_a1)
        self.client.force_login(self.dave)
        page = self.client.get(self.detail)
        self.assertContains(page, reverse("survey_open", args=[self.survey.pk]))
        response = self.client.post(
            reverse("survey_open", args=[self.survey.pk]), {"revision": "0"}
        )
        self.assertRedirects(response, self.detail)
        self.assertEqual(self.fresh().state, Survey.State.OPEN)
        # Its questions can no longer change.
        response = self.client.post(
            reverse("survey_question_delete", args=[self.q_remarks.pk]), {"revision": "1"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertTrue(Question.objects.filter(pk=self.q_remarks.pk).exists())
        # Its due date still can; a title posted beside it is not taken.
        response = self.client.post(
            reverse("survey_edit", args=[self.survey.pk]),
            {"title": "Tên khác", "due_on": "15/03/2016", "revision": "1"},
        )
        self.assertRedirects(response, self.detail)
        survey = self.fresh()
        self.assertEqual(survey.title, "Khảo sát tình hình hoạt động công đoàn")
        self.assertEqual(survey.due_on.isoformat(), "2016-03-15")
        self.assertEqual(survey.revision, 2)
        close = reverse("survey_close", args=[self.survey.pk])
        # A page from before the due date moved: refused, and it stays open.
        response = self.client.post(close, {"revision": "1"})
        self.assertContains(response, str(definition.SurveyConflict().messages[0]), status_code=400)
        self.assertEqual(self.fresh().state, Survey.State.OPEN)
        response = self.client.post(close, {"revision": "2"})
        self.assertRedirects(response, self.detail)
        self.assertEqual(self.fresh().state, Survey.State.CLOSED)

    def test_a_stale_form_is_refused_and_keeps_what_was_typed(self):
        self.client.force_login(self.dave)
        definition.section_add(survey=self.survey, by=self.dave, revision=0, heading="Khác")
        response = self.client.post(
            reverse("survey_edit", args=[self.survey.pk]),
            {"title": "Tên mới đã gõ", "introduction": "Lời giới thiệu đã gõ", "revision": "0"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, str(definition.SurveyConflict().messages[0]), status_code=400)
        self.assertContains(response, "Tên mới đã gõ", status_code=400)
        self.assertContains(response, "Lời giới thiệu đã gõ", status_code=400)
        # The form comes back against the stored revision: saving again is deliberate.
        self.assertContains(response, 'name="revision" value="1"', status_code=400)
        self.assertEqual(self.fresh().title, "Khảo sát tình hình hoạt động công đoàn")
        response = self.client.post(
            reverse("survey_question_add", args=[self.survey.pk]),
            {"label": "Câu hỏi đã gõ", "kind": "text", "revision": "0"},
        )
        self.assertContains(response, "Câu hỏi đã gõ", status_code=400)
        self.assertEqual(self.survey.questions.count(), 6)

    def test_bad_input_is_refused_with_what_was_typed_and_never_a_server_error(self):
        self.client.force_login(self.dave)
        add = reverse("survey_question_add", args=[self.survey.pk])
        hostile = "<script>alert(1)</script>\u202e' OR 1=1;--"
        cases = [
            {"label": hostile, "kind": "single", "choices": hostile, "code": hostile},
            {"label": "Câu", "kind": "nope", "position": "abc", "section": "99999999999999999999"},
            {"label": "Câu", "kind": "text", "shown_if": ["1:x", "abc", "99999999999999999999:x"]},
            {"label": "Câu", "kind": "number", "minimum": "1e400", "maximum": "-"},
            {"label": "Câu", "kind": "single", "choices": "a | A\na | B\n | \n" + "x" * 400},
            {"label": "Câu", "kind": "text",
             "shown_if": [f"{self.q_agreement.pk}:co", f"{self.q_activities.pk}:thi-dua"]},
        ]  # fmt: skip
        for case in cases:
            with self.subTest(case=case):
                response = self.client.post(add, {**case, "revision": "0"})
                self.assertEqual(response.status_code, 400)
                self.assertNotContains(response, "<script>alert", status_code=400)
        response = self.client.post(
            add,
            {"label": "Năm ký", "kind": "text", "choices": "", "code": "Mã Sai!", "revision": "0"},
        )
        self.assertContains(response, "Năm ký", status_code=400)
        self.assertContains(response, "Mã Sai!", status_code=400)
        self.assertEqual(self.survey.questions.count(), 6)
        self.assertEqual(self.fresh().revision, 0)
        # A question another depends on: refused, and why.
        response = self.client.post(
            reverse("survey_question_delete", args=[self.q_agreement.pk]), {"revision": "0"}
        )
        self.assertContains(response, self.q_signed.code, status_code=400)
        self.assertEqual(self.survey.questions.count(), 6)
        # A survey with a garbled revision, a date that is none, an owner from elsewhere.
        response = self.client.post(
            reverse("survey_edit", args=[self.survey.pk]),
            {"title": "Tên", "due_on": "31/02/2016", "revision": "x"},
        )
        self.assertEqual(response.status_code, 400)
        operator, _reviewer = make_operators()
        self.client.force_login(operator)
        response = self.client.post(
            reverse("survey_create", args=[self.campaign.pk]),
            {"owner": self.province_b.pk, "title": "Ngoài", "respondents": "units"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Survey.objects.count(), 1)

    def test_every_view_answers_only_its_method_and_a_person_logged_in(self):
        section = self.q_members.section_id
        gets = [
            reverse("survey_list", args=[self.campaign.pk]),
            reverse("survey_detail", args=[self.survey.pk]),
        ]
        both = [
            reverse("survey_edit", args=[self.survey.pk]),
            reverse("survey_section_edit", args=[section]),
            reverse("survey_question_add", args=[self.survey.pk]),
            reverse("survey_question_edit", args=[self.q_members.pk]),
        ]
        posts = [
            reverse("survey_create", args=[self.campaign.pk]),
            reverse("survey_section_add", args=[self.survey.pk]),
            reverse("survey_question_delete", args=[self.q_remarks.pk]),
            reverse("survey_open", args=[self.survey.pk]),
            reverse("survey_close", args=[self.survey.pk]),
        ]
        for url in gets + both + posts:
            with self.subTest(url=url):
                self.client.logout()
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn("/dang-nhap/", response["Location"])
        self.client.force_login(self.dave)
        for url in gets + both:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        for url in gets:
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url).status_code, 405)
        for url in posts:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 405)
        for url in both:
            with self.subTest(url=url):
                self.assertEqual(self.client.put(url).status_code, 405)
        for url in (
            "/khao-sat/99999999/",
            "/khao-sat/dot/99999999/",
            "/khao-sat/cau-hoi/999999999999999999999/",
            "/khao-sat/phan/99999999/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_survey_page_takes_the_same_queries_whatever_its_questions(self):
        self.client.force_login(self.dave)
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.client.get(self.detail).status_code, 200)
        section = definition.section_add(
            survey=self.survey, by=self.dave, revision=0, heading="Phần hai"
        )
        for number in range(5):
            definition.question_add(
                survey=self.survey, by=self.dave, revision=self.fresh().revision,
                question=definition.QuestionInput(
                    label=f"Câu thêm {number}", kind="multiple", section=section,
                    choices=definition.parse_choices("Một\nHai\nBa"),
                    shown_if=self.q_activities, shown_if_codes=["thi-dua"],
                ),
            )  # fmt: skip
        with CaptureQueriesContext(connection) as large:
            page = self.client.get(self.detail)
        self.assertContains(page, "Câu thêm 4")
        self.assertEqual(len(large), len(small), [q["sql"] for q in large.captured_queries])
        # Hostile headings: refused or kept as text, never a server error.
        for heading in ("", "x" * 400, "<b>\u202e</b>"):
            response = self.client.post(
                reverse("survey_section_add", args=[self.survey.pk]),
                {"heading": heading, "revision": str(self.fresh().revision)},
            )
            self.assertIn(response.status_code, (302, 400))
        self.assertNotContains(self.client.get(self.detail), "<b>")
