"""Choosing who answers a survey: every participating unit of the chosen kinds below the
surveying unit (a census), or a random sample of them stratified by branch and kind.

- The population is read in one query: the units taking part in the campaign today
  (campaigns.selectors.participating_units), of the chosen kinds, strictly inside the
  surveying unit's subtree. Each unit's branch is read from its path: the ancestor
  directly below the surveying unit. Units that sit directly below it themselves (the
  districts of 2016 if asked, or in the 2025 shape the grassroots unions under a
  province) are pooled by kind in one stratum whose branch is the surveying unit:
  taken one by one, each would be a stratum of one and the "sample" the first in order.
- Allocation is proportional with the largest remainders, at least two units a
  stratum when the size allows (one otherwise), never more than a stratum holds. Exact
  fractions, and ties between equal remainders broken by the seeded generator, so nothing
  depends on floating point or on the order rows come back in.
- The draw: random.Random(seed) walks the strata in order (branch path, kind rank)
  and takes its units from each, ordered by path. The seed is recorded, so the same
  seed over the same tree draws the same units again (with this allocation: a change of
  its rule changes what an old seed draws).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from soket.audit import services as audit
from soket.campaigns.selectors import participating_units
from soket.core import clock
from soket.core.text import grouped
from soket.orgs.models import PATH_STEP, UnitKind, User, path_upper_bound
from soket.surveys import access
from soket.surveys.models import Respondent, Response, Stratum, Survey
from soket.surveys.tokens import make_tokens

SEED_BITS = 63
# A unit hands out at most this many worker questionnaires (each is a printed page);
# one draw makes at most settings.SOKET_SURVEY_MOST_QUESTIONNAIRES in all.
MOST_QUESTIONNAIRES = 500


class SamplingError(Exception):
    """A draw that cannot be made; the message is for the person who tried."""


@dataclass
class Cell:
    """One stratum as read: its branch (by id), kind, and its units' ids in path order."""

    branch_id: int
    branch_path: str
    kind: UnitKind
    units: list[int] = field(default_factory=list)
    drawn: int = 0


def _kind_id(kind: UnitKind | int) -> int:
    return kind.pk if isinstance(kind, UnitKind) else int(kind)


def population(survey: Survey, kinds: Iterable[UnitKind | int] | None = None) -> list[Cell]:
    """The units that may be asked, by stratum in order (one query for the units, after
    the campaign's participations): of `kinds` (every kind when None)."""
    owner = survey.owner
    units = participating_units(campaign=survey.campaign, on=clock.today()).filter(
        path__gt=owner.path, path__lt=path_upper_bound(owner.path)
    )
    kind_ids = None if kinds is None else [_kind_id(kind) for kind in kinds]
    if kind_ids is not None:
        units = units.filter(kind_id__in=kind_ids)
    rows = list(units.order_by("path").values_list("pk", "path", "kind_id"))
    known = {kind.pk: kind for kind in UnitKind.objects.filter(pk__in={r[2] for r in rows})}
    start, width = len(owner.path), PATH_STEP
    cells: dict[tuple[int, int], Cell] = {}
    for pk, path, kind_id in rows:
        if len(path) == start + width:  # directly below the surveying unit
            branch_id, branch_path = owner.pk, owner.path
        else:
            branch_path = path[: start + width]
            branch_id = int(branch_path[start:])
        cell = cells.get((branch_id, kind_id))
        if cell is None:
            cell = cells[branch_id, kind_id] = Cell(branch_id, branch_path, known[kind_id])
        cell.units.append(pk)
    return sorted(cells.values(), key=lambda c: (c.branch_path, c.kind.rank, c.kind.pk))


def kinds_present(survey: Survey) -> list[UnitKind]:
    """The kinds of the units that take part below the surveying unit (the form's
    choices)."""
    owner = survey.owner
    ids = (
        participating_units(campaign=survey.campaign, on=clock.today())
        .filter(path__gt=owner.path, path__lt=path_upper_bound(owner.path))
        .order_by()
        .values("kind_id")
        .distinct()
    )
    return list(UnitKind.objects.filter(pk__in=ids).order_by("rank", "name"))


