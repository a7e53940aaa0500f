import contextlib
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
from django.test import SimpleTestCase, override_settings
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from soket.core import tabular
from soket.core.tabular import Column, RowError, TableError
from soket.core.tests.test_damaged_spreadsheets import DAMAGES, XXE, edited, sheet_part

COLUMNS = [
    Column("name", "Tên", True, tabular.text(20)),
    Column("amount", "Số lượng", False, tabular.decimal),
    Column("day", "Ngày", False, tabular.date),
]


def xlsx(*rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class ReadTableTestCase(SimpleTestCase):
    def read(self, filename, data):
        rows, errors = tabular.read_table(filename=filename, data=data, columns=COLUMNS)
        self.assertEqual(errors, [])
        return rows

    def errors(self, filename, data) -> list[str]:
        try:
            _rows, errors = tabular.read_table(filename=filename, data=data, columns=COLUMNS)
        except TableError as error:
            errors = error.errors
        self.assertNotEqual(errors, [])
        return [str(error) for error in errors]

    def test_it_reads_xlsx_cells_by_header(self):
        rows = self.read("a.xlsx", xlsx(["Ngày", "Tên *", "Số lượng"], ["05/11/2015", "An", 12.5]))
        self.assertEqual(rows[0].values["name"], "An")
        self.assertEqual(str(rows[0].values["amount"]), "12.5")
        self.assertEqual(rows[0].values["day"].isoformat(), "2015-11-05")
        self.assertEqual(rows[0].number, 2)

    def test_it_reads_csv_with_semicolons_and_decimal_commas(self):
        rows = self.read("a.csv", "Tên;Số lượng\nAn;1,5\n".encode("utf-8-sig"))
        self.assertEqual(str(rows[0].values["amount"]), "1.5")

    def test_it_lists_every_bad_cell_with_its_row(self):
        found = self.errors(
            "a.csv", 'Tên,Số lượng,Ngày\n,abc,31/02/2015\nBình,"1.000.5",\n'.encode()
        )
        self.assertEqual(len(found), 4)
        self.assertTrue(any("2" in e and "Tên" in e for e in found), found)
        self.assertTrue(any("3" in e and "Số lượng" in e for e in found), found)

    def test_it_refuses_formulas(self):
        found = self.errors("a.xlsx", xlsx(["Tên", "Số lượng"], ["An", "=1+1"]))
        self.assertIn("B2", found[0])

    def test_it_names_missing_columns(self):
        found = self.errors("a.csv", "Họ,Số lượng\nAn,1\n".encode())
        self.assertIn("Tên", found[0])

    def test_it_refuses_a_corrupt_workbook(self):
        self.assertEqual(len(self.errors("a.xlsx", b"PK\x03\x04 not really a zip")), 1)
        self.assertEqual(len(self.errors("a.xlsx", b"plain text")), 1)

    def test_it_refuses_a_zip_bomb(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
        found = self.errors("a.xlsx", buffer.getvalue())
        self.assertEqual(len(found), 1)

    def test_it_refuses_other_file_types(self):
        self.assertEqual(len(self.errors("a.xls", b"anything")), 1)

    def test_it_refuses_text_that_is_not_utf8(self):
        self.assertEqual(len(self.errors("a.csv", "Tên\nĐà\n".encode("cp1258"))), 1)

    @override_settings(SOKET_MAX_UPLOAD_BYTES=10)
    def test_it_refuses_an_oversized_file(self):
        self.assertEqual(len(self.errors("a.csv", b"Ten\n" + b"x" * 20)), 1)

    def test_the_template_reads_back(self):
        content = tabular.template_xlsx(title="Mẫu", columns=COLUMNS, instructions=["Hướng dẫn"])
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(workbook.worksheets[0]["A1"].value, "Tên *")
        self.assertEqual(len(workbook.worksheets), 2)


class NumberSpellingTestCase(SimpleTestCase):
    """Numbers as Vietnamese writes them; what could be read two ways is asked, never guessed."""

    def test_vietnamese_spellings_are_read(self):
        read = {
            "1234": "1234", "1.234": "1234", "1 234": "1234", "1\u00a0234": "1234",
            "1\u202f234": "1234", "1\u2009234": "1234", "1.234.567": "1234567",
            "12,5": "12.5", "1.234,5": "1234.5", "1 234,5": "1234.5", "0,125": "0.125",
            "1234,567": "1234.567", "1,2340": "1.2340", "-5": "-5", "\u22125": "-5",
            "+5": "5", "  42  ": "42", "0": "0",
        }  # fmt: skip
        for typed, number in read.items():
            with self.subTest(typed):
                self.assertEqual(tabular.decimal(typed), Decimal(number))
                self.assertEqual(str(tabular.decimal(typed)), number)

    def test_numeric_cells_pass_as_they_are(self):
        self.assertEqual(tabular.decimal(1234), Decimal(1234))
        self.assertEqual(tabular.decimal(12.5), Decimal("12.5"))
        self.assertEqual(tabular.decimal(Decimal("1.234")), Decimal("1.234"))

    def test_blank_is_no_number(self):
        for typed in (None, "", " ", "\u00a0"):
            with self.subTest(repr(typed)):
                self.assertIsNone(tabular.decimal(typed))

    def refusal(self, typed) -> str:
        with translation.override("en"), self.assertRaises(tabular.CellError) as refused:
            tabular.decimal(typed)
        return str(refused.exception)

    def test_a_comma_before_three_digits_is_asked_about_with_both_readings(self):
        message = self.refusal("1,234")
        self.assertIn("could be 1.234", message)
        self.assertIn("Write 1234 if you mean the first, or 1,2340", message)
        self.assertIn("-1234", self.refusal("-1,234"))

    def test_a_dot_that_cannot_group_thousands_is_asked_about(self):
        for typed, meant in {"1.5": "1,5", "1.23": "1,23", "0.125": "0,125"}.items():
            with self.subTest(typed):
                message = self.refusal(typed)
                self.assertIn("is not clear", message)
                self.assertIn(f"If you mean {meant}, write it with a comma", message)

    def test_english_thousands_are_answered_with_the_vietnamese_spelling(self):
        self.assertIn("write 1.234.567", self.refusal("1,234,567"))
        self.assertIn("write 1.234,5", self.refusal("1,234.5"))

    def test_what_is_no_number_is_refused(self):
        refused = ["abc", "1e5", "∞", "NaN", "inf", "=1+1", "<script>", "1.2.3", "12,5,1"]
        refused += ["12 34", "- 5", "5-", ",5", "1.23.456", "²", "\u0663", "True", True]
        for typed in refused:
            with self.subTest(repr(typed)):
                self.refusal(typed)

    def test_too_many_digits_are_refused(self):
        self.assertIn("too large", self.refusal("1" * 30))
        self.assertIn("usable", self.refusal(1e20))


class HostileInputTestCase(SimpleTestCase):
    """Whatever arrives, the reader answers with rows or a TableError, never anything else."""

    @settings(max_examples=150, deadline=None)
    @given(st.binary(max_size=4096), st.sampled_from(["a.xlsx", "a.csv"]))
    def test_arbitrary_bytes_never_crash_the_reader(self, data, filename):
        with contextlib.suppress(TableError):
            tabular.read_table(filename=filename, data=data, columns=COLUMNS)

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.lists(st.text(max_size=30), max_size=4), max_size=8))
    def test_arbitrary_text_cells_never_crash_the_reader(self, rows):
        import csv

        buffer = io.StringIO()
        csv.writer(buffer).writerows([["Tên", "Số lượng", "Ngày"], *rows])
        with contextlib.suppress(TableError):
            tabular.read_table(filename="a.csv", data=buffer.getvalue().encode(), columns=COLUMNS)


