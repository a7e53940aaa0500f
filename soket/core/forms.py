"""Form fields every page types the same way."""

from django import forms
from django.utils.translation import gettext_lazy as _

DAY_FORMAT = "%d/%m/%Y"


class DayField(forms.DateField):
    """A date typed as Vietnamese officials write it: dd/mm/yyyy, and only so, since
    01/02 is the first of February here and the second of January elsewhere."""

    widget = forms.DateInput(
        format=DAY_FORMAT, attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 10}
    )
    input_formats = [DAY_FORMAT]
    default_error_messages = {"invalid": _("Write the date as dd/mm/yyyy, e.g. 31/12/2015.")}
