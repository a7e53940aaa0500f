"""What each document says: its header fields and its body, from the campaign, the
unit and the report. Nothing here knows about Word; `word.render` lays it out.

Documents are official Vietnamese texts, so they are written in Vietnamese whatever
the language of the person who asks for them. Their form follows Nghị định
30/2020/NĐ-CP as union offices apply it: the issuing body under its direct superior, a
number with the body's abbreviation, "DỰ THẢO" on whatever is not yet issued or
accepted, the signer's capacity, title and name, and recipients written one way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TypeVar

from django.utils import translation

from soket.analysis import charts, dashboard, selectors
from soket.analysis.selectors import Analysis
from soket.campaigns.deadlines import plan_of
from soket.campaigns.models import Campaign, OutlineSection, PlanSection
from soket.campaigns.plan import FOOTNOTE_MARK, paragraphs, section_paragraphs
from soket.campaigns.selectors import report_outline
from soket.core import filecheck
from soket.documents import pictures
from soket.documents.blocks import Block, Heading, Image, PageBreak, Para, Table
from soket.documents.formatting import (
    body_abbreviation,
    day_month_year,
    document_number,
    initials,
    lower_first,
    number,
    place_and_date,
    recipient_lines,
    signing_body,
)
from soket.documents.models import DocumentKind, ReportChart
from soket.orgs.models import Department, Unit
from soket.reports import completeness, consolidation, entry, lateness, provenance
from soket.reports.models import Assessment, Report
from soket.reports.selectors import EvaluationRow, evaluations, outline_sections, report_targets
from soket.reports.templatetags.report_tags import assessment_label
from soket.resolutions import meaning
from soket.resolutions.models import Target


@dataclass
class Composition:
    """A document ready to lay out: the template's fields, the body and the annex."""

    kind: str
    issuer: Unit
    filename: str
    context: dict
    body: list[Block]
    annex: list[Block] = field(default_factory=list)


# The header and the signature.


def _superior_lines(unit: Unit) -> list[str]:
    """The body directly above the issuer, in capitals: Nghị định 30 names the issuer
    and its direct superior only."""
    parent = unit.parent
    return [parent.name.upper()] if parent is not None else []


def _header(
    *,
    issuer_name: str,
    abbreviation: str,
    place: str,
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
    is_draft: bool,
    recipients: list[str],
) -> dict:
    return {
        "superior_lines": superior_lines,
        "issuer": issuer_name.upper(),
        "number": document_number(number_text, type_code=type_code, abbreviation=abbreviation),
        "place_and_date": place_and_date(place, day),
        "doc_type": doc_type,
        "title_lines": title_lines,
        "signing_capacity": signing_capacity.upper(),
        "signer_title": signer_title.upper(),
        "signer_name": signer_name,
        "is_signed": is_signed and not is_draft,
        "is_draft": is_draft,
        "is_annex": False,
        "attached_to": "",
        "recipients": recipient_lines(recipients),
    }


def _campaign_header(campaign: Campaign, *, doc_type: str, title_lines: list[str]) -> dict:
    owner = campaign.owner
    return _header(
        issuer_name=owner.name,
        abbreviation=body_abbreviation(owner),
        place=owner.place,
        superior_lines=_superior_lines(owner),
        type_code="KH",
        doc_type=doc_type,
        number_text=campaign.document_number if campaign.is_issued else "",
        day=campaign.issued_on if campaign.is_issued else None,
        title_lines=title_lines,
        signing_capacity=campaign.signing_capacity,
        signer_title=campaign.signer_title,
        signer_name=campaign.signer_name,
        is_signed=campaign.is_signed,
        is_draft=not campaign.is_issued,
        recipients=list(campaign.recipients.values_list("text", flat=True)),
    )


