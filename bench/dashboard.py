"""The dashboard at national scale (issue 13, point 2): the top unit's page (the counts
per level, the achievement matrix of the 63 provinces × 20 targets) and each of its
charts — who sent day by day (the provinces, then every grassroots union in the country:
one grouped query over 135,000 units), the assessments target by target, one target's
provinces — through the test client (server time: query, drawing, SVG), beside the
fixed reference query the completeness benchmark prints to show how busy the machine
is. Each chart cold (drawn: the drawing cache emptied first) and warm (the same data,
its bytes from the cache; the queries still run). Then one chart drawn as PNG for Word,
and a district's page (about 190 unions).

It reuses the reporting benchmark's campaign when that ran first (bench.analysis builds
it otherwise: BENCH_ONLY=dashboard).
"""

from django.test import Client
from django.urls import reverse

from bench import analysis
from bench.completeness import reference_query
from bench.timing import timed
from soket.analysis import dashboard, selectors
from soket.analysis.charts import drawing_cache
from soket.orgs.models import Role, Unit, UnitKind
from soket.reports import lateness
from soket.testing import make_user

RUNS = 15


def cold(client: Client, url: str, query: dict):
    """A request whose chart is drawn: none is in the cache."""
    drawing_cache().clear()
    return client.get(url, query)


def run(*, scale: int) -> None:
    print("\nDashboard")
    campaign = analysis._campaign()
    top = Unit.objects.get(code="TLD")
    district = Unit.objects.get(code="P31-D05")
    grassroots = UnitKind.objects.filter(units__parent=district).distinct().get()
    national = make_user("bench-dashboard-national", top, Role.Kind.VIEWER)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(national)

    timed("noise reference: a fixed recursive query (same at any scale)", reference_query,
          repeat=RUNS)  # fmt: skip
    everywhere = timed(
        "progress of every grassroots union (selector, one query)",
        lambda: dashboard.progress(campaign=campaign, within=top, kind=grassroots,
                                   today=lateness.today()),
        repeat=RUNS,
    )  # fmt: skip
    print(f"  expected: {everywhere.expected:,}   sent on time: {everywhere.on_time:,}   "
          f"late: {everywhere.late:,}   due dates: {len(everywhere.deadlines)}")  # fmt: skip

    page = reverse("dashboard", args=[campaign.pk])
    response = client.get(page)
    assert response.status_code == 200 and top.name in response.content.decode()
    cells = response.content.decode().count('<td class="cell ')
    print(f"  page of the top unit: {len(response.content) / 1024:,.0f} KiB, {cells:,} cells")
    timed("the dashboard page, top unit (test client)", lambda: client.get(page), repeat=RUNS)

    top_analysis = selectors.target_analysis(user=national, campaign=campaign, unit=top)
    first = next(row.target for row in top_analysis.rows if dashboard.charted(row))
    charts = {
        "who sent, the provinces": ("tien-do", {}),
        "who sent, every grassroots union": ("tien-do", {"cap": grassroots.pk}),
        "assessments, target by target": ("danh-gia", {}),
        "one target's provinces": ("chi-tieu", {"chi-tieu": first.pk}),
    }
    # Cold: the drawing cache emptied before each request (the first view of new data);
    # warm: the same data drawn before (the queries run, the drawing is the cached bytes).
    for label, (name, query) in charts.items():
        url = reverse("dashboard_chart_svg", args=[campaign.pk, name])
        drawing_cache().clear()
        answer = client.get(url, query)
        assert answer.status_code == 200 and answer["Content-Type"] == "image/svg+xml", label
        size = len(answer.content) / 1024
        timed(f"  chart: {label} (SVG, {size:,.0f} KiB), cold",
              lambda url=url, query=query: cold(client, url, query), repeat=RUNS)  # fmt: skip
        timed("    the same, warm", lambda url=url, query=query: client.get(url, query),
              repeat=RUNS)  # fmt: skip
    png = reverse("dashboard_chart_png", args=[campaign.pk, "danh-gia"])
    timed("  the same assessments chart as PNG (for Word), cold",
          lambda: cold(client, png, {}), repeat=RUNS)  # fmt: skip
    timed("    the same, warm", lambda: client.get(png), repeat=RUNS)
    timed("noise reference between", reference_query, repeat=RUNS)

    in_district = {"don-vi": district.pk}
    size = len(client.get(page, in_district).content) / 1024
    timed(f"the dashboard page, a district ({size:,.0f} KiB)",
          lambda: client.get(page, in_district), repeat=RUNS)  # fmt: skip
    timed("noise reference again", reference_query, repeat=RUNS)
