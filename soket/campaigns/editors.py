"""The pages' forms for each part of a campaign: each reads what the page sent into the
rows the campaigns service saves (soket.campaigns.parts), and shows the stored rows,
or after a refused save what the person typed, with the service's message.

A part made of rows (sections, timeline lines, members…) is a formset: every row can be
moved by its order number, indented by its level, deleted, and two blank rows wait at
the end for new ones.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from soket.campaigns import parts, services, workplan
from soket.campaigns.models import Campaign, CommitteeTask, PlanSection, SteeringMember
from soket.campaigns.selectors import outline_choices
from soket.core.forms import DayField, IdsChoiceField
from soket.orgs.models import Department, Unit, UnitKind, User
from soket.resolutions.access import visible_resolutions
from soket.resolutions.models import Resolution, ReviewItem, Target

DEPARTMENTS = "ban"
TEXT = {"rows": 3, "cols": 60}


F = TypeVar("F", bound=forms.Field)


def field_of(form: forms.Form, name: str, kind: type[F]) -> F:
    """A form's field as the kind it is, to set its choices."""
    field = form.fields[name]
    assert isinstance(field, kind)
    return field


class RowIdField(forms.IntegerField):
    widget = forms.HiddenInput
    default_error_messages = {"invalid": _("A line of the page is damaged: reload the page.")}


CHOICE_ERRORS = {
    "invalid_choice": _("Choose from the list."),
    "invalid_pk_value": _("Choose from the list."),
    "invalid_list": _("Choose from the list."),
}


