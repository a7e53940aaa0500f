"""What the drafting tests share: province A's report with text in both sections, its
drafter (dave, campaign administrator of A), and readers of the province (carol, its
viewer; hank, head of its Ban Tổ chức; nora, on the steering committee from above)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from soket.campaigns.models import SteeringMember
from soket.reports import services as report_services
from soket.reports.models import Report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def moment(day: int, month: int, year: int = 2016, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=ZONE)


def day(day: int, month: int, year: int = 2016) -> datetime.date:
    return datetime.date(year, month, day)


def build_drafting(cls) -> None:
    SteeringMember.objects.create(
        campaign=cls.campaign,
        order=1,
        name="Nora",
        position="Tổng LĐLĐ",
        committee_role=SteeringMember.CommitteeRole.MEMBER,
        user=cls.national_approver,
    )
    # On the committee, but from a district: she does not see the province's report.
    SteeringMember.objects.create(
        campaign=cls.campaign,
        order=2,
        name="Alice",
        position="LĐLĐ huyện A1",
        committee_role=SteeringMember.CommitteeRole.MEMBER,
        user=cls.alice,
    )


def province_report(test, text_results: str = "Kết quả nửa nhiệm kỳ khá tốt.") -> Report:
    report = report_services.report_for(campaign=test.campaign, unit=test.province_a)
    return report_services.report_save(
        report=report,
        by=test.dave,
        revision=report.revision,
        sections={
            test.section_results.pk: text_results,
            test.section_lessons.pk: "Bài học: phải bám sát cơ sở.",
        },
    )