def plan_reference(campaign: Campaign) -> str:
    """ "Kế hoạch số 12/KH-LĐLĐ ngày 02/11/2015 của Ban Thường vụ Liên đoàn Lao động tỉnh
    Lạng Sơn": how other documents cite an issued plan (a draft has no number yet)."""
    owner = campaign.owner
    body = signing_body(campaign.signing_capacity)
    issuer = f"{body} {owner.name}" if body else owner.name
    if not campaign.is_issued:
        return f"Kế hoạch của {issuer}"
    number = document_number(
        campaign.document_number, type_code="KH", abbreviation=body_abbreviation(owner)
    )
    day = f" ngày {day_month_year(campaign.issued_on)}" if campaign.issued_on else ""
    return f"Kế hoạch số {number}{day} của {issuer}"


# The plan.


def plan_document(campaign: Campaign) -> Composition:
    with translation.override("vi"):
        notes = _Notes(campaign)
        sections = list(campaign.sections.order_by("order"))
        body: list[Block] = []
        if campaign.preamble:
            body.append(Para(campaign.preamble))
        for section, level in _in_tree_order(sections):
            body.extend(_plan_section(campaign, section, level, notes))
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


def _section_heading(number: str, heading: str, level: int) -> Heading:
    """A part ("Phần thứ nhất") stands centred over its title on a line of its own; any
    other section is a heading of its level."""
    if number.strip().lower().startswith("phần"):
        return Heading(f"{number.strip()}\n{heading.strip()}".strip(), level, centred=True)
    return Heading(f"{number} {heading}".strip(), level)


def _plan_section(
    campaign: Campaign, section: PlanSection, level: int, notes: _Notes
) -> list[Block]:
    blocks: list[Block] = []
    if section.heading:
        blocks.append(_section_heading(section.number, section.heading, level))
    for paragraph in section_paragraphs(section.number, section.heading, section.body):
        blocks.append(notes.para(paragraph.text, is_bullet=paragraph.is_bullet))
    if section.part == PlanSection.Part.TIMELINE and section.parent_id is None:
        for milestone in campaign.milestones.order_by("order"):
            blocks.append(Para(f"{milestone.label}: {milestone.text}", is_bullet=True))
    return blocks


class _Notes:
    """The footnotes of one document: each review item's reference, at the first place
    the document cites the item, whether by a "[^code]" mark in a text or by name."""

    def __init__(self, campaign: Campaign) -> None:
        items = [item for item in campaign.review_items.all() if item.reference]
        self.references = {item.code: item.reference for item in items}
        self.titles = {item.code: item.title for item in items}
        self.cited: set[str] = set()

    def para(self, text: str, *, is_bullet: bool = False, cites: str = "", **style) -> Para:
        """A paragraph whose "[^code]" marks, and the item named by `cites`, carry the
        item's footnote the first time it is cited (a later citation carries none)."""
        notes: list[str] = []

        def numbered(match) -> str:
            return self._note(match.group(1), notes)

        text = FOOTNOTE_MARK.sub(numbered, text)
        if cites:  # the mark goes right after the item's title, or at the end
            title = self.titles.get(cites, "")
            at = text.find(title) + len(title) if title and title in text else len(text)
            text = f"{text[:at]}{self._note(cites, notes)}{text[at:]}"
        return Para(text, is_bullet=is_bullet, notes=tuple(notes), **style)

    def _note(self, code: str, notes: list[str]) -> str:
        reference = self.references.get(code)
        if not reference or code in self.cited:
            return ""
        self.cited.add(code)
        notes.append(reference)
        return f"[^{len(notes)}]"


# The outline: an annex of the plan.


