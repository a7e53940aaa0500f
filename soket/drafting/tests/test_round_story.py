"""A draft's way from circulation to adoption and up, and every refusal on the way."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import translation

from soket.core import clock
from soket.drafting import services
from soket.drafting.models import Comment, CommentRound, DraftVersion
from soket.drafting.services import DraftingError
from soket.notices.models import Notice
from soket.reports import services as report_services
from soket.reports.models import Report, Version
from soket.testing import CampaignTestCase

from .making import build_drafting, day, moment, province_report

Answer = Comment.Answer


class RoundStoryTestCase(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_drafting(cls)

    def setUp(self):
        # The messages are checked by their English msgids.
        self.enterContext(translation.override("en"))

    def circulate(self, report: Report, *readers, due=None) -> CommentRound:
        due = due or day(12, 1)
        with clock.frozen_at(moment(5, 1)):
            return services.round_open(
                report=report, by=self.dave, readers=list(readers), due_on=due,
                note="Đề nghị góp ý trước Hội nghị BCH lần thứ 7.",
            )  # fmt: skip

    def comment(self, round_, reader, section, text, at=None) -> Comment:
        with clock.frozen_at(at or moment(8, 1)):
            return services.comment_add(round=round_, by=reader, section=section, text=text)

    def test_a_round_goes_from_circulation_to_adoption_with_every_comment_answered(self):
        report = province_report(self)
        round_ = self.circulate(report, self.carol, self.department_head)
        self.assertEqual(round_.version.purpose, DraftVersion.Purpose.CIRCULATED)
        self.assertEqual(round_.version.content, report_services.report_content(report))
        # Two readers comment per section and on the whole.
        first = self.comment(round_, self.carol, self.section_results, "Bổ sung số liệu CT01.")
        second = self.comment(
            round_, self.carol, self.section_lessons, "Nêu rõ bài học về tổ chức."
        )
        third = self.comment(round_, self.department_head, self.section_results, "Nêu nguyên nhân.")
        general = self.comment(round_, self.department_head, None, "Báo cáo còn dài.")
        self.assertIsNone(general.section)
        # Presentation refused while a comment waits for an answer.
        refused = self.assertRaisesMessage(DraftingError, "4 comments still wait")
        with clock.frozen_at(moment(20, 1)), refused:
            services.presentation_record(report=report, by=self.dave, conference_on=day(20, 1))
        # The drafter answers and edits the report meanwhile.
        with clock.frozen_at(moment(14, 1)):
            services.comment_answer(comment=first, by=self.dave, answer=Answer.TAKEN)
            services.comment_answer(comment=second, by=self.dave, answer=Answer.TAKEN)
            services.comment_answer(comment=general, by=self.dave, answer=Answer.TAKEN)
            report = report_services.report_save(
                report=report, by=self.dave, revision=report.revision,
                sections={self.section_results.pk: "Kết quả nửa nhiệm kỳ khá tốt, CT01 đạt 120%."},
            )  # fmt: skip
        with clock.frozen_at(moment(20, 1)):
            with self.assertRaisesMessage(DraftingError, "1 comment still waits"):
                services.presentation_record(report=report, by=self.dave, conference_on=day(20, 1))
            services.comment_answer(
                comment=third, by=self.dave, answer=Answer.NOT_TAKEN,
                reason="Nguyên nhân đã nêu ở phần II.",
            )  # fmt: skip
            record = services.presentation_record(
                report=report, by=self.dave, conference_on=day(20, 1),
                conference="Hội nghị BCH LĐLĐ tỉnh lần thứ 7 (khoá XV)",
            )  # fmt: skip
        presented = record.presented_version
        self.assertEqual(presented.purpose, DraftVersion.Purpose.PRESENTED)
        self.assertIn("120%", presented.content["sections"][str(self.section_results.pk)])
        round_.refresh_from_db()
        self.assertIsNotNone(round_.closed_at)
        # The conference asked for a change; it is made, then the adoption recorded.
        with clock.frozen_at(moment(25, 2)):
            report = report_services.report_save(
                report=report, by=self.dave, revision=report.revision,
                sections={self.section_lessons.pk: "Bài học: bám sát cơ sở, lắng nghe đoàn viên."},
            )  # fmt: skip
            record = services.adoption_record(report=report, by=self.dave, adopted_on=day(25, 2))
        adopted = record.adopted_version
        self.assertNotEqual(adopted.pk, presented.pk)
        self.assertEqual(adopted.purpose, DraftVersion.Purpose.ADOPTED)
        self.assertEqual(
            list(DraftVersion.objects.filter(report=report).values_list("number", "purpose")),
            [(1, "circulated"), (2, "presented"), (3, "adopted")],
        )
        self.assertFalse(Comment.objects.filter(round__report=report, answer="").exists())
        # The adopted version is the one submitted upward.
        with clock.frozen_at(moment(10, 3)):
            report_services.report_submit(report=report, by=self.dave)
        sent = Version.objects.get(report=report)
        self.assertEqual(sent.content, adopted.content)

    def test_unchanged_since_the_conference_the_presented_version_is_adopted(self):
        report = province_report(self)
        with clock.frozen_at(moment(20, 1)):
            record = services.presentation_record(
                report=report, by=self.dave, conference_on=day(20, 1)
            )
            record = services.adoption_record(report=report, by=self.dave, adopted_on=day(20, 1))
        self.assertEqual(record.adopted_version_id, record.presented_version_id)

    def test_the_guard_refuses_a_report_changed_after_its_adoption(self):
        """services.submit_guard itself, whatever calls it."""
        report = province_report(self)
        with clock.frozen_at(moment(20, 1)):
            services.presentation_record(report=report, by=self.dave, conference_on=day(20, 1))
            services.adoption_record(report=report, by=self.dave, adopted_on=day(20, 1))
        services.submit_guard(report)  # as adopted: passes
        report_services.report_save(
            report=report, by=self.dave, revision=report.revision,
            sections={self.section_results.pk: "Sửa sau khi thông qua."},
        )  # fmt: skip
        with self.assertRaisesMessage(DraftingError, "Record the adoption again"):
            services.submit_guard(report)

    def test_a_report_changed_after_its_adoption_is_not_submitted(self):
        """Through reports' own submission: holds once reports/services.py calls the
        guards of reports/hooks.py (the diff in the report)."""
        report = province_report(self)
        with clock.frozen_at(moment(20, 1)):
            services.presentation_record(report=report, by=self.dave, conference_on=day(20, 1))
            services.adoption_record(report=report, by=self.dave, adopted_on=day(20, 1))
        report = report_services.report_save(
            report=report, by=self.dave, revision=report.revision,
            sections={self.section_results.pk: "Sửa sau khi thông qua."},
        )  # fmt: skip
        with self.assertRaisesMessage(report_services.ReportError, "Record the adoption again"):
            report_services.report_submit(report=report, by=self.dave)
        report.refresh_from_db()
        self.assertEqual(report.state, Report.State.DRAFT)
        self.assertFalse(Version.objects.filter(report=report).exists())
        # Recorded again after the change, it goes up.
        with clock.frozen_at(moment(21, 1)):
            services.adoption_record(report=report, by=self.dave, adopted_on=day(21, 1))
        report_services.report_submit(report=report, by=self.dave)
        self.assertEqual(Report.objects.get(pk=report.pk).state, Report.State.SUBMITTED)

    def test_a_report_without_a_recorded_adoption_submits_as_before(self):
        report = province_report(self)
        report_services.report_submit(report=report, by=self.dave)
        self.assertEqual(Report.objects.get(pk=report.pk).state, Report.State.SUBMITTED)

    def test_readers_are_told_once_and_the_drafter_once_per_reader(self):
        report = province_report(self)
        round_ = self.circulate(report, self.carol, self.department_head)
        told = Notice.objects.filter(key=f"drafting-round-{round_.pk}")
        self.assertEqual(sorted(told.values_list("user__username", flat=True)), ["carol", "hank"])
        self.assertIn(f"/bao-cao/gop-y/{round_.pk}/", told.first().url)
        for text in ("Một", "Hai", "Ba"):
            self.comment(round_, self.carol, self.section_results, text)
        self.comment(round_, self.department_head, None, "Bốn")
        to_drafter = Notice.objects.filter(user=self.dave)
        self.assertEqual(to_drafter.count(), 2)
        self.assertEqual(
            sorted(to_drafter.values_list("key", flat=True)),
            sorted(
                f"drafting-round-{round_.pk}-reader-{reader.pk}"
                for reader in (self.carol, self.department_head)
            ),
        )
        self.assertEqual(Notice.objects.filter(user=self.carol).count(), 1)

    def test_a_steering_member_who_sees_the_report_may_read_it(self):
        report = province_report(self)
        round_ = self.circulate(report, self.national_approver)
        self.comment(round_, self.national_approver, self.section_results, "Đồng ý.")

    def test_refusals(self):
        report = province_report(self)
        round_ = self.circulate(report, self.carol, self.department_head)
        cases = [
            # A reader who is not in the round.
            (lambda: self.comment(round_, self.province_approver, None, "Tôi góp ý"),
             "not among the readers"),
            # After the due date: refused, the drafter opens a new round.
            (lambda: self.comment(round_, self.carol, None, "Muộn", at=moment(13, 1)),
             "Comments were due by 12/01/2016"),
            (lambda: self.comment(round_, self.carol, None, "   "), "Write your comment"),
            # Out of scope as a reader: a district's approver, even on the committee.
            (lambda: self.circulate(report, self.alice), "cannot read this draft"),
            (lambda: self.circulate(report, self.bob), "cannot read this draft"),
            (lambda: self.circulate(report), "Choose at least one reader"),
            (lambda: self.circulate(report, self.dave), "cannot also be one of its readers"),
            (lambda: self.circulate(report, self.carol, due=day(4, 1)), "cannot be earlier"),
        ]  # fmt: skip
        for call, message in cases:
            with self.subTest(message=message), self.assertRaisesMessage(DraftingError, message):
                call()
        comment = self.comment(round_, self.carol, self.section_lessons, "Góp ý")
        with self.assertRaisesMessage(DraftingError, "Say why the comment is not taken"):
            services.comment_answer(comment=comment, by=self.dave, answer=Answer.NOT_TAKEN)
        with self.assertRaisesMessage(DraftingError, "taken or not"):
            services.comment_answer(comment=comment, by=self.dave, answer="")
        # A section of another campaign's outline.
        other = type(self.section_results).objects.create(
            campaign=self.make_other_campaign(), order=1, heading="Khác"
        )
        with self.assertRaisesMessage(DraftingError, "not in the report's outline"):
            self.comment(round_, self.carol, other, "Góp ý")
        self.assertEqual(Comment.objects.count(), 1)

    def make_other_campaign(self):
        from soket.campaigns.models import Campaign

        return Campaign.objects.create(
            state="issued", code="khac", owner=self.province_a, kind="interim", title="Khác",
            reviewed_from=day(1, 1, 2013), reviewed_to=day(31, 12, 2015),
        )  # fmt: skip

    def test_only_a_drafter_circulates_answers_presents_and_adopts(self):
        report = province_report(self)
        round_ = self.circulate(report, self.carol)
        comment = self.comment(round_, self.carol, None, "Góp ý")
        # carol reads it; hank (a department's head) and nora (above) may not write it.
        for person in (self.carol, self.department_head, self.national_approver):
            with self.subTest(person=person.username):
                with self.assertRaises(PermissionDenied):
                    services.round_open(
                        report=report, by=person, readers=[self.dave], due_on=day(1, 1, 2030)
                    )
                with self.assertRaises(PermissionDenied):
                    services.comment_answer(comment=comment, by=person, answer=Answer.TAKEN)
                with self.assertRaises(PermissionDenied):
                    services.presentation_record(report=report, by=person, conference_on=day(20, 1))
                with self.assertRaises(PermissionDenied):
                    services.adoption_record(report=report, by=person, adopted_on=day(20, 1))
                with self.assertRaises(PermissionDenied):
                    services.version_keep(report=report, by=person)
        self.assertEqual(CommentRound.objects.count(), 1)

    def test_dates_of_the_conference_and_adoption_are_checked(self):
        report = province_report(self)
        with clock.frozen_at(moment(20, 1)):
            with self.assertRaisesMessage(DraftingError, "Record first the version presented"):
                services.adoption_record(report=report, by=self.dave, adopted_on=day(20, 1))
            with self.assertRaisesMessage(DraftingError, "once the conference has met"):
                services.presentation_record(report=report, by=self.dave, conference_on=day(21, 1))
            with self.assertRaisesMessage(DraftingError, "Give the date of the conference"):
                services.presentation_record(report=report, by=self.dave, conference_on=None)
            services.presentation_record(report=report, by=self.dave, conference_on=day(19, 1))
            with self.assertRaisesMessage(
                DraftingError, "cannot come before the conference of 19/01/2016"
            ):
                services.adoption_record(report=report, by=self.dave, adopted_on=day(18, 1))
            with self.assertRaisesMessage(DraftingError, "later than today"):
                services.adoption_record(report=report, by=self.dave, adopted_on=day(21, 1))

    def test_a_comment_after_the_presentation_is_refused(self):
        report = province_report(self)
        round_ = self.circulate(report, self.carol, due=day(30, 1))
        with clock.frozen_at(moment(20, 1)):
            services.presentation_record(report=report, by=self.dave, conference_on=day(20, 1))
        with self.assertRaisesMessage(DraftingError, "Comments on this draft are closed"):
            self.comment(round_, self.carol, None, "Góp ý", at=moment(21, 1))

    def test_a_submitted_report_is_not_circulated(self):
        report = province_report(self)
        report_services.report_submit(report=report, by=self.dave)
        with self.assertRaisesMessage(DraftingError, "drafting is over"):
            self.circulate(report, self.carol)

    def test_a_refused_reader_is_not_named(self):
        report = province_report(self)
        with self.assertRaises(DraftingError) as refused:
            self.circulate(report, self.carol, self.alice, self.bob)
        message = str(refused.exception)
        self.assertIn("2 of the readers chosen cannot read this draft", message)
        for outsider in (self.alice, self.bob):
            self.assertNotIn(outsider.username, message)
            if outsider.full_name:
                self.assertNotIn(outsider.full_name, message)

    def test_circulating_twice_the_same_opens_one_round_and_tells_each_reader_once(self):
        report = province_report(self)
        first = self.circulate(report, self.carol, self.department_head)
        second = self.circulate(report, self.department_head, self.carol)
        self.assertEqual(second.pk, first.pk)
        self.assertEqual(CommentRound.objects.filter(report=report).count(), 1)
        self.assertEqual(DraftVersion.objects.filter(report=report).count(), 1)
        for reader in (self.carol, self.department_head):
            with self.subTest(reader=reader.username):
                self.assertEqual(Notice.objects.filter(user=reader).count(), 1)
        # Another date, other readers or another text is a new round.
        self.assertNotEqual(
            self.circulate(report, self.carol, self.department_head, due=day(13, 1)).pk, first.pk
        )
        self.assertNotEqual(self.circulate(report, self.carol, due=day(13, 1)).pk, first.pk)
        self.assertEqual(CommentRound.objects.filter(report=report).count(), 3)

    def test_keeping_twice_the_same_keeps_one_version(self):
        report = province_report(self)
        with clock.frozen_at(moment(5, 1)):
            first = services.version_keep(report=report, by=self.dave)
            self.assertEqual(services.version_keep(report=report, by=self.dave).pk, first.pk)
            report = report_services.report_save(
                report=report, by=self.dave, revision=report.revision,
                sections={self.section_results.pk: "Kết quả tốt hơn."},
            )  # fmt: skip
            second = services.version_keep(report=report, by=self.dave)
        self.assertEqual(second.number, 2)
        self.assertEqual(DraftVersion.objects.filter(report=report).count(), 2)
