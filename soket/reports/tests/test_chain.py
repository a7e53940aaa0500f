"""The whole chain, through the pages: a grassroots union reports, its district returns
it, it resubmits and is accepted; the district drafts from below and reports to the
province; a department reports on its theme; the province consolidates and reports to
the confederation, which accepts."""

from decimal import Decimal

from django.urls import reverse

from soket.notices.models import Notice
from soket.reports.models import Report
from soket.testing import CampaignTestCase


class ReportFlowTestCase(CampaignTestCase):
    """What people do on the pages, as helpers for the stories below."""

    def as_user(self, user):
        self.client.force_login(user)

    def start(self, unit, department=None) -> Report:
        data = {"unit": unit.pk}
        if department:
            data["department"] = department.pk
        response = self.client.post(reverse("report_start", args=[self.campaign.pk]), data)
        self.assertEqual(response.status_code, 302, response.content[:300])
        return Report.objects.get(campaign=self.campaign, unit=unit, department=department)

    def save(self, report, **fields):
        report.refresh_from_db()
        data = {"revision": report.revision, **fields}
        response = self.client.post(reverse("report_save", args=[report.pk]), data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])

    def move(self, report, action, reason=""):
        response = self.client.post(
            # The officials of this story have checked their figures: a submission with
            # unusual ones goes (the question itself is test_workflow's).
            reverse("report_move", args=[report.pk, action]),
            {"reason": reason, "confirmed": "1"},
        )
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        return report

    def figures(self, sum_value, numerator, denominator, share):
        s, r, h, q = self.t_sum.pk, self.t_ratio.pk, self.t_share.pk, self.t_qual.pk
        return {
            f"override-{s}": "", f"value-{s}": sum_value, f"causes-{s}": "",
            f"override-{r}": "", f"numerator-{r}": numerator, f"denominator-{r}": denominator,
            f"override-{h}": "", f"value-{h}": share,
            f"override-{q}": "achieved", f"reason-{q}": "Tổ chức học tập đầy đủ",
        }  # fmt: skip


