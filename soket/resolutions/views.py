from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from soket.core.uploads import import_page, template_response, template_urls
from soket.orgs import access
from soket.orgs.http import AuthenticatedHttpRequest
from soket.resolutions import imports, selectors
from soket.resolutions.models import Resolution


def _get_resolution_for_user(request: AuthenticatedHttpRequest, pk: int) -> Resolution:
    try:
        return selectors.resolution_detail_for(user=request.user, pk=pk)
    except Resolution.DoesNotExist:
        raise Http404 from None


def _get_resolution_to_manage(request: AuthenticatedHttpRequest, pk: int) -> Resolution:
    resolution = _get_resolution_for_user(request, pk)
    if not access.can(request.user, access.Perm.MANAGE, resolution.issuer):
        raise PermissionDenied
    return resolution


@login_required
def resolution_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    resolutions = selectors.resolution_list_for(user=request.user)
    return render(request, "resolutions/resolution_list.html", {"resolutions": resolutions})


@login_required
def resolution_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    resolution = _get_resolution_for_user(request, pk)
    return render(
        request,
        "resolutions/resolution_detail.html",
        {
            "resolution": resolution,
            "can_manage": access.can(request.user, access.Perm.MANAGE, resolution.issuer),
        },
    )


@login_required
def target_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    resolution = _get_resolution_to_manage(request, pk)
    return import_page(
        request,
        run=lambda name, data: imports.import_targets(
            resolution=resolution, filename=name, data=data, by=request.user
        ),
        success_message=lambda result: (
            _("Imported: %(created)d new targets, %(updated)d updated.") % vars(result)
        ),
        success_url=reverse("resolution_detail", args=[resolution.pk]),
        context={
            "title": _("Import targets of “%s”") % resolution.title,
            "instructions": imports.INSTRUCTIONS,
            "columns": imports.columns(),
            "template_urls": template_urls("target_import_template", resolution.pk),
            "back_url": reverse("resolution_detail", args=[resolution.pk]),
        },
    )


@login_required
def target_import_template(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    _get_resolution_to_manage(request, pk)
    return template_response(
        basename="mau-nhap-chi-tieu",
        fmt=fmt,
        title=_("Targets"),
        columns=imports.columns(),
        instructions=imports.INSTRUCTIONS,
    )
