"""Strengths, shortcomings, causes and lessons gathered from the reports in a person's
scope (issue 13, point 3): the paragraphs of their sections, the causes they gave for
each target and their assessments of the review items, searchable in Vietnamese typed
with or without its marks.

What is gathered, for a unit of the campaign's tree in the person's scope:

- the reports of every unit below it that have been sent up (submitted or accepted): a
  draft, or a report returned to its unit, is still that unit's to change, and is not
  yet its word;
- the thematic reports of its own departments in any state: they are the federation's
  own house, written for the committee.

The unit's own report is not gathered: it is the committee's draft, made of these
passages. Each report contributes its own words only (reports.searchable): what a
district drafted from its grassroots unions is found once, under the union that wrote
it.

The search compares folded copies (soket.core.text.folded, one rule in Python) stored
beside the texts: `LIKE '%…%'` on them, which PostgreSQL serves from trigram indexes and
SQLite by scanning. Every read is one query per kind of passage, whatever the tree.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from soket.campaigns.models import Campaign, OutlineSection
from soket.campaigns.selectors import report_outline
from soket.core.text import folded, folded_with_positions
from soket.orgs.access import is_active
from soket.orgs.models import Unit, User, ids_in_path, path_upper_bound
from soket.orgs.names import short_name
from soket.reports import searchable, validation, workflow
from soket.reports.models import Figure, ItemAssessment, Report, SectionText
from soket.resolutions.models import ReviewItem, Target

PAGE = 30  # rows of each kind a page shows
LONGEST_QUERY = 200
SENT = (Report.State.SUBMITTED, Report.State.ACCEPTED)

TEXT, CAUSES, ITEMS = "doan-van", "nguyen-nhan", "danh-gia"
KINDS = (TEXT, CAUSES, ITEMS)


def gathered(*, campaign: Campaign, unit: Unit, via: str = "") -> Q:
    """The reports whose passages the search of `unit` reads (see the module), as a
    condition on `via` (e.g. "report__"): a join, not a list of ids, so that PostgreSQL
    can walk a passage index in order and stop at the page for a common word."""
    below = Q(
        **{
            f"{via}unit__path__gt": unit.path,
            f"{via}unit__path__lt": path_upper_bound(unit.path),
            f"{via}state__in": SENT,
        }
    )
    departments = Q(**{f"{via}unit": unit, f"{via}department__isnull": False})
    return Q(**{f"{via}campaign": campaign}) & (below | departments)


def reports_gathered(*, campaign: Campaign, unit: Unit) -> QuerySet[Report]:
    return Report.objects.filter(gathered(campaign=campaign, unit=unit))


def highlighted(paragraph: str, query: str) -> SafeString:
    """The paragraph, escaped, with every place the folded query matches marked."""
    if not query:
        return escape(paragraph)
    composed = unicodedata.normalize("NFC", paragraph)
    copy, positions = folded_with_positions(composed)
    return _marked(composed, copy, positions, query)


def _marked(composed: str, copy: str, positions: list[int], query: str) -> SafeString:
    spans: list[tuple[int, int]] = []
    start = copy.find(query)
    while start != -1:
        end = start + len(query) - 1
        spans.append((positions[start], positions[end] + 1))
        start = copy.find(query, start + len(query))
    out: list[str] = []
    at = 0
    for begin, end in spans:
        if begin < at:
            continue
        out.append(escape(composed[at:begin]))
        out.append(f"<mark>{escape(composed[begin:end])}</mark>")
        at = end
    out.append(escape(composed[at:]))
    return mark_safe("".join(out))  # every piece is escaped above


def paragraphs(words: str) -> list[str]:
    """A text's paragraphs: its non-empty lines."""
    return [line.strip() for line in words.splitlines() if line.strip()]


@dataclass(frozen=True)
class Passage:
    kind: str
    row_id: int  # the SectionText, Figure or ItemAssessment
    number: int  # the paragraph's place among the row's paragraphs
    text: str
    marked: SafeString
    unit: Unit
    author: str  # who wrote it, as a source line names them
    short_author: str
    report_id: int
    state: str

    @property
    def seen(self) -> str:
        return fingerprint(self.text)


@dataclass
class Group:
    """The passages of one outline section, one target or one review item on a page."""

    kind: str
    title: str
    passages: list[Passage] = field(default_factory=list)
    section: OutlineSection | None = None
    target: Target | None = None
    item: ReviewItem | None = None


@dataclass(frozen=True)
class Lessons:
    campaign: Campaign
    unit: Unit
    query: str  # as typed
    folded_query: str
    kind: str  # "" every kind
    section: OutlineSection | None
    target: Target | None
    page: int
    groups: list[Group]
    has_next: bool
    sections: list[OutlineSection]  # what the filters offer
    targets: list[Target]
    quote_into: Report | None  # the draft the person may quote into, if any
    quote_unit: Unit | None  # whose draft that is (it may not be started yet)

    @property
    def passages(self) -> int:
        return sum(len(group.passages) for group in self.groups)

    @property
    def can_quote(self) -> bool:
        return self.quote_unit is not None and (
            self.quote_into is None or self.quote_into.is_editable
        )


