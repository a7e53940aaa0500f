from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from soket.core.uploads import import_page, template_response, template_urls
from soket.orgs import access, imports, selectors
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import Unit, UnitQuerySet


def _get_unit_for_user(request: AuthenticatedHttpRequest, pk: int) -> Unit:
    return get_object_or_404(access.visible_units(request.user).select_related("kind"), pk=pk)


def _require_manager(request: AuthenticatedHttpRequest) -> None:
    if not access.managed_units(request.user).exists():
        raise PermissionDenied


@login_required
def unit_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = access.visible_units(request.user)
    return render(
        request,
        "orgs/unit_index.html",
        {
            "roots": selectors.unit_tree_roots(user=request.user),
            "counts": selectors.unit_counts_by_kind(units=visible),
            "can_import": access.managed_units(request.user).exists(),
        },
    )


@login_required
def unit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = _get_unit_for_user(request, pk)
    # Every Unit queryset is a UnitQuerySet (Unit.objects); units_in_line is annotated wider.
    in_line = cast(UnitQuerySet, access.units_in_line(request.user))
    ancestors = in_line.ancestors_of(unit)
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "children": selectors.unit_tree_children(user=request.user, parent=unit),
            "counts": selectors.unit_counts_by_kind(
                units=Unit.objects.subtree_of(unit, include_self=False)
            ),
            "departments": unit.departments.all(),
        },
    )


@login_required
def unit_children(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The next level of the tree, swapped in by htmx."""
    unit = _get_unit_for_user(request, pk)
    nodes = selectors.unit_tree_children(user=request.user, parent=unit)
    return render(request, "orgs/_tree_nodes.html", {"nodes": nodes})


@login_required
def unit_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manager(request)
    return import_page(
        request,
        run=lambda name, data: imports.import_units(filename=name, data=data, by=request.user),
        success_message=lambda result: (
            _("Imported: %(created)d new units, %(updated)d updated, %(moved)d moved.")
            % vars(result)
        ),
        success_url=reverse("unit_index"),
        context={
            "title": _("Import an organisation tree"),
            "instructions": imports.INSTRUCTIONS,
            "columns": imports.columns(),
            "template_urls": template_urls("unit_import_template"),
            "back_url": reverse("unit_index"),
        },
    )


@login_required
def unit_import_template(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    _require_manager(request)
    return template_response(
        basename="mau-nhap-don-vi",
        fmt=fmt,
        title=_("Units"),
        columns=imports.columns(),
        instructions=imports.INSTRUCTIONS,
    )
