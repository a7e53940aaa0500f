"""One rule for late, in the campaign's time zone (Asia/Ho_Chi_Minh) on both databases:
a report first sent at 00:30 in Hanoi on the day after its deadline (17:30 UTC, still the
deadline day in UTC) is late on its page, in the completeness counts and tables, in the
annex of the level above's document, in the consolidated table and for the reminders; one
sent at 23:30 on the deadline day (16:30 UTC) is on time everywhere."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from soket.core import clock
from soket.documents import export
from soket.documents.blocks import Table
from soket.documents.content import consolidated_document
from soket.notices.models import Notice
from soket.reports import completeness, counts, lateness, reminders, running, services
from soket.reports.models import Report
from soket.testing import CampaignTestCase

D = datetime.date
UTC = datetime.UTC
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = D(2015, 12, 31)  # the districts' deadline (CampaignTestCase)
LATE = datetime.datetime(2015, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 01/01/2016 in Hanoi
ON_TIME = datetime.datetime(2015, 12, 31, 16, 30, tzinfo=UTC)  # 23:30 on 31/12/2015 in Hanoi
READ_ON = D(2016, 1, 5)


class TheRuleTestCase(CampaignTestCase):
    """The rule itself, in Python and in SQL, whatever zone a request or the database
    session has."""

    def test_the_day_sent_is_the_hanoi_date_whatever_zone_is_active(self):
        for active in ("UTC", "America/Los_Angeles", "Asia/Ho_Chi_Minh"):
            with self.subTest(active=active), timezone.override(active):
                self.assertEqual(lateness.local_date(LATE), D(2016, 1, 1))
                self.assertEqual(lateness.local_date(ON_TIME), DUE)
                self.assertTrue(lateness.is_late(LATE, DUE))
                self.assertEqual(lateness.days_late(LATE, DUE), 1)
                self.assertFalse(lateness.is_late(ON_TIME, DUE))
                self.assertEqual(lateness.days_late(ON_TIME, DUE), 0)

    def test_nothing_sent_or_nothing_due_is_never_late(self):
        self.assertFalse(lateness.is_late(None, DUE))
        self.assertFalse(lateness.is_late(LATE, None))

    def test_overdue_is_not_sent_and_past_the_due_date_on_the_applications_clock(self):
        # 00:15 on 01/01/2016 in Hanoi: still 31/12/2015 in UTC.
        with clock.frozen_at(datetime.datetime(2015, 12, 31, 17, 15, tzinfo=UTC)):
            with timezone.override("UTC"):
                today = lateness.today()
            self.assertEqual(today, D(2016, 1, 1))
            self.assertEqual(lateness.days_overdue(None, DUE, today), 1)
            self.assertFalse(lateness.is_overdue(ON_TIME, DUE, today))
        with clock.frozen_at(datetime.datetime(2015, 12, 31, 16, 45, tzinfo=UTC)):
            self.assertFalse(lateness.is_overdue(None, DUE, lateness.today()))
        standing = lateness.standing(None, DUE, D(2016, 1, 3))
        self.assertEqual((standing.is_late, standing.days_overdue), (False, 3))

    def test_the_sql_form_agrees_with_the_python_one_around_midnight(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        reports = Report.objects.filter(pk=report.pk)
        moments = [
            datetime.datetime(2015, 12, 31, 16, 59, 59, tzinfo=UTC),  # 23:59:59 in Hanoi
            datetime.datetime(2015, 12, 31, 17, 0, tzinfo=UTC),  # midnight in Hanoi
            ON_TIME,
            LATE,
            datetime.datetime(2015, 12, 31, 23, 0, tzinfo=HANOI),
            datetime.datetime(2016, 1, 1, 6, 59, tzinfo=HANOI),
        ]
        for session_zone in self.session_zones():
            for moment in moments:
                reports.update(first_submitted_at=moment)
                with self.subTest(session=session_zone, moment=moment), timezone.override("UTC"):
                    in_sql = reports.filter(lateness.late(due_on=DUE)).exists()
                    self.assertEqual(in_sql, lateness.is_late(moment, DUE))
                    sent_on = reports.annotate(day=lateness.sent_on()).get().day
                    self.assertEqual(sent_on, lateness.local_date(moment))

    def session_zones(self):
        """On PostgreSQL, the session's time zone changed too: the rule must not read it."""
        yield "default"
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SHOW TIME ZONE")
            [[original]] = cursor.fetchall()
            for zone in ("America/Los_Angeles", "Pacific/Kiritimati"):
                cursor.execute("SELECT set_config('TimeZone', %s, false)", [zone])
                try:
                    yield zone
                finally:
                    cursor.execute("SELECT set_config('TimeZone', %s, false)", [original])