def quoting_unit(*, user: User, unit: Unit) -> Unit | None:
    """Whose draft the person quotes into: the nearest unit at or above `unit` whose own
    report they write (a system administrator: `unit` itself); None when they write none
    in that line."""
    if not is_active(user):
        return None
    if user.is_superuser:
        return unit
    roles = workflow.writing_roles().filter(
        user=user, department__isnull=True, unit_id__in=ids_in_path(unit.path)
    )
    return (
        Unit.objects.filter(pk__in=roles.values("unit_id"))
        .order_by("-depth")
        .select_related("kind")
        .first()
    )


def _author(report: Report) -> tuple[str, str]:
    author = report.author_name
    if report.department_id:
        return author, author
    return author, short_name(author)


def _passages(kind: str, row, words: str, copy: str, query: str) -> list[Passage]:
    """The row's paragraphs that hold the query (all of them with no query). `copy` is
    the row's stored folded copy: one line per paragraph, so only the paragraphs that
    match are folded again, to mark the words."""
    report = row.report
    author, short = _author(report)
    texts = paragraphs(words)
    lines = copy.split("\n")
    if len(lines) != len(texts):  # a line that folds to nothing: fold each paragraph
        lines = [folded(text) for text in texts]
    found = []
    for number, (paragraph, line) in enumerate(zip(texts, lines, strict=True)):
        if query and query not in line:
            continue
        found.append(
            Passage(
                kind=kind,
                row_id=row.pk,
                number=number,
                text=paragraph,
                marked=highlighted(paragraph, query),
                unit=report.unit,
                author=author,
                short_author=short,
                report_id=report.pk,
                state=report.state,
            )
        )
    return found


def _place(group: Group, place: dict[tuple[str, int], int]) -> tuple[int, int]:
    if group.section is not None:
        return place.get(("s", group.section.pk), len(place)), group.section.pk
    if group.target is not None:
        return place.get(("t", group.target.pk), len(place)), group.target.pk
    return 0, group.item.pk if group.item else 0


def _window(rows: QuerySet, page: int) -> tuple[list, bool]:
    start = (page - 1) * PAGE
    got = list(rows[start : start + PAGE + 1])
    return got[:PAGE], len(got) > PAGE


def lessons(
    *,
    user: User,
    campaign: Campaign,
    unit: Unit,
    query: str = "",
    kind: str = "",
    section: int | None = None,
    target: int | None = None,
    page: int = 1,
) -> Lessons:
    """The passages of the reports gathered for `unit` (which the caller has checked lies
    in the person's scope: lessons views get it through analysis.selectors), matching
    the query, grouped by outline section, target and review item, a page of each kind.

    `section` narrows to a section and its targets' causes, `target` to one target's
    causes; an id that is not the campaign's outline's gives nothing (the page says so)."""
    query = " ".join(query.split())[:LONGEST_QUERY]
    folded_query = folded(query)
    kind = kind if kind in KINDS else ""
    sections = list(report_outline(campaign, unit).prefetch_related("targets", "review_items"))
    by_id = {item.pk: item for item in sections}
    chosen_section = by_id.get(section) if section else None
    targets = list(
        Target.objects.filter(outline_sections__in=[item.pk for item in sections])
        .distinct()
        .order_by("resolution_id", "order", "code")
    )
    chosen_target = next((item for item in targets if item.pk == target), None)
    scope = gathered(campaign=campaign, unit=unit, via="report__")
    nothing = (section and chosen_section is None) or (target and chosen_target is None)
    groups: list[Group] = []
    has_next = False
    page = max(page, 1)

    def wanted(name: str) -> bool:
        return not nothing and (not kind or kind == name)

    if wanted(TEXT) and not chosen_target:
        rows = SectionText.objects.filter(scope).exclude(folded="")
        if folded_query:
            rows = rows.filter(folded__contains=folded_query)
        if chosen_section:
            rows = rows.filter(section=chosen_section)
        rows = rows.select_related("report__unit", "report__department", "section").order_by(
            "section_id", "report_id"
        )
        got, more = _window(rows, page)
        has_next |= more
        for row in got:
            found = _passages(TEXT, row, searchable.own_words(row.text), row.folded, folded_query)
            if not groups or groups[-1].section != row.section or groups[-1].kind != TEXT:
                title = f"{row.section.number} {row.section.heading}".strip()
                groups.append(Group(kind=TEXT, title=title, section=row.section))
            groups[-1].passages += found

    if wanted(CAUSES):
        cause_rows = Figure.objects.filter(scope).exclude(folded_causes="")
        if folded_query:
            cause_rows = cause_rows.filter(folded_causes__contains=folded_query)
        if chosen_target:
            cause_rows = cause_rows.filter(target=chosen_target)
        elif chosen_section:
            cause_rows = cause_rows.filter(
                target__in=[item.pk for item in chosen_section.targets.all()]
            )
        cause_rows = cause_rows.select_related(
            "report__unit", "report__department", "target"
        ).order_by("target_id", "report_id")
        got, more = _window(cause_rows, page)
        has_next |= more
        for row in got:
            found = _passages(
                CAUSES, row, searchable.own_causes(row.causes), row.folded_causes, folded_query
            )
            if not groups or groups[-1].target != row.target:
                title = validation.target_name(row.target)
                groups.append(Group(kind=CAUSES, title=title, target=row.target))
            groups[-1].passages += found

    if wanted(ITEMS) and not chosen_target:
        item_rows = ItemAssessment.objects.filter(scope).exclude(folded="")
        if folded_query:
            item_rows = item_rows.filter(folded__contains=folded_query)
        if chosen_section:
            item_rows = item_rows.filter(
                item__in=[item.pk for item in chosen_section.review_items.all()]
            )
        item_rows = item_rows.select_related("report__unit", "report__department", "item").order_by(
            "item_id", "report_id"
        )
        got, more = _window(item_rows, page)
        has_next |= more
        for row in got:
            found = _passages(ITEMS, row, searchable.own_words(row.text), row.folded, folded_query)
            if not groups or groups[-1].item != row.item:
                groups.append(Group(kind=ITEMS, title=row.item.title, item=row.item))
            groups[-1].passages += found

    # A page walks each kind in the order of its index (section, target or item ids);
    # its groups are shown in the outline's order.
    place = {("s", item.pk): index for index, item in enumerate(sections)}
    place |= {("t", item.pk): index for index, item in enumerate(targets)}
    groups.sort(key=lambda group: (KINDS.index(group.kind), _place(group, place)))
    quote_unit = quoting_unit(user=user, unit=unit)
    quote_into = None
    if quote_unit is not None:
        quote_into = Report.objects.filter(
            campaign=campaign, unit=quote_unit, department__isnull=True
        ).first()
    return Lessons(
        campaign=campaign,
        unit=unit,
        query=query,
        folded_query=folded_query,
        kind=kind,
        section=chosen_section,
        target=chosen_target,
        page=page,
        groups=groups,
        has_next=has_next,
        sections=sections,
        targets=targets,
        quote_into=quote_into,
        quote_unit=quote_unit,
    )