class PlanForm(forms.Form):
    """A form of the plan's pages: a wrong choice is named in Vietnamese like the rest."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages.update(CHOICE_ERRORS)


class RowsFormSet(forms.BaseFormSet):
    """Rows as the page sent them, refused whole when the page came back incomplete (fewer
    rows than it was given: a cut-off request would otherwise delete the rest)."""

    default_error_messages = {
        "missing_management_form": _("The page came back incomplete: reload it."),
        "too_many_forms": _("At most %(num)d lines."),
        "too_few_forms": _("At least %(num)d lines."),
    }

    def clean(self) -> None:
        if self.is_bound and self.total_form_count() < self.initial_form_count():
            raise ValidationError(_("The page came back incomplete: reload it."))
        if self.is_bound and self.initial_form_count() != len(self.initial or []):
            raise ValidationError(_("The page is out of date: reload it."))


# The header: what the campaign reviews, when, and who signs.


class HeaderForm(PlanForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Campaign.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=500, widget=forms.Textarea(attrs=TEXT))
    reviewed_from = DayField(label=_("Period reviewed from"))
    reviewed_to = DayField(label=_("to"))
    resolutions = IdsChoiceField(
        label=_("Resolutions reviewed"),
        queryset=Resolution.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    review_items = IdsChoiceField(
        label=_("Reviewed together with"),
        queryset=ReviewItem.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(
            self, "resolutions", forms.ModelMultipleChoiceField
        ).queryset = visible_resolutions(user)

    def header(self, **more: Any) -> parts.Header:
        data = self.cleaned_data
        return parts.Header(
            kind=data["kind"],
            title=data["title"],
            reviewed_from=data["reviewed_from"],
            reviewed_to=data["reviewed_to"],
            resolution_ids=tuple(sorted(r.pk for r in data["resolutions"])),
            review_item_ids=tuple(sorted(i.pk for i in data["review_items"])),
            **more,
        )


class FullHeaderForm(HeaderForm):
    preamble = forms.CharField(
        label=_("Opening paragraph"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    closing = forms.CharField(
        label=_("Closing paragraph"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    signing_capacity = forms.CharField(label=_("Signing capacity"), required=False, max_length=100)
    signer_title = forms.CharField(label=_("Signer's title"), required=False, max_length=100)
    signer_name = forms.CharField(label=_("Signer's name"), required=False, max_length=200)

    def header(self, **more: Any) -> parts.Header:
        data = self.cleaned_data
        return super().header(
            preamble=data["preamble"],
            closing=data["closing"],
            signing_capacity=data["signing_capacity"],
            signer_title=data["signer_title"],
            signer_name=data["signer_name"],
        )


class NewCampaignForm(HeaderForm):
    """A new plan: whose, and from what (blank, the built-in skeleton, or a copy)."""

    BLANK, SKELETON, COPY = "blank", "skeleton", "copy"
    owner = forms.ModelChoiceField(label=_("Plan of"), queryset=Unit.objects.none())
    start = forms.ChoiceField(
        label=_("Start from"),
        choices=[
            (SKELETON, _("the built-in skeleton (plan parts I–IV and a standard outline)")),
            (COPY, _("a copy of an earlier campaign, its dates moved to the new period")),
            (BLANK, _("a blank page")),
        ],
        widget=forms.RadioSelect,
        initial=SKELETON,
    )
    source = forms.ModelChoiceField(
        label=_("Campaign to copy"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("The copy keeps the resolutions and review items of the campaign copied."),
    )

    field_order = ["owner", "start", "source", "kind", "title"]

    def __init__(self, *args, user: User, owners: QuerySet[Unit], sources, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        field_of(self, "owner", forms.ModelChoiceField).queryset = owners
        field_of(self, "source", forms.ModelChoiceField).queryset = sources
        if owners.count() == 1:
            self.fields["owner"].initial = owners.get()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") == self.COPY and not data.get("source"):
            self.add_error("source", _("Choose the campaign to copy."))
        return data


# Parts made of rows.


class RowForm(PlanForm):
    id = RowIdField(required=False)


class PlanRowForm(RowForm):
    # A new row's lists start where the browser leaves them, so a blank new row reads as
    # unchanged and is left out (RowForm.initial_defaults).
    depth = forms.TypedChoiceField(
        label=_("Level"),
        coerce=int,
        choices=[(0, _("Part (I., II.)")), (1, _("Section (1., 2.)")), (2, _("Subsection (1.1.)"))],
        initial=1,
    )
    part = forms.ChoiceField(
        label=_("Part of the plan"), choices=PlanSection.Part.choices, initial="purpose"
    )
    number = forms.CharField(label=_("Number"), required=False, max_length=20)
    heading = forms.CharField(label=_("Heading"), required=False, max_length=300)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_('One paragraph a line; "- " starts a bullet; [^code] cites a review item.'),
    )
    audience_kinds = IdsChoiceField(
        label=_("Addressed to levels"),
        queryset=UnitKind.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    for_departments = forms.BooleanField(label=_("To the departments"), required=False)

    def row(self) -> parts.PlanRow:
        data = self.cleaned_data
        return parts.PlanRow(
            part=data["part"],
            number=data["number"],
            heading=data["heading"],
            body=data["body"],
            depth=data["depth"],
            audience_kind_ids=tuple(sorted(k.pk for k in data["audience_kinds"])),
            for_departments=data["for_departments"],
            id=data.get("id"),
        )


class MilestoneForm(RowForm):
    label = forms.CharField(label=_("When, as printed"), max_length=100)
    text = forms.CharField(label=_("What"), widget=forms.Textarea(attrs=TEXT))
    starts_on = DayField(label=_("From"))
    ends_on = DayField(label=_("To"))


class DeadlineForm(RowForm):
    line = forms.IntegerField(
        label=_("Timeline line"),
        min_value=1,
        help_text=_("The number of the timeline line above it belongs to."),
    )
    level = forms.ChoiceField(label=_("Level"))
    due_on = DayField(label=_("Due on"))
    deliverable = forms.CharField(label=_("What is due"), max_length=300)
    is_report = forms.BooleanField(label=_("The level's review report"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "level", forms.ChoiceField).choices = [
            ("", "---------"),
            *((str(kind.pk), kind.name) for kind in UnitKind.objects.order_by("rank")),
            (DEPARTMENTS, _("The departments")),
        ]


class MemberForm(RowForm):
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    position = forms.CharField(label=_("Position"), required=False, max_length=300)
    committee_role = forms.ChoiceField(
        label=_("Role in the committee"),
        choices=SteeringMember.CommitteeRole.choices,
        initial=SteeringMember.CommitteeRole.MEMBER,
    )
    user = forms.ModelChoiceField(
        label=_("From the directory"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, people: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "user", forms.ModelChoiceField).queryset = people

    def row(self) -> parts.MemberRow:
        data = self.cleaned_data
        person = data["user"]
        return parts.MemberRow(
            position=data["position"],
            committee_role=data["committee_role"],
            name=data["name"] or (person.full_name if person else ""),
            user_id=person.pk if person else None,
            id=data.get("id"),
        )


class TargetChoiceField(IdsChoiceField):
    def label_from_instance(self, obj: Target) -> str:
        return f"{obj.code} — {obj.wording[:60]}"


class OutlineRowForm(RowForm):
    depth = forms.TypedChoiceField(
        label=_("Level"), coerce=int, choices=[(0, _("Part")), (1, _("Section"))], initial=1
    )
    number = forms.CharField(label=_("Number"), required=False, max_length=20)
    heading = forms.CharField(label=_("Heading"), max_length=300)
    guidance = forms.CharField(
        label=_("Guidance"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    targets = TargetChoiceField(
        label=_("Targets reported here"), queryset=Target.objects.none(), required=False
    )
    review_items = IdsChoiceField(
        label=_("Review items"), queryset=ReviewItem.objects.none(), required=False
    )

    def __init__(self, *args, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        targets, items = outline_choices(campaign)
        field_of(self, "targets", TargetChoiceField).queryset = targets
        field_of(self, "review_items", forms.ModelMultipleChoiceField).queryset = items

    def row(self) -> parts.OutlineRow:
        data = self.cleaned_data
        return parts.OutlineRow(
            heading=data["heading"],
            number=data["number"],
            guidance=data["guidance"],
            depth=data["depth"],
            target_ids=tuple(sorted(t.pk for t in data["targets"])),
            review_item_ids=tuple(sorted(i.pk for i in data["review_items"])),
            id=data.get("id"),
        )


class ParticipationForm(PlanForm):
    root = forms.CharField(
        label=_("Unit code"),
        max_length=40,
        help_text=_("The unit whose subtree takes part (your own unit or one below it)."),
    )
    kinds = IdsChoiceField(
        label=_("Levels that take part"),
        queryset=UnitKind.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, owner: Unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean_root(self) -> Unit:
        code = self.cleaned_data["root"].strip()
        unit = Unit.objects.subtree_of(self.owner).filter(code=code).first()
        if unit is None:
            raise ValidationError(
                _("No unit with the code “%(code)s” in the subtree of %(owner)s.")
                % {"code": code, "owner": self.owner.name}
            )
        return unit

    def row(self) -> parts.ParticipationRow:
        data = self.cleaned_data
        return parts.ParticipationRow(data["root"].pk, tuple(sorted(k.pk for k in data["kinds"])))


class RecipientsForm(PlanForm):
    lines = forms.CharField(
        label=_("Recipients, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 60}),
    )


MAX_ROWS = 250  # more lines than any plan part has; a page asking more is refused at once


def _formset(form, *, order: bool = True, extra: int = 2):
    return formset_factory(
        form, formset=RowsFormSet, extra=extra, can_order=order, can_delete=True,
        max_num=MAX_ROWS, absolute_max=MAX_ROWS, validate_max=True,
    )  # fmt: skip


PlanFormSet = _formset(PlanRowForm)
MilestoneFormSet = _formset(MilestoneForm, extra=1)
DeadlineFormSet = _formset(DeadlineForm, order=False)
MemberFormSet = _formset(MemberForm)
OutlineFormSet = _formset(OutlineRowForm)
ParticipationFormSet = _formset(ParticipationForm, order=False, extra=1)


def _kept_forms(formset) -> list:
    """The rows to save, in the order their numbers give; a new row numbered like an old
    one goes before it (typing 2 puts it second). New rows left blank are left out."""
    deleted = set(map(id, formset.deleted_forms))
    kept = [
        (i, form)
        for i, form in enumerate(formset.forms)
        if id(form) not in deleted and (i < formset.initial_form_count() or form.has_changed())
    ]
    if not formset.can_order:
        return [form for _i, form in kept]

    def place(item: tuple[int, Any]) -> tuple[float, int, int]:
        i, form = item
        order = form.cleaned_data.get("ORDER")
        is_old = int(i < formset.initial_form_count())
        return (order if order is not None else float("inf"), is_old, i)

    return [form for _i, form in sorted(kept, key=place)]


# One editor per part: reads the page, shows the part, saves it through the service.


class Editor:
    """A part's page: its form(s) bound to what was sent, or filled from the campaign."""

    template = ""

    def __init__(self, campaign: Campaign, *, user: User, data=None) -> None:
        self.campaign, self.user, self.data = campaign, user, data
        self.errors: list[str] = []

    def is_valid(self) -> bool:
        return all(form.is_valid() for form in self.forms())

    def forms(self) -> list:
        raise NotImplementedError

    def save(self, *, revision: int, reason: str) -> None:
        raise NotImplementedError

    def refused(self, error: ValidationError) -> None:
        """Show what the service refused, beside what was typed."""
        self.errors.extend(error.messages)


