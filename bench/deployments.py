"""Deployments at national scale: the plan's report dates when every district federation
has deployed it (triển khai) with a grassroots report deadline of its own, beside the
same plan with no deployment.

A plan of its own over the tree bench.hierarchy builds; every unit below the top gets a
report in some state (or none), first sent on days spread from 20/11/2015 to 03/01/2016
so the deployed dates (01/12 to 21/12, one of 21 days a district) move who is late.
People are bulk-made (no passwords): a reporter at one grassroots union in ten, an
approver at every federation, a campaign administrator at every district.

Measured with no deployment, then with every district's: counts.rebuild(plan) (each run
after the first writes nothing); completeness.late_units(...).count() at the top (held
against a count in Python with ReportDates.due_on) and in one district; the completeness
table at the top on a day all dates have passed and on one some have not; the first page
of the units below the top (selectors.units_below); loading report_dates(plan), with the
size of the SQL its CASE makes; and reminders.sweep, in a transaction rolled back, on a
day every deployed deadline is past its overdue step (24/12/2015) and on one the plan's
own grassroots deadline is too (04/01/2016). Largest statement: its SQL and parameters
in characters. A fixed reference query shows how busy the machine is.

The deployments are made through the campaign services (campaign_deploy, then
campaign_save_timeline with the district's date, then campaign_issue), each by the
district's own campaign administrator, as on the plan's page: for the operator
superuser every unit of the tree is a candidate of campaigns.selectors.deploying_units,
timed on its own (cut at DEPLOYING_TIMEOUT on PostgreSQL). While they are made the
plan's running counts are dropped, as if never counted, so that no issue recounts them;
one district is left to deploy once they are counted again, to time an issue then.
"""

import dataclasses
import datetime
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from bench.completeness import reference_query
from bench.timing import once
from bench.world import national_campaign, operator
from soket.campaigns import selectors as campaign_selectors
from soket.campaigns import services
from soket.campaigns.deadlines import report_dates
from soket.campaigns.models import Campaign, Deadline
from soket.campaigns.parts import milestone_rows
from soket.notices.models import Notice
from soket.orgs.models import Role, Unit, UnitKind, User
from soket.reports import completeness, counts, lateness, locking, reminders, selectors
from soket.reports.models import CompletenessCount, CountedCampaign, Report

D = datetime.date
TODAY = D(2016, 1, 5)  # the reading day of late_units
MIXED_DAY = D(2015, 12, 10)  # some deployed grassroots dates have passed, others not
SWEEP_DAYS = (D(2015, 12, 24), D(2016, 1, 4))
DEPLOYED_ISSUED_ON = D(2015, 11, 10)
LATEST_DEPLOYED = D(2015, 12, 21)  # the districts' own report date in the plan
DEPLOYED_DAYS = 21  # a district's grassroots date: one of the 21 days up to LATEST_DEPLOYED
FIRST_SENT = datetime.datetime(2015, 11, 20, 9)
SENT_DAYS = 45  # first submissions spread over 45 days from FIRST_SENT
RUNS = 11
DEPLOYING_TIMEOUT = 120  # seconds


def deployed_due_on(index: int) -> datetime.date:
    return LATEST_DEPLOYED - datetime.timedelta(days=index % DEPLOYED_DAYS)


# The world.


