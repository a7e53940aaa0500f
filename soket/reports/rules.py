"""The rules across targets a campaign's administrators add, as DHIS2 users do: “CT03's
numerator ≤ CT10's result” (models.ValidationRule; validation.py checks them whenever a
report of the campaign is saved, by any door).

Only the campaign's own administrators add, change or remove them (and the system
operator): `campaigns.access.can_administer`. Everyone who sees the campaign reads them,
since a reporter is better told a rule before a save is refused by it. A rule is refused
for whatever its `clean()` refuses, with the same words, and every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from soket.audit import services as audit
from soket.campaigns.access import can_administer, visible_campaigns
from soket.campaigns.models import Campaign
from soket.core import params
from soket.orgs.models import User
from soket.reports import limits, selectors
from soket.reports.models import ValidationRule
from soket.reports.services import require_permission
from soket.resolutions import meaning
from soket.resolutions.models import Target

MESSAGE_LIMIT = limits.SHORT_TEXT


class Action(StrEnum):
    """How a change of a rule is named in the audit trail."""

    ADD = "rule-add"
    CHANGE = "rule-change"
    REMOVE = "rule-remove"


# Reading.


def campaign_rules(*, user: User, campaign: Campaign) -> QuerySet[ValidationRule]:
    """The campaign's rules, for whoever sees the campaign; none for anybody else."""
    return ValidationRule.objects.filter(
        campaign=campaign, campaign__in=visible_campaigns(user)
    ).select_related("left_target", "right_target")


@dataclass(frozen=True)
class Number:
    """One number a rule may compare: a target of the outline and which of its numbers."""

    target: Target
    side: str

    @property
    def key(self) -> str:
        """How the add form names it: "12:numerator"."""
        return f"{self.target.pk}:{self.side}"

    @property
    def label(self) -> str:
        """“CT03 (tử số: vững mạnh)”, “CT10 (kết quả)”."""
        side = str(ValidationRule.Side(self.side).label)
        part = {
            ValidationRule.Side.NUMERATOR: self.target.numerator_label,
            ValidationRule.Side.DENOMINATOR: self.target.denominator_label,
        }.get(ValidationRule.Side(self.side), "")
        part = " ".join(part.split())
        return f"{self.target.code} ({side}: {part})" if part else f"{self.target.code} ({side})"


def sides_of(target: Target) -> list[str]:
    """The numbers a report gives for the target: its result, and its numerator and
    denominator where it is a rate or a share of units (as `ValidationRule.clean` says)."""
    if meaning.is_qualitative(target):
        return []
    sides = [ValidationRule.Side.VALUE.value]
    if meaning.is_ratio(target):
        sides += [ValidationRule.Side.NUMERATOR.value, ValidationRule.Side.DENOMINATOR.value]
    return sides


def rule_numbers(campaign: Campaign) -> list[tuple[Target, list[Number]]]:
    """What a rule of the campaign may compare, target by target in the outline's order:
    the numbers of its targets that give one."""
    found = []
    for target in selectors.report_targets(campaign):
        numbers = [Number(target, side) for side in sides_of(target)]
        if numbers:
            found.append((target, numbers))
    return found


# Writing.


