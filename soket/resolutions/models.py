"""Resolutions and what they ask for: action programmes, tasks, targets; and the
extra items a review looks at beside them (Kết luận 79-KL/TW, the Hồ Chí Minh study)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from soket.orgs.models import Unit


class Resolution(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    number = models.CharField(_("number"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=500)
    congress = models.CharField(_("congress"), max_length=300)
    term_start_year = models.PositiveSmallIntegerField(_("term starts"))
    term_end_year = models.PositiveSmallIntegerField(_("term ends"))
    issuer = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("issued by")
    )
    implements = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="implemented_by",
        verbose_name=_("makes concrete"),
        help_text=_("The higher level's resolution this one is derived from."),
    )

    class Meta:
        ordering = ["issuer__path", "-term_start_year", "title"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end_year__gt=models.F("term_start_year")),
                name="resolutions_term_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ActionProgramme(models.Model):
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="programmes")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=500)
    is_illustrative = models.BooleanField(_("illustrative sample data"), default=False)

    class Meta:
        ordering = ["resolution", "number"]
        verbose_name = _("action programme")
        verbose_name_plural = _("action programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "number"], name="resolutions_programme_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class ResolutionTask(models.Model):
    """A task or solution (nhiệm vụ, giải pháp) the resolution sets."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("text"))
    is_illustrative = models.BooleanField(_("illustrative sample data"), default=False)

    class Meta:
        ordering = ["resolution", "order"]
        verbose_name = _("task or solution")
        verbose_name_plural = _("tasks and solutions")

    def __str__(self) -> str:
        return self.text[:80]


class Target(models.Model):
    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")
        QUALITATIVE = "qualitative", _("qualitative")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("sum")
        RATIO = "ratio", _("ratio of summed numerators and denominators")
        SHARE_MEETING = "share_meeting", _("share of units that meet it")
        NONE = "none", _("not aggregated")

    class NumberKind(models.TextChoices):
        """What kind of number is entered: the value, or a ratio's numerator and
        denominator. Blank: worked out from the aggregation and the unit of measure
        (soket/resolutions/meaning.py)."""

        AUTOMATIC = "", _("automatic (from the aggregation and the unit of measure)")
        COUNT = "count", _("a count (whole, not negative)")
        AMOUNT = "amount", _("an amount (not negative, may have decimals)")
        PERCENTAGE = "percentage", _("a percentage (0 to 100)")

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    wording = models.TextField(_("wording"))
    unit_of_measure = models.CharField(_("unit of measure"), max_length=60, blank=True)
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    goal_value = models.DecimalField(
        _("goal"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    aggregation = models.CharField(
        _("aggregation up the tree"), max_length=20, choices=Aggregation.choices
    )
    numerator_label = models.CharField(_("numerator"), max_length=200, blank=True)
    denominator_label = models.CharField(_("denominator"), max_length=200, blank=True)
    number_kind = models.CharField(
        _("kind of number"),
        max_length=20,
        choices=NumberKind.choices,
        blank=True,
        default=NumberKind.AUTOMATIC,
        help_text=_(
            "For a ratio, the kind of its numerator and denominator. Left blank, a ratio "
            "counts, a unit of measure “%” is a percentage, a unit such as people or "
            "units is a count, anything else an amount."
        ),
    )
    numerator_may_exceed_denominator = models.BooleanField(
        _("numerator may exceed the denominator"),
        default=False,
        help_text=_("For a ratio such as money collected against the plan, which may pass 100%."),
    )
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    programme = models.ForeignKey(
        ActionProgramme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("action programme"),
    )
    derived_from = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="derived_targets",
        verbose_name=_("derived from"),
        help_text=_("Targets of a higher level's resolution that this one makes concrete."),
    )
    is_illustrative = models.BooleanField(_("illustrative sample data"), default=False)

    class Meta:
        ordering = ["resolution", "order", "code"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["resolution", "code"], name="resolutions_target_code"),
            models.CheckConstraint(
                condition=~Q(direction="qualitative") | Q(goal_value__isnull=True),
                name="resolutions_qualitative_has_no_goal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.wording[:80]}"

    def clean(self) -> None:
        from soket.resolutions import meaning  # it reads targets: imported when used

        ratio = self.aggregation in (self.Aggregation.RATIO, self.Aggregation.SHARE_MEETING)
        if ratio and self.number_kind == self.NumberKind.PERCENTAGE:
            raise ValidationError(
                {"number_kind": _("A ratio's numerator and denominator are counts or amounts.")}
            )
        if self.aggregation == self.Aggregation.SUM and meaning.is_percent(self):
            raise ValidationError(
                {
                    "aggregation": _(
                        "Percentages are not added up: give the target a numerator and a "
                        "denominator (ratio) or count the units that meet it."
                    )
                }
            )


class ReviewItem(models.Model):
    """Something reviewed beside the resolution, such as Kết luận 79-KL/TW."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    reference = models.TextField(
        _("full reference"),
        blank=True,
        help_text=_("Printed as the footnote where a document first cites the item."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")

    def __str__(self) -> str:
        return self.title


class TargetMilestone(models.Model):
    """A value the target should reach by a date within the term.

    Without milestones, progress is expected in a straight line from the baseline at
    the start of the term to the goal at its end.
    """

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="milestones")
    due_on = models.DateField(_("due on"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)

    class Meta:
        ordering = ["target", "due_on"]
        verbose_name = _("target milestone")
        verbose_name_plural = _("target milestones")
        constraints = [
            models.UniqueConstraint(fields=["target", "due_on"], name="resolutions_milestone_once")
        ]

    def __str__(self) -> str:
        return f"{self.target.code} — {self.due_on:%d/%m/%Y}"
