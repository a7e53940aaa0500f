"""Who may see and do what. Every view, command and API route asks here.

A role at a unit covers that unit's whole subtree for viewing, review and
administration; editing and submitting a report stay with the unit itself.
Plans and resolutions issued above a person's units are visible to them too,
since those are what they carry out.

A role held for a department (ban) of a federation is about that department's
thematic report only: its reporters write it, its approvers submit it. Such a role
reads what a viewer of the federation reads (the thematic report draws on the
units' reports), and never reviews, manages or writes anything else. Nobody
reviews their own report: a unit's report is reviewed by the level above by
people who do not write it, and a department's report by the federation's
approvers who hold no role in that department.

The system administrator (a superuser) passes every check but one: theirs is an
operator's account for repairs, and like everyone they never review a report they sent.
Lists addressed to a level (reports to review) are for the people who hold its roles.
"""

from __future__ import annotations

import enum

from django.db.models import Q, QuerySet

from soket.campaigns.models import Campaign
from soket.orgs.models import Role, Unit, User, ids_in_path
from soket.reports.models import Report, Transition
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


def _is_active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def _role_kinds_granting(perm: Perm) -> list[str]:
    return [kind for kind, perms in ROLE_PERMS.items() if perm in perms]


def _roles_granting(user: User, perm: Perm) -> QuerySet[Role]:
    """The user's roles that grant `perm` at their unit (and, but for editing and
    submitting, below it). A department's role grants nothing but viewing there."""
    roles = Role.objects.filter(user=user, kind__in=_role_kinds_granting(perm))
    if perm is not Perm.VIEW:
        roles = roles.filter(department__isnull=True)
    return roles


def role_units(user: User, perm: Perm = Perm.VIEW) -> QuerySet[Unit]:
    """The units where the user holds a role that grants `perm` (none for a system
    administrator without roles: what is addressed to a level is for its people)."""
    if not _is_active(user):
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
    if not _is_active(user):
        return []
    if user.is_superuser:
        return list(Unit.objects.filter(parent__isnull=True))
    return topmost(list(role_units(user)))


def units_in_scope(user: User, perm: Perm = Perm.VIEW) -> QuerySet[Unit]:
    if not _is_active(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    roots = list(role_units(user, perm))
    if perm in OWN_UNIT_ONLY:
        return Unit.objects.filter(pk__in=[unit.pk for unit in roots])
    return Unit.objects.subtrees_of(roots)


def units_in_line(user: User) -> QuerySet[Unit]:
    """Units in scope and every unit above them: issuers of what the user carries out."""
    if not _is_active(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    roots = list(role_units(user))
    above = {ancestor for unit in roots for ancestor in ids_in_path(unit.path)}
    return Unit.objects.filter(
        Q(pk__in=above) | Q(pk__in=Unit.objects.subtrees_of(roots).values("pk"))
    )


def can(user: User, perm: Perm, unit: Unit) -> bool:
    if not _is_active(user):
        return False
    if user.is_superuser:
        return True
    roles = _roles_granting(user, perm)
    if perm in OWN_UNIT_ONLY:
        return roles.filter(unit=unit).exists()
    return roles.filter(unit_id__in=ids_in_path(unit.path)).exists()


def visible_units(user: User) -> QuerySet[Unit]:
    return units_in_scope(user, Perm.VIEW)


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.filter(owner__in=units_in_line(user))


def visible_resolutions(user: User) -> QuerySet[Resolution]:
    return Resolution.objects.filter(issuer__in=units_in_line(user))


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


# Reports. A unit's own people write and submit its report; the level above reviews it.
# A department's report is written by its reporters and submitted by its approvers; the
# federation's approvers who hold no role in that department review it.


def _authors(report: Report) -> QuerySet[Role]:
    """The roles that make their holders authors of the report."""
    roles = Role.objects.filter(unit_id=report.unit_id)
    if report.department_id:
        return roles.filter(department_id=report.department_id)
    return roles.filter(department__isnull=True)


def can_edit_report(user: User, report: Report) -> bool:
    if not _is_active(user):
        return False
    if user.is_superuser:
        return True
    return _authors(report).filter(user=user, kind__in=_role_kinds_granting(Perm.EDIT)).exists()


def can_submit_report(user: User, report: Report) -> bool:
    """The approvers of the unit submit its report; a department's approvers, its report."""
    if not _is_active(user):
        return False
    if user.is_superuser:
        return True
    kinds = _role_kinds_granting(Perm.SUBMIT)
    return _authors(report).filter(user=user, kind__in=kinds).exists()


def reviewing_unit(report: Report) -> Unit | None:
    """Who reviews: the federation itself for its departments, else the level above."""
    return report.unit if report.department_id else report.unit.parent


def can_review_report(user: User, report: Report) -> bool:
    """Approvers at the reviewing level (or above) who are not among the report's authors,
    and never the person who sent it."""
    above = reviewing_unit(report)
    if above is None or not can(user, Perm.REVIEW, above):
        return False
    sends = report.transitions.filter(action=Transition.Action.SUBMIT).order_by("-at", "-pk")
    if sends.values_list("by_id", flat=True).first() == user.pk:
        return False
    if user.is_superuser:
        return True
    if report.department_id:
        # Any role in the department, even a viewer's, makes it the person's own work.
        return not Role.objects.filter(user=user, department_id=report.department_id).exists()
    return not _authors(report).filter(user=user).exclude(kind=Role.Kind.VIEWER).exists()


def visible_reports(user: User) -> QuerySet[Report]:
    return Report.objects.filter(unit__in=units_in_scope(user)).filter(
        campaign__in=visible_campaigns(user)
    )
