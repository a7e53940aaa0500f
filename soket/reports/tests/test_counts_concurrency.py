"""Reports move from many threads while the totals and counts are rebuilt: nothing is lost,
nothing deadlocks, and the result equals a recomputation."""

import datetime
import threading
from decimal import Decimal

from django.db import connection
from django.test import TransactionTestCase

from soket.campaigns.models import Campaign, Deadline, Milestone, OutlineSection, Participation
from soket.orgs.models import Unit
from soket.orgs.services import UnitSpec, units_create
from soket.reports import completeness, running, services
from soket.reports.services import FigureInput
from soket.testing import (
    make_kinds,
    make_operators,
    make_resolution,
    make_target,
    make_unit,
)

D = datetime.date
SUBMITTERS, REPORTS_EACH, REBUILDS = 4, 6, 5


class RebuildWhileReportsMoveTestCase(TransactionTestCase):
    def setUp(self):
        kinds = make_kinds()
        self.root = make_unit("R", kinds["province"])
        for d in range(3):
            make_unit(f"D{d}", kinds["district"], self.root)
        units_create(
            specs=[
                UnitSpec(f"G{n:02d}", f"G{n}", kinds["grassroots"], f"D{n % 3}")
                for n in range(SUBMITTERS * REPORTS_EACH)
            ]
        )
        target = make_target(make_resolution("nq", self.root), "S", "sum", 10)
        self.campaign = Campaign.objects.create(state="issued",
            code="c", owner=self.root, kind="interim", title="c",
            reviewed_from=D(2013, 1, 1), reviewed_to=D(2015, 12, 31),
        )  # fmt: skip
        OutlineSection.objects.create(campaign=self.campaign, order=1, heading="I").targets.set(
            [target]
        )
        Participation.objects.create(campaign=self.campaign, root=self.root).kinds.set(
            kinds.values()
        )
        milestone = Milestone.objects.create(
            campaign=self.campaign, order=1, label="12/2015", text="Gửi",
            starts_on=D(2015, 11, 1), ends_on=D(2015, 12, 31),
        )  # fmt: skip
        Deadline.objects.create(
            milestone=milestone, unit_kind=kinds["grassroots"], due_on=D(2015, 12, 31),
            deliverable="Báo cáo", is_report=True,
        )  # fmt: skip
        self.admin, self.reviewer = make_operators()
        self.reports = []
        for unit in Unit.objects.filter(code__startswith="G"):
            report = services.report_for(campaign=self.campaign, unit=unit)
            figures = {target.pk: FigureInput(value=Decimal(unit.pk % 7 + 1))}
            self.reports.append(
                services.report_save(
                    report=report, by=self.admin, revision=report.revision, figures=figures
                )
            )
        running.rebuild(campaign=self.campaign)

    def test_reports_moving_while_the_totals_are_rebuilt_lose_nothing(self):
        barrier = threading.Barrier(SUBMITTERS + 1)
        failures = []

        def submit(reports):
            try:
                barrier.wait(timeout=20)
                for index, report in enumerate(reports):
                    services.report_submit(report=report, by=self.admin, warnings_confirmed=True)
                    if index % 3 == 0:
                        services.report_return(report=report, by=self.reviewer, reason="r")
                    elif index % 3 == 1:
                        services.report_accept(report=report, by=self.reviewer)
            except Exception as error:  # reported by the assertion below
                failures.append(repr(error))
            finally:
                connection.close()

        def rebuild():
            try:
                barrier.wait(timeout=20)
                for _ in range(REBUILDS):
                    running.rebuild(campaign=self.campaign)
            except Exception as error:
                failures.append(repr(error))
            finally:
                connection.close()

        threads = [
            threading.Thread(target=submit, args=(self.reports[n::SUBMITTERS],))
            for n in range(SUBMITTERS)
        ]
        threads.append(threading.Thread(target=rebuild))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        self.assertEqual(failures, [])
        self.assertEqual(running.drift(campaign=self.campaign), [])
        [row] = [
            row
            for row in completeness.completeness(
                campaign=self.campaign, within=self.root, today=D(2016, 1, 5)
            )
            if row.kind.code == "grassroots"
        ]
        total = SUBMITTERS * REPORTS_EACH
        self.assertEqual((row.expected, row.missing), (total, 0))
        self.assertEqual((row.returned, row.accepted, row.submitted), (total // 3,) * 3)
