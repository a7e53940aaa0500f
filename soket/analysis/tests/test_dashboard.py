"""The dashboard: the matrix is the target analysis on its side, the charts are one
drawing written as SVG or PNG, and every address answers only within the person's
scope."""

from __future__ import annotations

import io
import re

from django.urls import reverse
from django.utils import translation
from PIL import Image

from soket.analysis import charts, dashboard, selectors
from soket.analysis.tests.making import TwoDistrictsTestCase, numbers, report
from soket.resolutions import meaning
from soket.testing import make_target


class DashboardTestCase(TwoDistrictsTestCase):
    def setUp(self):
        super().setUp()
        self.url = reverse("dashboard", args=[self.campaign.pk])

    def chart(self, name, file_format="svg", **query):
        url = reverse(f"dashboard_chart_{file_format}", args=[self.campaign.pk, name])
        return self.client.get(url, query)


class MatrixTestCase(DashboardTestCase):
    def test_the_matrix_is_the_target_analysis_on_its_side(self):
        for submitted in (False, True):
            analysis = selectors.target_analysis(
                user=self.carol, campaign=self.campaign, unit=self.province_a,
                include_submitted=submitted,
            )  # fmt: skip
            labels = {key: key for key in charts.COLOURS if key}
            rows = dashboard.matrix(analysis, labels)
            self.assertEqual([row.unit for row in rows], [u.unit for u in analysis.rows[0].units])
            for row in rows:
                for column, cell in enumerate(row.cells):
                    target = analysis.rows[column].target
                    below = analysis.rows[column].units
                    wanted = next(u for u in below if u.unit == row.unit)
                    self.assertEqual(cell.category, dashboard.category(wanted))
                    self.assertEqual(cell.category, wanted.evaluation.assessment or cell.category)
                    printed = meaning.printed(target, wanted.value) or "—"
                    self.assertEqual(cell.title, f"{target.code} · {printed} · {cell.category}")

    def test_each_cell_says_its_assessment_in_colour_and_in_a_symbol(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="cell assess-not_achieved"')  # A1's ratio: 33%
        self.assertContains(response, "✕")
        self.assertContains(response, "R · 33,33% · ")  # the cell's title
        self.assertContains(response, f"?don-vi={self.district_a1.pk}")  # drill down


class PageTestCase(DashboardTestCase):
    def test_the_page_paints_without_drawing_a_chart(self):
        response = self.client.get(self.url)
        page = response.content.decode()
        images = re.findall(r'<img src="([^"]+)"[^>]*loading="lazy"', page)
        progress = reverse("dashboard_chart_svg", args=[self.campaign.pk, "tien-do"])
        self.assertTrue(any(src.startswith(progress) for src in images), images)
        one = reverse("dashboard_chart_svg", args=[self.campaign.pk, "chi-tieu"])
        self.assertIn(f"{one}?don-vi={self.province_a.pk}&amp;chi-tieu={self.t_sum.pk}", page)
        self.assertNotIn("<svg", page)

    def test_drilling_down_to_a_grassroots_union_shows_its_own_figures(self):
        report(self.campaign, self.grassroots_a1, {self.t_sum.pk: numbers(7)})
        response = self.client.get(self.url, {"don-vi": self.grassroots_a1.pk})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["analysis"].rolls_up)
        self.assertTemplateUsed(response, "analysis/_dashboard_own.html")
        self.assertContains(response, f"?don-vi={self.district_a1.pk}")  # back up

    def test_a_level_below_can_be_chosen_for_the_progress(self):
        grassroots = self.kinds["grassroots"]
        response = self.client.get(self.url, {"cap": grassroots.pk})
        self.assertEqual(response.context["level"], grassroots)
        self.assertContains(
            response, f"tien-do.svg?don-vi={self.province_a.pk}&amp;cap={grassroots.pk}"
        )
        response = self.client.get(self.url, {"cap": self.kinds["confederation"].pk})
        self.assertIsNone(response.context["level"])
        self.assertTrue(response.context["level_dropped"])


