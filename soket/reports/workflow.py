"""The report workflow, declared once: who writes, sends and reviews a report, and each
move with the states it starts from, the state it leads to, who may make it, whether it
needs a reason and whom it tells.

A unit's report is written by the unit's reporters and approvers (and its campaign
administrators), sent by its approvers (and campaign administrators), and reviewed by
the approvers of the level above (or higher) who do not write it. A department's
thematic report is written by the department's reporters and sent by its approvers; the
federation's approvers who hold no role in that department review it. Nobody reviews a
report they sent, operators included. A system administrator passes the other checks:
theirs is an operator's account for repairs.

Access checks, the report page, documents, notices, reminders and the home page all ask
here; `services.report_transition` is the one way a report changes state.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from soket.campaigns.access import visible_campaigns
from soket.orgs.access import (
    Perm,
    can,
    is_active,
    role_kinds_granting,
    role_units,
    scope_roots,
    topmost,
    units_in_scope,
)
from soket.orgs.models import Role, Unit, User, ids_in_path
from soket.reports.models import Report, Transition

State = Report.State
Action = Transition.Action


# Who: as role rows, so that one rule serves one report and a hundred thousand units.


def writing_roles() -> QuerySet[Role]:
    """Roles whose holders write the report of their unit (or of their department)."""
    return Role.objects.filter(kind__in=role_kinds_granting(Perm.EDIT))


def sending_roles() -> QuerySet[Role]:
    """Roles whose holders send the report of their unit (or of their department)."""
    return Role.objects.filter(kind__in=role_kinds_granting(Perm.SUBMIT))


def reviewing_roles() -> QuerySet[Role]:
    """Roles whose holders review at their unit: a department's role never reviews."""
    return Role.objects.filter(kind__in=role_kinds_granting(Perm.REVIEW), department__isnull=True)


def of_report(roles: QuerySet[Role], report: Report) -> QuerySet[Role]:
    """The roles among `roles` held for the report's unit, or for its department."""
    if report.department_id:
        return roles.filter(unit_id=report.unit_id, department_id=report.department_id)
    return roles.filter(unit_id=report.unit_id, department__isnull=True)


def of_units(roles: QuerySet[Role], units: QuerySet[Unit]) -> QuerySet[Role]:
    """The roles among `roles` held for the reports of `units` themselves (not departments)."""
    return roles.filter(unit__in=units.values("pk"), department__isnull=True)


def holders(roles: QuerySet[Role]) -> QuerySet[User]:
    return User.objects.filter(pk__in=roles.values("user_id"), is_active=True)


def writers(report: Report) -> QuerySet[User]:
    return holders(of_report(writing_roles(), report))


def senders(report: Report) -> QuerySet[User]:
    return holders(of_report(sending_roles(), report))


def reviewing_unit(report: Report) -> Unit | None:
    """Who reviews: the federation itself for its departments, else the level above."""
    return report.unit if report.department_id else report.unit.parent


def last_sender_id(report: Report) -> int | None:
    sends = report.transitions.filter(action=Action.SUBMIT).order_by("-at", "-pk")
    return sends.values_list("by_id", flat=True).first()


def _own_work(report: Report) -> Q:
    """People for whom the report is their own work: any role in its department, or a
    writing role at its unit."""
    if report.department_id:
        return Q(roles__department_id=report.department_id)
    return Q(pk__in=of_report(writing_roles(), report).values("user_id"))


def reviewers(report: Report) -> QuerySet[User]:
    """The people a report is addressed to: the approvers and campaign administrators of
    the reviewing level who neither wrote nor sent it; where that level has none yet, of
    the nearest level above it that has (they may review it too, `can_review` says)."""
    above = reviewing_unit(report)
    if above is None:
        return User.objects.none()
    roles = reviewing_roles().filter(unit_id__in=ids_in_path(above.path), user__is_active=True)
    roles = roles.exclude(user__in=User.objects.filter(_own_work(report)))
    sender = last_sender_id(report)
    if sender:
        roles = roles.exclude(user_id=sender)
    nearest = roles.order_by("-unit__depth").values("unit__depth")[:1]
    return holders(roles.filter(unit__depth=Subquery(nearest)))


# Whether one person may: the same rules, asked of one person.


def can_edit(user: User, report: Report) -> bool:
    if not is_active(user):
        return False
    return user.is_superuser or writers(report).filter(pk=user.pk).exists()


def can_send(user: User, report: Report) -> bool:
    if not is_active(user):
        return False
    return user.is_superuser or senders(report).filter(pk=user.pk).exists()


def can_review(user: User, report: Report) -> bool:
    """Approvers at the reviewing level or above, not among its authors, never its sender."""
    above = reviewing_unit(report)
    if above is None or not reviews_at(user, above):
        return False
    if last_sender_id(report) == user.pk:
        return False
    if user.is_superuser:
        return True
    return not User.objects.filter(pk=user.pk).filter(_own_work(report)).exists()


def reviews_at(user: User, unit: Unit) -> bool:
    """Whether the person reviews the reports addressed to `unit` (its units below, its
    departments): an approver or campaign administrator there or above."""
    return can(user, Perm.REVIEW, unit)