def outline_document(campaign: Campaign) -> Composition:
    """The report outline, printed as the annex of the plan it comes with: its title and
    "(Kèm theo Kế hoạch số … ngày … của …)", no number, signature or recipients."""
    with translation.override("vi"):
        notes = _Notes(campaign)
        body: list[Block] = []
        sections = list(report_outline(campaign).prefetch_related("targets", "review_items"))
        for section, level in _in_tree_order(sections):
            body.append(_section_heading(section.number, section.heading, level))
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
                                meaning.goal_printed(target),
                                target.unit_of_measure,
                            ]
                            for index, target in enumerate(targets, 1)
                        ],
                        widths_cm=[1.1, 9.9, 3.0, 2.5],
                        numeric_columns=frozenset({2}),
                    )
                )
            for item in section.review_items.all():
                body.append(notes.para(f"Đánh giá: {item.title}", is_bullet=True, cites=item.code))
        context = _campaign_header(
            campaign,
            doc_type="ĐỀ CƯƠNG BÁO CÁO",
            title_lines=[campaign.title],
        )
        # The plan's number, signer and recipients stay in the fields: a template that
        # knows annexes leaves them out; one made before prints the outline as it did.
        context |= {"is_annex": True, "attached_to": f"(Kèm theo {plan_reference(campaign)})"}
        return Composition(
            kind=DocumentKind.OUTLINE,
            issuer=campaign.owner,
            filename=f"de-cuong-{campaign.code}",
            context=context,
            body=body,
        )


# Reports.


def _target_name(target: Target) -> str:
    return f"{target.code}. {target.wording}"


def _above(row: EvaluationRow) -> bool:
    """Whether the goal printed is the level above's."""
    return row.goal_is_from_above and bool(meaning.goal_printed(row.goal))


def _goal_cell(row: EvaluationRow) -> str:
    """The unit's own goal where it set one through the cascade; the level above's,
    marked (*) and explained under the table, where it did not."""
    goal = meaning.goal_printed(row.goal)
    return f"{goal} (*)" if _above(row) else goal


def _goals_note(rows: list[EvaluationRow], unit: Unit) -> Para | None:
    above = {row.goal.resolution.issuer for row in rows if _above(row)}
    if not above:
        return None
    names = ", ".join(sorted(issuer.name for issuer in above))
    return Para(
        f"(*) Mục tiêu của {names}; {unit.name} chưa đặt mục tiêu riêng cho các chỉ tiêu "
        "đánh dấu (*).",
        italic=True,
    )


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
                _goal_cell(row),
                meaning.printed(row.target, row.figure.value),
                f"{number(row.evaluation.percent_of_goal)}%"
                if row.evaluation.percent_of_goal is not None
                else "",
                assessment_label(row.evaluation.assessment, campaign)
                if row.evaluation.assessment
                else "",
                provenance.printed(row.figure.causes.strip()),
            ]
            for index, row in enumerate(rows, 1)
        ],
        widths_cm=[0.9, 3.3, 2.0, 2.0, 2.2, 1.7, 4.4],
        numeric_columns=frozenset({2, 3, 4}),
    )


def _opening(report: Report) -> Para:
    """ "Thực hiện Kế hoạch số … của …, Ban Thường vụ … báo cáo kết quả … như sau:" —
    citing the plan and every deployment of it above the unit that is in force."""
    campaign = report.campaign
    unit = report.unit
    # The issued deployments by the unit's federations, of this plan (one level of
    # deployment per federation, each deploying the plan above it).
    deployments = [
        plan
        for plan in Campaign.objects.filter(
            owner__in=Unit.objects.ancestors_of(unit, include_self=True),
            state=Campaign.State.ISSUED,
            deployed_from__isnull=False,
        )
        .select_related("owner")
        .order_by("owner__depth")
        if plan_of(plan).pk == campaign.pk
    ]
    plans = [plan_reference(campaign), *(plan_reference(plan) for plan in deployments)]
    if report.department is not None:
        speaker = report.department.name
    else:
        body = signing_body(unit.kind.signing_capacity)
        speaker = f"{body} {unit.name}" if body else unit.name
    period = (
        f"từ ngày {day_month_year(campaign.reviewed_from)} "
        f"đến ngày {day_month_year(campaign.reviewed_to)}"
    )
    return Para(
        f"Thực hiện {' và '.join(plans)} về {lower_first(campaign.title)}, {speaker} báo cáo "
        f"kết quả thực hiện {period} như sau:"
    )


