"""Loads the Lạng Sơn demo. Idempotent: every row is found by its natural key and only
created or brought back to the demo's values, so a second run changes nothing."""

from __future__ import annotations

import dataclasses

from django.contrib.auth.hashers import make_password
from django.db import transaction

from soket.campaigns import parts
from soket.campaigns import services as campaign_services
from soket.campaigns.models import Campaign
from soket.demo import data
from soket.demo.committee import load_demo_committee_tasks
from soket.demo.drafting import load_demo_drafting
from soket.demo.reports import load_demo_reports
from soket.demo.surveys import load_demo_survey
from soket.orgs import services as org_services
from soket.orgs.models import Department, Role, Unit, UnitKind, User
from soket.reports import running
from soket.resolutions.models import ActionProgramme, Resolution, ResolutionTask, ReviewItem, Target


@transaction.atomic
def load_demo() -> None:
    kinds = _load_kinds()
    _load_units(kinds)
    resolutions = _load_resolutions()
    _load_users()
    campaign = _load_campaign(kinds, resolutions)
    load_demo_reports(campaign, actor=User.objects.get(username="quantri"))
    load_demo_committee_tasks(campaign, actor=User.objects.get(username=data.PROVINCE_ADMIN))
    load_demo_drafting(campaign)
    load_demo_survey(campaign)
    _load_validation_rule(campaign)
    # A bulk load, partly behind the services' back: rollups and counts recomputed once.
    running.rebuild(campaign=campaign)


def _load_kinds() -> dict[str, UnitKind]:
    kinds = {}
    for code, name, plural, rank, signing_capacity, abbreviation in data.KINDS:
        kinds[code], _ = UnitKind.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "plural_name": plural,
                "rank": rank,
                "signing_capacity": signing_capacity,
                "abbreviation": abbreviation,
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
    below = Unit.objects.filter(
        code__in=[s.code for s in specs if s.parent_code not in (None, "TLD")]
    )
    for index, unit in enumerate(below.order_by("path")):
        org_services.unit_update(unit=unit, fields={"signer_name": data.placeholder_signer(index)})
    for order, (code, name, title) in enumerate(data.DEPARTMENTS, start=1):
        org_services.department_ensure(
            unit=province,
            code=code,
            name=name,
            order=order,
            signer_title=title,
            signer_name=data.placeholder_signer(order + 1),
        )


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
    """The seed's plan, written and issued by the province's campaign administrator
    through the campaigns service, as anyone would in the product. On a second run each
    part is saved again with the demo's rows; only what differs is changed (by
    amendment, as the plan is issued)."""
    province = Unit.objects.get(code="LS")
    actor = User.objects.get(username=data.PROVINCE_ADMIN)
    fields = data.CAMPAIGN
    items = ReviewItem.objects.filter(code__in=[code for code, *_ in data.REVIEW_ITEMS])
    header = campaign_services.Header(
        kind=fields["kind"],
        title=fields["title"],
        reviewed_from=fields["reviewed_from"],
        reviewed_to=fields["reviewed_to"],
        resolution_ids=tuple(sorted(r.pk for r in resolutions.values())),
        review_item_ids=tuple(sorted(items.values_list("pk", flat=True))),
        preamble=fields["preamble"],
        closing=fields["closing"],
        signing_capacity=fields["signing_capacity"],
        signer_title=fields["signer_title"],
        signer_name=fields["signer_name"],
    )
    campaign = Campaign.objects.filter(code=fields["code"]).first()
    if campaign is None:
        campaign = campaign_services.campaign_create(
            by=actor, owner=province, header=header, code=fields["code"]
        )
    reason = "Khôi phục dữ liệu mẫu" if campaign.is_issued else ""

    def save(service, **rows) -> None:
        service(by=actor, campaign=campaign, revision=campaign.revision, reason=reason, **rows)

    save(campaign_services.campaign_save_header, header=header)
    save(campaign_services.campaign_save_plan,
         rows=_with_ids(_plan_rows(kinds), parts.plan_rows(campaign)))  # fmt: skip
    save(campaign_services.campaign_save_timeline,
         milestones=_timeline_rows(kinds, campaign))  # fmt: skip
    save(campaign_services.campaign_save_committee,
         rows=_with_ids(_committee_rows(), parts.member_rows(campaign)))  # fmt: skip
    save(campaign_services.campaign_save_outline,
         rows=_with_ids(_outline_rows(resolutions), parts.outline_rows(campaign)))  # fmt: skip
    save(campaign_services.campaign_save_participants, rows=[
        parts.ParticipationRow(province.pk, tuple(
            kinds[k].pk for k in ("province", "district", "sector", "grassroots")))
    ])  # fmt: skip
    save(campaign_services.campaign_save_recipients, lines=data.RECIPIENTS)
    if not campaign.is_issued:
        campaign_services.campaign_issue(
            by=actor,
            campaign=campaign,
            revision=campaign.revision,
            is_illustrative=True,
            **data.CAMPAIGN_ISSUE,
        )
    _load_draft_campaign(province, actor, header)
    _load_deployment(campaign, kinds)
    return campaign


