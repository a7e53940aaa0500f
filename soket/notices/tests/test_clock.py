"""Notices are dated on the application's clock: on a simulated day (the demo's
05/01/2016) they carry that day, never the machine's."""

import datetime

from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from soket.core import clock
from soket.notices.services import notify
from soket.testing import make_user

DEMO_DAY = datetime.date(2016, 1, 5)


class NoticeDateTestCase(TestCase):
    def setUp(self):
        self.person = make_user("ann")

    @override_settings(SOKET_SIMULATED_TODAY=DEMO_DAY)
    def test_a_notice_sent_on_a_simulated_day_carries_that_day(self):
        [notice] = notify(users=[self.person], text="Báo cáo đã đến")
        notice.refresh_from_db()
        self.assertEqual(timezone.localtime(notice.created_at).date(), DEMO_DAY)
        self.client.force_login(self.person)
        response = self.client.get(reverse("notice_list"))
        self.assertContains(response, "05/01/2016")

    def test_a_scripted_moment_dates_the_notice_too(self):
        moment = datetime.datetime(2015, 12, 30, 9, tzinfo=datetime.UTC)
        with clock.frozen_at(moment):
            [notice] = notify(users=[self.person], text="Nhắc nộp báo cáo")
        notice.refresh_from_db()
        self.assertEqual(notice.created_at, moment)
