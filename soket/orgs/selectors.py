"""Reads of the hierarchy, always within what the user may see.

Trees are shown a level at a time, so a national tree of 135,000 units costs no
more to open than a district's. A role covers whole subtrees, so the children of
a visible unit are visible too: only the tree's tops need the scope.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, QuerySet

from soket.orgs import access
from soket.orgs.models import Unit, UnitKind, User


def _with_has_children(units: QuerySet[Unit], kinds: Iterable[UnitKind] | None) -> QuerySet[Unit]:
    children = Unit.objects.filter(parent=OuterRef("pk"))
    if kinds is not None:
        children = children.filter(kind__in=kinds)
    return units.select_related("kind").annotate(has_children=Exists(children))


def unit_tree_roots(
    *,
    user: User,
    within: Iterable[Unit] | None = None,
    kinds: Iterable[UnitKind] | None = None,
) -> QuerySet[Unit]:
    """The tops of the user's tree; with `within`, of those subtrees as far as the scope reaches."""
    roots = access.scope_roots(user)
    if within is not None:
        meeting = []
        for mine in roots:
            for other in within:
                if other.path.startswith(mine.path):
                    meeting.append(other)
                elif mine.path.startswith(other.path):
                    meeting.append(mine)
        roots = access.topmost(meeting)
    units = Unit.objects.filter(pk__in=[unit.pk for unit in roots])
    if kinds is not None:
        units = units.filter(kind__in=kinds)
    return _with_has_children(units, kinds).order_by("path")


def unit_tree_children(
    *, user: User, parent: Unit, kinds: Iterable[UnitKind] | None = None
) -> QuerySet[Unit]:
    """The children of a unit the caller has already checked the user may see."""
    units = Unit.objects.filter(parent=parent)
    if kinds is not None:
        units = units.filter(kind__in=kinds)
    return _with_has_children(units, kinds).order_by("kind__rank", "name")


def unit_counts_by_kind(*, units: QuerySet[Unit]) -> list[dict]:
    """How many units of each kind: one GROUP BY, whatever the size of the tree."""
    return list(
        units.values("kind__code", "kind__name", "kind__rank")
        .annotate(count=Count("pk"))
        .order_by("kind__rank")
    )