class HeaderEditor(Editor):
    template = "campaigns/edit/_header.html"

    def __init__(self, campaign: Campaign, *, user: User, data=None) -> None:
        super().__init__(campaign, user=user, data=data)
        initial = {
            "kind": campaign.kind,
            "title": campaign.title,
            "reviewed_from": campaign.reviewed_from,
            "reviewed_to": campaign.reviewed_to,
            "resolutions": list(campaign.resolutions.all()),
            "review_items": list(campaign.review_items.all()),
            "preamble": campaign.preamble,
            "closing": campaign.closing,
            "signing_capacity": campaign.signing_capacity,
            "signer_title": campaign.signer_title,
            "signer_name": campaign.signer_name,
        }
        self.form = FullHeaderForm(data, user=user, initial=initial)

    def forms(self) -> list:
        return [self.form]

    def save(self, *, revision: int, reason: str) -> None:
        services.campaign_save_header(
            by=self.user, campaign=self.campaign, revision=revision,
            header=self.form.header(), reason=reason,
        )  # fmt: skip


class PlanEditor(Editor):
    template = "campaigns/edit/_rows.html"

    def __init__(self, campaign: Campaign, *, user: User, data=None) -> None:
        super().__init__(campaign, user=user, data=data)
        initial = [
            {**_row_initial(row), "audience_kinds": list(row.audience_kind_ids), "ORDER": n}
            for n, row in enumerate(parts.plan_rows(campaign), start=1)
        ]
        self.formset = PlanFormSet(data, initial=initial, prefix="section")

    def forms(self) -> list:
        return [self.formset]

    def save(self, *, revision: int, reason: str) -> None:
        services.campaign_save_plan(
            by=self.user, campaign=self.campaign, revision=revision,
            rows=[form.row() for form in _kept_forms(self.formset)], reason=reason,
        )  # fmt: skip


