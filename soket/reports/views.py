from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from soket.campaigns.access import can_administer, visible_campaigns
from soket.campaigns.models import Campaign
from soket.campaigns.selectors import campaign_list_for, participating_units, tasks_for
from soket.core import filecheck, params
from soket.orgs import access
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import Department, Unit, User
from soket.reports import (
    attachments,
    completeness,
    consolidation,
    entry,
    lateness,
    reminders,
    rules,
    selectors,
    services,
    workflow,
)
from soket.reports.forms import ReportForm, read_reference_form, read_report_form
from soket.reports.models import Assessment, Attachment, Report, ValidationRule


def _get_report_for_user(request: AuthenticatedHttpRequest, pk: int) -> Report:
    try:
        return selectors.report_detail_for(user=request.user, pk=pk)
    except Report.DoesNotExist:
        raise Http404 from None


def _get_campaign_for_user(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    """An issued plan the person sees: a draft has no reports, reminders or reviews, and
    a deployed plan's units report under the plan it deploys."""
    return get_object_or_404(
        visible_campaigns(request.user).filter(
            state=Campaign.State.ISSUED, deployed_from__isnull=True
        ),
        pk=pk,
    )


def _get_campaign_seen(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    """A plan the person sees, a draft included (its rules are written before issue); not a
    deployment, whose units' reports, and so their rules, are the plan's."""
    return get_object_or_404(
        visible_campaigns(request.user).filter(deployed_from__isnull=True), pk=pk
    )


def _render_report(
    request: AuthenticatedHttpRequest,
    report: Report,
    *,
    form: ReportForm | None = None,
    warnings: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    rows = selectors.evaluations(report=report)
    due_on = selectors.due_on(report)
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
    moves = {move.name for move in workflow.moves_for(user, report)}
    can_edit = workflow.SAVE.name in moves
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
            "raw": form.raw if form else {},
            "sections": [
                (section, texts.get(section.pk, ""), stored.get(section.pk, ""))
                for section in selectors.outline_sections(report.campaign, report.unit)
            ],
            "items": [
                (item, items.get(item.pk, "")) for item in report.campaign.review_items.all()
            ],
            "due_on": due_on,
            "standing": lateness.standing(report.first_submitted_at, due_on),
            "return_reason": selectors.last_return_reason(report),
            "moves": moves,
            "can_edit": can_edit,
            # Named for a writer who may not send the report themselves.
            "senders": (
                list(workflow.who_can_send(report))
                if can_edit and workflow.SUBMIT.name not in moves
                else []
            ),
            "has_below": has_below,
            "below": consolidation.changes_below(report=report) if has_below and can_edit else None,
            "changes": selectors.version_changes(report),
            "transitions": report.transitions.select_related("by"),
            "form_errors": form.errors if form else [],
            "warnings": warnings or [],
            "assessments": Assessment.choices,
        },
        status=status,
    )


@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_report(request, _get_report_for_user(request, pk))


def _revision(request: AuthenticatedHttpRequest) -> int:
    return params.id_or_404(request.POST.get("revision"))


@login_required
@require_POST
def report_save(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    if not workflow.can_edit(request.user, report):
        raise PermissionDenied  # before reading the form: its checks are for its writers
    form = read_report_form(
        request.POST,
        report=report,
        targets=selectors.report_targets(report.campaign, report.unit),
        section_ids=[s.pk for s in selectors.outline_sections(report.campaign, report.unit)],
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
def report_reference(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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


def _made_by_them_just_now(report: Report, user: User, move: workflow.Move) -> bool:
    """Whether this very move is the report's last one, made by this person: their
    previous click (a double click, a resent form) did it."""
    last = report.transitions.order_by("-at", "-pk").first()
    return last is not None and last.action == move.action and last.by_id == user.pk


@login_required
@require_POST
def report_move(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit, withdraw, return, accept or reopen; a repeated click changes nothing, and
    the person whose first click succeeded is told so rather than shown an error."""
    report = _get_report_for_user(request, pk)
    move = workflow.TRANSITIONS.get(action)
    if move is None:
        raise Http404
    try:
        report = services.report_transition(
            report=report,
            move=move,
            by=request.user,
            reason=request.POST.get("reason", ""),
            warnings_confirmed=request.POST.get("confirmed") == "1",
        )
    except services.ReportWarnings as warned:
        # A question, not a refusal: the page asks the sender to confirm these figures.
        return _render_report(request, report, warnings=warned.warnings)
    except services.ReportError as error:
        report.refresh_from_db()
        if _made_by_them_just_now(report, request.user, move):
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
def report_draft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Draft (again) from the reports below, and say what changed and what waits for the
    drafter's choice."""
    report = _get_report_for_user(request, pk)
    include_submitted = request.POST.get("include_submitted") == "1"
    try:
        drafted = consolidation.report_redraft(
            report=report,
            by=request.user,
            revision=_revision(request),
            include_submitted=include_submitted,
        )
    except services.ReportConflict:
        messages.error(request, _stale_draft())
        return redirect("report_detail", pk=report.pk)
    except services.ReportError as error:
        messages.error(request, str(error))
        return redirect("report_detail", pk=report.pk)
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
    if drafted.updated:
        messages.info(
            request, _("Updated from the reports below: %s.") % ", ".join(drafted.updated)
        )
    waiting = len(drafted.waiting)
    if waiting:
        messages.warning(
            request,
            ngettext(
                "%d change below was not applied because you had edited that part: "
                "take the new version or keep yours.",
                "%d changes below were not applied because you had edited those parts: "
                "take the new version or keep yours for each.",
                waiting,
            )
            % waiting,
        )
    return redirect("report_detail", pk=report.pk)


def _stale_draft() -> str:
    return _(
        "Someone saved this report since you opened it; nothing was changed. "
        "Look at the changes below again and choose."
    )


@login_required
@require_POST
def report_draft_choice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Take one change from the reports below, or keep one's own text or figure over it."""
    report = _get_report_for_user(request, pk)
    choice = request.POST.get("choice")
    choose = {
        "take": consolidation.report_take_change,
        "keep": consolidation.report_keep_change,
    }.get(choice or "")
    if choose is None:
        messages.error(request, _("Choose whether to take the new version or keep yours."))
        return redirect("report_detail", pk=report.pk)
    try:
        choose(
            report=report,
            by=request.user,
            revision=_revision(request),
            key=request.POST.get("key", ""),
            seen=request.POST.get("seen", ""),
        )
    except services.ReportConflict:
        messages.error(request, _stale_draft())
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        if choice == "take":
            messages.success(request, _("The new version from the reports below is taken."))
        else:
            messages.success(
                request,
                _(
                    "Your version is kept; this change is not shown again unless the "
                    "reports below change again."
                ),
            )
    return redirect("report_detail", pk=report.pk)


# The unit list's filters, as they come in the address: level, state, branch, page.
UNIT_FILTERS = ("cap", "tinh-trang", "trong")


def _unit_list(
    request: AuthenticatedHttpRequest, campaign: Campaign, roots: list[Unit]
) -> dict | None:
    """The page of units below the person's levels that the address asks for (None when
    no unit below takes part). A filter that makes no sense is left out rather than
    refused; a branch outside their scope is not found."""
    kinds = selectors.unit_kinds_below(campaign=campaign, roots=roots)
    if not kinds:
        return None
    kind_id = params.whole(request.GET.get("cap"))
    if kind_id not in {kind.pk for kind in kinds}:
        kind_id = None
    state = request.GET.get("tinh-trang", "")
    if state not in selectors.UNIT_STATES:
        state = ""
    within = None
    if request.GET.get("trong"):
        within = _get_unit_to_review(request, params.id_or_404(request.GET.get("trong")))
    page = selectors.units_below(
        campaign=campaign,
        roots=roots,
        within=within,
        kind_id=kind_id,
        state=state or None,
        page=params.whole(request.GET.get("trang")) or 1,
    )
    filters = {"cap": kind_id or "", "tinh-trang": state, "trong": within.pk if within else ""}
    query = urlencode({key: value for key, value in filters.items() if value})
    return {
        "page": page,
        "kinds": kinds,
        "kind_id": kind_id,
        "state": state,
        "within": within,
        "query": query,
        "states": [(selectors.NOT_STARTED, _("not started")), *Report.State.choices],
    }


@login_required
def campaign_reports(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, campaign_pk)
    user = request.user
    today = lateness.today()
    own = selectors.own_report_slots(user=user, campaign=campaign)
    review_roots = workflow.review_roots(user)
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
            "units": _unit_list(request, campaign, review_roots) if review_roots else None,
            "rule_count": rules.campaign_rules(user=user, campaign=campaign).count(),
            "can_administer": can_administer(user, campaign),
        },
    )


@login_required
@require_POST
def report_start(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = get_object_or_404(Unit, pk=params.id_or_404(request.POST.get("unit")))
    department = None
    if request.POST.get("department"):
        department = get_object_or_404(
            Department, pk=params.id_or_404(request.POST["department"]), unit=unit
        )
    if not participating_units(campaign=campaign).filter(pk=unit.pk).exists():
        raise Http404
    if not workflow.can_edit(request.user, Report(unit=unit, department=department)):
        raise PermissionDenied
    report = services.report_for(campaign=campaign, unit=unit, department=department)
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def reports_accept(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
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


def _get_unit_to_review(request: AuthenticatedHttpRequest, pk: int) -> Unit:
    unit = get_object_or_404(access.visible_units(request.user), pk=pk)
    if not workflow.reviews_at(request.user, unit):
        raise PermissionDenied
    return unit


@login_required
def completeness_branch(
    request: AuthenticatedHttpRequest, campaign_pk: int, unit_pk: int
) -> HttpResponse:
    """The next level of the completeness table, swapped in by htmx: each unit with its
    report and a link to the units of its branch."""
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = _get_unit_to_review(request, unit_pk)
    branches = completeness.completeness_by_branch(
        campaign=campaign, within=unit, today=lateness.today()
    )
    children = (
        Unit.objects.filter(pk__in=branches).select_related("kind").order_by("kind__rank", "name")
    )
    reports = dict(
        Report.objects.filter(
            campaign=campaign, unit__in=list(branches), department__isnull=True
        ).values_list("unit_id", "pk")
    )
    return render(
        request,
        "reports/_completeness_branches.html",
        {
            "campaign": campaign,
            "branches": [(child, branches[child.pk], reports.get(child.pk)) for child in children],
        },
    )


def _say_reminded(request: AuthenticatedHttpRequest, done: reminders.Reminded) -> None:
    """How many people were reminded, how many had been today already, and which units
    have nobody to remind, by name."""
    parts = []
    if done.people or not done.already:
        parts.append(
            ngettext("Reminded %d person.", "Reminded %d people.", done.people) % done.people
        )
    if done.already:
        parts.append(
            ngettext(
                "%d person had already been reminded today and was not reminded again.",
                "%d people had already been reminded today and were not reminded again.",
                done.already,
            )
            % done.already
        )
    if done.nobody_count:
        names = ", ".join(done.nobody)
        if done.nobody_count > len(done.nobody):
            names += " " + _("and %d more") % (done.nobody_count - len(done.nobody))
        parts.append(
            ngettext(
                "%(count)d unit has nobody to remind (no reporter or approver account): %(names)s.",
                "%(count)d units have nobody to remind (no reporter or approver account): "
                "%(names)s.",
                done.nobody_count,
            )
            % {"count": done.nobody_count, "names": names}
        )
    say = messages.success if done.people and not done.nobody_count else messages.warning
    say(request, " ".join(parts))


def _back_to_units(request: AuthenticatedHttpRequest, campaign: Campaign) -> HttpResponse:
    """Back to the reports page, with the unit list as it was filtered."""
    url = reverse("campaign_reports", args=[campaign.pk])
    query = urlencode(
        {key: request.POST[key] for key in (*UNIT_FILTERS, "trang") if request.POST.get(key)}
    )
    return redirect(f"{url}?{query}#don-vi" if query else url)


@login_required
@require_POST
def remind_missing(
    request: AuthenticatedHttpRequest, campaign_pk: int, unit_pk: int
) -> HttpResponse:
    """Remind every unit below whose report is still to come (none yet, a draft or
    returned), once a day at most per person."""
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = _get_unit_to_review(request, unit_pk)
    units = selectors.units_to_remind(selectors.expected_below(campaign=campaign, roots=[unit]))
    if not units.exists():
        messages.info(request, _("Every unit below has sent its report: nobody to remind."))
    else:
        _say_reminded(
            request,
            reminders.units_remind(campaign=campaign, units=units, today=lateness.today()),
        )
    return redirect("campaign_reports", campaign_pk=campaign.pk)


@login_required
@require_POST
def remind_unit(request: AuthenticatedHttpRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    """Remind one unit below whose report is still to come: by whoever reviews it."""
    campaign = _get_campaign_for_user(request, campaign_pk)
    unit = get_object_or_404(
        access.visible_units(request.user).select_related("parent"), pk=unit_pk
    )
    if unit.parent is None or not workflow.reviews_at(request.user, unit.parent):
        raise PermissionDenied
    expected = selectors.expected_below(campaign=campaign, roots=[unit.parent]).filter(pk=unit.pk)
    if not expected.exists():
        raise Http404
    units = selectors.units_to_remind(expected)
    if not units.exists():
        messages.info(request, _("%s has already sent its report: nobody was reminded.") % unit)
    else:
        _say_reminded(
            request,
            reminders.units_remind(campaign=campaign, units=units, today=lateness.today()),
        )
    return _back_to_units(request, campaign)


def _get_attachment_for_user(
    request: AuthenticatedHttpRequest, pk: int, attachment_pk: int
) -> Attachment:
    report = _get_report_for_user(request, pk)
    return get_object_or_404(report.attachments, pk=attachment_pk)


@login_required
@require_POST
def attachment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def attachment_download(
    request: AuthenticatedHttpRequest, pk: int, attachment_pk: int
) -> FileResponse:
    attachment = _get_attachment_for_user(request, pk, attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def attachment_remove(
    request: AuthenticatedHttpRequest, pk: int, attachment_pk: int
) -> HttpResponse:
    attachment = _get_attachment_for_user(request, pk, attachment_pk)
    try:
        attachments.attachment_remove(attachment=attachment, by=request.user)
    except services.ReportError as error:
        messages.error(request, str(error))
    return redirect("report_detail", pk=pk)


# The rules across targets (rules.py): read by whoever sees the campaign, written by its
# own administrators.


def _get_campaign_to_administer(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    """The campaign, if the person sees it (else 404) and administers it (else 403)."""
    campaign = _get_campaign_seen(request, pk)
    if not can_administer(request.user, campaign):
        raise PermissionDenied
    return campaign


def _render_rules(
    request: AuthenticatedHttpRequest,
    campaign: Campaign,
    *,
    form: rules.RuleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    administers = can_administer(request.user, campaign)
    return render(
        request,
        "reports/validation_rules.html",
        {
            "campaign": campaign,
            "rules": rules.campaign_rules(user=request.user, campaign=campaign),
            "can_administer": administers,
            "numbers": rules.rule_numbers(campaign) if administers else [],
            "operators": ValidationRule.Operator.choices,
            "form": form or rules.RuleForm(operator=ValidationRule.Operator.AT_MOST),
        },
        status=status,
    )


@login_required
@require_safe
def validation_rules(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    return _render_rules(request, _get_campaign_seen(request, campaign_pk))


@login_required
@require_POST
def validation_rule_add(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign_to_administer(request, campaign_pk)
    form = rules.read_rule_form(request.POST)
    rule = None
    if not form.errors:
        try:
            rule = rules.rule_add(by=request.user, campaign=campaign, **form.fields)
        except ValidationError as error:
            form.take(error)
    if rule is None:  # what was typed comes back, each problem named by its field
        return _render_rules(request, campaign, form=form, status=400)
    messages.success(
        request,
        _("Rule “%s” added: every report of the campaign is checked against it from now on.")
        % rule,
    )
    return redirect("validation_rules", campaign_pk=campaign.pk)


@login_required
@require_POST
def validation_rule_remove(
    request: AuthenticatedHttpRequest, campaign_pk: int, pk: int
) -> HttpResponse:
    campaign = _get_campaign_to_administer(request, campaign_pk)
    rule = rules.campaign_rules(user=request.user, campaign=campaign).filter(pk=pk).first()
    if rule is None:  # a second click, or someone else removed it meanwhile
        messages.info(request, _("This rule had already been removed."))
    else:
        words = str(rule)
        rules.rule_remove(by=request.user, rule=rule)
        messages.success(request, _("Rule “%s” removed.") % words)
    return redirect("validation_rules", campaign_pk=campaign.pk)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's campaigns and what is due from them, with each report's true state:
    sent and accepted reports are not overdue, and a returned one says why; and the
    steering committees' tasks in their charge."""
    campaigns = campaign_list_for(user=request.user)
    due = selectors.due_for(user=request.user, campaigns=campaigns)
    tasks = tasks_for(user=request.user, today=lateness.today())
    context = {"campaigns": campaigns, "due_items": due, "my_tasks": tasks}
    return render(request, "reports/home.html", context)
