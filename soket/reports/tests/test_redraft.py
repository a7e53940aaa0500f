"""Drafting again from below: what the drafter has not edited follows the reports below,
what they edited is never overwritten but shown with the change, to take or keep; nothing
stale is kept silently and no edit is lost. Review items are compiled like sections."""

from decimal import Decimal

from django.contrib.messages import constants
from django.urls import reverse

from soket.audit.models import Entry
from soket.reports import consolidation
from soket.reports.models import Report
from soket.reports.tests.test_chain import ReportFlowTestCase


class RedraftTestCase(ReportFlowTestCase):
    """Province A drafts from its districts A1 and A2 and its Ban Tổ chức."""

    def lessons(self, text):
        return {f"section-{self.section_lessons.pk}": text}

    def district_sends(self, district, approver, sum_value="130", **texts):
        """A district writes, sends, and the province accepts its report."""
        self.as_user(approver)
        report = self.start(district)
        self.save(report, **self.figures(sum_value, "8", "10", "100"), **texts)
        self.move(report, "gui")
        self.as_user(self.province_approver)
        self.move(report, "chap-nhan")
        return report

    def draft(self, report, **data):
        report.refresh_from_db()
        response = self.client.post(
            reverse("report_draft", args=[report.pk]),
            {"revision": report.revision, **data},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        report.refresh_from_db()
        return response

    def choose(self, report, change, choice, revision=None):
        report.refresh_from_db()
        return self.client.post(
            reverse("report_draft_choice", args=[report.pk]),
            {
                "revision": report.revision if revision is None else revision,
                "key": change.key,
                "seen": change.seen,
                "choice": choice,
            },
            follow=True,
        )

    def province_drafted(self, **texts):
        """A1 has sent lessons (and whatever else), accepted; the province drafts."""
        self.district_sends(self.district_a1, self.alice, **texts)
        self.as_user(self.province_approver)
        province = self.start(self.province_a)
        self.draft(province)
        return province

    def text(self, report, section):
        return report.section_texts.get(section=section).text

    def levels(self, response):
        return [message.level for message in response.context["messages"]]


class FollowingBelowTestCase(RedraftTestCase):
    def test_an_accepted_districts_passage_reaches_the_provinces_filled_draft(self):
        province = self.province_drafted(**self.lessons("Huyện A1 rút kinh nghiệm."))
        self.assertEqual(
            self.text(province, self.section_lessons), "⟦A1⟧\nHuyện A1 rút kinh nghiệm."
        )

        # A2 is accepted after the province drafted: drafting again brings its passage in.
        self.district_sends(self.district_a2, self.bob, **self.lessons("Huyện A2 cũng vậy."))
        self.as_user(self.province_approver)
        response = self.draft(province)
        self.assertEqual(
            self.text(province, self.section_lessons),
            "⟦A1⟧\nHuyện A1 rút kinh nghiệm.\n\n⟦A2⟧\nHuyện A2 cũng vậy.",
        )
        # The summary says what was updated: the section, and the sum that moved.
        updated = [str(m) for m in response.context["messages"] if m.level == constants.INFO]
        self.assertEqual(len(updated), 1)
        self.assertIn("II. Bài học kinh nghiệm", updated[0])
        self.assertIn(", S", updated[0])
        self.assertNotIn(constants.WARNING, self.levels(response))
        self.assertEqual(province.figures.get(target=self.t_sum).value, Decimal(260))

    def test_nothing_changed_below_changes_nothing(self):
        province = self.province_drafted(**self.lessons("Huyện A1 rút kinh nghiệm."))
        before = province.section_texts.get(section=self.section_lessons).text
        response = self.draft(province)
        self.assertEqual(self.text(province, self.section_lessons), before)
        self.assertEqual(
            self.levels(response), [constants.SUCCESS]
        )  # drafted, nothing updated or waiting
        self.assertFalse(consolidation.changes_below(report=province))

    def test_a_passage_whose_report_is_reopened_leaves_an_unedited_draft(self):
        district = self.district_sends(
            self.district_a1, self.alice, **self.lessons("Huyện A1 rút kinh nghiệm.")
        )
        self.as_user(self.province_approver)
        province = self.start(self.province_a)
        self.draft(province)
        self.move(district, "mo-lai", "Cần sửa số liệu")
        self.draft(province)
        self.assertEqual(self.text(province, self.section_lessons), "")

    def test_a_draft_that_used_reports_not_yet_accepted_is_followed_with_them(self):
        self.as_user(self.bob)
        waiting = self.start(self.district_a2)
        self.save(waiting, **self.figures("40", "8", "10", "100"), **self.lessons("A2 chờ."))
        self.move(waiting, "gui")
        self.as_user(self.province_approver)
        province = self.start(self.province_a)
        self.draft(province, include_submitted="1")
        self.assertIn("A2 chờ.", self.text(province, self.section_lessons))
        # Nothing changed below since: the page offers nothing to take or keep.
        self.assertFalse(consolidation.changes_below(report=province))
        self.assertNotContains(
            self.client.get(reverse("report_detail", args=[province.pk])), 'id="changes-below"'
        )


class EditedTextTestCase(RedraftTestCase):
    def setUp(self):
        self.province = self.province_drafted(**self.lessons("Huyện A1 rút kinh nghiệm."))
        self.save(self.province, **self.lessons("Tỉnh tự viết lại phần này."))
        self.district_sends(self.district_a2, self.bob, **self.lessons("Huyện A2 cũng vậy."))
        self.as_user(self.province_approver)

    def change(self):
        below = consolidation.changes_below(report=self.province)
        return below.get(f"section-{self.section_lessons.pk}")

    def test_an_edited_section_is_not_overwritten_and_the_change_is_shown(self):
        response = self.draft(self.province)
        self.assertEqual(
            self.text(self.province, self.section_lessons), "Tỉnh tự viết lại phần này."
        )
        self.assertIn(constants.WARNING, self.levels(response))
        change = self.change()
        self.assertTrue(change.edited)
        self.assertEqual(change.added, ["⟦A2⟧\nHuyện A2 cũng vậy."])
        self.assertEqual(change.removed, [])
        # On the page: the new passage, the person's text, and a choice for this section.
        self.assertContains(response, "⟦A2⟧<br>Huyện A2 cũng vậy.")
        self.assertContains(response, f'value="{change.key}"')
        self.assertContains(response, 'name="choice" value="take"')
        self.assertContains(response, 'name="choice" value="keep"')

    def test_taking_the_change_writes_it_as_a_guarded_save(self):
        self.draft(self.province)
        revision = self.province.revision
        response = self.choose(self.province, self.change(), "take")
        self.assertEqual(self.levels(response)[-1], constants.SUCCESS)
        self.assertEqual(
            self.text(self.province, self.section_lessons),
            "⟦A1⟧\nHuyện A1 rút kinh nghiệm.\n\n⟦A2⟧\nHuyện A2 cũng vậy.",
        )
        self.province.refresh_from_db()
        self.assertEqual(self.province.revision, revision + 1)
        # What the take replaced is kept in the audit trail.
        entry = Entry.objects.filter(action="take").get()
        lessons = str(self.section_lessons.pk)
        self.assertEqual(entry.before["sections"][lessons], "Tỉnh tự viết lại phần này.")
        self.assertIsNone(self.change())

    def test_keeping_hides_the_change_until_the_next_change_below(self):
        self.draft(self.province)
        response = self.choose(self.province, self.change(), "keep")
        self.assertEqual(self.levels(response)[-1], constants.SUCCESS)
        self.assertEqual(
            self.text(self.province, self.section_lessons), "Tỉnh tự viết lại phần này."
        )
        self.assertIsNone(self.change())
        self.assertNotContains(response, "choice")
        self.draft(self.province)  # drafting again does not bring it back
        self.assertIsNone(self.change())
        self.assertEqual(
            self.text(self.province, self.section_lessons), "Tỉnh tự viết lại phần này."
        )

        # The Ban Tổ chức's report arrives: the section is offered again, with only it new.
        self.as_user(self.department_writer)
        thematic = self.start(self.province_a, self.department)
        self.save(thematic, **self.lessons("Công tác tổ chức tốt."))
        self.as_user(self.department_head)
        self.move(thematic, "gui")
        self.as_user(self.province_approver)
        self.move(thematic, "chap-nhan")
        self.assertEqual(self.change().added, ["⟦Ban Tổ chức⟧\nCông tác tổ chức tốt."])

    def test_a_stale_take_is_refused_without_loss(self):
        self.draft(self.province)
        change = self.change()
        stale = self.province.revision
        self.save(self.province, **self.lessons("Tỉnh sửa tiếp trong lúc đó."))
        response = self.choose(self.province, change, "take", revision=stale)
        self.assertEqual(self.levels(response)[-1], constants.ERROR)
        self.assertEqual(
            self.text(self.province, self.section_lessons), "Tỉnh sửa tiếp trong lúc đó."
        )
        self.assertFalse(Entry.objects.filter(action="take").exists())
        self.assertIsNotNone(self.change())  # still offered

    def test_a_take_of_a_change_that_moved_again_is_refused(self):
        self.draft(self.province)
        seen = self.change()
        self.as_user(self.department_writer)
        thematic = self.start(self.province_a, self.department)
        self.save(thematic, **self.lessons("Công tác tổ chức tốt."))
        self.as_user(self.department_head)
        self.move(thematic, "gui")
        self.as_user(self.province_approver)
        self.move(thematic, "chap-nhan")
        response = self.choose(self.province, seen, "take")
        self.assertEqual(self.levels(response)[-1], constants.ERROR)
        self.assertEqual(
            self.text(self.province, self.section_lessons), "Tỉnh tự viết lại phần này."
        )

    def test_someone_who_may_not_edit_cannot_choose(self):
        self.draft(self.province)
        change = self.change()
        self.as_user(self.carol)  # a viewer of the province
        response = self.choose(self.province, change, "take")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            self.text(self.province, self.section_lessons), "Tỉnh tự viết lại phần này."
        )


