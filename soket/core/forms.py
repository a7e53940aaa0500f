"""Form fields every page types the same way."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