class HandMadeWorkbookTestCase(SimpleTestCase):
    """Workbooks edited inside their zip, as no spreadsheet program writes them."""

    def setUp(self):
        self.data = xlsx(["Tên", "Số lượng"], ["An", 5])
        self.sheet = sheet_part(self.data, "Sheet")

    def refused(self, data: bytes) -> list[RowError]:
        with self.assertRaises(TableError) as refused:
            tabular.read_table(filename="a.xlsx", data=data, columns=COLUMNS)
        return refused.exception.errors

    def test_a_sheet_that_cannot_be_parsed_is_refused_naming_it_and_the_row(self):
        # The first row closes badly; the number is in the second.
        rows = {"malformed XML": 1, "nan in a number cell": 2, "inf in a number cell": 2}
        for damage, row in rows.items():
            with self.subTest(damage):
                [error] = self.refused(edited(self.data, self.sheet, DAMAGES[damage]))
                self.assertEqual(error.sheet, "Sheet")
                self.assertIn(f" {row} ", error.message)

    def test_a_declared_document_type_is_refused_even_when_unused(self):
        for member in (self.sheet, "[Content_Types].xml", "xl/workbook.xml"):
            with self.subTest(member):
                data = edited(self.data, member, lambda xml: re.sub(
                    r"(<\?xml[^>]*\?>)?", lambda m: m.group(0) + XXE, xml, count=1
                ))  # fmt: skip
                [error] = self.refused(data)
                self.assertIn("DOCTYPE", error.message)

    def test_blank_rows_count_towards_the_row_limit(self):
        last = tabular.MAX_ROWS + 100

        def far_row(xml: str) -> str:
            xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:B{last}"/>', xml)
            row = f'<row r="{last}"><c r="A{last}" t="inlineStr"><is><t>Bình</t></is></c></row>'
            return xml.replace("</sheetData>", row + "</sheetData>")

        [error] = self.refused(edited(self.data, self.sheet, far_row))
        self.assertEqual(error.row, tabular.MAX_ROWS + 2)

    def test_columns_past_the_limit_are_not_read(self):
        far = [None] * tabular.MAX_COLUMNS
        [error] = self.refused(xlsx([*far, "Tên"], [*far, "An"]))
        self.assertIn("Tên", error.message)
