"""Who may see and do what at which unit: the roles of the organisation tree.

A role at a unit covers that unit's whole subtree for viewing, review and
administration; editing and submitting stay with the unit itself. A role held for a
department (ban) of a federation grants nothing here but viewing: what it lets its
holder write and send is the department's report (soket.reports.workflow).

The system administrator (a superuser) passes every check: theirs is an operator's
account for repairs. Lists addressed to a level (reports to review) are for the people
who hold its roles, so `role_units` gives a superuser without roles nothing.

What is visible of campaigns and resolutions, and who writes, sends and reviews a
report, is answered by those apps on top of these rules (campaigns.access,
resolutions.access, reports.workflow).
"""

from __future__ import annotations

import enum

from django.db.models import Q, QuerySet

from soket.orgs.models import Role, Unit, User, ids_in_path


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


def is_active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def role_kinds_granting(perm: Perm) -> list[str]:
    return [kind for kind, perms in ROLE_PERMS.items() if perm in perms]


def _roles_granting(user: User, perm: Perm) -> QuerySet[Role]:
    """The user's roles that grant `perm` at their unit (and, but for editing and
    submitting, below it). A department's role grants nothing but viewing there."""
    roles = Role.objects.filter(user=user, kind__in=role_kinds_granting(perm))
    if perm is not Perm.VIEW:
        roles = roles.filter(department__isnull=True)
    return roles


def role_units(user: User, perm: Perm = Perm.VIEW) -> QuerySet[Unit]:
    """The units where the user holds a role that grants `perm` (none for a system
    administrator without roles: what is addressed to a level is for its people)."""
    if not is_active(user):
        return Unit.objects.none()
    return Unit.objects.filter(pk__in=_roles_granting(user, perm).values("unit_id"))


def topmost(units: list[Unit]) -> list[Unit]:
    """Drop every unit that lies in the subtree of another unit of the list."""
    kept: list[Unit] = []
    for unit in sorted(units, key=lambda u: u.path):
        if not kept or not unit.path.startswith(kept[-1].path):
            kept.append(unit)
    return kept


def scope_roots(user: User) -> list[Unit]:
    """The tops of what the user may see: their outermost role units."""
    if not is_active(user):
        return []
    if user.is_superuser:
        return list(Unit.objects.filter(parent__isnull=True))
    return topmost(list(role_units(user)))


def units_in_scope(user: User, perm: Perm = Perm.VIEW) -> QuerySet[Unit]:
    if not is_active(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    roots = list(role_units(user, perm))
    if perm in OWN_UNIT_ONLY:
        return Unit.objects.filter(pk__in=[unit.pk for unit in roots])
    return Unit.objects.subtrees_of(roots)


def units_in_line(user: User) -> QuerySet[Unit]:
    """Units in scope and every unit above them: issuers of what the user carries out."""
    if not is_active(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    roots = list(role_units(user))
    above = {ancestor for unit in roots for ancestor in ids_in_path(unit.path)}
    return Unit.objects.filter(
        Q(pk__in=above) | Q(pk__in=Unit.objects.subtrees_of(roots).values("pk"))
    )


def can(user: User, perm: Perm, unit: Unit) -> bool:
    if not is_active(user):
        return False
    if user.is_superuser:
        return True
    roles = _roles_granting(user, perm)
    if perm in OWN_UNIT_ONLY:
        return roles.filter(unit=unit).exists()
    return roles.filter(unit_id__in=ids_in_path(unit.path)).exists()


def visible_units(user: User) -> QuerySet[Unit]:
    return units_in_scope(user, Perm.VIEW)


def managed_units(user: User) -> QuerySet[Unit]:
    """Where the user may change the tree and resolutions: their campaign-admin subtrees."""
    return units_in_scope(user, Perm.MANAGE)


def template_units(user: User) -> QuerySet[Unit]:
    """The federations (units with units below) whose Word templates the user may replace:
    those in their campaign-admin subtrees. A template serves a whole subtree, so a
    grassroots union does not keep one of its own."""
    return managed_units(user).filter(
        pk__in=Unit.objects.filter(parent__isnull=False).values("parent_id")
    )


def can_manage_templates(user: User, unit: Unit) -> bool:
    return template_units(user).filter(pk=unit.pk).exists()
