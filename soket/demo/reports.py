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

from soket.campaigns.models import Campaign, OutlineSection
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


# The departments' thematic reports: which sections of the outline each writes, by the
# position of the section among those that hold text (I. the situation of workers and
# unions, III. the action programmes, IV. Kết luận 79, V. the Hồ Chí Minh study, VI. the
# general assessment, then part two), and how far each has come by 05/01/2016.
DEPARTMENT_STORIES = [
    ("to-chuc", [0, 5], "accept"),
    ("tuyen-giao", [0, 3, 4], "accept"),
    ("chinh-sach-phap-luat", [2, 6], "submitted"),
    ("nu-cong", [0], "draft"),
]


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


# Illustrative causes, one of them for each unit and target.
CAUSES = [
    "Thiếu cán bộ công đoàn chuyên trách (minh họa).",
    "Doanh nghiệp nhỏ, lao động biến động (minh họa).",
    "Kinh phí hạn chế (minh họa).",
]


def _with_causes(report: Report, by: User) -> None:
    """State a cause for every figure that falls short, as the services require, and for
    a unit's part of a total the level above sets (not judged at the unit's level)."""
    short = [
        row
        for row in evaluations(report=report)
        if not row.figure.causes
        and (
            row.evaluation.assessment == Assessment.NOT_ACHIEVED
            or (
                row.target.aggregation == Target.Aggregation.SUM
                and row.figure.value is not None
                and row.evaluation.assessment is None
            )
        )
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
                    causes=CAUSES[int(_number(f"{report.unit.code}:{row.target.code}", 0, 2))],
                )
                for row in short
            },
        )


def _leaf_sections(campaign: Campaign) -> list[OutlineSection]:
    """The outline's sections that hold text (those with no sections below), in order."""
    sections = campaign.outline_sections.order_by("order")
    parents = set(sections.exclude(parent=None).values_list("parent_id", flat=True))
    return [section for section in sections if section.pk not in parents]


def _texts(report: Report, author: str, positions: list[int] | None = None) -> dict[int, str]:
    """An illustrative passage under each section (or the sections at these positions)."""
    leaves = _leaf_sections(report.campaign)
    chosen = leaves if positions is None else [leaves[i] for i in positions if i < len(leaves)]
    return {
        section.pk: f"(Nội dung minh họa) {author} báo cáo về “{section.heading}”."
        for section in chosen
    }


def _items(report: Report, author: str) -> dict[int, str]:
    return {
        item.pk: f"(Nội dung minh họa) {author} đánh giá việc thực hiện “{item.title}”."
        for item in report.campaign.review_items.all()
    }


def _write(
    report: Report,
    by: User,
    figures: dict[int, FigureInput],
    sections: dict[int, str],
    items: dict[int, str] | None = None,
) -> Report:
    report = services.report_save(
        report=report,
        by=by,
        revision=report.revision,
        sections=sections,
        figures=figures,
        items=items or {},
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
            report = _write(
                report,
                actor,
                _grassroots_figures(grassroots, targets),
                _texts(report, grassroots.name),
                _items(report, grassroots.name),
            )
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
            # The district's drafter writes its own text over what was compiled.
            report = services.report_save(
                report=report,
                by=actor,
                revision=report.revision,
                sections=_texts(report, district.name),
                items=_items(report, district.name),
            )
        _with_causes(report, actor)
        Report.objects.filter(pk=report.pk).update(is_illustrative=True)
        report.refresh_from_db()
        _play(report, actor, submitted, reviewed, outcome)

    for code, positions, outcome in DEPARTMENT_STORIES:
        department = Department.objects.get(unit=province, code=code)
        report = services.report_for(campaign=campaign, unit=province, department=department)
        items = _items(report, department.name) if code == "tuyen-giao" else {}
        report = _write(report, actor, {}, _texts(report, department.name, positions), items)
        Report.objects.filter(pk=report.pk).update(is_illustrative=True)
        _play(report, actor, moment(4, 1, 2016), moment(4, 1, 2016, hour=15), outcome)

    report = services.report_for(campaign=campaign, unit=province)
    with clock.frozen_at(moment(5, 1, 2016, hour=8)):
        consolidation.report_draft_from_below(report=report, by=actor, revision=report.revision)
    Report.objects.filter(pk=report.pk).update(is_illustrative=True)
