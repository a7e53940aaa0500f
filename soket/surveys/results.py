"""A survey's results: per question the counts, shares and means of the answers, with
their margin of error where the answers come from a sample (see stats), for the whole
survey or the subtree of one unit and one level, and by stratum of the draw.

Every figure is counted in SQL, grouped by question, stratum and choice (and by unit for
a worker survey, whose units are the clusters of the estimate): a handful of queries
whatever the number of units or answers; Python only combines the groups.

Who reads what: the surveying unit's people and those above read every unit asked
(access.can_read_results). A person below it reads the subtree of their own units, as
they read its reports (a district between the surveying province and the grassroots
unions asked reads its unions'); a unit asked read by its own people is theirs
(Scope.own: a unit survey's own answer).

Workers' answers, for any reader and scope: a unit's workers count in no figure, text
list, stratum row, chart or export until at least access.SMALLEST_GROUP_SHOWN of them
have answered (counted_units, in SQL in every query here); and in each question's
figures a unit counts only if at least that many of its workers answered that question
(its other answers are dropped from every sum, per unit and per stratum, before any
figure is made; its text answers to it are not listed). So every count of a question,
in any scope and stratum row, is a sum over whole units each with at least
SMALLEST_GROUP_SHOWN answers to it, and so is a scope's count less that of a scope
within it: no such difference isolates fewer than that many workers of one unit. (A
scope holding a single unit's workers shows that unit's aggregate, of at least that
many.) A date question of workers gives only its count (its earliest and latest days
would each be one person's answer). While the survey is open, a reader whose scope
holds a single unit asked (or a single unit whose workers count so far), and the people
of a unit asked, read its workers only once it is closed (Scope.waits): they would see
each new answer in the change it makes. Text answers are listed by their text, never in
the order they came.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Max, Min, Q, QuerySet, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from soket.orgs.access import role_units, topmost
from soket.orgs.models import Unit, UnitKind, User, path_upper_bound
from soket.surveys import access, stats
from soket.surveys.labels import localized
from soket.surveys.models import Answer, Question, Respondent, Response, Stratum, Survey

# How the estimates were made, for the page to say.
CENSUS, STRATIFIED, PART, WORKERS, OWN = "census", "stratified", "part", "workers", "own"
INCOMPLETE = "incomplete"  # every unit asked, not all of them answered
CHARTED = (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.SCALE)
TEXTS_PER_PAGE = 20
SCALE = range(1, 6)


class NotReader(Exception):
    """The person sees the survey but reads none of its results."""


@dataclass(frozen=True)
class Scope:
    """Whose answers are counted: the subtree of `unit` (only `unit` itself for a
    reader of their own unit), of the level `kind` if given."""

    unit: Unit
    kind: UnitKind | None = None
    own: bool = False  # a reader of their own unit's answers only
    # A worker survey read by people of a unit asked in the scope (who know whom they
    # handed each questionnaire), or narrowed to a single unit asked (or to a single
    # unit whose workers count so far): watching one unit's figures move as answers
    # arrive would show each one, so they are read only once the survey is closed.
    waits: bool = False


def own_units(user: User, survey: Survey) -> QuerySet[Unit]:
    """The units asked whose people the person is (a role there)."""
    return Unit.objects.filter(
        pk__in=Respondent.objects.filter(survey=survey).values("unit_id")
    ).filter(pk__in=role_units(user).values("pk"))


def _reader_tops(user: User, survey: Survey) -> list[Unit]:
    """The topmost units of the person's roles strictly below the surveying unit: the
    subtrees whose results they read (the same scope rules as reports), for a person
    who cannot read the whole survey."""
    owner = survey.owner
    mine = (
        role_units(user)
        .filter(path__gt=owner.path, path__lt=path_upper_bound(owner.path))
        .select_related("kind")
    )
    return topmost(list(mine))


def _in_subtrees(tops: list[Unit], prefix: str = "") -> Q:
    condition = Q(pk__in=[])
    for top in tops:
        condition |= Q(
            **{f"{prefix}path__gte": top.path, f"{prefix}path__lt": path_upper_bound(top.path)}
        )
    return condition


def reader_units(user: User, survey: Survey) -> list[Unit]:
    """For a person who cannot read the whole survey: the units they may narrow to on
    the page (their topmost units holding units asked, and their own units asked)."""
    if access.can_read_results(user, survey):
        return []
    tops = _reader_tops(user, survey)
    asked = Respondent.objects.filter(survey=survey).filter(_in_subtrees(tops, "unit__"))
    paths = set(asked.values_list("unit__path", flat=True))
    shown = [top for top in tops if any(path.startswith(top.path) for path in paths)]
    return sorted(
        {*shown, *own_units(user, survey).select_related("kind")}, key=lambda unit: unit.path
    )


def reader_scope(*, user: User, survey: Survey, unit_pk: int | None, kind_pk: int | None) -> Scope:
    """The scope the address asks for, if the person may read it: Unit.DoesNotExist or
    UnitKind.DoesNotExist for one outside what they read, NotReader for a person who
    reads no result of this survey.

    The surveying unit's people and those above read any unit of its subtree. A person
    below it reads the subtree of any unit of theirs there that holds units asked
    (by default their topmost such unit); a unit asked read by its own people, with
    no other unit asked below it, is their own (Scope.own: for a unit survey its own
    answer, for a worker survey its workers' figures once the survey is closed)."""
    if access.can_read_results(user, survey):
        units = Unit.objects.subtree_of(survey.owner).select_related("kind")
        unit = survey.owner if unit_pk is None else units.get(pk=unit_pk)
        kind = None if kind_pk is None else UnitKind.objects.get(pk=kind_pk)
        waits = survey.respondents == Survey.Respondents.PEOPLE and _single_unit(
            respondents_in(survey, Scope(unit=unit, kind=kind))
        )
        return Scope(unit=unit, kind=kind, waits=waits)
    tops = _reader_tops(user, survey)
    asked = Respondent.objects.filter(survey=survey)
    first = (
        asked.filter(_in_subtrees(tops, "unit__"))
        .order_by("unit__path")
        .values_list("unit__path", flat=True)
        .first()
    )
    if first is None:
        raise NotReader
    if unit_pk is None:
        unit = next(top for top in tops if first.startswith(top.path))
    else:
        unit = Unit.objects.filter(_in_subtrees(tops)).select_related("kind").get(pk=unit_pk)
    within = asked.filter(unit__path__gte=unit.path, unit__path__lt=path_upper_bound(unit.path))
    held = role_units(user).values("pk")
    ids = list(within.values_list("unit_id", flat=True)[:2])
    own = ids == [unit.pk] and role_units(user).filter(pk=unit.pk).exists()
    kind = None if own or kind_pk is None else UnitKind.objects.get(pk=kind_pk)
    in_kind = within if kind is None else within.filter(unit__kind=kind)
    waits = survey.respondents == Survey.Respondents.PEOPLE and (
        own or within.filter(unit__in=held).exists() or _single_unit(in_kind)
    )
    if own:
        return Scope(unit=unit, own=True, waits=waits)
    return Scope(unit=unit, kind=kind, waits=waits)


def _single_unit(respondents: QuerySet[Respondent]) -> bool:
    """The scope's figures are a single unit's workers': it holds one unit asked, or
    one unit whose workers count so far (access.SMALLEST_GROUP_SHOWN answers)."""
    if len(respondents.values_list("unit_id", flat=True)[:2]) == 1:
        return True
    counted = (
        respondents.annotate(given=Count("responses", filter=Q(responses__is_worker=True)))
        .filter(given__gte=access.SMALLEST_GROUP_SHOWN)
        .values_list("pk", flat=True)
    )
    return len(counted[:2]) == 1


def _within(scope: Scope, prefix: str = "") -> Q:
    """The condition on respondents (reached through `prefix`) of the scope's units:
    plain joins and path ranges, which the planner estimates well (an IN over a
    subquery of respondents made it loop over every answer at national scale)."""
    if scope.own:
        return Q(**{f"{prefix}unit": scope.unit})
    condition = Q(
        **{
            f"{prefix}unit__path__gte": scope.unit.path,
            f"{prefix}unit__path__lt": path_upper_bound(scope.unit.path),
        }
    )
    if scope.kind is not None:
        condition &= Q(**{f"{prefix}unit__kind": scope.kind})
    return condition


def respondents_in(survey: Survey, scope: Scope) -> QuerySet[Respondent]:
    return Respondent.objects.filter(_within(scope), survey=survey)


def counted_units(survey: Survey, scope: Scope | None = None) -> QuerySet[Respondent, Any]:
    """The respondents (ids) of a worker survey whose workers' answers count: those
    with at least access.SMALLEST_GROUP_SHOWN of them (one grouped subquery).
    The answers of a unit with fewer count in no figure, text or export, for anyone.
    This alone does not keep one question's figures from resting on fewer workers (a
    single worker of five may answer an optional question): each question's figures
    drop the units with fewer answers to it as well (_question_result, text_answers).

    Counted from the respondents of the scope's units (a path range), not from the
    survey's responses: for a province of a national sample the planner then reads the
    province's units, not every response in the country (62 ms down to 11 ms)."""
    respondents = Respondent.objects.filter(survey=survey)
    if scope is not None and (scope.own or scope.kind or scope.unit.pk != survey.owner_id):
        respondents = respondents.filter(_within(scope))
    return (
        respondents.annotate(given=Count("responses", filter=Q(responses__is_worker=True)))
        .filter(given__gte=access.SMALLEST_GROUP_SHOWN)
        .values("pk")
    )


def _answers_condition(survey: Survey, scope: Scope, prefix: str = "") -> Q:
    """The answers counted (reached through `prefix`): of this survey, by its kind of
    respondent (a unit's own, or its workers' from units with enough of them), within
    the scope."""
    is_worker = survey.respondents == Survey.Respondents.PEOPLE
    condition = _within(scope, f"{prefix}response__respondent__") & Q(
        **{
            f"{prefix}question__survey": survey,
            f"{prefix}response__respondent__survey": survey,
            f"{prefix}response__is_worker": is_worker,
        }
    )
    if is_worker:
        condition &= Q(**{f"{prefix}response__respondent__in": counted_units(survey, scope)})
    return condition


def answers_in(survey: Survey, scope: Scope) -> QuerySet[Answer]:
    return Answer.objects.filter(_answers_condition(survey, scope))


# What the page shows.


@dataclass
class ChoiceResult:
    code: str
    label: str
    count: int  # the answers that took it
    estimate: stats.Estimate

    def share(self) -> str:
        return stats.share_text(self.estimate, get_language() or "vi")

    def margin(self) -> str:
        return stats.margin_text(self.estimate, share=True, language=get_language() or "vi")


@dataclass
class StratumResult:
    label: str
    n: int | str  # "—" where the stratum's figures are hidden
    figures: list[str]  # per choice its share, or the mean


@dataclass
class QuestionResult:
    question: Question
    label: str
    n: int  # the answers counted
    choices: list[ChoiceResult] = field(default_factory=list)
    mean: stats.Estimate | None = None
    strata: list[StratumResult] = field(default_factory=list)
    # A date question of a unit survey: the earliest and latest (never for workers').
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    shown: bool = True  # False: too few answers of one unit's workers to show
    heads: list[str] = field(default_factory=list)  # the breakdown's columns
    texts: dict | None = None  # a page of a text question's answers (set by the page)

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def charted(self) -> bool:
        return self.shown and self.kind in CHARTED and self.n > 0

    def mean_value(self) -> str:
        return stats.mean_text(self.mean, get_language() or "vi") if self.mean else ""

    def mean_margin(self) -> str:
        if self.mean is None:
            return ""
        return stats.margin_text(self.mean, share=False, language=get_language() or "vi")


@dataclass
class Results:
    survey: Survey
    scope: Scope
    method: str  # CENSUS, INCOMPLETE, STRATIFIED, PART, WORKERS or OWN
    responses: int  # the questionnaires (or units' answers) counted
    too_few: bool  # a unit's own workers, fewer than SMALLEST_GROUP_SHOWN: nothing shown
    questions: list[QuestionResult]
    last_answer: datetime.date | None = None  # the day of the last answer counted
    # A worker survey: the units asked in the scope whose workers answered, but fewer
    # than SMALLEST_GROUP_SHOWN of them, so that none of their answers is counted.
    left_out: int = 0
    # A unit's own workers' figures, while the survey is open: shown once it is closed.
    waiting: bool = False

    @property
    def smallest(self) -> int:
        return access.SMALLEST_GROUP_SHOWN

    @property
    def hidden(self) -> bool:
        """Nothing of the answers is shown (too few, or not before closing)."""
        return self.too_few or self.waiting

    def question(self, code: str) -> QuestionResult:
        for result in self.questions:
            if result.code == code:
                return result
        raise Question.DoesNotExist


def method_of(survey: Survey, scope: Scope, strata: dict[int, Stratum], complete: bool) -> str:
    if survey.respondents == Survey.Respondents.PEOPLE:
        return WORKERS
    if scope.own:
        return OWN
    if survey.selection == Survey.Selection.ALL:
        # Every unit asked is in the scope's count: those that answered are all of them,
        # or a sample of each stratum.
        return CENSUS if complete else INCOMPLETE
    # A sample: the stratified estimate holds for whole strata only. A unit deeper than
    # the branches cuts strata, whose size within it is not known.
    if any(not s.branch.path.startswith(scope.unit.path) for s in strata.values()):
        return PART
    return STRATIFIED


# The counts, keyed (question, stratum, cluster[, option]); the cluster is the
# respondent for a worker survey (its answers are a cluster), None for a unit survey.
Key = tuple


@dataclass
class Counts:
    """Per question: (stratum, cluster, option) -> answers that took it; (stratum,
    cluster) -> answers, and -> (answers, Σy, Σy²) of a number or scale."""

    took: dict[int, dict[Key, int]] = field(default_factory=lambda: defaultdict(dict))
    answered: dict[int, dict[Key, int]] = field(default_factory=lambda: defaultdict(dict))
    sums: dict[int, dict[Key, tuple[int, float, float]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    # Text and date questions: (stratum, cluster) -> texts, dates, first and last day.
    others: dict[int, dict[Key, dict]] = field(default_factory=lambda: defaultdict(dict))
    # N_h: the units of each stratum the estimates weigh (None: no stratum).
    population: dict[int | None, int] = field(default_factory=dict)
    # r_h: the units of each stratum that answered the survey (a unit survey).
    responded: dict[int | None, int] = field(default_factory=dict)


def results(*, survey: Survey, scope: Scope, only: str | None = None) -> Results:
    """Every question's figures within the scope (the caller checked the person may
    read it: reader_scope); with `only`, the question of that code alone (a chart):
    its answers only are read."""
    language = get_language() or "vi"
    is_worker = survey.respondents == Survey.Respondents.PEOPLE
    responses = Response.objects.filter(
        _within(scope, "respondent__"), respondent__survey=survey, is_worker=is_worker
    )
    left_out = 0
    if is_worker:
        left_out = (
            responses.values("respondent_id")
            .annotate(given=Count("pk"))
            .filter(given__lt=access.SMALLEST_GROUP_SHOWN)
            .count()
        )
        responses = responses.filter(respondent__in=counted_units(survey, scope))
    counted = responses.aggregate(n=Count("pk"), last=Max("answered_on"))
    too_few = is_worker and scope.own and counted["n"] == 0 and left_out > 0
    waiting = is_worker and scope.waits and not too_few and survey.state != Survey.State.CLOSED
    respondents = respondents_in(survey, scope)
    asked = {
        row["stratum_id"]: row["n"]
        for row in respondents.values("stratum_id").annotate(n=Count("pk")).order_by()
    }
    strata = {
        s.pk: s
        for s in Stratum.objects.filter(
            survey=survey, pk__in=[k for k in asked if k]
        ).select_related("branch", "kind")
    }
    complete = not is_worker and counted["n"] >= sum(asked.values())
    method = method_of(survey, scope, strata, complete)
    asking = survey.questions.all() if only is None else survey.questions.filter(code=only)
    questions = list(asking.order_by("order", "pk").prefetch_related("choices"))
    found = Results(
        survey, scope, method, counted["n"], too_few, [], counted["last"], left_out, waiting
    )
    if found.hidden:
        found.responses, found.last_answer = 0, None
        found.questions = [
            QuestionResult(q, localized(q, "label"), 0, shown=False) for q in questions
        ]
        return found

    counts = _counts(survey, scope, questions, is_worker, whole=only is None)
    if not is_worker and any(question.shown_if_id for question in questions):
        counts.responded = {
            row["respondent__stratum_id"]: row["n"]
            for row in responses.values("respondent__stratum_id").annotate(n=Count("pk")).order_by()
        }
    # N_h: a sample's strata are weighed by their units (Stratum.population); every
    # unit asked (Selection.ALL) by the units asked in the scope, which are all there.
    if method in (CENSUS, INCOMPLETE):
        counts.population = dict(asked)
    else:
        counts.population = {key: s.population for key, s in strata.items()}
    for question in questions:
        result = _question_result(question, method, strata, counts, language)
        if is_worker and result.n < access.SMALLEST_GROUP_SHOWN:
            result.shown = False  # no unit with enough workers answering this question
        found.questions.append(result)
    return found


def _counts(
    survey: Survey, scope: Scope, questions: list[Question], is_worker: bool, *, whole: bool
) -> Counts:
    """Three grouped queries: the choices taken, the numbers and the others (by
    question and stratum, and by unit for a worker survey), and a scale's values; of
    the given questions only unless `whole`."""
    answers = answers_in(survey, scope)
    through = Answer.chosen.through.objects.filter(_answers_condition(survey, scope, "answer__"))
    if not whole:
        answers = answers.filter(question__in=questions)
        through = through.filter(answer__question__in=questions)
    stratum = "response__respondent__stratum_id"
    cluster = "response__respondent_id"
    by = [stratum, cluster] if is_worker else [stratum]
    counts = Counts()

    def key(row: dict, prefix: str = "") -> Key:
        return (row[prefix + stratum], row[prefix + cluster] if is_worker else None)

    for row in (
        through.values("answer__question_id", *[f"answer__{b}" for b in by], "choice_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        where = (*key(row, "answer__"), row["choice_id"])
        counts.took[row["answer__question_id"]][where] = row["n"]
    # One pass over the answers gives how many answered a choice question (its answer
    # is stored only with a choice taken: answers._store), the sums of the numbers and
    # scales, and the text and date counts.
    kinds = {question.pk: question.kind for question in questions}
    grouped = (
        answers.values("question_id", *by)
        .annotate(
            n=Count("pk"),
            numbers=Count("number"),
            total=Sum("number"),
            squares=Sum(
                F("number") * F("number"),
                output_field=DecimalField(max_digits=38, decimal_places=8),
            ),
            texts=Count("pk", filter=~Q(text="")),
            dates=Count("date"),
            first=Min("date"),
            last=Max("date"),
        )
        .order_by()
    )
    for row in grouped:
        question, where = row["question_id"], key(row)
        kind = kinds.get(question)
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            counts.answered[question][where] = row["n"]
        elif kind in (Question.Kind.NUMBER, Question.Kind.SCALE) and row["numbers"]:
            counts.sums[question][where] = (
                row["numbers"], float(row["total"] or 0), float(row["squares"] or 0)
            )  # fmt: skip
            if kind == Question.Kind.SCALE:
                counts.answered[question][where] = row["numbers"]
        elif kind in (Question.Kind.TEXT, Question.Kind.DATE):
            counts.others[question][where] = {
                "texts": row["texts"], "dates": row["dates"],
                "first": row["first"], "last": row["last"],
            }  # fmt: skip
    # A scale's values, counted like choices: (question, stratum, cluster, value).
    for row in (
        answers.filter(number__isnull=False, question__kind="scale")
        .values("question_id", *by, "number")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        value = int(Decimal(str(row["number"])))
        where, took = (*key(row), f"{value}"), counts.took[row["question_id"]]
        took[where] = took.get(where, 0) + row["n"]
    return counts


def _options(question: Question) -> list[tuple[object, str, str]]:
    """(key in the counts, code, label) of each choice, or of each value of a scale."""
    if question.kind == Question.Kind.SCALE:
        return [(f"{value}", f"{value}", f"{value}") for value in SCALE]
    return [
        (choice.pk, choice.code, localized(choice, "label")) for choice in question.choices.all()
    ]


def _stratum_label(stratum: Stratum | None) -> str:
    if stratum is None:
        return "—"
    return f"{stratum.branch.name} — {stratum.kind.name}"


def _summed(counts: dict[Key, int]) -> tuple[dict, dict]:
    """One question's counts summed by stratum and by cluster (for each option, when
    the key ends with one): one pass over them."""
    strata: dict = {}
    clusters: dict = {}
    for where, n in counts.items():
        by_stratum, by_cluster = (where[0], *where[2:]), (where[1], *where[2:])
        strata[by_stratum] = strata.get(by_stratum, 0) + n
        clusters[by_cluster] = clusters.get(by_cluster, 0) + n
    return strata, clusters


def _given(question: Question, counts: Counts) -> dict[Key, int]:
    """Each (stratum, cluster)'s answers to the question."""
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.SCALE):
        return dict(counts.answered.get(question.pk, {}))
    if question.kind == Question.Kind.NUMBER:
        return {where: row[0] for where, row in counts.sums.get(question.pk, {}).items()}
    seen = "texts" if question.kind == Question.Kind.TEXT else "dates"
    return {where: row[seen] for where, row in counts.others.get(question.pk, {}).items()}


def _kept(counts: dict, dropped: set) -> dict:
    """The counts of the clusters not dropped (the cluster is a key's second part)."""
    return {where: value for where, value in counts.items() if where[1] not in dropped}


def _question_result(
    question: Question, method: str, strata: dict[int, Stratum], counts: Counts, language: str
) -> QuestionResult:
    label = localized(question, "label")
    result = QuestionResult(question, label, 0)
    took_given = counts.took.get(question.pk, {})
    answered_given = counts.answered.get(question.pk, {})
    sums_given = counts.sums.get(question.pk, {})
    others_given = counts.others.get(question.pk, {})
    if method == WORKERS:
        # A unit whose workers gave fewer than SMALLEST_GROUP_SHOWN answers to this
        # question counts in none of its figures, before anything is summed.
        dropped = {
            where[1]
            for where, m in _given(question, counts).items()
            if m < access.SMALLEST_GROUP_SHOWN
        }
        took_given, answered_given = _kept(took_given, dropped), _kept(answered_given, dropped)
        sums_given, others_given = _kept(sums_given, dropped), _kept(others_given, dropped)
    sums: dict = {}  # stratum -> (n, Σy, Σy²)
    sizes: dict = {}  # (stratum, cluster) -> (n, Σy)
    for (stratum, cluster), (n, total, squares) in sums_given.items():
        was = sums.get(stratum, (0, 0.0, 0.0))
        sums[stratum] = (was[0] + n, was[1] + total, was[2] + squares)
        was_size = sizes.get((stratum, cluster), (0, 0.0))
        sizes[(stratum, cluster)] = (was_size[0] + n, was_size[1] + total)
    answered_strata, _answered_clusters = _summed(answered_given)
    per_answered = {key[0]: n for key, n in answered_strata.items()}
    took_strata, took_clusters = _summed(took_given)
    if question.kind == Question.Kind.NUMBER:
        keys = sorted(sums, key=_order(strata))
    else:
        keys = sorted(per_answered, key=_order(strata))
    # The strata the estimate weighs: every one in the scope (those without an answer
    # tell a census from a sample), in order.
    everywhere = sorted(set(counts.population) | set(keys), key=_order(strata))
    skipped = question.shown_if_id is not None
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.SCALE):
        n = sum(per_answered.values())
        result.n = n
        weights = _weights(counts, answered_given)
        for option, code, option_label in _options(question):
            hits = sum(took_strata.get((key, option), 0) for key in per_answered)
            if method == WORKERS:
                estimate = stats.clustered([
                    stats.Cluster(m, took_clusters.get((cluster, option), 0),
                                  weights[stratum], stratum)
                    for (stratum, cluster), m in answered_given.items()
                ])  # fmt: skip
            else:
                per = [
                    stats.ShareStratum(
                        population=_population(
                            counts, key, per_answered.get(key, 0), skipped=skipped
                        ),
                        answered=per_answered.get(key, 0),
                        hits=took_strata.get((key, option), 0),
                    )
                    for key in everywhere
                ]
                estimate = _share(method, hits, n, per)
            result.choices.append(ChoiceResult(code, option_label, hits, estimate))
    if question.kind in (Question.Kind.NUMBER, Question.Kind.SCALE):
        n = sum(row[0] for row in sums.values())
        if question.kind == Question.Kind.NUMBER:
            result.n = n
        total = sum(row[1] for row in sums.values())
        if method == WORKERS:
            weights = _weights(counts, sizes)
            result.mean = stats.clustered([
                stats.Cluster(m, y, weights[stratum], stratum)
                for (stratum, _cluster), (m, y) in sizes.items()
            ])  # fmt: skip
        else:
            per_mean = [
                stats.MeanStratum(
                    population=_population(counts, key, sums.get(key, (0,))[0], skipped=skipped),
                    answered=sums.get(key, (0,))[0],
                    total=sums.get(key, (0, 0.0))[1],
                    squares=sums.get(key, (0, 0.0, 0.0))[2],
                )
                for key in everywhere
            ]
            result.mean = _mean(method, n, total, per_mean)
    if question.kind in (Question.Kind.TEXT, Question.Kind.DATE):
        seen = "texts" if question.kind == Question.Kind.TEXT else "dates"
        result.n = sum(row[seen] for row in others_given.values())
        days = [row for row in others_given.values() if row["first"] is not None]
        if days and method != WORKERS:  # a worker's earliest or latest day is theirs alone
            result.first_day = min(row["first"] for row in days)
            result.last_day = max(row["last"] for row in days)
    if method != OWN and any(key is not None for key in keys):
        result.strata = _by_stratum(
            question, keys, strata, took_strata, sums, per_answered, language,
            hide_small=method == WORKERS,
        )  # fmt: skip
        result.heads = choice_labels(question)
    return result


def _weights(counts: Counts, clusters: dict[Key, Any]) -> dict[int | None, float]:
    """w = N_h / n_h for each stratum: its units over its units counted (the clusters,
    keyed (stratum, cluster)); a respondent without a stratum weighs 1."""
    counted: dict[int | None, int] = defaultdict(int)
    for stratum, _cluster in clusters:
        counted[stratum] += 1
    return {stratum: counts.population.get(stratum, n) / n for stratum, n in counted.items()}


def _order(strata: dict[int, Stratum]):
    def key(pk: int | None) -> tuple:
        stratum = strata.get(pk) if pk is not None else None
        if stratum is None:
            return ("~", 0)
        return (stratum.branch.path, stratum.kind.rank)

    return key


def _population(counts: Counts, key: int | None, answered: int, *, skipped: bool) -> float:
    """N_h; for a question behind a skip rule, the units of the stratum asked it,
    N_h·a_h/r_h (a_h: its units that answered the question, r_h: those that answered
    the survey): the units not shown it cannot have answered it, and a census where
    every unit answered then weighs each stratum by its answers (the plain share)."""
    population = counts.population.get(key, answered)
    responded = counts.responded.get(key, 0)
    if skipped and responded:
        return population * answered / responded
    return population


def _share(method: str, hits: int, n: int, per: list[stats.ShareStratum]) -> stats.Estimate:
    if method in (STRATIFIED, CENSUS, INCOMPLETE):
        return stats.stratified_share(per)
    # A part of a stratum, or one unit's own answer: the plain share, no margin.
    estimate = stats.census_share(hits, n)
    return stats.Estimate(estimate.value, None, n)


def _mean(method: str, n: int, total: float, per: list[stats.MeanStratum]) -> stats.Estimate:
    if method in (STRATIFIED, CENSUS, INCOMPLETE):
        return stats.stratified_mean(per)
    estimate = stats.census_mean(n, total)
    return stats.Estimate(estimate.value, None, n)


def _by_stratum(
    question: Question,
    keys: list,
    strata: dict[int, Stratum],
    took: dict,
    sums: dict,
    answered: dict,
    language: str,
    *,
    hide_small: bool,
) -> list[StratumResult]:
    """The plain share of each choice (or the mean) within each stratum; with
    `hide_small` (workers' answers) a stratum with fewer than SMALLEST_GROUP_SHOWN
    answers shows none of its figures."""
    rows = []
    for key in keys:
        figures = []
        if question.kind == Question.Kind.NUMBER:
            n, total, _squares = sums[key]
            figures.append(stats.mean_text(stats.census_mean(n, total), language))
        else:
            n = answered.get(key, 0)
            for option, _code, _label in _options(question):
                share = stats.census_share(took.get((key, option), 0), n)
                figures.append(stats.share_text(share, language))
            if question.kind == Question.Kind.SCALE and key in sums:
                count, total, _squares = sums[key]
                figures.append(stats.mean_text(stats.census_mean(count, total), language))
        shown: int | str = n
        if hide_small and n < access.SMALLEST_GROUP_SHOWN:
            figures, shown = ["—" for _figure in figures], "—"
        rows.append(StratumResult(_stratum_label(strata.get(key)), shown, figures))
    return rows


def _enough_texts(survey: Survey, scope: Scope, question: Question) -> QuerySet[Answer, Any]:
    """The respondents (ids) whose workers wrote at least SMALLEST_GROUP_SHOWN text
    answers to the question: the others' texts are not listed (one grouped subquery)."""
    return (
        answers_in(survey, scope)
        .filter(question=question)
        .exclude(text="")
        .values("response__respondent_id")
        .annotate(given=Count("pk"))
        .filter(given__gte=access.SMALLEST_GROUP_SHOWN)
        .values("response__respondent_id")
    )


def text_answers(
    *, survey: Survey, scope: Scope, question: Question, page: int = 1
) -> tuple[list[tuple[str, str]], bool]:
    """One page of a text question's answers (with the unit that gave it, for a unit
    survey; nothing of the person for a worker's, and only from units where at least
    SMALLEST_GROUP_SHOWN workers answered it), and whether another page follows.
    Listed by their text, not as they came: the order of arrival would tie an answer
    to the day its writer was handed the questionnaire."""
    is_worker = survey.respondents == Survey.Respondents.PEOPLE
    answers = answers_in(survey, scope).filter(question=question).exclude(text="")
    if is_worker:
        answers = answers.filter(response__respondent__in=_enough_texts(survey, scope, question))
    answers = answers.order_by("text", "pk")
    start = (page - 1) * TEXTS_PER_PAGE
    rows = list(
        answers.values_list("text", "response__respondent__unit__name")[
            start : start + TEXTS_PER_PAGE + 1
        ]
    )
    shown = [(text, "" if is_worker else unit) for text, unit in rows[:TEXTS_PER_PAGE]]
    return shown, len(rows) > TEXTS_PER_PAGE


def all_text_answers(*, survey: Survey, scope: Scope, limit: int) -> list[tuple[str, str, str]]:
    """(question code, text, unit) of every text answer, up to `limit` (the export),
    by question and then by text (not as they came); of workers, as text_answers."""
    is_worker = survey.respondents == Survey.Respondents.PEOPLE
    answers = answers_in(survey, scope).filter(question__kind=Question.Kind.TEXT).exclude(text="")
    if is_worker:
        enough = Q(pk__in=[])
        for question in survey.questions.filter(kind=Question.Kind.TEXT):
            enough |= Q(
                question=question,
                response__respondent__in=_enough_texts(survey, scope, question),
            )
        answers = answers.filter(enough)
    rows = answers.order_by("question__order", "question_id", "text", "pk").values_list(
        "question__code", "text", "response__respondent__unit__name"
    )[:limit]
    return [(code, text, "" if is_worker else unit) for code, text, unit in rows]


def choice_labels(question: Question) -> list[str]:
    """The column heads of a question's breakdown by stratum."""
    if question.kind == Question.Kind.NUMBER:
        return [_("Mean")]
    heads = [label for _key, _code, label in _options(question)]
    if question.kind == Question.Kind.SCALE:
        heads.append(_("Mean"))
    return heads
