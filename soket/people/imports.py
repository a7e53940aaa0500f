"""Import of people and their roles from .xlsx or .csv: all rows valid, or nothing written.

One row is one role of one person. A username Soket does not know opens an account
(its full name and e-mail are required on its first row) and invites the person to set
a password; a username it knows adds the role to that person, who must be someone the
importer manages, and their name and e-mail are left as they are. A role already held
changes nothing, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soket.core import tabular
from soket.core.tabular import CellError, Column, Row, RowError, TableError
from soket.orgs.models import Department, Role, Unit, User
from soket.people import access, services

# Headers are fixed Vietnamese, whatever the interface language, so a template
# downloaded by anyone uploads for everyone.
HEADERS = {
    "username": "Tên đăng nhập",
    "full_name": "Họ và tên",
    "email": "Thư điện tử",
    "unit": "Mã đơn vị",
    "kind": "Vai trò",
    "department": "Mã ban",
}

# Role names as a file may write them: the interface's Vietnamese names first (listed in
# the template), then common ways of saying them, then the English names and codes.
ROLE_NAMES = {
    "Xem": Role.Kind.VIEWER,
    "Lập báo cáo": Role.Kind.REPORTER,
    "Duyệt, gửi báo cáo": Role.Kind.APPROVER,
    "Quản trị đợt sơ kết": Role.Kind.CAMPAIGN_ADMIN,
}
ROLE_ALIASES = {
    "Người xem": Role.Kind.VIEWER,
    "Báo cáo": Role.Kind.REPORTER,
    "Báo cáo viên": Role.Kind.REPORTER,
    "Người lập báo cáo": Role.Kind.REPORTER,
    "Duyệt": Role.Kind.APPROVER,
    "Người duyệt": Role.Kind.APPROVER,
    "Quản trị đợt": Role.Kind.CAMPAIGN_ADMIN,
    "Quản trị": Role.Kind.CAMPAIGN_ADMIN,
    **{str(label): value for value, label in Role.Kind.choices},
    **{value: value for value in Role.Kind.values},
}


def _fold(value: str) -> str:
    return " ".join(value.casefold().split())


_ROLE_LOOKUP = {_fold(name): kind for name, kind in {**ROLE_ALIASES, **ROLE_NAMES}.items()}


def _role(value: Any) -> str:
    raw = tabular.text(60)(value)
    if not raw:
        return ""
    try:
        return _ROLE_LOOKUP[_fold(raw)]
    except KeyError:
        raise CellError(
            _("“%(value)s” is not a role; write one of: %(roles)s")
            % {"value": raw[:40], "roles": "; ".join(ROLE_NAMES)}
        ) from None


def _username(value: Any) -> str:
    username = tabular.text(services.USERNAME_MAX)(value)
    problem = services.username_problem(username) if username else None
    if problem:
        raise CellError(problem)
    return username


def _email(value: Any) -> str:
    email = tabular.text(254)(value)
    problem = services.email_problem(email) if email else None
    if problem:
        raise CellError(problem)
    return email


def columns() -> list[Column]:
    h = HEADERS
    return [
        Column("username", h["username"], True, _username,
               _("Letters, digits and @ . + - _; a known username adds a role to that person."),
               "cdcs.moi"),
        Column("full_name", h["full_name"], False, tabular.text(services.FULL_NAME_MAX),
               _("Required for a new person."), "Nguyễn Văn A"),
        Column("email", h["email"], False, _email,
               _("Required for a new person: the invitation to set a password goes there."),
               "nguyenvana@example.org"),
        Column("unit", h["unit"], True, tabular.text(40),
               _("A unit you manage: yours or one below it."), "LS-CL-01"),
        Column("kind", h["kind"], True, _role, "; ".join(ROLE_NAMES), "Lập báo cáo"),
        Column("department", h["department"], False, tabular.text(40),
               _("Only for a department's thematic report: the department's code."), ""),
    ]  # fmt: skip


INSTRUCTIONS = [
    gettext_lazy("People import: one row per role of a person, under the header row."),
    gettext_lazy(
        "A new username opens an account and e-mails the person a link to set their password; "
        "a known username gives that person the role, and keeps their name and e-mail."
    ),
    gettext_lazy("Roles can be given only at the units you manage."),
    gettext_lazy("If any row has an error, nothing is imported; every error is listed."),
]


@dataclass
class ImportResult:
    added: int
    granted: int
    invited: int


def import_people(*, filename: str, data: bytes, by: User, site: str) -> ImportResult:
    rows, errors = tabular.read_table(filename=filename, data=data, columns=columns())
    good = [row for row in rows if not row.errors]
    context = _Context.load(good, by)
    errors += _check_rows(good, context, by)
    if errors:
        raise TableError(errors)
    try:
        return _write(good, context, by, site)
    except access.PeopleError as refused:  # changed by someone else meanwhile
        raise TableError([RowError(None, None, str(refused))]) from None


@dataclass
class _Context:
    """What the rows name, read in a few queries whatever the file's length."""

    users: dict[str, User]  # known usernames, exactly as written
    folded: dict[str, str]  # casefolded username → the stored spelling
    visible: set[int]  # ids of the known people the importer manages
    units: dict[str, Unit]
    managed: set[str]  # codes of the named units the importer manages
    departments: dict[tuple[int, str], Department]
    held: set[tuple[int, int, str, int | None]]  # roles the named people already hold

    @classmethod
    def load(cls, rows: list[Row], by: User) -> _Context:
        names = {row.values["username"] for row in rows}
        codes = {row.values["unit"] for row in rows}
        # Usernames are told apart by case in the database; a file's "Cdcs.Moi" beside a
        # stored "cdcs.moi" is a mistake to name, not a second person.
        known = list(
            User.objects.annotate(folded=Lower("username")).filter(
                folded__in={name.lower() for name in names}
            )
        )
        units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
        return cls(
            users={user.username: user for user in known},
            folded={user.username.lower(): user.username for user in known},
            visible=set(
                access.visible_people(by)
                .filter(pk__in=[user.pk for user in known])
                .values_list("pk", flat=True)
            ),
            units=units,
            managed=set(
                access.managed_units(by).filter(code__in=codes).values_list("code", flat=True)
            ),
            departments={
                (department.unit_id, department.code): department
                for department in Department.objects.filter(unit__in=units.values())
            },
            held=set(
                Role.objects.filter(user__in=known).values_list(
                    "user_id", "unit_id", "kind", "department_id"
                )
            ),
        )


