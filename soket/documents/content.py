"""What each document says: its header fields and its body, from the campaign, the
unit and the report. Nothing here knows about Word; `word.render` lays it out.

Documents are official Vietnamese texts, so they are written in Vietnamese whatever
the language of the person who asks for them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TypeVar

from django.utils import translation

from soket.campaigns.models import Campaign, OutlineSection, PlanSection
from soket.campaigns.plan import FOOTNOTE_MARK, paragraphs, section_paragraphs
from soket.campaigns.selectors import report_outline
from soket.core import filecheck
from soket.documents import pictures
from soket.documents.blocks import Block, Heading, Image, PageBreak, Para, Table
from soket.documents.formatting import (
    day_month_year,
    document_number,
    number,
    place_and_date,
    recipient_lines,
)
from soket.documents.models import DocumentKind
from soket.orgs.models import Department, Unit
from soket.reports import completeness, entry, lateness
from soket.reports.models import Report
from soket.reports.selectors import EvaluationRow, evaluations, outline_sections, report_targets
from soket.reports.templatetags.report_tags import assessment_label


@dataclass
class Composition:
    """A document ready to lay out: the template's fields, the body and the annex."""

    kind: str
    issuer: Unit
    filename: str
    context: dict
    body: list[Block]
    annex: list[Block] = field(default_factory=list)


def _superior_lines(unit: Unit) -> list[str]:
    """The bodies above the issuer, top first: at most the two nearest, in capitals."""
    ancestors = list(Unit.objects.ancestors_of(unit).order_by("-depth")[:2])
    return [ancestor.name.upper() for ancestor in reversed(ancestors)]


def _header(
    *,
    issuer: Unit,
    issuer_name: str,
    superior_lines: list[str],
    type_code: str,
    doc_type: str,
    number_text: str,
    day: datetime.date | None,
    title_lines: list[str],
    signing_capacity: str,
    signer_title: str,
    signer_name: str,
    is_signed: bool,
    recipients: list[str],
) -> dict:
    return {
        "superior_lines": superior_lines,
        "issuer": issuer_name.upper(),
        "number": document_number(
            number_text, type_code=type_code, abbreviation=issuer.abbreviation
        ),
        "place_and_date": place_and_date(issuer.place, day),
        "doc_type": doc_type,
        "title_lines": title_lines,
        "signing_capacity": signing_capacity.upper(),
        "signer_title": signer_title.upper(),
        "signer_name": signer_name,
        "is_signed": is_signed,
        "recipients": recipient_lines(recipients),
    }


def _campaign_header(campaign: Campaign, *, doc_type: str, title_lines: list[str]) -> dict:
    owner = campaign.owner
    return _header(
        issuer=owner,
        issuer_name=owner.name,
        superior_lines=_superior_lines(owner),
        type_code="KH",
        doc_type=doc_type,
        number_text=campaign.document_number,
        day=campaign.issued_on,
        title_lines=title_lines,
        signing_capacity=campaign.signing_capacity,
        signer_title=campaign.signer_title,
        signer_name=campaign.signer_name,
        is_signed=campaign.is_signed,
        recipients=list(campaign.recipients.values_list("text", flat=True)),
    )


# The plan.


def plan_document(campaign: Campaign) -> Composition:
    with translation.override("vi"):
        references = dict(campaign.review_items.values_list("code", "reference"))
        sections = list(campaign.sections.order_by("order"))
        body: list[Block] = []
        if campaign.preamble:
            body.append(Para(campaign.preamble))
        for section, level in _in_tree_order(sections):
            body.extend(_plan_section(campaign, section, level, references))
        if campaign.closing:
            body.append(Para(campaign.closing))
        return Composition(
            kind=DocumentKind.PLAN,
            issuer=campaign.owner,
            filename=f"ke-hoach-{campaign.code}",
            context=_campaign_header(campaign, doc_type="KẾ HOẠCH", title_lines=[campaign.title]),
            body=body,
        )


Section = TypeVar("Section", PlanSection, OutlineSection)


