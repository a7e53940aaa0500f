"""The estimates a survey's results show, with their margin of error at 95 percent.

Pure functions of counts and sums (no model, no query), in floats. A share is a
proportion between 0 and 1; its margin is in the same unit (0.081 is "± 8,1 điểm %").
The margin is z·√var with z = 1.96.

- Units (a unit survey), by strata (the strata of the draw; for Selection.ALL every unit
  asked is in its stratum): the stratified estimator
      p̂ = Σ W_h p̂_h,   W_h = N_h / N,
      var(p̂) = Σ W_h² (1 − n_h/N_h) s_h² / n_h,
  with N_h the units of stratum h, n_h the units of h that answered the question, and
  for a share s_h² = n_h/(n_h − 1) · p̂_h(1 − p̂_h), for a mean the sample variance of
  the answers in h. Non-response: the units that answered are taken as a sample of their
  stratum (those that did not answer are left out, as if never drawn); a stratum where
  no unit answered is left out and N is the sum of the N_h of the strata that answered.
  So a census (Selection.ALL) where some units asked did not answer is a sample too,
  with its margin. Only when every unit of every stratum answered is the estimate
  `census` (no sampling error, shown as "all units"). A stratum with one answer out of
  several units has no variance to estimate: the margin is then not given.
- Workers' answers (a worker survey) come in clusters, the units that handed out the
  questionnaires, drawn by stratum (at least two a stratum, not in proportion to the
  strata): the weighted ratio estimator with units as clusters, each weighted by
  w_i = N_h / n_h (N_h the units of its stratum, n_h the units counted in it),
      p̂ = Σ w_i·y_i / Σ w_i·m_i,
      var(p̂) = Σ_h n_h/(n_h − 1) · Σ_{i∈h} (w_i·z_i − mean_h(w·z))² / (Σ w_i·m_i)²,
      z_i = y_i − p̂·m_i,
  with m_i the answers of unit i to the question and y_i those that took the choice (for
  a mean, the sum of unit i's answers). With one stratum and equal weights this is
  Σ z_i² / (k (k − 1) m̄²). No finite population correction (how many workers each unit
  has is not known). Strata with one unit counted are collapsed for the variance: pooled
  into one, or a lone one into the smallest other stratum (_collapsed); fewer than two
  units in all: no margin.

An estimated variance of 0 from a sample (a share of 0 or 1, every answer the same) is
not a margin of 0: the sample says nothing of the spread, so no margin is given.
Fewer than two answers: no margin.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from soket.core import numbers

Z = 1.96
# Below this an estimated variance is taken as zero (floating point leftovers).
NO_SPREAD = 1e-12


@dataclass(frozen=True)
class Estimate:
    """A share (0–1) or a mean, with the half-width of its 95 percent interval."""

    value: float | None  # None: nobody answered
    margin: float | None  # None: not computed (too few answers, no spread seen, a census)
    n: int  # the answers it rests on
    census: bool = False  # no sampling error: every unit asked answered for itself


@dataclass(frozen=True)
class ShareStratum:
    population: float  # N_h: the units of the stratum (asked the question: see results)
    answered: int  # n_h: those that answered the question
    hits: int  # those of them whose answer counts (took the choice)


@dataclass(frozen=True)
class MeanStratum:
    population: float  # N_h
    answered: int  # n_h
    total: float  # Σ y over the answers
    squares: float  # Σ y² over the answers


@dataclass(frozen=True)
class Cluster:
    """One unit's workers' answers to a question."""

    answered: int  # m_i: the answers
    total: float  # y_i: those that took the choice, or the sum of the numbers
    weight: float = 1.0  # w_i = N_h / n_h
    stratum: object = None  # the stratum of the draw it belongs to


def _margin(variance: float) -> float | None:
    """z·√var, or None for a variance of zero: a sample that shows no spread."""
    if variance < NO_SPREAD:
        return None
    return Z * math.sqrt(variance)


def _sample_variance(n: int, total: float, squares: float) -> float:
    """s² = (Σy² − (Σy)²/n) / (n − 1), never below zero (rounding)."""
    return max((squares - total * total / n) / (n - 1), 0.0)


def clustered(clusters: Sequence[Cluster]) -> Estimate:
    """The weighted ratio estimator with units as clusters (a share or a mean of
    workers' answers): p̂ = Σw·y / Σw·m, var = Σ_h n_h/(n_h − 1)·Σ_{i∈h}(w·z −
    mean_h(w·z))² / (Σw·m)², z = y − p̂·m (the module's docstring)."""
    used = [c for c in clusters if c.answered > 0]
    n = sum(c.answered for c in used)
    if n == 0:
        return Estimate(None, None, 0)
    weighted = sum(c.weight * c.answered for c in used)
    value = sum(c.weight * c.total for c in used) / weighted
    if len(used) < 2:
        return Estimate(value, None, n)
    by_stratum: dict[object, list[float]] = {}
    for c in used:
        by_stratum.setdefault(c.stratum, []).append(c.weight * (c.total - value * c.answered))
    spread = 0.0
    for terms in _collapsed(list(by_stratum.values())):
        middle = sum(terms) / len(terms)
        spread += len(terms) / (len(terms) - 1) * sum((t - middle) ** 2 for t in terms)
    return Estimate(value, _margin(spread / weighted**2), n)


def _collapsed(groups: list[list[float]]) -> list[list[float]]:
    """The strata for the variance, each of two units or more. A stratum with one unit
    counted has no variance of its own (a small sample drawn one a stratum, or a unit
    whose fellows answered too little): such strata are pooled into one, or a lone one
    joins the smallest other stratum — the usual "collapsed strata", which overstates
    the variance a little rather than give no margin at all."""
    whole = [terms for terms in groups if len(terms) >= 2]
    lone = [term for terms in groups if len(terms) < 2 for term in terms]
    if len(lone) >= 2:
        whole.append(lone)
    elif lone:
        smallest = min(whole, key=len)  # there is one: two units at least were counted
        whole[whole.index(smallest)] = smallest + lone
    return whole


def census_share(hits: int, n: int) -> Estimate:
    """The plain share of the answers, no sampling error (a stratum's own figure)."""
    if n <= 0:
        return Estimate(None, None, 0, census=True)
    return Estimate(hits / n, None, n, census=True)


def census_mean(n: int, total: float) -> Estimate:
    if n <= 0:
        return Estimate(None, None, 0, census=True)
    return Estimate(total / n, None, n, census=True)


def _every_unit(strata: Sequence[ShareStratum] | Sequence[MeanStratum]) -> bool:
    """Every unit of every stratum answered (a stratum of none asked, behind a skip
    rule, has nothing left to chance either)."""
    return any(s.answered > 0 for s in strata) and all(s.answered >= s.population for s in strata)


def stratified_share(strata: Sequence[ShareStratum]) -> Estimate:
    """p̂ = Σ W_h p̂_h, var = Σ W_h² (1 − n_h/N_h) · p̂_h(1 − p̂_h)/(n_h − 1)."""

    def share(stratum: ShareStratum) -> float:
        return stratum.hits / stratum.answered

    def variance(stratum: ShareStratum) -> float:
        p = share(stratum)
        return stratum.answered / (stratum.answered - 1) * p * (1 - p)

    return _stratified(strata, share, variance)


def stratified_mean(strata: Sequence[MeanStratum]) -> Estimate:
    """ȳ = Σ W_h ȳ_h, var = Σ W_h² (1 − n_h/N_h) s_h²/n_h."""

    def mean(stratum: MeanStratum) -> float:
        return stratum.total / stratum.answered

    def variance(stratum: MeanStratum) -> float:
        return _sample_variance(stratum.answered, stratum.total, stratum.squares)

    return _stratified(strata, mean, variance)


def _stratified(
    strata: Sequence[Any], estimate: Callable[[Any], float], variance: Callable[[Any], float]
) -> Estimate:
    """The stratified estimator both a share and a mean are: Σ W_h·estimate_h, with
    W_h = N_h/N over the strata that answered, and var = Σ W_h² (1 − n_h/N_h) s_h²/n_h
    (`variance` gives s_h², asked only of a stratum of two answers or more)."""
    answered = [s for s in strata if s.answered > 0]
    n = sum(s.answered for s in answered)
    population = sum(s.population for s in answered)
    if n == 0 or population <= 0:
        return Estimate(None, None, n)
    value, spread = 0.0, 0.0
    computable = n >= 2
    for stratum in answered:
        weight = stratum.population / population
        value += weight * estimate(stratum)
        fpc = max(1 - stratum.answered / stratum.population, 0.0) if stratum.population else 0.0
        if fpc == 0:
            continue  # every unit of the stratum answered: nothing unknown there
        if stratum.answered < 2:
            computable = False
            continue
        spread += weight * weight * fpc * variance(stratum) / stratum.answered
    if _every_unit(strata):
        return Estimate(value, None, n, census=True)
    return Estimate(value, _margin(spread) if computable else None, n)


# How they are written: 62,5% and "± 8,1 điểm %" in Vietnamese.

PLACES = 1


def share_text(estimate: Estimate, language: str = "vi") -> str:
    if estimate.value is None:
        return ""
    return numbers.percent(estimate.value * 100, places=PLACES, language=language)


def mean_text(estimate: Estimate, language: str = "vi") -> str:
    if estimate.value is None:
        return ""
    return numbers.number(estimate.value, places=2, language=language)


def margin_text(estimate: Estimate, *, share: bool, language: str = "vi") -> str:
    """ "± 8,1 percentage points" for a share, "± 0,35" for a mean; for a census "all
    units" (no sampling error); "" when there is no margin to give."""
    if estimate.value is None:
        return ""
    if estimate.census:
        return _("all units (census)")
    if estimate.margin is None:
        return ""
    if share:
        points = numbers.number(estimate.margin * 100, places=PLACES, language=language)
        return _("± %(points)s percentage points") % {"points": points}
    return "± " + numbers.number(estimate.margin, places=2, language=language)
