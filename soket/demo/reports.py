"""The demo campaign in mid-course: reports in every state, as on 05/01/2016.

Districts were due by 31/12/2015. Most have been accepted; Văn Lãng's was returned
with a reason; Bắc Sơn submitted late; Cao Lộc and the Viên chức union await review;
Chi Lăng has a draft and Đình Lập nothing. Every figure and text is illustrative. The
history is played through the real services at scripted moments, so each report has
its transitions and versions. A report that already exists is left as it is, so
loading twice changes nothing.
"""

from __future__ import annotations

import datetime
import zlib
from decimal import Decimal
from zoneinfo import ZoneInfo

from soket.campaigns.models import Campaign
from soket.core import clock
from soket.orgs.models import Department, Unit, User
from soket.reports import consolidation, services, workflow
from soket.reports.models import Assessment, Report
from soket.reports.selectors import evaluations, report_targets
from soket.reports.services import FigureInput
from soket.resolutions.models import Target

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
RETURN_REASON = (
    "Số liệu chỉ tiêu CT02 chưa khớp với báo cáo của các công đoàn cơ sở; "
    "đề nghị rà soát lại và gửi lại (nội dung minh họa)."
)


def moment(day: int, month: int, year: int = 2015, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=ZONE)


# What happened to each district-level report: (submitted, reviewed, outcome).
DISTRICT_STORIES = {
    "LS-TPLS": (moment(28, 12), moment(30, 12), "accept"),
    "LS-TD": (moment(29, 12), moment(30, 12, hour=15), "accept"),
    "LS-BG": (moment(30, 12), moment(31, 12), "accept"),
    "LS-VL": (moment(29, 12), moment(31, 12, hour=14), "return"),
    "LS-CL": (moment(30, 12, hour=16), None, "submitted"),
    "LS-VQ": (moment(28, 12, hour=10), moment(30, 12, hour=10), "accept"),
    "LS-BS": (moment(3, 1, 2016), None, "submitted"),  # late: due 31/12/2015
    "LS-HL": (moment(29, 12, hour=11), moment(31, 12, hour=9), "accept"),
    "LS-CLA": (None, None, "draft"),
    "LS-LB": (moment(30, 12, hour=8), moment(31, 12, hour=16), "accept"),
    "LS-GD": (moment(29, 12, hour=14), moment(31, 12, hour=10), "accept"),
    "LS-YT": (moment(30, 12, hour=9), moment(31, 12, hour=11), "accept"),
    "LS-VC": (moment(31, 12, hour=10), None, "submitted"),
    # Đình Lập (LS-DL) has not started.
}


def _number(code: str, low: int, high: int) -> Decimal:
    """A stable illustrative number for a unit and target."""
    return Decimal(low + zlib.crc32(code.encode()) % (high - low + 1))


def _grassroots_figures(unit: Unit, targets: list[Target]) -> dict[int, FigureInput]:
    figures = {}
    for target in targets:
        key = f"{unit.code}:{target.code}"
        if target.direction == Target.Direction.QUALITATIVE:
            figures[target.pk] = FigureInput(
                override=Assessment.ACHIEVED, override_reason="Đánh giá minh họa"
            )
        elif target.aggregation == Target.Aggregation.RATIO:
            denominator = _number(key + "d", 20, 60)
            numerator = denominator * _number(key, 55, 100) / 100
            figures[target.pk] = FigureInput(
                numerator=numerator.quantize(Decimal(1)), denominator=denominator
            )
        elif target.direction == Target.Direction.AT_MOST:
            figures[target.pk] = FigureInput(value=Decimal(0))
        elif target.aggregation == Target.Aggregation.SHARE_MEETING:
            figures[target.pk] = FigureInput(value=Decimal(100 if _number(key, 0, 4) else 80))
        else:
            figures[target.pk] = FigureInput(value=_number(key, 5, 60))
    return figures


def _with_causes(report: Report, by: User) -> None:
    """State a cause for every figure that falls short, as the services require."""
    short = [
        row
        for row in evaluations(report=report)
        if row.evaluation.assessment == Assessment.NOT_ACHIEVED and not row.figure.causes
    ]
    if short:
        services.report_save(
            report=report,
            by=by,
            revision=report.revision,
            figures={
                row.target.pk: FigureInput(
                    value=row.figure.value,
                    numerator=row.figure.numerator,
                    denominator=row.figure.denominator,
                    causes="Nguyên nhân minh họa: thiếu cán bộ chuyên trách, địa bàn rộng.",
                )
                for row in short
            },
        )