class TimelineEditor(Editor):
    template = "campaigns/edit/_timeline.html"

    def __init__(self, campaign: Campaign, *, user: User, data=None) -> None:
        super().__init__(campaign, user=user, data=data)
        rows = parts.milestone_rows(campaign)
        self.lines = MilestoneFormSet(
            data,
            prefix="line",
            initial=[{**_row_initial(row), "ORDER": n} for n, row in enumerate(rows, start=1)],
        )
        self.deadlines = DeadlineFormSet(
            data,
            prefix="due",
            initial=[
                {
                    "id": d.id, "line": n, "due_on": d.due_on, "deliverable": d.deliverable,
                    "is_report": d.is_report,
                    "level": str(d.unit_kind_id) if d.unit_kind_id else DEPARTMENTS,
                }
                for n, row in enumerate(rows, start=1)
                for d in row.deadlines
            ],
        )  # fmt: skip

    def forms(self) -> list:
        return [self.lines, self.deadlines]

    def save(self, *, revision: int, reason: str) -> None:
        # A deadline names its line by the number the page shows ("Dòng 3"), which is the
        # line's place on the page, whatever order the lines are then given.
        kept = _kept_forms(self.lines)
        by_number = {n: form for n, form in enumerate(self.lines.forms, start=1)}
        deadlines: dict[int, list[parts.DeadlineRow]] = {}
        for form in _kept_forms(self.deadlines):
            data = form.cleaned_data
            line = by_number.get(data["line"])
            if line is None or line not in kept:
                raise ValidationError(
                    _("A deadline belongs to timeline line %d, which does not exist.")
                    % data["line"]
                )
            deadlines.setdefault(id(line), []).append(
                parts.DeadlineRow(
                    unit_kind_id=None if data["level"] == DEPARTMENTS else int(data["level"]),
                    due_on=data["due_on"], deliverable=data["deliverable"],
                    is_report=data["is_report"], id=data.get("id"),
                )
            )  # fmt: skip
        services.campaign_save_timeline(
            by=self.user,
            campaign=self.campaign,
            revision=revision,
            reason=reason,
            milestones=[
                parts.MilestoneRow(
                    label=form.cleaned_data["label"], text=form.cleaned_data["text"],
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    deadlines=tuple(deadlines.get(id(form), [])),
                    id=form.cleaned_data.get("id"),
                )
                for form in kept
            ],
        )  # fmt: skip


