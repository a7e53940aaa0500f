"""A survey's texts in the language of the page: the English label where the survey
gives one and English is chosen, the Vietnamese one otherwise."""

from __future__ import annotations

from django.utils import translation


def localized(obj: object, field: str) -> str:
    """`obj.<field>_en` when the active language is English and it is filled in,
    else `obj.<field>` (e.g. localized(question, "label"))."""
    text = str(getattr(obj, field))
    if (translation.get_language() or "").startswith("en"):
        return str(getattr(obj, f"{field}_en", "") or "") or text
    return text