# Quoting: the passage a person chose, found again where they may read it.


@dataclass(frozen=True)
class Quotable:
    text: str
    source: str
    section_id: int | None
    item_id: int | None


class NotGathered(Exception):
    """No such passage among those the person's search reads."""


class PassageGone(Exception):
    """The passage is no longer what the person saw: its report changed since."""


class NotQuotable(Exception):
    """The person's draft has no place for the passage (no section holds its target)."""


def fingerprint(text: str) -> str:
    """A short fingerprint of a passage, so a quote takes what the person saw."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def quotable(
    *,
    campaign: Campaign,
    unit: Unit,
    quote_unit: Unit,
    kind: str,
    row_id: int,
    number: int,
    seen: str,
) -> Quotable:
    """The passage `number` of a row gathered for `unit`, as the person saw it (`seen`,
    its fingerprint), with the section (or review item) of `quote_unit`'s report it goes
    to: the section it came from, or for a cause the section holding its target."""
    gathered = reports_gathered(campaign=campaign, unit=unit)
    outline = report_outline(campaign, quote_unit)
    related = ("report__unit", "report__department")
    section_id = item_id = None
    if kind == TEXT:
        text = SectionText.objects.filter(report__in=gathered, pk=row_id)
        found_text = text.select_related(*related).first()
        if found_text is None:
            raise NotGathered
        report, words = found_text.report, searchable.own_words(found_text.text)
        section_id = outline.filter(pk=found_text.section_id).values_list("pk", flat=True).first()
    elif kind == CAUSES:
        figure = Figure.objects.filter(report__in=gathered, pk=row_id)
        found_figure = figure.select_related(*related).first()
        if found_figure is None:
            raise NotGathered
        report, words = found_figure.report, searchable.own_causes(found_figure.causes)
        holding = outline.filter(targets=found_figure.target_id).order_by("order", "pk")
        section_id = holding.values_list("pk", flat=True).first()
    elif kind == ITEMS:
        item = ItemAssessment.objects.filter(report__in=gathered, pk=row_id)
        found_item = item.select_related(*related).first()
        if found_item is None:
            raise NotGathered
        report, words = found_item.report, searchable.own_words(found_item.text)
        chosen = campaign.review_items.filter(pk=found_item.item_id)
        item_id = chosen.values_list("pk", flat=True).first()
    else:
        raise NotGathered
    found = paragraphs(words)
    if not 0 <= number < len(found) or fingerprint(found[number]) != seen:
        raise PassageGone
    if section_id is None and item_id is None:
        raise NotQuotable
    return Quotable(
        text=found[number], source=report.author_name, section_id=section_id, item_id=item_id
    )
