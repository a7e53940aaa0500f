"""The analysis reads sets, never a unit or a target at a time: the same number of
queries for two districts and two targets as for six districts of three unions and six
targets, for the selector and for the page."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soket.analysis import selectors
from soket.analysis.tests.making import numbers, report
from soket.campaigns.models import Campaign, OutlineSection, Participation
from soket.orgs.models import Role
from soket.resolutions.models import ActionProgramme
from soket.testing import (
    make_kinds,
    make_operators,
    make_resolution,
    make_target,
    make_unit,
    make_user,
)

D = datetime.date


def campaign_of(owner, targets, code):
    campaign = Campaign.objects.create(
        state="issued", code=code, owner=owner, kind="interim", title=code,
        reviewed_from=D(2013, 1, 1), reviewed_to=D(2015, 12, 31),
    )  # fmt: skip
    OutlineSection.objects.create(campaign=campaign, order=1).targets.set(targets)
    Participation.objects.create(campaign=campaign, root=owner).kinds.set(make_kinds().values())
    return campaign


def build(districts: int, unions: int, targets: int):
    """A confederation's plan and a province's, whose targets make the confederation's
    concrete; every district and union reports in both, accepted; the first district
    set goals of its own. The same shape at any size."""
    kinds = make_kinds()
    make_operators()
    top = make_unit("TLD", kinds["confederation"])
    province = make_unit("P", kinds["province"], top)
    national = make_resolution("tld", top)
    own = make_resolution("p", province)
    programme = ActionProgramme.objects.create(resolution=own, number=1, title="CT 1")
    rules = ["sum", "ratio", "share_meeting"]
    high, low = [], []
    for n in range(targets):
        rule = rules[n % len(rules)]
        high.append(make_target(national, f"T{n}", rule, 50, order=n))
        low.append(make_target(own, f"P{n}", rule, 60, order=n, programme=programme))
        low[-1].derived_from.add(high[-1])
    plan = campaign_of(province, low, "p")
    above = campaign_of(top, high, "tld")
    for d in range(districts):
        district = make_unit(f"D{d}", kinds["district"], province)
        if d == 0:
            goals = make_resolution("d0", district)
            for n, target in enumerate(low):
                make_target(goals, f"D{n}", target.aggregation, 40).derived_from.add(target)
        for u in range(unions):
            union = make_unit(f"D{d}-{u}", kinds["grassroots"], district)
            for campaign, asked in ((plan, low), (above, high)):
                report(campaign, union, {t.pk: figure(t, u) for t in asked})
        for campaign, asked in ((plan, low), (above, high)):
            report(campaign, district, {t.pk: figure(t, d, counts=True) for t in asked})
    viewer = make_user("viewer", province, Role.Kind.VIEWER)
    return plan, province, viewer


def figure(target, n, counts=False):
    if target.aggregation == "ratio" or (counts and target.aggregation == "share_meeting"):
        return numbers(numerator=n % 3, denominator=3, causes="Thiếu")
    return numbers(n * 7 % 100, causes="Thiếu")


class QueryCountTestCase(TestCase):
    def count(self, call) -> int:
        with CaptureQueriesContext(connection) as queries:
            call()
        return len(queries)

    def analyse(self, plan, province, viewer, **filters):
        return selectors.target_analysis(user=viewer, campaign=plan, unit=province, **filters)

    def measure(self, districts, unions, targets):
        plan, province, viewer = build(districts, unions, targets)
        analysis = self.analyse(plan, province, viewer)
        # The shape is the same at both sizes: units below, own goals, a cascade with a
        # result in the confederation's plan.
        self.assertEqual(len(analysis.rows), targets)
        self.assertEqual(len(analysis.rows[0].units), districts)
        above = Campaign.objects.get(code="tld")
        self.assertEqual(analysis.rows[0].chain[0].results[0].campaign_id, above.pk)
        district = province.children.order_by("path").first()
        self.client.force_login(viewer)
        url = reverse("target_analysis", args=[plan.pk])
        self.assertEqual(self.client.get(url).status_code, 200)  # and caches warm
        return {
            "province": self.count(lambda: self.analyse(plan, province, viewer)),
            "filtered": self.count(
                lambda: self.analyse(
                    plan,
                    province,
                    viewer,
                    kind=district.kind_id,
                    programme=analysis.programmes[0].pk,
                    include_submitted=True,
                )
            ),
            "district": self.count(lambda: self.analyse(plan, district, viewer)),
            "page": self.count(lambda: self.client.get(url)),
            "district page": self.count(lambda: self.client.get(url, {"don-vi": district.pk})),
        }

    def measured(self, **size) -> dict[str, int]:
        """The counts in a world of this size, rolled back afterwards."""
        point = transaction.savepoint()
        try:
            return self.measure(**size)
        finally:
            transaction.savepoint_rollback(point)

    def test_the_queries_do_not_grow_with_the_units_below_or_the_targets(self):
        small = self.measured(districts=2, unions=1, targets=2)
        large = self.measured(districts=6, unions=3, targets=6)
        self.assertEqual(small, large)
        self.assertLessEqual(small["province"], 28, small)
