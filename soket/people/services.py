"""Writes to people and their roles, each checked by soket.people.access and audited.

A new person gets no password: an invitation (a notice, hence one e-mail through the
outbox) carries a link to set it, made with Django's password-reset tokens, which work
once (setting the password changes what the token signs) and for
PASSWORD_RESET_TIMEOUT. An administrator never sees or types anyone's password: to
reset one they send a fresh link.

The site's address is not a setting: the view passes the address the administrator is
using (`site`, e.g. "https://soket.example.org"), which Django has already checked
against ALLOWED_HOSTS.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from soket.audit.services import record
from soket.notices.services import notify
from soket.orgs.models import Department, Role, Unit, User
from soket.people.access import (
    PeopleError,
    check_account_manageable,
    check_role_place,
    check_roles_changeable,
    visible_people,
)
from soket.people.actions import Action

USERNAME_MAX = User._meta.get_field("username").max_length or 150
FULL_NAME_MAX = User._meta.get_field("full_name").max_length or 200


def username_problem(username: str) -> str | None:
    """What is wrong with `username` as a new person's username (Django's rules), or None."""
    if not username:
        return _("is required")
    if len(username) > USERNAME_MAX:
        return _("is longer than %d characters") % USERNAME_MAX
    try:
        User.username_validator(username)
    except ValidationError:
        return _("may hold only letters, digits and @ . + - _ (no spaces)")
    return None


def email_problem(email: str) -> str | None:
    if not email:
        return _("is required: the invitation to set a password goes there")
    try:
        validate_email(email)
    except ValidationError:
        return _("“%s” is not an e-mail address") % email[:80]
    return None


def set_password_url(*, person: User, site: str) -> str:
    """The absolute link that lets `person` set their password (once, for a few days)."""
    path = reverse(
        "people_set_password",
        args=[
            urlsafe_base64_encode(force_bytes(person.pk)),
            default_token_generator.make_token(person),
        ],
    )
    return site.rstrip("/") + path


def link_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def _role_facts(role: Role) -> dict:
    return {
        "user": role.user.username,
        "unit": role.unit.code,
        "kind": role.kind,
        "department": role.department.code if role.department_id and role.department else None,
    }


def _locked(person: User) -> User:
    """The person's row, locked until the transaction ends (two administrators changing
    one person's roles at once take turns)."""
    return User.objects.select_for_update().get(pk=person.pk)


def _send_link(*, by: User, person: User, site: str, first: bool) -> None:
    """The notice (and its one e-mail) carrying a set-password link, in the site's
    language: the person reads it before they have ever chosen one."""
    with translation.override(settings.LANGUAGE_CODE):
        if first:
            text = _(
                "Set the password of your new Soket account %(username)s: open the link "
                "below. It works once, within %(days)d days."
            )
        else:
            text = _(
                "Set a new password for your Soket account %(username)s: open the link "
                "below. It works once, within %(days)d days."
            )
        text %= {"username": person.username, "days": link_days()}
    notify(users=[person], text=text, url=set_password_url(person=person, site=site))
    record(
        by=by,
        action=Action.SEND_PASSWORD_LINK,
        instance=person,
        after={"email": person.email, "first": first},
    )


def _grant(*, by: User, person: User, unit: Unit, kind: str, department: Department | None):
    role, created = Role.objects.get_or_create(
        user=person, unit=unit, kind=kind, department=department
    )
    if created:
        record(by=by, action=Action.GRANT_ROLE, instance=role, after=_role_facts(role))
    return role, created


@transaction.atomic
def role_grant(
    *, by: User, person: User, unit: Unit, kind: str, department: Department | None = None
) -> tuple[Role, bool]:
    """Give `person` a role at `unit`; (the role, False) when they already held it."""
    if not visible_people(by).filter(pk=person.pk).exists():
        raise PeopleError(_("You do not manage %s.") % person)
    person = _locked(person)
    check_roles_changeable(by, person)
    check_role_place(by, unit, kind, department)
    return _grant(by=by, person=person, unit=unit, kind=kind, department=department)


