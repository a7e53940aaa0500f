import contextlib
import io
import zipfile

import openpyxl
from django.test import SimpleTestCase, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from soket.core import tabular
from soket.core.tabular import Column, TableError

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
            "a.csv", 'Tên,Số lượng,Ngày\n,abc,31/02/2015\nBình,"1.000,5",\n'.encode()
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
