"""Writing a survey: its title and introduction, its sections, its questions with their
choices and skip rules, and its opening and closing.

The questions are written by the campaign administrators of the unit that runs the
survey, and only while it is being prepared (access.can_define); opening, closing and
the due date are theirs too (access.can_administer_survey). Every change moves the
survey's revision: a form carries the revision it was made from and is refused, with
what was typed kept, when someone else changed the survey meanwhile.

Choices where the issue is silent:
- A survey is run by a unit with units below it: they are the ones asked (the draw
  leaves the surveying unit itself out), so a unit with none below runs no survey.
- Choices are typed one a line ("code | label | English label"; the code and the
  English label may be left out, the code is then made from the label): a list is
  easier to type, paste from a Word questionnaire and reorder than rows of a form.
- A skip rule points at an earlier one-choice or several-choice question. A change
  that would break one (its choice renamed or removed, the question moved after the
  one that depends on it, its kind changed, the question deleted) is refused with
  the questions concerned named.
- A closed survey can be opened again (a late unit); the checks of opening hold.
- Opening or closing twice (a double click) leaves it as the first click did.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from soket.audit import services as audit
from soket.campaigns.access import administered_units, visible_campaigns
from soket.campaigns.models import Campaign
from soket.campaigns.selectors import participating_units
from soket.core import clock
from soket.core.text import folded, grouped
from soket.orgs.models import Unit, User
from soket.surveys import access
from soket.surveys.models import Choice, Question, Section, Survey, Token

Kind = Question.Kind
CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)
MAX_TITLE = 300
MAX_INTRODUCTION = 5_000
MAX_LABEL = 500
MAX_CHOICE_LABEL = 300
MAX_CODE = 30
MAX_CHOICES = 50
MAX_QUESTIONS = 300
# What a DecimalField(max_digits=18, decimal_places=4) holds.
LARGEST_NUMBER = Decimal("99999999999999.9999")
CODE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


class Action(enum.StrEnum):
    """What the audit trail records of a survey."""

    CREATE = "survey_create"
    UPDATE = "survey_update"
    SECTION_ADD = "survey_section_add"
    SECTION_UPDATE = "survey_section_update"
    SECTION_DELETE = "survey_section_delete"
    QUESTION_ADD = "survey_question_add"
    QUESTION_UPDATE = "survey_question_update"
    QUESTION_DELETE = "survey_question_delete"
    OPEN = "survey_open"
    CLOSE = "survey_close"


class SurveyError(ValidationError):
    """A change that cannot be made; the messages are for the person who tried, by
    field of the form where one is to blame."""


class SurveyConflict(SurveyError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this survey while you were editing it. What you typed "
                "is kept below: compare it with the survey as it is now, then save again."
            )
        )


@dataclass(frozen=True)
class ChoiceInput:
    code: str
    label: str
    label_en: str = ""


# Who may, and in which state.


def _require_administrator(by: User, survey: Survey) -> None:
    if not access.can_administer_survey(by, survey):
        raise PermissionDenied


def _locked(survey: Survey, revision: int | None) -> Survey:
    """The survey's row, locked, as stored; refused if the form was made from another
    revision (None: the caller has no form to compare, e.g. a button)."""
    stored = Survey.objects.select_for_update().get(pk=survey.pk)
    if revision is not None and revision != stored.revision:
        raise SurveyConflict
    return stored


def _require_draft(survey: Survey) -> None:
    if survey.state != Survey.State.DRAFT:
        raise SurveyError(
            _(
                "The survey is %s: its questions can no longer change, since answers may "
                "already have been given to them."
            )
            % survey.get_state_display().lower()
        )


def _defining(by: User, survey: Survey, revision: int) -> Survey:
    """The survey locked for a change of its definition: by an administrator of its
    unit, while it is being prepared, from the revision stored."""
    _require_administrator(by, survey)
    stored = _locked(survey, revision)
    _require_draft(stored)
    return stored


def _bump(survey: Survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(revision=F("revision") + 1)
    survey.revision += 1


def _raise(problems: dict[str, list[str]]) -> None:
    problems = {field: messages for field, messages in problems.items() if messages}
    if problems:
        raise SurveyError(problems)


def _too_long(text: str, limit: int, what: str) -> str | None:
    if len(text) <= limit:
        return None
    return _("%(what)s is longer than %(limit)s characters.") % {
        "what": what,
        "limit": grouped(limit),
    }


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


# The survey.


def owner_choices(*, user: User, campaign: Campaign) -> list[Unit]:
    """The units the user may run a survey of the campaign for: units they administer
    that are the campaign's own or take part in it, with units below them."""
    if not visible_campaigns(user).filter(pk=campaign.pk).exists():
        return []
    taking_part = participating_units(campaign=campaign, on=clock.today()).values("pk")
    units = (
        administered_units(user)
        .filter(pk__in=Unit.objects.filter(parent__isnull=False).values("parent_id"))
        .filter(Q(pk=campaign.owner_id) | Q(pk__in=taking_part))
    )
    return list(units.select_related("kind").order_by("path"))


