"""One way of writing numbers, the same on the web, in Word and in Excel."""

from decimal import Decimal

from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils import translation

from soket.core import numbers
from soket.documents import formatting

D = Decimal


class VietnameseNumbersTests(SimpleTestCase):
    def test_thousands_take_dots_and_decimals_a_comma(self):
        self.assertEqual(numbers.number(D("1234.5")), "1.234,5")
        self.assertEqual(numbers.number(D("1234567.891")), "1.234.567,89")
        self.assertEqual(numbers.number(D("-1234.5")), "-1.234,5")

    def test_no_trailing_zeros_no_exponent_and_never_minus_zero(self):
        self.assertEqual(numbers.number(D("40.0000")), "40")
        self.assertEqual(numbers.number(D("12.50")), "12,5")
        self.assertEqual(numbers.number(D("1E+3")), "1.000")
        self.assertEqual(numbers.number(D("-0.001")), "0")

    def test_rounding_is_half_up_and_a_count_can_ask_for_none(self):
        self.assertEqual(numbers.number(D("0.005")), "0,01")
        self.assertEqual(numbers.number(D("2.5"), places=0), "3")

    def test_nothing_prints_nothing(self):
        self.assertEqual(numbers.number(None), "")
        self.assertEqual(numbers.number(""), "")
        self.assertEqual(numbers.percent(None), "")

    def test_a_percentage_carries_its_sign(self):
        self.assertEqual(numbers.percent(D("63.265")), "63,27%")

    def test_a_form_gets_the_figure_back_whole_and_without_separators(self):
        self.assertEqual(numbers.plain(D("1234.5678")), "1234,5678")
        self.assertEqual(numbers.plain(D("1234.0000")), "1234")

    def test_english_writes_the_other_way_round(self):
        self.assertEqual(numbers.number(D("1234.5"), language="en"), "1,234.5")


class EveryOutputWritesAlikeTests(SimpleTestCase):
    def render(self, value) -> str:
        template = Template("{% load report_tags %}{{ value|number }}|{{ value|input_number }}")
        return template.render(Context({"value": value}))

    def test_the_web_and_word_write_a_figure_the_same_way(self):
        with translation.override("vi"):
            self.assertEqual(self.render(D("12345.678")), "12.345,68|12345,678")
        self.assertEqual(formatting.number(D("12345.678")), "12.345,68")

    def test_the_web_in_english_groups_the_english_way_but_forms_read_one_way(self):
        with translation.override("en"):
            self.assertEqual(self.render(D("12345.5")), "12,345.5|12345,5")
