"""Writing answers: a union's own answer, a worker's paper questionnaire typed in by the
unit, and a worker's anonymous questionnaire.

Every door (the web form, paper, the spreadsheet, the anonymous link) goes through one
check, `check_values`: each question read as its kind says, required questions
answered, and the skip rule applied — a question whose earlier answer hides it is
neither asked nor kept, whatever was typed in it while it showed. Its problems name the
question, in the person's language. Every write is one transaction: nothing is stored
unless everything is.

An anonymous answer carries its unit and its day and nothing else: not who typed it,
not the token it used (spent in the same transaction, under a row lock, so a second
answer with the same link is refused even when both arrive at once), not the address
it came from. Only links refused (unknown, spent, of a survey not open) are counted
against an address, as a keyed digest, so that someone trying links is held back while
a factory's workers, sharing one connection, each answer with their own link.

A worker questionnaire typed in by the unit (paper, spreadsheet) names its number, the
one printed on the sheet, and spends that questionnaire: a number unknown, given twice or
already in (answered on its link or typed in before) is refused, so a unit never has more
answers than it was given questionnaires, a worker's link is never spent by someone
else's sheet, and a paper form sent twice or a file uploaded twice is refused by its
numbers.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from soket.core import clock, tabular
from soket.core.forms import FIRST_YEAR, LAST_YEAR
from soket.core.text import clean_text, grouped
from soket.orgs.models import User
from soket.surveys import access
from soket.surveys.labels import localized
from soket.surveys.models import (
    Answer,
    Choice,
    Question,
    Respondent,
    Response,
    Survey,
    Throttle,
    Token,
)

Kind = Question.Kind
Channel = Response.Channel

TEXT_LIMIT = 4_000  # a text answer: a suggestion, a remark, not a report
STORED_PLACES = 4  # Answer.number keeps four decimal places
# The refused anonymous questionnaires (a link unknown or spent, a survey closed) one
# address may send in one window; past them it is held back. Good links are not counted: a
# factory's workers may share one address (its Wi-Fi), and each link answers once.
THROTTLE_LIMIT = 20
THROTTLE_WINDOW = datetime.timedelta(minutes=10)
SECRET_LENGTH = 64  # Token.secret's max_length: a longer secret is no token's
# Splits "co, khong" or "co; khong" typed in a spreadsheet cell for several choices.
_LIST = re.compile(r"[,;\n]+")

RawValue = Any  # str from a form; str, number or date from a cell; list[str] for several


class AnswerError(Exception):
    """Answers that cannot be saved; `problems` say what, question by question."""

    def __init__(self, problems: Sequence[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(None, problems)]
        self.problems = list(problems)
        super().__init__(" ".join(problem.message for problem in self.problems))


class Throttled(AnswerError):
    """Too many questionnaires from one address in a short time."""


@dataclass(frozen=True)
class Problem:
    code: str | None  # the question's code; None for a problem of the whole answer
    message: str
    # Of worker questionnaires typed in: which one of those given (its place among
    # them), and whether the problem is its number rather than an answer.
    index: int | None = None
    of_number: bool = False

    def __str__(self) -> str:
        return self.message


@dataclass
class Clean:
    """One question's answer, read: the field its kind fills."""

    question: Question
    number: Decimal | None = None
    text: str = ""
    date: datetime.date | None = None
    chosen: list[Choice] = field(default_factory=list)


@dataclass(frozen=True)
class Questionnaire:
    """A survey's questions and choices, read once for every answer checked against them."""

    survey: Survey
    questions: list[Question]
    choices: dict[int, list[Choice]]

    @classmethod
    def of(cls, survey: Survey) -> Questionnaire:
        questions = list(survey.questions.select_related("section", "shown_if").order_by("order"))
        choices: dict[int, list[Choice]] = {question.pk: [] for question in questions}
        for choice in Choice.objects.filter(question__survey=survey).order_by("order", "pk"):
            choices[choice.question_id].append(choice)
        return cls(survey, questions, choices)


def _named(question: Question, problem: str) -> Problem:
    return Problem(question.code, f"“{localized(question, 'label')}”: {problem}")