def review_roots(user: User) -> list[Unit]:
    """The tops of the subtrees the person reviews (a viewer of the province who approves
    at a district reviews that district's subtree)."""
    if user.is_superuser:
        return scope_roots(user)
    return topmost(list(role_units(user, Perm.REVIEW)))


def reviewing_units(user: User) -> QuerySet[Unit]:
    """The units where the person holds a reviewing role: the levels lists address them."""
    return role_units(user, Perm.REVIEW)


def visible_reports(user: User) -> QuerySet[Report]:
    return Report.objects.filter(unit__in=units_in_scope(user)).filter(
        campaign__in=visible_campaigns(user)
    )


# The moves.


class Who(enum.Enum):
    """Who may make a move: the report's writers, its senders or its reviewers."""

    WRITERS = "writers"
    SENDERS = "senders"
    REVIEWERS = "reviewers"


class Told(enum.Enum):
    """Whom a move tells."""

    NOBODY = "nobody"
    REVIEWERS = "reviewers"  # the level that reviews it: a report has arrived
    AUTHORS = "authors"  # its writers and senders, and whoever sent it last


ALLOWED: dict[Who, Callable[[User, Report], bool]] = {
    Who.WRITERS: can_edit,
    Who.SENDERS: can_send,
    Who.REVIEWERS: can_review,
}


@dataclass(frozen=True)
class Move:
    name: str  # the step in the page's address
    action: str | None  # the Transition recorded; None for a save, which changes no state
    from_states: frozenset[str]
    to_state: str | None
    who: Who
    needs_reason: bool
    tells: Told
    notice: str | Promise = ""  # what those told read: %(unit)s, %(campaign)s, %(reason)s
    asks_reason: str | Promise = ""  # said when a move that needs a reason comes without

    def starts_from(self, state: str) -> bool:
        return state in self.from_states

    def allowed(self, user: User, report: Report) -> bool:
        return ALLOWED[self.who](user, report)


EDITABLE = frozenset(Report.EDITABLE_STATES)

SAVE = Move(
    name="luu",
    action=None,
    from_states=EDITABLE,
    to_state=None,
    who=Who.WRITERS,
    needs_reason=False,
    tells=Told.NOBODY,
)
# Sending a federation's report up to its own level above is the same move.
SUBMIT = Move(
    name="gui",
    action=Action.SUBMIT,
    from_states=EDITABLE,
    to_state=State.SUBMITTED,
    who=Who.SENDERS,
    needs_reason=False,
    tells=Told.REVIEWERS,
    notice=_("%(unit)s submitted its report for “%(campaign)s”: it awaits your review."),
)
WITHDRAW = Move(
    name="rut",
    action=Action.WITHDRAW,
    from_states=frozenset({State.SUBMITTED}),
    to_state=State.DRAFT,
    who=Who.SENDERS,
    needs_reason=False,
    tells=Told.NOBODY,
)
RETURN = Move(
    name="tra-lai",
    action=Action.RETURN,
    from_states=frozenset({State.SUBMITTED}),
    to_state=State.RETURNED,
    who=Who.REVIEWERS,
    needs_reason=True,
    tells=Told.AUTHORS,
    notice=_("Your report for “%(campaign)s” was returned: %(reason)s"),
    asks_reason=_("Say why the report is returned."),
)
ACCEPT = Move(
    name="chap-nhan",
    action=Action.ACCEPT,
    from_states=frozenset({State.SUBMITTED}),
    to_state=State.ACCEPTED,
    who=Who.REVIEWERS,
    needs_reason=False,
    tells=Told.AUTHORS,
    notice=_("Your report for “%(campaign)s” was accepted."),
)
REOPEN = Move(
    name="mo-lai",
    action=Action.REOPEN,
    from_states=frozenset({State.ACCEPTED}),
    to_state=State.RETURNED,
    who=Who.REVIEWERS,
    needs_reason=True,
    tells=Told.AUTHORS,
    notice=_("Your report for “%(campaign)s” was reopened: %(reason)s"),
    asks_reason=_("Say why the report is reopened."),
)

MOVES: tuple[Move, ...] = (SAVE, SUBMIT, WITHDRAW, RETURN, ACCEPT, REOPEN)
TRANSITIONS: dict[str, Move] = {move.name: move for move in MOVES if move.action}


def moves_for(user: User, report: Report) -> list[Move]:
    """The moves the person may make on the report now."""
    return [move for move in MOVES if move.starts_from(report.state) and move.allowed(user, report)]


def told(move: Move, report: Report, *, by: User) -> QuerySet[User]:
    """Who hears of the move (never the person who made it)."""
    if move.tells is Told.REVIEWERS:
        people = reviewers(report)
    elif move.tells is Told.AUTHORS:
        sender = last_sender_id(report)
        people = User.objects.filter(
            Q(pk__in=writers(report).values("pk"))
            | Q(pk__in=senders(report).values("pk"))
            | Q(pk=sender or 0),
            is_active=True,
        )
    else:
        return User.objects.none()
    return people.exclude(pk=by.pk)


def who_can_send(report: Report) -> QuerySet[User]:
    """Named on the page for a writer who may not send the report themselves."""
    return senders(report).order_by("full_name", "username")
