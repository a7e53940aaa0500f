"""A report's way from draft to adopted: the versions kept along it, the rounds of
comments on a circulated version, each reader's comments with the drafter's answer,
and the record of the version presented to the conference and the one it adopted.

The report itself (reports.Report) stays the one thing edited; a version is what it
said at a moment, as reports.services.report_content gives it, kept for good."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from soket.campaigns.models import OutlineSection
from soket.reports.models import Report


class DraftVersion(models.Model):
    class Purpose(models.TextChoices):
        SAVED = "saved", _("kept by hand")
        CIRCULATED = "circulated", _("circulated for comments")
        PRESENTED = "presented", _("presented to the conference")
        ADOPTED = "adopted", _("adopted")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="draft_versions")
    number = models.PositiveIntegerField(_("version"))
    purpose = models.CharField(_("kept as"), max_length=20, choices=Purpose.choices)
    content = models.JSONField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="drafting_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} — {self.number}"


class CommentRound(models.Model):
    """One circulation of a version to named readers, for comments by a date."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comment_rounds")
    number = models.PositiveIntegerField(_("round"))
    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="rounds")
    due_on = models.DateField(_("comments due by"))
    note = models.TextField(_("note to the readers"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    # Set when the version presented to the conference is recorded: no comment after.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("comment round")
        verbose_name_plural = _("comment rounds")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="drafting_round_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} — {self.number}"


class Reader(models.Model):
    round = models.ForeignKey(CommentRound, on_delete=models.CASCADE, related_name="readers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="drafting_reader_once")
        ]

    def __str__(self) -> str:
        return f"{self.round} — {self.user}"


class Comment(models.Model):
    class Answer(models.TextChoices):
        TAKEN = "taken", _("taken")
        NOT_TAKEN = "not_taken", _("not taken")

    round = models.ForeignKey(CommentRound, on_delete=models.CASCADE, related_name="comments")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # None: a comment on the draft as a whole.
    section = models.ForeignKey(
        OutlineSection, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField()
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices, blank=True)
    answer_reason = models.TextField(_("reason"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["round", "answer"], name="drafting_comment_answer")]

    def __str__(self) -> str:
        return self.text[:80]


class DraftingRecord(models.Model):
    """The report's presentation to the conference and its adoption."""

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, primary_key=True, related_name="drafting_record"
    )
    presented_version = models.ForeignKey(
        DraftVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    conference = models.CharField(_("conference"), max_length=300, blank=True)
    conference_on = models.DateField(_("conference date"), null=True, blank=True)
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adopted_version = models.ForeignKey(
        DraftVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("drafting record")
        verbose_name_plural = _("drafting records")

    def __str__(self) -> str:
        return str(self.report)
