"""Every unit's review report: its narrative along the outline, its target figures and
their assessment, its assessment of the extra review items, and its life from draft to
accepted, with every transition and every submitted version kept."""

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from soket.campaigns.models import Campaign, OutlineSection
from soket.orgs.models import Department, Unit, UnitKind
from soket.resolutions.models import ReviewItem, Target


class Assessment(models.TextChoices):
    EXCEEDED = "exceeded", _("exceeded")
    ACHIEVED = "achieved", _("achieved")
    NOT_ACHIEVED = "not_achieved", _("not achieved")


class Report(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reports")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        help_text=_("Set for a department's thematic report."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    # Bumped by every save; a save that carries an older revision is a lost update, refused.
    revision = models.PositiveIntegerField(default=1)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    drafted_at = models.DateTimeField(_("drafted from the units below"), null=True, blank=True)
    # Whether that draft used the reports below not yet accepted: what changed below since
    # is compared with the same reports.
    drafted_with_submitted = models.BooleanField(default=False)
    document_number = models.CharField(
        _("document number"), max_length=60, blank=True, help_text="45/BC-LĐLĐ"
    )
    issued_on = models.DateField(_("document date"), null=True, blank=True)
    is_signed = models.BooleanField(_("records a signed original"), default=False)
    is_illustrative = models.BooleanField(_("illustrative sample data"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "unit__path"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                condition=Q(department__isnull=True),
                name="reports_one_per_unit",
            ),
            models.UniqueConstraint(
                fields=["campaign", "department"],
                condition=Q(department__isnull=False),
                name="reports_one_per_department",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "state"], name="reports_campaign_state")]

    def __str__(self) -> str:
        return f"{self.department or self.unit} — {self.campaign}"

    @property
    def author_name(self) -> str:
        return str(self.department or self.unit)

    # With its unit to write (workflow.py declares the moves between states).
    EDITABLE_STATES = (State.DRAFT, State.RETURNED)

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


class SectionText(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="section_texts")
    section = models.ForeignKey(OutlineSection, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("text"), blank=True)
    # The passages compiled from the reports below that the drafter last took or saw:
    # while `text` equals it, the drafter has not edited it and a redraft may replace it.
    drafted_text = models.TextField(blank=True)
    # The report's own words folded for the lessons search (searchable.text_copy),
    # written with `text` by every write.
    folded = models.TextField(blank=True, editable=False, db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "section"], name="reports_section_once")
        ]
        # The lessons search walks a section's texts in this order and stops at its page.
        indexes = [models.Index(fields=["section", "report"], name="reports_section_report")]

    def __str__(self) -> str:
        return f"{self.report} — {self.section}"


class Figure(models.Model):
    """A report's figure for one target.

    A sum target has a value. A ratio target has a numerator and a denominator and its
    value is their ratio in percent. A share-of-units target has the unit's own value,
    and counts as numerator 1 or 0 (meets the goal or not) over denominator 1, so that
    the level above can add the counts up.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="figures")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="figures")
    value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    # What the rollup gave when the figure was drafted from the units below.
    drafted_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    drafted_numerator = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    drafted_denominator = models.DecimalField(
        max_digits=20, decimal_places=4, null=True, blank=True
    )
    assessment_override = models.CharField(
        _("assessment set by hand"), max_length=20, choices=Assessment.choices, blank=True
    )
    override_reason = models.TextField(_("reason for setting it by hand"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    # The causes in the unit's own words folded for the lessons search
    # (searchable.causes_copy), written with `causes` by every write.
    folded_causes = models.TextField(blank=True, editable=False, db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="reports_figure_once")
        ]
        indexes = [
            models.Index(fields=["target", "report"], name="reports_figure_target"),
            # The lessons search walks the causes given, target by target: only the
            # figures that give some (the others are most of them).
            models.Index(
                fields=["target", "report"],
                condition=~Q(folded_causes=""),
                name="reports_figure_causes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} — {self.target.code}"


class ItemAssessment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="item_assessments")
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("assessment"), blank=True)
    # As SectionText.drafted_text: the compilation from below last taken or seen.
    drafted_text = models.TextField(blank=True)
    # As SectionText.folded.
    folded = models.TextField(blank=True, editable=False, db_default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "item"], name="reports_item_once")]
        indexes = [models.Index(fields=["item", "report"], name="reports_item_report")]

    def __str__(self) -> str:
        return f"{self.report} — {self.item}"


class Transition(models.Model):
    """Who moved a report from one state to another, when and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("submitted")
        WITHDRAW = "withdraw", _("withdrew")
        RETURN = "return", _("returned")
        ACCEPT = "accept", _("accepted")
        REOPEN = "reopen", _("reopened")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=Report.State.choices)
    to_state = models.CharField(max_length=20, choices=Report.State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} — {self.get_action_display()}"


