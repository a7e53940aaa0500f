"""Which Word template a document uses."""

from __future__ import annotations

from soket.documents.models import DocumentTemplate
from soket.orgs.models import Unit, ids_in_path


def template_for(*, unit: Unit, kind: str) -> DocumentTemplate | None:
    """The template of the nearest unit at or above `unit` that set one for `kind`."""
    return (
        DocumentTemplate.objects.filter(kind=kind, unit__in=ids_in_path(unit.path))
        .order_by("-unit__depth")
        .first()
    )
