import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied

from soket.notices.models import Notice
from soket.reports import services
from soket.reports.assessment import evaluate, expected_by
from soket.reports.models import Assessment, Report, Transition
from soket.reports.services import FigureInput, ReportConflict, ReportError, ReportIncomplete
from soket.testing import CampaignTestCase

D = Decimal


class ReportTestCase(CampaignTestCase):
    def setUp(self):
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)

    def save(self, report=None, by=None, **changes):
        report = report or self.report
        report.refresh_from_db()
        return services.report_save(
            report=report, by=by or self.alice, revision=report.revision, **changes
        )

    def fill(self, report=None, by=None, value=100):
        return self.save(
            report,
            by,
            sections={self.section_results.pk: "Kết quả tốt."},
            figures={
                self.t_sum.pk: FigureInput(value=D(value)),
                self.t_ratio.pk: FigureInput(numerator=D(8), denominator=D(10)),
                self.t_share.pk: FigureInput(value=D(100)),
                self.t_qual.pk: FigureInput(override=Assessment.ACHIEVED, override_reason="Đạt"),
            },
            items={self.item.pk: "Đã quán triệt."},
        )


class SaveTestCase(ReportTestCase):
    def test_it_saves_narrative_figures_and_items(self):
        report = self.fill()
        self.assertEqual(report.section_texts.get().text, "Kết quả tốt.")
        ratio = report.figures.get(target=self.t_ratio)
        self.assertEqual(ratio.value, D(80))
        share = report.figures.get(target=self.t_share)
        self.assertEqual((share.numerator, share.denominator), (D(1), D(1)))
        self.assertEqual(report.item_assessments.get().text, "Đã quán triệt.")

    def test_a_save_from_an_older_revision_is_refused(self):
        stale = self.report.revision
        self.fill()
        with self.assertRaises(ReportConflict):
            services.report_save(
                report=self.report,
                by=self.alice,
                revision=stale,
                sections={self.section_results.pk: "Bản của người thứ hai"},
            )
        self.assertEqual(
            self.report.section_texts.get(section=self.section_results).text, "Kết quả tốt."
        )

    def test_an_override_needs_a_reason(self):
        with self.assertRaises(ReportError):
            self.save(figures={self.t_sum.pk: FigureInput(value=D(1), override="achieved")})

    def test_only_the_units_own_people_edit(self):
        with self.assertRaises(PermissionDenied):
            self.save(by=self.bob, sections={self.section_results.pk: "x"})
        with self.assertRaises(PermissionDenied):
            self.save(by=self.carol, sections={self.section_results.pk: "x"})


class StatesTestCase(ReportTestCase):
    def test_submit_keeps_a_version_and_records_who(self):
        self.fill()
        report = services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        self.assertEqual(report.state, Report.State.SUBMITTED)
        self.assertEqual(report.versions.get().content["figures"]["S"]["value"], "100")
        transition = report.transitions.get()
        self.assertEqual((transition.by, transition.action), (self.alice, Transition.Action.SUBMIT))

    def test_a_double_submit_submits_once(self):
        self.fill()
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        with self.assertRaises(ReportError):
            services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        self.assertEqual(self.report.versions.count(), 1)
        self.assertEqual(self.report.transitions.count(), 1)

    def test_what_was_not_reached_needs_its_causes(self):
        self.fill()
        low_rate = FigureInput(numerator=D(1), denominator=D(10))
        self.save(figures={self.t_ratio.pk: low_rate})
        with self.assertRaises(ReportIncomplete) as caught:
            services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        self.assertIn("R", str(caught.exception))
        explained = FigureInput(numerator=D(1), denominator=D(10), causes="Thiếu cán bộ")
        self.save(figures={self.t_ratio.pk: explained})
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)

    def test_return_needs_a_reason_and_tells_the_unit(self):
        self.fill()
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        with self.assertRaises(PermissionDenied):
            services.report_return(report=self.report, by=self.carol, reason="x")
        with self.assertRaises(ReportError):
            services.report_return(report=self.report, by=self.province_approver, reason=" ")
        report = services.report_return(
            report=self.report, by=self.province_approver, reason="Thiếu số liệu"
        )
        self.assertEqual(report.state, Report.State.RETURNED)
        self.assertTrue(Notice.objects.filter(user=self.alice, text__contains="Thiếu số liệu"))

    def test_a_unit_cannot_review_itself(self):
        self.fill()
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        with self.assertRaises(PermissionDenied):
            services.report_accept(report=self.report, by=self.alice)

    def test_resubmission_shows_what_changed(self):
        from soket.reports.selectors import version_changes

        self.fill()
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        services.report_return(report=self.report, by=self.province_approver, reason="Sửa")
        self.fill(value=120)
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        changes = version_changes(self.report)
        self.assertEqual([c.what for c in changes], ["S"])
        self.assertIn("100", changes[0].before)
        self.assertIn("120", changes[0].after)

    def test_an_accepted_report_is_read_only_until_reopened(self):
        self.fill()
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        services.report_accept(report=self.report, by=self.province_approver)
        with self.assertRaises(ReportError):
            self.fill(value=5)
        with self.assertRaises(ReportError):
            services.report_reopen(report=self.report, by=self.province_approver, reason="")
        services.report_reopen(report=self.report, by=self.province_approver, reason="Cập nhật")
        self.fill(value=110)

    def test_a_submission_can_be_withdrawn_before_review(self):
        self.fill()
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        report = services.report_withdraw(report=self.report, by=self.alice)
        self.assertEqual(report.state, Report.State.DRAFT)
        services.report_submit(report=report, by=self.alice, warnings_confirmed=True)
        services.report_accept(report=report, by=self.province_approver)
        with self.assertRaises(ReportError):
            services.report_withdraw(report=report, by=self.alice)

    def test_bulk_accept_is_all_or_nothing(self):
        other = services.report_for(campaign=self.campaign, unit=self.district_a2)
        self.fill()
        self.fill(other, self.bob)
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)
        with self.assertRaises(ReportError):
            services.reports_accept(reports=[self.report, other], by=self.province_approver)
        self.report.refresh_from_db()
        self.assertEqual(self.report.state, Report.State.SUBMITTED)
        services.report_submit(report=other, by=self.bob, warnings_confirmed=True)
        accepted = services.reports_accept(reports=[self.report, other], by=self.province_approver)
        self.assertEqual({r.state for r in accepted}, {Report.State.ACCEPTED})


