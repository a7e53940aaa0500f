"""Writes that documents cause: a report filled in offline, a unit's own Word template."""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from docx import Document

from soket.audit import services as audit
from soket.core import clock, filecheck
from soket.documents import word
from soket.documents.blocks import Para
from soket.documents.models import DocumentTemplate, ReportChart
from soket.documents.report_form import FormContent, read_form
from soket.orgs import access
from soket.orgs.models import Unit, User
from soket.reports import entry, workflow
from soket.reports.models import Report
from soket.reports.selectors import report_targets
from soket.reports.services import (
    ReportError,
    figure_fields,
    report_save,
    require_editable,
    require_permission,
)
from soket.resolutions import meaning
from soket.resolutions.models import Target


def report_form_upload(*, report: Report, by: User, filename: str, data: bytes) -> bool:
    """Save what a unit filled in its Excel form; False when the file changes nothing.

    All or nothing: any invalid cell refuses the whole file (TableError). A form made
    from an older revision is refused if it would overwrite changes made since. The
    workbook is read before the report is locked (reading takes a moment); the revision
    check under the lock makes that safe.
    """
    require_permission(workflow.can_edit(by, report))
    require_editable(report)
    content = read_form(report=report, filename=filename, data=data)
    return _report_form_keep(report=report, by=by, content=content)


@transaction.atomic
def _report_form_keep(*, report: Report, by: User, content: FormContent) -> bool:
    report = Report.objects.select_for_update().get(pk=report.pk)
    require_editable(report)
    if _unchanged(report, content):
        return False
    if content.revision != report.revision:
        raise ReportError(
            _(
                "The report was changed on the web after this form was downloaded. "
                "Download the form again so that nothing is overwritten."
            )
        )
    report_save(
        report=report,
        by=by,
        revision=report.revision,
        sections=content.sections,
        figures=content.figures,
        items=content.items,
    )
    return True


def _unchanged(report: Report, content: FormContent) -> bool:
    texts = dict(report.section_texts.values_list("section_id", "text"))
    items = dict(report.item_assessments.values_list("item_id", "text"))
    if any(texts.get(pk, "") != text for pk, text in content.sections.items()):
        return False
    if any(items.get(pk, "") != text for pk, text in content.items.items()):
        return False
    stored = {figure.target_id: figure for figure in report.figures.all()}
    targets = Target.objects.in_bulk(list(content.figures))
    for target_id, given in content.figures.items():
        figure = stored.get(target_id)
        wanted = figure_fields(targets[target_id], given)
        if figure is None:
            if any(value is not None for value in wanted.values()) or given.causes:
                return False
            continue
        if figure.causes != given.causes or any(
            _differs(getattr(figure, name), value) for name, value in wanted.items()
        ):
            return False
    return True


def _differs(stored: Decimal | None, given: Decimal | None) -> bool:
    if stored is None or given is None:
        return stored is not given
    return stored.quantize(Decimal("0.0001")) != Decimal(given).quantize(Decimal("0.0001"))


SAMPLE_CONTEXT = {
    "superior_lines": ["TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM"],
    "issuer": "LIÊN ĐOÀN LAO ĐỘNG TỈNH",
    "number": "01/KH-LĐLĐ",
    "place_and_date": "ngày 01 tháng 01 năm 2025",
    "doc_type": "KẾ HOẠCH",
    "title_lines": ["Thử mẫu"],
    "signing_capacity": "TM. BAN THƯỜNG VỤ",
    "signer_title": "CHỦ TỊCH",
    "signer_name": "Nguyễn Văn A",
    "is_signed": True,
    "recipients": ["- Lưu: VT."],
}


