"""Loads the Lạng Sơn demo. Idempotent: every row is found by its natural key and only
created or brought back to the demo's values, so a second run changes nothing."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from soket.campaigns.models import (
    Campaign,
    Deadline,
    Milestone,
    OutlineSection,
    Participation,
    PlanSection,
    Recipient,
    SteeringMember,
)
from soket.demo import data
from soket.demo.reports import load_demo_reports
from soket.orgs import services as org_services
from soket.orgs.models import Department, Role, Unit, UnitKind, User
from soket.reports import running
from soket.resolutions.models import ActionProgramme, Resolution, ResolutionTask, ReviewItem, Target


@transaction.atomic
def load_demo() -> None:
    kinds = _load_kinds()
    _load_units(kinds)
    resolutions = _load_resolutions()
    campaign = _load_campaign(kinds, resolutions)
    _load_users()
    load_demo_reports(campaign, actor=User.objects.get(username="quantri"))
    _load_validation_rule(campaign)
    # A bulk load, partly behind the services' back: rollups and counts recomputed once.
    running.rebuild(campaign=campaign)


def _load_kinds() -> dict[str, UnitKind]:
    kinds = {}
    for code, name, plural, rank, signing_capacity in data.KINDS:
        kinds[code], _ = UnitKind.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "plural_name": plural,
                "rank": rank,
                "signing_capacity": signing_capacity,
            },
        )
    return kinds


def _unit_specs(kinds: dict[str, UnitKind]) -> list[org_services.UnitSpec]:
    spec = org_services.UnitSpec
    code, name, abbreviation, place = data.CONFEDERATION
    specs = [spec(code, name, kinds["confederation"], None, abbreviation=abbreviation, place=place)]
    code, name, abbreviation, place = data.PROVINCE
    specs.append(spec(code, name, kinds["province"], "TLD", abbreviation=abbreviation, place=place))
    parents = [(c, n, p, False, "district") for c, n, p in data.DISTRICTS]
    parents += [(c, n, p, True, "sector") for c, n, p in data.SECTORS]
    closed_code, closed_on = data.CLOSED_GRASSROOTS
    for code, name, place, illustrative, kind in parents:
        specs.append(
            spec(
                code,
                name,
                kinds[kind],
                "LS",
                abbreviation="LĐLĐ" if kind == "district" else "CĐN",
                place=place if kind == "district" else "Lạng Sơn",
                is_illustrative=illustrative,
            )
        )
        for number in range(1, data.GRASSROOTS_PER_PARENT + 1):
            child = f"{code}-{number:02d}"
            specs.append(
                spec(
                    child,
                    f"Công đoàn cơ sở mẫu số {number} ({place})",
                    kinds["grassroots"],
                    code,
                    closed_on=closed_on if child == closed_code else None,
                    place=place,
                    is_illustrative=True,
                )
            )
    code, place, opened_on = data.OPENED_GRASSROOTS
    parent = code.rsplit("-", 1)[0]
    specs.append(
        spec(
            code,
            f"Công đoàn cơ sở mẫu số 3 ({place})",
            kinds["grassroots"],
            parent,
            opened_on=opened_on,
            place=place,
            is_illustrative=True,
        )
    )
    return specs


def _load_units(kinds: dict[str, UnitKind]) -> None:
    specs = _unit_specs(kinds)
    existing = {unit.code: unit for unit in Unit.objects.filter(code__in=[s.code for s in specs])}
    org_services.units_create(specs=[s for s in specs if s.code not in existing])
    for s in specs:
        unit = existing.get(s.code)
        if unit is None:
            continue
        fields = {
            "name": s.name,
            "kind": s.kind,
            "opened_on": s.opened_on,
            "closed_on": s.closed_on,
            "abbreviation": s.abbreviation,
            "place": s.place,
            "is_illustrative": s.is_illustrative,
        }
        org_services.unit_update(unit=unit, fields=fields)
    province = Unit.objects.get(code="LS")
    org_services.unit_update(unit=province, fields={"signer_name": data.PROVINCE_SIGNER})
    for order, (code, name) in enumerate(data.DEPARTMENTS, start=1):
        org_services.department_ensure(unit=province, code=code, name=name, order=order)


def _load_resolutions() -> dict[str, Resolution]:
    for code, title, reference in data.REVIEW_ITEMS:
        ReviewItem.objects.update_or_create(
            code=code, defaults={"title": title, "reference": reference}
        )
    confederation = Unit.objects.get(code="TLD")
    province = Unit.objects.get(code="LS")
    higher, _ = Resolution.objects.update_or_create(
        code=data.CONFEDERATION_RESOLUTION["code"],
        defaults={**data.CONFEDERATION_RESOLUTION, "issuer": confederation},
    )
    lower, _ = Resolution.objects.update_or_create(
        code=data.PROVINCE_RESOLUTION["code"],
        defaults={**data.PROVINCE_RESOLUTION, "issuer": province, "implements": higher},
    )
    for resolution in (higher, lower):
        for number, title in data.PROGRAMMES:
            ActionProgramme.objects.update_or_create(
                resolution=resolution,
                number=number,
                defaults={"title": title, "is_illustrative": True},
            )
    for order, text in enumerate(data.TASKS, start=1):
        ResolutionTask.objects.update_or_create(
            resolution=lower, order=order, defaults={"text": text, "is_illustrative": True}
        )
    higher_targets = _load_targets(higher, [(*row, []) for row in data.CONFEDERATION_TARGETS])
    _load_targets(lower, data.PROVINCE_TARGETS, higher_targets)
    return {"higher": higher, "lower": lower}


def _load_targets(resolution: Resolution, rows, sources: dict[str, Target] | None = None):
    programmes = {p.number: p for p in resolution.programmes.all()}
    targets = {}
    for order, row in enumerate(rows, start=1):
        (
            code,
            wording,
            unit,
            direction,
            goal,
            aggregation,
            numerator,
            denominator,
            programme,
            derived,
        ) = row
        target, _ = Target.objects.update_or_create(
            resolution=resolution,
            code=code,
            defaults={
                "order": order,
                "wording": wording,
                "unit_of_measure": unit,
                "direction": direction,
                "goal_value": goal,
                "aggregation": aggregation,
                "numerator_label": numerator,
                "denominator_label": denominator,
                "programme": programmes.get(programme),
                "is_illustrative": True,
                # Money collected against the plan: an amount, which may pass the plan.
                "number_kind": Target.NumberKind.AMOUNT if code in MONEY else "",
                "numerator_may_exceed_denominator": code in MONEY,
            },
        )
        target.derived_from.set([sources[c] for c in derived] if sources else [])
        targets[code] = target
    return targets


MONEY = {"CT08", "TLĐ-07"}  # union fees collected against the plan


def _load_campaign(kinds: dict[str, UnitKind], resolutions: dict[str, Resolution]) -> Campaign:
    province = Unit.objects.get(code="LS")
    fields = dict(data.CAMPAIGN)
    campaign, _ = Campaign.objects.update_or_create(
        code=fields.pop("code"), defaults={**fields, "owner": province}
    )
    campaign.resolutions.set(resolutions.values())
    campaign.review_items.set(
        ReviewItem.objects.filter(code__in=[c for c, *_ in data.REVIEW_ITEMS])
    )

    counter = iter(range(1, 1000))

    def add_sections(rows, parent):
        for number, heading, part, body, audience, for_departments, children in rows:
            section, _ = PlanSection.objects.update_or_create(
                campaign=campaign,
                order=next(counter),
                defaults={
                    "parent": parent,
                    "number": number,
                    "heading": heading,
                    "part": part,
                    "body": body,
                    "for_departments": for_departments,
                },
            )
            section.audience_kinds.set([kinds[code] for code in audience])
            add_sections(children, section)

    add_sections(data.SECTIONS, None)
    PlanSection.objects.filter(campaign=campaign, order__gte=next(counter)).delete()

    for order, (label, text, starts, ends, deadlines) in enumerate(data.MILESTONES, start=1):
        milestone, _ = Milestone.objects.update_or_create(
            campaign=campaign,
            order=order,
            defaults={"label": label, "text": text, "starts_on": starts, "ends_on": ends},
        )
        for audience, due_on, deliverable, is_report in deadlines:
            departments = audience == "departments"
            Deadline.objects.update_or_create(
                milestone=milestone,
                unit_kind=None if departments else kinds[audience],
                for_departments=departments,
                deliverable=deliverable,
                defaults={"due_on": due_on, "is_report": is_report},
            )

    for order, (name, position, role) in enumerate(data.STEERING, start=1):
        SteeringMember.objects.update_or_create(
            campaign=campaign,
            order=order,
            defaults={
                "name": name,
                "position": position,
                "committee_role": role,
                "is_illustrative": True,
            },
        )
    for order, text in enumerate(data.RECIPIENTS, start=1):
        Recipient.objects.update_or_create(campaign=campaign, order=order, defaults={"text": text})

    targets = {t.code: t for t in resolutions["lower"].targets.all()}
    items = {i.code: i for i in ReviewItem.objects.all()}
    outline_counter = iter(range(1, 1000))

    def add_outline(rows, parent):
        for number, heading, guidance, target_codes, item_codes, *children in rows:
            section, _ = OutlineSection.objects.update_or_create(
                campaign=campaign,
                order=next(outline_counter),
                defaults={
                    "parent": parent,
                    "number": number,
                    "heading": heading,
                    "guidance": guidance,
                    "is_illustrative": True,
                },
            )
            section.targets.set([targets[c] for c in target_codes])
            section.review_items.set([items[c] for c in item_codes])
            add_outline(children[0] if children else [], section)

    add_outline(data.OUTLINE, None)

    participation, _ = Participation.objects.get_or_create(campaign=campaign, root=province)
    participation.kinds.set([kinds[k] for k in ("province", "district", "sector", "grassroots")])
    return campaign


def _load_users() -> None:
    """The demo's people and their roles. Argon2 spends a quarter of a second on a hash,
    so the shared password is hashed once and given to every new account."""
    rows = data.USERS + data.grassroots_users()
    usernames = [row[0] for row in rows]
    existing = {user.username: user for user in User.objects.filter(username__in=usernames)}
    new = [(username, full_name) for username, full_name, *_ in rows if username not in existing]
    if new:
        password = make_password(data.PASSWORD)
        User.objects.bulk_create(
            User(username=username, full_name=full_name, password=password)
            for username, full_name in new
        )
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    for username, full_name, *_ in rows:
        if username in existing and existing[username].full_name != full_name:
            User.objects.filter(pk=existing[username].pk).update(full_name=full_name)
    superusers = [username for username, *_, superuser in rows if superuser]
    User.objects.filter(username__in=superusers).exclude(is_superuser=True, is_staff=True).update(
        is_superuser=True, is_staff=True
    )
    units = {unit.code: unit for unit in Unit.objects.filter(code__in={r[2] for r in rows if r[2]})}
    departments = {
        (department.unit_id, department.code): department
        for department in Department.objects.filter(unit__in=units.values())
    }
    held: set[tuple[int, int, int | None, str]] = set(
        Role.objects.filter(user__in=users.values()).values_list(
            "user_id", "unit_id", "department_id", "kind"
        )
    )
    wanted = []
    for username, _full_name, unit_code, department_code, kind, _superuser in rows:
        if not unit_code:
            continue
        unit = units[unit_code]
        department = departments[(unit.pk, department_code)] if department_code else None
        key = (users[username].pk, unit.pk, department.pk if department else None, kind)
        if key not in held:
            held.add(key)
            wanted.append(Role(user=users[username], unit=unit, department=department, kind=kind))
    Role.objects.bulk_create(wanted)


def _load_validation_rule(campaign) -> None:
    """A rule across targets, as a campaign administrator adds one (reports/validation.py):
    the unions whose finances were inspected (CT10) are among the unions counted for
    CT02. Added after the demo's reports, whose illustrative figures predate it: a rule
    is checked when a save changes one of its figures."""
    from soket.reports.models import ValidationRule

    found = Target.objects.filter(
        resolution__in=campaign.resolutions.all(), code__in=["CT02", "CT10"]
    )
    targets = {t.code: t for t in found}
    if len(targets) < 2:
        return
    ValidationRule.objects.get_or_create(
        campaign=campaign,
        left_target=targets["CT10"],
        left_side=ValidationRule.Side.VALUE,
        operator=ValidationRule.Operator.AT_MOST,
        right_target=targets["CT02"],
        right_side=ValidationRule.Side.DENOMINATOR,
        defaults={
            "message": "Số công đoàn cơ sở được kiểm tra tài chính không thể nhiều hơn tổng "
            "số công đoàn cơ sở của đơn vị (mẫu số của CT02): kiểm tra lại hai số này."
        },
    )
