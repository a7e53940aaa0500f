"""Target analysis at national scale (issue 13, point 1): the top unit's analysis of the
20 targets of bench.reporting's campaign — its result from the running totals, the 63
provinces below with their figures, goals, assessments and causes, best and weakest,
the cascade — through the selector and through the whole page (test client), beside
the fixed reference query the completeness benchmark prints to show how busy the
machine is. Then one province and one district, whose list of units below is the
longest (about 190 grassroots unions at 135,000).

It reuses the reporting benchmark's campaign when that ran first, and builds it the same
way otherwise (BENCH_ONLY=analysis).
"""

from django.test import Client
from django.urls import reverse

from bench import reporting
from bench.completeness import reference_query
from bench.timing import once, timed
from soket.analysis import selectors
from soket.campaigns.models import Campaign
from soket.orgs.models import Role, Unit
from soket.reports import rollup
from soket.reports.models import Figure, Report
from soket.testing import make_user

RUNS = 15


def _campaign() -> Campaign:
    campaign = Campaign.objects.filter(code="bench").first()
    if campaign is None:
        campaign = reporting.build_campaign()
        once(
            "build the reports and figures (INSERT ... SELECT)",
            lambda: reporting.build_reports(campaign),
        )
        print(f"  reports: {Report.objects.count():,}   figures: {Figure.objects.count():,}")
    return campaign


def _check(analysis: selectors.Analysis, campaign: Campaign, unit: Unit) -> None:
    """What is timed is right: each result is the rollup of the unit's children."""
    rolled = rollup.children_rollup(campaign=campaign, parents=[unit.pk])
    for row in analysis.rows:
        total = rolled.get((unit.pk, row.target.pk))
        assert row.value == (total.for_target(row.target)[0] if total else None), row.target


def run(*, scale: int) -> None:
    print("\nTarget analysis")
    campaign = _campaign()
    top = Unit.objects.get(code="TLD")
    province = Unit.objects.get(code="P31")
    district = Unit.objects.get(code="P31-D05")
    national = make_user("bench-analysis-national", top, Role.Kind.VIEWER)

    def analyse(unit: Unit, **filters) -> selectors.Analysis:
        return selectors.target_analysis(user=national, campaign=campaign, unit=unit, **filters)

    timed("noise reference: a fixed recursive query (same at any scale)", reference_query,
          repeat=RUNS)  # fmt: skip
    analysis = timed("analysis of the top unit (selector)", lambda: analyse(top), repeat=RUNS)
    _check(analysis, campaign, top)
    print(
        f"  targets: {len(analysis.rows)}   units below: {analysis.expected_below}   "
        f"rows of units: {sum(len(row.units) for row in analysis.rows):,}"
    )
    timed("  with reports not yet accepted, one level",
          lambda: analyse(top, include_submitted=True, kind=province.kind_id),
          repeat=RUNS)  # fmt: skip
    _check(timed("analysis of a province (selector)", lambda: analyse(province), repeat=RUNS),
           campaign, province)  # fmt: skip
    below = timed("analysis of a district (selector)", lambda: analyse(district), repeat=RUNS)
    _check(below, campaign, district)
    print(f"  units below the district: {below.expected_below}")

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(national)
    url = reverse("target_analysis", args=[campaign.pk])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and top.name in page, response.status_code
    assert page.count('id="chi-tieu-') == len(analysis.rows)
    print(f"  page of the top unit: {len(response.content) / 1024:,.0f} KiB")
    timed("the whole page, top unit (test client)", lambda: client.get(url), repeat=RUNS)
    in_district = {"don-vi": district.pk}
    size = len(client.get(url, in_district).content) / 1024
    timed(f"the whole page, a district ({size:,.0f} KiB)",
          lambda: client.get(url, in_district), repeat=RUNS)  # fmt: skip
    first = analysis.rows[0].target
    units = reverse("target_analysis_units", args=[campaign.pk, first.pk])
    htmx = {"HTTP_HX_REQUEST": "true"}
    for label, where in (("top unit", {}), ("a district", in_district)):
        size = len(client.get(units, where, **htmx).content) / 1024
        timed(f"one target's units below, opened, {label} ({size:,.0f} KiB)",
              lambda where=where: client.get(units, where, **htmx), repeat=RUNS)  # fmt: skip
    timed("noise reference again", reference_query, repeat=RUNS)
