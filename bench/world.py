"""The campaign the benchmarks share, over the tree bench.hierarchy builds: written and
issued through the campaigns service, as an administrator does on its pages."""

import datetime

from soket.campaigns import parts, services
from soket.campaigns.models import Campaign
from soket.orgs.models import Unit, UnitKind, User
from soket.resolutions.models import Target

D = datetime.date
DUE = D(2015, 12, 31)


def operator() -> User:
    user, _created = User.objects.get_or_create(
        username="bench-operator", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def national_campaign(
    *, code: str, title: str, targets: list[Target] = (), staggered: bool = True
) -> Campaign:
    """An interim campaign of the whole tree: every level takes part and reports, by the
    end of 2015 or, `staggered`, each level ten days before the one above."""
    top = Unit.objects.get(code="TLD")
    by = operator()
    header = parts.Header(
        kind="interim", title=title, reviewed_from=D(2013, 1, 1), reviewed_to=DUE,
        resolution_ids=tuple(sorted({target.resolution_id for target in targets})),
    )  # fmt: skip
    campaign = services.campaign_create(by=by, owner=top, header=header, code=code)

    def save(service, **rows) -> None:
        service(by=by, campaign=campaign, revision=campaign.revision, **rows)

    save(services.campaign_save_outline, rows=[
        parts.OutlineRow("Kết quả", target_ids=tuple(target.pk for target in targets))
    ])  # fmt: skip
    save(services.campaign_save_participants, rows=[
        parts.ParticipationRow(top.pk, tuple(UnitKind.objects.values_list("pk", flat=True)))
    ])  # fmt: skip
    deadlines = tuple(
        parts.DeadlineRow(
            unit_kind_id=kind.pk, deliverable="Báo cáo", is_report=True,
            due_on=DUE - datetime.timedelta(days=10 * (3 - kind.rank) if staggered else 0),
        )
        for kind in UnitKind.objects.exclude(code="confederation")
    )  # fmt: skip
    save(services.campaign_save_timeline, milestones=[
        parts.MilestoneRow(label="12/2015", text="Gửi báo cáo", starts_on=D(2015, 11, 1),
                           ends_on=D(2016, 3, 15), deadlines=deadlines)
    ])  # fmt: skip
    return services.campaign_issue(
        by=by, campaign=campaign, revision=campaign.revision, document_number="1/KH-TLĐ",
        issued_on=D(2015, 11, 1), signing_capacity="TM. ĐOÀN CHỦ TỊCH",
        signer_title="CHỦ TỊCH", signer_name="(minh họa)", is_illustrative=True,
    )  # fmt: skip