def _in_tree_order(sections: list[Section]) -> list[tuple[Section, int]]:
    """Sections (plan or outline) depth first, each with its heading level (1 at the top)."""
    children: dict[int | None, list[Section]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)
    ordered: list[tuple[Section, int]] = []

    def visit(parent_id: int | None, level: int) -> None:
        for section in children.get(parent_id, []):
            ordered.append((section, level))
            visit(section.pk, level + 1)

    visit(None, 1)
    return ordered


def _plan_section(
    campaign: Campaign, section: PlanSection, level: int, references: dict
) -> list[Block]:
    blocks: list[Block] = []
    if section.heading:
        blocks.append(Heading(f"{section.number} {section.heading}".strip(), level))
    for paragraph in section_paragraphs(section.number, section.heading, section.body):
        blocks.append(_with_notes(paragraph.text, references, is_bullet=paragraph.is_bullet))
    if section.part == PlanSection.Part.TIMELINE and section.parent_id is None:
        for milestone in campaign.milestones.order_by("order"):
            blocks.append(Para(f"{milestone.label}: {milestone.text}", is_bullet=True))
    return blocks


def _with_notes(text: str, references: dict, *, is_bullet: bool = False) -> Para:
    """A paragraph whose "[^code]" marks become footnotes citing the review items."""
    notes: list[str] = []

    def numbered(match) -> str:
        reference = references.get(match.group(1))
        if not reference:
            return ""
        notes.append(reference)
        return f"[^{len(notes)}]"

    return Para(FOOTNOTE_MARK.sub(numbered, text), is_bullet=is_bullet, notes=tuple(notes))


# The outline.


def outline_document(campaign: Campaign) -> Composition:
    with translation.override("vi"):
        body: list[Block] = []
        sections = list(report_outline(campaign).prefetch_related("targets", "review_items"))
        for section, level in _in_tree_order(sections):
            body.append(Heading(f"{section.number} {section.heading}".strip(), level))
            for line in section.guidance.splitlines():
                if line.strip():
                    body.append(Para(line.strip(), italic=True))
            targets = list(section.targets.all())
            if targets:
                body.append(
                    Table(
                        header=["TT", "Chỉ tiêu", "Mục tiêu", "Đơn vị tính"],
                        rows=[
                            [
                                str(index),
                                _target_name(target),
                                _goal(target),
                                target.unit_of_measure,
                            ]
                            for index, target in enumerate(targets, 1)
                        ],
                        widths_cm=[1.0, 10.0, 3.0, 2.5],
                        numeric_columns=frozenset({2}),
                    )
                )
            for item in section.review_items.all():
                body.append(Para(f"Đánh giá: {item}", is_bullet=True))
        plan_ref = (
            f"(Kèm theo Kế hoạch số {campaign.document_number} "
            f"ngày {day_month_year(campaign.issued_on)})"
            if campaign.document_number
            else f"(Kèm theo Kế hoạch của {campaign.owner.name})"
        )
        title = campaign.title
        return Composition(
            kind=DocumentKind.OUTLINE,
            issuer=campaign.owner,
            filename=f"de-cuong-{campaign.code}",
            context=_campaign_header(
                campaign,
                doc_type="ĐỀ CƯƠNG",
                title_lines=[f"Báo cáo {title[:1].lower()}{title[1:]}", plan_ref],
            ),
            body=body,
        )


# Reports.


def _target_name(target) -> str:
    return f"{target.code}. {target.wording}"


def _goal(target) -> str:
    if target.goal_value is None:
        return ""
    sign = {"at_least": "≥ ", "at_most": "≤ "}.get(target.direction, "")
    return f"{sign}{number(target.goal_value)}{_unit_suffix(target)}"


def _unit_suffix(target) -> str:
    measure = target.unit_of_measure
    if not measure:
        return ""
    return measure if measure == "%" else f" {measure}"