def _text(value: RawValue) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)).strip()


def is_blank(value: RawValue) -> bool:
    if isinstance(value, list | tuple):
        return not any(_text(item) for item in value)
    return _text(value) == ""


def _fold(value: str) -> str:
    return " ".join(value.casefold().split())


def _find_choice(choices: list[Choice], raw: str) -> Choice | None:
    """The choice a value names: by its code, else by its label as the form showed it,
    else by its English label. Each is tried across every choice before the next, so a
    label that happens to be another choice's code still names that code's choice."""
    wanted = _fold(raw)
    for name_of in (
        lambda choice: choice.code,
        lambda choice: choice.label,
        lambda choice: choice.label_en,
    ):
        for choice in choices:
            name = name_of(choice)
            if name and _fold(name) == wanted:
                return choice
    return None


def _choice_codes(choices: list[Choice]) -> str:
    return ", ".join(choice.code for choice in choices)


def _number(question: Question, raw: RawValue) -> Decimal:
    try:
        number = tabular.decimal(raw)
    except tabular.CellError as error:
        raise ValueError(str(error)) from None
    assert number is not None  # blank values are not read
    if number != number.quantize(Decimal(1).scaleb(-STORED_PLACES)):
        raise ValueError(_("give at most %d decimal places") % STORED_PLACES)
    if question.minimum is not None and number < question.minimum:
        raise ValueError(_("the answer cannot be less than %s") % shown_number(question.minimum))
    if question.maximum is not None and number > question.maximum:
        raise ValueError(_("the answer cannot be more than %s") % shown_number(question.maximum))
    return number


def shown_number(number: Decimal) -> str:
    """A number as the form writes it back: 1234,5 (no exponent, no trailing zeros)."""
    return format(number.normalize(), "f").replace(".", ",")


def _scale(raw: RawValue) -> Decimal:
    try:
        number = tabular.decimal(raw)
    except tabular.CellError:
        number = None
    if number is None or number != number.to_integral_value() or not 1 <= number <= 5:
        raise ValueError(_("choose a whole number from 1 to 5"))
    return Decimal(int(number))


