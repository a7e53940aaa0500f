"""Reminding the units chosen for a survey that have not answered, in the reports' steps
(soket.campaigns.reminders.step_on, with the reports' settings): some days before the
survey's due date, on the day, and once overdue.

Who is reminded: the unit's own reporters and approvers (those who answer for it,
access.can_answer_for), active. A union has answered once its Response exists; a unit
whose workers answer, once one questionnaire has come back (it cannot make its workers
answer, only hand the questionnaires out). Each notice carries the key
survey:<survey>:<respondent>:<due date>:<step>, so a sweep run twice, or again after a
crash, tells nobody twice (soket.notices keeps one notice per person and key), and a
due date that moves is reminded of anew. Only open surveys of issued plans are
reminded; a survey without a due date never.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from soket.campaigns.models import Campaign
from soket.campaigns.reminders import BEFORE, DUE, step_on
from soket.notices.models import Notice
from soket.notices.services import notify
from soket.orgs.models import Role, User
from soket.surveys.models import Respondent, Response, Survey

KEYS_AT_ONCE = 500
ANSWERING_ROLES = (Role.Kind.REPORTER, Role.Kind.APPROVER)


def reminder_key(survey_id: int, respondent_id: int, due_on: datetime.date, step: str) -> str:
    return f"survey:{survey_id}:{respondent_id}:{due_on:%Y%m%d}:{step}"


def _text(survey: Survey, step: str) -> str:
    assert survey.due_on is not None
    values = {"survey": survey.title, "day": f"{survey.due_on:%d/%m/%Y}"}
    if survey.respondents == Survey.Respondents.PEOPLE:
        if step == BEFORE:
            return (
                _(
                    "Reminder: your unit's workers are asked to answer the survey “%(survey)s” "
                    "by %(day)s; no questionnaire has come back yet."
                )
                % values
            )
        if step == DUE:
            return (
                _(
                    "Today, %(day)s, the answers of your unit's workers to the survey "
                    "“%(survey)s” are due; none has come back yet."
                )
                % values
            )
        return (
            _(
                "The answers of your unit's workers to the survey “%(survey)s” were due on "
                "%(day)s; none has come back."
            )
            % values
        )
    if step == BEFORE:
        return _("Reminder: your unit's answers to the survey “%(survey)s” are due on %(day)s.") % (
            values
        )
    if step == DUE:
        return _("Today, %(day)s, your unit's answers to the survey “%(survey)s” are due.") % values
    return (
        _("Your unit's answers to the survey “%(survey)s” were due on %(day)s and have not come.")
        % values
    )


def _url(survey: Survey, unit_id: int) -> str:
    if survey.respondents == Survey.Respondents.PEOPLE:
        return reverse("survey_tokens", args=[survey.pk, unit_id])
    return reverse("survey_answer", args=[survey.pk, unit_id])


def sweep(*, today: datetime.date) -> int:
    """Notify the survey reminders due by `today`; returns how many notices were created.
    Written in the site's language, as it runs outside any request."""
    with translation.override(settings.LANGUAGE_CODE):
        return _sweep(today)


def _sweep(today: datetime.date) -> int:
    latest = today + datetime.timedelta(days=settings.SOKET_REMINDER_DAYS_BEFORE)
    surveys = {
        survey.pk: (survey, step)
        for survey in Survey.objects.filter(
            state=Survey.State.OPEN,
            campaign__state=Campaign.State.ISSUED,
            due_on__isnull=False,
            due_on__lte=latest,
        ).order_by("pk")
        if survey.due_on is not None and (step := step_on(survey.due_on, today)) is not None
    }
    if not surveys:
        return 0
    # The units that have not answered, their people, and who was told already: a few
    # queries for every survey.
    answered = Response.objects.filter(respondent=OuterRef("pk"))
    waiting = list(
        Respondent.objects.filter(survey__in=surveys)
        .filter(~Exists(answered))
        .order_by("survey_id", "unit__path")
        .values_list("pk", "survey_id", "unit_id")
    )
    if not waiting:
        return 0
    people: dict[int, list[User]] = defaultdict(list)
    roles = Role.objects.filter(
        unit__in={unit_id for _pk, _survey, unit_id in waiting},
        kind__in=ANSWERING_ROLES,
        department__isnull=True,
        user__is_active=True,
    ).select_related("user")
    for role in roles.order_by("pk"):
        if role.user not in people[role.unit_id]:
            people[role.unit_id].append(role.user)
    keys = []
    for pk, survey_id, _unit_id in waiting:
        survey, step = surveys[survey_id]
        assert survey.due_on is not None
        keys.append(reminder_key(survey_id, pk, survey.due_on, step))
    told: set[tuple[str, int]] = set()
    for start in range(0, len(keys), KEYS_AT_ONCE):
        told |= set(
            Notice.objects.filter(key__in=keys[start : start + KEYS_AT_ONCE]).values_list(
                "key", "user_id"
            )
        )
    sent = 0
    for (_pk, survey_id, unit_id), key in zip(waiting, keys, strict=True):
        to_tell = [person for person in people.get(unit_id, []) if (key, person.pk) not in told]
        if to_tell:
            survey, step = surveys[survey_id]
            text = _text(survey, step)
            sent += len(notify(users=to_tell, text=text, url=_url(survey, unit_id), key=key))
    return sent
