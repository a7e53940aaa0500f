"""Who may see and do what. Every view, command and API route asks here.

A role at a unit covers that unit's whole subtree for viewing, review and
administration; editing and submitting a report stay with the unit itself.
Plans and resolutions issued above a person's units are visible to them too,
since those are what they carry out.
"""

from __future__ import annotations

import enum

from django.db.models import Q, QuerySet

from soket.campaigns.models import Campaign
from soket.orgs.models import Role, Unit, User, ids_in_path
from soket.reports.models import Report
from soket.resolutions.models import Resolution


class Perm(enum.Enum):
    VIEW = "view"
    EDIT = "edit"
    SUBMIT = "submit"
    REVIEW = "review"
    MANAGE = "manage"


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.Kind.VIEWER: frozenset({Perm.VIEW}),
    Role.Kind.REPORTER: frozenset({Perm.VIEW, Perm.EDIT}),
    Role.Kind.APPROVER: frozenset({Perm.VIEW, Perm.EDIT, Perm.SUBMIT, Perm.REVIEW}),
    Role.Kind.CAMPAIGN_ADMIN: frozenset(Perm),
}
OWN_UNIT_ONLY = frozenset({Perm.EDIT, Perm.SUBMIT})


def _role_kinds_granting(perm: Perm) -> list[str]:
    return [kind for kind, perms in ROLE_PERMS.items() if perm in perms]


def role_units(user: User, perm: Perm = Perm.VIEW) -> QuerySet[Unit]:
    """The units where the user holds a role that grants `perm`."""
    return Unit.objects.filter(
        roles__user=user, roles__kind__in=_role_kinds_granting(perm)
    ).distinct()


def topmost(units: list[Unit]) -> list[Unit]:
    """Drop every unit that lies in the subtree of another unit of the list."""
    kept: list[Unit] = []
    for unit in sorted(units, key=lambda u: u.path):
        if not kept or not unit.path.startswith(kept[-1].path):
            kept.append(unit)
    return kept


def scope_roots(user: User) -> list[Unit]:
    """The tops of what the user may see: their outermost role units."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return list(Unit.objects.filter(parent__isnull=True))
    return topmost(list(role_units(user)))


def units_in_scope(user: User, perm: Perm = Perm.VIEW) -> QuerySet[Unit]:
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    roots = list(role_units(user, perm))
    if perm in OWN_UNIT_ONLY:
        return Unit.objects.filter(pk__in=[unit.pk for unit in roots])
    return Unit.objects.subtrees_of(roots)


def units_in_line(user: User) -> QuerySet[Unit]:
    """Units in scope and every unit above them: issuers of what the user carries out."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    roots = list(role_units(user))
    above = {ancestor for unit in roots for ancestor in ids_in_path(unit.path)}
    return Unit.objects.filter(
        Q(pk__in=above) | Q(pk__in=Unit.objects.subtrees_of(roots).values("pk"))
    )


def can(user: User, perm: Perm, unit: Unit) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    kinds = _role_kinds_granting(perm)
    if perm in OWN_UNIT_ONLY:
        return Role.objects.filter(user=user, unit=unit, kind__in=kinds).exists()
    return Role.objects.filter(
        user=user, unit_id__in=ids_in_path(unit.path), kind__in=kinds
    ).exists()


def visible_units(user: User) -> QuerySet[Unit]:
    return units_in_scope(user, Perm.VIEW)


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.filter(owner__in=units_in_line(user))


def visible_resolutions(user: User) -> QuerySet[Resolution]:
    return Resolution.objects.filter(issuer__in=units_in_line(user))


def managed_units(user: User) -> QuerySet[Unit]:
    """Where the user may change the tree and resolutions: their campaign-admin subtrees."""
    return units_in_scope(user, Perm.MANAGE)


# Reports. A unit's own people write and submit its report; the level above reviews it.
# A department's report is written by the people who hold a role in that department.


def _report_roles(user: User, report: Report) -> QuerySet[Role]:
    roles = Role.objects.filter(user=user, unit_id=report.unit_id)
    if report.department_id:
        return roles.filter(department_id=report.department_id)
    return roles.filter(department__isnull=True)


def can_edit_report(user: User, report: Report) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    kinds = _role_kinds_granting(Perm.EDIT)
    return _report_roles(user, report).filter(kind__in=kinds).exists()


def can_submit_report(user: User, report: Report) -> bool:
    """An approver of the unit submits; a department's own people submit its report too."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    approvers = Role.objects.filter(
        user=user,
        unit_id=report.unit_id,
        department__isnull=True,
        kind__in=_role_kinds_granting(Perm.SUBMIT),
    )
    if report.department_id:
        return approvers.exists() or can_edit_report(user, report)
    return approvers.exists()


def reviewing_unit(report: Report) -> Unit | None:
    """Who reviews: the federation itself for its departments, else the level above."""
    return report.unit if report.department_id else report.unit.parent


def can_review_report(user: User, report: Report) -> bool:
    above = reviewing_unit(report)
    return above is not None and can(user, Perm.REVIEW, above)


def visible_reports(user: User) -> QuerySet[Report]:
    return Report.objects.filter(unit__in=units_in_scope(user)).filter(
        campaign__in=visible_campaigns(user)
    )