class AssessmentTestCase(CampaignTestCase):
    def test_an_interim_review_expects_progress_pro_rata(self):
        expected = expected_by(self.t_sum, datetime.date(2015, 7, 2))
        self.assertAlmostEqual(float(expected), 50.0, delta=0.1)  # half of 2013-2018

    def test_it_says_exceeded_achieved_or_not(self):
        as_of = datetime.date(2015, 7, 2)

        def judge(value, interim=True):
            return evaluate(target=self.t_sum, value=D(value), interim=interim, as_of=as_of)

        self.assertEqual(judge(60).computed, Assessment.EXCEEDED)
        self.assertEqual(judge(40).computed, Assessment.NOT_ACHIEVED)
        self.assertEqual(judge(60, interim=False).computed, Assessment.NOT_ACHIEVED)
        self.assertEqual(judge(135, interim=False).percent_of_goal, D(135))

    def test_milestones_replace_the_straight_line(self):
        self.t_sum.milestones.create(due_on=datetime.date(2016, 1, 1), value=D(90))
        expected = expected_by(self.t_sum, datetime.date(2016, 1, 1))
        self.assertEqual(expected, D(90))

    def test_a_ceiling_is_met_from_below(self):
        self.t_sum.direction = "at_most"
        result = evaluate(target=self.t_sum, value=D(0), interim=False, as_of=datetime.date.today())
        self.assertEqual(result.computed, Assessment.EXCEEDED)

    def test_qualitative_targets_are_judged_by_hand(self):
        result = evaluate(
            target=self.t_qual,
            value=None,
            interim=True,
            as_of=datetime.date(2015, 12, 31),
            override="achieved",
        )
        self.assertEqual((result.computed, result.assessment), (None, "achieved"))


class ReviewListTestCase(ReportTestCase):
    def test_the_review_list_holds_what_is_addressed_to_my_level(self):
        from soket.reports.selectors import reports_to_review

        grassroots = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        self.fill(grassroots, self.grassroots_reporter)
        services.report_submit(
            report=grassroots, by=self.grassroots_reporter, warnings_confirmed=True
        )
        self.fill()
        services.report_submit(report=self.report, by=self.alice, warnings_confirmed=True)

        mine = reports_to_review(user=self.province_approver, campaign=self.campaign)
        self.assertEqual(list(mine), [self.report])
        self.assertEqual(
            list(reports_to_review(user=self.alice, campaign=self.campaign)), [grassroots]
        )


class JudgedWhereTheGoalWasSetTestCase(ReportTestCase):
    def test_a_summed_goal_is_judged_only_at_the_level_that_set_it(self):
        from soket.reports.selectors import evaluations

        self.fill(value=1)
        rows = {row.target.code: row.evaluation for row in evaluations(report=self.report)}
        self.assertIsNone(rows["S"].computed)  # the province's total, not the district's
        self.assertIsNotNone(rows["R"].computed)  # a rate compares at any level
        province = services.report_for(campaign=self.campaign, unit=self.province_a)
        self.save(
            province, self.province_approver, figures={self.t_sum.pk: FigureInput(value=D(1))}
        )
        rows = {row.target.code: row.evaluation for row in evaluations(report=province)}
        self.assertEqual(rows["S"].computed, Assessment.NOT_ACHIEVED)
