"""A federation's report prints the dashboard's charts its writer chose, as images
drawn by the page's own code, captioned "Biểu đồ n" after the table of targets."""

from __future__ import annotations

import io
import zipfile

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from docx import Document
from PIL import Image as Picture

from soket.analysis.tests.making import numbers, report
from soket.documents import content, generate, services
from soket.documents.blocks import Image, Table
from soket.documents.models import ReportChart
from soket.orgs.models import Role, User
from soket.reports import services as report_services
from soket.reports.services import ReportError
from soket.testing import CampaignTestCase, make_operators, make_user

PROGRESS, ASSESSMENTS, TARGET = (
    ReportChart.Chart.PROGRESS,
    ReportChart.Chart.ASSESSMENTS,
    ReportChart.Chart.TARGET,
)


class ReportChartsTestCase(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_operators()
        cls.writer = make_user("pwriter", cls.province_a, Role.Kind.REPORTER)

    def setUp(self):
        report(self.campaign, self.district_a1, {self.t_sum.pk: numbers(1234),
               self.t_ratio.pk: numbers(numerator=1, denominator=3)})  # fmt: skip
        report(self.campaign, self.district_a2, {self.t_sum.pk: numbers(66)})
        self.report = report_services.report_for(campaign=self.campaign, unit=self.province_a)

    def choose(self, *chosen, by=None):
        services.report_charts_set(report=self.report, by=by or self.writer, chosen=list(chosen))

    def test_the_chosen_charts_follow_the_targets_table_numbered_in_order(self):
        self.choose((TARGET, self.t_sum.pk), (PROGRESS, None))
        body = content.consolidated_document(self.report).body
        table = next(i for i, block in enumerate(body) if isinstance(block, Table))
        images = [(i, block) for i, block in enumerate(body) if isinstance(block, Image)]
        self.assertEqual(len(images), 2)
        self.assertTrue(all(i > table for i, _block in images))
        self.assertTrue(images[0][1].caption.startswith("Biểu đồ 1: Tình hình gửi báo cáo"))
        self.assertTrue(images[1][1].caption.startswith("Biểu đồ 2: S. Đoàn viên mới"))
        picture = Picture.open(io.BytesIO(images[0][1].data))
        self.assertEqual(picture.format, "PNG")

    def test_the_word_document_holds_the_chart_image_and_its_caption(self):
        self.choose((ASSESSMENTS, None))
        data = generate.docx_bytes(content.consolidated_document(self.report))
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            media = [name for name in package.namelist() if name.startswith("word/media/")]
            pngs = [package.read(name) for name in media if name.endswith(".png")]
        self.assertTrue(any(png.startswith(b"\x89PNG") for png in pngs), media)
        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        self.assertIn("Biểu đồ 1: Kết quả thực hiện các chỉ tiêu", text)

    def test_without_a_choice_the_document_has_no_chart(self):
        body = content.consolidated_document(self.report).body
        self.assertFalse(any(isinstance(block, Image) for block in body))

    def test_only_the_charts_offered_and_only_by_a_writer(self):
        with self.assertRaises(ReportError):
            self.choose((TARGET, self.t_qual.pk))  # qualitative: nothing to draw
        with self.assertRaises(PermissionDenied):
            self.choose((PROGRESS, None), by=self.carol)  # a viewer
        self.choose((PROGRESS, None), (PROGRESS, None))
        self.assertEqual(ReportChart.objects.filter(report=self.report).count(), 1)

    def test_a_report_sent_up_keeps_the_charts_it_went_with(self):
        self.choose((PROGRESS, None))
        sender = User.objects.get(username="admin")  # make_operators'
        report_services.report_submit(report=self.report, by=sender, warnings_confirmed=True)
        with self.assertRaises(ReportError):
            self.choose((ASSESSMENTS, None))
        self.assertEqual(
            list(ReportChart.objects.filter(report=self.report).values_list("chart", flat=True)),
            ["progress"],
        )

    def test_a_grassroots_report_offers_no_chart(self):
        below = report_services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        self.assertEqual(services.report_chart_offer(below), [])


class ReportChartsPageTestCase(ReportChartsTestCase):
    def url(self):
        return reverse("report_charts", args=[self.report.pk])

    def test_the_writer_ticks_charts_and_is_sent_back_to_the_report(self):
        self.client.force_login(self.writer)
        page = self.client.get(self.url())
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, f'value="target:{self.t_sum.pk}"')
        self.assertNotContains(page, f'value="target:{self.t_qual.pk}"')
        response = self.client.post(
            self.url(), {"bieu-do": ["assessments", f"target:{self.t_sum.pk}"]}
        )
        self.assertRedirects(response, reverse("report_detail", args=[self.report.pk]),
                             fetch_redirect_response=False)  # fmt: skip
        self.assertEqual(
            list(ReportChart.objects.filter(report=self.report).values_list("chart", "target")),
            [("assessments", None), ("target", self.t_sum.pk)],
        )
        self.assertContains(self.client.get(self.url()), 'value="assessments" checked')

    def test_a_chart_that_is_not_offered_is_refused_and_the_choice_kept(self):
        self.client.force_login(self.writer)
        response = self.client.post(self.url(), {"bieu-do": ["progress", "target:999999"]})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'value="progress" checked')
        self.assertFalse(ReportChart.objects.exists())

    def test_who_may_not_write_it_may_not_choose(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.force_login(self.writer)
        self.assertEqual(self.client.put(self.url()).status_code, 405)
        below = report_services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        self.assertEqual(
            self.client.get(reverse("report_charts", args=[below.pk])).status_code, 404
        )