class LateEverywhereTestCase(CampaignTestCase):
    """District A1 first sends at 00:30 on 01/01/2016 in Hanoi, A2 at 23:30 on 31/12/2015;
    both were due on 31/12/2015. Requests and the database session run in UTC, so nothing
    passes by relying on the active zone."""

    def setUp(self):
        self.enterContext(timezone.override("UTC"))
        # Counted before the submissions, so the running counts follow them.
        completeness.completeness(campaign=self.campaign, within=self.province_a, today=DUE)
        self.late = self.send(self.district_a1, self.alice, LATE)
        self.on_time = self.send(self.district_a2, self.bob, ON_TIME)

    def send(self, unit, person, moment) -> Report:
        report = services.report_for(campaign=self.campaign, unit=unit)
        with clock.frozen_at(moment):
            return services.report_submit(report=report, by=person, warnings_confirmed=True)

    def test_the_report_page_says_late_by_one_day_or_on_time(self):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.client.force_login(self.province_approver)
        late = self.client.get(reverse("report_detail", args=[self.late.pk]))
        on_time = self.client.get(reverse("report_detail", args=[self.on_time.pk]))
        self.assertContains(late, "sent 1 day late")
        self.assertNotContains(late, "sent on time")
        self.assertContains(on_time, "sent on time")
        self.assertNotContains(on_time, "day late")

    def district_row(self, within=None) -> completeness.Counts:
        rows = completeness.completeness(
            campaign=self.campaign, within=within or self.province_a, today=READ_ON
        )
        return next(row for row in rows if row.kind == self.kinds["district"])

    def test_the_running_counts_count_one_late(self):
        row = self.district_row()
        self.assertEqual((row.expected, row.submitted, row.late, row.missing), (2, 2, 1, 0))

    def test_a_rebuild_counts_one_late_and_agrees_with_the_running_counts(self):
        self.assertEqual(running.drift(campaign=self.campaign), [])
        running.rebuild(campaign=self.campaign)
        self.assertEqual(self.district_row().late, 1)
        recounted = counts.contributions(self.campaign, counts.basis(self.campaign))
        self.assertEqual(
            recounted.vectors[(self.province_a.pk, self.kinds["district"].pk)][
                counts.FIELDS.index("late")
            ],
            1,
        )

    def test_the_completeness_tables_show_the_late_district_and_not_the_other(self):
        self.client.force_login(self.province_approver)
        page = self.client.get(reverse("campaign_reports", args=[self.campaign.pk]))
        [rows] = [rows for unit, rows in page.context["levels"] if unit == self.province_a]
        district = next(row for row in rows if row.kind == self.kinds["district"])
        self.assertEqual(district.late, 1)
        branches = self.client.get(
            reverse("completeness_branch", args=[self.campaign.pk, self.province_a.pk])
        )
        late_by_branch = {
            child.code: sum(row.late for row in rows if row.kind == self.kinds["district"])
            for child, rows, *_report in branches.context["branches"]
        }
        self.assertEqual(late_by_branch, {"A1": 1, "A2": 0})

    def test_the_annex_of_the_province_says_sent_one_day_late(self):
        province = services.report_for(campaign=self.campaign, unit=self.province_a)
        composition = consolidated_document(province, today=READ_ON)
        [table] = [block for block in composition.annex if isinstance(block, Table)]
        rows = {row[1]: row for row in table.rows}
        sent = "Đã gửi, chờ duyệt"
        self.assertEqual(rows["A1"][2:], ["31/12/2015", "01/01/2016", sent, "Gửi muộn 1 ngày"])
        self.assertEqual(rows["A2"][2:], ["31/12/2015", "31/12/2015", sent, ""])
        summary = composition.annex[-1].text
        self.assertIn("đã gửi 2, trong đó gửi muộn 1", summary)

    def test_the_consolidated_table_gives_the_day_sent_in_hanoi_and_says_late(self):
        output = io.BytesIO()
        export.consolidated_table(campaign=self.campaign, within=self.province_a, output=output)
        sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()))["Theo đơn vị"]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows)
        sent, note = header.index("Ngày gửi"), header.index("Ghi chú")
        by_code = {row[0]: (row[sent], row[note] or "") for row in rows}
        self.assertEqual(by_code["A1"], (datetime.datetime(2016, 1, 1), "Gửi muộn 1 ngày"))
        self.assertEqual(by_code["A2"], (datetime.datetime(2015, 12, 31), ""))

    @override_settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=3)
    def test_the_level_above_is_told_that_the_late_district_was_late(self):
        reminders.sweep(today=D(2016, 1, 3))
        [escalation] = Notice.objects.filter(
            user=self.province_approver, key__startswith="escalation:"
        ).values_list("text", flat=True)
        units = escalation.split("): ", 1)[1]
        self.assertIn("A1", units)
        self.assertIn("1", units)  # by how many days
        self.assertNotIn("A2", units)
        # Neither district is reminded to send: both have.
        self.assertFalse(Notice.objects.filter(user__in=[self.alice, self.bob]).exists())


class OverdueAtMidnightTestCase(CampaignTestCase):
    """The sweep run at 00:15 in Hanoi on the day after the deadline (still the deadline
    day in UTC) is past it: a district not yet sent is late for the level above."""

    @override_settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=1)
    def test_the_sweep_just_after_midnight_in_hanoi_escalates(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a2)
        with clock.frozen_at(ON_TIME):
            services.report_submit(report=report, by=self.bob, warnings_confirmed=True)
        with (
            timezone.override("UTC"),
            clock.frozen_at(datetime.datetime(2015, 12, 31, 17, 15, tzinfo=UTC)),
        ):
            reminders.sweep(today=lateness.today())
        [escalation] = Notice.objects.filter(
            user=self.province_approver, key__startswith="escalation:"
        ).values_list("text", flat=True)
        units = escalation.split("): ", 1)[1]
        self.assertIn("A1", units)
        self.assertNotIn("A2", units)