def _insert_reports(plan: Campaign) -> None:
    """Every unit below the top: no report (1 in 25), a draft (1 in 25), returned (1 in 7),
    awaiting review (1 in 5), else accepted; first sent on one of SENT_DAYS days."""
    for offset in range(SENT_DAYS):
        sent = timezone.make_aware(FIRST_SENT + datetime.timedelta(days=offset), lateness.zone())
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {Report._meta.db_table}
                  (campaign_id, unit_id, state, revision, first_submitted_at, submitted_at,
                   accepted_at, updated_at, is_illustrative, document_number, is_signed,
                   drafted_with_submitted)
                SELECT %s, id, s.state, 1,
                       CASE WHEN s.state = 'draft' THEN NULL ELSE %s END,
                       CASE WHEN s.state = 'draft' THEN NULL ELSE %s END,
                       CASE WHEN s.state = 'accepted' THEN %s END, %s, false, '', false, false
                FROM (
                  SELECT id, CASE WHEN id %% 25 = 1 THEN 'draft' WHEN id %% 7 = 0 THEN 'returned'
                                  WHEN id %% 5 = 0 THEN 'submitted' ELSE 'accepted' END AS state
                  FROM {Unit._meta.db_table}
                  WHERE depth > 0 AND id %% 25 <> 0 AND id %% %s = %s
                ) s
                """,
                [plan.pk, sent, sent, sent, sent, SENT_DAYS, offset],
            )


def _add_people() -> dict[int, User]:
    """A reporter at one grassroots union in ten, an approver at every federation and a
    campaign administrator at every district, in bulk; returns the districts' ones."""
    grassroots, district = (
        UnitKind.objects.get(code="grassroots"),
        UnitKind.objects.get(code="district"),
    )
    units = Unit.objects.filter(depth__gt=0).values_list("pk", "code", "kind_id")
    wanted: list[tuple[int, str, str]] = []
    for pk, code, kind_id in units:
        if kind_id != grassroots.pk:
            wanted.append((pk, code, Role.Kind.APPROVER))
            if kind_id == district.pk:
                wanted.append((pk, code, Role.Kind.CAMPAIGN_ADMIN))
        elif pk % 10 == 0:
            wanted.append((pk, code, Role.Kind.REPORTER))
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench-deploy-{kind}-{code}", full_name=f"{kind} {code}",
                email=f"{kind}.{code}@bench.invalid", password="!bench",
            )
            for _pk, code, kind in wanted
        ],
        batch_size=5000,
    )  # fmt: skip
    Role.objects.bulk_create(
        [
            Role(user_id=user.pk, unit_id=pk, kind=kind)
            for user, (pk, _code, kind) in zip(users, wanted, strict=True)
        ],
        batch_size=5000,
    )
    return {
        pk: user
        for user, (pk, _code, kind) in zip(users, wanted, strict=True)
        if kind == Role.Kind.CAMPAIGN_ADMIN
    }


# Measuring.


