"""The union's hierarchy: kinds of unit, units, their departments, people and roles.

A unit's place in the tree is kept as a materialized path: the ids of its ancestors
and itself, each written as a fixed-width run of digits. Digits sort the same under
every collation, so a subtree is the index range [path, path + 1) on SQLite and on
PostgreSQL alike, and the ancestors are read straight out of the path.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PATH_STEP = 8
MAX_UNIT_ID = 10**PATH_STEP - 1


def path_segment(unit_id: int) -> str:
    if not 0 < unit_id <= MAX_UNIT_ID:
        raise ValueError(f"Unit id {unit_id} does not fit in a path segment.")
    return str(unit_id).zfill(PATH_STEP)


def path_upper_bound(path: str) -> str:
    """The smallest path of the same length that sorts after every descendant of `path`."""
    return str(int(path) + 1).zfill(len(path))


def ids_in_path(path: str) -> list[int]:
    return [int(path[i : i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]


def open_on(day: datetime.date) -> Q:
    """The condition of a unit that is open on `day`: opened by then, not yet closed."""
    return (Q(opened_on__isnull=True) | Q(opened_on__lte=day)) & (
        Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    )


class UnitKind(models.Model):
    """A kind of unit (provincial federation, sector union, grassroots union…).

    Kinds are data, so a restructuring that adds or renames a level needs no code.
    `rank` orders levels from the top (0) down, for display only.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    plural_name = models.CharField(_("plural name"), max_length=200, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)
    signing_capacity = models.CharField(
        _("signing capacity in documents"),
        max_length=100,
        blank=True,
        default="TM. BAN THƯỜNG VỤ",
        help_text=_("Printed above the signer's title, e.g. TM. BAN CHẤP HÀNH for grassroots."),
    )
    signer_title = models.CharField(
        _("signer's title in documents"), max_length=100, blank=True, default="CHỦ TỊCH"
    )
    abbreviation = models.CharField(
        _("abbreviation in document numbers"),
        max_length=20,
        blank=True,
        help_text=_(
            "Used for units of this kind that have none of their own, e.g. CĐCS in “05/BC-CĐCS”."
        ),
    )

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = _("unit kind")
        verbose_name_plural = _("unit kinds")

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        qs = self.filter(path__gte=unit.path, path__lt=path_upper_bound(unit.path))
        return qs if include_self else qs.exclude(pk=unit.pk)

    def subtrees_of(self, units: Iterable[Unit]) -> UnitQuerySet:
        """Units in any of the subtrees: one range per root, OR-ed in one query."""
        condition = Q(pk__in=[])
        for unit in units:
            condition |= Q(path__gte=unit.path, path__lt=path_upper_bound(unit.path))
        return self.filter(condition)

    def ancestors_of(self, unit: Unit, *, include_self: bool = False) -> UnitQuerySet:
        ids = ids_in_path(unit.path)
        return self.filter(pk__in=ids if include_self else ids[:-1])

    def active_on(self, day: datetime.date) -> UnitQuerySet:
        return self.filter(open_on(day))


class Unit(models.Model):
    """A union organisation at any level: the confederation down to a grassroots union."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.ForeignKey(
        UnitKind, on_delete=models.PROTECT, related_name="units", verbose_name=_("kind")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(max_length=255, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    abbreviation = models.CharField(
        _("abbreviation in document numbers"), max_length=40, blank=True, help_text="LĐLĐ"
    )
    place = models.CharField(_("place name in document dates"), max_length=100, blank=True)
    signer_name = models.CharField(_("signer's name in documents"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    is_illustrative = models.BooleanField(_("illustrative sample data"), default=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [models.Index(fields=["path"], name="orgs_unit_path")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gt=models.F("opened_on")),
                name="orgs_unit_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department (ban) of a federation; each writes a thematic report."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="departments", verbose_name=_("unit")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    signer_title = models.CharField(
        _("signer's title in documents"), max_length=100, blank=True, default="TRƯỞNG BAN"
    )
    signer_name = models.CharField(_("signer's name in documents"), max_length=200, blank=True)

    class Meta:
        ordering = ["unit", "order", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="orgs_department_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.Model):
    """What a person may do at a unit. What each kind allows lives in soket.orgs.access."""

    class Kind(models.TextChoices):
        VIEWER = "viewer", _("Viewer")
        REPORTER = "reporter", _("Reporter")
        APPROVER = "approver", _("Approver")
        CAMPAIGN_ADMIN = "campaign_admin", _("Campaign administrator")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="roles", verbose_name=_("unit")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("department"),
        help_text=_("Only for people who write a department's thematic report."),
    )
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["unit__path", "kind"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "kind"],
                condition=Q(department__isnull=True),
                name="orgs_role_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "unit", "department", "kind"],
                condition=Q(department__isnull=False),
                name="orgs_role_department_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} — {self.unit}"
