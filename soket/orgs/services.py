"""Writes to the hierarchy. Paths are filled in SQL, one statement per level."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat, Length, LPad, Substr
from django.utils.translation import gettext as _

from soket.orgs import hooks
from soket.orgs.models import (
    PATH_STEP,
    Department,
    Role,
    Unit,
    UnitKind,
    User,
    path_upper_bound,
)


class HierarchyError(ValueError):
    pass


def _subtree(unit_id: int) -> Q:
    path = Unit.objects.values_list("path", flat=True).get(pk=unit_id)
    return Q(path__gte=path, path__lt=path_upper_bound(path))


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: UnitKind
    parent_code: str | None = None
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    abbreviation: str = ""
    place: str = ""
    is_illustrative: bool = False


def _own_segment():
    return LPad(Cast("pk", CharField()), PATH_STEP, Value("0"))


def _fill_paths(units) -> None:
    """Set path and depth of `units`, whose parents' paths are already set."""
    parent = Unit.objects.filter(pk=OuterRef("parent_id"))
    units.filter(parent__isnull=True).update(path=_own_segment(), depth=0)
    units.filter(parent__isnull=False).update(
        path=Concat(Subquery(parent.values("path")[:1]), _own_segment(), output_field=CharField()),
        depth=Subquery(parent.values("depth")[:1]) + 1,
    )


@transaction.atomic
def units_create(*, specs: list[UnitSpec], batch_size: int = 2000) -> list[Unit]:
    """Create many units at once, parents before children, a level at a time.

    A spec's parent is either an existing unit or another spec in the list.
    """
    known = dict(
        Unit.objects.filter(code__in={s.parent_code for s in specs if s.parent_code}).values_list(
            "code", "pk"
        )
    )
    pending = list(specs)
    created: list[Unit] = []
    while pending:
        level = [s for s in pending if s.parent_code is None or s.parent_code in known]
        if not level:
            missing = sorted({s.parent_code for s in pending if s.parent_code})
            raise HierarchyError(_("Unknown parent units: %s") % ", ".join(missing))
        units = Unit.objects.bulk_create(
            [
                Unit(
                    code=s.code,
                    name=s.name,
                    kind=s.kind,
                    parent_id=known.get(s.parent_code) if s.parent_code else None,
                    opened_on=s.opened_on,
                    closed_on=s.closed_on,
                    abbreviation=s.abbreviation,
                    place=s.place,
                    is_illustrative=s.is_illustrative,
                    path="",
                )
                for s in level
            ],
            batch_size=batch_size,
        )
        _fill_paths(Unit.objects.filter(path=""))
        known.update({unit.code: unit.pk for unit in units})
        created.extend(units)
        level_codes = {s.code for s in level}
        pending = [s for s in pending if s.code not in level_codes]
    hooks.units_created([unit.pk for unit in created])
    return created


def unit_create(**fields) -> Unit:
    parent: Unit | None = fields.pop("parent", None)
    spec = UnitSpec(parent_code=parent.code if parent else None, **fields)
    (unit,) = units_create(specs=[spec])
    unit.refresh_from_db()
    return unit


# What decides whether a unit is expected to report, besides its place in the tree.
EXPECTED_FIELDS = ("kind", "opened_on", "closed_on")


@transaction.atomic
def unit_update(*, unit: Unit, fields: dict) -> bool:
    """Give a unit these field values (not its place in the tree); False if it had them."""
    changed = {name for name, value in fields.items() if getattr(unit, name) != value}
    if not changed:
        return False
    if changed.isdisjoint(EXPECTED_FIELDS):
        Unit.objects.filter(pk=unit.pk).update(**fields)
    else:  # closed, reopened or of another kind: the campaigns' counts follow
        with hooks.changing(lambda: Q(pk=unit.pk)):
            Unit.objects.filter(pk=unit.pk).update(**fields)
    for name, value in fields.items():  # so a second call compares with what is stored
        setattr(unit, name, value)
    return True


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit) -> Unit:
    """Re-hang a unit and its whole subtree under another parent, in one UPDATE."""
    # The subtree's units are counted under their old ancestors, then their new ones. The
    # campaigns are locked first (by the recount), as a rebuild locks them before units.
    with hooks.changing(lambda: _subtree(unit.pk)):
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        new_parent = Unit.objects.select_for_update().get(pk=new_parent.pk)
        if Unit.objects.subtree_of(unit).filter(pk=new_parent.pk).exists():
            raise HierarchyError(
                _("%(unit)s cannot move under %(parent)s, which lies inside it.")
                % {"unit": unit.name, "parent": new_parent.name}
            )
        old_prefix = unit.path
        new_prefix = new_parent.path + old_prefix[-PATH_STEP:]
        Unit.objects.subtree_of(unit).update(
            path=Concat(
                Value(new_prefix),
                Substr("path", len(old_prefix) + 1, Length("path")),
                output_field=CharField(),
            ),
            depth=F("depth") + (new_parent.depth + 1 - unit.depth),
        )
        Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    old_parent_id = unit.parent_id
    unit.refresh_from_db()
    # The one place a unit's parent changes: what follows the tree follows it here.
    hooks.unit_rehung(unit, old_parent_id=old_parent_id)
    return unit


@transaction.atomic
def department_ensure(
    *,
    unit: Unit,
    code: str,
    name: str,
    order: int,
    signer_title: str = "TRƯỞNG BAN",
    signer_name: str = "",
) -> Department:
    department, _created = Department.objects.update_or_create(
        unit=unit,
        code=code,
        defaults={
            "name": name,
            "order": order,
            "signer_title": signer_title,
            "signer_name": signer_name,
        },
    )
    return department


@transaction.atomic
def user_ensure(*, username: str, full_name: str, password: str, email: str = "") -> User:
    """Create the user if missing; an existing user keeps their password."""
    user, created = User.objects.get_or_create(
        username=username, defaults={"full_name": full_name, "email": email}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif (user.full_name, user.email) != (full_name, email):
        user.full_name, user.email = full_name, email
        user.save(update_fields=["full_name", "email"])
    return user


def role_grant(*, user: User, unit: Unit, kind: str, department: Department | None = None) -> Role:
    role, _created = Role.objects.get_or_create(
        user=user, unit=unit, kind=kind, department=department
    )
    return role