class Version(models.Model):
    """What a report said when it was submitted, to show reviewers what changed."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    content = models.JSONField()

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reports_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} — {self.number}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # A generated name: the person's file name is kept in `name`, never used as a path.
    return f"reports/{instance.report_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class RollupTotal(models.Model):
    """Running totals of the children's figures under one parent, for one target and one
    counted state (submitted or accepted).

    Kept in the same transaction as every state change, so reading a rollup never adds
    up millions of figures again. `rollup.rebuild` recomputes them from the figures.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=Report.State.choices)
    value = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    numerator = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    denominator = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    # How many figures gave a value, a numerator, a denominator: a sum of none is no sum.
    values = models.IntegerField(default=0)
    numerators = models.IntegerField(default=0)
    denominators = models.IntegerField(default=0)
    reports = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "parent", "target", "state"], name="reports_rollup_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent_id}/{self.target_id}/{self.state}"


class CompletenessCount(models.Model):
    """Running counts of one level's expected units below one unit, in one campaign.

    `ancestor` is any unit above them (never the units themselves), so the completeness
    of a unit is its own rows, a handful whatever the size of the tree. Changed in the
    same transaction as every report's state and recounted by whatever changes who is
    expected; `counts.rebuild` recomputes them. Overdue is not stored: it is the missing
    count once the level's due date has passed, which only the reading day decides.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    ancestor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.ForeignKey(UnitKind, on_delete=models.CASCADE, related_name="+")
    expected = models.IntegerField(default=0)
    submitted = models.IntegerField(default=0)  # awaiting review
    accepted = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    late = models.IntegerField(default=0)  # first submitted after the level's due date
    missing = models.IntegerField(default=0)  # never submitted

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "ancestor", "kind"], name="reports_counts_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ancestor_id}/{self.kind_id}"


class CountedCampaign(models.Model):
    """A campaign whose completeness counts are built and kept.

    A campaign is counted the first time its completeness is read (or by a rebuild), so a
    campaign set up by a script or an older version of Soket needs no step of its own."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    counted_at = models.DateTimeField()  # first built

    def __str__(self) -> str:
        return str(self.campaign_id)


class ValidationRule(models.Model):
    """A check across targets that a campaign administrator adds, as DHIS2 users do:
    “CT03's numerator ≤ CT10's value”. Checked with every other check of the figures
    (reports/validation.py) whenever a report of the campaign is saved, by any door; a
    broken rule blocks the save and shows its message. A side with no figure yet is not
    checked."""

    class Side(models.TextChoices):
        VALUE = "value", _("result")
        NUMERATOR = "numerator", _("numerator")
        DENOMINATOR = "denominator", _("denominator")

    class Operator(models.TextChoices):
        AT_MOST = "<=", "≤"
        BELOW = "<", "<"
        EQUAL = "=", "="
        AT_LEAST = ">=", "≥"
        ABOVE = ">", ">"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="validation_rules"
    )
    left_target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="+", verbose_name=_("target")
    )
    left_side = models.CharField(
        _("number"), max_length=20, choices=Side.choices, default=Side.VALUE
    )
    operator = models.CharField(_("must be"), max_length=2, choices=Operator.choices)
    right_target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="+", verbose_name=_("compared with target")
    )
    right_side = models.CharField(
        _("its number"), max_length=20, choices=Side.choices, default=Side.VALUE
    )
    message = models.TextField(
        _("message"),
        blank=True,
        help_text=_("Shown when the rule is broken: say what to check."),
    )

    class Meta:
        ordering = ["campaign", "pk"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return (
            f"{self.left_target.code} ({self.get_left_side_display()}) "
            f"{self.get_operator_display()} "
            f"{self.right_target.code} ({self.get_right_side_display()})"
        )

    def clean(self) -> None:
        """Both sides are numbers the campaign's reports give: targets of its outline, a
        numerator or denominator only where the target has them, and not one number
        compared with itself."""
        errors: dict[str, Any] = {}
        in_outline = Target.objects.filter(outline_sections__campaign_id=self.campaign_id)
        for target_field, side_field in (
            ("left_target", "left_side"),
            ("right_target", "right_side"),
        ):
            target_id = getattr(self, f"{target_field}_id")
            if target_id is None:
                continue
            target = Target.objects.get(pk=target_id)
            if not in_outline.filter(pk=target_id).exists():
                errors[target_field] = _("This campaign's reports do not give this target.")
            elif target.direction == Target.Direction.QUALITATIVE:
                errors[target_field] = _("A qualitative target has no number to compare.")
            elif getattr(self, side_field) != self.Side.VALUE and target.aggregation not in (
                Target.Aggregation.RATIO,
                Target.Aggregation.SHARE_MEETING,
            ):
                errors[side_field] = _("This target has no numerator or denominator.")
        same = (self.left_target_id, self.left_side) == (self.right_target_id, self.right_side)
        if same and "right_target" not in errors:
            errors["right_target"] = _("A number compared with itself checks nothing.")
        if errors:
            raise ValidationError(errors)
