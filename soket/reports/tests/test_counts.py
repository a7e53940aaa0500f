"""The running completeness counts: equal to a recount after any history, read the same as
a unit-by-unit count, checked and repaired by the commands, kept by the back office and
the tree import."""

import contextlib
import csv
import datetime
import io
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from soket.campaigns.models import Campaign, Deadline, Milestone, OutlineSection, Participation
from soket.core import clock
from soket.orgs.imports import import_units
from soket.orgs.models import Unit, User
from soket.orgs.services import HierarchyError, unit_move, unit_update
from soket.reports import completeness, running, services
from soket.reports.models import CompletenessCount, Report, RollupTotal
from soket.reports.services import FigureInput
from soket.testing import (
    CampaignTestCase,
    make_kinds,
    make_operators,
    make_resolution,
    make_target,
    make_unit,
    make_user,
)

D = datetime.date
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = D(2015, 12, 31)  # the grassroots' deadline; districts have none
REVIEWED_TO = D(2016, 1, 10)  # the day districts are counted on
KINDS = ("district", "sector", "grassroots")  # sectors take no part


def build_campaign(kind_choices):
    """A province over a random tree of districts, sectors and grassroots unions; districts
    and grassroots unions take part, the grassroots due on 31/12/2015."""
    kinds = make_kinds()
    root = make_unit("R", kinds["province"])
    units = [root]
    for index, (parent, kind) in enumerate(kind_choices, start=1):
        units.append(make_unit(f"U{index}", kinds[KINDS[kind]], units[parent % len(units)]))
    resolution = make_resolution("nq", root)
    target = make_target(resolution, "S", "sum", 10)
    campaign = Campaign.objects.create(state="issued",
        code="c", owner=root, kind="final", title="c",
        reviewed_from=D(2013, 1, 1), reviewed_to=REVIEWED_TO,
    )  # fmt: skip
    OutlineSection.objects.create(campaign=campaign, order=1, heading="I").targets.set([target])
    participation = Participation.objects.create(campaign=campaign, root=root)
    participation.kinds.set([kinds["district"], kinds["grassroots"], kinds["province"]])
    milestone = Milestone.objects.create(
        campaign=campaign, order=1, label="12/2015", text="Gửi",
        starts_on=D(2015, 11, 1), ends_on=D(2016, 1, 31),
    )  # fmt: skip
    Deadline.objects.create(
        milestone=milestone, unit_kind=kinds["grassroots"], due_on=DUE,
        deliverable="Báo cáo", is_report=True,
    )  # fmt: skip
    admin, _reviewer = make_operators()
    return campaign, units, target, admin


def expected_one_by_one(campaign, today):
    """{unit: how it stands}, for every expected unit: the meaning of completeness, unit
    by unit, in plain Python."""
    due = {}
    for deadline in Deadline.objects.filter(milestone__campaign=campaign, is_report=True):
        if deadline.unit_kind_id:
            kind = deadline.unit_kind_id
            due[kind] = min(deadline.due_on, due.get(kind, deadline.due_on))
    taking_part = [
        (p.root.path, {kind.pk for kind in p.kinds.all()}) for p in campaign.participations.all()
    ]
    reports = {
        report.unit_id: report
        for report in Report.objects.filter(campaign=campaign, department__isnull=True)
    }
    standing = {}
    for unit in Unit.objects.select_related("kind"):
        if not any(unit.path.startswith(path) and unit.kind_id in k for path, k in taking_part):
            continue
        day = due.get(unit.kind_id, campaign.reviewed_to)
        if (unit.opened_on and unit.opened_on > day) or (unit.closed_on and unit.closed_on <= day):
            continue
        report = reports.get(unit.pk)
        first = report.first_submitted_at if report else None
        standing[unit] = {
            "state": report.state if report else None,
            "late": bool(first and unit.kind_id in due and first.astimezone(ZONE).date() > day),
            "missing": first is None,
            "overdue": first is None and unit.kind_id in due and today > day,
        }
    return standing