class ChartTestCase(DashboardTestCase):
    def test_every_chart_is_an_svg_image_with_its_own_narrow_policy(self):
        for name, query in (
            ("tien-do", {}),
            ("danh-gia", {}),
            ("chi-tieu", {"chi-tieu": self.t_sum.pk}),
        ):
            with self.subTest(name):
                response = self.chart(name, **query)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "image/svg+xml")
                policy = response["Content-Security-Policy"]
                self.assertIn("script-src 'none'", policy)
                self.assertIn("default-src 'none'", policy)
                self.assertTrue(response.content.startswith(b"<?xml"))

    def test_the_labels_are_drawn_in_vietnamese(self):
        svg = self.chart("danh-gia").content.decode()
        self.assertIn("<!-- chưa đạt tiến độ -->", svg)  # the text, beside its outlines
        self.assertIn('id="DejaVuSans-9bc"', svg)  # "ế" of "tiến", drawn by the font
        self.assertNotIn("<text", svg)

    def test_a_dollar_sign_in_a_name_is_drawn_as_itself_not_as_tex(self):
        bars = [charts.UnitBar(name=name, value=v, benchmark=None, assessment=None)
                for name, v in (("CĐCS $$ Cao Lộc", 3.0), ("Giá $\\frac{1}{2}$", 2.0))]  # fmt: skip
        data = charts.TargetBars(title="Chi phí $5 và $10", measure="$", bars=bars, left_out=0)
        for file_format in (charts.SVG, charts.PNG):
            drawn = charts.render(charts.target_chart(data, {}), file_format)
            self.assertTrue(drawn)
        svg = charts.render(charts.target_chart(data, {}), charts.SVG).decode()
        self.assertIn("<!-- CĐCS $$ Cao Lộc -->", svg)

    def test_the_same_drawing_gives_the_page_svg_and_the_document_png(self):
        svg, png = (
            self.chart("chi-tieu", "svg", **{"chi-tieu": self.t_sum.pk}),
            self.chart("chi-tieu", "png", **{"chi-tieu": self.t_sum.pk}),
        )
        self.assertEqual(png["Content-Type"], "image/png")
        picture = Image.open(io.BytesIO(png.content))
        width_pt = float(re.search(rb'width="([\d.]+)pt"', svg.content).group(1))
        height_pt = float(re.search(rb'height="([\d.]+)pt"', svg.content).group(1))
        # One figure: the PNG is the SVG's size at the PNG's resolution.
        self.assertAlmostEqual(picture.width, width_pt / 72 * charts.PNG_DPI, delta=1)
        self.assertAlmostEqual(picture.height, height_pt / 72 * charts.PNG_DPI, delta=1)

    def test_the_same_data_draws_the_same_bytes(self):
        first = self.chart("danh-gia").content
        self.assertEqual(first, self.chart("danh-gia").content)

    def test_a_figure_renders_in_both_formats_from_one_object(self):
        drawn = charts.assessments_chart(
            "Đạt, vượt tiến độ",
            [charts.AssessmentBar("1", {charts.EXCEEDED: 2, charts.NOT_ACHIEVED: 1})],
            {key: key for key in charts.COLOURS if key},
        )
        svg, png = charts.render(drawn, charts.SVG), charts.render(drawn, charts.PNG)
        self.assertIn("<!-- Đạt, vượt tiến độ -->", svg.decode())
        self.assertTrue(png.startswith(b"\x89PNG"))
        with self.assertRaises(ValueError):
            charts.render(drawn, "gif")


