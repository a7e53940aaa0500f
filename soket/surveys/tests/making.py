"""A survey to test with: CampaignTestCase's province A with more grassroots unions
and a sector union, and a survey of every kind of question with one skip rule.

The tree under province A, for the draw:
- district A1: grassroots A1-01 (alice's district) and A1-g1…A1-g6;
- district A2: grassroots A2-01 and A2-g1…A2-g3;
- sector union S1 (kind "sector"): grassroots S1-g1…S1-g2.
`gina` (CampaignTestCase's grassroots_reporter, approver at A1-01) answers for it;
`dave` administers province A."""

from __future__ import annotations

import datetime

from soket.surveys.models import Choice, Question, Section, Survey
from soket.testing import CampaignTestCase, make_unit

NOW = datetime.datetime(2016, 2, 1, 9, 0, tzinfo=datetime.UTC)


def build_units(cls) -> None:
    k = cls.kinds
    cls.sector_s1 = make_unit("S1", k["sector"], cls.province_a)
    cls.more_a1 = [make_unit(f"A1-g{n}", k["grassroots"], cls.district_a1) for n in range(1, 7)]
    cls.more_a2 = [make_unit(f"A2-g{n}", k["grassroots"], cls.district_a2) for n in range(1, 4)]
    cls.more_s1 = [make_unit(f"S1-g{n}", k["grassroots"], cls.sector_s1) for n in range(1, 3)]
    cls.gina = cls.grassroots_reporter  # approver at A1-01: answers for it


def make_survey(cls, *, respondents: str = Survey.Respondents.UNITS, **fields) -> Survey:
    """A survey of province A with a section, a question of each kind and a skip rule:
    `tlu` (has a collective agreement? co/khong) and `tlu-nam` (the year it was
    signed), asked only when `tlu` is "co"."""
    survey = Survey.objects.create(
        campaign=cls.campaign,
        owner=cls.province_a,
        title=fields.pop("title", "Khảo sát tình hình hoạt động công đoàn"),
        title_en="Survey of union activity",
        respondents=respondents,
        created_by=cls.dave,
        created_at=NOW,
        **fields,
    )
    section = Section.objects.create(survey=survey, order=1, heading="Thông tin chung")
    ask = Question.objects.create
    cls.q_members = ask(
        survey=survey, section=section, order=1, code="doan-vien", kind="number",
        label="Số đoàn viên", label_en="Members", required=True, minimum=0,
    )  # fmt: skip
    cls.q_agreement = ask(
        survey=survey, section=section, order=2, code="tlu", kind="single",
        label="Đã ký thỏa ước lao động tập thể?", label_en="Collective agreement signed?",
        required=True,
    )  # fmt: skip
    Choice.objects.create(question=cls.q_agreement, order=1, code="co", label="Có", label_en="Yes")
    Choice.objects.create(
        question=cls.q_agreement, order=2, code="khong", label="Không", label_en="No"
    )
    cls.q_signed = ask(
        survey=survey, section=section, order=3, code="tlu-nam", kind="date",
        label="Ngày ký thỏa ước", label_en="Signed on", required=True,
        shown_if=cls.q_agreement, shown_if_codes=["co"],
    )  # fmt: skip
    cls.q_activities = ask(
        survey=survey, order=4, code="hoat-dong", kind="multiple",
        label="Hoạt động đã tổ chức", label_en="Activities held",
    )  # fmt: skip
    for order, (code, label) in enumerate(
        [("hoi-nghi", "Hội nghị người lao động"), ("thi-dua", "Thi đua"), ("van-nghe", "Văn nghệ")]
    ):
        Choice.objects.create(question=cls.q_activities, order=order, code=code, label=label)
    cls.q_satisfaction = ask(
        survey=survey, order=5, code="hai-long", kind="scale",
        label="Mức độ hài lòng với hoạt động công đoàn", label_en="Satisfaction",
    )  # fmt: skip
    cls.q_remarks = ask(
        survey=survey, order=6, code="kien-nghi", kind="text", label="Kiến nghị",
        label_en="Suggestions",
    )  # fmt: skip
    return survey


class SurveyTestCase(CampaignTestCase):
    """CampaignTestCase, the grassroots unions above and `survey` (of unions, being
    prepared, nobody chosen yet)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_units(cls)
        cls.survey = make_survey(cls)
