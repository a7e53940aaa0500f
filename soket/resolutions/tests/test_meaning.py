"""What a target's figures mean: their kind, range, ratio rule and printing."""

import csv
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from soket.core.tabular import TableError
from soket.resolutions import meaning
from soket.resolutions.imports import import_targets
from soket.resolutions.models import Target
from soket.testing import BaseTestCase, make_resolution

D = Decimal


def target(aggregation="sum", unit="", direction="at_least", **fields):
    return Target(
        code="CT", wording="w", aggregation=aggregation, direction=direction,
        unit_of_measure=unit, goal_value=None if direction == "qualitative" else D(1), **fields,
    )  # fmt: skip


class KindOfNumberTests(SimpleTestCase):
    def test_people_members_units_and_cases_are_counts(self):
        for unit in ("đoàn viên", "người", "Đơn vị", " vụ ", "nhà", "people"):
            with self.subTest(unit=unit):
                self.assertEqual(meaning.number_kind(target("sum", unit)), meaning.COUNT)
                self.assertTrue(meaning.is_count(target("sum", unit)))
                self.assertEqual(meaning.bounds(target("sum", unit)), (D(0), None))

    def test_money_and_unknown_units_are_amounts_and_a_percent_lies_from_0_to_100(self):
        self.assertEqual(meaning.number_kind(target("sum", "triệu đồng")), meaning.AMOUNT)
        self.assertEqual(meaning.number_kind(target("sum", "")), meaning.AMOUNT)
        self.assertFalse(meaning.is_count(target("sum", "triệu đồng")))
        self.assertEqual(meaning.number_kind(target("none", "%")), meaning.PERCENTAGE)
        self.assertEqual(meaning.bounds(target("none", "%")), (D(0), D(100)))

    def test_a_ratio_counts_its_parts_unless_the_target_says_they_are_amounts(self):
        strong = target("ratio", "%")
        collected = target("ratio", "%", number_kind="amount")
        self.assertTrue(meaning.is_ratio(strong))
        self.assertEqual(meaning.number_kind(strong), meaning.COUNT)
        self.assertEqual(meaning.number_kind(collected), meaning.AMOUNT)
        self.assertEqual(meaning.bounds(strong), (D(0), None))
        self.assertEqual(meaning.number_kind(target("share_meeting", "%")), meaning.COUNT)

    def test_the_kind_set_on_the_target_wins_over_its_unit(self):
        self.assertEqual(
            meaning.number_kind(target("sum", "người", number_kind="amount")), meaning.AMOUNT
        )

    def test_a_qualitative_target_takes_no_number(self):
        words = target("none", direction="qualitative")
        self.assertIsNone(meaning.number_kind(words))
        self.assertEqual(meaning.bounds(words), (None, None))

    def test_a_numerator_stays_within_its_denominator_unless_the_target_allows_more(self):
        self.assertFalse(meaning.allows_numerator_above_denominator(target("ratio", "%")))
        self.assertTrue(
            meaning.allows_numerator_above_denominator(
                target("ratio", "%", numerator_may_exceed_denominator=True)
            )
        )
        self.assertFalse(
            meaning.allows_numerator_above_denominator(
                target("sum", "người", numerator_may_exceed_denominator=True)
            )
        )

    def test_a_ratio_cannot_take_percentages_as_its_parts(self):
        with self.assertRaises(ValidationError):
            target("ratio", "%", number_kind="percentage").clean()

    def test_percentages_are_never_added_up(self):
        with self.assertRaises(ValidationError):
            target("sum", "%").clean()
        with self.assertRaises(ValidationError):
            target("sum", "điểm", number_kind="percentage").clean()
        target("sum", "đoàn viên").clean()