class ReviewItemTestCase(RedraftTestCase):
    def assessing(self, text):
        return {f"item-{self.item.pk}": text}

    def assessment(self, report):
        return report.item_assessments.get(item=self.item).text

    def test_review_items_are_compiled_like_sections(self):
        province = self.province_drafted(**self.assessing("A1 quán triệt Kết luận 79."))
        self.assertEqual(self.assessment(province), "⟦A1⟧\nA1 quán triệt Kết luận 79.")

        # Unedited, it follows the reports below.
        self.district_sends(self.district_a2, self.bob, **self.assessing("A2 học tập đầy đủ."))
        self.as_user(self.province_approver)
        self.draft(province)
        self.assertEqual(
            self.assessment(province),
            "⟦A1⟧\nA1 quán triệt Kết luận 79.\n\n⟦A2⟧\nA2 học tập đầy đủ.",
        )

        # Edited, it stays and the change waits for a choice.
        self.save(province, **self.assessing("Tỉnh đánh giá chung."))
        self.as_user(self.department_writer)
        thematic = self.start(self.province_a, self.department)
        self.save(thematic, **self.assessing("Ban Tổ chức đánh giá."))
        self.as_user(self.department_head)
        self.move(thematic, "gui")
        self.as_user(self.province_approver)
        self.move(thematic, "chap-nhan")
        self.draft(province)
        self.assertEqual(self.assessment(province), "Tỉnh đánh giá chung.")
        change = consolidation.changes_below(report=province).get(f"item-{self.item.pk}")
        self.assertEqual(change.added, ["⟦Ban Tổ chức⟧\nBan Tổ chức đánh giá."])
        self.choose(province, change, "take")
        self.assertIn("⟦Ban Tổ chức⟧\nBan Tổ chức đánh giá.", self.assessment(province))


