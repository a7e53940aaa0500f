"""A review campaign (sơ kết or tổng kết) and the plan that launches it:
its sections, timeline and deadlines, steering committee, report outline,
participating units and distribution list."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from soket.orgs.models import Unit, UnitKind
from soket.resolutions.models import Resolution, ReviewItem, Target


class Campaign(models.Model):
    """A plan to review resolutions: a draft its unit's administrators write, until it is
    issued (ban hành) with its number and date; from then on it changes only by amendment.

    A plan deployed (triển khai) by a federation below is a campaign of that federation
    whose `deployed_from` is the plan it carries out."""

    class Kind(models.TextChoices):
        INTERIM = "interim", _("Interim review")
        FINAL = "final", _("Final review")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    owner = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("owner")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    title = models.CharField(_("title"), max_length=500)
    resolutions = models.ManyToManyField(
        Resolution, related_name="campaigns", verbose_name=_("resolutions reviewed")
    )
    review_items = models.ManyToManyField(
        ReviewItem, blank=True, related_name="campaigns", verbose_name=_("items reviewed")
    )
    reviewed_from = models.DateField(_("reviewed period starts"))
    reviewed_to = models.DateField(_("reviewed period ends"))
    preamble = models.TextField(_("preamble"), blank=True)
    closing = models.TextField(_("closing paragraph"), blank=True)
    document_number = models.CharField(
        _("plan number"), max_length=60, blank=True, help_text="12/KH-LĐLĐ"
    )
    issued_on = models.DateField(_("plan issued on"), null=True, blank=True)
    signing_capacity = models.CharField(
        _("signing capacity"), max_length=100, blank=True, help_text="TM. BAN THƯỜNG VỤ"
    )
    signer_title = models.CharField(_("signer's title"), max_length=100, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=200, blank=True)
    is_signed = models.BooleanField(_("records a signed original"), default=False)
    issued_at = models.DateTimeField(_("issued in Soket at"), null=True, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative sample data"),
        default=False,
        help_text=_("The plan's number and date are not in the source: the demo made them up."),
    )
    tasks_revision = models.PositiveIntegerField(_("revision of the committee's tasks"), default=0)
    deployed_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deployments",
        verbose_name=_("deploys the plan"),
    )

    class Meta:
        ordering = ["-reviewed_to", "title"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewed_to__gt=models.F("reviewed_from")),
                name="campaigns_period_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["deployed_from", "owner"], name="campaigns_deployed_once_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_issued(self) -> bool:
        return self.state == self.State.ISSUED

    @property
    def is_deployment(self) -> bool:
        return self.deployed_from_id is not None


class PlanSection(models.Model):
    """A numbered section of the plan ("I. MỤC ĐÍCH, YÊU CẦU", "1.1. Thành lập Ban chỉ đạo").

    The body is plain text, one paragraph a line; a line starting with "- " is a bullet,
    and "[^code]" marks a footnote citing the review item of that code.
    """

    class Part(models.TextChoices):
        PURPOSE = "purpose", _("Purpose and requirements")
        CONTENT = "content", _("Contents")
        MEASURES = "measures", _("Organising measures")
        TIMELINE = "timeline", _("Timeline")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="subsections"
    )
    part = models.CharField(_("part"), max_length=20, choices=Part.choices)
    order = models.PositiveSmallIntegerField(_("order"))
    number = models.CharField(_("number"), max_length=20, blank=True)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    audience_kinds = models.ManyToManyField(
        UnitKind,
        blank=True,
        related_name="+",
        verbose_name=_("addressed to levels"),
        help_text=_("For organising measures: the levels this section is addressed to."),
    )
    for_departments = models.BooleanField(_("addressed to the departments"), default=False)

    class Meta:
        ordering = ["campaign", "order"]
        verbose_name = _("plan section")
        verbose_name_plural = _("plan sections")

    def __str__(self) -> str:
        return f"{self.number} {self.heading}".strip()


class Milestone(models.Model):
    """A line of the plan's timeline ("Tháng 11/2015: …")."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField(_("order"))
    label = models.CharField(_("when, as printed"), max_length=100)
    text = models.TextField(_("what"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["campaign", "order"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaigns_milestone_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.label


class Deadline(models.Model):
    """When one level (a kind of unit, or the owner's departments) must deliver something."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="deadlines")
    unit_kind = models.ForeignKey(
        UnitKind,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("level"),
    )
    for_departments = models.BooleanField(_("for the departments"), default=False)
    due_on = models.DateField(_("due on"))
    deliverable = models.CharField(_("what is due"), max_length=300)
    is_report = models.BooleanField(
        _("is the level's review report"),
        default=False,
        help_text=_("The date the level's report is due to the level above."),
    )

    class Meta:
        ordering = ["due_on", "milestone__order"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit_kind__isnull=False) & Q(for_departments=False))
                | (Q(unit_kind__isnull=True) & Q(for_departments=True)),
                name="campaigns_deadline_for_one_audience",
            )
        ]

    def __str__(self) -> str:
        return f"{self.deliverable} ({self.due_on:%d/%m/%Y})"


class SteeringMember(models.Model):
    class CommitteeRole(models.TextChoices):
        HEAD = "head", _("Head")
        DEPUTY = "deputy", _("Deputy head")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Secretary")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="steering_members"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=300)
    committee_role = models.CharField(
        _("role in the committee"), max_length=20, choices=CommitteeRole.choices
    )
    user = models.ForeignKey(
        "orgs.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_illustrative = models.BooleanField(_("illustrative sample data"), default=False)

    class Meta:
        ordering = ["campaign", "order"]
        verbose_name = _("steering committee member")
        verbose_name_plural = _("steering committee")

    def __str__(self) -> str:
        return f"{self.name or self.position} — {self.get_committee_role_display()}"


class OutlineSection(models.Model):
    """A section of the report outline (đề cương) that every unit's report follows."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="outline_sections"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="subsections"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    number = models.CharField(_("number"), max_length=20, blank=True)
    heading = models.CharField(_("heading"), max_length=300)
    guidance = models.TextField(_("guidance"), blank=True)
    targets = models.ManyToManyField(
        Target, blank=True, related_name="outline_sections", verbose_name=_("targets")
    )
    review_items = models.ManyToManyField(
        ReviewItem, blank=True, related_name="outline_sections", verbose_name=_("review items")
    )
    is_illustrative = models.BooleanField(_("illustrative sample data"), default=False)

    class Meta:
        ordering = ["campaign", "order"]
        verbose_name = _("outline section")
        verbose_name_plural = _("report outline")

    def __str__(self) -> str:
        return f"{self.number} {self.heading}".strip()


class Participation(models.Model):
    """Units of these kinds in this subtree take part in the campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations")
    root = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kinds = models.ManyToManyField(UnitKind, related_name="+", verbose_name=_("levels"))

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self) -> str:
        return str(self.root)


class Recipient(models.Model):
    """A line of the distribution list (Nơi nhận)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("recipient"), max_length=300)

    class Meta:
        ordering = ["campaign", "order"]
        verbose_name = _("recipient")
        verbose_name_plural = _("distribution list")

    def __str__(self) -> str:
        return self.text


class Amendment(models.Model):
    """A change to an issued plan (điều chỉnh): which part, what changed and why, and which
    levels were told. Numbered 1, 2, … within its campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("number"))
    made_at = models.DateTimeField(_("made at"))
    made_by = models.ForeignKey(
        "orgs.User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    part = models.CharField(_("part"), max_length=20)
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("changes"), default=list)
    told_kinds = models.ManyToManyField(
        UnitKind, blank=True, related_name="+", verbose_name=_("levels told")
    )
    told_departments = models.BooleanField(_("departments told"), default=False)

    class Meta:
        ordering = ["campaign", "number"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="campaigns_amendment_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.number}"


class CommitteeTask(models.Model):
    """A task of the steering committee's own work plan (build the outline, guide the
    units, survey, hear the departments, draft, present, finish, send), owned by one
    member of the committee or one department of the campaign's unit.

    The committee's working tool, not part of the issued plan: it changes without an
    amendment, and its own `Campaign.tasks_revision` guards its page."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("task"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    member = models.ForeignKey(
        SteeringMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("committee member in charge"),
    )
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department in charge"),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_illustrative = models.BooleanField(_("illustrative sample data"), default=False)

    class Meta:
        ordering = ["campaign", "order"]
        verbose_name = _("committee task")
        verbose_name_plural = _("committee tasks")
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(department__isnull=True))
                | (Q(member__isnull=True) & Q(department__isnull=False)),
                name="campaigns_task_one_owner",
            ),
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_on__isnull=False))
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="campaigns_task_done_on_iff_done",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(due_on__isnull=True)
                | Q(due_on__gte=models.F("starts_on")),
                name="campaigns_task_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        if self.department_id is not None:
            return str(self.department)
        member = self.member
        return (member.name or member.position) if member else ""
