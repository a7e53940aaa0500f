"""A grassroots union reports from a 390-pixel phone: nothing scrolls sideways, every field
and button is on the screen, and a failed save gives back everything that was typed."""

import os
import types

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from soket.core.browser import BrowserTestCase
from soket.demo import data
from soket.reports import selectors, services
from soket.reports.models import Assessment, Report
from soket.testing import CampaignTestCase, build_campaign, build_tree, use_temporary_media

PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class FailedSaveTestCase(CampaignTestCase):
    """A save refused for one bad figure shows the page again with every field as typed."""

    def setUp(self):
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)

    def test_a_refused_save_keeps_the_figures_assessments_reasons_and_causes_typed(self):
        s, r, h, q = self.t_sum.pk, self.t_ratio.pk, self.t_share.pk, self.t_qual.pk
        response = self.client.post(
            reverse("report_save", args=[self.report.pk]),
            {
                "revision": self.report.revision,
                f"override-{s}": "not_achieved", f"value-{s}": "nhiều",
                f"reason-{s}": "Số liệu chưa đủ", f"causes-{s}": "Thiếu cán bộ <chuyên trách>",
                f"override-{r}": "", f"numerator-{r}": "8", f"denominator-{r}": "10",
                f"causes-{r}": "Doanh nghiệp nhỏ",
                f"override-{h}": "", f"numerator-{h}": "3", f"denominator-{h}": "4",
                f"override-{q}": "achieved", f"reason-{q}": "Học tập đầy đủ",
                f"causes-{q}": "Cấp ủy quan tâm",
            },
        )  # fmt: skip
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.report.figures.exists(), "nothing is written")
        page = response.content.decode()
        for field, shown in [
            (f'name="value-{s}" value="nhiều"', "an unreadable value, as typed"),
            (f'name="numerator-{r}" value="8"', "the ratio's numerator"),
            (f'name="denominator-{r}" value="10"', "the ratio's denominator"),
            (f'name="numerator-{h}" value="3"', "the share's numerator"),
            (f'name="denominator-{h}" value="4"', "the share's denominator"),
            (f'name="reason-{s}" value="Số liệu chưa đủ"', "a reason"),
            (f'name="reason-{q}" value="Học tập đầy đủ"', "another reason"),
        ]:
            self.assertIn(field, page, shown)
        self.assertIn("Thiếu cán bộ &lt;chuyên trách&gt;</textarea>", page)
        self.assertIn("Doanh nghiệp nhỏ</textarea>", page)
        self.assertIn("Cấp ủy quan tâm</textarea>", page)
        self.assertIn('<option value="not_achieved" selected>', page)
        self.assertIn('<option value="achieved" selected>', page)

    def test_a_refused_save_shows_what_was_typed_not_what_is_stored(self):
        services.report_save(
            report=self.report,
            by=self.alice,
            revision=self.report.revision,
            figures={
                self.t_sum.pk: services.FigureInput(
                    value=7, override="achieved", override_reason="cũ", causes="cũ"
                )
            },
        )
        self.report.refresh_from_db()
        s, r = self.t_sum.pk, self.t_ratio.pk
        response = self.client.post(
            reverse("report_save", args=[self.report.pk]),
            {
                "revision": self.report.revision,
                f"override-{s}": "", f"value-{s}": "", f"reason-{s}": "", f"causes-{s}": "",
                f"override-{r}": "", f"numerator-{r}": "tám", f"denominator-{r}": "10",
            },
        )  # fmt: skip
        self.assertEqual(response.status_code, 400)
        page = response.content.decode()
        # Cleared on purpose: the page does not bring back the stored 7 and its reason.
        self.assertIn(f'name="value-{s}" value=""', page)
        self.assertIn(f'name="reason-{s}" value=""', page)
        self.assertIn(f'name="causes-{s}" rows="2"', page)
        self.assertNotIn(">cũ</textarea>", page)
        self.assertNotIn('<option value="achieved" selected>', page)

    def test_the_typed_string_of_a_refused_number_comes_back_as_typed(self):
        """With the strings as typed (`raw`, by field name), a number that could not be
        read is shown as it was typed, so the person can mend it."""
        s, r = self.t_sum.pk, self.t_ratio.pk
        posted = {
            s: services.FigureInput(value=None, causes="x"),
            r: services.FigureInput(numerator=None, denominator=10),
        }
        raw = {f"value-{s}": "1,5 nghìn", f"numerator-{r}": "tám", f"denominator-{r}": "10"}
        html = self.render_figures(posted=posted, raw=raw)
        self.assertIn(f'name="value-{s}" value="1,5 nghìn"', html)
        self.assertIn(f'name="numerator-{r}" value="tám"', html)
        self.assertIn(f'name="denominator-{r}" value="10"', html)
        # Without the strings, the numbers that were read still come back.
        html = self.render_figures(posted=posted, raw={})
        self.assertIn(f'name="denominator-{r}" value="10"', html)
        self.assertIn(f'name="value-{s}" value=""', html)

    def render_figures(self, *, posted, raw) -> str:
        request = RequestFactory().get("/")
        request.user = self.alice
        with translation.override("vi"):
            return render_to_string(
                "reports/_report_figures.html",
                {
                    "report": self.report,
                    "rows": selectors.evaluations(report=self.report),
                    "counted": {self.t_ratio.pk},
                    "posted": posted,
                    "raw": raw,
                    "can_edit": True,
                    "assessments": Assessment.choices,
                },
                request=request,
            )