def _date(raw: RawValue) -> datetime.date:
    try:
        day = tabular.date(raw)
    except tabular.CellError:
        raise ValueError(_("write the date as dd/mm/yyyy, e.g. 31/12/2015")) from None
    assert day is not None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(
            _("give a year between %(first)d and %(last)d")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return day


def _read(questionnaire: Questionnaire, question: Question, raw: RawValue) -> Clean:
    """One non-blank answer, read as its question's kind; ValueError says what is wrong."""
    clean = Clean(question)
    choices = questionnaire.choices[question.pk]
    if question.kind == Kind.NUMBER:
        clean.number = _number(question, raw)
    elif question.kind == Kind.SCALE:
        clean.number = _scale(raw)
    elif question.kind == Kind.DATE:
        clean.date = _date(raw)
    elif question.kind == Kind.TEXT:
        clean.text = _text(raw)
        if len(clean.text) > TEXT_LIMIT:
            raise ValueError(_("the answer is longer than %s characters") % grouped(TEXT_LIMIT))
    elif question.kind == Kind.SINGLE:
        values = [_text(item) for item in raw] if isinstance(raw, list | tuple) else [_text(raw)]
        values = [value for value in values if value]
        if len(values) > 1:
            raise ValueError(_("choose only one answer"))
        choice = _find_choice(choices, values[0])
        if choice is None:
            raise ValueError(
                _("“%(value)s” is not one of the answers: %(codes)s")
                % {"value": values[0][:40], "codes": _choice_codes(choices)}
            )
        clean.chosen = [choice]
    elif question.kind == Kind.MULTIPLE:
        items = raw if isinstance(raw, list | tuple) else _LIST.split(_text(raw))
        unknown = []
        for item in (_text(item) for item in items):
            if not item:
                continue
            choice = _find_choice(choices, item)
            if choice is None:
                unknown.append(item[:40])
            elif choice not in clean.chosen:
                clean.chosen.append(choice)
        if unknown:
            raise ValueError(
                _("“%(value)s” is not one of the answers: %(codes)s")
                % {"value": ", ".join(unknown), "codes": _choice_codes(choices)}
            )
        if not clean.chosen:
            raise ValueError(_("choose among the answers: %s") % _choice_codes(choices))
    else:  # a kind this module does not know: never stored as something else
        raise ValueError(_("this kind of question cannot be answered here"))
    return clean


def check_values(
    questionnaire: Questionnaire, values: Mapping[str, RawValue]
) -> tuple[dict[int, Clean], list[Problem]]:
    """Every shown question's answer read and checked (keyed by question id), and every
    problem. A question hidden by its skip rule is left out, whatever `values` holds
    for it, and is not required; blank answers are left out too."""
    cleaned: dict[int, Clean] = {}
    problems: list[Problem] = []
    shown: dict[int, bool] = {}
    for question in questionnaire.questions:  # in order: a rule looks at an earlier one
        if not _is_shown(question, shown, cleaned):
            shown[question.pk] = False
            continue
        shown[question.pk] = True
        raw = values.get(question.code)
        if is_blank(raw):
            if question.required:
                problems.append(_named(question, _("an answer is required")))
            continue
        try:
            cleaned[question.pk] = _read(questionnaire, question, raw)
        except ValueError as error:
            problems.append(_named(question, str(error)))
    return cleaned, problems


def _is_shown(question: Question, shown: dict[int, bool], cleaned: dict[int, Clean]) -> bool:
    """Asked unless its rule's earlier question is hidden, unanswered, or answered
    with none of the rule's choices."""
    if question.shown_if_id is None:
        return True
    if not shown.get(question.shown_if_id, False):
        return False
    answer = cleaned.get(question.shown_if_id)
    if answer is None:
        return False
    wanted = set(question.shown_if_codes or [])
    return any(choice.code in wanted for choice in answer.chosen)


def _checked(questionnaire: Questionnaire, values: Mapping[str, RawValue]) -> dict[int, Clean]:
    cleaned, problems = check_values(questionnaire, values)
    if problems:
        raise AnswerError(problems)
    return cleaned


def _store(response: Response, cleaned: dict[int, Clean]) -> None:
    """The response's answers, replacing those it had (a question now hidden or left
    blank keeps no answer)."""
    response.answers.all().delete()
    _store_many([(response, cleaned)])


def _store_many(batch: Iterable[tuple[Response, dict[int, Clean]]]) -> None:
    answers: list[Answer] = []
    chosen: list[list[Choice]] = []
    for response, cleaned in batch:
        for clean in cleaned.values():
            answers.append(
                Answer(
                    response=response,
                    question=clean.question,
                    number=clean.number,
                    text=clean.text,
                    date=clean.date,
                )
            )
            chosen.append(clean.chosen)
    Answer.objects.bulk_create(answers)
    through = Answer.chosen.through
    through.objects.bulk_create(
        through(answer_id=answer.pk, choice_id=choice.pk)
        for answer, choices in zip(answers, chosen, strict=True)
        for choice in choices
    )


def _require_open(survey: Survey) -> None:
    if survey.state != Survey.State.OPEN:
        raise AnswerError(
            _("The survey “%(survey)s” is %(state)s: it takes no answers now.")
            % {"survey": localized(survey, "title"), "state": survey.get_state_display().lower()}
        )


def _locked_respondent(respondent: Respondent) -> Respondent:
    """The respondent's row, locked (answers of one unit are written one at a time),
    with its survey read again: it may have closed since the form was opened."""
    locked = Respondent.objects.select_for_update().get(pk=respondent.pk)
    locked.survey = Survey.objects.get(pk=locked.survey_id)
    return locked


def unit_response(respondent: Respondent) -> Response | None:
    """The union's own answer about itself, if it gave one."""
    return Response.objects.filter(respondent=respondent, is_worker=False).first()


@transaction.atomic
def unit_answer_save(
    *,
    respondent: Respondent,
    by: User,
    channel: str,
    values: Mapping[str, RawValue],
    revision: int,
) -> Response:
    """Save a union's answer about itself (on the web, typed from paper or from a
    spreadsheet), or amend the one it gave. `revision` is the answer's revision the
    form was made from (0 before any answer): a form made before someone else saved is
    refused rather than saved over their answer."""
    if not access.can_answer_for(by, respondent.unit):
        raise PermissionDenied
    if channel not in (Channel.WEB, Channel.PAPER, Channel.SPREADSHEET):
        raise ValueError(channel)
    respondent = _locked_respondent(respondent)
    survey = respondent.survey
    if survey.respondents != Survey.Respondents.UNITS:
        raise AnswerError(_("Workers answer this survey: a union does not answer it itself."))
    _require_open(survey)
    response = unit_response(respondent)
    if (response.revision if response else 0) != revision:
        raise AnswerError(
            _(
                "Someone saved this unit's answer after you opened the form. Nothing was "
                "saved: open the answer again to see theirs, then make your changes."
            )
        )
    cleaned = _checked(Questionnaire.of(survey), values)
    if response is None:
        response = Response(respondent=respondent, is_worker=False)
    response.channel = channel
    response.answered_on = clock.today()
    response.entered_by = by
    response.revision = revision + 1
    response.save()
    _store(response, cleaned)
    return response


def _worker_respondent(respondent: Respondent, by: User | None) -> Respondent:
    if by is not None and not access.can_answer_for(by, respondent.unit):
        raise PermissionDenied
    respondent = _locked_respondent(respondent)
    if respondent.survey.respondents != Survey.Respondents.PEOPLE:
        raise AnswerError(
            _("Unions answer this survey themselves: it has no worker questionnaires.")
        )
    _require_open(respondent.survey)
    return respondent


# A worker questionnaire typed in: its number, as written (a form's text, a cell's value),
# and its answers.
Numbered = tuple[RawValue, Mapping[str, RawValue]]


def questionnaire_number(raw: RawValue) -> int:
    """The number written for a questionnaire (a form's text, a cell's value); ValueError
    says what is wrong."""
    if is_blank(raw):
        raise ValueError(
            _("The questionnaire's number is missing: write the number printed on the sheet.")
        )
    try:
        number = tabular.whole_number(raw)
    except tabular.CellError:
        number = None
    if number is None or number < 1:
        raise ValueError(
            _("“%s” is not a questionnaire number: write the number printed on the sheet, e.g. 3.")
            % _text(raw)[:20]
        )
    return number


def _number_problems(
    respondent: Respondent, numbers: list[int | ValueError]
) -> tuple[list[Problem], list[int]]:
    """What is wrong with each number (unknown, given twice, already in) and the tokens
    to spend. Their rows are locked first (an anonymous answer takes the same lock on its
    own), so what is read here is what is spent."""
    wanted = {number for number in numbers if isinstance(number, int)}
    tokens = Token.objects.select_for_update().filter(respondent=respondent, number__in=wanted)
    found = {
        number: (pk, spent) for pk, number, spent in tokens.values_list("pk", "number", "is_spent")
    }
    problems: list[Problem] = []
    spend: list[int] = []
    seen: set[int] = set()
    unit = respondent.unit.name
    last: dict[str, int | None] | None = None  # the highest number, read if one is unknown
    for index, number in enumerate(numbers):
        if isinstance(number, ValueError):
            message = str(number)
        elif number in seen:
            message = _(
                "Questionnaire no. %(number)d is given twice: each questionnaire is typed in once."
            ) % {"number": number}
        elif number not in found:
            if last is None:
                last = Token.objects.filter(respondent=respondent).aggregate(last=Max("number"))
            message = _(
                "%(unit)s has no questionnaire no. %(number)d: its questionnaires are "
                "numbered from 1 to %(last)d."
            ) % {"unit": unit, "number": number, "last": last["last"] or 0}
        elif found[number][1]:
            message = _(
                "Questionnaire no. %(number)d of %(unit)s is already in (answered on its link "
                "or typed in before): check the number written on the sheet."
            ) % {"number": number, "unit": unit}
        else:
            message = ""
            spend.append(found[number][0])
        if isinstance(number, int):
            seen.add(number)
        if message:
            problems.append(Problem(None, message, index=index, of_number=True))
    return problems, spend


def _worker_checked(
    respondent: Respondent, questionnaires: Sequence[Numbered]
) -> tuple[list[Problem], list[int], list[dict[int, Clean]]]:
    """Every problem of the questionnaires (their numbers, then their answers, each
    marked with its questionnaire's place), the tokens to spend and the answers read."""
    numbers: list[int | ValueError] = []
    for raw, _values in questionnaires:
        try:
            numbers.append(questionnaire_number(raw))
        except ValueError as error:
            numbers.append(error)
    problems, spend = _number_problems(respondent, numbers)
    questionnaire = Questionnaire.of(respondent.survey)
    answers: list[dict[int, Clean]] = []
    for index, (_raw, values) in enumerate(questionnaires):
        cleaned, found = check_values(questionnaire, values)
        problems += [replace(problem, index=index) for problem in found]
        answers.append(cleaned)
    problems.sort(key=lambda problem: problem.index or 0)
    return problems, spend, answers


@transaction.atomic
def worker_answers_save(
    *,
    respondent: Respondent,
    by: User | None,
    channel: str,
    questionnaires: Sequence[Numbered],
) -> list[Response]:
    """Save worker questionnaires of one unit, typed in from paper or read from a
    spreadsheet, each given with its number: each a new Response that spends the
    questionnaire of that number, all of them or none. AnswerError lists every problem,
    each with the place of its questionnaire (`index`): a number missing, unknown, given
    twice or already in, an answer wrong."""
    if channel not in (Channel.PAPER, Channel.SPREADSHEET, Channel.WEB):
        raise ValueError(channel)
    respondent = _worker_respondent(respondent, by)
    problems, spend, answers = _worker_checked(respondent, questionnaires)
    if problems:
        raise AnswerError(problems)
    Token.objects.filter(pk__in=spend, is_spent=False).update(is_spent=True)
    today = clock.today()
    responses = Response.objects.bulk_create(
        Response(
            respondent=respondent, channel=channel, answered_on=today, entered_by=by, is_worker=True
        )
        for _cleaned in answers
    )
    _store_many(zip(responses, answers, strict=True))
    return responses


def worker_answer_save(
    *,
    respondent: Respondent,
    by: User | None,
    channel: str,
    number: RawValue,
    values: Mapping[str, RawValue],
) -> Response:
    """Save one worker questionnaire typed in by the unit, the one numbered `number`
    (as written on the sheet): a new Response, refused if that number is already in."""
    return worker_answers_save(
        respondent=respondent, by=by, channel=channel, questionnaires=[(number, values)]
    )[0]


def worker_count(respondent: Respondent) -> int:
    return Response.objects.filter(respondent=respondent, is_worker=True).count()


# Anonymous questionnaires.


def token_of(secret: str) -> Token | None:
    """The questionnaire a link names (spent or not), or None."""
    if not secret or len(secret) > SECRET_LENGTH:
        return None
    return (
        Token.objects.select_related("respondent__survey", "respondent__unit")
        .filter(secret=secret)
        .first()
    )


def _throttle_key(address: str | None, window: datetime.datetime) -> str:
    """A keyed digest: an address cannot be found again from it, even by trying every
    IPv4 address, without the server's secret key."""
    message = f"survey-answer|{address or '-'}|{window.isoformat()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _window_start(moment: datetime.datetime) -> datetime.datetime:
    size = int(THROTTLE_WINDOW.total_seconds())
    epoch = int(moment.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % size, tz=datetime.UTC)


def throttle_seen(*, address: str | None) -> int:
    """The refused questionnaires counted from `address` in this window."""
    key = _throttle_key(address, _window_start(clock.now()))
    found = Throttle.objects.filter(key=key).values_list("count", flat=True).first()
    return found or 0


@transaction.atomic
def throttle_count(*, address: str | None) -> int:
    """Count one more refused questionnaire from `address` in this window and return
    the count; windows long past are forgotten on the way."""
    window = _window_start(clock.now())
    Throttle.objects.filter(window_start__lt=window - THROTTLE_WINDOW).delete()
    key = _throttle_key(address, window)
    if not Throttle.objects.filter(key=key).update(count=F("count") + 1):
        try:
            with transaction.atomic():
                Throttle.objects.create(key=key, window_start=window, count=1)
        except IntegrityError:  # another request made it first
            Throttle.objects.filter(key=key).update(count=F("count") + 1)
    return Throttle.objects.get(key=key).count


class LinkRefused(AnswerError):
    """A link that takes no answer: unknown, spent, or of a survey not open."""


def anonymous_answer_save(
    *, secret: str, values: Mapping[str, RawValue], address: str | None
) -> Response:
    """Save a worker's anonymous questionnaire and spend its link. Only refused links
    are counted against the address (throttle_count, its own transaction, kept though
    the answer is not): a factory's workers share one connection, and a good link
    limits itself to one answer, while someone trying links is stopped. The address is
    never stored."""
    if held_back(address=address):
        raise Throttled(throttled_message())
    try:
        return _anonymous_keep(secret=secret, values=values)
    except LinkRefused:
        throttle_count(address=address)
        raise


def held_back(*, address: str | None) -> bool:
    """Whether `address` sent more refused questionnaires than THROTTLE_LIMIT in this
    window: then nothing it sends is taken, a good link or not (so that what it is told
    does not say which links are good)."""
    return throttle_seen(address=address) > THROTTLE_LIMIT


def throttled_message() -> str:
    return _(
        "Too many questionnaires were sent from your connection in the last few "
        "minutes. Nothing was saved: wait %d minutes and send it again."
    ) % int(THROTTLE_WINDOW.total_seconds() // 60)


@transaction.atomic
def _anonymous_keep(*, secret: str, values: Mapping[str, RawValue]) -> Response:
    token = (
        Token.objects.select_for_update(of=("self",))
        .select_related("respondent__survey")
        .filter(secret=secret)
        .first()
        if secret and len(secret) <= SECRET_LENGTH
        else None
    )
    invalid = _("This questionnaire link is not valid. Check the link you were given.")
    if token is None:
        raise LinkRefused(invalid)
    if token.is_spent:
        raise LinkRefused(
            _("This questionnaire has already been answered: each link takes one answer.")
        )
    respondent = token.respondent
    survey = respondent.survey
    if survey.respondents != Survey.Respondents.PEOPLE:
        raise LinkRefused(invalid)
    try:
        _require_open(survey)
    except AnswerError as error:
        raise LinkRefused(error.problems) from None
    cleaned = _checked(Questionnaire.of(survey), values)
    today = clock.today()
    response = Response.objects.create(
        respondent=respondent,
        channel=Channel.ANONYMOUS,
        answered_on=today,
        entered_by=None,
        is_worker=True,
    )
    _store_many([(response, cleaned)])
    token.is_spent = True
    token.save(update_fields=["is_spent"])
    return response


def initial_values(response: Response | None) -> dict[str, Any]:
    """What a stored answer looks like typed in the form: code -> text or choice codes."""
    if response is None:
        return {}
    values: dict[str, Any] = {}
    for answer in response.answers.select_related("question").prefetch_related("chosen"):
        question = answer.question
        if question.kind == Kind.MULTIPLE:
            values[question.code] = [choice.code for choice in answer.chosen.all()]
        elif question.kind == Kind.SINGLE:
            chosen = [choice.code for choice in answer.chosen.all()]
            values[question.code] = chosen[0] if chosen else ""
        elif question.kind == Kind.DATE:
            values[question.code] = answer.date.strftime("%d/%m/%Y") if answer.date else ""
        elif question.kind == Kind.SCALE:
            values[question.code] = str(int(answer.number)) if answer.number is not None else ""
        elif question.kind == Kind.NUMBER:
            values[question.code] = shown_number(answer.number) if answer.number is not None else ""
        else:
            values[question.code] = answer.text
    return values
