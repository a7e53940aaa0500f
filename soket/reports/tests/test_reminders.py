import datetime
from io import StringIO

from django.core.management import call_command
from django.test import TransactionTestCase, override_settings

from soket.core.testing import CampaignTestCase, build_campaign, build_tree
from soket.notices.models import Notice
from soket.reports import reminders, services

D = datetime.date


@override_settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=3)
class RemindersTestCase(CampaignTestCase):
    def setUp(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_submit(report=report, by=self.alice)

    def notices(self, user):
        return list(Notice.objects.filter(user=user).values_list("text", flat=True))

    def test_nothing_goes_out_before_the_first_step(self):
        self.assertEqual(reminders.sweep(today=D(2015, 12, 27)), 0)

    def test_the_units_that_have_not_submitted_are_reminded_once_per_step(self):
        reminders.sweep(today=D(2015, 12, 28))
        self.assertEqual(len(self.notices(self.bob)), 1)
        self.assertEqual(self.notices(self.alice), [])  # A1 has submitted
        self.assertEqual(reminders.sweep(today=D(2015, 12, 29)), 0)  # same step: once
        reminders.sweep(today=D(2015, 12, 31))
        self.assertEqual(len(self.notices(self.bob)), 2)

    def test_past_the_deadline_the_level_above_is_told(self):
        reminders.sweep(today=D(2016, 1, 3))
        [escalation] = self.notices(self.province_approver)
        self.assertIn("A2", escalation)
        self.assertIn("Chậm báo cáo", escalation)  # in Vietnamese, whatever was active
        self.assertNotIn("A1", escalation)
        self.assertIn("A2", self.notices(self.dave)[0])
        self.assertEqual(reminders.sweep(today=D(2016, 1, 4)), 0)

    def test_closed_units_are_not_reminded(self):
        from soket.core.testing import make_user

        closed_reporter = make_user("closed", self.grassroots_a1_closed, "reporter")
        reminders.sweep(today=D(2016, 1, 3))
        self.assertEqual(self.notices(closed_reporter), [])

    def test_departments_are_reminded_of_their_thematic_report(self):
        reminders.sweep(today=D(2016, 2, 29))
        self.assertEqual(len(self.notices(self.department_writer)), 1)

    def test_the_command_sweeps_as_on_a_date(self):
        call_command("send_reminders", "--date", "2015-12-28", stdout=StringIO())
        self.assertEqual(len(self.notices(self.bob)), 1)


@override_settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=3)
class BackgroundRunnerTestCase(TransactionTestCase):
    """The sweep, enqueued, is run by django-tasks' real database worker."""

    def setUp(self):
        build_tree(self)
        build_campaign(self)

    def test_the_db_worker_sends_the_reminders(self):
        quiet = StringIO()
        call_command("send_reminders", "--enqueue", stdout=quiet)
        self.assertFalse(Notice.objects.filter(user=self.bob).exists())
        with self.settings(SOKET_SIMULATED_TODAY=D(2016, 1, 3)):
            call_command("db_worker", "--batch", stdout=quiet, stderr=quiet)
        self.assertEqual(Notice.objects.filter(user=self.bob).count(), 1)
        self.assertTrue(Notice.objects.filter(user=self.province_approver).exists())