def added_up(standing, units):
    """{kind code: counts} over those of `units` that are expected."""
    rows = {}
    for unit in units:
        if unit not in standing:
            continue
        row = rows.setdefault(unit.kind.code, Counter())
        row["expected"] += 1
        row[standing[unit]["state"]] += 1
        for field in ("late", "missing", "overdue"):
            row[field] += standing[unit][field]
    return {
        code: {
            "expected": row["expected"],
            "submitted": row[Report.State.SUBMITTED],
            "accepted": row[Report.State.ACCEPTED],
            "returned": row[Report.State.RETURNED],
            "late": row["late"],
            "missing": row["missing"],
            "overdue": row["overdue"],
        }
        for code, row in rows.items()
    }


def below(unit, *, itself=False):
    return [
        other
        for other in Unit.objects.select_related("kind")
        if other.path.startswith(unit.path) and (itself or other.pk != unit.pk)
    ]


def as_read(rows):
    return {
        row.kind.code: {
            "expected": row.expected,
            "submitted": row.submitted,
            "accepted": row.accepted,
            "returned": row.returned,
            "late": row.late,
            "missing": row.missing,
            "overdue": row.overdue,
        }
        for row in rows
    }


# One step of a history: (what, which unit, another unit, days from the due date, hour).
STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["submit", "submit", "accept", "return", "withdraw", "reopen", "edit",
             "close", "open", "reopen-unit", "move", "create"]
        ),
        st.integers(0, 40), st.integers(0, 40), st.integers(-3, 3), st.integers(0, 23),
    ),
    max_size=30,
)  # fmt: skip
TREES = st.lists(st.tuples(st.integers(0, 100), st.integers(0, 2)), min_size=1, max_size=10)


class RunningCountsTestCase(HypothesisTestCase):
    """Whatever happens to the reports and the tree, the counts equal a recount, and the
    pages read what counting unit by unit gives."""

    @settings(max_examples=25, deadline=None)
    @given(TREES, STEPS, st.integers(-2, 2))
    def test_the_counts_equal_a_recount_after_any_history(self, tree, steps, today_offset):
        campaign, units, target, admin = build_campaign(tree)
        reviewer = User.objects.get(username="reviewer")
        root = units[0]
        completeness.completeness(campaign=campaign, within=root, today=DUE)  # counted now
        transitions = {
            "submit": lambda report: services.report_submit(
                report=report, by=admin, warnings_confirmed=True
            ),
            "accept": lambda report: services.report_accept(report=report, by=reviewer),
            "withdraw": lambda report: services.report_withdraw(report=report, by=admin),
            "return": lambda report: services.report_return(report=report, by=reviewer, reason="r"),
            "reopen": lambda report: services.report_reopen(report=report, by=reviewer, reason="r"),
        }
        for what, first, second, days, hour in steps:
            unit = units[1:][first % (len(units) - 1)] if len(units) > 1 else root
            other = units[second % len(units)]
            unit.refresh_from_db()
            moment = datetime.datetime.combine(
                DUE + datetime.timedelta(days=days), datetime.time(hour), ZONE
            )
            day = DUE + datetime.timedelta(days=days * 5)
            if what in transitions or what == "edit":
                report = services.report_for(campaign=campaign, unit=unit)
                with clock.frozen_at(moment):
                    try:
                        if what == "edit":
                            figures = {target.pk: FigureInput(value=Decimal(second), causes="c")}
                            services.report_save(
                                report=report, by=admin, revision=report.revision, figures=figures
                            )
                        else:
                            transitions[what](report)
                    except services.ReportError:
                        pass  # not possible from the report's state: nothing changes
            elif what == "close" and (unit.opened_on is None or unit.opened_on < day):
                unit_update(unit=unit, fields={"closed_on": day})
            elif what == "open" and (unit.closed_on is None or day < unit.closed_on):
                unit_update(unit=unit, fields={"opened_on": day})
            elif what == "reopen-unit":
                unit_update(unit=unit, fields={"closed_on": None})
            elif what == "move":
                with contextlib.suppress(HierarchyError):  # not under itself
                    unit_move(unit=unit, new_parent=other)
            elif what == "create":
                kind = unit.kind if second % 2 else make_kinds()["grassroots"]
                units.append(make_unit(f"N{len(units)}", kind, other, opened_on=day))

        self.assertEqual(running.drift(campaign=campaign), [])
        today = DUE + datetime.timedelta(days=today_offset)
        standing = expected_one_by_one(campaign, today)
        for within in Unit.objects.all():
            read = completeness.completeness(campaign=campaign, within=within, today=today)
            self.assertEqual(as_read(read), added_up(standing, below(within)), within.code)
        by_branch = completeness.completeness_by_branch(campaign=campaign, within=root, today=today)
        for child in Unit.objects.filter(parent=root):
            branch = added_up(standing, below(child, itself=True))
            self.assertEqual(as_read(by_branch.get(child.pk, [])), branch, child.code)
        self.assertLessEqual(set(by_branch), set(Unit.objects.values_list("pk", flat=True)))
        missing = completeness.missing_units(campaign=campaign, within=root, today=today)
        self.assertEqual(
            set(missing.values_list("code", flat=True)),
            {unit.code for unit in below(root) if standing.get(unit, {}).get("missing")},
        )
        statuses = completeness.children_status(campaign=campaign, within=root, today=today)
        self.assertEqual(
            {(status.unit.code, status.state, status.is_late) for status in statuses},
            {
                (unit.code, standing[unit]["state"], standing[unit]["late"])
                for unit in Unit.objects.filter(parent=root)
                if unit in standing
            },
        )


