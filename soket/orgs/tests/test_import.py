import csv
import io

from django.urls import reverse

from soket.core.tabular import TableError
from soket.orgs.imports import import_units
from soket.orgs.models import Unit
from soket.testing import BaseTestCase, make_user

HEADER = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên", "Ngày thành lập"]


def as_csv(*rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return buffer.getvalue().encode()


class UnitImportTestCase(BaseTestCase):
    def test_it_creates_a_subtree_in_any_row_order(self):
        data = as_csv(
            ["A3-01", "CĐCS mới", "grassroots", "A3", ""],
            ["A3", "LĐLĐ huyện mới", "LĐLĐ huyện", "A", "01/01/2016"],
        )
        result = import_units(filename="t.csv", data=data, by=self.dave)
        self.assertEqual(result.created, 2)
        leaf = Unit.objects.get(code="A3-01")
        self.assertEqual(
            list(Unit.objects.ancestors_of(leaf).values_list("code", flat=True)), ["TLD", "A", "A3"]
        )

    def test_a_name_typed_on_two_lines_in_a_cell_is_kept_on_one(self):
        data = as_csv(["A3", "LĐLĐ huyện\nmới  (thử)", "district", "A", ""])
        import_units(filename="t.csv", data=data, by=self.dave)
        self.assertEqual(Unit.objects.get(code="A3").name, "LĐLĐ huyện mới (thử)")

    def test_importing_the_same_file_twice_changes_nothing(self):
        data = as_csv(["A3", "LĐLĐ huyện mới", "district", "A", ""])
        import_units(filename="t.csv", data=data, by=self.dave)
        result = import_units(filename="t.csv", data=data, by=self.dave)
        self.assertEqual((result.created, result.updated, result.moved), (0, 0, 0))

    def test_a_changed_parent_moves_the_unit(self):
        data = as_csv(["A2-01", "A2-01", "grassroots", "A1", ""])
        result = import_units(filename="t.csv", data=data, by=self.dave)
        self.assertEqual(result.moved, 1)
        self.assertEqual(Unit.objects.get(code="A2-01").parent, self.district_a1)

    def test_a_bad_row_is_reported_with_its_number_and_nothing_is_written(self):
        before = Unit.objects.count()
        data = as_csv(
            ["A3", "Đúng", "district", "A", ""],
            ["A4", "Sai loại", "no-such-kind", "A", ""],
            ["A5", "Sai cha", "district", "ZZZ", ""],
            ["A6", "Sai ngày", "district", "A", "32/13/2015"],
        )
        with self.assertRaises(TableError) as caught:
            import_units(filename="t.csv", data=data, by=self.dave)
        rows = sorted(error.row for error in caught.exception.errors)
        self.assertEqual(rows, [3, 4, 5])
        self.assertEqual(Unit.objects.count(), before)

    def test_it_refuses_units_outside_the_importers_scope(self):
        data = as_csv(["B9", "Tỉnh khác", "district", "B", ""])
        with self.assertRaises(TableError):
            import_units(filename="t.csv", data=data, by=self.dave)
        self.assertFalse(Unit.objects.filter(code="B9").exists())

    def test_it_refuses_a_loop_of_parents(self):
        data = as_csv(["X1", "X1", "district", "X2", ""], ["X2", "X2", "district", "X1", ""])
        with self.assertRaises(TableError):
            import_units(filename="t.csv", data=data, by=self.dave)

    def test_it_refuses_moving_a_unit_under_its_own_descendant(self):
        data = as_csv(["A1", "A1", "district", "A1-01", ""])
        with self.assertRaises(TableError):
            import_units(filename="t.csv", data=data, by=self.dave)
        self.assertEqual(Unit.objects.get(code="A1").parent, self.province_a)

    def test_it_refuses_hostile_codes(self):
        data = as_csv(["A3'; DROP TABLE orgs_unit;--", "x", "district", "A", ""])
        with self.assertRaises(TableError):
            import_units(filename="t.csv", data=data, by=self.dave)


class UnitImportPageTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.dave)

    def upload(self, name, content):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(reverse("unit_import"), {"file": SimpleUploadedFile(name, content)})

    def test_it_imports_and_redirects(self):
        response = self.upload("t.csv", as_csv(["A3", "LĐLĐ huyện mới", "district", "A", ""]))
        self.assertRedirects(response, reverse("unit_index"))
        self.assertTrue(Unit.objects.filter(code="A3").exists())

    def test_it_shows_row_errors_in_vietnamese(self):
        response = self.upload("t.csv", as_csv(["A3", "x", "district", "ZZZ", ""]))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Dòng 2", status_code=400)
        self.assertContains(response, "Không có dữ liệu nào được nhập", status_code=400)

    def test_it_refuses_a_wrong_file_type_without_a_crash(self):
        response = self.upload("t.exe", b"MZ")
        self.assertEqual(response.status_code, 400)

    def test_it_offers_both_templates(self):
        for fmt, kind in (("xlsx", "spreadsheetml"), ("csv", "text/csv")):
            response = self.client.get(reverse("unit_import_template", args=[fmt]))
            self.assertEqual(response.status_code, 200)
            self.assertIn(kind, response["Content-Type"])

    def test_the_downloaded_template_comes_back_filled(self):
        import openpyxl

        content = self.client.get(reverse("unit_import_template", args=["xlsx"])).content
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        sheet = workbook.worksheets[0]
        for column, value in enumerate(["A3", "LĐLĐ huyện mới", "district", "A"], start=1):
            sheet.cell(row=2, column=column, value=value)
        filled = io.BytesIO()
        workbook.save(filled)
        response = self.upload("mau.xlsx", filled.getvalue())
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Unit.objects.get(code="A3").parent, self.province_a)

    def test_people_without_admin_role_cannot_import(self):
        self.client.force_login(make_user("viewer-only", self.province_a))
        self.assertEqual(self.upload("t.csv", b"").status_code, 403)