class ChainTestCase(ReportFlowTestCase):
    def test_the_review_runs_from_the_grassroots_up(self):
        # A grassroots union reports; its district returns it, with a reason.
        self.as_user(self.grassroots_reporter)
        grassroots = self.start(self.grassroots_a1)
        self.save(grassroots, **self.figures("120", "8", "10", "100"),
                  **{f"section-{self.section_results.pk}": "Kết nạp 120 đoàn viên."})  # fmt: skip
        self.assertEqual(self.move(grassroots, "gui").state, Report.State.SUBMITTED)

        self.as_user(self.alice)
        self.move(grassroots, "tra-lai", "Thiếu số liệu chỉ tiêu H")
        self.assertEqual(grassroots.state, Report.State.RETURNED)
        self.assertTrue(Notice.objects.filter(user=self.grassroots_reporter).exists())

        # It resubmits; the district sees what changed and accepts.
        self.as_user(self.grassroots_reporter)
        self.save(grassroots, **self.figures("130", "8", "10", "100"))
        self.move(grassroots, "gui")
        self.as_user(self.alice)
        page = self.client.get(reverse("report_detail", args=[grassroots.pk]))
        self.assertContains(page, "120")
        self.assertContains(page, "130")
        self.assertEqual(self.move(grassroots, "chap-nhan").state, Report.State.ACCEPTED)

        # The district drafts its report from below and sends it to the province.
        district = self.start(self.district_a1)
        response = self.client.post(
            reverse("report_draft", args=[district.pk]), {"revision": district.revision}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(district.figures.get(target=self.t_sum).value, Decimal(130))
        self.assertIn("Kết nạp 120 đoàn viên", district.section_texts.get().text)
        self.save(district, **self.figures("130", "8", "10", "100"))
        self.move(district, "gui")

        # A department writes its thematic report.
        self.as_user(self.department_writer)
        thematic = self.start(self.province_a, self.department)
        self.save(thematic, **{f"section-{self.section_lessons.pk}": "Công tác tổ chức tốt."})
        self.as_user(self.department_head)  # the head of department sends it
        self.move(thematic, "gui")

        # The province accepts both at once, consolidates and reports upward.
        self.as_user(self.province_approver)
        response = self.client.post(
            reverse("reports_accept", args=[self.campaign.pk]),
            {"report": [district.pk, thematic.pk]},
        )
        self.assertEqual(response.status_code, 302)
        district.refresh_from_db()
        thematic.refresh_from_db()
        self.assertEqual({district.state, thematic.state}, {Report.State.ACCEPTED})
        province = self.start(self.province_a)
        self.client.post(
            reverse("report_draft", args=[province.pk]), {"revision": province.revision}
        )
        self.assertEqual(province.figures.get(target=self.t_sum).value, Decimal(130))
        self.assertEqual(province.figures.get(target=self.t_ratio).value, Decimal(80))
        lessons = province.section_texts.get(section=self.section_lessons).text
        self.assertIn("⟦Ban Tổ chức⟧\nCông tác tổ chức tốt.", lessons)
        self.save(province, **self.figures("130", "8", "10", "100"))
        self.move(province, "gui")

        # The confederation accepts the province's report.
        self.as_user(self.national_approver)
        self.assertEqual(self.move(province, "chap-nhan").state, Report.State.ACCEPTED)
        self.assertEqual(province.transitions.count(), 2)

    def test_a_district_cannot_touch_its_neighbours_report(self):
        self.as_user(self.bob)
        neighbour = self.start(self.district_a2)
        self.as_user(self.alice)
        self.assertEqual(
            self.client.get(reverse("report_detail", args=[neighbour.pk])).status_code, 404
        )
        response = self.client.post(reverse("report_move", args=[neighbour.pk, "gui"]))
        self.assertEqual(response.status_code, 404)

    def test_a_stale_form_keeps_the_text_and_says_so(self):
        self.as_user(self.alice)
        report = self.start(self.district_a1)
        stale = report.revision
        self.save(report, **{f"section-{self.section_results.pk}": "Bản thứ nhất"})
        response = self.client.post(
            reverse("report_save", args=[report.pk]),
            {
                "revision": stale,
                f"section-{self.section_results.pk}": "Bản thứ hai, viết song song",
            },
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Bản thứ hai, viết song song", status_code=409)
        self.assertContains(response, "Người khác", status_code=409)
        self.assertEqual(report.section_texts.get().text, "Bản thứ nhất")

    def test_text_in_a_number_field_is_refused_without_a_write(self):
        self.as_user(self.alice)
        report = self.start(self.district_a1)
        data = {"revision": report.revision, **self.figures("nhiều", "8", "10", "100")}
        response = self.client.post(reverse("report_save", args=[report.pk]), data)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(report.figures.exists())

    def test_a_double_clicked_submit_submits_once(self):
        self.as_user(self.alice)
        report = self.start(self.district_a1)
        self.save(report, **self.figures("130", "8", "10", "100"))
        self.move(report, "gui")
        response = self.client.post(
            reverse("report_move", args=[report.pk, "gui"]), follow=True
        )  # the second click
        self.assertEqual(report.versions.count(), 1)
        self.assertEqual(report.transitions.count(), 1)
        messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
        self.assertEqual(messages[-1], ("success", "Báo cáo nay ở trạng thái “đã gửi”."))

    def test_someone_elses_earlier_move_is_still_an_error(self):
        self.as_user(self.alice)
        report = self.start(self.district_a1)
        self.save(report, **self.figures("130", "8", "10", "100"))
        self.move(report, "gui")
        self.as_user(self.province_approver)
        self.move(report, "chap-nhan")
        self.as_user(self.dave)
        response = self.client.post(
            reverse("report_move", args=[report.pk, "chap-nhan"]), follow=True
        )
        message = list(response.context["messages"])[-1]
        self.assertEqual(message.level_tag, "error")


class DraftWithSubmittedTestCase(ReportFlowTestCase):
    def test_passages_and_figures_from_unaccepted_reports_are_marked(self):
        self.as_user(self.grassroots_reporter)
        grassroots = self.start(self.grassroots_a1)
        self.save(grassroots, **self.figures("120", "8", "10", "100"),
                  **{f"section-{self.section_results.pk}": "Kết nạp 120 đoàn viên."})  # fmt: skip
        self.move(grassroots, "gui")

        self.as_user(self.alice)
        district = self.start(self.district_a1)
        response = self.client.post(
            reverse("report_draft", args=[district.pk]),
            {"revision": district.revision, "include_submitted": "1"},
            follow=True,
        )
        self.assertContains(response, "1 báo cáo chưa được chấp nhận")
        self.assertEqual(district.figures.get(target=self.t_sum).value, Decimal(120))
        self.assertIn("chưa được chấp nhận", district.section_texts.get().text)
