"""Reading the report form: every field named after what it fills, every error collected."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from soket.core import tabular
from soket.reports import limits, validation
from soket.reports.models import Assessment, Report
from soket.reports.services import FigureInput


@dataclass
class ReportForm:
    """What the form carried, read. After a failed save the page shows it again, so
    nothing typed is lost: `figures` keeps each target's assessment set by hand, its
    reason and causes, and `raw` every number as typed, by field name ("value-12"),
    even one that could not be read ("1,5x"). `errors` are the messages, each naming
    its target by code (reports/validation.py)."""

    sections: dict[int, str] = field(default_factory=dict)
    figures: dict[int, FigureInput] = field(default_factory=dict)
    items: dict[int, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _text(post: QueryDict, name: str) -> str:
    """The field's text, whole: its length is checked where every save is (report_save),
    and a text too long comes back to the person to shorten."""
    return post.get(name, "").replace("\r\n", "\n").strip()


def read_report_form(
    post: QueryDict, *, targets, section_ids, item_ids, report: Report | None = None
) -> ReportForm:
    """The form's content and every error in it. The figures are checked as every door
    checks them (validation.py), the rules across targets too when `report` is given."""
    form = ReportForm()
    for section_id in section_ids:
        if f"section-{section_id}" in post:
            form.sections[section_id] = _text(post, f"section-{section_id}")
    for item_id in item_ids:
        if f"item-{item_id}" in post:
            form.items[item_id] = _text(post, f"item-{item_id}")
    unreadable: set[int] = set()
    by_id = {}
    for target in targets:
        if f"override-{target.pk}" not in post:
            continue
        by_id[target.pk] = target
        override = post.get(f"override-{target.pk}", "")
        if override and override not in Assessment.values:
            form.errors.append(_("%s: unknown assessment") % validation.target_name(target))
        typed = {}
        for name in validation.NUMBERS:
            key = f"{name}-{target.pk}"
            if key in post:
                typed[name] = form.raw[key] = post.get(key, "")
        numbers, problems = validation.read_numbers(target, typed)
        if problems:
            unreadable.add(target.pk)
            form.errors += [str(problem) for problem in problems]
        form.figures[target.pk] = FigureInput(
            **numbers,
            override=override,
            override_reason=_text(post, f"reason-{target.pk}"),
            causes=_text(post, f"causes-{target.pk}"),
        )
    readable = {pk: given for pk, given in form.figures.items() if pk not in unreadable}
    if report is not None:
        problems = validation.figure_problems(report=report, figures=readable, targets=by_id)
    else:
        problems = [
            problem
            for pk, given in readable.items()
            for problem in validation.target_problems(by_id[pk], given)
        ]
    form.errors += [str(problem) for problem in problems]
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