class DirectionAndPrintingTests(SimpleTestCase):
    def test_which_way_is_better(self):
        self.assertTrue(meaning.is_better(target(), D(2), D(1)))
        self.assertTrue(meaning.is_better(target(direction="at_most"), D(0), D(1)))
        self.assertFalse(meaning.is_better(target(direction="at_most"), D(1), D(1)))

    def test_rates_are_ratios_shares_and_percentages(self):
        self.assertTrue(meaning.is_rate(target("ratio", "%")))
        self.assertTrue(meaning.is_rate(target("share_meeting", "%")))
        self.assertTrue(meaning.is_rate(target("none", "%")))
        self.assertFalse(meaning.is_rate(target("sum", "đoàn viên")))

    def test_figures_print_in_vietnamese_with_their_unit(self):
        self.assertEqual(
            meaning.printed(target("sum", "đoàn viên"), D("1234.0000")), "1.234 đoàn viên"
        )
        self.assertEqual(meaning.printed(target("ratio", "%"), D("63.26530")), "63,27%")
        self.assertEqual(
            meaning.printed(target("sum", "triệu đồng"), D("1234.5")), "1.234,5 triệu đồng"
        )
        self.assertEqual(meaning.printed(target("sum", "người"), None), "")

    def test_one_object_holds_it_all(self):
        held = meaning.meaning(target("ratio", "%"))
        self.assertEqual((held.kind, held.is_ratio, held.is_count), (meaning.COUNT, True, True))
        self.assertEqual((held.least, held.most), (D(0), None))


def targets_csv(header, *rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode()


BASE = ["Mã chỉ tiêu", "Nội dung chỉ tiêu", "Chiều", "Mục tiêu", "Cách tổng hợp", "Tử số", "Mẫu số"]
COLLECTED = ["CT08", "Tỷ lệ thu kinh phí", "tối thiểu", "100", "tỷ lệ", "Số thu", "Kế hoạch"]


class ImportedMeaningTestCase(BaseTestCase):
    def setUp(self):
        self.resolution = make_resolution("xv", self.province_a)

    def imported(self, header, *rows) -> Target:
        import_targets(
            resolution=self.resolution, filename="t.csv", data=targets_csv(header, *rows)
        )
        return Target.objects.get(resolution=self.resolution, code="CT08")

    def test_a_file_made_before_the_kind_columns_still_imports_with_the_defaults(self):
        collected = self.imported(BASE, COLLECTED)
        self.assertEqual(collected.number_kind, "")
        self.assertFalse(collected.numerator_may_exceed_denominator)
        self.assertEqual(meaning.number_kind(collected), meaning.COUNT)

    def test_the_kind_and_the_ratio_rule_are_imported_and_a_blank_keeps_them(self):
        header = [*BASE, "Loại số", "Tử số được lớn hơn mẫu số"]
        collected = self.imported(header, [*COLLECTED, "giá trị", "có"])
        self.assertEqual(meaning.number_kind(collected), meaning.AMOUNT)
        self.assertTrue(meaning.allows_numerator_above_denominator(collected))
        collected = self.imported(header, [*COLLECTED, "", ""])
        self.assertEqual(collected.number_kind, "amount")
        self.assertTrue(collected.numerator_may_exceed_denominator)

    def test_a_ratio_of_percentages_is_refused_by_row_and_column(self):
        header = [*BASE, "Loại số"]
        with self.assertRaises(TableError) as raised:
            self.imported(header, [*COLLECTED, "phần trăm"])
        self.assertEqual([(e.row, e.column) for e in raised.exception.errors], [(2, "Loại số")])

    def test_a_sum_of_percentages_is_refused_by_row_and_column(self):
        header = [*BASE, "Đơn vị tính"]
        row = ["CT08", "Tỷ lệ thu", "tối thiểu", "100", "tổng", "", "", "%"]
        with self.assertRaises(TableError) as raised:
            self.imported(header, row)
        self.assertEqual(
            [(e.row, e.column) for e in raised.exception.errors], [(2, "Cách tổng hợp")]
        )