@pytest.mark.browser
class PhoneBrowserTestCase(BrowserTestCase):
    """A 390 × 844 phone, with what the stories below check on it."""

    def setUp(self):
        use_temporary_media(self)
        self.context = self.browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.console_errors = []
        self.page.on(
            "console",
            lambda message: message.type == "error" and self.console_errors.append(message.text),
        )

    def tearDown(self):
        self.context.close()

    def log_in(self, username, password="password"):
        self.page.goto(self.live_server_url + "/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.live_server_url + "/")

    def open(self, path, ready="main h1"):
        self.page.goto(self.live_server_url + path)
        self.page.locator(ready).first.wait_for()

    def assert_no_sideways_scroll(self, where):
        if os.environ.get("SOKET_SCREENSHOTS"):  # a folder, to look at the pages by eye
            folder = os.environ["SOKET_SCREENSHOTS"]
            self.page.screenshot(path=os.path.join(folder, f"{where}.png"), full_page=True)
        widths = self.page.evaluate(
            """phone => ({
                scroll: document.documentElement.scrollWidth,
                inner: window.innerWidth,
                // What sticks out on the right, to say what to mend.
                wide: [...document.querySelectorAll("body *")]
                    .filter(e => e.getBoundingClientRect().right > phone + 1)
                    .slice(0, 5)
                    .map(e => e.outerHTML.slice(0, 100)),
            })""",
            PHONE["width"],
        )
        problem = f"{where} scrolls sideways: {widths['wide']}"
        self.assertLessEqual(widths["scroll"], widths["inner"], problem)
        self.assertEqual(widths["inner"], PHONE["width"], f"{where} is zoomed out: {problem}")

    def assert_on_screen(self, locator, what):
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        self.assertIsNotNone(box, f"{what} is not shown")
        self.assertGreaterEqual(box["x"], 0, f"{what} starts off the screen")
        self.assertLessEqual(box["x"] + box["width"], PHONE["width"], f"{what} ends off the screen")

    def assert_no_errors_in_the_console(self):
        refused = "the server responded with a status of 400"  # a refused save, on purpose
        errors = [error for error in self.console_errors if refused not in error]
        self.assertEqual(errors, [], "no script errors, no CSP violations")


class GrassrootsReportOnAPhoneTestCase(PhoneBrowserTestCase):
    """Gina, approver of grassroots union A1-01, reports from her phone."""

    def setUp(self):
        super().setUp()
        self.tree = types.SimpleNamespace()
        build_tree(self.tree)
        build_campaign(self.tree)
        self.report = services.report_for(campaign=self.tree.campaign, unit=self.tree.grassroots_a1)

    def test_a_grassroots_union_fills_saves_and_submits_its_report_on_a_phone(self):
        t = self.tree
        self.log_in("gina")
        self.assert_no_sideways_scroll("the home page")
        report_page = reverse("report_detail", args=[self.report.pk])
        self.open(report_page)
        self.assert_no_sideways_scroll("the report page")

        # Every field of the last target's card is on the screen, full width.
        last = t.t_qual.pk
        figures = self.page.locator("table.figures")
        self.assert_on_screen(figures.locator(f"[name=override-{last}]"), "the assessment")
        self.assert_on_screen(figures.locator(f"[name=reason-{last}]"), "the reason")
        self.assert_on_screen(figures.locator(f"[name=causes-{last}]"), "the causes")
        for field in figures.locator("input, select, textarea").all():
            self.assert_on_screen(field, field.get_attribute("name"))

        # A mistyped figure: the save is refused and nothing typed is lost.
        s, r, h = t.t_sum.pk, t.t_ratio.pk, t.t_share.pk
        self.page.fill(f"[name=value-{s}]", "nhiều")
        self.page.fill(f"[name=causes-{s}]", "Nhiều doanh nghiệp mới")
        self.page.fill(f"[name=numerator-{r}]", "8")
        self.page.fill(f"[name=denominator-{r}]", "10")
        self.page.fill(f"[name=value-{h}]", "100")
        self.page.select_option(f"[name=override-{last}]", "achieved")
        self.page.fill(f"[name=reason-{last}]", "Học tập đầy đủ")
        self.page.fill(f"[name=causes-{last}]", "Cấp ủy quan tâm")
        for index, text in enumerate(self.page.locator(".report-form .section textarea").all()):
            text.fill(f"Đoạn {index + 1} viết trên điện thoại.")
        self.page.click(".report-form button[type=submit]")
        self.page.locator(".errors").wait_for()
        self.assert_no_sideways_scroll("the refused save")
        self.assertEqual(self.page.input_value(f"[name=causes-{s}]"), "Nhiều doanh nghiệp mới")
        self.assertEqual(self.page.input_value(f"[name=numerator-{r}]"), "8")
        self.assertEqual(self.page.input_value(f"[name=override-{last}]"), "achieved")
        self.assertEqual(self.page.input_value(f"[name=reason-{last}]"), "Học tập đầy đủ")
        self.assertEqual(self.page.input_value(f"[name=causes-{last}]"), "Cấp ủy quan tâm")
        self.assertFalse(self.report.figures.exists())

        # Mended and saved.
        self.page.fill(f"[name=value-{s}]", "12")
        self.page.click(".report-form button[type=submit]")
        saved = self.page.locator(".message.success")
        saved.wait_for()
        # "Đã lưu." once the catalogue is compiled; its English msgid before.
        self.assertIn(saved.inner_text(), ["Đã lưu.", "Saved."])
        self.assert_no_sideways_scroll("the saved report")
        self.assert_on_screen(self.page.locator(f"[name=causes-{last}]"), "the causes")
        self.assert_on_screen(self.page.locator(f"[name=override-{last}]"), "the assessment")
        self.report.refresh_from_db()
        self.assertEqual(self.report.figures.get(target=t.t_sum).value, 12)
        self.assertEqual(self.report.figures.get(target=t.t_qual).causes, "Cấp ủy quan tâm")

        # A file attached; its remove button is not white on white.
        self.page.set_input_files(
            "#attachment-file",
            files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        self.page.click("form[action$='/tep/'] button")
        remove = self.page.locator("ul.attachments button.link")
        remove.wait_for()
        self.assert_no_sideways_scroll("the report with a file attached")
        self.assert_on_screen(remove, "the attachment's remove button")
        colour, background = remove.evaluate(
            """button => {
                const colour = getComputedStyle(button).color;
                const clear = ["rgba(0, 0, 0, 0)", "transparent"];
                let node = button, background = clear[0];
                while (node && clear.includes(background)) {
                    background = getComputedStyle(node).backgroundColor;
                    node = node.parentElement;
                }
                return [colour, background];
            }"""
        )
        self.assertNotEqual(colour, background, "the remove button can be seen")
        self.assertNotEqual(colour, "rgb(255, 255, 255)", "the remove button is not white")

        # Every button of the page is on the screen.
        for button in self.page.locator("main button").all():
            self.assert_on_screen(button, button.inner_text())

        # Submitted.
        self.page.click("form[action$='/chuyen/gui/'] button")
        self.page.locator(".badge.state-submitted").wait_for()
        self.report.refresh_from_db()
        self.assertEqual(self.report.state, Report.State.SUBMITTED)
        self.assert_no_sideways_scroll("the submitted report")

        # The other pages a reporter opens on a phone.
        self.open(reverse("campaign_reports", args=[t.campaign.pk]))
        self.assert_no_sideways_scroll("the campaign's reports page")
        self.open(reverse("notice_list"))
        self.assert_no_sideways_scroll("the notices page")
        self.open(reverse("campaign_detail", args=[t.campaign.pk]))
        self.assert_no_sideways_scroll("the campaign page")
        self.open("/")
        for link in self.page.locator(".topbar a, .topbar button").all():
            self.assert_on_screen(link, link.inner_text())
        self.assert_no_errors_in_the_console()


class DemoPagesOnAPhoneTestCase(PhoneBrowserTestCase):
    def test_the_demo_pages_of_a_reporter_and_a_district_fit_a_phone(self):
        from soket.campaigns.models import Campaign
        from soket.demo.loader import load_demo

        load_demo()
        campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
        self.log_in("cdcs.caoloc", data.PASSWORD)  # the reporter of a grassroots union
        self.assert_no_sideways_scroll("the reporter's home page")
        for name, path in [
            ("the reporter's campaign page", reverse("campaign_detail", args=[campaign.pk])),
            ("the reporter's reports page", reverse("campaign_reports", args=[campaign.pk])),
            ("the reporter's notices", reverse("notice_list")),
        ]:
            self.open(path)
            self.assert_no_sideways_scroll(name)
        own = Report.objects.get(campaign=campaign, unit__code="LS-CL-01", department=None)
        self.open(reverse("report_detail", args=[own.pk]))
        self.assert_no_sideways_scroll("the reporter's report")

        self.context.clear_cookies()
        self.log_in("caoloc.duyet", data.PASSWORD)  # the district that reviews it
        self.assert_no_sideways_scroll("the district's home page")
        self.open(reverse("campaign_reports", args=[campaign.pk]))
        self.assert_no_sideways_scroll("the district's reports page")
        waiting = Report.objects.get(unit__code="LS-CL-02", state=Report.State.SUBMITTED)
        self.open(reverse("report_detail", args=[waiting.pk]))
        self.assert_no_sideways_scroll("a report waiting for the district's review")
        for button in self.page.locator("main button").all():
            self.assert_on_screen(button, button.inner_text())
        self.assert_no_errors_in_the_console()