def _report_body(report: Report, notes: _Notes) -> list[Block]:
    campaign = report.campaign
    texts = dict(report.section_texts.values_list("section_id", "text"))
    items = dict(report.item_assessments.values_list("item_id", "text"))
    targets = report_targets(campaign, report.unit)
    rows = {row.target.pk: row for row in evaluations(report=report, targets=targets)}
    # Under each table of targets of a level with units below: whose reports it covers.
    coverage = _coverage(report) if entry.has_units_below(report) else None
    sections = outline_sections(campaign, report.unit)
    body: list[Block] = [_opening(report)]
    chosen = _Charts(report)
    for section, level in _in_tree_order(sections):
        body.append(_section_heading(section.number, section.heading, level))
        for paragraph in paragraphs(provenance.printed(texts.get(section.pk, ""))):
            body.append(notes.para(paragraph.text, is_bullet=paragraph.is_bullet))
        section_rows = [rows[target.pk] for target in section.targets.all() if target.pk in rows]
        if section_rows:
            body.append(_targets_table(campaign, section_rows))
            note = _goals_note(section_rows, report.unit)
            if note is not None:
                body.append(note)
            if coverage is not None:
                body.append(coverage)
            body += chosen.general()
            body += chosen.of_targets([row.target.pk for row in section_rows])
        for item in section.review_items.all():
            text = provenance.printed(items.get(item.pk, "")).strip()
            if text:
                for index, paragraph in enumerate(paragraphs(text)):
                    if index == 0:
                        body.append(notes.para(f"{item.title}: {paragraph.text}", cites=item.code))
                    else:
                        body.append(notes.para(paragraph.text, is_bullet=paragraph.is_bullet))
    body += chosen.rest()
    body += _figures(report)
    return body