def _median(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    durations, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        durations.append((time.perf_counter() - start) * 1000)
    return statistics.median(durations), result


def _rebuild(plan: Campaign) -> int:
    """counts.rebuild as running.rebuild calls it: under the plan's exclusive lock."""
    with transaction.atomic():
        locking.exclusive([plan.pk])
        return counts.rebuild(plan)


class Statements:
    """Counts the statements run inside it and keeps the size of the largest (its SQL and
    parameters in characters: about what the database receives once they are bound)."""

    def __init__(self) -> None:
        self.count, self.largest = 0, 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        size = len(sql) + (0 if many else sum(len(str(param)) for param in params or ()))
        self.largest = max(self.largest, size)
        return execute(sql, params, many, context)

    def __enter__(self) -> "Statements":
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._wrapper.__exit__(*exc)


def _largest_statement(call: Callable[[], Any]) -> tuple[int, int]:
    """The size of the largest statement `call` runs, and how many it runs."""
    with Statements() as statements:
        call()
    return statements.largest, statements.count


def _sweep(day: datetime.date, chain: set[int]) -> dict[str, Any]:
    """One sweep on `day`, rolled back: its time, notices (of this plan and its
    deployments' deadlines) and statements."""
    with transaction.atomic():
        with Statements() as statements:
            start = time.perf_counter()
            sent = reminders.sweep(today=day)
            elapsed = time.perf_counter() - start
        ids = set(
            Deadline.objects.filter(milestone__campaign__in=chain).values_list("pk", flat=True)
        )
        keys = Notice.objects.filter(key__regex=r"^(reminder|escalation):").values_list(
            "key", flat=True
        )
        ours = sum(1 for key in keys if int(key.split(":")[1]) in ids)
        transaction.set_rollback(True)
    return {"s": elapsed, "sent": sent, "ours": ours, "queries": statements.count}


def _python_late(plan: Campaign) -> int:
    """Late units below the top by TODAY, counted in Python with ReportDates.due_on: the
    check of the SQL CASE."""
    rules = counts.basis(plan)
    rows = (
        counts.expected_units(plan, rules)
        .filter(parent__isnull=False)
        .annotate(sent=F("report__first_submitted_at"))  # `report`: unknown to django-stubs
        .values_list("kind_id", "path", "sent")
    )
    late = 0
    for kind_id, path, sent in rows.iterator(chunk_size=10000):
        due_on = rules.dates.due_on(kind_id, path)
        if sent is None:
            late += lateness.is_past(due_on, TODAY)
        else:
            late += lateness.is_late(sent, due_on) and lateness.local_date(sent) <= TODAY
    return late


def measure(plan: Campaign, chain: set[int]) -> dict[str, Any]:
    top, district = Unit.objects.get(code="TLD"), Unit.objects.get(code="P31-D05")
    figures: dict[str, Any] = {}
    figures["noise"], _ = _median(reference_query, 31)
    figures["rebuild"], figures["rebuild_rows"] = _median(lambda: _rebuild(plan), 5)
    figures["rebuild_sql"] = _largest_statement(lambda: _rebuild(plan))
    for name, within in (("late", top), ("district", district)):

        def count(within: Unit = within) -> int:
            return completeness.late_units(campaign=plan, within=within, today=TODAY).count()

        figures[name], figures[f"{name}_count"] = _median(count, RUNS)
        figures[f"{name}_sql"] = _largest_statement(count)
    assert figures["late_count"] == _python_late(plan), "the SQL CASE and Python disagree"
    figures["top_late"] = sum(
        CompletenessCount.objects.filter(campaign=plan, ancestor=top).values_list("late", flat=True)
    )
    for day in (TODAY, MIXED_DAY):

        def table(day: datetime.date = day) -> list:
            return completeness.completeness(campaign=plan, within=top, today=day)

        figures[f"table {day}"], _ = _median(table, RUNS)
        figures[f"table {day} sql"] = _largest_statement(table)
    figures["page"], page = _median(lambda: selectors.units_below(campaign=plan, roots=[top]), RUNS)
    figures["page_rows"] = len(page.rows)
    figures["dates"], dates = _median(lambda: report_dates(plan), 31)
    figures["dates_local"] = len(dates.local)
    figures["dates_sql"] = _largest_statement(lambda: report_dates(plan))
    query = Unit.objects.all().query
    sql, params = (
        dates.expression()
        .resolve_expression(query)
        .as_sql(query.get_compiler(connection=connection), connection)
    )
    figures["case_sql"] = len(sql), len(params), sum(len(str(p)) for p in params)
    for day in SWEEP_DAYS:
        figures[f"sweep {day}"] = _sweep(day, chain)
    return figures


# Deploying.


def deploy(plan: Campaign, owner: Unit, by: User, due_on: datetime.date) -> dict[str, float]:
    """Deploy the plan for `owner` through the services, with its grassroots date."""
    took: dict[str, float] = {}
    start = time.perf_counter()
    deployment = services.campaign_deploy(by=by, source=plan, owner=owner)
    took["deploy"] = time.perf_counter() - start
    milestones = [
        dataclasses.replace(
            row, deadlines=tuple(dataclasses.replace(d, due_on=due_on) for d in row.deadlines)
        )
        for row in milestone_rows(deployment)
    ]
    start = time.perf_counter()
    services.campaign_save_timeline(
        by=by, campaign=deployment, revision=deployment.revision, milestones=milestones
    )
    took["timeline"] = time.perf_counter() - start
    start = time.perf_counter()
    services.campaign_issue(
        by=by, campaign=deployment, revision=deployment.revision,
        document_number=f"{owner.code}/KH-LĐLĐ", issued_on=DEPLOYED_ISSUED_ON,
        signing_capacity="TM. BAN THƯỜNG VỤ", signer_title="CHỦ TỊCH", signer_name="(tổng hợp)",
        is_illustrative=True,
    )  # fmt: skip
    took["issue"] = time.perf_counter() - start
    return took


def _uncount(plan: Campaign) -> None:
    """Drop the plan's running counts, as if it had never been counted (counts.ensure
    rebuilds them on the first read)."""
    CompletenessCount.objects.filter(campaign=plan).delete()
    CountedCampaign.objects.filter(campaign=plan).delete()


def _superuser_deploying_units(plan: Campaign) -> str:
    """What campaigns.selectors.deploying_units costs the operator superuser, for whom
    every unit of the tree is a candidate (the plan's page runs it, and campaign_deploy);
    on PostgreSQL cut at DEPLOYING_TIMEOUT seconds."""
    try:
        with transaction.atomic(), Statements() as statements:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL statement_timeout = {DEPLOYING_TIMEOUT * 1000}")
            start = time.perf_counter()
            found = len(campaign_selectors.deploying_units(user=operator(), source=plan))
            elapsed = time.perf_counter() - start
    except OperationalError:
        return f"more than {DEPLOYING_TIMEOUT} s: cancelled by the statement timeout"
    return f"{elapsed:,.2f} s, {statements.count:,} statements, {found:,} federations"


# Printing.


def _ms(value: float) -> str:
    return f"{value:,.1f} ms"


def _table(base: dict[str, Any], deployed: dict[str, Any], deployments: int) -> None:
    rows = [
        ("noise reference (bench.completeness), median of 31",
         _ms(base["noise"]), _ms(deployed["noise"])),
        ("counts.rebuild(plan), median of 5", _ms(base["rebuild"]), _ms(deployed["rebuild"])),
        ("  its largest statement (chars), statements",
         "{:,}, {}".format(*base["rebuild_sql"]), "{:,}, {}".format(*deployed["rebuild_sql"])),
        ("  late units at the top in the counts", f"{base['top_late']:,}",
         f"{deployed['top_late']:,}"),
        (f"late_units(top, {TODAY:%d/%m/%Y}).count(), median of {RUNS}",
         _ms(base["late"]), _ms(deployed["late"])),
        ("  late units found (Python agrees)", f"{base['late_count']:,}",
         f"{deployed['late_count']:,}"),
        ("  its largest statement (chars), statements",
         "{:,}, {}".format(*base["late_sql"]), "{:,}, {}".format(*deployed["late_sql"])),
        (f"late_units(one district).count(), median of {RUNS}",
         _ms(base["district"]), _ms(deployed["district"])),
        ("  late units found", f"{base['district_count']:,}", f"{deployed['district_count']:,}"),
        ("  its largest statement (chars), statements",
         "{:,}, {}".format(*base["district_sql"]), "{:,}, {}".format(*deployed["district_sql"])),
        *[
            (f"completeness(top, {day:%d/%m/%Y}), median of {RUNS}",
             _ms(base[f"table {day}"]), _ms(deployed[f"table {day}"]))
            for day in (TODAY, MIXED_DAY)
        ],
        (f"  its largest statement on {MIXED_DAY:%d/%m/%Y} (chars), statements",
         "{:,}, {}".format(*base[f"table {MIXED_DAY} sql"]),
         "{:,}, {}".format(*deployed[f"table {MIXED_DAY} sql"])),
        (f"units below the top, first page, median of {RUNS}",
         _ms(base["page"]), _ms(deployed["page"])),
        ("report_dates(plan), median of 31", _ms(base["dates"]), _ms(deployed["dates"])),
        ("  deployed dates loaded (Local rows)", f"{base['dates_local']:,}",
         f"{deployed['dates_local']:,}"),
        ("  its largest statement (chars), statements",
         "{:,}, {}".format(*base["dates_sql"]), "{:,}, {}".format(*deployed["dates_sql"])),
        ("the CASE alone: SQL chars, parameters, parameter chars",
         "{:,}, {:,}, {:,}".format(*base["case_sql"]),
         "{:,}, {:,}, {:,}".format(*deployed["case_sql"])),
    ]  # fmt: skip
    for day in SWEEP_DAYS:
        b, d = base[f"sweep {day}"], deployed[f"sweep {day}"]
        rows += [
            (f"reminders.sweep on {day:%d/%m/%Y} (rolled back)",
             f"{b['s']:,.2f} s", f"{d['s']:,.2f} s"),
            ("  notices: all, of this plan and its deployments",
             f"{b['sent']:,}, {b['ours']:,}", f"{d['sent']:,}, {d['ours']:,}"),
            ("  statements", f"{b['queries']:,}", f"{d['queries']:,}"),
        ]  # fmt: skip
    print(f"\n  {'':<58} {'no deployment':>22} {f'{deployments} deployments':>22}")
    for label, before, after in rows:
        print(f"  {label:<58} {before:>22} {after:>22}")


def run(*, scale: int) -> None:
    print("\nDeployments (report dates set by the federations below)")
    plan = national_campaign(code="bench-deployments", title="Sơ kết (triển khai, tổng hợp)")
    once("build the reports in every state (INSERT ... SELECT)", lambda: _insert_reports(plan))
    admins = once("people: reporters, approvers, district administrators (bulk)", _add_people)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    once("count the plan (first counts.rebuild, writes every row)", lambda: _rebuild(plan))
    districts = list(Unit.objects.filter(kind__code="district").order_by("path"))
    grassroots = Unit.objects.filter(kind__code="grassroots").count()
    print(
        f"  units: {Unit.objects.count():,} ({grassroots:,} grassroots), "
        f"reports: {Report.objects.filter(campaign=plan).count():,}, "
        f"district federations: {len(districts):,}"
    )

    print("  measuring with no deployment ...")
    chain = {plan.pk}
    base = measure(plan, chain)

    print(f"  deploying_units for the operator superuser: {_superuser_deploying_units(plan)}")

    # Every district but the last, by its own campaign administrator, the counts dropped.
    _uncount(plan)
    took: dict[str, list[float]] = {"deploy": [], "timeline": [], "issue": []}
    start = time.perf_counter()
    for index, district in enumerate(districts[:-1]):
        steps = deploy(plan, district, admins[district.pk], deployed_due_on(index))
        for step, seconds in steps.items():
            took[step].append(seconds * 1000)
    print(
        f"  deployed {len(districts) - 1:,} districts through the services, each by its own "
        f"campaign administrator, the plan not counted: {time.perf_counter() - start:,.1f} s"
    )
    for step, durations in took.items():
        print(
            f"    campaign_{'save_' if step == 'timeline' else ''}{step}: median "
            f"{statistics.median(durations):,.1f} ms, last {durations[-1]:,.1f} ms"
        )
    once("count the plan again (first counts.rebuild)", lambda: _rebuild(plan))
    last = districts[-1]
    last_took = deploy(plan, last, admins[last.pk], deployed_due_on(len(districts) - 1))
    print(
        f"  the last district, the plan counted: campaign_issue {last_took['issue']:,.2f} s "
        "(it recounts under the plan's row FOR UPDATE, which submissions wait for)"
    )
    chain |= set(Campaign.objects.filter(deployed_from=plan).values_list("pk", flat=True))
    deployments = len(chain) - 1

    print(f"  measuring with {deployments:,} deployments ...")
    deployed = measure(plan, chain)
    print(f"\n  Scale: {grassroots:,} grassroots units, {deployments:,} deployments")
    _table(base, deployed, deployments)
