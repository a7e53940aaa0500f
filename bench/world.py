"""The campaign the benchmarks share, over the tree bench.hierarchy builds."""

import datetime

from soket.campaigns.models import Campaign, Deadline, Milestone, OutlineSection, Participation
from soket.orgs.models import Unit, UnitKind
from soket.resolutions.models import Target

D = datetime.date
DUE = D(2015, 12, 31)


def national_campaign(
    *, code: str, title: str, targets: list[Target] = (), staggered: bool = True
) -> Campaign:
    """An interim campaign of the whole tree: every level takes part and reports, by the
    end of 2015 or, `staggered`, each level ten days before the one above."""
    top = Unit.objects.get(code="TLD")
    campaign = Campaign.objects.create(
        code=code, owner=top, kind="interim", title=title,
        reviewed_from=D(2013, 1, 1), reviewed_to=DUE,
    )  # fmt: skip
    if targets:
        section = OutlineSection.objects.create(campaign=campaign, order=1, heading="Kết quả")
        section.targets.set(targets)
    Participation.objects.create(campaign=campaign, root=top).kinds.set(UnitKind.objects.all())
    milestone = Milestone.objects.create(
        campaign=campaign, order=1, label="12/2015", text="Gửi báo cáo",
        starts_on=D(2015, 11, 1), ends_on=D(2016, 3, 15),
    )  # fmt: skip
    for kind in UnitKind.objects.exclude(code="confederation"):
        days_early = 10 * (3 - kind.rank) if staggered else 0
        Deadline.objects.create(
            milestone=milestone, unit_kind=kind, deliverable="Báo cáo", is_report=True,
            due_on=DUE - datetime.timedelta(days=days_early),
        )  # fmt: skip
    return campaign
