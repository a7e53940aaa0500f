"""Reading the report form: every field named after what it fills, every error collected."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from soket.core import tabular
from soket.reports import limits
from soket.reports.models import Assessment
from soket.reports.services import FigureInput
from soket.resolutions.models import Target


@dataclass
class ReportForm:
    sections: dict[int, str] = field(default_factory=dict)
    figures: dict[int, FigureInput] = field(default_factory=dict)
    items: dict[int, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _number(post: QueryDict, name: str, target: Target, errors: list[str]):
    try:
        return tabular.decimal(post.get(name, ""))
    except tabular.CellError as error:
        errors.append(_("target %(code)s: %(error)s") % {"code": target.code, "error": error})
        return None


def _text(post: QueryDict, name: str) -> str:
    """The field's text, whole: its length is checked where every save is (report_save),
    and a text too long comes back to the person to shorten."""
    return post.get(name, "").replace("\r\n", "\n").strip()


def read_report_form(post: QueryDict, *, targets, section_ids, item_ids) -> ReportForm:
    form = ReportForm()
    for section_id in section_ids:
        if f"section-{section_id}" in post:
            form.sections[section_id] = _text(post, f"section-{section_id}")
    for item_id in item_ids:
        if f"item-{item_id}" in post:
            form.items[item_id] = _text(post, f"item-{item_id}")
    for target in targets:
        if f"override-{target.pk}" not in post:
            continue
        override = post.get(f"override-{target.pk}", "")
        if override and override not in Assessment.values:
            form.errors.append(_("target %s: unknown assessment") % target.code)
            override = ""
        form.figures[target.pk] = FigureInput(
            value=_number(post, f"value-{target.pk}", target, form.errors),
            numerator=_number(post, f"numerator-{target.pk}", target, form.errors),
            denominator=_number(post, f"denominator-{target.pk}", target, form.errors),
            override=override,
            override_reason=_text(post, f"reason-{target.pk}"),
            causes=_text(post, f"causes-{target.pk}"),
        )
    return form


@dataclass
class ReferenceForm:
    document_number: str = ""
    issued_on: datetime.date | None = None
    is_signed: bool = False
    errors: list[str] = field(default_factory=list)


def read_reference_form(post: QueryDict) -> ReferenceForm:
    """The report's number, date and signing, as the office records them."""
    form = ReferenceForm(
        document_number=post.get("document_number", "")[: limits.SHORT_TEXT],
        is_signed=post.get("is_signed") == "1",
    )
    try:
        form.issued_on = tabular.date(post.get("issued_on", "").strip())
    except tabular.CellError as error:
        form.errors.append(_("Document date: %s") % error)
    return form
