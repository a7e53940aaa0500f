"""Form fields every page types the same way."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from soket.core import params

DAY_FORMAT = "%d/%m/%Y"
# The years a union's plan can speak of; beyond them a date is a slip of the keyboard
# (and moving one by months, as a copy does, could leave the calendar).
FIRST_YEAR, LAST_YEAR = 1945, 2200


class DayField(forms.DateField):
    """A date typed as Vietnamese officials write it: dd/mm/yyyy, and only so, since
    01/02 is the first of February here and the second of January elsewhere."""

    widget = forms.DateInput(
        format=DAY_FORMAT, attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 10}
    )
    input_formats = [DAY_FORMAT]
    default_error_messages = {
        "invalid": _("Write the date as dd/mm/yyyy, e.g. 31/12/2015."),
        "year": _("Give a year between %(first)d and %(last)d."),
    }

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(
                self.error_messages["year"] % {"first": FIRST_YEAR, "last": LAST_YEAR},
                code="year",
            )


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Choices by id, as a request sends them. Django guards a single id against numbers
    no database holds, but not a list of them (an `in` lookup: SQLite cannot even bind
    one), so an id that cannot be one is refused here like any other wrong choice."""

    def _check_values(self, value):
        for pk in value:
            if params.whole(str(pk)) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