def allocate(sizes: list[int], size: int, rng: random.Random) -> list[int]:
    """How many units to draw from strata of `sizes` for a sample of `size` (at most
    their sum): proportional, largest remainders first, never more than a stratum holds,
    and at least two a stratum when `size` allows it (else at least one): a stratum with
    one unit drawn has no variance of its own, and then no margin of error can be given
    for the whole sample (stats.stratified_share)."""
    total = sum(sizes)
    quotas = [Fraction(size * n, total) for n in sizes]
    counts = [int(q) for q in quotas]  # floor: never above the stratum, since size <= total
    floors = [0] * len(sizes)
    for least in (2, 1):
        wanted = [min(n, least) for n in sizes]
        if size >= sum(wanted):
            floors = wanted
            break
    counts = [max(c, f) for c, f in zip(counts, floors, strict=True)]
    ties = [rng.random() for _n in sizes]  # drawn even when unused: the stream stays fixed
    order = range(len(sizes))
    while sum(counts) > size:  # the ones raised to their floor came from the largest
        i = max(
            (i for i in order if counts[i] > floors[i]),
            key=lambda i: (counts[i] - quotas[i], ties[i]),
        )
        counts[i] -= 1
    while sum(counts) < size:
        i = max(
            (i for i in order if counts[i] < sizes[i]),
            key=lambda i: (quotas[i] - counts[i], ties[i]),
        )
        counts[i] += 1
    return counts


