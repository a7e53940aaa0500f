"""Downloads of the official documents and Excel forms, and the upload of filled forms
and of Word templates. Every object is fetched through a scoped selector first."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soket import access
from soket.campaigns.models import Campaign
from soket.core.tabular import TableError
from soket.documents import content, export, generate, pdf, report_form, services, word
from soket.documents.models import DocumentKind, DocumentTemplate
from soket.documents.template_builder import BUILTIN
from soket.orgs.models import Unit
from soket.reports.models import Report
from soket.reports.selectors import report_detail_for
from soket.reports.services import ReportError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = (generate.DOCX, generate.PDF)


def _get_campaign_for_user(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(access.visible_campaigns(request.user), pk=pk)


def _get_report_for_user(request: HttpRequest, pk: int) -> Report:
    try:
        return report_detail_for(user=request.user, pk=pk)
    except Report.DoesNotExist:
        raise Http404 from None


def _get_unit_for_user(request: HttpRequest, pk: int) -> Unit:
    return get_object_or_404(access.visible_units(request.user), pk=pk)


def _download(
    request: HttpRequest, composition: content.Composition, file_format: str, back: str
) -> HttpResponse:
    if file_format not in FORMATS:
        raise Http404
    try:
        data = generate.document_bytes(composition, file_format)
    except (pdf.PdfUnavailable, word.TemplateProblem) as problem:
        messages.error(request, str(problem))
        return redirect(back)
    response = HttpResponse(data, content_type=generate.CONTENT_TYPES[file_format])
    filename = f"{composition.filename}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def campaign_document(request: HttpRequest, pk: int, kind: str, file_format: str) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk)
    builders = {
        DocumentKind.PLAN: content.plan_document,
        DocumentKind.OUTLINE: content.outline_document,
    }
    if kind not in builders:
        raise Http404
    return _download(
        request,
        builders[kind](campaign),
        file_format,
        reverse("campaign_detail", args=[campaign.pk]),
    )


def report_has_annex(report: Report) -> bool:
    """A unit with units below reports for them too: its document carries the annex."""
    return report.department_id is None and report.unit.children.exists()


@login_required
def report_document(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    composition = (
        content.consolidated_document(report)
        if report_has_annex(report)
        else content.report_document(report)
    )
    return _download(request, composition, file_format, reverse("report_detail", args=[report.pk]))


@login_required
def report_form_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    if not access.can_edit_report(request.user, report):
        raise PermissionDenied
    response = HttpResponse(report_form.form_xlsx(report), content_type=XLSX)
    name = f"bieu-mau-{report.unit.code}-{report.campaign.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def report_form_upload(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the filled-in form to upload."))
        return redirect(reverse("report_detail", args=[report.pk]))
    if upload.size > settings.SOKET_MAX_UPLOAD_BYTES:
        messages.error(request, _("The file is larger than allowed."))
        return redirect(reverse("report_detail", args=[report.pk]))
    try:
        changed = services.report_form_upload(
            report=report, by=request.user, filename=upload.name, data=upload.read()
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


@login_required
def consolidated_table(request: HttpRequest, pk: int, unit_pk: int) -> FileResponse:
    campaign = _get_campaign_for_user(request, pk)
    unit = _get_unit_for_user(request, unit_pk)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    export.consolidated_table(campaign=campaign, within=unit, output=output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"bang-tong-hop-{unit.code}-{campaign.code}.xlsx",
        content_type=XLSX,
    )


# Word templates.


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    units = list(access.role_units(request.user, access.Perm.MANAGE).order_by("path"))
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
def template_builtin(request: HttpRequest) -> FileResponse:
    return FileResponse(
        BUILTIN.open("rb"),
        as_attachment=True,
        filename="mau-van-ban-soket.docx",
        content_type=generate.CONTENT_TYPES[generate.DOCX],
    )


@login_required
@require_POST
def template_upload(request: HttpRequest) -> HttpResponse:
    unit = get_object_or_404(
        access.role_units(request.user, access.Perm.MANAGE), pk=request.POST.get("unit") or 0
    )
    kind = request.POST.get("kind", "")
    upload = request.FILES.get("file")
    if kind not in DocumentKind.values or upload is None:
        messages.error(request, _("Choose a document and a .docx file."))
        return redirect("template_list")
    try:
        services.template_upload(
            unit=unit, kind=kind, filename=upload.name, data=upload.read(), by=request.user
        )
    except word.TemplateProblem as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("The template is in use for %s.") % unit)
    return redirect("template_list")


@login_required
@require_POST
def template_remove(request: HttpRequest, pk: int) -> HttpResponse:
    managed = access.role_units(request.user, access.Perm.MANAGE)
    template = get_object_or_404(DocumentTemplate.objects.filter(unit__in=managed), pk=pk)
    services.template_remove(template=template, by=request.user)
    messages.success(request, _("The built-in template is in use again."))
    return redirect("template_list")
