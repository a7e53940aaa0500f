"""Reads of resolutions, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from soket.orgs.models import User
from soket.resolutions.access import visible_resolutions
from soket.resolutions.models import Resolution, Target


def resolution_list_for(*, user: User) -> QuerySet[Resolution]:
    return visible_resolutions(user).select_related("issuer", "implements")


def resolution_detail_for(*, user: User, pk: int) -> Resolution:
    """The resolution with its targets and both directions of their cascade.

    Cascade links to resolutions the user may not see are left out.
    """
    visible = visible_resolutions(user)
    linked = Target.objects.filter(resolution__in=visible).select_related("resolution")
    return (
        resolution_list_for(user=user)
        .prefetch_related(
            "programmes",
            "tasks",
            Prefetch(
                "targets",
                queryset=Target.objects.select_related("programme").prefetch_related(
                    Prefetch("derived_from", queryset=linked),
                    Prefetch("derived_targets", queryset=linked),
                ),
            ),
        )
        .get(pk=pk)
    )


def own_targets(*, unit_id: int, targets: list[Target]) -> dict[int, Target]:
    """For each target, the unit's own target that makes it concrete (through the
    cascade, `Target.derived_from`), where the unit set one: its goal is the one a
    document of that unit shows. One query whatever the number of targets."""
    links = (
        Target.derived_from.through.objects.filter(
            from_target__resolution__issuer_id=unit_id, to_target__in=targets
        )
        .select_related("from_target__resolution__issuer")
        .prefetch_related("from_target__milestones")
    )
    return {link.to_target_id: link.from_target for link in links.order_by("from_target_id")}
