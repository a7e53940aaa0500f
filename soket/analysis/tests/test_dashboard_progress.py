"""Who has reported, day by day: the one grouped query counts what a walk over every
unit counts, on a random tree where a district deployed the plan with a date of its own,
with first submissions on both sides of midnight in Hanoi."""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

from soket.analysis import dashboard
from soket.campaigns.deadlines import report_dates
from soket.campaigns.models import Campaign, Deadline, Milestone
from soket.orgs.models import Unit
from soket.reports.models import Report
from soket.testing import CampaignTestCase, make_unit

D = datetime.date
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def naive(campaign: Campaign, within: Unit, kind_id: int | None) -> dict:
    """Unit by unit, in Python: the expected units, their own dates, the day each first
    sent its report and whether that was late."""
    dates = report_dates(campaign)
    expected, deadlines, sent = 0, {}, {}
    below = Unit.objects.filter(path__startswith=within.path).exclude(pk=within.pk)
    roots = [p.root.path for p in campaign.participations.all()]
    for unit in below:
        if not any(unit.path.startswith(root) for root in roots):
            continue  # outside the campaign
        if (unit.kind_id != kind_id) if kind_id else (unit.parent_id != within.pk):
            continue
        due = dates.due_on(unit.kind_id, unit.path)
        open_day = due or campaign.reviewed_to
        if unit.closed_on is not None and unit.closed_on <= open_day:
            continue
        expected += 1
        if due is not None:
            deadlines[due] = deadlines.get(due, 0) + 1
        report = Report.objects.filter(campaign=campaign, unit=unit, department=None).first()
        if report is None or report.first_submitted_at is None:
            continue
        day = report.first_submitted_at.astimezone(HANOI).date()
        on_time, late = sent.get(day, (0, 0))
        if due is not None and day > due:
            late += 1
        else:
            on_time += 1
        sent[day] = (on_time, late)
    return {"expected": expected, "deadlines": deadlines, "sent": sent}


class ProgressTestCase(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        grassroots = cls.kinds["grassroots"]
        # The plan's date for grassroots unions; district A1 deploys it with an earlier one.
        milestone = cls.campaign.milestones.get()
        Deadline.objects.create(milestone=milestone, unit_kind=grassroots, due_on=D(2015, 12, 15),
                                deliverable="Báo cáo", is_report=True)  # fmt: skip
        deployed = Campaign.objects.create(
            state="issued", code="trien-khai-a1", owner=cls.district_a1, kind="interim",
            title="Triển khai", reviewed_from=D(2013, 1, 1), reviewed_to=D(2015, 12, 31),
            deployed_from=cls.campaign,
        )  # fmt: skip
        local = Milestone.objects.create(
            campaign=deployed, order=1, label="12/2015", text="Gửi",
            starts_on=D(2015, 11, 1), ends_on=D(2015, 12, 31),
        )  # fmt: skip
        Deadline.objects.create(milestone=local, unit_kind=grassroots, due_on=D(2015, 12, 10),
                                deliverable="Báo cáo", is_report=True)  # fmt: skip
        chance = random.Random(13)
        districts = [cls.district_a1, cls.district_a2]
        districts += [make_unit(f"A{n}", cls.kinds["district"], cls.province_a) for n in (3, 4)]
        units = list(Unit.objects.filter(parent__in=districts)) + districts
        for district in districts:
            for n in range(chance.randint(2, 6)):
                units.append(make_unit(f"{district.code}-x{n}", grassroots, district))
        start = datetime.datetime(2015, 12, 1, tzinfo=HANOI)
        for unit in units:
            draw = chance.random()
            if draw < 0.2:
                continue  # no report at all
            moment = None
            if draw > 0.35:  # sent: some at 23:30 or 00:30 in Hanoi, beside a midnight
                day = start + datetime.timedelta(days=chance.randint(0, 45))
                moment = day + datetime.timedelta(hours=chance.choice([0.5, 9, 23.5]))
            Report.objects.create(
                campaign=cls.campaign, unit=unit, first_submitted_at=moment,
                state="submitted" if moment else "draft",
            )  # fmt: skip

    def check(self, within: Unit, kind_id: int | None) -> dashboard.Progress:
        kind = self.kinds_by_id[kind_id] if kind_id else None
        found = dashboard.progress(campaign=self.campaign, within=within, kind=kind,
                                   today=D(2016, 1, 5))  # fmt: skip
        wanted = naive(self.campaign, within, kind_id)
        self.assertEqual(
            {"expected": found.expected, "deadlines": found.deadlines, "sent": found.sent}, wanted
        )
        return found

    def setUp(self):
        self.kinds_by_id = {kind.pk: kind for kind in self.kinds.values()}

    def test_the_grouped_count_equals_a_walk_over_every_unit(self):
        grassroots = self.kinds["grassroots"].pk
        everywhere = self.check(self.province_a, grassroots)
        self.assertEqual(set(everywhere.deadlines), {D(2015, 12, 10), D(2015, 12, 15)})
        self.assertGreater(everywhere.late, 0)
        self.assertGreater(everywhere.on_time, 0)
        self.check(self.province_a, None)
        self.check(self.district_a1, None)
        self.check(self.district_a2, None)
        self.check(self.confederation, grassroots)

    def test_a_unit_closed_before_its_date_is_not_expected(self):
        below_a1 = self.check(self.district_a1, None)
        names = set(Unit.objects.filter(parent=self.district_a1).values_list("code", flat=True))
        self.assertIn("A1-02", names)
        self.assertEqual(below_a1.expected, len(names) - 1)

    def test_late_is_a_day_after_the_units_own_date_in_hanoi(self):
        unit = make_unit("A2-late", self.kinds["grassroots"], self.district_a2)
        # 00:30 on 16/12 in Hanoi is still 15/12 in UTC: late by the plan's date.
        Report.objects.create(campaign=self.campaign, unit=unit, state="submitted",
                              first_submitted_at=datetime.datetime(2015, 12, 16, 0, 30,
                                                                   tzinfo=HANOI))  # fmt: skip
        before = dashboard.progress(
            campaign=self.campaign, within=self.district_a2, today=D(2016, 1, 5)
        )
        self.assertEqual(self.check(self.district_a2, None), before)
        _on_time, late = before.sent[D(2015, 12, 16)]
        self.assertGreaterEqual(late, 1)

    def test_the_series_climbs_day_by_day_to_what_was_sent(self):
        progress = self.check(self.province_a, self.kinds["grassroots"].pk)
        series = progress.series("x")
        self.assertEqual(series.on_time[-1], progress.on_time)
        self.assertEqual(series.late[-1], progress.late)
        self.assertEqual(series.days, sorted(series.days))
        self.assertEqual(len(series.days), (series.days[-1] - series.days[0]).days + 1)
        climbs = zip(series.on_time, series.on_time[1:], strict=False)
        self.assertTrue(all(a <= b for a, b in climbs))
