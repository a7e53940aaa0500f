"""The steering committee's survey of 02/2016 (issue 14): "điều tra, khảo sát, nắm tình
hình CNVCLĐ và hoạt động Công đoàn" — workers of a stratified sample of the demo's
grassroots unions answer anonymously about their work, their union and the resolution's
reach.

The seed asks for the survey, not for its questions, sample or answers: the questions
are illustrative and every answer is generated from a fixed seed, so the survey is titled
and flagged *minh họa* and its results must never be quoted as facts about Lạng Sơn.
It is dated as the plan says (02/2016), after the demo's simulated day (05/01/2016).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from soket.campaigns.models import Campaign
from soket.core import clock
from soket.demo.data import PROVINCE_ADMIN
from soket.orgs.models import UnitKind, User
from soket.surveys import answers, definition, sampling
from soket.surveys.models import Question, Respondent, Survey

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

D_TITLE = "Khảo sát tình hình CNVCLĐ và hoạt động Công đoàn, tháng 02/2016 (minh họa)"
D_TITLE_EN = "Survey of workers and of union activity, February 2016 (illustrative)"
INTRODUCTION = (
    "Phiếu khảo sát phục vụ xây dựng báo cáo sơ kết giữa nhiệm kỳ thực hiện Nghị quyết "
    "Đại hội Công đoàn tỉnh lần thứ XV. Phiếu không ghi tên; câu trả lời chỉ được tổng "
    "hợp chung. (Dữ liệu minh họa.)"
)

# (code, kind, label, English label, required, min, max, choices [(code, label, en)],
#  shown if (question code, [choice codes]))
QUESTIONS = [
    (
        "doan-vien",
        "single",
        "Anh/chị có phải là đoàn viên công đoàn không?",
        "Are you a union member?",
        True,
        None,
        None,
        [("co", "Có", "Yes"), ("khong", "Không", "No")],
        None,
    ),
    (
        "ly-do",
        "text",
        "Vì sao anh/chị chưa tham gia công đoàn?",
        "Why have you not joined the union?",
        False,
        None,
        None,
        [],
        ("doan-vien", ["khong"]),
    ),
    (
        "thu-nhap",
        "number",
        "Thu nhập bình quân hằng tháng của anh/chị (triệu đồng)",
        "Your average monthly income (million dong)",
        True,
        0,
        100,
        [],
        None,
    ),
    (
        "hop-dong",
        "single",
        "Anh/chị đã được ký hợp đồng lao động chưa?",
        "Do you have a labour contract?",
        True,
        None,
        None,
        [("co", "Đã ký", "Yes"), ("khong", "Chưa ký", "No")],
        None,
    ),
    (
        "hoat-dong",
        "multiple",
        "Năm 2015 anh/chị đã tham gia những hoạt động nào của công đoàn?",
        "Which union activities did you take part in during 2015?",
        False,
        None,
        None,
        [
            ("hoi-nghi", "Hội nghị người lao động", "Workers' conference"),
            ("thi-dua", "Phong trào thi đua", "Emulation movement"),
            ("van-the", "Văn hóa, thể thao", "Culture and sports"),
            ("hoc-tap", "Học tập nghị quyết, pháp luật", "Study of resolutions and law"),
            ("tham-quan", "Tham quan, nghỉ mát", "Outings"),
        ],
        None,
    ),
    (
        "hai-long",
        "scale",
        "Mức độ hài lòng của anh/chị với hoạt động của công đoàn cơ sở "
        "(1: rất không hài lòng … 5: rất hài lòng)",
        "Your satisfaction with your union (1–5)",
        True,
        None,
        None,
        [],
        None,
    ),
    (
        "kien-nghi",
        "text",
        "Kiến nghị của anh/chị với tổ chức công đoàn",
        "Your suggestions to the union",
        False,
        None,
        None,
        [],
        None,
    ),
]

SECTIONS = [
    (
        "Thông tin chung về người lao động",
        "About you",
        ["doan-vien", "ly-do", "thu-nhap", "hop-dong"],
    ),
    ("Hoạt động công đoàn", "Union activity", ["hoat-dong", "hai-long", "kien-nghi"]),
]
OPENED = datetime.datetime(2016, 2, 1, 8, tzinfo=ZONE)
DUE_ON = datetime.date(2016, 2, 29)
SAMPLE_SIZE = 14  # grassroots unions, about one in two of the demo's
QUESTIONNAIRES = 10  # per union
SEED = 20160201  # the draw's seed, recorded on the survey: the same draw can be made again
ANSWERS_SEED = 15  # the illustrative answers

WHY_NOT = [
    "Doanh nghiệp chưa có công đoàn cơ sở.",
    "Chưa được ai vận động.",
    "Chưa thấy lợi ích khi vào công đoàn.",
]
SUGGESTIONS = [
    "Đề nghị công đoàn quan tâm hơn đến nhà ở cho công nhân.",
    "Tổ chức thêm hoạt động văn hóa, thể thao vào cuối tuần.",
    "Công đoàn cần đối thoại với chủ doanh nghiệp về tiền lương.",
    "",
    "",
]


def load_demo_survey(campaign: Campaign) -> None:
    """Define, draw, open and answer the survey as the province's administrator and the
    workers would (through the surveys services); nothing is done a second time."""
    if Survey.objects.filter(campaign=campaign, title=D_TITLE).exists():
        return
    admin = User.objects.get(username=PROVINCE_ADMIN)
    with clock.frozen_at(OPENED):
        survey = definition.survey_create(
            campaign=campaign, owner=campaign.owner, by=admin, title=D_TITLE,
            title_en=D_TITLE_EN, respondents=Survey.Respondents.PEOPLE,
            introduction=INTRODUCTION, due_on=DUE_ON,
        )  # fmt: skip
        Survey.objects.filter(pk=survey.pk).update(is_illustrative=True)
        _define(survey, admin)
        survey.refresh_from_db()
        sampling.draw(
            survey=survey, by=admin, selection=Survey.Selection.SAMPLE,
            kinds=[UnitKind.objects.get(code="grassroots")], size=SAMPLE_SIZE, seed=SEED,
            questionnaires_per_unit=QUESTIONNAIRES,
        )  # fmt: skip
        survey.refresh_from_db()
        definition.survey_open(survey=survey, by=admin, revision=survey.revision)
    _answer(survey)


def _define(survey: Survey, admin: User) -> None:
    asked: dict[str, Question] = {}
    by_code = {row[0]: row for row in QUESTIONS}
    for heading, heading_en, codes in SECTIONS:
        survey.refresh_from_db()
        section = definition.section_add(
            survey=survey, by=admin, revision=survey.revision, heading=heading,
            heading_en=heading_en,
        )  # fmt: skip
        for code in codes:
            _code, kind, label, label_en, required, low, high, choices, shown_if = by_code[code]
            survey.refresh_from_db()
            asked[code] = definition.question_add(
                survey=survey, by=admin, revision=survey.revision,
                question=definition.QuestionInput(
                    label=label, label_en=label_en, kind=kind, code=code, required=required,
                    section=section,
                    minimum=None if low is None else Decimal(low),
                    maximum=None if high is None else Decimal(high),
                    shown_if=asked[shown_if[0]] if shown_if else None,
                    shown_if_codes=shown_if[1] if shown_if else (),
                    choices=[definition.ChoiceInput(*choice) for choice in choices],
                ),
            )  # fmt: skip


def _answer(survey: Survey) -> None:
    """Between 3 and 10 of each union's questionnaires come back (a union with fewer
    than five shows its own people nothing: the rule of the results), each on its own
    link, over the month."""
    rng = random.Random(ANSWERS_SEED)
    moment = OPENED
    respondents = Respondent.objects.filter(survey=survey).order_by("unit__path")
    for respondent in respondents:
        tokens = list(respondent.tokens.order_by("number"))
        for token in tokens[: rng.randint(3, len(tokens))]:
            moment += datetime.timedelta(minutes=rng.randint(15, 300))
            with clock.frozen_at(min(moment, OPENED + datetime.timedelta(days=27))):
                answers.anonymous_answer_save(
                    secret=token.secret, values=_worker(rng), address=None
                )


def _worker(rng: random.Random) -> dict[str, str | list[str]]:
    member = rng.random() < 0.82
    values: dict[str, str | list[str]] = {
        "doan-vien": "co" if member else "khong",
        "thu-nhap": f"{max(2.5, rng.gauss(5.6, 1.4)):.1f}".replace(".", ","),
        "hop-dong": "co" if rng.random() < 0.9 else "khong",
        "hoat-dong": [
            code
            for code, share in (
                ("hoi-nghi", 0.7),
                ("thi-dua", 0.55),
                ("van-the", 0.45),
                ("hoc-tap", 0.35),
                ("tham-quan", 0.3),
            )
            if rng.random() < share
        ],
        "hai-long": str(rng.choices([1, 2, 3, 4, 5], weights=[2, 6, 22, 45, 25])[0]),
        "kien-nghi": rng.choice(SUGGESTIONS),
    }
    if not member:
        values["ly-do"] = rng.choice(WHY_NOT)
    return values
