"""The questionnaire as a form, built from the survey's questions.

The form only carries what was typed: every field takes any text (or any list of
choice codes), and answers.check_values — the one check every door shares — reads and
refuses it; its problems come back to the fields they name. So a refused form shows
what the person typed, next to what is wrong.

A worker questionnaire typed in from paper also names its number (NumberForm): the one
printed on the sheet, chosen among those not yet in.

The skip rule also works in the browser (surveys-answer.js): each question that has one
says in data attributes which field and which choices show it; the server applies the
rule again and is the authority.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from soket.surveys.answers import TEXT_LIMIT, Problem, Questionnaire
from soket.surveys.labels import localized
from soket.surveys.models import Question

Kind = Question.Kind
PREFIX = "q"  # field names "q-<code>": a code cannot meet the form's own fields
SCALE = [(str(n), str(n)) for n in range(1, 6)]


class RawField(forms.Field):
    """Whatever was typed, as text: the survey's check reads it."""

    def to_python(self, value: Any) -> str:
        return "" if value is None else str(value)


class RawListField(forms.Field):
    """The boxes ticked, as a list of codes."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            return [value]
        return [str(item) for item in value]


def field_name(question: Question) -> str:
    return f"{PREFIX}-{question.code}"


def _field(questionnaire: Questionnaire, question: Question) -> forms.Field:
    label = localized(question, "label")
    options = [
        (choice.code, localized(choice, "label")) for choice in questionnaire.choices[question.pk]
    ]
    common: dict[str, Any] = {"label": label, "required": False, "help_text": question.help_text}
    if question.kind == Kind.MULTIPLE:
        return RawListField(widget=forms.CheckboxSelectMultiple(choices=options), **common)
    if question.kind == Kind.SINGLE:
        return RawField(widget=forms.RadioSelect(choices=options), **common)
    if question.kind == Kind.SCALE:
        return RawField(widget=forms.RadioSelect(choices=SCALE, attrs={"class": "scale"}), **common)
    if question.kind == Kind.NUMBER:
        attrs = {"inputmode": "decimal", "autocomplete": "off", "size": 12}
        return RawField(widget=forms.TextInput(attrs=attrs), **common)
    if question.kind == Kind.DATE:
        attrs = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 10}
        return RawField(widget=forms.TextInput(attrs=attrs), **common)
    attrs = {"rows": 3, "maxlength": TEXT_LIMIT}
    return RawField(widget=forms.Textarea(attrs=attrs), **common)


def _condition(questionnaire: Questionnaire, question: Question) -> str:
    rule = question.shown_if
    if rule is None:
        return ""
    wanted = set(question.shown_if_codes or [])
    names = [
        localized(choice, "label")
        for choice in questionnaire.choices.get(rule.pk, [])
        if choice.code in wanted
    ]
    return _("Answer only if the answer to “%(question)s” is: %(choices)s.") % {
        "question": localized(rule, "label"),
        "choices": ", ".join(names),
    }


@dataclass
class Item:
    """One question on the page: its bound field and its skip rule for the script."""

    question: Question
    field: forms.BoundField
    shown_if: str  # the field name of the question that shows it, or ""
    shown_if_codes: str  # the choice codes that show it, space-separated
    condition: str  # the rule in words, for a page read without its script


@dataclass
class Group:
    heading: str
    items: list[Item]


class QuestionnaireForm(forms.Form):
    """A survey's questions; `values()` is what answers.* take, `add_problems` puts
    their refusal back on the fields."""

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.by_code = {question.code: question for question in questionnaire.questions}
        for question in questionnaire.questions:
            self.fields[question.code] = _field(questionnaire, question)

    def values(self) -> dict[str, Any]:
        """code -> what was typed (text, or a list of codes for several choices)."""
        if not self.is_bound:
            return {code: self.initial.get(code, "") for code in self.fields}
        return {code: self.fields[code].to_python(self[code].data) for code in self.fields}

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add_error(problem.code if problem.code in self.fields else None, problem.message)

    def groups(self) -> list[Group]:
        """The questions in their order, each run of one section a group under its
        heading (the questions outside any section, a group without one)."""
        groups: list[Group] = []
        current: object = object()
        for question in self.questionnaire.questions:
            if question.section_id != current:
                current = question.section_id
                heading = localized(question.section, "heading") if question.section else ""
                groups.append(Group(heading, []))
            rule = question.shown_if
            groups[-1].items.append(
                Item(
                    question=question,
                    field=self[question.code],
                    shown_if=field_name(rule) if rule else "",
                    shown_if_codes=" ".join(str(code) for code in question.shown_if_codes or []),
                    condition=_condition(self.questionnaire, question),
                )
            )
        return groups


class NumberForm(forms.Form):
    """The number of the paper questionnaire typed in, chosen among the unit's numbers
    not yet in. What was chosen is kept as it came (a number now in, or not a number at
    all, comes back with worker_answer_save's refusal naming it)."""

    number = RawField(required=False)

    def __init__(self, *args, unused: Iterable[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.unused = list(unused)
        field = self.fields["number"]
        field.label = _("Questionnaire number")
        field.help_text = _("The number printed on the sheet.")
        options = [("", _("— choose —"))] + [(str(n), str(n)) for n in self.unused]
        chosen = self["number"].data if self.is_bound else None
        if chosen and chosen not in {value for value, _label in options}:
            options.append((str(chosen)[:20], str(chosen)[:20]))  # shown, refused by the check
        field.widget = forms.Select(choices=options, attrs={"required": True})

    def value(self) -> str:
        """The number as chosen (or sent): answers.questionnaire_number reads it."""
        data = self["number"].data if self.is_bound else None
        return "" if data is None else str(data)

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            if problem.of_number:
                self.add_error("number", problem.message)