def rows_of(campaign, within, today=DUE + datetime.timedelta(days=5)):
    return as_read(completeness.completeness(campaign=campaign, within=within, today=today))


class CountsFollowTheTreeTestCase(CampaignTestCase):
    """Province A's campaign: districts A1, A2 and their grassroots unions, counted on the
    last day of the reviewed period (31/12/2015), as grassroots have no report deadline."""

    def setUp(self):
        completeness.completeness(campaign=self.campaign, within=self.province_a, today=DUE)
        self.admin = make_user("root")
        self.admin.is_superuser = True
        self.admin.save()

    def test_a_unit_closed_before_the_counting_day_is_no_longer_expected(self):
        self.assertEqual(rows_of(self.campaign, self.province_a)["grassroots"]["expected"], 2)
        unit_update(unit=self.grassroots_a2, fields={"closed_on": D(2015, 12, 1)})
        self.assertEqual(rows_of(self.campaign, self.province_a)["grassroots"]["expected"], 1)
        self.assertNotIn("grassroots", rows_of(self.campaign, self.district_a2))
        unit_update(unit=self.grassroots_a2, fields={"closed_on": None})
        self.assertEqual(rows_of(self.campaign, self.province_a)["grassroots"]["expected"], 2)
        self.assertEqual(running.drift(campaign=self.campaign), [])

    def test_a_moved_unit_takes_its_report_to_its_new_district(self):
        report = services.report_for(campaign=self.campaign, unit=self.grassroots_a2)
        services.report_submit(report=report, by=self.admin, warnings_confirmed=True)
        self.assertEqual(rows_of(self.campaign, self.district_a2)["grassroots"]["submitted"], 1)
        unit_move(unit=self.grassroots_a2, new_parent=self.district_a1)
        self.assertNotIn("grassroots", rows_of(self.campaign, self.district_a2))
        moved_in = rows_of(self.campaign, self.district_a1)["grassroots"]
        self.assertEqual((moved_in["expected"], moved_in["submitted"]), (2, 1))
        self.assertEqual(running.drift(campaign=self.campaign), [])

    def test_a_unit_created_under_a_district_is_expected_and_missing(self):
        make_unit("A1-03", self.kinds["grassroots"], self.district_a1)
        row = rows_of(self.campaign, self.province_a)["grassroots"]
        self.assertEqual((row["expected"], row["missing"]), (3, 3))
        self.assertEqual(running.drift(campaign=self.campaign), [])

    def test_the_tree_import_recounts_once_what_it_changed(self):
        header = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên", "Ngày giải thể"]
        buffer = io.StringIO()
        csv.writer(buffer).writerows(
            [
                header,
                ["A1-05", "CĐCS mới", "grassroots", "A1", ""],
                ["A2-01", "A2-01", "grassroots", "A1", ""],  # moved to A1
                ["A1-01", "A1-01", "grassroots", "A1", "01/12/2015"],  # closed
            ]
        )
        result = import_units(filename="t.csv", data=buffer.getvalue().encode(), by=self.dave)
        self.assertEqual((result.created, result.moved), (1, 1))
        self.assertEqual(rows_of(self.campaign, self.district_a1)["grassroots"]["expected"], 2)
        self.assertNotIn("grassroots", rows_of(self.campaign, self.district_a2))
        self.assertEqual(running.drift(campaign=self.campaign), [])

    def test_a_submission_just_after_midnight_in_hanoi_is_late_in_the_annex_too(self):
        # 00:30 on 01/01/2016 in Asia/Ho_Chi_Minh is still 31/12/2015 in UTC.
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        with clock.frozen_at(datetime.datetime(2016, 1, 1, 0, 30, tzinfo=ZONE)):
            services.report_submit(report=report, by=self.alice, warnings_confirmed=True)
        self.assertEqual(rows_of(self.campaign, self.province_a)["district"]["late"], 1)
        statuses = completeness.children_status(
            campaign=self.campaign, within=self.province_a, today=D(2016, 1, 5)
        )
        self.assertTrue(next(s for s in statuses if s.unit == self.district_a1).is_late)