def check_rule(rule: ValidationRule) -> None:
    """Everything `clean()` refuses, a message too long to read, and a rule the campaign
    already has; all at once, by field."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        rule.full_clean()
    except ValidationError as error:
        errors.update(error.error_dict)
    label = capfirst(ValidationRule._meta.get_field("message").verbose_name)
    too_long = limits.too_long(rule.message, MESSAGE_LIMIT, str(label))
    if too_long:
        errors.setdefault("message", []).append(ValidationError(too_long))
    if not errors:
        twin = ValidationRule.objects.filter(
            campaign_id=rule.campaign_id,
            left_target_id=rule.left_target_id,
            left_side=rule.left_side,
            operator=rule.operator,
            right_target_id=rule.right_target_id,
            right_side=rule.right_side,
        ).exclude(pk=rule.pk)
        if twin.exists():
            errors[NON_FIELD_ERRORS] = [ValidationError(_("The campaign already has this rule."))]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rule_add(
    *,
    by: User,
    campaign: Campaign,
    left_target: Target,
    left_side: str,
    operator: str,
    right_target: Target,
    right_side: str,
    message: str = "",
) -> ValidationRule:
    """Add a rule to the campaign: from the next save on, every report is checked
    against it. ValidationError (by field, in the person's language) for what is wrong."""
    require_permission(can_administer(by, campaign))
    rule = ValidationRule(
        campaign=campaign,
        left_target=left_target,
        left_side=left_side,
        operator=operator,
        right_target=right_target,
        right_side=right_side,
        message=message.strip(),
    )
    check_rule(rule)
    rule.save()
    audit.record(by=by, action=Action.ADD, instance=rule, after=audit.snapshot(rule))
    return rule


@transaction.atomic
def rule_change(
    *,
    by: User,
    rule: ValidationRule,
    left_target: Target,
    left_side: str,
    operator: str,
    right_target: Target,
    right_side: str,
    message: str = "",
) -> ValidationRule:
    """Change what a rule compares or says (its campaign stays)."""
    stored = ValidationRule.objects.select_for_update().select_related("campaign").get(pk=rule.pk)
    require_permission(can_administer(by, stored.campaign))
    before = audit.snapshot(stored)
    stored.left_target = left_target
    stored.left_side = left_side
    stored.operator = operator
    stored.right_target = right_target
    stored.right_side = right_side
    stored.message = message.strip()
    check_rule(stored)
    stored.save()
    audit.record(
        by=by, action=Action.CHANGE, instance=stored, before=before, after=audit.snapshot(stored)
    )
    return stored


@transaction.atomic
def rule_remove(*, by: User, rule: ValidationRule) -> None:
    """Remove a rule: reports are no longer checked against it."""
    require_permission(can_administer(by, rule.campaign))
    audit.record(by=by, action=Action.REMOVE, instance=rule, before=audit.snapshot(rule))
    rule.delete()


# The page's add form.

FIELDS = {
    "left_target": "left",
    "left_side": "left",
    "operator": "operator",
    "right_target": "right",
    "right_side": "right",
    "message": "message",
}


@dataclass
class RuleForm:
    """What the add form carried, as typed, so a refused rule comes back as it was;
    `errors` by the form's field ("left", "operator", "right", "message", and "rule" for
    the rule as a whole); `fields` what `rule_add` takes, once read."""

    left: str = ""
    operator: str = ""
    right: str = ""
    message: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def take(self, error: ValidationError) -> None:
        """A refusal of `rule_add`, each message put by the field it is about."""
        for key, messages in error.message_dict.items():
            for message in messages:
                self.refuse(FIELDS.get(key, "rule"), message)


def _read_number(form: RuleForm, name: str) -> tuple[Target, str] | None:
    typed = getattr(form, name)
    target_id, _colon, side = typed.partition(":")
    if not typed or side not in ValidationRule.Side.values:
        form.refuse(name, _("Choose a target's number."))
        return None
    pk = params.whole(target_id)
    target = Target.objects.filter(pk=pk).first() if pk is not None else None
    if target is None:
        # As `clean()` says it of a target outside the outline: whether it exists
        # elsewhere is nobody's business here.
        form.refuse(name, _("This campaign's reports do not give this target."))
        return None
    return target, side


def read_rule_form(post: QueryDict) -> RuleForm:
    form = RuleForm(
        left=post.get("left", "").strip(),
        operator=post.get("operator", "").strip(),
        right=post.get("right", "").strip(),
        message=post.get("message", "").replace("\r\n", "\n").strip(),
    )
    left = _read_number(form, "left")
    if form.operator not in ValidationRule.Operator.values:
        form.refuse("operator", _("Choose how the two numbers must compare."))
    right = _read_number(form, "right")
    if left and right and not form.errors:
        form.fields = {
            "left_target": left[0],
            "left_side": left[1],
            "operator": form.operator,
            "right_target": right[0],
            "right_side": right[1],
            "message": form.message,
        }
    return form