class CommitteeEditor(Editor):
    template = "campaigns/edit/_rows.html"

    def __init__(self, campaign: Campaign, *, user: User, data=None) -> None:
        super().__init__(campaign, user=user, data=data)
        people = User.objects.filter(
            is_active=True, roles__unit=campaign.owner
        ).distinct().order_by("full_name", "username")  # fmt: skip
        initial = [
            {**_row_initial(row), "user": row.user_id, "ORDER": n}
            for n, row in enumerate(parts.member_rows(campaign), start=1)
        ]
        self.formset = MemberFormSet(
            data, initial=initial, prefix="member", form_kwargs={"people": people}
        )

    def forms(self) -> list:
        return [self.formset]

    def save(self, *, revision: int, reason: str) -> None:
        services.campaign_save_committee(
            by=self.user, campaign=self.campaign, revision=revision,
            rows=[form.row() for form in _kept_forms(self.formset)], reason=reason,
        )  # fmt: skip


class OutlineEditor(Editor):
    template = "campaigns/edit/_rows.html"

    def __init__(self, campaign: Campaign, *, user: User, data=None) -> None:
        super().__init__(campaign, user=user, data=data)
        initial = [
            {
                **_row_initial(row),
                "targets": list(row.target_ids),
                "review_items": list(row.review_item_ids),
                "ORDER": n,
            }
            for n, row in enumerate(parts.outline_rows(campaign), start=1)
        ]
        self.formset = OutlineFormSet(
            data, initial=initial, prefix="outline", form_kwargs={"campaign": campaign}
        )

    def forms(self) -> list:
        return [self.formset]

    def save(self, *, revision: int, reason: str) -> None:
        services.campaign_save_outline(
            by=self.user, campaign=self.campaign, revision=revision,
            rows=[form.row() for form in _kept_forms(self.formset)], reason=reason,
        )  # fmt: skip


class ParticipantsEditor(Editor):
    template = "campaigns/edit/_participants.html"

    def __init__(self, campaign: Campaign, *, user: User, data=None) -> None:
        super().__init__(campaign, user=user, data=data)
        initial = [
            {"root": p.root.code, "kinds": list(p.kinds.all())}
            for p in campaign.participations.select_related("root").prefetch_related("kinds")
        ]
        self.formset = ParticipationFormSet(
            data, initial=initial, prefix="unit", form_kwargs={"owner": campaign.owner}
        )

    def forms(self) -> list:
        return [self.formset]

    def save(self, *, revision: int, reason: str) -> None:
        services.campaign_save_participants(
            by=self.user, campaign=self.campaign, revision=revision,
            rows=[form.row() for form in _kept_forms(self.formset)], reason=reason,
        )  # fmt: skip


class RecipientsEditor(Editor):
    template = "campaigns/edit/_header.html"

    def __init__(self, campaign: Campaign, *, user: User, data=None) -> None:
        super().__init__(campaign, user=user, data=data)
        lines = "\n".join(campaign.recipients.order_by("order").values_list("text", flat=True))
        self.form = RecipientsForm(data, initial={"lines": lines})

    def forms(self) -> list:
        return [self.form]

    def save(self, *, revision: int, reason: str) -> None:
        services.campaign_save_recipients(
            by=self.user, campaign=self.campaign, revision=revision,
            lines=self.form.cleaned_data["lines"].splitlines(), reason=reason,
        )  # fmt: skip


def _row_initial(row) -> dict[str, Any]:
    return {key: value for key, value in vars(row).items() if not isinstance(value, tuple)}


