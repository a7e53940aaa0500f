"""Reads of the hierarchy, always within what the user may see."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet

from soket import access
from soket.orgs.models import Unit, User


def _tree(user: User, among: QuerySet[Unit] | None) -> QuerySet[Unit]:
    visible = access.visible_units(user)
    return visible if among is None else visible.filter(pk__in=among.values("pk"))


def _with_has_children(units: QuerySet[Unit], tree: QuerySet[Unit]) -> QuerySet[Unit]:
    return units.select_related("kind").annotate(
        has_children=Exists(tree.filter(parent=OuterRef("pk")))
    )


def unit_tree_roots(*, user: User, among: QuerySet[Unit] | None = None) -> QuerySet[Unit]:
    """The highest units of the user's visible part of `among`: those whose parent is not in it.

    The tree is shown a level at a time, so a national tree of 135,000 units costs
    no more to open than a district's.
    """
    tree = _tree(user, among)
    roots = tree.exclude(parent__in=tree.values("pk"))
    return _with_has_children(roots, tree).order_by("path")


def unit_tree_children(
    *, user: User, parent: Unit, among: QuerySet[Unit] | None = None
) -> QuerySet[Unit]:
    tree = _tree(user, among)
    return _with_has_children(tree.filter(parent=parent), tree).order_by("kind__rank", "name")


def unit_counts_by_kind(*, units: QuerySet[Unit]) -> list[dict]:
    """How many units of each kind: one GROUP BY, whatever the size of the tree."""
    return list(
        units.values("kind__code", "kind__name", "kind__rank")
        .annotate(count=Count("pk"))
        .order_by("kind__rank")
    )
