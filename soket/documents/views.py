"""Downloads of the official documents and Excel forms, and the upload of filled forms
and of Word templates. Every object is fetched through a scoped selector first."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from soket.campaigns.access import visible_campaigns
from soket.campaigns.models import Campaign
from soket.core import filecheck, params
from soket.core.tabular import TableError
from soket.documents import content, generate, jobs, pdf, report_form, services, word
from soket.documents.models import DocumentJob, DocumentKind, DocumentTemplate, ReportChart
from soket.documents.template_builder import BUILTIN
from soket.orgs import access
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import Unit
from soket.reports import workflow
from soket.reports.models import Report
from soket.reports.selectors import report_detail_for, report_targets
from soket.reports.services import ReportError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {**generate.CONTENT_TYPES, jobs.XLSX: XLSX}


def _get_campaign_for_user(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    return get_object_or_404(visible_campaigns(request.user), pk=pk)


def _get_report_for_user(request: AuthenticatedHttpRequest, pk: int) -> Report:
    try:
        return report_detail_for(user=request.user, pk=pk)
    except Report.DoesNotExist:
        raise Http404 from None


def _get_unit_for_user(request: AuthenticatedHttpRequest, pk: int) -> Unit:
    return get_object_or_404(access.visible_units(request.user), pk=pk)


def _download(
    request: AuthenticatedHttpRequest, composition: content.Composition, back: str
) -> HttpResponse:
    """A light document as Word, made in the request (the heavy ones: `document_request`)."""
    try:
        data = generate.docx_bytes(composition)
    except word.TemplateProblem as problem:
        messages.error(request, str(problem))
        return redirect(back)
    response = HttpResponse(data, content_type=generate.CONTENT_TYPES[generate.DOCX])
    response["Content-Disposition"] = f'attachment; filename="{composition.filename}.docx"'
    return response


@login_required
def campaign_document(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk)
    builders: dict[str, Callable[[Campaign], content.Composition]] = {
        DocumentKind.PLAN: content.plan_document,
        DocumentKind.OUTLINE: content.outline_document,
    }
    if kind not in builders:
        raise Http404
    return _download(
        request, builders[kind](campaign), reverse("campaign_detail", args=[campaign.pk])
    )


@login_required
def report_document(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    if jobs.made_in_background(what=jobs.What.REPORT, file_format=generate.DOCX, report=report):
        raise Http404  # a heavier report is asked for through document_request
    return _download(
        request, content.report_document(report), reverse("report_detail", args=[report.pk])
    )


# Documents made in the background.


# What a document being made is called where its button was.
FORMAT_NAMES = {
    generate.PDF: gettext_lazy("PDF"),
    generate.DOCX: gettext_lazy("Word file"),
    jobs.XLSX: gettext_lazy("Excel file"),
}


@login_required
@require_POST
def document_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for a PDF, a consolidated report or the consolidated table; then wait for it
    on its own page, or, asked through htmx, in place of the button (`_job_inline.html`)."""
    post = request.POST
    campaign = _get_campaign_for_user(request, params.id_or_404(post.get("campaign")))
    report = unit = None
    if post.get("report"):
        report = _get_report_for_user(request, params.id_or_404(post.get("report")))
    if post.get("unit"):
        unit = _get_unit_for_user(request, params.id_or_404(post.get("unit")))
    try:
        job = jobs.job_request(
            by=request.user,
            what=post.get("what", ""),
            file_format=post.get("format", ""),
            campaign=campaign,
            report=report,
            unit=unit,
        )
    except jobs.JobRefused as refused:
        if _from_htmx(request):
            return render(request, "documents/_job_inline.html", {"refused": str(refused)})
        messages.error(request, str(refused))
        if report is not None:
            return redirect("report_detail", pk=report.pk)
        if unit is not None:
            return redirect("campaign_reports", campaign_pk=campaign.pk)
        return redirect("campaign_detail", pk=campaign.pk)
    if _from_htmx(request):
        return render(request, "documents/_job_inline.html", _job_context(job))
    return redirect("document_job", pk=job.pk)


