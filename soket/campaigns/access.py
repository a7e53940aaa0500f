"""Which campaigns a person sees, and who administers one.

An issued plan is seen by its unit's people and by every unit below, since a plan issued
above is what they carry out. A draft is seen only by the administrators of its unit: it
addresses nobody yet. A campaign is written, issued and amended by the campaign
administrators of its own unit (and the system operator), never from above or beside it.
"""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Q, QuerySet

from soket.campaigns.models import Campaign, CommitteeTask
from soket.orgs.access import is_active, units_in_line
from soket.orgs.models import Role, Unit, User


def administered_units(user: User) -> QuerySet[Unit]:
    """Units whose campaigns the user writes: where they are a campaign administrator."""
    if not is_active(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    roles = Role.objects.filter(user=user, kind=Role.Kind.CAMPAIGN_ADMIN, department__isnull=True)
    return Unit.objects.filter(pk__in=roles.values("unit_id"))


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    if not is_active(user):
        return Campaign.objects.none()
    if user.is_superuser:
        return Campaign.objects.all()
    return Campaign.objects.filter(owner__in=units_in_line(user)).filter(
        Q(state=Campaign.State.ISSUED) | Q(owner__in=administered_units(user))
    )


def administered_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns the user may write, issue and amend (drafts and issued alike)."""
    return Campaign.objects.filter(owner__in=administered_units(user))


def can_administer(user: User, campaign: Campaign) -> bool:
    return administered_units(user).filter(pk=campaign.owner_id).exists()


# The committee's tasks: whoever sees the campaign sees them; the people in charge of a
# task (the member's own account; a department's reporters and approvers, who write its
# thematic report) and the campaign's administrators set its status.

TASK_ROLE_KINDS = (Role.Kind.REPORTER, Role.Kind.APPROVER)


def task_department_roles() -> QuerySet[Role]:
    """The roles that put a person in charge of their department's tasks."""
    return Role.objects.filter(
        department__isnull=False, kind__in=TASK_ROLE_KINDS, user__is_active=True
    )


def tasks_in_charge(user: User) -> Q:
    """The condition on tasks of which `user` is in charge."""
    if not is_active(user):
        return Q(pk__in=[])
    departments = task_department_roles().filter(user=user).values("department_id")
    return Q(member__user=user) | Q(department__in=departments)


def can_update_task(user: User, task: CommitteeTask) -> bool:
    if not is_active(user):
        return False
    in_charge = CommitteeTask.objects.filter(tasks_in_charge(user), pk=task.pk)
    if in_charge.filter(campaign__in=visible_campaigns(user)).exists():
        return True
    return can_administer(user, task.campaign)


def people_in_charge(tasks: Sequence[CommitteeTask]) -> dict[int, list[User]]:
    """The active people in charge of each task (its member's account; its department's
    reporters and approvers), by task id; a task nobody can be reminded of has []. One
    query for every department (the members' accounts as selected with the tasks)."""
    by_department: dict[int, list[User]] = defaultdict(list)
    departments = {task.department_id for task in tasks if task.department_id}
    if departments:
        roles = task_department_roles().filter(department__in=departments).select_related("user")
        for role in roles.order_by("pk"):
            assert role.department_id is not None
            if role.user not in by_department[role.department_id]:
                by_department[role.department_id].append(role.user)
    people: dict[int, list[User]] = {}
    for task in tasks:
        if task.department_id is not None:
            people[task.pk] = by_department.get(task.department_id, [])
        else:
            user = task.member.user if task.member else None
            people[task.pk] = [user] if user is not None and user.is_active else []
    return people