def _targets_table(campaign: Campaign, rows: list[EvaluationRow]) -> Table:
    """Target, goal, result, "đạt X% kế hoạch", assessment and cause."""
    return Table(
        header=[
            "TT",
            "Chỉ tiêu",
            "Mục tiêu",
            "Kết quả",
            "Đạt % kế hoạch",
            "Đánh giá",
            "Nguyên nhân",
        ],
        rows=[
            [
                str(index),
                _target_name(row.target),
                _goal(row.target),
                (number(row.figure.value) + _unit_suffix(row.target))
                if row.figure.value is not None
                else "",
                f"{number(row.evaluation.percent_of_goal)}%"
                if row.evaluation.percent_of_goal is not None
                else "",
                assessment_label(row.evaluation.assessment, campaign)
                if row.evaluation.assessment
                else "",
                row.figure.causes,
            ]
            for index, row in enumerate(rows, 1)
        ],
        widths_cm=[0.9, 4.6, 2.0, 2.0, 1.7, 2.1, 3.2],
        numeric_columns=frozenset({2, 3, 4}),
    )


def _report_body(report: Report) -> list[Block]:
    campaign = report.campaign
    texts = dict(report.section_texts.values_list("section_id", "text"))
    items = dict(report.item_assessments.values_list("item_id", "text"))
    rows = {
        row.target.pk: row
        for row in evaluations(report=report, targets=report_targets(campaign, report.unit))
    }
    sections = outline_sections(campaign, report.unit)
    body: list[Block] = []
    for section, level in _in_tree_order(sections):
        body.append(Heading(f"{section.number} {section.heading}".strip(), level))
        for paragraph in paragraphs(texts.get(section.pk, "")):
            body.append(Para(paragraph.text, is_bullet=paragraph.is_bullet))
        section_rows = [rows[target.pk] for target in section.targets.all() if target.pk in rows]
        if section_rows:
            body.append(_targets_table(campaign, section_rows))
        for item in section.review_items.all():
            if items.get(item.pk, "").strip():
                body.append(Para(f"{item}: {items[item.pk].strip()}"))
    body += _figures(report)
    return body


# A figure is at most as wide as the text and, with its caption, as tall as a page's text.
FIGURE_WIDTH_CM = 15.0
FIGURE_HEIGHT_CM = 20.0


def _figures(report: Report) -> list[Block]:
    """The report's pictures as numbered figures, each drawn again by Soket
    (`soket.documents.pictures`) so that python-docx and LibreOffice only ever read
    pictures we made. A picture that cannot be drawn (stored before uploads were
    checked, or damaged since) is left out with a note, so that one bad file never
    stops the document."""
    blocks: list[Block] = []
    number = 0
    for attachment in report.attachments.all():
        image_format = filecheck.IMAGE_FORMATS.get(attachment.content_type)
        if image_format is None:
            continue
        try:
            with attachment.file.open("rb") as handle:
                picture = pictures.document_picture(handle, expected=image_format)
        except (pictures.PictureUnusable, OSError):
            blocks.append(
                Para(
                    f"(Tệp hình “{attachment.name}” không đọc được nên không được đưa vào "
                    "văn bản.)",
                    italic=True,
                )
            )
            continue
        number += 1
        width_cm = min(FIGURE_WIDTH_CM, FIGURE_HEIGHT_CM * picture.width / picture.height)
        blocks.append(Image(picture.data, f"Hình {number}. {attachment.name}", width_cm=width_cm))
    return blocks


def _report_header(report: Report, *, title_lines: list[str]) -> dict:
    unit = report.unit
    department: Department | None = report.department
    day = report.issued_on or (report.submitted_at and lateness.local_date(report.submitted_at))
    if department is not None:
        return _header(
            issuer=unit,
            issuer_name=department.name,
            superior_lines=[unit.name.upper()],
            type_code="BC",
            doc_type="BÁO CÁO",
            number_text=report.document_number,
            day=day,
            title_lines=title_lines,
            signing_capacity="",
            signer_title=department.signer_title,
            signer_name=department.signer_name,
            is_signed=report.is_signed,
            recipients=[f"Ban Chỉ đạo sơ kết {unit.name} (b/c)", f"Lưu: VT, {department.name}"],
        )
    recipients = [f"{unit.parent.name} (b/c)"] if unit.parent is not None else []
    return _header(
        issuer=unit,
        issuer_name=unit.name,
        superior_lines=_superior_lines(unit),
        type_code="BC",
        doc_type="BÁO CÁO",
        number_text=report.document_number,
        day=day,
        title_lines=title_lines,
        signing_capacity=unit.kind.signing_capacity,
        signer_title=unit.kind.signer_title,
        signer_name=unit.signer_name,
        is_signed=report.is_signed,
        recipients=[*recipients, "Lưu: VT"],
    )