def template_upload(*, unit: Unit, kind: str, upload: UploadedFile, by: User) -> DocumentTemplate:
    """Put a unit's own Word template in place of the built-in one, once it renders.

    Only a federation's campaign administrators may; the file is checked by size and by
    what it unpacks to before python-docx reads it, and rendered once with sample
    values in the sandbox (every tag checked) before it is kept. The trial rendering
    happens before the transaction, so that no write waits on it."""
    require_permission(access.can_manage_templates(by, unit))
    filename = upload.name or ""
    if not filename.lower().endswith(".docx"):
        raise word.TemplateProblem(_("Upload the template as a .docx file."))
    try:
        if upload.size is not None:  # Django gives every file it receives its size
            filecheck.check_size(upload.size, limit=settings.SOKET_MAX_UPLOAD_BYTES)
        filecheck.check_zip(upload, members=("word/document.xml",))
    except filecheck.FileDamaged:
        raise word.TemplateProblem(_("The template is not a valid Word (.docx) file.")) from None
    except filecheck.FileRefused as refused:
        raise word.TemplateProblem(str(refused)) from None
    data = upload.read()
    trial = word.render(io.BytesIO(data), context=SAMPLE_CONTEXT, body=[Para("Thử mẫu.")])
    try:  # what it made must open as a Word document again
        Document(io.BytesIO(trial))
    except Exception:  # python-docx and lxml raise many kinds of error
        raise word.TemplateProblem(
            _("Filled in, the template does not make a valid Word document.")
        ) from None
    return _template_keep(unit=unit, kind=kind, filename=filename, data=data, by=by)


@transaction.atomic
def _template_keep(
    *, unit: Unit, kind: str, filename: str, data: bytes, by: User
) -> DocumentTemplate:
    template = DocumentTemplate.objects.select_for_update().filter(unit=unit, kind=kind).first()
    before = {"name": template.name} if template else {}
    if template is None:
        template = DocumentTemplate(unit=unit, kind=kind)
    else:
        template.file.delete(save=False)
    template.name = filename[-200:]
    template.uploaded_by = by
    template.uploaded_at = clock.now()
    template.file.save(f"{unit.pk}-{kind}.docx", ContentFile(data), save=False)
    template.save()
    audit.record(
        by=by, action="template", instance=template, before=before, after={"name": template.name}
    )
    return template


@transaction.atomic
def template_remove(*, template: DocumentTemplate, by: User) -> None:
    """Go back to the built-in template."""
    require_permission(access.can_manage_templates(by, template.unit))
    audit.record(
        by=by, action="template-remove", instance=template, before={"name": template.name}, after={}
    )
    template.file.delete(save=False)
    template.delete()


ChartChoice = tuple[str, int | None]  # (ReportChart.Chart, target id for a target's chart)


@transaction.atomic
def report_charts_set(*, report: Report, by: User, chosen: list[ChartChoice]) -> None:
    """The dashboard's charts the report's document prints, in this order; the ones
    offered are `report_chart_offer`'s (a chart not offered is refused)."""
    require_permission(workflow.can_edit(by, report))
    require_editable(report)  # what went up prints as it went
    offered = set(report_chart_offer(report))
    refused = [choice for choice in chosen if choice not in offered]
    if refused:
        raise ReportError(_("A chart chosen is not one this report can print."))
    before = _chart_keys(report)
    ReportChart.objects.filter(report=report).delete()
    ReportChart.objects.bulk_create(
        ReportChart(report=report, chart=chart, target_id=target, order=order)
        for order, (chart, target) in enumerate(dict.fromkeys(chosen), 1)
    )
    audit.record(by=by, action="report-charts", instance=report, before=before,
                 after=_chart_keys(report))  # fmt: skip


def _chart_keys(report: Report) -> dict:
    rows = ReportChart.objects.filter(report=report).values_list("chart", "target_id")
    return {"charts": [f"{chart}:{target or ''}" for chart, target in rows]}


def report_chart_offer(report: Report) -> list[ChartChoice]:
    """The charts a federation's report may print: who sent on time, the assessments
    of the units below, and one per target of the outline with figures to draw (the
    page does not know yet which will have figures: every target with a number)."""
    if report.department_id is not None or not entry.has_units_below(report):
        return []
    targets = report_targets(report.campaign, report.unit)
    return [
        (ReportChart.Chart.PROGRESS, None),
        (ReportChart.Chart.ASSESSMENTS, None),
        *((ReportChart.Chart.TARGET, t.pk) for t in targets if not meaning.is_qualitative(t)),
    ]
