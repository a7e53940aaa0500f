"""The people pages: a campaign administrator's people, their roles and accounts.

Each view fetches through soket.people.access first: the pages are for people who
manage someone (403 otherwise), and a person outside one's subtree is not found (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from soket.core import params
from soket.core.uploads import import_page, template_response, template_urls
from soket.orgs.http import AuthenticatedHttpRequest
from soket.orgs.models import User
from soket.people import access, imports, selectors, services
from soket.people.access import PeopleError
from soket.people.forms import PersonForm, RoleForm


def _require_manager(request: AuthenticatedHttpRequest) -> None:
    if not access.manages_people(request.user):
        raise PermissionDenied


def _get_person_for_user(request: AuthenticatedHttpRequest, pk: int) -> User:
    return get_object_or_404(access.visible_people(request.user), pk=pk)


def _site(request: AuthenticatedHttpRequest) -> str:
    """The address the administrator is using (its host checked against ALLOWED_HOSTS),
    which the links in e-mails point to."""
    return request.build_absolute_uri("/")


@login_required
@require_GET
def people_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manager(request)
    code = request.GET.get("don-vi", "").strip()
    search = request.GET.get("tim", "").strip()[:100]
    within = selectors.managed_unit_by_code(by=request.user, code=code) if code else None
    unknown_unit = bool(code) and within is None
    page, rows = (None, []) if unknown_unit else selectors.people_page(
        by=request.user, within=within, search=search,
        page=params.whole(request.GET.get("trang")) or 1,
    )  # fmt: skip
    query = urlencode({key: value for key, value in (("don-vi", code), ("tim", search)) if value})
    return render(
        request,
        "people/person_list.html",
        {
            "page": page,
            "rows": rows,
            "code": code,
            "search": search,
            "within": within,
            "unknown_unit": unknown_unit,
            "query": query,
            "units": selectors.unit_suggestions(by=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manager(request)
    form = PersonForm(request.POST or None, initial={"unit": request.GET.get("don-vi", "")})
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_add(
                by=request.user, new=form.new_person(), site=_site(request)
            )
        except PeopleError as error:
            form.refuse(error)
        else:
            messages.success(
                request,
                _("%(person)s was added; a link to set a password was sent to %(email)s.")
                % {"person": person, "email": person.email},
            )
            return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "people/person_add.html",
        {"form": form, "units": selectors.unit_suggestions(by=request.user)},
        status=400 if form.errors else 200,
    )


def _render_person(
    request: AuthenticatedHttpRequest, person: User, form: RoleForm | None = None
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "row": selectors.person_row(by=user, person=person),
            "form": form or RoleForm(),
            "can_change_roles": access.can_change_roles(user, person),
            "can_manage_account": access.can_manage_account(user, person),
            "units": selectors.unit_suggestions(by=user),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_GET
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_person(request, _get_person_for_user(request, pk))


@login_required
@require_POST
def role_grant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _get_person_for_user(request, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            role, created = services.role_grant(
                by=request.user, person=person, unit=data["unit"], kind=data["kind"],
                department=data["department"],
            )  # fmt: skip
        except PeopleError as error:
            form.refuse(error)
        else:
            if created:
                messages.success(request, _("Role given: %s.") % role)
            else:
                messages.info(request, _("%s already held this role.") % person)
            return redirect("person_detail", pk=person.pk)
    return _render_person(request, person, form)


@login_required
@require_POST
def role_take(request: AuthenticatedHttpRequest, pk: int, role_pk: int) -> HttpResponse:
    person = _get_person_for_user(request, pk)
    role = get_object_or_404(person.roles.select_related("unit", "department"), pk=role_pk)
    try:
        services.role_take(by=request.user, role=role)
    except PeopleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Role taken away: %s.") % role)
    return redirect("person_detail", pk=person.pk)


def _set_active(request: AuthenticatedHttpRequest, pk: int, *, active: bool) -> HttpResponse:
    person = _get_person_for_user(request, pk)
    try:
        services.person_set_active(by=request.user, person=person, active=active)
    except PeopleError as error:
        messages.error(request, str(error))
    else:
        if active:
            messages.success(request, _("%s's account is active again.") % person)
        else:
            messages.success(request, _("%s's account is deactivated: they can no longer log in.")
                             % person)  # fmt: skip
    return redirect("person_detail", pk=person.pk)


@login_required
@require_POST
def person_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@login_required
@require_POST
def person_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


@login_required
@require_POST
def person_send_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _get_person_for_user(request, pk)
    try:
        services.password_link_send(by=request.user, person=person, site=_site(request))
    except PeopleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("A link to set a password was sent to %s.") % person.email
        )  # fmt: skip
    return redirect("person_detail", pk=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manager(request)
    site = _site(request)
    return import_page(
        request,
        run=lambda name, data: imports.import_people(
            filename=name, data=data, by=request.user, site=site
        ),
        success_message=lambda result: (
            ngettext(
                "Imported: %(added)d new person (invited by e-mail), %(granted)d roles given.",
                "Imported: %(added)d new people (invited by e-mail), %(granted)d roles given.",
                result.added,
            )
            % vars(result)
        ),
        success_url=reverse("people_list"),
        context={
            "title": _("Import people and roles"),
            "instructions": imports.INSTRUCTIONS,
            "columns": imports.columns(),
            "template_urls": template_urls("people_import_template"),
            "back_url": reverse("people_list"),
        },
    )


@login_required
@require_GET
def people_import_template(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    _require_manager(request)
    return template_response(
        basename="mau-nhap-nguoi-dung",
        fmt=fmt,
        title=_("People"),
        columns=imports.columns(),
        instructions=imports.INSTRUCTIONS,
    )


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The page an invitation or a reset link opens: choose a password, then log in.
    A deactivated account's link opens nothing."""

    template_name = "people/set_password.html"
    success_url = reverse_lazy("login")
    reset_url_token = "moi"  # the address the page moves to once the token is checked

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is set. Log in as %s with your new password.") % form.user.username,
        )
        return response


set_password = SetPasswordView.as_view()
