"""Import of an organisation tree from .xlsx or .csv: all rows valid, or nothing written.

A row names its parent by code: a unit already in the tree or another row of the file.
A row whose code exists updates that unit (and moves it if its parent changed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soket.core import tabular
from soket.core.tabular import Column, Row, RowError, TableError
from soket.orgs import access, hooks, services
from soket.orgs.models import Unit, UnitKind, User

CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def _code(value) -> str:
    code = tabular.text(40)(value)
    if code and not set(code) <= CODE_CHARS:
        raise tabular.CellError(_("may hold only Latin letters, digits and - _ ."))
    return code


# Headers are fixed Vietnamese, whatever the interface language, so a template
# downloaded by anyone uploads for everyone.
HEADERS = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "kind": "Loại đơn vị",
    "parent_code": "Mã đơn vị cấp trên",
    "opened_on": "Ngày thành lập",
    "closed_on": "Ngày giải thể",
    "abbreviation": "Tên viết tắt",
    "place": "Địa danh",
}


def columns() -> list[Column]:
    kinds = {kind.name: kind.code for kind in UnitKind.objects.all()}
    h = HEADERS
    return [
        Column("code", h["code"], True, _code, _("Unique; Latin letters, digits, - _ ."), "LS-CL"),
        Column("name", h["name"], True, tabular.line(255), "", "Liên đoàn Lao động huyện Cao Lộc"),
        Column(
            "kind", h["kind"], True, tabular.choice(kinds), ", ".join(kinds.values()), "district"
        ),
        Column(
            "parent_code", h["parent_code"], False, _code, _("Empty only for a top unit."), "LS"
        ),
        Column("opened_on", h["opened_on"], False, tabular.date, "dd/mm/yyyy"),
        Column("closed_on", h["closed_on"], False, tabular.date, "dd/mm/yyyy"),
        Column("abbreviation", h["abbreviation"], False, tabular.line(40), "LĐLĐ"),
        Column("place", h["place"], False, tabular.line(100), "Lạng Sơn"),
    ]


INSTRUCTIONS = [
    gettext_lazy("Organisation tree import: one row per unit, under the header row."),
    gettext_lazy("A parent is either a unit already in Soket or another row of this file."),
    gettext_lazy("A row whose code already exists updates that unit."),
    gettext_lazy("If any row has an error, nothing is imported; every error is listed."),
]


@dataclass
class ImportResult:
    created: int
    updated: int
    moved: int


def import_units(*, filename: str, data: bytes, by: User) -> ImportResult:
    rows, errors = tabular.read_table(filename=filename, data=data, columns=columns())
    good = [row for row in rows if not row.errors]
    codes = [code for row in rows if (code := row.values.get("code"))]
    parent_codes = {row.values["parent_code"] for row in good if row.values["parent_code"]}
    existing = {
        unit.code: unit
        for unit in Unit.objects.select_related("parent").filter(code__in={*codes, *parent_codes})
    }
    managed = set(
        access.managed_units(by)
        .filter(code__in={*codes, *parent_codes})
        .values_list("code", flat=True)
    )
    errors += tabular.duplicate_errors(rows, key="code", header=HEADERS["code"])
    errors += _check_rows(good, set(codes), existing, managed, by)
    if errors:
        raise TableError(errors)
    try:
        return _write(good, existing, {kind.code: kind for kind in UnitKind.objects.all()})
    except services.HierarchyError as error:
        raise TableError([RowError(None, None, str(error))]) from None


def _check_rows(
    rows: list[Row], codes_in_file: set[str], existing: dict[str, Unit], managed: set[str], by: User
) -> list[RowError]:
    parents_in_file = {row.values["code"]: row.values["parent_code"] for row in rows}
    errors = []

    def error(row: Row, column: str, message: str) -> None:
        errors.append(RowError(row.number, HEADERS[column], message))

    for row in rows:
        code, parent = row.values["code"], row.values["parent_code"]
        unit = existing.get(code)
        if parent == code:
            error(row, "parent_code", _("a unit cannot be its own parent"))
        elif parent and parent not in existing and parent not in codes_in_file:
            error(row, "parent_code", _("no unit has the code “%s”") % parent)
        elif parent and parent not in codes_in_file and parent not in managed:
            error(row, "parent_code", _("you may not add units under “%s”") % parent)
        elif not parent and unit is not None and unit.parent_id:
            error(row, "parent_code", _("an existing unit cannot become a top unit by import"))
        elif not parent and not by.is_superuser:
            error(row, "parent_code", _("only a system administrator may add a top unit"))
        elif _has_cycle(code, parents_in_file):
            error(row, "parent_code", _("the parents form a loop"))
        if unit is not None and code not in managed:
            error(row, "code", _("you may not change the unit “%s”") % code)
        opened_on, closed_on = row.values["opened_on"], row.values["closed_on"]
        if opened_on and closed_on and closed_on <= opened_on:
            error(row, "closed_on", _("must be after the opening date"))
    return errors


def _has_cycle(code: str, parents: dict[str, str]) -> bool:
    seen = {code}
    parent = parents.get(code)
    while parent and parent in parents:
        if parent in seen:
            return True
        seen.add(parent)
        parent = parents[parent]
    return False


@transaction.atomic
def _write(rows, existing: dict[str, Unit], kinds: dict[str, UnitKind]) -> ImportResult:
    # A bulk change of the tree: what follows it (who is expected to report) catches up
    # once, at the end.
    with hooks.bulk_change():
        return _write_rows(rows, existing, kinds)


def _write_rows(rows, existing: dict[str, Unit], kinds: dict[str, UnitKind]) -> ImportResult:
    new_specs, updated, moves = [], 0, []
    for row in rows:
        v = row.values
        fields = {
            "name": v["name"],
            "kind": kinds[v["kind"]],
            "opened_on": v["opened_on"],
            "closed_on": v["closed_on"],
            "abbreviation": v["abbreviation"],
            "place": v["place"],
        }
        unit = existing.get(v["code"])
        if unit is None:
            new_specs.append(
                services.UnitSpec(code=v["code"], parent_code=v["parent_code"] or None, **fields)
            )
            continue
        if services.unit_update(unit=unit, fields=fields):
            updated += 1
        current_parent = unit.parent.code if unit.parent is not None else ""  # select_related
        if v["parent_code"] != current_parent:
            moves.append((unit, v["parent_code"]))
    created = services.units_create(specs=new_specs) if new_specs else []
    for unit, parent_code in moves:
        services.unit_move(unit=unit, new_parent=Unit.objects.get(code=parent_code))
    return ImportResult(created=len(created), updated=updated, moved=len(moves))