def _from_htmx(request: AuthenticatedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _get_job_for_user(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> DocumentJob:
    try:
        return jobs.job_for(user=request.user, pk=pk)
    except DocumentJob.DoesNotExist:
        raise Http404 from None


def _job_context(job: DocumentJob) -> dict:
    return {
        "job": job,
        "position": jobs.queue_position(job),
        "name": FORMAT_NAMES.get(job.file_format, job.file_format),
        "waiting_long": jobs.waiting_long(job),
    }


@login_required
def document_job(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _get_job_for_user(request, pk)
    return render(request, "documents/job.html", _job_context(job))


@login_required
def document_job_status(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The job's state, swapped in by htmx every few seconds until it is finished."""
    job = _get_job_for_user(request, pk)
    return render(request, "documents/_job_status.html", _job_context(job))


@login_required
@require_GET
def document_job_inline(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The job in place of the button that asked for it, swapped in by htmx every second
    until it is finished."""
    job = _get_job_for_user(request, pk)
    return render(request, "documents/_job_inline.html", _job_context(job))


@login_required
def document_job_file(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> FileResponse:
    job = _get_job_for_user(request, pk)
    if job.state != DocumentJob.State.READY or not job.file:
        raise Http404
    try:
        made = job.file.open("rb")
    except FileNotFoundError:  # removed from the disk by hand, or restored without it
        raise Http404 from None
    return FileResponse(
        made,
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES[job.file_format],
    )


@login_required
def report_form_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    if not workflow.can_edit(request.user, report):
        raise PermissionDenied
    try:
        data = report_form.form_xlsx(report)
    except ReportError as error:  # a text stored before the limit was what a cell holds
        messages.error(request, str(error))
        return redirect(reverse("report_detail", args=[report.pk]))
    response = HttpResponse(data, content_type=XLSX)
    name = f"bieu-mau-{report.unit.code}-{report.campaign.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def report_form_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    if not workflow.can_edit(request.user, report):
        raise PermissionDenied
    try:
        upload = filecheck.received_file(request, "file", limit=settings.SOKET_MAX_UPLOAD_BYTES)
    except filecheck.FileRefused as refused:
        messages.error(request, str(refused))
        return redirect(reverse("report_detail", args=[report.pk]))
    if upload is None:
        messages.error(request, _("Choose the filled-in form to upload."))
        return redirect(reverse("report_detail", args=[report.pk]))
    try:
        changed = services.report_form_upload(
            report=report, by=request.user, filename=upload.name or "", data=upload.read()
        )
    except TableError as error:
        for problem in error.errors[:20]:
            messages.error(request, str(problem))
        if len(error.errors) > 20:
            messages.error(request, _("…and %d more problems.") % (len(error.errors) - 20))
        messages.error(request, _("Nothing was saved: correct the file and upload it again."))
    except ReportError as error:
        messages.error(request, str(error))
    else:
        if changed:
            messages.success(request, _("The form was read and the report saved."))
        else:
            messages.info(request, _("The form holds nothing new: the report is unchanged."))
    return redirect(reverse("report_detail", args=[report.pk]))


# Word templates.


@login_required
def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    units = list(access.template_units(request.user).order_by("path"))
    templates = DocumentTemplate.objects.filter(unit__in=units).select_related(
        "unit", "uploaded_by"
    )
    return render(
        request,
        "documents/template_list.html",
        {
            "units": units,
            "kinds": DocumentKind.choices,
            "templates": templates,
            "pdf_missing": pdf.missing(),
        },
    )


@login_required
def template_builtin(request: AuthenticatedHttpRequest) -> FileResponse:
    return FileResponse(
        BUILTIN.open("rb"),
        as_attachment=True,
        filename="mau-van-ban-soket.docx",
        content_type=generate.CONTENT_TYPES[generate.DOCX],
    )


@login_required
@require_POST
def template_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    unit = get_object_or_404(
        access.template_units(request.user), pk=params.id_or_404(request.POST.get("unit"))
    )
    kind = request.POST.get("kind", "")
    try:
        upload = filecheck.received_file(request, "file", limit=settings.SOKET_MAX_UPLOAD_BYTES)
    except filecheck.FileRefused as refused:
        messages.error(request, str(refused))
        return redirect("template_list")
    if kind not in DocumentKind.values or upload is None:
        messages.error(request, _("Choose a document and a .docx file."))
        return redirect("template_list")
    try:
        services.template_upload(unit=unit, kind=kind, upload=upload, by=request.user)
    except word.TemplateProblem as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("The template is in use for %s.") % unit)
    return redirect("template_list")


@login_required
@require_POST
def template_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    managed = access.template_units(request.user)
    template = get_object_or_404(DocumentTemplate.objects.filter(unit__in=managed), pk=pk)
    services.template_remove(template=template, by=request.user)
    messages.success(request, _("The built-in template is in use again."))
    return redirect("template_list")


# The dashboard's charts a federation's report prints.

CHART = "bieu-do"  # the form's field: "progress", "assessments" or "target:<id>"


def _chart_value(choice: services.ChartChoice) -> str:
    chart, target = choice
    return f"{chart}:{target}" if target else chart


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_charts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Choose which of the dashboard's charts the report's Word and PDF print, in the
    order ticked (the same drawing as the page's, as an image)."""
    report = _get_report_for_user(request, pk)
    offer = services.report_chart_offer(report)
    if not offer:
        raise Http404
    if not workflow.can_edit(request.user, report):
        raise PermissionDenied
    by_value = {_chart_value(choice): choice for choice in offer}
    if request.method == "POST":
        asked = request.POST.getlist(CHART)
        unknown = [value for value in asked if value not in by_value]
        if unknown:
            messages.error(request, _("A chart chosen is not one this report can print."))
        else:
            try:
                services.report_charts_set(
                    report=report, by=request.user, chosen=[by_value[value] for value in asked]
                )
            except ReportError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The report's document will print the charts chosen."))
                return redirect(reverse("report_detail", args=[report.pk]))
        chosen = set(asked)
    else:
        chosen = {
            _chart_value((chart, target))
            for chart, target in ReportChart.objects.filter(report=report).values_list(
                "chart", "target_id"
            )
        }
    targets = {t.pk: t for t in report_targets(report.campaign, report.unit)}
    options = [
        {
            "value": value,
            "label": f"{targets[target].code}. {targets[target].wording}"
            if target
            else ReportChart.Chart(chart).label,
            "chosen": value in chosen,
        }
        for value, (chart, target) in by_value.items()
    ]
    return render(request, "documents/report_charts.html", {"report": report, "options": options})
