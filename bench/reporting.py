"""Reporting at national scale: every grassroots union's accepted report with 20 target
figures, every higher level's report drafted from below, then the full rollup of all
levels (the completeness pages are in completeness.py).

The data is generated with INSERT ... SELECT, level by level, so building 2.7 million
figures takes seconds; what is timed is Soket's own code.
"""

import datetime

from django.db import connection
from django.utils import timezone

from bench.timing import once, timed
from bench.world import national_campaign
from soket.campaigns.models import Campaign
from soket.orgs.models import Unit
from soket.reports import counts, rollup, running, services
from soket.reports.models import Figure, Report
from soket.resolutions.models import Resolution, Target
from soket.testing import make_target

TARGETS = 20
D = datetime.date


def build_campaign() -> Campaign:
    top = Unit.objects.get(code="TLD")
    resolution = Resolution.objects.create(
        code="bench", title="Nghị quyết (tổng hợp)", congress="Đại hội (tổng hợp)",
        term_start_year=2013, term_end_year=2018, issuer=top,
    )  # fmt: skip
    rules = ["sum", "sum", "ratio", "share_meeting"]
    targets = [
        make_target(resolution, f"T{n:02d}", rules[n % len(rules)], 50, order=n)
        for n in range(TARGETS)
    ]
    return national_campaign(code="bench", title="Sơ kết toàn quốc (tổng hợp)", targets=targets)


def _insert_reports(campaign: Campaign, depth: int, at: datetime.datetime) -> None:
    """One accepted report for every unit at `depth` (every 40th late, every 25th missing)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Report._meta.db_table}
              (campaign_id, unit_id, state, revision, first_submitted_at, submitted_at,
               accepted_at, updated_at, is_illustrative, document_number, is_signed,
               drafted_with_submitted)
            SELECT %s, id, 'accepted', 1, %s, %s, %s, %s, false, '', false, false
            FROM {Unit._meta.db_table} WHERE depth = %s AND id %% 25 <> 0
            """,
            [campaign.pk, at, at, at, at, depth],
        )


def _insert_leaf_figures(campaign: Campaign, depth: int) -> None:
    report, figure, target = Report._meta.db_table, Figure._meta.db_table, Target._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {figure} (report_id, target_id, value, numerator, denominator,
                assessment_override, override_reason, causes)
            SELECT r.id, t.id, (r.id * 7 + t.id) %% 97, (r.id + t.id) %% 11, 10, '', '', ''
            FROM {report} r JOIN {Unit._meta.db_table} u ON u.id = r.unit_id
            CROSS JOIN {target} t
            WHERE r.campaign_id = %s AND u.depth = %s
            """,
            [campaign.pk, depth],
        )


def _insert_drafted_figures(campaign: Campaign, depth: int) -> None:
    """Figures of the level at `depth`: the sums of its children's, as a drafter would take.

    The joins are written in the order the data flows (units, their reports, their
    figures, the parents' reports): SQLite keeps the order of CROSS JOIN, PostgreSQL
    plans it freely.
    """
    report, figure, unit = Report._meta.db_table, Figure._meta.db_table, Unit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {figure} (report_id, target_id, value, numerator, denominator,
                drafted_value, drafted_numerator, drafted_denominator,
                assessment_override, override_reason, causes)
            SELECT pr.id, f.target_id, SUM(f.value), SUM(f.numerator), SUM(f.denominator),
                   SUM(f.value), SUM(f.numerator), SUM(f.denominator), '', '', ''
            FROM {unit} cu
            CROSS JOIN {report} cr
            CROSS JOIN {figure} f
            CROSS JOIN {report} pr
            WHERE cu.depth = %s
              AND cr.unit_id = cu.id AND cr.campaign_id = %s
              AND f.report_id = cr.id
              AND pr.unit_id = cu.parent_id AND pr.campaign_id = %s
            GROUP BY pr.id, f.target_id
            """,
            [depth + 1, campaign.pk, campaign.pk],
        )


def _analyze() -> None:
    """Refresh the planner's statistics: after a bulk load, SQLite plans badly without them."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def build_reports(campaign: Campaign) -> None:
    deepest = Unit.objects.order_by("-depth").values_list("depth", flat=True).first()
    at = timezone.make_aware(datetime.datetime(2015, 12, 20, 9))
    for depth in range(deepest, -1, -1):
        _insert_reports(campaign, depth, at)
    _insert_leaf_figures(campaign, deepest)
    _analyze()
    for depth in range(deepest - 1, -1, -1):
        _insert_drafted_figures(campaign, depth)
    _analyze()
    # The reports came in behind the services' back: compute their running totals and counts.
    running.rebuild(campaign=campaign)
    _analyze()


def _accept_again(report: Report) -> None:
    """One acceptance through the service, then back to submitted for the next round."""
    services.report_accept(report=report, by=_admin())
    Report.objects.filter(pk=report.pk).update(state=Report.State.SUBMITTED)
    running.apply(
        [
            counts.Moved(
                report_id=report.pk, campaign_id=report.campaign_id, unit_id=report.unit_id,
                department_id=None, from_state=Report.State.ACCEPTED,
                to_state=Report.State.SUBMITTED, first_submitted_before=report.first_submitted_at,
                first_submitted_after=report.first_submitted_at,
            )
        ]
    )  # fmt: skip


def _admin():
    from soket.orgs.models import User

    admin, _created = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True}
    )
    return admin


def run(*, scale: int) -> None:
    print("\nReporting")
    campaign = build_campaign()
    once("build the reports and figures (INSERT ... SELECT)", lambda: build_reports(campaign))
    print(f"  reports: {Report.objects.count():,}   figures: {Figure.objects.count():,}")
    province = Unit.objects.get(code="P31")

    def full_rollup():
        return rollup.children_rollup(campaign=campaign)

    timed("rebuild the running totals from every figure (one GROUP BY)",
          lambda: rollup.rebuild(campaign=campaign), repeat=1)  # fmt: skip
    rolled = timed("full rollup, all levels (from the running totals)", full_rollup, repeat=5)
    print(f"  parent x target rows rolled up: {len(rolled):,}")
    report = Report.objects.filter(campaign=campaign, unit__depth=3).first()
    report.state = Report.State.SUBMITTED
    Report.objects.filter(pk=report.pk).update(state=Report.State.SUBMITTED)
    timed(
        "accept one grassroots report (keeps the totals)",
        lambda: _accept_again(report),
        repeat=5,
    )
    timed(
        "rollup of one province's children",
        lambda: rollup.children_rollup(campaign=campaign, parents=[province.pk]),
    )
