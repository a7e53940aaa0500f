"""People at work on a campaign's pages in a real Chromium: reading it, reviewing, and
an end-of-term plan on its way down, from the province's administrator, who writes it
from the interim one, through Cao Lộc's, who deploys it, to a new grassroots reporter."""

import datetime

import docx
import pytest
from django.test import override_settings

from soket.campaigns.models import Campaign, Deadline
from soket.core.browser import BrowserTestCase
from soket.demo import data
from soket.demo.loader import load_demo
from soket.notices import delivery
from soket.orgs.models import User
from soket.people.tests.fixtures import invite, mail_sink, set_password

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Tổng-kết-Cao-Lộc-2018"


class CampaignPageBrowserTestCase(BrowserTestCase):
    def setUp(self):
        load_demo()
        self.page = self.new_page()

    def log_in(self, username, page=None, password=data.PASSWORD):
        self.sign_in(page or self.page, username, password)

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

    def save(self, page=None):
        page = page or self.page
        page.click("form.part-form button[type=submit]")
        page.wait_for_selector(".message")

    def test_the_province_issues_a_final_review_cao_loc_deploys_it_to_a_new_reporter(self):
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

        # Now the districts see it; deploying it is for their administrators.
        self.page.click("button:has-text('Đăng xuất')")
        self.log_in("caoloc.duyet")
        self.page.click("nav >> text=Sơ kết, tổng kết")
        self.page.click(f"a[href='/dot/{final.pk}/']")
        self.page.wait_for_selector("#plan")
        self.assertEqual(self.page.locator(".deploy-form").count(), 0)

        # Cao Lộc's administrator deploys it to the district's grassroots unions...
        cao_loc = self.new_page()
        self.log_in(data.DEPLOYMENT["admin"], page=cao_loc)
        cao_loc.click("nav >> text=Sơ kết, tổng kết")
        cao_loc.click(f"a[href='/dot/{final.pk}/']")
        cao_loc.click("#deployments .deploy-form button[type=submit]")
        cao_loc.wait_for_url("**/sua/tien-do/")
        deployment = Campaign.objects.get(deployed_from=final)
        self.assertEqual(deployment.owner.code, "LS-CL")
        self.assertEqual(cao_loc.url, f"{self.live_server_url}/dot/{deployment.pk}/sua/tien-do/")

        # ... with a date of its own for their reports, on the timeline's second line
        # (the plan gives them none: copied, the deployment has no deadline yet). A date
        # after the district's own, 20/12/2018, is refused, with what was typed kept.
        self.assertEqual(
            cao_loc.input_value("input[name='line-1-label']"), "Tháng 11/2018 đến tháng 12/2018"
        )
        row = cao_loc.locator("fieldset.new-row:has(select[name$='-level'])").first
        row.locator("input[name$='-line']").fill("2")
        row.locator("select[name$='-level']").select_option(label="Công đoàn cơ sở")
        row.locator("input[name$='-due_on']").fill("24/12/2018")
        row.locator("input[name$='-deliverable']").fill("Gửi báo cáo tổng kết về LĐLĐ huyện")
        row.locator("input[name$='-is_report']").check()
        cao_loc.click("form.part-form button[type=submit]")
        refusal = cao_loc.locator("p.errors").first
        refusal.wait_for()
        said = refusal.inner_text()
        self.assertIn("24/12/2018", said)
        self.assertIn("20/12/2018", said)
        self.assertIn("25/KH-LĐLĐ", said)
        self.assertTrue("muộn hơn" in said or "later than" in said, said)
        row = cao_loc.locator("fieldset.new-row:has(select[name$='-level'])").first
        self.assertEqual(row.locator("input[name$='-due_on']").input_value(), "24/12/2018")
        self.assertEqual(
            row.locator("input[name$='-deliverable']").input_value(),
            "Gửi báo cáo tổng kết về LĐLĐ huyện",
        )
        self.assertFalse(Deadline.objects.filter(milestone__campaign=deployment).exists())
        row.locator("input[name$='-due_on']").fill("10/12/2018")
        self.save(cao_loc)
        [grassroots] = Deadline.objects.filter(milestone__campaign=deployment)
        self.assertEqual(
            (grassroots.unit_kind.code, grassroots.due_on, grassroots.is_report),
            ("grassroots", datetime.date(2018, 12, 10), True),
        )

        cao_loc.click(f"a[href='/dot/{deployment.pk}/ban-hanh/']")
        cao_loc.fill("#id_document_number", "112/KH-LĐLĐ")
        cao_loc.fill("#id_issued_on", "15/10/2018")
        cao_loc.fill("#id_signer_name", "Hoàng Văn Lộc")
        cao_loc.click("main form button[type=submit]")
        cao_loc.wait_for_selector("text=Đã ban hành kế hoạch")
        self.assertIn("Số 112/KH-LĐLĐ ngày 15/10/2018", cao_loc.inner_text(".facts"))
        self.assertEqual(cao_loc.locator(f".deployed-from a[href='/dot/{final.pk}/']").count(), 1)
        deployment.refresh_from_db()
        self.assertEqual(deployment.state, Campaign.State.ISSUED)

        # The province sees Cao Lộc among the federations that have deployed its plan.
        self.page.click("button:has-text('Đăng xuất')")
        self.log_in(data.PROVINCE_ADMIN)
        self.page.goto(f"{self.live_server_url}/dot/{final.pk}/")
        cao_loc_row = self.page.locator("#deployments table.deployments tbody tr").filter(
            has_text="Cao Lộc"
        )
        self.assertIn("112/KH-LĐLĐ", cao_loc_row.inner_text())
        self.assertIn("15/10/2018", cao_loc_row.inner_text())
        self.assertEqual(cao_loc_row.locator(f"a[href='/dot/{deployment.pk}/']").count(), 1)

        # Cao Lộc invites a new reporter for its first grassroots union...
        sink = mail_sink(self)
        invite(
            cao_loc, self.live_server_url, username="cdcs.caoloc.tongket",
            full_name="Nông Thị Tổng Kết", email="tongket@caoloc.example.org", unit="LS-CL-01",
        )  # fmt: skip
        self.assertTrue(User.objects.filter(username="cdcs.caoloc.tongket").exists())

        # ... who sets a password through the e-mail's link, logs in and finds the
        # report due on the date Cao Lộc set, not the plan's (none: its period's end).
        delivery.deliver()
        [link] = sink.links_to("tongket@caoloc.example.org")
        reporter = self.new_page()
        set_password(reporter, link, NEW_PASSWORD)
        self.log_in("cdcs.caoloc.tongket", page=reporter, password=NEW_PASSWORD)
        due = reporter.locator("table.due tbody tr").filter(
            has=reporter.locator(f"a[href='/dot/{final.pk}/']")
        )
        self.assertEqual(due.count(), 1)
        self.assertIn("Công đoàn cơ sở mẫu số 1 (Cao Lộc)", due.inner_text())
        self.assertTrue(due.locator("td").first.inner_text().startswith("10/12/2018"))
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")