class AccessTestCase(DashboardTestCase):
    def test_it_only_reads(self):
        self.assertEqual(self.client.post(self.url).status_code, 405)
        url = reverse("dashboard_chart_svg", args=[self.campaign.pk, "danh-gia"])
        self.assertEqual(self.client.post(url).status_code, 405)

    def test_a_person_must_sign_in(self):
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.assertEqual(self.chart("danh-gia").status_code, 302)

    def test_a_district_cannot_open_its_neighbour_or_what_is_above(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).context["analysis"].unit, self.district_a1)
        for unit in (self.district_a2, self.province_a):
            with self.subTest(unit=unit.code):
                self.assertEqual(self.client.get(self.url, {"don-vi": unit.pk}).status_code, 404)
                self.assertEqual(self.chart("tien-do", **{"don-vi": unit.pk}).status_code, 404)
                self.assertEqual(self.chart("danh-gia", **{"don-vi": unit.pk}).status_code, 404)

    def test_another_province_sees_nothing(self):
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.chart("danh-gia").status_code, 404)

    def test_nonsense_in_the_address_is_not_found(self):
        other = make_target(self.resolution, "X", "sum", 5)
        for name, query in (
            ("chi-tieu", {}),
            ("chi-tieu", {"chi-tieu": "abc"}),
            ("chi-tieu", {"chi-tieu": other.pk}),
            ("chi-tieu", {"chi-tieu": self.t_qual.pk}),  # qualitative: no chart
            ("khac", {}),
            ("tien-do", {"cap": self.kinds["confederation"].pk}),
            ("tien-do", {"don-vi": "x"}),
        ):
            with self.subTest(name=name, query=query):
                self.assertEqual(self.chart(name, **query).status_code, 404)


class DrawingCacheTestCase(DashboardTestCase):
    labels = {key: key for key in charts.COLOURS if key}

    def drawn(self, counts, file_format=charts.SVG):
        bars = [charts.AssessmentBar("1", counts), charts.AssessmentBar("2", {charts.ACHIEVED: 1})]
        return charts.drawing(charts.assessments_chart, "Đạt, vượt", bars, self.labels,
                              file_format=file_format)  # fmt: skip

    def test_the_same_data_gives_the_same_bytes_from_the_cache(self):
        first = self.drawn({charts.EXCEEDED: 2, charts.NOT_ACHIEVED: 1})
        again = self.drawn({charts.NOT_ACHIEVED: 1, charts.EXCEEDED: 2})  # another order
        self.assertEqual(first, again)
        self.assertEqual(charts.drawing_cache().get(first.key), first.content)  # kept, not redrawn
        self.assertEqual(first.content, charts.render(charts.assessments_chart(
            "Đạt, vượt",
            [charts.AssessmentBar("1", {charts.EXCEEDED: 2, charts.NOT_ACHIEVED: 1}),
             charts.AssessmentBar("2", {charts.ACHIEVED: 1})],
            self.labels,
        ), charts.SVG))  # fmt: skip

    def test_other_data_a_format_or_a_language_give_other_bytes(self):
        first = self.drawn({charts.EXCEEDED: 2, charts.NOT_ACHIEVED: 1})
        other = self.drawn({charts.EXCEEDED: 2, charts.NOT_ACHIEVED: 2})
        self.assertNotEqual(first.key, other.key)
        self.assertNotEqual(first.content, other.content)
        png = self.drawn({charts.EXCEEDED: 2, charts.NOT_ACHIEVED: 1}, charts.PNG)
        self.assertTrue(png.content.startswith(b"\x89PNG"))
        with translation.override("en"):
            english = self.drawn({charts.EXCEEDED: 2, charts.NOT_ACHIEVED: 1})
        self.assertNotEqual(english.key, first.key)
        self.assertIn("<!-- units below -->", english.content.decode())
        self.assertNotIn("<!-- units below -->", first.content.decode())

    def test_a_chart_changes_when_a_report_is_sent(self):
        level = {"cap": self.kinds["grassroots"].pk}
        before = self.chart("tien-do", **level)
        report(self.campaign, self.grassroots_a1, {self.t_sum.pk: numbers(5)})
        after = self.chart("tien-do", **level)
        self.assertNotEqual(before["ETag"], after["ETag"])
        self.assertNotEqual(before.content, after.content)
        self.assertEqual(after.content, self.chart("tien-do", **level).content)