def _check_rows(rows: list[Row], context: _Context, by: User) -> list[RowError]:
    errors: list[RowError] = []
    first_of: dict[str, Row] = {}
    roles_seen: dict[tuple, int] = {}

    def error(row: Row, column: str, message: str) -> None:
        errors.append(RowError(row.number, HEADERS[column], message))

    for row in rows:
        v = row.values
        username = v["username"]
        person = context.users.get(username)
        stored = context.folded.get(username.lower())
        if person is None and stored is not None:
            error(row, "username", _("differs only in capitals from “%s”, who exists") % stored)
        elif person is not None and person.pk not in context.visible:
            error(row, "username", _("“%s” is someone you do not manage; choose another "
                                     "username") % username)  # fmt: skip
        elif person is not None:
            try:
                access.check_roles_changeable(by, person)
            except access.PeopleError as refused:
                error(row, "username", str(refused))
        elif username.lower() not in first_of:
            first_of[username.lower()] = row
            if not v["full_name"]:
                error(row, "full_name", _("is required for a new person"))
            if not v["email"]:
                error(row, "email", _("is required for a new person: the invitation goes there"))
        else:
            first = first_of[username.lower()]
            if first.values["username"] != username:
                error(row, "username", _("differs only in capitals from row %d") % first.number)
            for column in ("full_name", "email"):
                if v[column] and first.values[column] and v[column] != first.values[column]:
                    error(row, column, _("differs from row %d, for the same person")
                          % first.number)  # fmt: skip

        unit = context.units.get(v["unit"])
        department = None
        if unit is None:
            error(row, "unit", _("no unit has the code “%s”") % v["unit"])
        elif v["unit"] not in context.managed:
            error(row, "unit", _("“%s” is not among the units you manage") % v["unit"])
        elif v["department"]:
            department = context.departments.get((unit.pk, v["department"]))
            if department is None:
                error(row, "department", _("%(unit)s has no department with the code “%(code)s”")
                      % {"unit": unit.code, "code": v["department"]})  # fmt: skip
            elif v["kind"] == Role.Kind.CAMPAIGN_ADMIN:
                error(row, "kind", _("a department's role cannot administer a campaign"))
        key = (username.lower(), v["unit"], v["kind"], v["department"])
        if key in roles_seen:
            error(row, "kind", _("the same role is already on row %d") % roles_seen[key])
        else:
            roles_seen[key] = row.number
    return errors


@transaction.atomic
def _write(rows: list[Row], context: _Context, by: User, site: str) -> ImportResult:
    added = granted = invited = 0
    people = dict(context.users)
    for row in rows:
        v = row.values
        unit = context.units[v["unit"]]
        department = (
            context.departments.get((unit.pk, v["department"])) if v["department"] else None
        )
        person = people.get(v["username"])
        if person is None:
            new = services.NewPerson(
                username=v["username"], full_name=v["full_name"], email=v["email"],
                unit=unit, kind=v["kind"], department=department,
            )  # fmt: skip
            services.check_new_person(by=by, new=new)  # the rules once more, in one place
            people[v["username"]] = services.person_create(by=by, new=new, site=site)
            added, granted, invited = added + 1, granted + 1, invited + 1
            continue
        held = (person.pk, unit.pk, v["kind"], department.pk if department else None)
        if held in context.held:
            continue
        _role, created = services.role_grant(
            by=by, person=person, unit=unit, kind=v["kind"], department=department
        )
        context.held.add(held)
        granted += created
    return ImportResult(added=added, granted=granted, invited=invited)
