"""The people pages' forms. A role's unit and department are named by code, as in the
import file: a campaign administrator of a province manages thousands of units, too many
for a list to choose from (a short subtree gets its codes suggested)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from soket.orgs.models import Department, Role, Unit
from soket.people import services
from soket.people.access import PeopleError


class RoleForm(forms.Form):
    unit = forms.CharField(
        label=_("Unit code"),
        max_length=40,
        help_text=_("Your unit or one below it."),
        widget=forms.TextInput(attrs={"list": "managed-units"}),
    )
    kind = forms.ChoiceField(label=_("Role"), choices=Role.Kind.choices)
    department = forms.CharField(
        label=_("Department code"),
        max_length=40,
        required=False,
        help_text=_("Only for a department's thematic report."),
    )

    def clean(self):
        data = super().clean()
        code = data.get("unit")
        if code:
            data["unit"] = unit = Unit.objects.filter(code=code).first()
            if unit is None:
                self.add_error("unit", _("No unit has the code “%s”.") % code)
            elif data.get("department"):
                department = Department.objects.filter(unit=unit, code=data["department"]).first()
                if department is None:
                    self.add_error(
                        "department",
                        _("%(unit)s has no department with the code “%(code)s”.")
                        % {"unit": unit.name, "code": data["department"]},
                    )
                data["department"] = department
        if not data.get("department"):
            data["department"] = None
        return data

    def refuse(self, error: PeopleError) -> None:
        """Show a service's refusal beside the field it names."""
        self.add_error(error.field if error.field in self.fields else None, str(error))


class PersonForm(RoleForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=services.USERNAME_MAX,
        help_text=_("Letters, digits and @ . + - _, no spaces."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=services.FULL_NAME_MAX)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The invitation to set a password is sent there.")
    )

    field_order = ["username", "full_name", "email", "unit", "kind", "department"]

    def new_person(self) -> services.NewPerson:
        data = self.cleaned_data
        return services.NewPerson(
            username=data["username"],
            full_name=data["full_name"],
            email=data["email"],
            unit=data["unit"],
            kind=data["kind"],
            department=data["department"],
        )
