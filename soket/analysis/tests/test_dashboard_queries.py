"""The dashboard reads sets: the page and each chart take as many queries for six
districts of three unions and six targets as for two districts of one union and two."""

from __future__ import annotations

from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soket.analysis.tests.test_queries import build


class DashboardQueriesTestCase(TestCase):
    def count(self, url, query) -> int:
        self.assertEqual(self.client.get(url, query).status_code, 200)  # caches warm
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url, query).status_code, 200)
        return len(queries)

    def measure(self, districts, unions, targets) -> dict[str, int]:
        plan, province, viewer = build(districts, unions, targets)
        self.client.force_login(viewer)
        district = province.children.order_by("path").first()
        page = reverse("dashboard", args=[plan.pk])
        chart = lambda name: reverse("dashboard_chart_svg", args=[plan.pk, name])  # noqa: E731
        first = plan.outline_sections.first().targets.order_by("order").first()
        grassroots = district.children.first().kind_id
        return {
            "page": self.count(page, {}),
            "district page": self.count(page, {"don-vi": district.pk}),
            "progress": self.count(chart("tien-do"), {}),
            "progress of a level": self.count(chart("tien-do"), {"cap": grassroots}),
            "assessments": self.count(chart("danh-gia"), {}),
            "one target": self.count(chart("chi-tieu"), {"chi-tieu": first.pk}),
        }

    def measured(self, **size) -> dict[str, int]:
        point = transaction.savepoint()
        try:
            return self.measure(**size)
        finally:
            transaction.savepoint_rollback(point)

    def test_the_queries_do_not_grow_with_the_units_below_or_the_targets(self):
        small = self.measured(districts=2, unions=1, targets=2)
        large = self.measured(districts=6, unions=3, targets=6)
        self.assertEqual(small, large)
