"""Word templates that administrators put in place of the built-in one."""

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