EDITORS: dict[parts.Part, type[Editor]] = {
    parts.Part.HEADER: HeaderEditor,
    parts.Part.PLAN: PlanEditor,
    parts.Part.TIMELINE: TimelineEditor,
    parts.Part.COMMITTEE: CommitteeEditor,
    parts.Part.OUTLINE: OutlineEditor,
    parts.Part.PARTICIPANTS: ParticipantsEditor,
    parts.Part.RECIPIENTS: RecipientsEditor,
}


class IssueForm(PlanForm):
    document_number = forms.CharField(label=_("Plan number"), max_length=60)
    issued_on = DayField(label=_("Issued on"))
    signing_capacity = forms.CharField(label=_("Signing capacity"), required=False, max_length=100)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=100)
    signer_name = forms.CharField(label=_("Signer's name"), max_length=200)
    is_signed = forms.BooleanField(
        label=_("The signed original is kept"),
        required=False,
        help_text=_("Ticked, the plan prints “(Đã ký)” above the signer's name."),
    )


# The committee's tasks: their own page, saved without an amendment.

MEMBER, DEPARTMENT = "m", "d"


def owner_choices(campaign: Campaign) -> list:
    """Who may be in charge of a task: a member of the committee, or a department of
    the campaign's unit, as "m<id>" and "d<id>"."""
    members = [
        (f"{MEMBER}{member.pk}", f"{member.name or member.position}"
         + (f" — {member.position}" if member.name else ""))
        for member in campaign.steering_members.order_by("order")
    ]  # fmt: skip
    departments = [
        (f"{DEPARTMENT}{department.pk}", department.name)
        for department in Department.objects.filter(unit=campaign.owner_id)
    ]
    return [
        ("", "---------"),
        (_("Steering committee"), members),
        (_("Departments"), departments),
    ]


class TaskForm(RowForm):
    title = forms.CharField(
        label=_("Task"), max_length=300, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )
    owner = forms.ChoiceField(label=_("In charge"))
    starts_on = DayField(label=_("From"), required=False)
    due_on = DayField(label=_("Due on"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=CommitteeTask.Status.choices,
        initial=CommitteeTask.Status.NOT_STARTED,
    )
    done_on = DayField(
        label=_("Done on"), required=False, help_text=_("Left blank for a task done: today.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )

    def __init__(self, *args, owners: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "owner", forms.ChoiceField).choices = owners

    def row(self) -> workplan.TaskRow:
        data = self.cleaned_data
        owner = data["owner"]
        member = int(owner[1:]) if owner.startswith(MEMBER) else None
        department = int(owner[1:]) if owner.startswith(DEPARTMENT) else None
        return workplan.TaskRow(
            title=data["title"],
            member_id=member,
            department_id=department,
            description=data["description"],
            starts_on=data["starts_on"],
            due_on=data["due_on"],
            status=data["status"],
            done_on=data["done_on"],
            note=data["note"],
            id=data.get("id"),
        )


TaskFormSet = _formset(TaskForm)


class TasksEditor(Editor):
    """The committee's tasks, a row each; `revision` is the campaign's tasks_revision."""

    template = "campaigns/edit/_rows.html"

    def __init__(self, campaign: Campaign, *, user: User, data=None) -> None:
        super().__init__(campaign, user=user, data=data)
        initial = [
            {
                **_row_initial(row),
                "owner": (
                    f"{MEMBER}{row.member_id}" if row.member_id
                    else f"{DEPARTMENT}{row.department_id}"
                ),
                "ORDER": n,
            }
            for n, row in enumerate(workplan.task_rows(campaign), start=1)
        ]  # fmt: skip
        self.formset = TaskFormSet(
            data, initial=initial, prefix="task", form_kwargs={"owners": owner_choices(campaign)}
        )

    def forms(self) -> list:
        return [self.formset]

    def rows(self) -> list[workplan.TaskRow]:
        return [form.row() for form in _kept_forms(self.formset)]

    def save(self, *, revision: int, reason: str) -> None:
        """Saved without an amendment, so `reason` is not asked for (the page sends "")."""
        services.campaign_tasks_save(
            by=self.user, campaign=self.campaign, revision=revision, rows=self.rows()
        )


class TaskStatusForm(PlanForm):
    status = forms.ChoiceField(label=_("Status"), choices=CommitteeTask.Status.choices)
