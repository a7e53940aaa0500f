"""Import of a resolution's targets from .xlsx or .csv: all rows valid, or nothing written.

A row whose code exists updates that target, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soket.audit import services as audit
from soket.audit.services import snapshot
from soket.core import tabular
from soket.core.tabular import Column, Row, RowError, TableError
from soket.orgs.models import User
from soket.resolutions import meaning
from soket.resolutions.models import ActionProgramme, Resolution, Target

DIRECTIONS = {
    "tối thiểu": Target.Direction.AT_LEAST,
    "tối đa": Target.Direction.AT_MOST,
    "định tính": Target.Direction.QUALITATIVE,
}
AGGREGATIONS = {
    "tổng": Target.Aggregation.SUM,
    "tỷ lệ": Target.Aggregation.RATIO,
    "tỷ lệ đơn vị đạt": Target.Aggregation.SHARE_MEETING,
    "không tổng hợp": Target.Aggregation.NONE,
}
NUMBER_KINDS: dict[str, str] = {
    "tự động": Target.NumberKind.AUTOMATIC,
    "số đếm": Target.NumberKind.COUNT,
    "giá trị": Target.NumberKind.AMOUNT,
    "phần trăm": Target.NumberKind.PERCENTAGE,
}
YES_NO = {"có": "yes", "không": "no"}
# Columns a file made before they existed leaves out: a blank cell keeps what the target
# has (a new target takes the default).
KEPT_WHEN_BLANK = ("number_kind", "numerator_may_exceed_denominator")
# Fixed Vietnamese headers, as for the organisation tree.
HEADERS = {
    "code": "Mã chỉ tiêu",
    "wording": "Nội dung chỉ tiêu",
    "unit_of_measure": "Đơn vị tính",
    "direction": "Chiều",
    "goal_value": "Mục tiêu",
    "aggregation": "Cách tổng hợp",
    "numerator_label": "Tử số",
    "denominator_label": "Mẫu số",
    "baseline_value": "Giá trị nền",
    "baseline_year": "Năm nền",
    "programme": "Chương trình hành động số",
    "derived_from": "Cụ thể hóa từ chỉ tiêu",
    "number_kind": "Loại số",
    "numerator_may_exceed_denominator": "Tử số được lớn hơn mẫu số",
}


def _codes(value) -> list[str]:
    raw = tabular.text(500)(value)
    return [code.strip() for code in raw.replace(",", ";").split(";") if code.strip()]


def _number_kind(value) -> str | None:
    """A kind, "" for automatic; None for a blank cell (keep what the target has)."""
    if tabular.text(60)(value) == "":
        return None
    return tabular.choice(NUMBER_KINDS)(value)


def _yes_no(value) -> bool | None:
    """True or False; None for a blank cell (keep what the target has)."""
    answer = tabular.choice(YES_NO)(value)
    return {"yes": True, "no": False}.get(answer)


def columns() -> list[Column]:
    h = HEADERS
    ratio_help = _("For a ratio.")
    return [
        Column("code", h["code"], True, tabular.text(20), "", "CT01"),
        Column("wording", h["wording"], True, tabular.text(2000), "", "Phát triển đoàn viên"),
        Column("unit_of_measure", h["unit_of_measure"], False, tabular.text(60), "", "đoàn viên"),
        Column("direction", h["direction"], True, tabular.choice(DIRECTIONS),
               ", ".join(DIRECTIONS), "tối thiểu"),
        Column("goal_value", h["goal_value"], False, tabular.decimal,
               _("Empty for a qualitative target."), 10000),
        Column("aggregation", h["aggregation"], True, tabular.choice(AGGREGATIONS),
               ", ".join(AGGREGATIONS), "tổng"),
        Column("numerator_label", h["numerator_label"], False, tabular.text(200), ratio_help),
        Column("denominator_label", h["denominator_label"], False, tabular.text(200), ratio_help),
        Column("baseline_value", h["baseline_value"], False, tabular.decimal),
        Column("baseline_year", h["baseline_year"], False, tabular.whole_number),
        Column("programme", h["programme"], False, tabular.whole_number, "1, 2, 3, 4", 1),
        Column("derived_from", h["derived_from"], False, _codes,
               _("Codes of the higher level's targets, separated by ;"), "CT01"),
        Column("number_kind", h["number_kind"], False, _number_kind,
               _("%(kinds)s; blank keeps the target's, automatic for a new one.")
               % {"kinds": ", ".join(NUMBER_KINDS)}, "tự động"),
        Column("numerator_may_exceed_denominator", h["numerator_may_exceed_denominator"],
               False, _yes_no, _("For a ratio: có or không (blank: không)."), "không"),
    ]  # fmt: skip


INSTRUCTIONS = [
    gettext_lazy("Target import: one row per target of this resolution, under the header row."),
    gettext_lazy("A row whose code already exists updates that target."),
    gettext_lazy("If any row has an error, nothing is imported; every error is listed."),
]


@dataclass
class ImportResult:
    created: int
    updated: int


def import_targets(
    *, resolution: Resolution, filename: str, data: bytes, by: User | None = None
) -> ImportResult:
    rows, errors = tabular.read_table(filename=filename, data=data, columns=columns())
    good = [row for row in rows if not row.errors]
    programmes = {p.number: p for p in resolution.programmes.all()}
    higher = {}
    if resolution.implements is not None:
        higher = {t.code: t for t in resolution.implements.targets.all()}
    errors += tabular.duplicate_errors(rows, key="code", header=HEADERS["code"])
    errors += _check_rows(good, programmes, higher)
    if errors:
        raise TableError(errors)
    return _write(resolution, good, programmes, higher, by)


def _check_rows(
    rows: list[Row], programmes: dict[int, ActionProgramme], higher: dict[str, Target]
) -> list[RowError]:
    errors = []

    def error(row: Row, column: str, message: str) -> None:
        errors.append(RowError(row.number, HEADERS[column], message))

    for row in rows:
        v = row.values
        qualitative = v["direction"] == Target.Direction.QUALITATIVE
        if qualitative and v["goal_value"] is not None:
            error(row, "goal_value", _("a qualitative target has no numeric goal"))
        if not qualitative and v["goal_value"] is None:
            error(row, "goal_value", _("is required for a measurable target"))
        is_ratio = v["aggregation"] == Target.Aggregation.RATIO
        if is_ratio and not (v["numerator_label"] and v["denominator_label"]):
            error(row, "numerator_label", _("a ratio target names its numerator and denominator"))
        takes_parts = v["aggregation"] in (
            Target.Aggregation.RATIO,
            Target.Aggregation.SHARE_MEETING,
        )
        if takes_parts and v["number_kind"] == Target.NumberKind.PERCENTAGE:
            error(row, "number_kind", _("a ratio's numerator and denominator are not percentages"))
        as_given = Target(
            aggregation=v["aggregation"],
            unit_of_measure=v["unit_of_measure"] or "",
            number_kind=v["number_kind"] or "",
        )
        if v["aggregation"] == Target.Aggregation.SUM and meaning.is_percent(as_given):
            error(row, "aggregation", _("percentages are not added up: use a ratio"))
        if v["programme"] is not None and v["programme"] not in programmes:
            error(row, "programme", _("the resolution has no action programme %d") % v["programme"])
        for code in v["derived_from"]:
            if code not in higher:
                message = _("“%s” is not a target of the resolution this one makes concrete")
                error(row, "derived_from", message % code)
    return errors


@transaction.atomic
def _write(resolution, rows, programmes, higher, by) -> ImportResult:
    existing = {t.code: t for t in resolution.targets.prefetch_related("derived_from")}
    created = updated = 0
    for order, row in enumerate(rows, start=1):
        fields = dict(row.values)
        derived = {higher[code] for code in fields.pop("derived_from")}
        fields["programme"] = programmes.get(fields["programme"])
        fields["order"] = order
        for key in KEPT_WHEN_BLANK:
            if fields[key] is None:
                del fields[key]
        target = existing.get(fields["code"])
        if target is None:
            target = Target.objects.create(resolution=resolution, **fields)
            target.derived_from.set(derived)
            audit.record(by=by, action="import", instance=target, after=snapshot(target))
            created += 1
        elif any(getattr(target, k) != value for k, value in fields.items()) or (
            set(target.derived_from.all()) != derived
        ):
            before = snapshot(target)
            for key, value in fields.items():
                setattr(target, key, value)
            target.save()
            target.derived_from.set(derived)
            audit.record(
                by=by, action="import", instance=target, before=before, after=snapshot(target)
            )
            updated += 1
    return ImportResult(created=created, updated=updated)
