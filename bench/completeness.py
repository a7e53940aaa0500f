"""Completeness at national scale: the top unit's table and its drill-down by province,
read from the running counts, beside the live recount they replace and a fixed reference
query that shows how noisy the machine is at the time; what keeping the counts adds to a
submission; a full rebuild and a full check.

Every unit below the top gets a report in some state (or none) with INSERT ... SELECT;
completeness reads no figures, so none are made. The counts are then rebuilt, as after
any bulk load.
"""

import datetime

from django.db import connection
from django.db.models.functions import Substr
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.timing import once, timed
from bench.world import national_campaign
from soket.campaigns.models import Campaign
from soket.orgs.models import PATH_STEP, Role, Unit
from soket.reports import completeness, counts, running, selectors, services
from soket.reports.models import Report
from soket.testing import make_user

D = datetime.date
TODAY = D(2016, 1, 5)
# Enough runs for a 90th percentile that means something, on a noisy shared machine.
RUNS = 31


def build_campaign() -> Campaign:
    return national_campaign(code="bench-completeness", title="Tiến độ (tổng hợp)")


def _insert_reports(campaign: Campaign) -> None:
    """Every unit below the top: no report (1 in 25), a draft (1 in 25), returned (1 in 7),
    awaiting review (1 in 5), else accepted; one in 40 submitted after the deadline."""
    on_time = timezone.make_aware(datetime.datetime(2015, 11, 20, 9))
    late = timezone.make_aware(datetime.datetime(2016, 1, 3, 9))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Report._meta.db_table}
              (campaign_id, unit_id, state, revision, first_submitted_at, submitted_at,
               accepted_at, updated_at, is_illustrative, document_number, is_signed,
               drafted_with_submitted)
            SELECT %s, id, s.state, 1,
                   CASE WHEN s.state = 'draft' THEN NULL WHEN id %% 40 = 0 THEN %s ELSE %s END,
                   CASE WHEN s.state = 'draft' THEN NULL ELSE %s END,
                   CASE WHEN s.state = 'accepted' THEN %s END, %s, false, '', false, false
            FROM (
              SELECT id, CASE WHEN id %% 25 = 1 THEN 'draft' WHEN id %% 7 = 0 THEN 'returned'
                              WHEN id %% 5 = 0 THEN 'submitted' ELSE 'accepted' END AS state
              FROM {Unit._meta.db_table} WHERE depth > 0 AND id %% 25 <> 0
            ) s
            """,
            [campaign.pk, late, on_time, on_time, on_time, on_time],
        )
        cursor.execute("ANALYZE")


def live_table(campaign: Campaign, within: Unit) -> list:
    """The table as the page counted it before the running counts: every unit below."""
    rules = counts.basis(campaign)
    units = counts.expected_units(campaign, rules).subtree_of(within, include_self=False)
    return list(counts.tally(units, rules))


def live_branches(campaign: Campaign, within: Unit) -> list:
    rules = counts.basis(campaign)
    units = counts.expected_units(campaign, rules).subtree_of(within, include_self=False)
    branch = Substr("path", 1, (within.depth + 2) * PATH_STEP)
    return list(counts.tally(units.annotate(branch=branch), rules, "branch"))


# A fixed amount of database work, the same on every run and at every scale: how long it
# takes shows how busy the machine is while the figures beside it are measured.
REFERENCE = """
    WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000)
    SELECT count(*) FROM n
"""


def reference_query() -> None:
    with connection.cursor() as cursor:
        cursor.execute(REFERENCE)
        cursor.fetchone()


def _submit_and_withdraw(report: Report, by) -> None:
    services.report_submit(report=report, by=by, warnings_confirmed=True)
    services.report_withdraw(report=report, by=by)


def _counts_of_two_transitions(report: Report) -> None:
    """What a submission and its withdrawal add to their transactions: the totals and
    counts of both (the lock, the rules, the unit, three rows up to the top)."""
    for before, after in (("draft", "submitted"), ("submitted", "draft")):
        running.apply(
            [
                counts.Moved(
                    report_id=report.pk, campaign_id=report.campaign_id, unit_id=report.unit_id,
                    department_id=None, from_state=before, to_state=after,
                    first_submitted_before=report.first_submitted_at,
                    first_submitted_after=report.first_submitted_at,
                )
            ]
        )  # fmt: skip


def run(*, scale: int) -> None:
    print("\nCompleteness")
    campaign = build_campaign()
    once("build the reports in every state (INSERT ... SELECT)", lambda: _insert_reports(campaign))
    print(f"  reports: {Report.objects.filter(campaign=campaign).count():,}")
    once(
        "rebuild the running counts (one grouped query)", lambda: running.rebuild(campaign=campaign)
    )
    top = Unit.objects.get(code="TLD")
    province = Unit.objects.get(code="P31")

    timed("noise reference: a fixed recursive query (same at any scale)", reference_query,
          repeat=RUNS)  # fmt: skip
    timed("completeness, top unit, live recount (as before)",
          lambda: live_table(campaign, top), repeat=7)  # fmt: skip
    rows = timed(
        "completeness, top unit (running counts)",
        lambda: completeness.completeness(campaign=campaign, within=top, today=TODAY),
        repeat=RUNS,
    )
    assert sorted((r["kind_id"], r["expected"]) for r in live_table(campaign, top)) == sorted(
        (row.kind.pk, row.expected) for row in rows
    )
    timed("drill-down by province, live recount (as before)",
          lambda: live_branches(campaign, top), repeat=7)  # fmt: skip
    branches = timed(
        "drill-down by province (running counts)",
        lambda: completeness.completeness_by_branch(campaign=campaign, within=top, today=TODAY),
        repeat=RUNS,
    )
    print(f"  provinces in the drill-down: {len(branches)}")
    timed(
        "completeness, one province (running counts)",
        lambda: completeness.completeness(campaign=campaign, within=province, today=TODAY),
        repeat=RUNS,
    )
    timed("noise reference again", reference_query, repeat=RUNS)

    page = timed(
        "units below the top, first page of 50 (a count and one query)",
        lambda: selectors.units_below(campaign=campaign, roots=[top]),
        repeat=11,
    )
    print(f"  units below the top: {page.total:,}")
    timed(
        "units below the top, returned ones only, page 3",
        lambda: selectors.units_below(
            campaign=campaign, roots=[top], state=Report.State.RETURNED, page=3
        ),
        repeat=11,
    )

    national = make_user("bench-national-approver", top, Role.Kind.APPROVER)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(national)
    url = reverse("campaign_reports", args=[campaign.pk])
    assert client.get(url).status_code == 200
    timed("the whole page for a national approver (test client)",
          lambda: client.get(url), repeat=11)  # fmt: skip

    admin = make_user("bench-completeness-admin")
    admin.is_superuser = True
    admin.save()
    report = Report.objects.filter(
        campaign=campaign, state=Report.State.DRAFT, unit__depth=3
    ).first()
    timed("submit and withdraw a grassroots report (keeps the counts)",
          lambda: _submit_and_withdraw(report, admin), repeat=RUNS)  # fmt: skip
    report.refresh_from_db()
    timed("  of which the totals and counts of both transitions",
          lambda: _counts_of_two_transitions(report), repeat=RUNS)  # fmt: skip
    found = once("check: recount everything and compare", lambda: running.drift(campaign=campaign))
    print(f"  differences found by the check: {len(found)}")
