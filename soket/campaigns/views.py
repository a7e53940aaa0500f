from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from soket.campaigns import access as campaign_access
from soket.campaigns import editors, parts, selectors, services
from soket.campaigns.deadlines import plan_of
from soket.campaigns.models import Campaign
from soket.campaigns.plan import footnotes_of
from soket.core import clock, params
from soket.orgs import access
from soket.orgs import selectors as org_selectors
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import Unit, UnitKind


def _get_campaign_for_user(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    try:
        return selectors.campaign_detail_for(user=request.user, pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def _get_administered_campaign(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    """The campaign, for its own administrators: 404 if out of sight, 403 if only seen."""
    campaign = _get_campaign_for_user(request, pk)
    if not campaign_access.can_administer(request.user, campaign):
        raise PermissionDenied
    return campaign


@login_required
def campaign_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaigns = selectors.campaign_list_for(user=request.user)
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": campaigns,
            "may_create": selectors.new_campaign_owners(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new plan of one's own unit: blank, from the skeleton, or copied."""
    owners = selectors.new_campaign_owners(request.user)
    if not owners.exists():
        raise PermissionDenied
    form = editors.NewCampaignForm(
        request.POST or None,
        user=request.user,
        owners=owners,
        sources=selectors.campaign_list_for(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["start"] == form.COPY:
                campaign = services.campaign_copy(
                    by=request.user, source=data["source"], owner=data["owner"],
                    header=form.header(),
                )  # fmt: skip
            else:
                campaign = services.campaign_create(
                    by=request.user, owner=data["owner"], header=form.header(),
                    skeleton=data["start"] == form.SKELETON,
                )  # fmt: skip
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The draft plan is made. Only your unit's administrators see it until it is "
                    "issued."
                ),
            )
            return redirect("campaign_edit", pk=campaign.pk, part=parts.Part.HEADER)
    return render(request, "campaigns/campaign_new.html", {"form": form})


def _posted_revision(request: AuthenticatedHttpRequest) -> int:
    """The revision the page was made from; a missing or garbled one reads as stale."""
    revision = params.whole(request.POST.get("revision"))
    return -1 if revision is None else revision


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: AuthenticatedHttpRequest, pk: int, part: str) -> HttpResponse:
    """One part of the plan on its own page; once issued, saving it is an amendment."""
    campaign = _get_administered_campaign(request, pk)
    try:
        which = parts.Part(part)
    except ValueError:
        raise Http404 from None
    if which not in parts.parts_of(campaign):
        raise Http404
    editor = editors.EDITORS[which](
        campaign, user=request.user, data=request.POST if request.method == "POST" else None
    )
    reason = request.POST.get("reason", "").strip()
    revision = _posted_revision(request) if request.method == "POST" else campaign.revision
    conflict = False
    if request.method == "POST" and editor.is_valid():
        try:
            editor.save(revision=revision, reason=reason)
        except services.CampaignConflict as error:
            # Shown again against the stored version: saving now overwrites it knowingly.
            editor.refused(error)
            conflict, revision = True, Campaign.objects.get(pk=campaign.pk).revision
        except ValidationError as error:
            editor.refused(error)
        else:
            if campaign.revision == revision:  # the revision moves only when something did
                messages.info(request, _("Nothing changed."))
            elif campaign.is_issued:
                messages.success(
                    request, _("The amendment is recorded and sent to the units it concerns.")
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("campaign_edit", pk=campaign.pk, part=which)
    return render(
        request,
        "campaigns/campaign_edit.html",
        {
            "campaign": campaign,
            "part": which,
            "parts": parts.parts_of(campaign),
            "editor": editor,
            "reason": reason,
            "revision": revision,
            "conflict": conflict,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Issue (ban hành) a draft with its number, date and signer."""
    campaign = _get_administered_campaign(request, pk)
    if campaign.is_issued:
        messages.info(request, _("This plan is already issued; change it by an amendment."))
        return redirect("campaign_detail", pk=campaign.pk)
    form = editors.IssueForm(
        request.POST or None,
        initial={
            "document_number": campaign.document_number,
            "issued_on": clock.today(),
            # As the plan says, else as its unit's documents are signed.
            "signing_capacity": campaign.signing_capacity or campaign.owner.kind.signing_capacity,
            "signer_title": campaign.signer_title or campaign.owner.kind.signer_title,
            "signer_name": campaign.signer_name or campaign.owner.signer_name,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_issue(
                by=request.user,
                campaign=campaign,
                revision=_posted_revision(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The plan is issued. Its units are being told."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/campaign_issue.html",
        {
            "campaign": campaign,
            "form": form,
            "problems": services.issue_problems(campaign),
            "without_deadline": services.levels_without_deadline(campaign),
        },
    )


@login_required
@require_safe
def campaign_participants_count(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """How many open units a participation row gives, before it is saved (htmx)."""
    campaign = _get_administered_campaign(request, pk)
    prefix = request.GET.get("prefix", "")
    code = request.GET.get(f"{prefix}-root", "").strip()
    kinds = params.ids(request.GET.getlist(f"{prefix}-kinds"))
    root = Unit.objects.subtree_of(campaign.owner).filter(code=code).first() if code else None
    count = None
    if root is not None and kinds:
        count = (
            Unit.objects.subtree_of(root)
            .filter(kind__in=UnitKind.objects.filter(pk__in=kinds))
            .active_on(clock.today())
            .count()
        )
    return render(
        request,
        "campaigns/edit/_participants_count.html",
        {"root": root, "code": code, "count": count},
    )


@login_required
def campaign_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk)
    plan = plan_of(campaign)
    roots, kinds = selectors.participation_tree(campaign=campaign)
    participants = selectors.participating_units(campaign=campaign, on=clock.today())
    in_scope = participants.filter(pk__in=access.visible_units(request.user).values("pk"))
    # Offered where the person holds the role (the operator works in the back office).
    deploying = list(
        selectors.deploying_units(user=request.user, source=campaign).filter(
            pk__in=selectors.new_campaign_owners(request.user).values("pk")
        )
    )
    may_administer = campaign_access.can_administer(request.user, campaign)
    federations = (
        selectors.deployments_below(campaign=campaign, user=request.user)
        if campaign.is_issued
        else []
    )
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "plan": plan,
            "outline": selectors.outline_tree(campaign),
            "footnotes": footnotes_of(campaign),
            "tree_roots": org_selectors.unit_tree_roots(
                user=request.user, within=roots, kinds=kinds
            ),
            "counts": org_selectors.unit_counts_by_kind(units=in_scope),
            "may_administer": may_administer,
            "amendments": campaign.amendments.all(),
            "out_of_bounds": (
                services.dates_out_of_bounds(campaign) + services.overtaken_below(campaign)
                if may_administer
                else []
            ),
            "deployers": deploying,
            "federations": federations,
            "deployed_count": sum(1 for federation in federations if federation.has_deployed),
            "own_deployments": selectors.deployment_of(
                campaign=campaign, units=campaign_access.administered_units(request.user)
            ).exclude(owner=campaign.owner),
            "tasks": selectors.committee_tasks(
                campaign=campaign, user=request.user, today=clock.today()
            ),
        },
    )


@login_required
@require_POST
def campaign_deploy(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Deploy (triển khai) an issued plan for one's own federation: a draft of its own,
    or the one it already has (a second click opens the first)."""
    source = _get_campaign_for_user(request, pk)
    owner = get_object_or_404(
        campaign_access.administered_units(request.user),
        pk=params.id_or_404(request.POST.get("unit")),
    )
    existing = selectors.deployment_of(campaign=source, units=Unit.objects.filter(pk=owner.pk))
    if existing.exists():
        return redirect("campaign_detail", pk=existing.get().pk)
    try:
        deployment = services.campaign_deploy(by=request.user, source=source, owner=owner)
    except (IntegrityError, ValidationError) as error:
        if existing.exists():  # the other click of a double click made it meanwhile
            return redirect("campaign_detail", pk=existing.get().pk)
        if isinstance(error, IntegrityError):
            raise
        for message in error.messages:
            messages.error(request, message)
        return redirect("campaign_detail", pk=source.pk)
    messages.success(
        request,
        _(
            "The deployment is drafted from the plan. Set the dates of your units, your "
            "committee and signer, then issue it to your units."
        ),
    )
    return redirect("campaign_edit", pk=deployment.pk, part=parts.Part.TIMELINE)


@login_required
def campaign_unit_children(
    request: AuthenticatedHttpRequest, pk: int, unit_pk: int
) -> HttpResponse:
    """The next level of the campaign's tree, swapped in by htmx: its participating kinds."""
    campaign = _get_campaign_for_user(request, pk)
    unit = get_object_or_404(access.visible_units(request.user).select_related("kind"), pk=unit_pk)
    _roots, kinds = selectors.participation_tree(campaign=campaign)
    nodes = org_selectors.unit_tree_children(user=request.user, parent=unit, kinds=kinds)
    return render(request, "orgs/_tree_nodes.html", {"nodes": nodes, "campaign": campaign})


# The committee's tasks: written by the campaign's administrators on their own page (an
# issued plan's too, without amendment: they are the committee's working tool, not the
# issued document); their status set by the people in charge from the campaign's page
# or their home page.


@login_required
@require_http_methods(["GET", "POST"])
def campaign_tasks(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The committee's tasks, a row each, saved whole; a stale page keeps what was typed."""
    campaign = _get_administered_campaign(request, pk)
    editor = editors.TasksEditor(
        campaign, user=request.user, data=request.POST if request.method == "POST" else None
    )
    revision = _posted_revision(request) if request.method == "POST" else campaign.tasks_revision
    conflict = False
    if request.method == "POST" and editor.is_valid():
        try:
            editor.save(revision=revision, reason="")
        except services.CampaignConflict as error:
            editor.refused(error)
            conflict = True
            revision = Campaign.objects.get(pk=campaign.pk).tasks_revision
        except ValidationError as error:
            editor.refused(error)
        else:
            if campaign.tasks_revision == revision:  # it moves only when something did
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(request, _("Saved."))
            return redirect("campaign_tasks", pk=campaign.pk)
    return render(
        request,
        "campaigns/campaign_tasks.html",
        {
            "campaign": campaign,
            "editor": editor,
            "revision": revision,
            "conflict": conflict,
            "has_tasks": campaign.tasks.exists(),
            "unreminded": [
                line.task
                for line in selectors.committee_tasks(
                    campaign=campaign, user=request.user, today=clock.today()
                )
                if line.nobody_to_remind
            ],
        },
    )


@login_required
@require_POST
def campaign_tasks_draw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The standard tasks, drawn from the plan, for a committee without tasks."""
    campaign = _get_administered_campaign(request, pk)
    try:
        count = services.campaign_tasks_draw(
            by=request.user, campaign=campaign, revision=_posted_revision(request)
        )
    except services.TasksAlreadyDrawn as error:  # the second click of a double click
        messages.info(request, error.messages[0])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext(
                "%d task drawn from the plan. Check who is in charge, and set the dates "
                "the plan does not give.",
                "%d tasks drawn from the plan. Check who is in charge, and set the dates "
                "the plan does not give.",
                count,
            )
            % count,
        )
    return redirect("campaign_tasks", pk=campaign.pk)


@login_required
@require_POST
def campaign_task_status(request: AuthenticatedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """A task's status, set by a person in charge of it (or an administrator)."""
    campaign = _get_campaign_for_user(request, pk)
    task = get_object_or_404(campaign.tasks.select_related("campaign"), pk=task_pk)
    if not campaign_access.can_update_task(request.user, task):
        raise PermissionDenied
    form = editors.TaskStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the task's status."))
    else:
        updated = services.task_set_status(
            by=request.user, task=task, status=form.cleaned_data["status"]
        )
        messages.success(
            request,
            _("“%(task)s”: %(status)s.")
            % {"task": updated.title, "status": updated.get_status_display()},
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("campaign_detail", args=[campaign.pk]) + "#tasks")
