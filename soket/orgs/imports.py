"""Import of an organisation tree from .xlsx or .csv: all rows valid, or nothing written.

A row names its parent by code: a unit already in the tree or another row of the file.
A row whose code exists updates that unit (and moves it if its parent changed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soket import access
from soket.core import tabular
from soket.core.tabular import Column, RowError, TableError
from soket.orgs import services
from soket.orgs.models import Unit, UnitKind, User

CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def _code(value) -> str:
    code = tabular.text(40)(value)
    if code and not set(code) <= CODE_CHARS:
        raise tabular.CellError(_("may hold only Latin letters, digits and - _ ."))
    return code


def columns() -> list[Column]:
    kinds = {kind.name: kind.code for kind in UnitKind.objects.all()}
    return [
        Column("code", _("Unit code"), True, _code, _("Unique; Latin letters, digits, - _ ."), "LS-CL"),
        Column("name", _("Unit name"), True, tabular.text(255), "", "Liên đoàn Lao động huyện Cao Lộc"),
        Column("kind", _("Unit kind"), True, tabular.choice(kinds), ", ".join(kinds), "district"),
        Column("parent_code", _("Parent unit code"), False, _code, _("Empty only for a top unit."), "LS"),
        Column("opened_on", _("Opened on"), False, tabular.date, "dd/mm/yyyy", ""),
        Column("closed_on", _("Closed on"), False, tabular.date, "dd/mm/yyyy", ""),
        Column("abbreviation", _("Abbreviation"), False, tabular.text(40), "LĐLĐ", ""),
        Column("place", _("Place name"), False, tabular.text(100), "Lạng Sơn", ""),
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
    rows = tabular.read_table(filename=filename, data=data, columns=columns())
    errors: list[RowError] = []
    headers = {c.key: c.header for c in columns()}

    codes_in_file: dict[str, int] = {}
    for row in rows:
        code = row.values["code"]
        if code in codes_in_file:
            errors.append(
                RowError(row.number, headers["code"],
                         _("“%(code)s” is already used on row %(row)d")
                         % {"code": code, "row": codes_in_file[code]})
            )
        codes_in_file[code] = row.number

    referenced = {r.values["code"] for r in rows} | {
        r.values["parent_code"] for r in rows if r.values["parent_code"]
    }
    existing = {
        u.code: u for u in Unit.objects.select_related("parent").filter(code__in=referenced)
    }
    managed = set(
        access.managed_units(by).filter(code__in=referenced).values_list("code", flat=True)
    )
    kinds = {k.code: k for k in UnitKind.objects.all()}
    parents_in_file = {r.values["code"]: r.values["parent_code"] for r in rows}

    for row in rows:
        v = row.values
        parent = v["parent_code"]
        if parent == v["code"]:
            errors.append(RowError(row.number, headers["parent_code"], _("a unit cannot be its own parent")))
        elif parent and parent not in existing and parent not in codes_in_file:
            errors.append(RowError(row.number, headers["parent_code"], _("no unit has the code “%s”") % parent))
        elif parent and parent in existing and parent not in codes_in_file and parent not in managed:
            errors.append(RowError(row.number, headers["parent_code"], _("you may not add units under “%s”") % parent))
        elif not parent and v["code"] in existing and existing[v["code"]].parent_id:
            errors.append(RowError(row.number, headers["parent_code"], _("an existing unit cannot become a top unit by import")))
        elif not parent and not by.is_superuser:
            errors.append(RowError(row.number, headers["parent_code"], _("only a system administrator may add a top unit")))
        if v["code"] in existing and v["code"] not in managed:
            errors.append(RowError(row.number, headers["code"], _("you may not change the unit “%s”") % v["code"]))
        if v["opened_on"] and v["closed_on"] and v["closed_on"] <= v["opened_on"]:
            errors.append(RowError(row.number, headers["closed_on"], _("must be after the opening date")))
        if _has_cycle(v["code"], parents_in_file):
            errors.append(RowError(row.number, headers["parent_code"], _("the parents form a loop")))
    if errors:
        raise TableError(errors)

    try:
        return _write(rows, existing, kinds)
    except services.HierarchyError as error:
        raise TableError([RowError(None, None, str(error))]) from None


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
    new_specs, updated, moves = [], 0, []
    for row in rows:
        v = row.values
        fields = {
            "name": v["name"], "kind": kinds[v["kind"]], "opened_on": v["opened_on"],
            "closed_on": v["closed_on"], "abbreviation": v["abbreviation"], "place": v["place"],
        }
        unit = existing.get(v["code"])
        if unit is None:
            new_specs.append(services.UnitSpec(code=v["code"], parent_code=v["parent_code"] or None, **fields))
            continue
        if any(getattr(unit, name) != value for name, value in fields.items()):
            Unit.objects.filter(pk=unit.pk).update(**fields)
            updated += 1
        current_parent = unit.parent.code if unit.parent_id else ""
        if v["parent_code"] != current_parent:
            moves.append((unit, v["parent_code"]))
    created = services.units_create(specs=new_specs) if new_specs else []
    for unit, parent_code in moves:
        services.unit_move(unit=unit, new_parent=Unit.objects.get(code=parent_code))
    return ImportResult(created=len(created), updated=updated, moved=len(moves))
