"""Writing a survey: from a title to an open survey, the skip rules kept sound through
every change, stale forms refused, and nothing written by those who may not."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from soket.audit.models import Entry
from soket.campaigns.models import Campaign
from soket.surveys import definition
from soket.surveys.definition import ChoiceInput, QuestionInput, SurveyConflict, SurveyError
from soket.surveys.models import Choice, Question, Respondent, Survey, Token
from soket.testing import make_operators

from .making import SurveyTestCase, make_survey


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


class DefinitionTestCase(SurveyTestCase):
    def setUp(self):
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def fresh(self, survey: Survey | None = None) -> Survey:
        return Survey.objects.get(pk=(survey or self.survey).pk)

    def choose(self, survey: Survey, *units, tokens: int = 0) -> None:
        """Respondents as the draw would leave them (the draw is the sample part's)."""
        for unit in units:
            respondent = Respondent.objects.create(survey=survey, unit=unit)
            for number in range(1, tokens + 1):
                Token.objects.create(
                    respondent=respondent, number=number, secret=f"{survey.pk}-{unit.pk}-{number}"
                )

    def add(self, survey: Survey, **fields) -> Question:
        fields.setdefault("kind", "text")
        return definition.question_add(
            survey=survey, by=self.dave, revision=self.fresh(survey).revision,
            question=QuestionInput(**fields),
        )  # fmt: skip


class WritingASurveyTests(DefinitionTestCase):
    def test_an_administrator_writes_a_survey_from_its_title_to_its_opening(self):
        survey = definition.survey_create(
            campaign=self.campaign, owner=self.province_a, by=self.dave,
            title="  Khảo sát   đời sống người lao động ", respondents="people",
        )  # fmt: skip
        self.assertEqual(survey.title, "Khảo sát đời sống người lao động")
        self.assertEqual((survey.state, survey.revision), (Survey.State.DRAFT, 0))
        section = definition.section_add(
            survey=survey, by=self.dave, revision=0, heading="Việc làm", heading_en="Work"
        )
        wage = self.add(
            survey,
            label="Thu nhập hằng tháng (triệu đồng)",
            kind="number",
            minimum=Decimal(0),
            maximum=Decimal(200),
            required=True,
            section=section,
        )
        union = self.add(
            survey,
            label="Anh/chị có là đoàn viên công đoàn?",
            kind="single",
            choices=definition.parse_choices("Có\nKhông\nkhong-biet | Không biết | Don't know"),
        )
        self.assertEqual(union.code, "anh-chi-co-la-doan-vien-cong")
        self.assertEqual(
            list(union.choices.values_list("code", "label", "label_en")),
            [("co", "Có", ""), ("khong", "Không", ""), ("khong-biet", "Không biết", "Don't know")],
        )
        since = self.add(
            survey, label="Từ năm nào?", kind="number", shown_if=union, shown_if_codes=["co"]
        )
        self.assertEqual([wage.order, union.order, since.order], [1, 2, 3])
        survey = self.fresh(survey)
        self.assertEqual(survey.revision, 4)
        # Nobody chosen yet, then units without questionnaires: not opened, and why.
        with self.assertRaises(SurveyError) as refused:
            definition.survey_open(survey=survey, by=self.dave, revision=survey.revision)
        self.assertIn(
            _("Nobody is chosen to answer yet: choose the units that answer."),
            messages_of(refused.exception),
        )
        self.choose(survey, self.grassroots_a1)
        with self.assertRaises(SurveyError) as refused:
            definition.survey_open(survey=survey, by=self.dave, revision=survey.revision)
        self.assertIn(
            _(
                "No questionnaire is made for the workers yet: set how many each unit "
                "hands out when choosing the units."
            ),
            messages_of(refused.exception),
        )
        Respondent.objects.filter(survey=survey).delete()
        self.choose(survey, self.grassroots_a1, tokens=3)
        opened = definition.survey_open(survey=survey, by=self.dave, revision=survey.revision)
        self.assertEqual((opened.state, opened.revision), (Survey.State.OPEN, 5))
        actions = list(
            Entry.objects.filter(object_id=str(survey.pk))
            .order_by("pk")
            .values_list("action", flat=True)
        )
        self.assertEqual(
            actions,
            ["survey_create", "survey_section_add", "survey_question_add",
             "survey_question_add", "survey_question_add", "survey_open"],
        )  # fmt: skip

    def test_a_survey_without_a_question_or_in_a_plan_not_issued_does_not_open(self):
        survey = definition.survey_create(
            campaign=self.campaign, owner=self.province_a, by=self.dave, title="Trống",
            respondents="units",
        )  # fmt: skip
        self.choose(survey, self.grassroots_a1)
        with self.assertRaises(SurveyError) as refused:
            definition.survey_open(survey=survey, by=self.dave)
        self.assertIn(_("The survey has no question yet."), messages_of(refused.exception))
        self.choose(self.survey, self.grassroots_a1)
        Campaign.objects.filter(pk=self.campaign.pk).update(state=Campaign.State.DRAFT)
        with self.assertRaises(SurveyError) as refused:
            definition.survey_open(survey=self.survey, by=self.dave)
        self.assertIn(
            _(
                "The campaign's plan is not issued yet: the units cannot see the survey "
                "until it is."
            ),
            messages_of(refused.exception),
        )
        self.assertEqual(self.fresh().state, Survey.State.DRAFT)

    def test_opening_and_closing_twice_is_as_once_and_a_closed_survey_opens_again(self):
        self.choose(self.survey, self.grassroots_a1)
        for _click in range(2):
            definition.survey_open(survey=self.survey, by=self.dave)
        self.assertEqual(self.fresh().revision, 1)
        with self.assertRaises(SurveyError):  # open: its questions stay as answered
            self.add(self.survey, label="Thêm")
        for _click in range(2):
            definition.survey_close(survey=self.survey, by=self.dave)
        self.assertEqual((self.fresh().state, self.fresh().revision), (Survey.State.CLOSED, 2))
        definition.survey_open(survey=self.survey, by=self.dave, revision=2)
        self.assertEqual(self.fresh().state, Survey.State.OPEN)

    def test_a_closed_worker_survey_does_not_open_again(self):
        """Its units have read their workers' figures once it closed: an answer after
        would show in the change it makes."""
        survey = make_survey(self, respondents=Survey.Respondents.PEOPLE, title="Người lao động")
        respondent = Respondent.objects.create(survey=survey, unit=self.grassroots_a1)
        Token.objects.create(respondent=respondent, number=1, secret="bi-mat-1")
        definition.survey_open(survey=survey, by=self.dave)
        definition.survey_close(survey=survey, by=self.dave)
        with self.assertRaises(SurveyError) as refused:
            definition.survey_open(survey=survey, by=self.dave)
        self.assertIn(
            _(
                "A worker survey once closed does not open again: its units have read their "
                "workers' figures, and each answer after would show in the change it makes."
            ),
            messages_of(refused.exception),
        )
        self.assertEqual(Survey.objects.get(pk=survey.pk).state, Survey.State.CLOSED)

    def test_an_open_survey_changes_only_its_due_date(self):
        self.choose(self.survey, self.grassroots_a1)
        survey = definition.survey_open(survey=self.survey, by=self.dave)
        texts = {"title": survey.title, "title_en": survey.title_en}
        with self.assertRaises(SurveyError) as refused:
            definition.survey_update(
                survey=survey, by=self.dave, revision=survey.revision, title="Tên khác"
            )
        self.assertIn(
            _(
                "The survey is open for answers: only its due date can change now, so that "
                "everyone answers the same questions."
            ),
            messages_of(refused.exception),
        )
        import datetime

        saved = definition.survey_update(
            survey=survey, by=self.dave, revision=survey.revision,
            due_on=datetime.date(2016, 2, 29), **texts,
        )  # fmt: skip
        self.assertEqual(saved.due_on, datetime.date(2016, 2, 29))
        self.assertEqual(saved.revision, survey.revision + 1)

    def test_who_answers_is_settled_once_units_are_chosen(self):
        survey = definition.survey_update(
            survey=self.survey, by=self.dave, revision=0, title=self.survey.title,
            title_en=self.survey.title_en, respondents="people",
        )  # fmt: skip
        self.assertEqual(survey.respondents, "people")
        self.choose(survey, self.grassroots_a1)
        with self.assertRaises(SurveyError) as refused:
            definition.survey_update(
                survey=survey, by=self.dave, revision=survey.revision, title=survey.title,
                title_en=survey.title_en, respondents="units",
            )  # fmt: skip
        self.assertIn("respondents", refused.exception.error_dict)

    def test_a_form_made_before_another_change_is_refused(self):
        definition.section_add(survey=self.survey, by=self.dave, revision=0, heading="Phần hai")
        with self.assertRaises(SurveyConflict):
            definition.survey_update(survey=self.survey, by=self.dave, revision=0, title="Cũ")
        with self.assertRaises(SurveyConflict):
            definition.question_delete(question=self.q_remarks, by=self.dave, revision=0)
        self.assertEqual(self.fresh().title, "Khảo sát tình hình hoạt động công đoàn")
        self.assertTrue(Question.objects.filter(pk=self.q_remarks.pk).exists())

    def test_nothing_changed_moves_no_revision_and_leaves_no_entry(self):
        definition.survey_update(
            survey=self.survey, by=self.dave, revision=0, title=self.survey.title,
            title_en=self.survey.title_en,
        )  # fmt: skip
        self.assertEqual(self.fresh().revision, 0)
        self.assertFalse(Entry.objects.exists())


class WhoWritesTests(DefinitionTestCase):
    def test_only_the_administrators_of_a_unit_taking_part_run_a_survey_of_it(self):
        for person, owner in (
            (self.alice, self.district_a1),  # an approver, not an administrator
            (self.carol, self.province_a),  # a viewer
            (self.dave, self.district_a1),  # he administers the province only
            (self.erin, self.province_b),  # outside: she does not see the campaign
        ):
            with self.subTest(person=person.username), self.assertRaises(PermissionDenied):
                definition.survey_create(
                    campaign=self.campaign, owner=owner, by=person, title="X", respondents="units"
                )
        operator, _reviewer = make_operators()
        for owner in (self.province_b, self.grassroots_a1):  # not taking part; nothing below
            with self.subTest(owner=owner.code), self.assertRaises(SurveyError) as refused:
                definition.survey_create(
                    campaign=self.campaign, owner=owner, by=operator, title="X", respondents="units"
                )
            self.assertIn("owner", refused.exception.error_dict)
        survey = definition.survey_create(
            campaign=self.campaign, owner=self.district_a1, by=operator, title="Huyện A1",
            respondents="units",
        )  # fmt: skip
        self.assertEqual(survey.owner, self.district_a1)
        self.assertEqual(Survey.objects.count(), 2)

    def test_those_who_only_see_a_survey_change_nothing_of_it(self):
        self.choose(self.survey, self.grassroots_a1)
        calls = [
            lambda by: definition.survey_update(survey=self.survey, by=by, revision=0, title="X"),
            lambda by: definition.section_add(survey=self.survey, by=by, revision=0, heading="X"),
            lambda by: definition.question_add(
                survey=self.survey,
                by=by,
                revision=0,
                question=QuestionInput(label="X", kind="text"),
            ),
            lambda by: definition.question_delete(question=self.q_remarks, by=by, revision=0),
            lambda by: definition.survey_open(survey=self.survey, by=by),
            lambda by: definition.survey_close(survey=self.survey, by=by),
        ]
        for person in (self.carol, self.gina, self.alice, self.erin):
            for call in calls:
                with self.subTest(person=person.username), self.assertRaises(PermissionDenied):
                    call(person)
        self.assertEqual(self.fresh().revision, 0)
        self.assertEqual(self.survey.questions.count(), 6)


class QuestionTests(DefinitionTestCase):
    def test_choices_typed_one_a_line_get_codes_and_keep_their_english(self):
        choices = definition.parse_choices(
            "Đồng ý\n\n  Không đồng ý \nkhac | Khác | Other | none\nĐồng ý"
        )
        self.assertEqual(
            choices,
            [
                ChoiceInput("dong-y", "Đồng ý"),
                ChoiceInput("khong-dong-y", "Không đồng ý"),
                ChoiceInput("khac", "Khác", "Other | none"),
                ChoiceInput("dong-y-2", "Đồng ý"),
            ],
        )
        self.assertEqual(definition.code_from("!!!", fallback="cau-hoi"), "cau-hoi")

    def test_a_question_with_wrong_parts_is_refused_field_by_field(self):
        cases = [
            ({"label": "", "kind": "text"}, "label"),
            ({"label": "X", "kind": "hex"}, "kind"),
            ({"label": "X", "kind": "text", "code": "Mã có dấu"}, "code"),
            ({"label": "X", "kind": "text", "code": "doan-vien"}, "code"),  # taken
            ({"label": "X", "kind": "single", "choices": [ChoiceInput("a", "A")]}, "choices"),
            ({"label": "X", "kind": "multiple"}, "choices"),
            ({"label": "X", "kind": "text", "choices": [ChoiceInput("a", "A")]}, "choices"),
            (
                {
                    "label": "X",
                    "kind": "single",
                    "choices": [ChoiceInput("a", "A"), ChoiceInput("a", "B")],
                },
                "choices",
            ),
            (
                {"label": "X", "kind": "number", "minimum": Decimal(5), "maximum": Decimal(1)},
                "minimum",
            ),
            ({"label": "X" * 501, "kind": "text"}, "label"),
        ]
        for fields, field in cases:
            with self.subTest(fields=fields), self.assertRaises(SurveyError) as refused:
                self.add(self.survey, **fields)
            self.assertIn(field, refused.exception.error_dict)
        self.assertEqual(self.survey.questions.count(), 6)
        self.assertEqual(self.fresh().revision, 0)

    def test_a_skip_rule_points_at_some_answers_of_an_earlier_choice_question(self):
        cases = [
            ({"shown_if": self.q_remarks, "shown_if_codes": ["co"]}, "shown_if"),  # text
            ({"shown_if": self.q_agreement, "shown_if_codes": []}, "shown_if"),
            ({"shown_if": self.q_agreement, "shown_if_codes": ["co", "co-le"]}, "shown_if"),
            # Placed before the question it depends on.
            ({"shown_if": self.q_agreement, "shown_if_codes": ["co"], "position": 1}, "shown_if"),
        ]
        for fields, field in cases:
            with self.subTest(fields=fields), self.assertRaises(SurveyError) as refused:
                self.add(self.survey, label="Y", **fields)
            self.assertIn(field, refused.exception.error_dict)
        question = self.add(
            self.survey, label="Những hoạt động khác", shown_if=self.q_activities,
            shown_if_codes=["van-nghe", "thi-dua", "van-nghe"],
        )  # fmt: skip
        self.assertEqual(question.shown_if_codes, ["van-nghe", "thi-dua"])
        self.assertEqual(question.order, 7)

    def test_a_question_another_depends_on_keeps_what_that_rule_needs(self):
        revision = 0

        def update(question: Question, **changes) -> Question:
            choices = [ChoiceInput(c.code, c.label, c.label_en) for c in question.choices.all()]
            fields = {
                "label": question.label, "kind": question.kind, "code": question.code,
                "choices": choices, "shown_if": question.shown_if,
                "shown_if_codes": question.shown_if_codes,
            }  # fmt: skip
            fields.update(changes)
            return definition.question_update(
                question=question, by=self.dave, revision=self.fresh().revision,
                changes=QuestionInput(**fields),
            )  # fmt: skip

        refusals = [
            ({"kind": "text", "choices": []}, "kind"),
            ({"choices": [ChoiceInput("yes", "Có"), ChoiceInput("khong", "Không")]}, "choices"),
            ({"position": 4}, "position"),  # after tlu-nam, which depends on it
        ]
        for changes, field in refusals:
            with self.subTest(changes=changes), self.assertRaises(SurveyError) as refused:
                update(self.q_agreement, **changes)
            self.assertIn(field, refused.exception.error_dict)
            self.assertIn(self.q_signed.code, messages_of(refused.exception))
        self.assertEqual(self.fresh().revision, revision)
        # Relabelled, a choice added, moved first: the rule still holds.
        update(
            self.q_agreement,
            label="Đơn vị đã ký thỏa ước?",
            choices=[ChoiceInput("co", "Có rồi", "Yes"), ChoiceInput("khong", "Chưa"),
                     ChoiceInput("dang-ky", "Đang thương lượng")],
            position=1,
        )  # fmt: skip
        orders = dict(self.survey.questions.values_list("code", "order"))
        self.assertEqual(orders, {"tlu": 1, "doan-vien": 2, "tlu-nam": 3, "hoat-dong": 4,
                                  "hai-long": 5, "kien-nghi": 6})  # fmt: skip
        self.assertEqual(
            list(Choice.objects.filter(question=self.q_agreement).values_list("code", "label")),
            [("co", "Có rồi"), ("khong", "Chưa"), ("dang-ky", "Đang thương lượng")],
        )
        self.assertEqual(self.fresh().revision, 1)

    def test_a_question_another_depends_on_is_not_deleted(self):
        with self.assertRaises(SurveyError) as refused:
            definition.question_delete(question=self.q_agreement, by=self.dave, revision=0)
        self.assertIn(self.q_signed.code, messages_of(refused.exception))
        definition.question_delete(question=self.q_signed, by=self.dave, revision=0)
        definition.question_delete(question=self.q_agreement, by=self.dave, revision=1)
        self.assertEqual(
            list(self.survey.questions.values_list("code", "order")),
            [("doan-vien", 1), ("hoat-dong", 2), ("hai-long", 3), ("kien-nghi", 4)],
        )
        self.assertFalse(Choice.objects.filter(question_id=self.q_agreement.pk).exists())

    def test_a_section_deleted_leaves_its_questions(self):
        section = self.q_members.section
        assert section is not None
        definition.section_update(
            section=section, by=self.dave, revision=0, heading="Chung", heading_en="General"
        )
        definition.section_delete(section=section, by=self.dave, revision=1)
        self.assertEqual(self.survey.questions.filter(section__isnull=True).count(), 6)
        self.assertEqual(self.fresh().revision, 2)