def report_document(report: Report) -> Composition:
    """A unit's report, or a department's thematic report."""
    with translation.override("vi"):
        campaign = report.campaign
        if report.department is not None:
            kind = DocumentKind.DEPARTMENT
            title_lines = [campaign.title, f"(Báo cáo chuyên đề của {report.department.name})"]
            filename = f"bao-cao-chuyen-de-{report.unit.code}-{report.department.code}"
        else:
            kind = DocumentKind.REPORT
            title_lines = [campaign.title]
            filename = f"bao-cao-{report.unit.code}"
        return Composition(
            kind=kind,
            issuer=report.unit,
            filename=f"{filename}-{campaign.code}",
            context=_report_header(report, title_lines=title_lines),
            body=_report_body(report),
        )


def report_has_annex(report: Report) -> bool:
    """A unit with units below reports for them too: its document carries the annex."""
    return entry.has_units_below(report)


def report_composition(report: Report) -> Composition:
    """The document of a report: consolidated (with its annex) where units report to it."""
    return consolidated_document(report) if report_has_annex(report) else report_document(report)


def consolidated_document(report: Report, *, today: datetime.date | None = None) -> Composition:
    """A unit's report with the annex of who below reported, when, late or missing."""
    composition = report_document(report)
    with translation.override("vi"):
        today = today or lateness.today()
        statuses = completeness.children_status(
            campaign=report.campaign, within=report.unit, today=today
        )
        composition.kind = DocumentKind.CONSOLIDATED
        composition.filename = f"bao-cao-tong-hop-{report.unit.code}-{report.campaign.code}"
        composition.annex = [
            PageBreak(),
            Heading("PHỤ LỤC", 1),
            Para(
                f"Tình hình gửi báo cáo của các đơn vị trực thuộc {report.unit.name} "
                f"(tính đến ngày {day_month_year(today)})",
                italic=True,
            ),
            Table(
                header=["TT", "Đơn vị", "Hạn gửi", "Ngày gửi", "Tình trạng", "Ghi chú"],
                rows=[
                    [str(index), status.unit.name, *_status_cells(status)]
                    for index, status in enumerate(statuses, 1)
                ],
                widths_cm=[0.9, 5.6, 2.2, 2.2, 2.8, 2.8],
            ),
            Para(_completeness_summary(statuses, today)),
        ]
        return composition


# A report's state as documents and tables name it; a unit without a report has not sent.
STATE_LABELS: dict[str, str] = {
    Report.State.DRAFT: "Chưa gửi (đang soạn)",
    Report.State.SUBMITTED: "Đã gửi, chờ duyệt",
    Report.State.RETURNED: "Trả lại để sửa",
    Report.State.ACCEPTED: "Đã duyệt",
}
NOT_SENT = "Chưa gửi"


def _status_cells(status: completeness.UnitStatus) -> list[str]:
    state = STATE_LABELS.get(status.state or "", NOT_SENT)
    if status.is_late:
        note = f"Gửi muộn {status.days_late} ngày"
    elif status.is_overdue:
        note = f"Quá hạn {status.days_overdue} ngày"
    else:
        note = ""
    return [
        day_month_year(status.due_on),
        day_month_year(status.sent_on) if status.sent_on else "",
        state,
        note,
    ]


def _completeness_summary(statuses: list[completeness.UnitStatus], today: datetime.date) -> str:
    expected = len(statuses)
    reported = sum(1 for status in statuses if status.first_submitted_at)
    late = sum(1 for status in statuses if status.is_late)
    return (
        f"Tổng số: {expected} đơn vị; đã gửi {reported}, trong đó gửi muộn {late}; "
        f"chưa gửi {expected - reported}."
    )
