"""How far the answers have come, level by level: for the units chosen below a unit, per
branch directly below it and per kind of unit, how many there are and how many have
answered. For a survey of unions a unit has answered when its Response exists; for a
worker survey, the questionnaires handed out, the answers received, and the units with
at least one answer.

One grouped query whatever the number of units: the respondents below the unit,
grouped by their branch (their path cut at the level below the unit) and kind, their
questionnaires and answers counted by subqueries per respondent and summed."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr

from soket.orgs.access import visible_units
from soket.orgs.models import PATH_STEP, Unit, UnitKind, User, ids_in_path, path_upper_bound
from soket.surveys.models import Respondent, Response, Survey, Token


@dataclass
class Tally:
    """The units chosen, those that answered, and for workers the questionnaires and
    answers."""

    chosen: int = 0
    answered: int = 0
    questionnaires: int = 0
    answers: int = 0

    def add(self, other: Tally) -> None:
        self.chosen += other.chosen
        self.answered += other.answered
        self.questionnaires += other.questionnaires
        self.answers += other.answers

    @property
    def answered_rate(self) -> int:
        return round(100 * self.answered / self.chosen) if self.chosen else 0

    @property
    def answers_rate(self) -> int:
        return round(100 * self.answers / self.questionnaires) if self.questionnaires else 0


@dataclass
class Branch:
    """A branch directly below the unit looked at (or that unit itself, when it was
    chosen), its tally by kind and in all; `deeper` when chosen units lie below it."""

    unit: Unit
    by_kind: dict[int, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    deeper: bool = False
    is_itself: bool = False
    rows: list[tuple[UnitKind, Tally]] = field(default_factory=list)


@dataclass
class Progress:
    within: Unit
    is_workers: bool
    kinds: list[UnitKind]
    branches: list[Branch]
    by_kind: dict[int, Tally]
    total: Tally

    def kind_rows(self) -> list[tuple[UnitKind, Tally]]:
        return [(kind, self.by_kind[kind.pk]) for kind in self.kinds]


def _count(rows: QuerySet, of: str = "respondent") -> Subquery:
    return Subquery(
        rows.filter(**{of: OuterRef("pk")})
        .order_by()
        .values(of)
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def progress(*, survey: Survey, within: Unit) -> Progress:
    """The survey's progress below `within` (itself included), by branch and kind."""
    is_workers = survey.respondents == Survey.Respondents.PEOPLE
    cut = (within.depth + 2) * PATH_STEP
    respondents = Respondent.objects.filter(
        survey=survey,
        unit__path__gte=within.path,
        unit__path__lt=path_upper_bound(within.path),
    )
    if is_workers:
        respondents = respondents.annotate(
            n_tokens=Coalesce(_count(Token.objects.all()), Value(0)),
            n_answers=Coalesce(_count(Response.objects.filter(is_worker=True)), Value(0)),
        )
    else:
        respondents = respondents.annotate(
            n_tokens=Value(0),
            n_answers=Coalesce(_count(Response.objects.filter(is_worker=False)), Value(0)),
        )
    rows = (
        respondents.annotate(branch_path=Substr("unit__path", 1, cut))
        .order_by()
        .values("branch_path", "unit__kind_id")
        .annotate(
            chosen=Count("pk"),
            answered=Count("pk", filter=Q(n_answers__gt=0)),
            questionnaires=Sum("n_tokens"),
            answers=Sum("n_answers"),
            deeper=Count("pk", filter=Q(unit__depth__gt=within.depth + 1)),
        )
    )
    found = list(rows)
    branch_ids = {ids_in_path(row["branch_path"])[-1] for row in found}
    units = Unit.objects.in_bulk(branch_ids)
    kinds = list(
        UnitKind.objects.filter(pk__in={row["unit__kind_id"] for row in found}).order_by(
            "rank", "name"
        )
    )
    branches: dict[int, Branch] = {}
    by_kind: dict[int, Tally] = {kind.pk: Tally() for kind in kinds}
    total = Tally()
    for row in found:
        pk = ids_in_path(row["branch_path"])[-1]
        branch = branches.get(pk)
        if branch is None:
            branch = branches[pk] = Branch(units[pk], is_itself=pk == within.pk)
        tally = Tally(
            row["chosen"], row["answered"], row["questionnaires"] or 0, row["answers"] or 0
        )
        branch.by_kind[row["unit__kind_id"]] = tally
        branch.total.add(tally)
        branch.deeper = branch.deeper or bool(row["deeper"])
        by_kind[row["unit__kind_id"]].add(tally)
        total.add(tally)
    ordered = sorted(branches.values(), key=lambda b: (not b.is_itself, b.unit.path))
    for branch in ordered:
        branch.rows = [
            (kind, branch.by_kind[kind.pk]) for kind in kinds if kind.pk in branch.by_kind
        ]
    return Progress(within, is_workers, kinds, ordered, by_kind, total)


def starting_unit(*, user: User, survey: Survey) -> Unit | None:
    """Where the user's view of the progress starts: the surveying unit if they see
    it, else the first of their own units below it (None when they see none)."""
    owner = survey.owner
    seen = visible_units(user)
    if seen.filter(pk=owner.pk).exists():
        return owner
    return (
        seen.filter(path__gt=owner.path, path__lt=path_upper_bound(owner.path))
        .order_by("depth", "path")
        .first()
    )


def unit_to_look_at(*, user: User, survey: Survey, pk: int) -> Unit | None:
    """The unit `pk` if it lies in the surveying unit's subtree and the user sees it."""
    owner = survey.owner
    return (
        visible_units(user)
        .filter(pk=pk, path__gte=owner.path, path__lt=path_upper_bound(owner.path))
        .first()
    )
