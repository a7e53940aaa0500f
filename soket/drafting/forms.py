"""The drafting pages' forms: dates typed dd/mm/yyyy, readers chosen by id."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from soket.core.forms import DayField, IdsChoiceField
from soket.drafting.models import Comment
from soket.orgs.models import User


class RoundForm(forms.Form):
    """The readers are chosen among those the drafter is shown (selectors.eligible_readers
    without the drafter): any other id is a wrong choice, and its message names nobody."""

    readers = IdsChoiceField(
        queryset=User.objects.none(),
        label=_("Readers"),
        error_messages={
            "required": _("Choose at least one reader."),
            "invalid_choice": _("Choose the readers among the people listed."),
            "invalid_pk_value": _("Choose the readers among the people listed."),
        },
    )
    # Not required here: the service's message names the missing date.
    due_on = DayField(label=_("Comments due by"), required=False)
    note = forms.CharField(label=_("Note to the readers"), required=False, widget=forms.Textarea)

    def __init__(self, *args, readers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["readers"].queryset = readers


class CommentForm(forms.Form):
    section = forms.CharField(required=False)
    text = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=Comment.Answer.choices, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea)


class PresentationForm(forms.Form):
    conference = forms.CharField(label=_("Conference"), required=False, max_length=300)
    conference_on = DayField(label=_("Conference date"), required=False)


class AdoptionForm(forms.Form):
    adopted_on = DayField(label=_("Adopted on"), required=False)
