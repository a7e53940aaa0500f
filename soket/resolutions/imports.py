"""Import of a resolution's targets from .xlsx or .csv: all rows valid, or nothing written.

A row whose code exists updates that target, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soket.core import tabular
from soket.core.tabular import Column, RowError, TableError
from soket.resolutions.models import Resolution, Target

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


def _codes(value) -> list[str]:
    raw = tabular.text(500)(value)
    return [code.strip() for code in raw.replace(",", ";").split(";") if code.strip()]


def columns() -> list[Column]:
    """The file's columns; headers are fixed Vietnamese, as for the organisation tree."""
    return [
        Column("code", "Mã chỉ tiêu", True, tabular.text(20), "", "CT01"),
        Column(
            "wording", "Nội dung chỉ tiêu", True, tabular.text(2000), "", "Phát triển đoàn viên mới"
        ),
        Column("unit_of_measure", "Đơn vị tính", False, tabular.text(60), "", "đoàn viên"),
        Column(
            "direction",
            "Chiều",
            True,
            tabular.choice(DIRECTIONS),
            ", ".join(DIRECTIONS),
            "tối thiểu",
        ),
        Column(
            "goal_value",
            "Mục tiêu",
            False,
            tabular.decimal,
            _("Empty for a qualitative target."),
            10000,
        ),
        Column(
            "aggregation",
            "Cách tổng hợp",
            True,
            tabular.choice(AGGREGATIONS),
            ", ".join(AGGREGATIONS),
            "tổng",
        ),
        Column("numerator_label", "Tử số", False, tabular.text(200), _("For a ratio."), ""),
        Column("denominator_label", "Mẫu số", False, tabular.text(200), _("For a ratio."), ""),
        Column("baseline_value", "Giá trị nền", False, tabular.decimal, "", ""),
        Column("baseline_year", "Năm nền", False, tabular.whole_number, "", ""),
        Column(
            "programme", "Chương trình hành động số", False, tabular.whole_number, "1, 2, 3, 4", 1
        ),
        Column(
            "derived_from",
            "Cụ thể hóa từ chỉ tiêu",
            False,
            _codes,
            _("Codes of the higher level's targets, separated by ;"),
            "CT01",
        ),
    ]


INSTRUCTIONS = [
    gettext_lazy("Target import: one row per target of this resolution, under the header row."),
    gettext_lazy("A row whose code already exists updates that target."),
    gettext_lazy("If any row has an error, nothing is imported; every error is listed."),
]


@dataclass
class ImportResult:
    created: int
    updated: int


def import_targets(*, resolution: Resolution, filename: str, data: bytes) -> ImportResult:
    rows, errors = tabular.read_table(filename=filename, data=data, columns=columns())
    headers = {c.key: c.header for c in columns()}
    programmes = {p.number: p for p in resolution.programmes.all()}
    higher = {}
    if resolution.implements_id:
        higher = {t.code: t for t in resolution.implements.targets.all()}
    seen: dict[str, int] = {}
    for row in rows:
        v = row.values
        if v["code"] in seen:
            errors.append(
                RowError(
                    row.number,
                    headers["code"],
                    _("“%(code)s” is already used on row %(row)d")
                    % {"code": v["code"], "row": seen[v["code"]]},
                )
            )
        seen[v["code"]] = row.number
        qualitative = v["direction"] == Target.Direction.QUALITATIVE
        if qualitative and v["goal_value"] is not None:
            errors.append(
                RowError(
                    row.number, headers["goal_value"], _("a qualitative target has no numeric goal")
                )
            )
        if not qualitative and v["goal_value"] is None:
            errors.append(
                RowError(
                    row.number, headers["goal_value"], _("is required for a measurable target")
                )
            )
        if v["aggregation"] == Target.Aggregation.RATIO and not (
            v["numerator_label"] and v["denominator_label"]
        ):
            errors.append(
                RowError(
                    row.number,
                    headers["numerator_label"],
                    _("a ratio target names its numerator and denominator"),
                )
            )
        if v["programme"] is not None and v["programme"] not in programmes:
            errors.append(
                RowError(
                    row.number,
                    headers["programme"],
                    _("the resolution has no action programme %d") % v["programme"],
                )
            )
        for code in v["derived_from"]:
            if code not in higher:
                errors.append(
                    RowError(
                        row.number,
                        headers["derived_from"],
                        _("“%s” is not a target of the resolution this one makes concrete") % code,
                    )
                )
    if errors:
        raise TableError(errors)
    return _write(resolution, rows, programmes, higher)


@transaction.atomic
def _write(resolution, rows, programmes, higher) -> ImportResult:
    existing = {t.code: t for t in resolution.targets.prefetch_related("derived_from")}
    created = updated = 0
    for order, row in enumerate(rows, start=1):
        v = dict(row.values)
        derived = {higher[code] for code in v.pop("derived_from")}
        v["programme"] = programmes.get(v["programme"])
        v["order"] = order
        target = existing.get(v["code"])
        if target is None:
            target = Target.objects.create(resolution=resolution, **v)
            created += 1
        elif (
            any(getattr(target, k) != value for k, value in v.items())
            or set(target.derived_from.all()) != derived
        ):
            for key, value in v.items():
                setattr(target, key, value)
            target.save()
            updated += 1
        target.derived_from.set(derived)
    return ImportResult(created=created, updated=updated)
