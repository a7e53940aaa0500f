"""The drafting pages: the whole round through the browser's requests, what each
person sees, refusals that keep what was typed, and the checklist of every view."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from soket.core import clock
from soket.drafting import services
from soket.drafting.models import Comment, CommentRound, DraftingRecord
from soket.orgs.models import Role
from soket.reports import services as report_services
from soket.testing import CampaignTestCase, make_user

from .making import build_drafting, day, moment, province_report

HX = {"HTTP_HX_REQUEST": "true"}


class DraftingPagesTestCase(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_drafting(cls)

    def setUp(self):
        # The messages are checked by their English msgids.
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.report = province_report(self)
        self.detail = reverse("drafting_detail", args=[self.report.pk])

    def circulate(self, *readers) -> CommentRound:
        with clock.frozen_at(moment(5, 1)):
            return services.round_open(
                report=self.report, by=self.dave, readers=list(readers), due_on=day(12, 1)
            )

    def test_the_round_through_the_pages(self):
        self.client.force_login(self.dave)
        with clock.frozen_at(moment(5, 1)):
            page = self.client.get(self.detail)
            self.assertContains(page, "carol")
            self.assertNotContains(page, f'value="{self.alice.pk}"')  # out of scope
            response = self.client.post(
                reverse("comment_round_open", args=[self.report.pk]),
                {"readers": [self.carol.pk, self.department_head.pk], "due_on": "12/01/2016",
                 "note": "Góp ý trước hội nghị"},
            )  # fmt: skip
        self.assertRedirects(response, self.detail)
        round_ = CommentRound.objects.get()
        reading = reverse("comment_round", args=[round_.pk])
        self.client.force_login(self.carol)
        with clock.frozen_at(moment(8, 1)):
            page = self.client.get(reading)
            self.assertContains(page, "Kết quả nửa nhiệm kỳ khá tốt.")
            self.assertContains(page, 'name="text"')
            response = self.client.post(
                reverse("comment_add", args=[round_.pk]),
                {"section": self.section_results.pk, "text": "Bổ sung số liệu."},
            )
            self.assertRedirects(response, reading + f"#phan-{self.section_results.pk}")
            # With htmx, the section comes back in place with the comment under it.
            response = self.client.post(
                reverse("comment_add", args=[round_.pk]),
                {"section": "", "text": "Báo cáo còn dài."}, **HX,
            )  # fmt: skip
            self.assertContains(response, 'id="phan-chung"')
            self.assertContains(response, "Báo cáo còn dài.")
            self.assertNotContains(response, "<html")
        self.client.force_login(self.department_head)
        with clock.frozen_at(moment(9, 1)):
            self.client.post(
                reverse("comment_add", args=[round_.pk]),
                {"section": self.section_lessons.pk, "text": "Nêu bài học về tổ chức."},
            )
        self.assertEqual(Comment.objects.count(), 3)
        self.client.force_login(self.dave)
        first, second, third = Comment.objects.order_by("pk")
        answer = reverse("comment_answer", args=[first.pk])
        # Not taken without a reason: refused in place, what was typed kept.
        response = self.client.post(answer, {"answer": "not_taken", "reason": ""}, **HX)
        self.assertContains(response, "Say why the comment is not taken")
        self.assertContains(response, 'value="not_taken" checked')
        response = self.client.post(answer, {"answer": "taken", "reason": ""}, **HX)
        self.assertContains(response, f'id="y-kien-{first.pk}"')
        response = self.client.post(
            reverse("comment_answer", args=[second.pk]), {"answer": "taken"}
        )
        self.assertRedirects(
            response, self.detail + f"#y-kien-{second.pk}", fetch_redirect_response=False
        )
        with clock.frozen_at(moment(20, 1)):
            response = self.client.post(
                reverse("draft_presented", args=[self.report.pk]),
                {"conference": "Hội nghị BCH lần thứ 7", "conference_on": "20/01/2016"},
            )
            self.assertEqual(response.status_code, 400)
            self.assertContains(response, "still wait", status_code=400)
            self.assertContains(response, 'value="Hội nghị BCH lần thứ 7"', status_code=400)
            self.client.post(
                reverse("comment_answer", args=[third.pk]),
                {"answer": "not_taken", "reason": "Đã có ở phần I."},
            )
            response = self.client.post(
                reverse("draft_presented", args=[self.report.pk]),
                {"conference": "Hội nghị BCH lần thứ 7", "conference_on": "20/01/2016"},
            )
            self.assertRedirects(response, self.detail)
            response = self.client.post(
                reverse("draft_adopted", args=[self.report.pk]), {"adopted_on": "20/01/2016"}
            )
            self.assertRedirects(response, self.detail)
        record = DraftingRecord.objects.get()
        self.assertEqual(record.adopted_version_id, record.presented_version_id)
        page = self.client.get(self.detail)
        self.assertContains(page, "Hội nghị BCH lần thứ 7")
        self.assertContains(page, "Đã có ở phần I.")

    def test_the_comparison_page_marks_words_out_and_in(self):
        with clock.frozen_at(moment(5, 1)):
            services.version_keep(report=self.report, by=self.dave)
        report_services.report_save(
            report=self.report, by=self.dave, revision=self.report.revision,
            sections={self.section_results.pk: "Kết quả nửa nhiệm kỳ rất tốt."},
        )  # fmt: skip
        self.client.force_login(self.carol)  # who sees the report sees its versions
        url = reverse("draft_compare", args=[self.report.pk])
        response = self.client.get(url, {"a": "b1", "b": "hien-tai"})
        self.assertContains(response, "<del>khá</del>", html=False)
        self.assertContains(response, "<ins>rất</ins>", html=False)
        self.assertEqual(self.client.get(url, {"a": "b9", "b": "hien-tai"}).status_code, 404)
        self.assertEqual(self.client.get(url, {"a": "x", "b": "hien-tai"}).status_code, 404)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_readers_see_only_their_rounds_and_outsiders_nothing(self):
        round_ = self.circulate(self.carol)
        with clock.frozen_at(moment(8, 1)):
            services.comment_add(round=round_, by=self.carol, section=None, text="Của Carol")
        reading = reverse("comment_round", args=[round_.pk])
        # hank sees the report (a department of the province) but is no reader of it.
        self.client.force_login(self.department_head)
        self.assertEqual(self.client.get(reading).status_code, 404)
        page = self.client.get(self.detail)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Của Carol")
        self.assertNotContains(page, reverse("comment_round_open", args=[self.report.pk]))
        # Outside the province: nothing at all.
        for person in (self.bob, self.erin, self.alice):
            self.client.force_login(person)
            with self.subTest(person=person.username):
                self.assertEqual(self.client.get(self.detail).status_code, 404)
                self.assertEqual(self.client.get(reading).status_code, 404)
                compare_url = reverse("draft_compare", args=[self.report.pk])
                self.assertEqual(self.client.get(compare_url).status_code, 404)
        # carol, a viewer, reads and comments; she may not answer or circulate.
        self.client.force_login(self.carol)
        self.assertContains(self.client.get(reading), "Của Carol")
        comment = Comment.objects.get()
        response = self.client.post(
            reverse("comment_answer", args=[comment.pk]), {"answer": "taken"}
        )
        self.assertEqual(response.status_code, 403)
        response = self.client.post(
            reverse("comment_round_open", args=[self.report.pk]),
            {"readers": [self.department_head.pk], "due_on": "01/01/2030"},
        )
        self.assertEqual(response.status_code, 403)
        for name in ("draft_presented", "draft_adopted", "draft_version_keep"):
            with self.subTest(name=name):
                response = self.client.post(reverse(name, args=[self.report.pk]), {})
                self.assertEqual(response.status_code, 403)
        self.assertEqual(CommentRound.objects.count(), 1)
        self.assertFalse(Comment.objects.exclude(answer="").exists())

    def test_a_late_comment_is_refused_and_kept(self):
        round_ = self.circulate(self.carol)
        self.client.force_login(self.carol)
        with clock.frozen_at(moment(13, 1)):
            response = self.client.post(
                reverse("comment_add", args=[round_.pk]), {"section": "", "text": "Góp ý muộn"}
            )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Comment.objects.exists())
        # The page says the round is over; the form is gone, so nothing more is typed.
        self.assertContains(response, "Comments were due by 12/01/2016", status_code=400)

    def test_a_refused_circulation_keeps_what_was_typed(self):
        self.client.force_login(self.dave)
        with clock.frozen_at(moment(5, 1)):
            response = self.client.post(
                reverse("comment_round_open", args=[self.report.pk]),
                {"readers": [self.carol.pk, self.alice.pk], "due_on": "12/01/2016",
                 "note": "Ghi chú đã gõ"},
            )  # fmt: skip
        # alice is outside the report's scope: a wrong choice, and nobody is named.
        self.assertContains(
            response, "Choose the readers among the people listed.", status_code=400
        )
        self.assertNotContains(response, self.alice.full_name or self.alice.username, 400)
        self.assertContains(response, "Ghi chú đã gõ", status_code=400)
        self.assertContains(response, f'value="{self.carol.pk}" checked', status_code=400)
        self.assertFalse(CommentRound.objects.exists())
        with clock.frozen_at(moment(5, 1)):
            response = self.client.post(
                reverse("comment_round_open", args=[self.report.pk]),
                {"readers": [self.carol.pk], "due_on": "31/02/2016"},
            )
        self.assertContains(response, "dd/mm/yyyy", status_code=400)
        # No date at all: the message names the field, not only "this field is required".
        with clock.frozen_at(moment(5, 1)):
            response = self.client.post(
                reverse("comment_round_open", args=[self.report.pk]),
                {"readers": [self.carol.pk], "due_on": ""},
            )
        self.assertContains(
            response, "Give the date comments are due by (dd/mm/yyyy).", status_code=400
        )
        self.assertFalse(CommentRound.objects.exists())

    def test_a_double_click_circulates_once_and_keeps_one_version(self):
        self.client.force_login(self.dave)
        form = {"readers": [self.carol.pk, self.department_head.pk], "due_on": "12/01/2016"}
        with clock.frozen_at(moment(5, 1)):
            for _click in range(2):
                response = self.client.post(
                    reverse("comment_round_open", args=[self.report.pk]), form
                )
                self.assertRedirects(response, self.detail)
            for _click in range(2):
                response = self.client.post(reverse("draft_version_keep", args=[self.report.pk]))
                self.assertRedirects(response, self.detail)
        self.assertEqual(CommentRound.objects.count(), 1)
        # The round's version says what the report says: keeping it again keeps nothing.
        self.assertEqual(self.report.draft_versions.count(), 1)

    def test_every_view_answers_only_its_method_and_a_person_logged_in(self):
        round_ = self.circulate(self.carol)
        with clock.frozen_at(moment(8, 1)):
            comment = services.comment_add(round=round_, by=self.carol, section=None, text="Góp ý")
        gets = [
            reverse("drafting_detail", args=[self.report.pk]),
            reverse("comment_round", args=[round_.pk]),
            reverse("draft_compare", args=[self.report.pk]),
        ]
        posts = [
            reverse("draft_version_keep", args=[self.report.pk]),
            reverse("comment_round_open", args=[self.report.pk]),
            reverse("draft_presented", args=[self.report.pk]),
            reverse("draft_adopted", args=[self.report.pk]),
            reverse("comment_add", args=[round_.pk]),
            reverse("comment_answer", args=[comment.pk]),
        ]
        for url in gets + posts:
            with self.subTest(url=url):
                self.client.logout()
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn("/dang-nhap/", response["Location"])
        self.client.force_login(self.dave)
        for url in gets:
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url).status_code, 405)
        for url in posts:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 405)
        # Ids that cannot be: 404, never a 500.
        self.assertEqual(self.client.get("/bao-cao/99999999/du-thao/").status_code, 404)
        self.assertEqual(self.client.get("/bao-cao/gop-y/99999999/").status_code, 404)
        # The drafter reads the round but does not comment on it.
        response = self.client.post(reverse("comment_add", args=[round_.pk]), {"text": "Tôi"})
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.carol)
        response = self.client.post(reverse("comment_add", args=[round_.pk]), {"section": "x"})
        self.assertEqual(response.status_code, 404)

    def test_the_drafting_page_takes_the_same_queries_whatever_its_rounds(self):
        self.client.force_login(self.dave)
        self.circulate(self.carol)
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.client.get(self.detail).status_code, 200)
        readers = [self.carol, self.department_head, self.national_approver]
        readers += [make_user(f"doc-{n}", self.province_a, Role.Kind.VIEWER) for n in range(4)]
        for _round in range(3):
            round_ = self.circulate(*readers)
            with clock.frozen_at(moment(8, 1)):
                for reader in readers:
                    for section in (self.section_results, self.section_lessons, None):
                        comment = services.comment_add(
                            round=round_, by=reader, section=section, text="Góp ý"
                        )
                        services.comment_answer(comment=comment, by=self.dave, answer="taken")
        with clock.frozen_at(moment(20, 1)):
            services.presentation_record(report=self.report, by=self.dave, conference_on=day(20, 1))
        report_services.report_submit(report=self.report, by=self.dave)
        with CaptureQueriesContext(connection) as large:
            self.assertEqual(self.client.get(self.detail).status_code, 200)
        self.assertEqual(len(large), len(small), [q["sql"] for q in large.captured_queries])