def _locked(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().select_related("owner", "campaign").get(pk=survey.pk)


@transaction.atomic
def draw(
    *,
    survey: Survey,
    by: User,
    selection: str,
    kinds: Iterable[UnitKind | int],
    size: int | None = None,
    seed: int | None = None,
    questionnaires_per_unit: int | None = None,
    revision: int | None = None,
) -> Survey:
    """Choose the survey's respondents (replacing any chosen before, with their strata
    and questionnaires) and record how: every participating unit of `kinds` below the
    surveying unit, or a stratified random sample of `size` of them drawn with `seed`
    (a fresh one when None). `revision` is the one the page was read at: the page
    always sends it (its form refuses a missing one as stale); None is for callers
    without a page (the demo, scripts), which read the survey as they draw."""
    if not access.can_administer_survey(by, survey):
        raise PermissionDenied
    survey = _locked(survey)
    if survey.state != Survey.State.DRAFT:
        raise SamplingError(
            _("The survey is %s: who answers it can no longer change.")
            % survey.get_state_display().lower()
        )
    if revision is not None and revision != survey.revision:
        raise SamplingError(
            _(
                "The survey was changed by someone else since you opened this page; "
                "look at it again and draw again."
            )
        )
    if selection not in Survey.Selection.values:
        raise SamplingError(_("Choose whether every unit answers or a random sample."))
    kind_ids = sorted({_kind_id(kind) for kind in kinds})
    if not kind_ids:
        raise SamplingError(_("Choose at least one kind of unit to ask."))
    is_workers = survey.respondents == Survey.Respondents.PEOPLE
    if is_workers:
        if questionnaires_per_unit is None:
            raise SamplingError(_("Give the number of questionnaires each unit hands out."))
        if not 1 <= questionnaires_per_unit <= MOST_QUESTIONNAIRES:
            raise SamplingError(
                _("A unit hands out between 1 and %d questionnaires.") % MOST_QUESTIONNAIRES
            )
    else:
        questionnaires_per_unit = None
    cells = population(survey, kind_ids)
    total = sum(len(cell.units) for cell in cells)
    if total == 0:
        raise SamplingError(
            _("No unit of the chosen kinds takes part in the campaign below %s.") % survey.owner
        )
    if selection == Survey.Selection.SAMPLE:
        if size is None:
            raise SamplingError(_("Give the size of the sample (a number of units)."))
        if size < 1:
            raise SamplingError(_("The sample must hold at least one unit."))
        if size > total:
            raise SamplingError(
                _(
                    "A sample of %(size)d units cannot be drawn from %(total)d: give a size "
                    "of at most %(total)d, or ask every unit."
                )
                % {"size": size, "total": total}
            )
        if seed is None:
            seed = secrets.randbits(SEED_BITS)
        elif not 0 <= seed < 2**SEED_BITS:
            raise SamplingError(_("The seed is a whole number from 0 to %d.") % (2**SEED_BITS - 1))
        rng = random.Random(seed)
        counts = allocate([len(cell.units) for cell in cells], size, rng)
        chosen = []
        for cell, count in zip(cells, counts, strict=True):
            cell.drawn = count
            chosen.append(sorted(rng.sample(cell.units, count)))
    else:
        size, seed = None, None
        for cell in cells:
            cell.drawn = len(cell.units)
        chosen = [list(cell.units) for cell in cells]
    if Response.objects.filter(respondent__survey=survey).exists():
        raise SamplingError(_("Answers have been received already: who answers cannot change."))
    asked = sum(len(units) for units in chosen)
    most = settings.SOKET_SURVEY_MOST_QUESTIONNAIRES
    if questionnaires_per_unit and asked * questionnaires_per_unit > most:
        raise SamplingError(
            _(
                "%(units)s units with %(each)s questionnaires each would be %(all)s "
                "questionnaires, more than the %(most)s one draw makes: draw a sample, or "
                "fewer questionnaires a unit."
            )
            % {
                "units": grouped(asked),
                "each": questionnaires_per_unit,
                "all": grouped(asked * questionnaires_per_unit),
                "most": grouped(most),
            }
        )

    Respondent.objects.filter(survey=survey).delete()  # their questionnaires with them
    Stratum.objects.filter(survey=survey).delete()
    strata = Stratum.objects.bulk_create(
        Stratum(
            survey=survey,
            branch_id=cell.branch_id,
            kind=cell.kind,
            population=len(cell.units),
            drawn=cell.drawn,
        )
        for cell in cells
    )
    respondents = Respondent.objects.bulk_create(
        Respondent(survey=survey, unit_id=unit_id, stratum=stratum)
        for stratum, units in zip(strata, chosen, strict=True)
        for unit_id in units
    )
    if questionnaires_per_unit:
        make_tokens(respondents, questionnaires_per_unit)

    before = _record(survey)
    survey.selection = selection
    survey.sample_size = size
    survey.seed = seed
    survey.population = total
    survey.questionnaires_per_unit = questionnaires_per_unit
    survey.drawn_at = clock.now()
    survey.drawn_by = by
    survey.revision += 1
    survey.save(
        update_fields=[
            "selection", "sample_size", "seed", "population", "questionnaires_per_unit",
            "drawn_at", "drawn_by", "revision",
        ]
    )  # fmt: skip
    survey.kinds.set(kind_ids)
    audit.record(
        by=by,
        action="draw",
        instance=survey,
        before=before,
        after={**_record(survey), "kinds": kind_ids, "respondents": len(respondents)},
    )
    return survey


def _record(survey: Survey) -> dict:
    return {
        "selection": survey.selection,
        "sample_size": survey.sample_size,
        "seed": survey.seed,
        "population": survey.population,
        "questionnaires_per_unit": survey.questionnaires_per_unit,
    }


def strata_of(survey: Survey) -> list[Stratum]:
    """The survey's strata in order with their branch, kind and respondents' units
    (three queries)."""
    return list(
        Stratum.objects.filter(survey=survey)
        .select_related("branch", "kind")
        .prefetch_related("respondents__unit")
        .order_by("branch__path", "kind__rank", "kind__pk")
    )
