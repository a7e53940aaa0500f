"""Recording changes. The services that change things call `record` in their transaction,
so an entry exists exactly when the change does."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms.models import model_to_dict

from soket.audit.models import Entry
from soket.core import clock


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A model's own fields as JSON-safe data (many-to-many as lists of ids)."""
    data = model_to_dict(instance)
    for key, value in data.items():
        if isinstance(value, list):
            data[key] = sorted(getattr(item, "pk", item) for item in value)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def record(
    *,
    by,
    action: str,
    instance: models.Model,
    before: dict | None = None,
    after: dict | None = None,
) -> Entry | None:
    """Record a change; a 'change' that changed nothing leaves no entry."""
    if before is not None and before == after:
        return None
    return Entry.objects.create(
        at=clock.now(),
        by=by if getattr(by, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        before=before,
        after=after,
    )
