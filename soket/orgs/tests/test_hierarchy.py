import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from soket.orgs import services
from soket.orgs.models import Unit
from soket.testing import BaseTestCase, make_kinds


class HierarchyTestCase(BaseTestCase):
    def test_it_finds_a_subtree_with_one_range(self):
        codes = set(Unit.objects.subtree_of(self.province_a).values_list("code", flat=True))
        self.assertEqual(codes, {"A", "A1", "A2", "A1-01", "A1-02", "A2-01"})

    def test_it_leaves_the_root_out_when_asked(self):
        codes = set(
            Unit.objects.subtree_of(self.district_a1, include_self=False).values_list(
                "code", flat=True
            )
        )
        self.assertEqual(codes, {"A1-01", "A1-02"})

    def test_it_reads_ancestors_from_the_path(self):
        codes = list(Unit.objects.ancestors_of(self.grassroots_a1).values_list("code", flat=True))
        self.assertEqual(codes, ["TLD", "A", "A1"])

    def test_it_moves_a_whole_subtree(self):
        services.unit_move(unit=self.district_a1, new_parent=self.province_b)
        grassroots = Unit.objects.get(code="A1-01")
        self.assertEqual(
            list(Unit.objects.ancestors_of(grassroots).values_list("code", flat=True)),
            ["TLD", "B", "A1"],
        )
        self.assertEqual(grassroots.depth, 3)
        self.assertNotIn(grassroots, Unit.objects.subtree_of(self.province_a))

    def test_it_refuses_to_move_a_unit_under_itself(self):
        with self.assertRaises(services.HierarchyError):
            services.unit_move(unit=self.province_a, new_parent=self.grassroots_a1)
        self.district_a1.refresh_from_db()
        self.assertEqual(self.district_a1.parent, self.province_a)

    def test_it_counts_only_units_open_on_the_day(self):
        units = Unit.objects.subtree_of(self.district_a1, include_self=False)
        self.assertEqual(units.active_on(datetime.date(2015, 1, 1)).count(), 2)
        self.assertEqual(units.active_on(datetime.date(2015, 12, 31)).count(), 1)

    def test_it_refuses_a_closing_before_opening(self):
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            Unit.objects.filter(pk=self.grassroots_a1.pk).update(
                opened_on=datetime.date(2015, 1, 1), closed_on=datetime.date(2014, 1, 1)
            )


class RandomTreeTestCase(HypothesisTestCase):
    """On any tree, the path queries agree with walking the parent links."""

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=40))
    def test_path_queries_agree_with_parent_links(self, choices):
        kind = make_kinds()["grassroots"]
        specs = [services.UnitSpec(code="U0", name="U0", kind=kind)]
        for index, choice in enumerate(choices, start=1):
            parent = f"U{choice % index}"
            specs.append(
                services.UnitSpec(code=f"U{index}", name=f"U{index}", kind=kind, parent_code=parent)
            )
        services.units_create(specs=specs)

        parent_of = dict(Unit.objects.values_list("code", "parent__code"))
        units = {u.code: u for u in Unit.objects.all()}

        def ancestors(code):
            chain = []
            while parent_of[code]:
                code = parent_of[code]
                chain.append(code)
            return set(chain)

        for code, unit in units.items():
            expected_subtree = {c for c in units if c == code or code in ancestors(c)}
            self.assertEqual(
                set(Unit.objects.subtree_of(unit).values_list("code", flat=True)), expected_subtree
            )
            self.assertEqual(
                set(Unit.objects.ancestors_of(unit).values_list("code", flat=True)), ancestors(code)
            )
            self.assertEqual(unit.depth, len(ancestors(code)))
