"""People at work on a campaign's pages in a real Chromium: reading it, reviewing, and
the province's administrator writing an end-of-term plan from the interim one."""

import docx
import pytest

from soket.campaigns.models import Campaign, Deadline
from soket.core.browser import BrowserTestCase
from soket.demo import data
from soket.demo.loader import load_demo

pytestmark = pytest.mark.browser


class CampaignPageBrowserTestCase(BrowserTestCase):
    def setUp(self):
        load_demo()
        self.page = self.browser.new_page()
        self.console_errors = []
        self.page.on(
            "console",
            lambda message: message.type == "error" and self.console_errors.append(message.text),
        )

    def tearDown(self):
        self.page.close()

    def log_in(self, username):
        self.page.goto(self.live_server_url + "/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", data.PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.live_server_url + "/")

    def test_a_district_official_opens_the_campaign_and_its_tree(self):
        self.log_in("caoloc.duyet")
        campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
        self.page.click(f"a[href='/dot/{campaign.pk}/']")
        self.page.wait_for_selector("text=THỜI GIAN THỰC HIỆN")
        self.assertIn("Lô Tiến Sơn", self.page.inner_text(".signature"))

        # The tree opens a level at a time through htmx, and only within her scope.
        tree = self.page.locator("#units")
        self.assertIn("Cao Lộc", tree.inner_text())
        self.assertNotIn("Tràng Định", tree.inner_text())
        tree.locator("summary").first.click(position={"x": 4, "y": 8})  # the marker, not the link
        tree.locator("text=Công đoàn cơ sở mẫu số 1 (Cao Lộc)").wait_for()
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")

    def test_a_wrong_password_is_refused_in_vietnamese(self):
        self.page.goto(self.live_server_url + "/")
        self.page.fill("#id_username", "caoloc.duyet")
        self.page.fill("#id_password", "wrong")
        self.page.click("button[type=submit]")
        errors = self.page.locator(".errors")
        errors.wait_for()  # the answer has loaded before anything is read from it
        self.assertIn("Đăng nhập", self.page.title())
        self.assertIn("tên đăng nhập", errors.inner_text().lower())

    def test_a_district_double_clicks_accept_and_the_report_is_accepted_once(self):
        from soket.reports.models import Report, Transition

        waiting = Report.objects.get(unit__code="LS-CL-02", state=Report.State.SUBMITTED)
        self.log_in("caoloc.duyet")
        self.page.goto(f"{self.live_server_url}/bao-cao/{waiting.pk}/")
        self.page.locator("form[action$='/chuyen/chap-nhan/'] button").dblclick()
        self.page.wait_for_selector(".badge.state-accepted")
        waiting.refresh_from_db()
        self.assertEqual(waiting.state, Report.State.ACCEPTED)
        accepts = waiting.transitions.filter(action=Transition.Action.ACCEPT)
        self.assertEqual(accepts.count(), 1)
        self.assertEqual(self.console_errors, [])

    def test_a_district_official_waits_for_the_consolidated_table_and_downloads_it(self):
        import shutil
        import tempfile

        from django.test import override_settings

        from soket.documents import jobs
        from soket.documents.models import DocumentJob

        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        with override_settings(MEDIA_ROOT=media):
            self.log_in("caoloc.duyet")
            campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
            self.page.goto(f"{self.live_server_url}/bao-cao/dot/{campaign.pk}/")
            self.page.click("text=Bảng tổng hợp (Excel)")
            self.page.wait_for_selector("#job-status.state-queued")
            # The background runner makes it; the page, polling, offers it by itself.
            job = DocumentJob.objects.get()
            jobs.job_run(job_id=str(job.pk))
            link = self.page.locator("#job-status.state-ready a.button")
            link.wait_for(timeout=10_000)
            with self.page.expect_download() as download:
                link.click()
            self.assertTrue(download.value.suggested_filename.startswith("bang-tong-hop-"))
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")

    def save(self):
        self.page.click("form.part-form button[type=submit]")
        self.page.wait_for_selector(".message")

    def test_the_province_copies_the_interim_plan_into_a_final_review_and_issues_it(self):
        interim = Campaign.objects.get(code=data.CAMPAIGN["code"])
        self.log_in(data.PROVINCE_ADMIN)
        self.page.click("nav >> text=Sơ kết, tổng kết")
        self.page.click("text=Kế hoạch mới")

        self.page.check("input[name=start][value=copy]")
        self.page.select_option("#id_source", str(interim.pk))
        self.page.select_option("#id_kind", "final")
        self.page.fill("#id_title", "Tổng kết nhiệm kỳ 2013 - 2018 (thử)")
        self.page.fill("#id_reviewed_from", "01/01/2013")
        self.page.fill("#id_reviewed_to", "31/12/2018")
        for box in self.page.locator("input[name=resolutions]").all():
            box.check()
        self.page.click("text=Tạo dự thảo")
        self.page.wait_for_selector("text=Đã tạo dự thảo kế hoạch")
        final = Campaign.objects.exclude(pk=interim.pk).get(
            title__startswith="Tổng kết nhiệm kỳ 2013"
        )

        # Two deadlines moved: the districts' (copied as 31/12/2018) and the province's.
        self.page.click(".tabs >> text=Thời gian thực hiện")
        district = Deadline.objects.get(milestone__campaign=final, unit_kind__code="district")
        province = Deadline.objects.get(
            milestone__campaign=final, unit_kind__code="province", is_report=True
        )
        for deadline, day in ((district, "20/12/2018"), (province, "10/03/2019")):
            row = self.page.locator(f"input[name$='-id'][value='{deadline.pk}']").locator(
                "xpath=ancestor::fieldset"
            )
            row.locator("input[name$='-due_on']").fill(day)
        self.save()

        # An outline section renamed.
        self.page.click(".tabs >> text=Đề cương báo cáo")
        self.page.fill("input[name='outline-0-heading']", "KẾT QUẢ THỰC HIỆN CẢ NHIỆM KỲ")
        self.save()

        # The Word plan, previewed before issuing.
        self.page.click(".tabs >> text=Xem trước")
        with self.page.expect_download() as download:
            self.page.locator("#plan .documents a", has_text="Word").click()
        document = docx.Document(download.value.path())
        self.assertIn("2013 - 2018 (thử)", "\n".join(p.text for p in document.paragraphs))

        self.page.click("text=Ban hành >> nth=0")
        self.page.fill("#id_document_number", "25/KH-LĐLĐ")
        self.page.fill("#id_issued_on", "05/10/2018")
        self.page.fill("#id_signer_name", "Lô Tiến Sơn")
        self.page.click("main form button[type=submit]")
        self.page.wait_for_selector("text=Đã ban hành kế hoạch")
        self.assertIn("Số 25/KH-LĐLĐ ngày 05/10/2018", self.page.inner_text(".facts"))

        final.refresh_from_db()
        district.refresh_from_db()
        province.refresh_from_db()
        self.assertEqual(final.state, Campaign.State.ISSUED)
        self.assertEqual((district.due_on.day, province.due_on.day), (20, 10))
        self.assertEqual(
            final.outline_sections.order_by("order").first().heading,
            "KẾT QUẢ THỰC HIỆN CẢ NHIỆM KỲ",
        )
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")

        # Now the districts see it.
        self.page.click("button:has-text('Đăng xuất')")
        self.log_in("caoloc.duyet")
        self.page.click("nav >> text=Sơ kết, tổng kết")
        self.page.wait_for_selector("text=Tổng kết nhiệm kỳ 2013 - 2018 (thử)")