def _load_deployment(campaign: Campaign, kinds: dict[str, UnitKind]) -> None:
    """Cao Lộc's federation deploys the issued plan to its grassroots unions with a date
    of its own, through the service, as its administrator would in the product."""
    fields = data.DEPLOYMENT
    unit = Unit.objects.get(code=fields["unit"])
    if Campaign.objects.filter(deployed_from=campaign, owner=unit).exists():
        return
    actor = User.objects.get(username=fields["admin"])
    deployment = campaign_services.campaign_deploy(by=actor, source=campaign, owner=unit)
    milestones = parts.milestone_rows(deployment)
    grassroots = parts.DeadlineRow(
        unit_kind_id=kinds["grassroots"].pk,
        due_on=fields["grassroots_due_on"],
        deliverable=fields["grassroots_deliverable"],
        is_report=True,
    )
    # On the line of the timeline whose period holds the date.
    at = next(
        (
            i
            for i, row in enumerate(milestones)
            if row.starts_on <= grassroots.due_on <= row.ends_on
        ),
        0,
    )
    milestones[at] = dataclasses.replace(
        milestones[at], deadlines=(*milestones[at].deadlines, grassroots)
    )
    campaign_services.campaign_save_timeline(
        by=actor, campaign=deployment, revision=deployment.revision, milestones=milestones
    )
    campaign_services.campaign_issue(
        by=actor,
        campaign=deployment,
        revision=deployment.revision,
        is_illustrative=True,
        **fields["issue"],
    )


def _with_ids(rows: list, stored: list) -> list:
    """The demo's rows, each given the id of the stored row at its place, so a second
    run updates rows in place instead of replacing them."""
    return [
        dataclasses.replace(row, id=stored[i].id) if i < len(stored) else row
        for i, row in enumerate(rows)
    ]


def _plan_rows(kinds: dict[str, UnitKind]) -> list[parts.PlanRow]:
    rows: list[parts.PlanRow] = []

    def add(sections, depth: int) -> None:
        for number, heading, part, body, audience, for_departments, children in sections:
            rows.append(parts.PlanRow(
                part=part, number=number, heading=heading, body=body, depth=depth,
                audience_kind_ids=tuple(sorted(kinds[code].pk for code in audience)),
                for_departments=for_departments,
            ))  # fmt: skip
            add(children, depth + 1)

    add(data.SECTIONS, 0)
    return rows


def _timeline_rows(kinds: dict[str, UnitKind], campaign: Campaign) -> list[parts.MilestoneRow]:
    stored = parts.milestone_rows(campaign)
    rows = []
    for position, (label, text, starts, ends, deadlines) in enumerate(data.MILESTONES):
        old = stored[position] if position < len(stored) else None
        deadline_rows = [
            parts.DeadlineRow(
                unit_kind_id=None if audience == "departments" else kinds[audience].pk,
                due_on=due_on, deliverable=deliverable, is_report=is_report,
            )
            for audience, due_on, deliverable, is_report in deadlines
        ]  # fmt: skip
        rows.append(parts.MilestoneRow(
            label=label, text=text, starts_on=starts, ends_on=ends,
            deadlines=tuple(_with_ids(deadline_rows, list(old.deadlines) if old else [])),
            id=old.id if old else None,
        ))  # fmt: skip
    return rows


def _committee_rows() -> list[parts.MemberRow]:
    accounts = dict(User.objects.values_list("username", "pk"))
    return [
        parts.MemberRow(
            position=position, committee_role=role, name=name, is_illustrative=True,
            user_id=accounts[username] if username else None,
        )
        for name, position, role, username in data.STEERING
    ]  # fmt: skip


def _outline_rows(resolutions: dict[str, Resolution]) -> list[parts.OutlineRow]:
    targets = {t.code: t.pk for t in resolutions["lower"].targets.all()}
    items = dict(ReviewItem.objects.values_list("code", "pk"))
    rows: list[parts.OutlineRow] = []

    def add(sections, depth: int) -> None:
        for number, heading, guidance, target_codes, item_codes, *children in sections:
            rows.append(parts.OutlineRow(
                heading=heading, number=number, guidance=guidance, depth=depth,
                target_ids=tuple(sorted(targets[c] for c in target_codes)),
                review_item_ids=tuple(sorted(items[c] for c in item_codes)),
                is_illustrative=True,
            ))  # fmt: skip
            add(children[0] if children else [], depth + 1)

    add(data.OUTLINE, 0)
    return rows


def _load_draft_campaign(province: Unit, actor: User, issued: campaign_services.Header) -> None:
    """A second plan, not yet issued, from the built-in skeleton: what the province's
    administrator sees of a draft, and its units do not."""
    if Campaign.objects.filter(code=data.DRAFT_CAMPAIGN["code"]).exists():
        return
    fields = data.DRAFT_CAMPAIGN
    campaign_services.campaign_create(
        by=actor,
        owner=province,
        code=fields["code"],
        skeleton=True,
        header=dataclasses.replace(
            issued,
            kind=fields["kind"],
            title=fields["title"],
            reviewed_from=fields["reviewed_from"],
            reviewed_to=fields["reviewed_to"],
            preamble="",
            closing="",
        ),
    )


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