@transaction.atomic
def role_take(*, by: User, role: Role) -> None:
    """Take a role away. The last role is kept: a person without roles would vanish from
    every administrator's list, so deactivate the account instead, or give the new role
    before taking the old one."""
    person = _locked(role.user)
    check_roles_changeable(by, person)
    role = Role.objects.select_related("unit", "department", "user").get(pk=role.pk)
    check_role_place(by, role.unit, role.kind, role.department)
    if not Role.objects.filter(user=person).exclude(pk=role.pk).exists():
        raise PeopleError(
            _("This is the only role of %s: give the new role first, or deactivate the "
              "account if they no longer work here.") % person
        )  # fmt: skip
    record(by=by, action=Action.TAKE_ROLE, instance=role, before=_role_facts(role))
    role.delete()


@dataclass(frozen=True)
class NewPerson:
    username: str
    full_name: str
    email: str
    unit: Unit
    kind: str
    department: Department | None = None


def check_new_person(*, by: User, new: NewPerson) -> None:
    """Every reason to refuse `new`, the first one found, naming its field."""
    problem = username_problem(new.username)
    if problem:
        raise PeopleError(_("Username %s.") % problem, field="username")
    if User.objects.filter(username__iexact=new.username).exists():
        raise PeopleError(
            _("The username “%s” is already taken: choose another, or open that person's "
              "page to give them a role.") % new.username,
            field="username",
        )  # fmt: skip
    if not new.full_name:
        raise PeopleError(_("Full name is required."), field="full_name")
    if len(new.full_name) > FULL_NAME_MAX:
        raise PeopleError(
            _("Full name is longer than %d characters.") % FULL_NAME_MAX, field="full_name"
        )
    problem = email_problem(new.email)
    if problem:
        raise PeopleError(_("E-mail %s.") % problem, field="email")
    check_role_place(by, new.unit, new.kind, new.department)


def person_create(*, by: User, new: NewPerson, site: str) -> User:
    """Write a person `check_new_person` has let through (inside the caller's transaction)."""
    person = User(username=new.username, full_name=new.full_name, email=new.email)
    person.set_unusable_password()
    person.save()
    record(
        by=by,
        action=Action.ADD_PERSON,
        instance=person,
        after={"username": person.username, "full_name": person.full_name, "email": person.email},
    )
    _grant(by=by, person=person, unit=new.unit, kind=new.kind, department=new.department)
    _send_link(by=by, person=person, site=site, first=True)
    return person


@transaction.atomic
def person_add(*, by: User, new: NewPerson, site: str) -> User:
    """Open an account with its first role, and invite the person to set a password."""
    check_new_person(by=by, new=new)
    return person_create(by=by, new=new, site=site)


@transaction.atomic
def password_link_send(*, by: User, person: User, site: str) -> None:
    """Send `person` a fresh link to set their password (their current one still works
    until they do)."""
    person = _locked(person)
    check_account_manageable(by, person)
    if not person.is_active:
        raise PeopleError(_("%s's account is deactivated: reactivate it first.") % person)
    if not person.email:
        raise PeopleError(
            _("%s has no e-mail address to send the link to.") % person
        )  # fmt: skip
    _send_link(by=by, person=person, site=site, first=not person.has_usable_password())


@transaction.atomic
def person_set_active(*, by: User, person: User, active: bool) -> bool:
    """Deactivate (or reactivate) an account; False when it already was. A deactivated
    person can no longer log in, and their open sessions end at their next request."""
    person = _locked(person)
    check_account_manageable(by, person)
    if person.is_active == active:
        return False
    person.is_active = active
    person.save(update_fields=["is_active"])
    record(
        by=by,
        action=Action.REACTIVATE if active else Action.DEACTIVATE,
        instance=person,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return True
