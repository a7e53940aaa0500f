"""`{{ user|manages_people }}`: whether the people pages are for this person (the nav)."""

from django import template

from soket.people import access

register = template.Library()


@register.filter
def manages_people(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and access.manages_people(user)
