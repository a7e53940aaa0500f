from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soket import access
from soket.campaigns.models import Campaign
from soket.campaigns.selectors import participating_units
from soket.core import clock, filecheck, params
from soket.notices.services import notify
from soket.orgs.models import Department, Role, Unit, User
from soket.reports import attachments, completeness, consolidation, entry, selectors, services
from soket.reports.forms import ReportForm, read_reference_form, read_report_form
from soket.reports.models import Assessment, Attachment, Report, Transition


def _get_report_for_user(request: HttpRequest, pk: int) -> Report:
    try:
        return selectors.report_detail_for(user=request.user, pk=pk)
    except Report.DoesNotExist:
        raise Http404 from None


def _get_campaign_for_user(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(access.visible_campaigns(request.user), pk=pk)


def _render_report(
    request: HttpRequest, report: Report, *, form: ReportForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    rows = selectors.evaluations(report=report)
    below = entry.has_units_below(report)
    stored = {text.section_id: text.text for text in report.section_texts.all()}
    items = {item.item_id: item.text for item in report.item_assessments.all()}
    texts = dict(stored)
    if form is not None:  # show what the person typed, and what is stored where it differs
        texts.update(form.sections)
        items.update(form.items)
    has_below = report.department_id is None and (
        report.unit.children.exists() or report.unit.departments.exists()
    )
    can_edit = report.is_editable and access.can_edit_report(user, report)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "rows": rows,
            # Entered as a numerator and a denominator, as the Excel form asks too.
            "counted": {
                row.target.pk
                for row in rows
                if entry.entered_as_counts(row.target, units_below=below)
            },
            "posted": form.figures if form else {},
            "sections": [
                (section, texts.get(section.pk, ""), stored.get(section.pk, ""))
                for section in selectors.outline_sections(report.campaign)
            ],
            "items": [
                (item, items.get(item.pk, "")) for item in report.campaign.review_items.all()
            ],
            "due_on": selectors.due_on(report),
            "can_edit": can_edit,
            "can_submit": access.can_submit_report(user, report),
            "can_review": access.can_review_report(user, report),
            "has_below": has_below,
            "moved": consolidation.moved_figures(report=report) if has_below and can_edit else [],
            "changes": selectors.version_changes(report),
            "transitions": report.transitions.select_related("by"),
            "form_errors": form.errors if form else [],
            "assessments": Assessment.choices,
        },
        status=status,
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_report(request, _get_report_for_user(request, pk))


def _revision(request: HttpRequest) -> int:
    return params.id_or_404(request.POST.get("revision"))


@login_required
@require_POST
def report_save(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    form = read_report_form(
        request.POST,
        targets=selectors.report_targets(report.campaign),
        section_ids=[s.pk for s in report.campaign.outline_sections.all()],
        item_ids=[i.pk for i in report.campaign.review_items.all()],
    )
    if form.errors:
        return _render_report(request, report, form=form, status=400)
    try:
        services.report_save(
            report=report,
            by=request.user,
            revision=_revision(request),
            sections=form.sections,
            figures=form.figures,
            items=form.items,
        )
    except services.ReportConflict as error:
        form.errors.append(str(error))
        report.refresh_from_db()
        return _render_report(request, report, form=form, status=409)
    except services.ReportError as error:
        form.errors.append(str(error))
        return _render_report(request, report, form=form, status=400)
    messages.success(request, _("Saved."))
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_reference(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the document's number, date and whether a signed original exists."""
    report = _get_report_for_user(request, pk)
    form = read_reference_form(request.POST)
    if form.errors:
        messages.error(request, " ".join(form.errors))
        return redirect("report_detail", pk=report.pk)
    try:
        services.report_set_reference(
            report=report,
            by=request.user,
            revision=_revision(request),
            document_number=form.document_number,
            issued_on=form.issued_on,
            is_signed=form.is_signed,
        )
    except services.ReportConflict:
        messages.error(
            request,
            _(
                "Someone else saved this report meanwhile; the number and date were not saved. "
                "Enter them again."
            ),
        )
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The document's number and date are saved."))
    return redirect("report_detail", pk=report.pk)


# Each move: the service that makes it, and the state it leaves the report in.
Action = Transition.Action

# Each move: the service that makes it, and the transition it records.
MOVES = {
    "gui": (lambda report, by, reason: services.report_submit(report=report, by=by), Action.SUBMIT),
    "rut": (
        lambda report, by, reason: services.report_withdraw(report=report, by=by),
        Action.WITHDRAW,
    ),
    "tra-lai": (
        lambda report, by, reason: services.report_return(report=report, by=by, reason=reason),
        Action.RETURN,
    ),
    "chap-nhan": (
        lambda report, by, reason: services.report_accept(report=report, by=by),
        Action.ACCEPT,
    ),
    "mo-lai": (
        lambda report, by, reason: services.report_reopen(report=report, by=by, reason=reason),
        Action.REOPEN,
    ),
}


def _made_by_them_just_now(report: Report, user: User, action: str) -> bool:
    """Whether this very move is the report's last one, made by this person: their
    previous click (a double click, a resent form) did it."""
    last = report.transitions.order_by("-at", "-pk").first()
    return last is not None and last.action == action and last.by_id == user.pk


@login_required
@require_POST
def report_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit, withdraw, return, accept or reopen; a repeated click changes nothing, and
    the person whose first click succeeded is told so rather than shown an error."""
    report = _get_report_for_user(request, pk)
    if action not in MOVES:
        raise Http404
    move, recorded = MOVES[action]
    try:
        report = move(report, request.user, request.POST.get("reason", "").strip())
    except services.ReportError as error:
        report.refresh_from_db()
        if _made_by_them_just_now(report, request.user, recorded):
            messages.success(
                request, _("The report is now %s.") % report.get_state_display().lower()
            )
        else:
            messages.error(request, str(error))
    else:
        messages.success(request, _("The report is now %s.") % report.get_state_display().lower())
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft from the reports below, or refresh the figures that moved since."""
    report = _get_report_for_user(request, pk)
    include_submitted = request.POST.get("include_submitted") == "1"
    refresh = params.ids(request.POST.getlist("refresh"))
    try:
        if refresh:
            targets = [t for t in selectors.report_targets(report.campaign) if t.pk in refresh]
            consolidation.report_refresh_figures(
                report=report,
                by=request.user,
                revision=_revision(request),
                targets=targets,
                include_submitted=include_submitted,
            )
        else:
            consolidation.report_draft_from_below(
                report=report,
                by=request.user,
                revision=_revision(request),
                include_submitted=include_submitted,
            )
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        pending = consolidation.not_yet_accepted(report=report, include_submitted=include_submitted)
        if pending:
            messages.warning(
                request,
                _(
                    "Drafted from the reports below, %d of them not yet accepted: "
                    "check them before submitting."
                )
                % pending,
            )
        else:
            messages.success(request, _("Drafted from the reports below."))
    return redirect("report_detail", pk=report.pk)


@login_required
def campaign_reports(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, campaign_pk)
    user = request.user
    today = clock.today()
    own = selectors.own_report_slots(user=user, campaign=campaign)
    review_roots = [
        unit for unit in access.scope_roots(user) if access.can(user, access.Perm.REVIEW, unit)
    ]
    return render(
        request,
        "reports/campaign_reports.html",
        {
            "campaign": campaign,
            "own": own,
            "to_review": selectors.reports_to_review(user=user, campaign=campaign),
            "levels": [
                (unit, completeness.completeness(campaign=campaign, within=unit, today=today))
                for unit in review_roots
            ],
        },
    )


@login_required
@require_POST
def report_start(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = get_object_or_404(Unit, pk=params.id_or_404(request.POST.get("unit")))
    department = None
    if request.POST.get("department"):
        department = get_object_or_404(
            Department, pk=params.id_or_404(request.POST["department"]), unit=unit
        )
    if not participating_units(campaign=campaign).filter(pk=unit.pk).exists():
        raise Http404
    if not access.can_edit_report(request.user, Report(unit=unit, department=department)):
        raise PermissionDenied
    report = services.report_for(campaign=campaign, unit=unit, department=department)
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def reports_accept(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, campaign_pk)
    ids = params.ids(request.POST.getlist("report"))
    reports = list(
        selectors.reports_to_review(user=request.user, campaign=campaign).filter(pk__in=ids)
    )
    if len(reports) != len(ids):
        messages.error(
            request, _("Some of the chosen reports can no longer be accepted; nothing was changed.")
        )
    elif reports:
        try:
            services.reports_accept(reports=reports, by=request.user)
        except services.ReportError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Accepted %d reports.") % len(reports))
    return redirect("campaign_reports", campaign_pk=campaign.pk)


def _get_unit_to_review(request: HttpRequest, pk: int) -> Unit:
    unit = get_object_or_404(access.visible_units(request.user), pk=pk)
    if not access.can(request.user, access.Perm.REVIEW, unit):
        raise PermissionDenied
    return unit


@login_required
def completeness_branch(request: HttpRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    """The next level of the completeness table, swapped in by htmx."""
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = _get_unit_to_review(request, unit_pk)
    branches = completeness.completeness_by_branch(
        campaign=campaign, within=unit, today=clock.today()
    )
    children = (
        Unit.objects.filter(pk__in=branches).select_related("kind").order_by("kind__rank", "name")
    )
    return render(
        request,
        "reports/_completeness_branches.html",
        {"campaign": campaign, "branches": [(child, branches[child.pk]) for child in children]},
    )


@login_required
@require_POST
def remind_missing(request: HttpRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    """Remind every unit below that has not submitted, once a day at most."""
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = _get_unit_to_review(request, unit_pk)
    today = clock.today()
    missing = completeness.missing_units(campaign=campaign, within=unit, today=today)
    people = User.objects.filter(
        roles__unit__in=missing.values("pk"),
        roles__kind__in=[Role.Kind.REPORTER, Role.Kind.APPROVER],
        roles__department__isnull=True,
    ).distinct()
    sent = notify(
        users=people,
        text=_("Reminder: your unit's report for “%s” has not been submitted.") % campaign.title,
        key=f"remind:{campaign.pk}:{unit.pk}:{today.isoformat()}",
    )
    messages.success(request, _("Reminded %d people.") % len(sent))
    return redirect("campaign_reports", campaign_pk=campaign.pk)


def _get_attachment_for_user(request: HttpRequest, pk: int, attachment_pk: int) -> Attachment:
    report = _get_report_for_user(request, pk)
    return get_object_or_404(report.attachments, pk=attachment_pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    try:
        upload = filecheck.received_file(request, "file", limit=settings.SOKET_MAX_ATTACHMENT_BYTES)
    except filecheck.FileRefused as refused:
        messages.error(request, str(refused))
        return redirect("report_detail", pk=report.pk)
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            attachments.attachment_add(report=report, by=request.user, upload=upload)
        except services.ReportError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Attached “%s”.") % upload.name)
    return redirect("report_detail", pk=report.pk)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = _get_attachment_for_user(request, pk, attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = _get_attachment_for_user(request, pk, attachment_pk)
    try:
        attachments.attachment_remove(attachment=attachment, by=request.user)
    except services.ReportError as error:
        messages.error(request, str(error))
    return redirect("report_detail", pk=pk)