class FigureChangeTestCase(RedraftTestCase):
    def test_an_edited_figure_is_kept_and_its_change_shown_to_take_or_keep(self):
        province = self.province_drafted()
        self.assertEqual(province.figures.get(target=self.t_sum).value, Decimal(130))
        self.save(province, **self.figures("140", "8", "10", "100"))  # edits the sum only

        self.district_sends(self.district_a2, self.bob, "50")
        self.as_user(self.province_approver)
        response = self.draft(province)
        self.assertEqual(province.figures.get(target=self.t_sum).value, Decimal(140))
        below = consolidation.changes_below(report=province)
        self.assertEqual([f.target for f in below.figures], [self.t_sum])
        change = below.figures[0]
        self.assertEqual((change.drafted, change.live, change.edited), (130, 180, True))
        self.assertContains(response, f'value="{change.key}"')
        # The unedited ratio followed the reports below: 16 of 20.
        ratio = province.figures.get(target=self.t_ratio)
        self.assertEqual((ratio.numerator, ratio.denominator), (16, 20))

        # Keeping hides it until the reports below move again.
        self.choose(province, change, "keep")
        self.assertEqual(province.figures.get(target=self.t_sum).value, Decimal(140))
        self.assertFalse(consolidation.changes_below(report=province).figures)
        self.move(Report.objects.get(unit=self.district_a2), "mo-lai", "Sai số liệu")
        moved = {f.target: f for f in consolidation.changes_below(report=province).figures}
        self.assertEqual((moved[self.t_sum].drafted, moved[self.t_sum].live), (180, 130))
        self.assertTrue(moved[self.t_sum].edited)
        # The ratio's counts moved too (16 of 20 back to 8 of 10): not edited, listed.
        self.assertEqual(moved[self.t_ratio].live_numbers[1:], (8, 10))
        self.assertFalse(moved[self.t_ratio].edited)

        # Taking applies it, and drafting again takes the unedited ones.
        self.choose(province, moved[self.t_sum], "take")
        self.assertEqual(province.figures.get(target=self.t_sum).value, Decimal(130))
        self.draft(province)
        self.assertFalse(consolidation.changes_below(report=province))

    def test_a_figure_typed_before_the_first_draft_is_not_overwritten(self):
        self.district_sends(self.district_a1, self.alice)
        self.as_user(self.province_approver)
        province = self.start(self.province_a)
        self.save(province, **self.figures("99", "8", "10", "100"))
        self.draft(province)
        self.assertEqual(province.figures.get(target=self.t_sum).value, Decimal(99))
        moved = consolidation.changes_below(report=province).figures
        self.assertEqual([(f.target, f.live) for f in moved], [(self.t_sum, 130)])
