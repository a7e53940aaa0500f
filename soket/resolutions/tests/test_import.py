import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from soket.core.tabular import TableError
from soket.resolutions.imports import import_targets
from soket.resolutions.models import ActionProgramme, Target
from soket.testing import BaseTestCase, make_resolution

HEADER = [
    "Mã chỉ tiêu",
    "Nội dung chỉ tiêu",
    "Chiều",
    "Mục tiêu",
    "Cách tổng hợp",
    "Tử số",
    "Mẫu số",
    "Chương trình hành động số",
    "Cụ thể hóa từ chỉ tiêu",
]


def as_csv(*rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return buffer.getvalue().encode()


class TargetImportTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.national = make_resolution("xi", cls.confederation)
        Target.objects.create(
            resolution=cls.national,
            code="T1",
            wording="Đoàn viên",
            direction="at_least",
            goal_value=100,
            aggregation="sum",
        )
        cls.provincial = make_resolution("xv", cls.province_a, implements=cls.national)
        ActionProgramme.objects.create(resolution=cls.provincial, number=1, title="CT1")

    def test_it_imports_targets_and_their_cascade(self):
        data = as_csv(
            ["CT01", "Phát triển đoàn viên", "tối thiểu", "1000", "tổng", "", "", "1", "T1"],
            [
                "CT02",
                "Tỷ lệ CĐCS vững mạnh",
                "tối thiểu",
                "75,5",
                "tỷ lệ",
                "Số vững mạnh",
                "Tổng số",
                "",
                "",
            ],
            ["CT03", "Học tập và làm theo", "định tính", "", "không tổng hợp", "", "", "", ""],
        )
        result = import_targets(resolution=self.provincial, filename="t.csv", data=data)
        self.assertEqual(result.created, 3)
        source = self.national.targets.get(code="T1")
        self.assertEqual(list(source.derived_targets.values_list("code", flat=True)), ["CT01"])
        self.assertEqual(
            str(self.provincial.targets.get(code="CT02").goal_value.normalize()), "75.5"
        )

    def test_importing_the_same_file_twice_changes_nothing(self):
        data = as_csv(
            ["CT01", "Phát triển đoàn viên", "tối thiểu", "1000", "tổng", "", "", "1", "T1"]
        )
        import_targets(resolution=self.provincial, filename="t.csv", data=data)
        result = import_targets(resolution=self.provincial, filename="t.csv", data=data)
        self.assertEqual((result.created, result.updated), (0, 0))

    def test_every_bad_row_is_named_and_nothing_is_written(self):
        data = as_csv(
            ["CT01", "Đúng", "tối thiểu", "10", "tổng", "", "", "", ""],
            ["CT02", "Định tính có số", "định tính", "5", "không tổng hợp", "", "", "", ""],
            ["CT03", "Tỷ lệ thiếu mẫu số", "tối thiểu", "5", "tỷ lệ", "Tử", "", "", ""],
            ["CT04", "Sai nguồn", "tối thiểu", "5", "tổng", "", "", "", "T9"],
            ["CT05", "Chữ trong ô số", "tối thiểu", "mười", "tổng", "", "", "", ""],
            ["CT01", "Trùng mã", "tối thiểu", "5", "tổng", "", "", "", ""],
        )
        with self.assertRaises(TableError) as caught:
            import_targets(resolution=self.provincial, filename="t.csv", data=data)
        self.assertEqual(sorted({e.row for e in caught.exception.errors}), [3, 4, 5, 6, 7])
        self.assertFalse(self.provincial.targets.exists())


class TargetImportPageTestCase(TargetImportTestCase):
    def test_the_issuers_admin_imports_through_the_page(self):
        self.client.force_login(self.dave)
        data = as_csv(
            ["CT01", "Phát triển đoàn viên", "tối thiểu", "1000", "tổng", "", "", "1", "T1"]
        )
        response = self.client.post(
            reverse("target_import", args=[self.provincial.pk]),
            {"file": SimpleUploadedFile("t.csv", data)},
        )
        self.assertRedirects(response, reverse("resolution_detail", args=[self.provincial.pk]))
        page = self.client.get(reverse("resolution_detail", args=[self.provincial.pk]))
        self.assertContains(page, "CT01")

    def test_a_district_cannot_import_into_the_provinces_resolution(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("target_import", args=[self.provincial.pk]))
        self.assertEqual(response.status_code, 403)

    def test_the_cascade_shows_both_ways(self):
        self.client.force_login(self.carol)
        target = Target.objects.create(
            resolution=self.provincial,
            code="CT01",
            wording="x",
            direction="at_least",
            goal_value=1,
            aggregation="sum",
        )
        target.derived_from.add(self.national.targets.get(code="T1"))
        lower = self.client.get(reverse("resolution_detail", args=[self.provincial.pk]))
        self.assertContains(
            lower, f"{reverse('resolution_detail', args=[self.national.pk])}#target-T1"
        )
        upper = self.client.get(reverse("resolution_detail", args=[self.national.pk]))
        self.assertContains(
            upper, f"{reverse('resolution_detail', args=[self.provincial.pk])}#target-CT01"
        )