def _write(report: Report, by: User, figures: dict[int, FigureInput], text: str) -> Report:
    sections = {
        s.pk: text for s in report.campaign.outline_sections.filter(parent__isnull=False)[:1]
    }
    report = services.report_save(
        report=report, by=by, revision=report.revision, sections=sections, figures=figures
    )
    _with_causes(report, by)
    report.refresh_from_db()
    return report


def _person(unit: Unit | None, fallback: User, department: Department | None = None) -> User:
    """The demo approver of the unit (or of its department) who would have acted, or
    the system administrator."""
    found = (
        User.objects.filter(roles__unit=unit, roles__kind="approver", roles__department=department)
        .order_by("pk")
        .first()
    )
    return found or fallback


def _play(report: Report, actor: User, submitted, reviewed, outcome) -> None:
    if submitted is None or outcome == "draft":
        return
    by = _person(report.unit, actor, report.department)
    # Where the level above has no demo approver, the province's reviews: never the
    # one who sent it.
    reviewer = _person(workflow.reviewing_unit(report), _person(report.campaign.owner, actor))
    with clock.frozen_at(submitted):
        # Illustrative figures, random within bounds: their senders have looked at them.
        services.report_submit(report=report, by=by, warnings_confirmed=True)
    if outcome == "accept":
        with clock.frozen_at(reviewed):
            services.report_accept(report=report, by=reviewer)
    elif outcome == "return":
        with clock.frozen_at(reviewed):
            services.report_return(report=report, by=reviewer, reason=RETURN_REASON)


def load_demo_reports(campaign: Campaign, actor: User) -> None:
    if Report.objects.filter(campaign=campaign).exists():
        return
    targets = report_targets(campaign)
    province = campaign.owner

    for code, (submitted, reviewed, outcome) in DISTRICT_STORIES.items():
        district = Unit.objects.get(code=code)
        # Its grassroots unions reported first, and were accepted unless the district
        # is still behind.
        for grassroots in district.children.filter(closed_on__isnull=True, opened_on__isnull=True):
            report = services.report_for(campaign=campaign, unit=grassroots)
            text = f"(Nội dung minh họa) Báo cáo sơ kết của {grassroots.name}."
            report = _write(report, actor, _grassroots_figures(grassroots, targets), text)
            Report.objects.filter(pk=report.pk).update(is_illustrative=True)
            if outcome == "draft":
                continue
            day = (submitted or moment(20, 12)) - datetime.timedelta(days=8)
            wait_for_district = code == "LS-CL" and grassroots.code.endswith("02")
            story = "submitted" if wait_for_district else "accept"
            _play(report, actor, day, day + datetime.timedelta(days=2), story)

        report = services.report_for(campaign=campaign, unit=district)
        with clock.frozen_at((submitted or moment(22, 12)) - datetime.timedelta(days=1)):
            report = consolidation.report_draft_from_below(
                report=report, by=actor, revision=report.revision
            )
        _with_causes(report, actor)
        Report.objects.filter(pk=report.pk).update(is_illustrative=True)
        report.refresh_from_db()
        _play(report, actor, submitted, reviewed, outcome)

    for code, outcome in (("tuyen-giao", "submitted"), ("to-chuc", "draft")):
        department = Department.objects.get(unit=province, code=code)
        report = services.report_for(campaign=campaign, unit=province, department=department)
        report = _write(
            report, actor, {}, f"(Nội dung minh họa) Báo cáo chuyên đề của {department.name}."
        )
        Report.objects.filter(pk=report.pk).update(is_illustrative=True)
        _play(report, actor, moment(4, 1, 2016), None, outcome)

    report = services.report_for(campaign=campaign, unit=province)
    with clock.frozen_at(moment(5, 1, 2016, hour=8)):
        consolidation.report_draft_from_below(report=report, by=actor, revision=report.revision)
    Report.objects.filter(pk=report.pk).update(is_illustrative=True)