class _Charts:
    """The dashboard's charts the writer chose for the report (documents.ReportChart),
    drawn by the page's code (soket.analysis.charts) as PNG and numbered "Biểu đồ n"
    where they are placed: who sent and the assessments after the first table of
    targets, a target's own chart after the table that holds it, anything left at the
    end. The analysis is read once, only when a chart needs it."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.waiting = (
            list(ReportChart.objects.filter(report=report).order_by("order", "pk"))
            if report.department_id is None
            else []
        )
        self.number = 0
        self._analysis: Analysis | None = None

    def analysis(self) -> Analysis:
        if self._analysis is None:
            self._analysis = selectors.unit_analysis(
                campaign=self.report.campaign,
                unit=self.report.unit,
                include_submitted=self.report.drafted_with_submitted,
            )
        return self._analysis

    def _take(self, wanted) -> list[Block]:
        taken = [chart for chart in self.waiting if wanted(chart)]
        self.waiting = [chart for chart in self.waiting if chart not in taken]
        return [block for chart in taken for block in self._drawn(chart)]

    def general(self) -> list[Block]:
        return self._take(lambda chart: chart.chart != ReportChart.Chart.TARGET)

    def of_targets(self, target_ids: list[int]) -> list[Block]:
        return self._take(lambda chart: chart.target_id in target_ids)

    def rest(self) -> list[Block]:
        return self._take(lambda chart: True)

    def _drawn(self, chart: ReportChart) -> list[Block]:
        report, unit = self.report, self.report.unit
        if chart.chart == ReportChart.Chart.PROGRESS:
            today = report_day(report) or lateness.today()
            progress = dashboard.progress(campaign=report.campaign, within=unit, today=today)
            title = f"Tình hình gửi báo cáo của các đơn vị trực thuộc {unit.name}"
            drawn = charts.progress_chart(progress.series(title))
        elif chart.chart == ReportChart.Chart.ASSESSMENTS:
            title = f"Kết quả thực hiện các chỉ tiêu của các đơn vị trực thuộc {unit.name}"
            bars = dashboard.assessment_bars(self.analysis())
            drawn = charts.assessments_chart(title, bars, _chart_labels(report.campaign))
        else:
            row = next((r for r in self.analysis().rows if r.target.pk == chart.target_id), None)
            if row is None or not dashboard.charted(row):
                return []  # no longer asked of the unit, or no unit below has a figure
            data = dashboard.target_bars(row)
            title = f"{data.title} — kết quả của các đơn vị trực thuộc"
            drawn = charts.target_chart(data, _chart_labels(report.campaign))
        self.number += 1
        width_in, height_in = drawn.get_size_inches()
        width_cm = min(FIGURE_WIDTH_CM, FIGURE_HEIGHT_CM * width_in / height_in)
        data_png = charts.render(drawn, charts.PNG)
        return [Image(data_png, f"Biểu đồ {self.number}: {title}", width_cm=width_cm)]


def _chart_labels(campaign: Campaign) -> dict[str, str]:
    return {
        **{value: assessment_label(value, campaign) for value in Assessment.values},
        charts.NOT_JUDGED: "có số liệu, không đánh giá ở cấp này",
        charts.NO_FIGURE: "chưa có số liệu",
    }


def _coverage(report: Report) -> Para:
    """Under the targets table of a level with units below: how many units' reports the
    figures were drafted from, out of how many expected, and in which states."""
    statuses = completeness.children_status(
        campaign=report.campaign, within=report.unit, today=lateness.today()
    )
    expected = len(statuses)
    if report.drafted_at is None:
        return Para(
            f"Số liệu do {report.unit.name} tự tổng hợp ({expected} đơn vị trực thuộc "
            "phải báo cáo).",
            italic=True,
        )
    states = consolidation.states_used(report.drafted_with_submitted)
    expected_ids = {status.unit.pk for status in statuses}
    then = completeness.states_at(
        campaign=report.campaign, within=report.unit, moment=report.drafted_at
    )
    used: dict[str, int] = {}
    for unit_id, (state, _first, _accepted) in then.items():
        if unit_id in expected_ids and state in states:
            used[state] = used.get(state, 0) + 1
    total = sum(used.values())
    detail = "; ".join(
        f"{STATE_LABELS[state].lower()}: {used[state]}" for state in states if used.get(state)
    )
    return Para(
        f"Số liệu tổng hợp từ báo cáo của {total}/{expected} đơn vị trực thuộc phải báo cáo"
        + (f" ({detail})" if detail else "")
        + f", tính đến lần tổng hợp ngày {day_month_year(lateness.local_date(report.drafted_at))}.",
        italic=True,
    )


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


def report_day(report: Report) -> datetime.date | None:
    """The date a report's document bears: the one recorded by the office, else the day
    it was sent while it stands sent or accepted; none otherwise (a report returned for
    correction is a new draft: left blank to write by hand)."""
    if report.issued_on:
        return report.issued_on
    if report.submitted_at and report.state in SENT:
        return lateness.local_date(report.submitted_at)
    return None


SENT = (Report.State.SUBMITTED, Report.State.ACCEPTED)


def is_issued(report: Report) -> bool:
    """A report is issued once the level above has accepted it, or once it was sent with
    its signed original recorded by the office; until then, and again whenever it is
    returned or reopened for correction, it prints "DỰ THẢO"."""
    return report.state == Report.State.ACCEPTED or (
        report.state == Report.State.SUBMITTED and report.is_signed
    )


def _report_header(report: Report, *, title_lines: list[str]) -> dict:
    unit = report.unit
    department: Department | None = report.department
    # A report is issued once the level above has accepted it, or once its office has
    # recorded the signed original: until then it prints "DỰ THẢO".
    is_draft = not is_issued(report)
    if department is not None:
        return _header(
            issuer_name=department.name,
            abbreviation=initials(department.name),
            place=unit.place,
            superior_lines=[unit.name.upper()],
            type_code="BC",
            doc_type="BÁO CÁO",
            number_text=report.document_number,
            day=report_day(report),
            title_lines=title_lines,
            signing_capacity="",
            signer_title=department.signer_title,
            signer_name=department.signer_name,
            is_signed=report.is_signed,
            is_draft=is_draft,
            recipients=[
                f"Ban Chỉ đạo {_review_word(report.campaign)} {unit.name} (B/c)",
                f"Lưu: VT, {initials(department.name)}",
            ],
        )
    recipients = [f"{unit.parent.name} (B/c)"] if unit.parent is not None else []
    return _header(
        issuer_name=unit.name,
        abbreviation=body_abbreviation(unit),
        place=unit.place,
        superior_lines=_superior_lines(unit),
        type_code="BC",
        doc_type="BÁO CÁO",
        number_text=report.document_number,
        day=report_day(report),
        title_lines=title_lines,
        signing_capacity=unit.kind.signing_capacity,
        signer_title=unit.kind.signer_title,
        signer_name=unit.signer_name,
        is_signed=report.is_signed,
        is_draft=is_draft,
        recipients=[*recipients, "Lưu: VT"],
    )


def _review_word(campaign: Campaign) -> str:
    return "sơ kết" if campaign.kind == Campaign.Kind.INTERIM else "tổng kết"


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
            body=_report_body(report, _Notes(campaign)),
        )


def report_has_annex(report: Report) -> bool:
    """A unit with units below reports for them too: its document carries the annex."""
    return entry.has_units_below(report)


def report_composition(report: Report) -> Composition:
    """The document of a report: consolidated (with its annex) where units report to it."""
    return consolidated_document(report) if report_has_annex(report) else report_document(report)


def consolidated_document(report: Report, *, today: datetime.date | None = None) -> Composition:
    """A unit's report with the annex of who below reported, when, late or missing, as
    things stood on the report's own date (today for a report not yet sent)."""
    composition = report_document(report)
    with translation.override("vi"):
        day = report_day(report)
        as_of = day or today or lateness.today()
        statuses = completeness.children_status(
            campaign=report.campaign, within=report.unit, today=as_of, as_of_day=day is not None
        )
        composition.kind = DocumentKind.CONSOLIDATED
        composition.filename = f"bao-cao-tong-hop-{report.unit.code}-{report.campaign.code}"
        context = composition.context
        speaker = report.unit.name
        body = signing_body(report.unit.kind.signing_capacity)
        cited = f"Báo cáo số {context['number']}"
        if day is not None:
            cited += f" ngày {day_month_year(day)}"
        composition.annex = [
            PageBreak(),
            Heading("PHỤ LỤC", 1, centred=True),
            Para(
                f"TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ TRỰC THUỘC {speaker.upper()}",
                bold=True,
                centred=True,
            ),
            Para(
                f"(Kèm theo {cited} của {body + ' ' if body else ''}{speaker})",
                italic=True,
                centred=True,
            ),
            Para(f"Tính đến ngày {day_month_year(as_of)}", italic=True, centred=True),
            Table(
                header=["TT", "Đơn vị", "Hạn gửi", "Ngày gửi", "Tình trạng", "Ghi chú"],
                rows=[
                    [str(index), status.unit.name, *_status_cells(status)]
                    for index, status in enumerate(statuses, 1)
                ],
                widths_cm=[1.0, 5.3, 2.4, 2.4, 2.7, 2.7],
            ),
            Para(_completeness_summary(statuses)),
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


def _completeness_summary(statuses: list[completeness.UnitStatus]) -> str:
    expected = len(statuses)
    reported = sum(1 for status in statuses if status.first_submitted_at)
    late = sum(1 for status in statuses if status.is_late)
    return (
        f"Tổng số: {expected} đơn vị; đã gửi {reported}, trong đó gửi muộn {late}; "
        f"chưa gửi {expected - reported}."
    )
