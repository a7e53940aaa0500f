"""Word templates that administrators put in place of the built-in one, and documents
the background runner makes."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from soket.orgs.models import Unit


class DocumentKind(models.TextChoices):
    PLAN = "plan", _("Plan")
    OUTLINE = "outline", _("Report outline")
    REPORT = "report", _("Unit report")
    CONSOLIDATED = "consolidated", _("Consolidated report")
    DEPARTMENT = "department", _("Department's thematic report")


class DocumentTemplate(models.Model):
    """A unit's own .docx template for one kind of document; it serves the unit's
    whole subtree unless a unit lower down has its own."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="document_templates")
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to="document-templates/")
    name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], name="documents_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.unit}"


def _job_path(instance: "DocumentJob", filename: str) -> str:
    # A generated name: the download's name is kept in `filename`, never used as a path.
    return f"documents/{instance.pk}"


class DocumentJob(models.Model):
    """A document the background runner makes for one person: every PDF, every
    consolidated report and the consolidated table, which may take from seconds to a
    minute and must never hold a web worker. The person's page polls it until it is
    ready; the file is kept for a day."""

    class What(models.TextChoices):
        PLAN = "plan", _("Plan")
        OUTLINE = "outline", _("Report outline")
        REPORT = "report", _("Report")
        TABLE = "table", _("Consolidated table")

    class State(models.TextChoices):
        QUEUED = "queued", _("in the queue")
        RUNNING = "running", _("being made")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be made")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    what = models.CharField(_("document"), max_length=20, choices=What.choices)
    file_format = models.CharField(_("format"), max_length=10)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    message = models.TextField(_("message"), blank=True)
    file = models.FileField(upload_to=_job_path, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    requested_at = models.DateTimeField(_("requested"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("document being made")
        verbose_name_plural = _("documents being made")
        indexes = [
            models.Index(fields=["requested_by", "requested_at"], name="documents_job_person"),
            models.Index(fields=["state", "requested_at"], name="documents_job_state"),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.READY, self.State.FAILED}


class ReportChart(models.Model):
    """A chart of the dashboard the writer of a federation's report chose to print in
    it (issue 13, point 2), drawn when the document is made: the same drawing as the
    page's (soket.analysis.charts), as PNG."""

    class Chart(models.TextChoices):
        PROGRESS = "progress", _("Reports sent day by day")
        ASSESSMENTS = "assessments", _("Assessments of the units below, target by target")
        TARGET = "target", _("One target across the units below")

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    chart = models.CharField(_("chart"), max_length=20, choices=Chart.choices)
    target = models.ForeignKey(
        "resolutions.Target", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["report", "order", "pk"]
        verbose_name = _("chart in a report")
        verbose_name_plural = _("charts in reports")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "chart"],
                condition=models.Q(target__isnull=True),
                name="documents_chart_once",
            ),
            models.UniqueConstraint(
                fields=["report", "chart", "target"],
                condition=models.Q(target__isnull=False),
                name="documents_target_chart_once",
            ),
            models.CheckConstraint(
                condition=models.Q(chart="target", target__isnull=False)
                | (~models.Q(chart="target") & models.Q(target__isnull=True)),
                name="documents_chart_target_only_for_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_chart_display()} — {self.report_id}"