def _survey_text_problems(
    *, title: str, title_en: str, introduction: str, introduction_en: str
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {
        "title": [],
        "title_en": [],
        "introduction": [],
        "introduction_en": [],
    }
    if not title:
        problems["title"].append(_("Give the survey a title."))
    for field, text, limit, what in (
        ("title", title, MAX_TITLE, _("The title")),
        ("title_en", title_en, MAX_TITLE, _("The English title")),
        ("introduction", introduction, MAX_INTRODUCTION, _("The introduction")),
        ("introduction_en", introduction_en, MAX_INTRODUCTION, _("The English introduction")),
    ):
        message = _too_long(text, limit, what)
        if message:
            problems[field].append(message)
    return problems


@transaction.atomic
def survey_create(
    *,
    campaign: Campaign,
    owner: Unit,
    by: User,
    title: str,
    respondents: str,
    title_en: str = "",
    introduction: str = "",
    introduction_en: str = "",
    due_on: datetime.date | None = None,
) -> Survey:
    """A new survey of the campaign, being prepared, run by `owner` (a unit the person
    administers: the campaign's own or one taking part in it, with units below)."""
    if not visible_campaigns(by).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    if not administered_units(by).filter(pk=owner.pk).exists():
        raise PermissionDenied
    title, title_en = _one_line(title), _one_line(title_en)
    introduction, introduction_en = introduction.strip(), introduction_en.strip()
    problems = _survey_text_problems(
        title=title, title_en=title_en, introduction=introduction, introduction_en=introduction_en
    )
    problems["owner"] = []
    problems["respondents"] = []
    if owner.pk not in {unit.pk for unit in owner_choices(user=by, campaign=campaign)}:
        problems["owner"].append(
            _(
                "%s cannot run a survey of this campaign: a survey is run by the campaign's "
                "own unit or a unit taking part in it, and asks the units below it."
            )
            % owner
        )
    if respondents not in Survey.Respondents.values:
        problems["respondents"].append(
            _("Choose who answers: unions about their activity, or workers anonymously.")
        )
    _raise(problems)
    survey = Survey.objects.create(
        campaign=campaign,
        owner=owner,
        title=title,
        title_en=title_en,
        introduction=introduction,
        introduction_en=introduction_en,
        respondents=respondents,
        due_on=due_on,
        created_by=by,
        created_at=clock.now(),
    )
    audit.record(by=by, action=Action.CREATE, instance=survey, after=_survey_fields(survey))
    return survey


def _survey_fields(survey: Survey) -> dict:
    return {
        "title": survey.title,
        "title_en": survey.title_en,
        "introduction": survey.introduction,
        "introduction_en": survey.introduction_en,
        "respondents": survey.respondents,
        "due_on": survey.due_on.isoformat() if survey.due_on else None,
        "state": survey.state,
    }


@transaction.atomic
def survey_update(
    *,
    survey: Survey,
    by: User,
    revision: int,
    title: str,
    title_en: str = "",
    introduction: str = "",
    introduction_en: str = "",
    due_on: datetime.date | None = None,
    respondents: str | None = None,
) -> Survey:
    """Change the survey's texts and due date while it is being prepared; once open,
    its due date only. Who answers (units or workers) changes only until respondents
    are chosen. Nothing changed: nothing is recorded and the revision stays."""
    _require_administrator(by, survey)
    stored = _locked(survey, revision)
    title, title_en = _one_line(title), _one_line(title_en)
    introduction, introduction_en = introduction.strip(), introduction_en.strip()
    respondents = respondents or stored.respondents
    before = _survey_fields(stored)
    wanted = {
        **before,
        "title": title,
        "title_en": title_en,
        "introduction": introduction,
        "introduction_en": introduction_en,
        "respondents": respondents,
        "due_on": due_on.isoformat() if due_on else None,
    }
    if wanted == before:
        return stored
    if stored.state == Survey.State.CLOSED:
        if stored.respondents == Survey.Respondents.PEOPLE:
            raise SurveyError(_("The survey is closed: its due date no longer changes."))
        raise SurveyError(_("The survey is closed: open it again to change its due date."))
    if stored.state == Survey.State.OPEN and {
        key: value for key, value in wanted.items() if key != "due_on"
    } != {key: value for key, value in before.items() if key != "due_on"}:
        raise SurveyError(
            _(
                "The survey is open for answers: only its due date can change now, so that "
                "everyone answers the same questions."
            )
        )
    problems = _survey_text_problems(
        title=title, title_en=title_en, introduction=introduction, introduction_en=introduction_en
    )
    problems["respondents"] = []
    if respondents not in Survey.Respondents.values:
        problems["respondents"].append(
            _("Choose who answers: unions about their activity, or workers anonymously.")
        )
    elif respondents != stored.respondents and stored.respondents_set.exists():
        problems["respondents"].append(
            _(
                "The units that answer are already chosen: who answers (unions or workers) "
                "can no longer change."
            )
        )
    _raise(problems)
    Survey.objects.filter(pk=stored.pk).update(
        title=title,
        title_en=title_en,
        introduction=introduction,
        introduction_en=introduction_en,
        respondents=respondents,
        due_on=due_on,
    )
    _bump(stored)
    stored.refresh_from_db()
    audit.record(
        by=by, action=Action.UPDATE, instance=stored, before=before, after=_survey_fields(stored)
    )
    return stored


# Sections.


def _section_problems(heading: str, heading_en: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {"heading": [], "heading_en": []}
    if not heading:
        problems["heading"].append(_("Give the section a heading."))
    for field, text, what in (
        ("heading", heading, _("The heading")),
        ("heading_en", heading_en, _("The English heading")),
    ):
        message = _too_long(text, MAX_TITLE, what)
        if message:
            problems[field].append(message)
    return problems


@transaction.atomic
def section_add(
    *, survey: Survey, by: User, revision: int, heading: str, heading_en: str = ""
) -> Section:
    """A new section, after the others; questions are then put in it."""
    stored = _defining(by, survey, revision)
    heading, heading_en = _one_line(heading), _one_line(heading_en)
    _raise(_section_problems(heading, heading_en))
    last = stored.sections.aggregate(last=Max("order"))["last"] or 0
    section = Section.objects.create(
        survey=stored, order=last + 1, heading=heading, heading_en=heading_en
    )
    _bump(stored)
    audit.record(
        by=by,
        action=Action.SECTION_ADD,
        instance=stored,
        after={"section": section.pk, "heading": heading, "heading_en": heading_en},
    )
    return section


@transaction.atomic
def section_update(
    *, section: Section, by: User, revision: int, heading: str, heading_en: str = ""
) -> Section:
    stored = _defining(by, section.survey, revision)
    section = Section.objects.get(pk=section.pk, survey=stored)
    heading, heading_en = _one_line(heading), _one_line(heading_en)
    before = {"section": section.pk, "heading": section.heading, "heading_en": section.heading_en}
    after = {"section": section.pk, "heading": heading, "heading_en": heading_en}
    if before == after:
        return section
    _raise(_section_problems(heading, heading_en))
    Section.objects.filter(pk=section.pk).update(heading=heading, heading_en=heading_en)
    section.heading, section.heading_en = heading, heading_en
    _bump(stored)
    audit.record(by=by, action=Action.SECTION_UPDATE, instance=stored, before=before, after=after)
    return section


@transaction.atomic
def section_delete(*, section: Section, by: User, revision: int) -> None:
    """Remove a section; its questions stay, outside any section."""
    stored = _defining(by, section.survey, revision)
    section = Section.objects.get(pk=section.pk, survey=stored)
    before = {"section": section.pk, "heading": section.heading}
    section.delete()
    _bump(stored)
    audit.record(by=by, action=Action.SECTION_DELETE, instance=stored, before=before)


# Choices typed one a line.


def code_from(text: str, *, fallback: str) -> str:
    """A code made from a label: its words without marks, joined by hyphens, cut at a
    word to fit (“Đã ký thỏa ước” -> "da-ky-thoa-uoc")."""
    slug = slugify(re.sub(r"[^\w]+", " ", folded(text)))
    while len(slug) > MAX_CODE and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:MAX_CODE].strip("-_") or fallback


def _unique(code: str, taken: set[str]) -> str:
    if code not in taken:
        return code
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = code[: MAX_CODE - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def parse_choices(text: str) -> list[ChoiceInput]:
    """The choices typed one a line: "label", "code | label" or "code | label | English
    label". A code left out is made from the label. Empty lines are skipped; what is
    wrong with a line is for choice_problems to say, naming the line."""
    rows: list[tuple[str | None, str, str]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 1:
            rows.append((None, parts[0], ""))
        else:
            rows.append((parts[0].lower(), parts[1], " | ".join(parts[2:])))
    taken = {code for code, _label, _en in rows if code}
    choices = []
    for code, label, label_en in rows:
        if code is None:
            code = _unique(code_from(label, fallback="lua-chon"), taken)
            taken.add(code)
        choices.append(ChoiceInput(code=code, label=label, label_en=label_en))
    return choices


def choices_text(question: Question) -> str:
    """A question's choices as the form shows them, one a line."""
    lines = []
    for choice in question.choices.all():
        parts = [choice.code, choice.label] + ([choice.label_en] if choice.label_en else [])
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def choice_problems(kind: str, choices: Sequence[ChoiceInput]) -> list[str]:
    problems: list[str] = []
    if kind not in CHOICE_KINDS:
        if choices:
            problems.append(
                _(
                    "Only one-choice and several-choice questions have choices: clear the "
                    "list of choices or choose one of those kinds."
                )
            )
        return problems
    fewest = 2 if kind == Kind.SINGLE else 1
    if len(choices) < fewest:
        problems.append(
            _("Give at least two choices, one a line.")
            if fewest == 2
            else _("Give at least one choice, one a line.")
        )
    if len(choices) > MAX_CHOICES:
        problems.append(_("Give at most %d choices.") % MAX_CHOICES)
    seen: set[str] = set()
    for number, choice in enumerate(choices, start=1):
        where = _("Choice %d") % number
        if not choice.label:
            problems.append(_("%s: write its label after the code.") % where)
        if not CODE.match(choice.code) or len(choice.code) > MAX_CODE:
            problems.append(
                _(
                    "%(where)s: the code “%(code)s” may hold only letters without marks, "
                    "digits and hyphens, at most %(limit)d characters (e.g. co-tham-gia)."
                )
                % {"where": where, "code": choice.code, "limit": MAX_CODE}
            )
        elif choice.code in seen:
            problems.append(
                _("%(where)s: the code “%(code)s” is used twice.")
                % {"where": where, "code": choice.code}
            )
        seen.add(choice.code)
        for text, limit, what in (
            (choice.label, MAX_CHOICE_LABEL, _("its label")),
            (choice.label_en, MAX_CHOICE_LABEL, _("its English label")),
        ):
            if len(text) > limit:
                problems.append(
                    _("%(where)s: %(what)s is longer than %(limit)d characters.")
                    % {"where": where, "what": what, "limit": limit}
                )
    return problems


# Questions.


@dataclass(frozen=True)
class QuestionInput:
    """A question as a form gives it. `position` is its place, from 1 (None: at the
    end for a new one, where it is for one changed)."""

    label: str
    kind: str
    code: str = ""
    label_en: str = ""
    help_text: str = ""
    required: bool = False
    section: Section | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    shown_if: Question | None = None
    shown_if_codes: Sequence[str] = ()
    choices: Sequence[ChoiceInput] = ()
    position: int | None = None


def _named(question: Question) -> str:
    return _("question %(code)s (“%(label)s”)") % {
        "code": question.code,
        "label": question.label[:80],
    }


def _placed(
    questions: list[Question], current: Question | None, position: int | None
) -> list[Question | None]:
    """The survey's questions in their new order, None standing for `current` when it
    is new."""
    others: list[Question | None] = [q for q in questions if current is None or q.pk != current.pk]
    if position is None:
        if current is None:
            return [*others, None]
        return list(questions)
    index = min(max(position, 1), len(others) + 1) - 1
    others.insert(index, current)
    return others


def _question_problems(
    survey: Survey, current: Question | None, given: QuestionInput, code: str
) -> tuple[dict[str, list[str]], list[Question | None]]:
    problems: dict[str, list[str]] = {
        field: []
        for field in (
            "label",
            "label_en",
            "help_text",
            "code",
            "kind",
            "section",
            "minimum",
            "choices",
            "shown_if",
            "position",
        )
    }
    if not given.label:
        problems["label"].append(_("Write the question."))
    for field, text, what in (
        ("label", given.label, _("The question")),
        ("label_en", given.label_en, _("The question in English")),
        ("help_text", given.help_text, _("The explanation")),
    ):
        message = _too_long(text, MAX_LABEL, what)
        if message:
            problems[field].append(message)
    if given.kind not in Kind.values:
        problems["kind"].append(_("Choose the kind of question."))
    if not CODE.match(code) or len(code) > MAX_CODE:
        problems["code"].append(
            _(
                "The code “%(code)s” may hold only letters without marks, digits and "
                "hyphens, at most %(limit)d characters (e.g. so-doan-vien)."
            )
            % {"code": code, "limit": MAX_CODE}
        )
    elif (
        survey.questions.filter(code=code)
        .exclude(pk__in=[current.pk] if current is not None else [])
        .exists()
    ):
        problems["code"].append(
            _("Another question of this survey has the code “%s”: choose another.") % code
        )
    if given.section is not None and given.section.survey_id != survey.pk:
        problems["section"].append(_("Choose one of this survey's sections."))
    if given.kind == Kind.NUMBER:
        for value in (given.minimum, given.maximum):
            if value is not None and abs(value) > LARGEST_NUMBER:
                problems["minimum"].append(_("The smallest and largest numbers are too large."))
                break
        else:
            if (
                given.minimum is not None
                and given.maximum is not None
                and given.minimum > given.maximum
            ):
                problems["minimum"].append(
                    _("The smallest number allowed is larger than the largest.")
                )
    problems["choices"] += choice_problems(given.kind, given.choices)

    questions = list(survey.questions.select_related("shown_if").prefetch_related("choices"))
    if current is None and len(questions) >= MAX_QUESTIONS:
        problems["label"].append(_("A survey has at most %d questions.") % MAX_QUESTIONS)
    order = _placed(questions, current, given.position)
    index = {(q.pk if q is not None else None): n for n, q in enumerate(order)}
    here = index[current.pk if current is not None else None]

    # Its own skip rule: an earlier choice question, and some of its choices.
    rule = given.shown_if
    if rule is not None:
        if rule.survey_id != survey.pk or (current is not None and rule.pk == current.pk):
            problems["shown_if"].append(
                _("A question can only depend on an earlier question of the same survey.")
            )
        elif rule.kind not in CHOICE_KINDS:
            problems["shown_if"].append(
                _("A question can only depend on a one-choice or several-choice question.")
            )
        elif index.get(rule.pk, len(order)) > here:
            problems["shown_if"].append(
                _("A question can only depend on an earlier question: %s comes after it.")
                % _named(rule)
            )
        else:
            codes = {
                choice.code for q in questions if q.pk == rule.pk for choice in q.choices.all()
            }
            if not given.shown_if_codes:
                problems["shown_if"].append(
                    _("Tick the answers to %s that this question is asked after.") % _named(rule)
                )
            elif set(given.shown_if_codes) - codes:
                problems["shown_if"].append(_("Tick only answers that %s offers.") % _named(rule))

    # The skip rules of the others: they still point at an earlier question, and at
    # choices this question still offers.
    if current is not None:
        new_codes = {choice.code for choice in given.choices}
        for other in questions:
            if other.shown_if_id != current.pk:
                continue
            if given.kind not in CHOICE_KINDS:
                problems["kind"].append(
                    _(
                        "%s is asked only after some answers to this question: it must stay "
                        "a one-choice or several-choice question. Change that question's rule "
                        "first."
                    )
                    % _named(other).capitalize()
                )
            else:
                missing = sorted(set(other.shown_if_codes) - new_codes)
                if missing:
                    problems["choices"].append(
                        _(
                            "%(question)s is asked only after the answer %(codes)s to this "
                            "question: keep that choice, or change that question's rule first."
                        )
                        % {"question": _named(other).capitalize(), "codes": ", ".join(missing)}
                    )
            if index[other.pk] < here:
                problems["position"].append(
                    _("%s depends on this question: it cannot come before this one.")
                    % _named(other).capitalize()
                )
    return problems, order


def _write_choices(question: Question, choices: Sequence[ChoiceInput]) -> None:
    """The question's choices become `choices`, in their order: a choice kept by its
    code keeps its row."""
    stored = {choice.code: choice for choice in question.choices.all()}
    wanted = {choice.code for choice in choices}
    Choice.objects.filter(question=question).exclude(code__in=wanted).delete()
    changed = []
    for order, given in enumerate(choices, start=1):
        row = stored.get(given.code)
        if row is None:
            Choice.objects.create(
                question=question,
                order=order,
                code=given.code,
                label=given.label,
                label_en=given.label_en,
            )
        elif (row.order, row.label, row.label_en) != (order, given.label, given.label_en):
            row.order, row.label, row.label_en = order, given.label, given.label_en
            changed.append(row)
    Choice.objects.bulk_update(changed, ["order", "label", "label_en"])


def _renumber(order: list[Question | None], new: Question | None = None) -> None:
    changed = []
    for number, question in enumerate(order, start=1):
        question = question if question is not None else new
        assert question is not None
        if question.order != number:
            question.order = number
            changed.append(question)
    Question.objects.bulk_update(changed, ["order"])


def _question_fields(question: Question, choices: Sequence[ChoiceInput]) -> dict:
    return {
        "code": question.code,
        "kind": question.kind,
        "label": question.label,
        "label_en": question.label_en,
        "help_text": question.help_text,
        "required": question.required,
        "section": question.section_id,
        "minimum": str(question.minimum) if question.minimum is not None else None,
        "maximum": str(question.maximum) if question.maximum is not None else None,
        "shown_if": question.shown_if_id,
        "shown_if_codes": list(question.shown_if_codes),
        "choices": [[c.code, c.label, c.label_en] for c in choices],
        "order": question.order,
    }


def _cleaned(given: QuestionInput) -> QuestionInput:
    is_number = given.kind == Kind.NUMBER
    return QuestionInput(
        label=_one_line(given.label),
        kind=given.kind,
        code=(given.code or "").strip().lower(),
        label_en=_one_line(given.label_en),
        help_text=_one_line(given.help_text),
        required=given.required,
        section=given.section,
        minimum=given.minimum if is_number else None,
        maximum=given.maximum if is_number else None,
        shown_if=given.shown_if,
        shown_if_codes=list(dict.fromkeys(given.shown_if_codes)) if given.shown_if else [],
        choices=[
            ChoiceInput(c.code.strip().lower(), _one_line(c.label), _one_line(c.label_en))
            for c in given.choices
        ],
        position=given.position,
    )


def _code_for(survey: Survey, given: QuestionInput, current: Question | None) -> str:
    if given.code:
        return given.code
    if current is not None:
        return current.code
    taken = set(survey.questions.values_list("code", flat=True))
    return _unique(code_from(given.label, fallback="cau-hoi"), taken)


@transaction.atomic
def question_add(*, survey: Survey, by: User, revision: int, question: QuestionInput) -> Question:
    """A new question with its choices, at the end or at `question.position`."""
    stored = _defining(by, survey, revision)
    given = _cleaned(question)
    code = _code_for(stored, given, None)
    problems, order = _question_problems(stored, None, given, code)
    _raise(problems)
    new = Question.objects.create(
        survey=stored,
        section=given.section,
        order=len(order),
        code=code,
        kind=given.kind,
        label=given.label,
        label_en=given.label_en,
        help_text=given.help_text,
        required=given.required,
        minimum=given.minimum,
        maximum=given.maximum,
        shown_if=given.shown_if,
        shown_if_codes=list(given.shown_if_codes),
    )
    _write_choices(new, given.choices)
    _renumber(order, new)
    _bump(stored)
    audit.record(
        by=by,
        action=Action.QUESTION_ADD,
        instance=stored,
        after=_question_fields(new, given.choices),
    )
    return new


@transaction.atomic
def question_update(
    *, question: Question, by: User, revision: int, changes: QuestionInput
) -> Question:
    """Change a question and its choices (and move it, with `changes.position`)."""
    stored = _defining(by, question.survey, revision)
    current = Question.objects.prefetch_related("choices").get(pk=question.pk, survey=stored)
    given = _cleaned(changes)
    code = _code_for(stored, given, current)
    before = _question_fields(
        current, [ChoiceInput(c.code, c.label, c.label_en) for c in current.choices.all()]
    )
    problems, order = _question_problems(stored, current, given, code)
    _raise(problems)
    for field, value in (
        ("section", given.section),
        ("code", code),
        ("kind", given.kind),
        ("label", given.label),
        ("label_en", given.label_en),
        ("help_text", given.help_text),
        ("required", given.required),
        ("minimum", given.minimum),
        ("maximum", given.maximum),
        ("shown_if", given.shown_if),
        ("shown_if_codes", list(given.shown_if_codes)),
    ):
        setattr(current, field, value)
    current.save()
    _write_choices(current, given.choices)
    order = [current if q is not None and q.pk == current.pk else q for q in order]
    _renumber(order)
    after = _question_fields(current, given.choices)
    if after == before:
        return current  # nothing changed: the revision stays
    _bump(stored)
    audit.record(by=by, action=Action.QUESTION_UPDATE, instance=stored, before=before, after=after)
    return current


@transaction.atomic
def question_delete(*, question: Question, by: User, revision: int) -> None:
    """Remove a question, unless another question's skip rule points at it."""
    stored = _defining(by, question.survey, revision)
    current = Question.objects.prefetch_related("choices").get(pk=question.pk, survey=stored)
    dependents = list(stored.questions.filter(shown_if=current).order_by("order"))
    if dependents:
        raise SurveyError(
            _(
                "%(question)s cannot be deleted: %(others)s is asked only after some "
                "answers to it. Change or delete that rule first."
            )
            % {
                "question": _named(current).capitalize(),
                "others": ", ".join(_named(other) for other in dependents),
            }
        )
    before = _question_fields(
        current, [ChoiceInput(c.code, c.label, c.label_en) for c in current.choices.all()]
    )
    current.delete()
    _renumber(list(stored.questions.order_by("order", "pk")))
    _bump(stored)
    audit.record(by=by, action=Action.QUESTION_DELETE, instance=stored, before=before)


# Opening and closing.


def open_problems(survey: Survey) -> list[str]:
    """What stands in the way of opening the survey ([] when nothing does)."""
    problems = []
    if not survey.campaign.is_issued:
        problems.append(
            _("The campaign's plan is not issued yet: the units cannot see the survey until it is.")
        )
    if not survey.questions.exists():
        problems.append(_("The survey has no question yet."))
    if not survey.respondents_set.exists():
        problems.append(_("Nobody is chosen to answer yet: choose the units that answer."))
    elif (
        survey.respondents == Survey.Respondents.PEOPLE
        and not Token.objects.filter(respondent__survey=survey).exists()
    ):
        problems.append(
            _(
                "No questionnaire is made for the workers yet: set how many each unit "
                "hands out when choosing the units."
            )
        )
    return problems


@transaction.atomic
def survey_open(*, survey: Survey, by: User, revision: int | None = None) -> Survey:
    """Open the survey for answers (a union survey again, once closed). A survey already
    open stays so. A worker survey once closed stays closed: its units have read their
    workers' figures by then, and each answer after would show in the change it made."""
    _require_administrator(by, survey)
    stored = Survey.objects.select_for_update().select_related("campaign").get(pk=survey.pk)
    if stored.state == Survey.State.OPEN:
        return stored
    if stored.state == Survey.State.CLOSED and stored.respondents == Survey.Respondents.PEOPLE:
        raise SurveyError(
            _(
                "A worker survey once closed does not open again: its units have read their "
                "workers' figures, and each answer after would show in the change it makes."
            )
        )
    if revision is not None and revision != stored.revision:
        raise SurveyConflict
    problems = open_problems(stored)
    if problems:
        raise SurveyError(_("The survey cannot be opened yet: %s") % " ".join(problems))
    before = stored.state
    Survey.objects.filter(pk=stored.pk).update(state=Survey.State.OPEN)
    stored.state = Survey.State.OPEN
    _bump(stored)
    audit.record(
        by=by,
        action=Action.OPEN,
        instance=stored,
        before={"state": before},
        after={"state": stored.state},
    )
    return stored


@transaction.atomic
def survey_close(*, survey: Survey, by: User, revision: int | None = None) -> Survey:
    """Close the survey: no more answers. A survey already closed stays so."""
    _require_administrator(by, survey)
    stored = Survey.objects.select_for_update().get(pk=survey.pk)
    if stored.state == Survey.State.CLOSED:
        return stored
    if stored.state != Survey.State.OPEN:
        raise SurveyError(_("The survey is not open: there is nothing to close."))
    if revision is not None and revision != stored.revision:
        raise SurveyConflict
    Survey.objects.filter(pk=stored.pk).update(state=Survey.State.CLOSED)
    stored.state = Survey.State.CLOSED
    _bump(stored)
    audit.record(
        by=by,
        action=Action.CLOSE,
        instance=stored,
        before={"state": Survey.State.OPEN},
        after={"state": stored.state},
    )
    return stored
