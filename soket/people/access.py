"""Who may manage which people: the rules of the people pages, each in one place.

A campaign administrator (a campaign-admin role held for a unit, not a department)
manages the people of their subtree (soket.orgs.access.managed_units); the system
administrator manages everyone. Within that:

- the people one sees are those who hold at least one role in one's subtree;
- a role is given or taken only at a unit of one's subtree, never above it or beside it,
  and a department's role only for a department of such a unit;
- nobody changes their own roles, and only a system administrator touches a system
  administrator's account;
- an account (deactivating it, sending it a set-password link) is managed only when
  every role it holds lies in one's subtree, so that no administrator can lock out, or
  take over, someone who also works for another unit.

Refusals are PeopleError with a message for the person, naming what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from soket.orgs import access
from soket.orgs.models import Department, Role, Unit, User


class PeopleError(ValueError):
    """A change to people or roles that is refused; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def managed_units(user: User) -> QuerySet[Unit]:
    """The units where `user` gives and takes roles (every unit for a system administrator)."""
    return access.managed_units(user)


def manages_people(user: User) -> bool:
    return access.is_active(user) and (user.is_superuser or managed_units(user).exists())


def manager_roots(user: User) -> list[Unit] | None:
    """The tops of the user's subtree; None for a system administrator (everywhere)."""
    if user.is_superuser:
        return None
    return access.topmost(list(access.role_units(user, access.Perm.MANAGE)))


def within(path: str, roots: list[Unit] | None) -> bool:
    """Whether the unit at `path` lies in the subtrees of `roots` (None: everywhere)."""
    return roots is None or any(path.startswith(root.path) for root in roots)


def visible_people(user: User) -> QuerySet[User]:
    """The people `user` manages: everyone holding a role in their subtree (one
    semi-join on the roles, however many people there are)."""
    if not access.is_active(user):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    roles = Role.objects.filter(unit__in=managed_units(user))
    return User.objects.filter(pk__in=roles.values("user_id"))


def check_roles_changeable(by: User, person: User) -> None:
    """Whether `by` may give roles to or take roles from `person` at all."""
    if person.pk == by.pk:
        raise PeopleError(_("Nobody can change their own roles: ask another administrator."))
    if person.is_superuser and not by.is_superuser:
        raise PeopleError(_("Only a system administrator can change a system administrator."))


def check_role_place(by: User, unit: Unit, kind: str, department: Department | None) -> None:
    """Whether `by` may give or take a role of `kind` at `unit` (for `department`)."""
    if not managed_units(by).filter(pk=unit.pk).exists():
        raise PeopleError(
            _("%(unit)s is not among the units you manage: you can give roles only at your "
              "own unit and the units below it.") % {"unit": unit.name},
            field="unit",
        )  # fmt: skip
    if kind not in Role.Kind.values:
        raise PeopleError(_("“%s” is not a role.") % kind, field="kind")
    if department is not None:
        if department.unit_id != unit.pk:
            raise PeopleError(
                _("The department %(department)s does not belong to %(unit)s.")
                % {"department": department.name, "unit": unit.name},
                field="department",
            )
        if kind == Role.Kind.CAMPAIGN_ADMIN:
            raise PeopleError(
                _("A department's role writes or sends its report: it cannot administer "
                  "a campaign."),
                field="kind",
            )  # fmt: skip


def account_roots_outside(by: User, person: User) -> int:
    """How many of the person's roles lie outside `by`'s subtree."""
    roots = manager_roots(by)
    if roots is None:
        return 0
    paths = Role.objects.filter(user=person).values_list("unit__path", flat=True)
    return sum(1 for path in paths if not within(path, roots))


def check_account_manageable(by: User, person: User) -> None:
    """Whether `by` may deactivate, reactivate or send a set-password link to `person`."""
    if person.pk == by.pk:
        raise PeopleError(_("You cannot do this to your own account."))
    if person.is_superuser and not by.is_superuser:
        raise PeopleError(_("Only a system administrator can change a system administrator."))
    if by.is_superuser:
        return
    if not person.roles.exists() or account_roots_outside(by, person):
        raise PeopleError(
            _("%(person)s also holds roles at units you do not manage: only an administrator "
              "above both can do this.") % {"person": person},
        )  # fmt: skip


def can_change_roles(by: User, person: User) -> bool:
    try:
        check_roles_changeable(by, person)
    except PeopleError:
        return False
    return True


def can_manage_account(by: User, person: User) -> bool:
    try:
        check_account_manageable(by, person)
    except PeopleError:
        return False
    return True


def split_roles(roots: list[Unit] | None, roles: Iterable[Role]) -> tuple[list[Role], int]:
    """The roles within `roots` (manager_roots; units selected) and how many others."""
    mine, elsewhere = [], 0
    for role in roles:
        if within(role.unit.path, roots):
            mine.append(role)
        else:
            elsewhere += 1
    return mine, elsewhere