class BackOfficeRecountsTestCase(CampaignTestCase):
    """A change of participation or deadlines in the back office recounts the campaign."""

    def setUp(self):
        completeness.completeness(campaign=self.campaign, within=self.province_a, today=DUE)
        root = make_user("root")
        root.is_superuser = root.is_staff = True
        root.save()
        self.client.force_login(root)

    def post_back(self, url, change):
        """Post the back-office form at `url` as it stands, after `change(data)`."""
        response = self.client.get(url)
        all_forms = [response.context["adminform"].form]
        data = {}
        for inline in response.context["inline_admin_formsets"]:
            management = inline.formset.management_form
            data.update(
                {management.add_prefix(n): management[n].value() for n in management.fields}
            )
            all_forms += inline.formset.forms
        for form in all_forms:
            for name, field in form.fields.items():
                value = form[name].value()
                if isinstance(field, forms.BooleanField):
                    if value:
                        data[form.add_prefix(name)] = "on"
                elif isinstance(value, list | tuple):
                    data[form.add_prefix(name)] = [str(v) for v in value]
                elif isinstance(value, datetime.date):
                    data[form.add_prefix(name)] = value.isoformat()
                else:
                    data[form.add_prefix(name)] = "" if value is None else str(value)
        change(data)
        response = self.client.post(url, data)
        errors = response.context and response.context["adminform"].form.errors
        self.assertEqual(response.status_code, 302, errors)

    def test_taking_a_level_out_of_the_campaign_takes_it_out_of_the_counts(self):
        self.assertIn("grassroots", rows_of(self.campaign, self.province_a))
        url = reverse("admin:campaigns_campaign_change", args=[self.campaign.pk])
        participation = self.campaign.participations.get()
        kinds = [str(kind.pk) for kind in participation.kinds.exclude(code="grassroots")]
        self.post_back(url, lambda data: data.update({"participations-0-kinds": kinds}))
        self.assertNotIn("grassroots", rows_of(self.campaign, self.province_a))
        self.assertEqual(running.drift(campaign=self.campaign), [])

    def test_an_earlier_deadline_makes_a_submission_late(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        with clock.frozen_at(datetime.datetime(2015, 12, 20, 9, tzinfo=ZONE)):
            services.report_submit(report=report, by=self.alice, warnings_confirmed=True)
        self.assertEqual(rows_of(self.campaign, self.province_a)["district"]["late"], 0)
        deadline = Deadline.objects.get(unit_kind=self.kinds["district"])
        url = reverse("admin:campaigns_milestone_change", args=[deadline.milestone_id])

        def earlier(data):
            index = next(k for k, v in data.items() if k.endswith("-id") and v == str(deadline.pk))
            data[index.replace("-id", "-due_on")] = "2015-12-15"

        self.post_back(url, earlier)
        self.assertEqual(rows_of(self.campaign, self.province_a)["district"]["late"], 1)
        self.assertEqual(running.drift(campaign=self.campaign), [])

    def test_a_unit_closed_in_the_back_office_leaves_the_counts(self):
        expected = rows_of(self.campaign, self.province_a)["district"]["expected"]
        url = reverse("admin:orgs_unit_change", args=[self.district_a2.pk])
        self.post_back(url, lambda data: data.update({"closed_on": "2015-06-30"}))
        self.assertEqual(rows_of(self.campaign, self.province_a)["district"]["expected"],
                         expected - 1)  # fmt: skip
        self.assertEqual(running.drift(campaign=self.campaign), [])


class CheckAndRebuildTestCase(CampaignTestCase):
    def setUp(self):
        # Ratios of 2/3 and 1/7 have more decimals than the totals keep.
        for unit, by, numerator, denominator in (
            (self.grassroots_a1, self.grassroots_reporter, 2, 3),
            (self.district_a1, self.alice, 1, 7),
            (self.district_a2, self.bob, 5, 9),
        ):
            report = services.report_for(campaign=self.campaign, unit=unit)
            figures = {
                self.t_sum.pk: FigureInput(value=Decimal(120)),
                self.t_ratio.pk: FigureInput(
                    numerator=Decimal(numerator), denominator=Decimal(denominator), causes="c"
                ),
            }
            services.report_save(report=report, by=by, revision=report.revision, figures=figures)
            services.report_submit(report=report, by=by, warnings_confirmed=True)
        completeness.completeness(campaign=self.campaign, within=self.province_a, today=DUE)

    def check(self):
        out = io.StringIO()
        try:
            call_command("check_rollups", "--campaign", self.campaign.code, stdout=out)
        except CommandError as error:
            return error.returncode, out.getvalue()
        return 0, out.getvalue()

    def test_the_check_passes_when_the_totals_and_counts_are_right(self):
        status, out = self.check()
        self.assertEqual(status, 0, out)
        self.assertIn("agree", out)

    def test_a_drift_is_named_and_the_rebuild_repairs_it(self):
        CompletenessCount.objects.filter(
            campaign=self.campaign, ancestor=self.province_a, kind=self.kinds["grassroots"]
        ).update(submitted=5)
        RollupTotal.objects.filter(
            campaign=self.campaign, parent=self.district_a1, target=self.t_sum
        ).update(value=7)
        status, out = self.check()
        self.assertEqual(status, 1)
        self.assertIn("so-ket-a: counts below unit A, kind grassroots: stored expected 2, "
                      "submitted 5", out)  # fmt: skip
        self.assertIn("so-ket-a: rollup under unit A1, target S, submitted: stored value 7", out)

        out = io.StringIO()
        call_command("rebuild_rollups", "--campaign", self.campaign.code, stdout=out)
        self.assertIn("so-ket-a: rewrote 1 rollup totals and 1 completeness counts", out.getvalue())
        self.assertEqual(self.check()[0], 0)
        out = io.StringIO()
        call_command("rebuild_rollups", stdout=out)  # every campaign; nothing left to repair
        self.assertIn("so-ket-a: rewrote 0 rollup totals and 0 completeness counts", out.getvalue())
        row = rows_of(self.campaign, self.province_a)["grassroots"]
        self.assertEqual((row["expected"], row["submitted"]), (2, 1))

    def test_an_unknown_campaign_is_refused(self):
        with self.assertRaises(CommandError):
            call_command("check_rollups", "--campaign", "no-such-campaign")

    def test_a_campaign_never_read_is_counted_on_first_reading_and_not_called_wrong(self):
        other = Campaign.objects.create(state="issued",
            code="other", owner=self.province_a, kind="interim", title="Khác",
            reviewed_from=D(2013, 1, 1), reviewed_to=D(2015, 12, 31),
        )  # fmt: skip
        Participation.objects.create(campaign=other, root=self.province_a).kinds.set(
            [self.kinds["district"]]
        )
        out = io.StringIO()
        call_command("check_rollups", "--campaign", "other", stdout=out)
        self.assertIn("not built yet", out.getvalue())
        self.assertEqual(rows_of(other, self.province_a)["district"]["expected"], 2)
        self.assertEqual(running.drift(campaign=other), [])
