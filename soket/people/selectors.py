"""Reads of people, always within what the reader manages (soket.people.access)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from soket.orgs.models import Role, Unit, User
from soket.people import access

PEOPLE_PER_PAGE = 50
UNIT_SUGGESTIONS = 300  # a subtree this small gets its unit codes suggested in the forms


@dataclass
class PersonRow:
    person: User
    roles: list[Role]  # the roles in the reader's subtree
    elsewhere: int  # how many roles beyond it


def people_page(
    *, by: User, within: Unit | None = None, search: str = "", page: int = 1
) -> tuple[Page, list[PersonRow]]:
    """A page of the people `by` manages, by username: one count and one query for the
    page, then one for their roles, however many people there are."""
    people: QuerySet[User] = access.visible_people(by)
    if within is not None:
        people = people.filter(
            pk__in=Role.objects.filter(unit__in=Unit.objects.subtree_of(within)).values("user_id")
        )
    if search:
        people = people.filter(
            Q(username__icontains=search) | Q(full_name__icontains=search)
            | Q(email__icontains=search)
        )  # fmt: skip
    paginator = Paginator(people.order_by("username", "pk"), PEOPLE_PER_PAGE)
    current = paginator.get_page(page)
    return current, rows_for(by=by, people=list(current.object_list))


def rows_for(*, by: User, people: list[User]) -> list[PersonRow]:
    roles: dict[int, list[Role]] = {person.pk: [] for person in people}
    for role in Role.objects.filter(user__in=people).select_related("unit", "department"):
        roles[role.user_id].append(role)
    roots, rows = access.manager_roots(by), []
    for person in people:
        mine, elsewhere = access.split_roles(roots, roles[person.pk])
        rows.append(PersonRow(person=person, roles=mine, elsewhere=elsewhere))
    return rows


def person_row(*, by: User, person: User) -> PersonRow:
    (row,) = rows_for(by=by, people=[person])
    return row


def unit_suggestions(*, by: User) -> list[Unit]:
    """The units `by` manages, when few enough to suggest in a list; else none."""
    units = list(access.managed_units(by).order_by("path")[: UNIT_SUGGESTIONS + 1])
    return units if len(units) <= UNIT_SUGGESTIONS else []


def managed_unit_by_code(*, by: User, code: str) -> Unit | None:
    return access.managed_units(by).filter(code=code).first()
