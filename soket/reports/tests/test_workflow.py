"""The workflow table, move by move: who may make it, who may not, and whom it tells.

Each case starts a district's (or the province's, or a department's) report in the
state the move starts from, then checks the table (workflow.moves_for), the service
(services.report_transition refuses the others) and the notices the move leaves."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from soket.notices.models import Notice
from soket.orgs.models import Role, User
from soket.reports import services, workflow
from soket.reports.models import Report
from soket.testing import build_campaign, build_tree, make_user

State = Report.State


class WorkflowTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_tree(cls)
        build_campaign(cls)
        # A1's own writer who may not send; alice (approver of A1) sends.
        cls.rita = make_user("rita", cls.district_a1, Role.Kind.REPORTER)

    def people(self, names: str) -> list[User]:
        return [User.objects.get(username=name) for name in names.split()]

    def report_in(self, state: str, *, unit=None, department=None) -> Report:
        """A report brought to `state` the way people bring it there."""
        unit = unit or self.district_a1
        report = services.report_for(campaign=self.campaign, unit=unit, department=department)
        sender = {
            self.district_a1.pk: self.alice,
            self.province_a.pk: self.dave,
        }.get(unit.pk, self.alice)
        if department is not None:
            sender = self.department_head
        reviewer = self.national_approver if unit == self.province_a else self.province_approver
        if state in (State.SUBMITTED, State.RETURNED, State.ACCEPTED):
            services.report_submit(report=report, by=sender)
        if state == State.RETURNED:
            services.report_return(report=report, by=reviewer, reason="Thiếu số liệu")
        if state == State.ACCEPTED:
            services.report_accept(report=report, by=reviewer)
        report.refresh_from_db()
        self.assertEqual(report.state, state)
        Notice.objects.all().delete()
        return report

    def check_move(self, move, *, state, may: str, may_not: str, told: str, **where):
        for user in self.people(may):
            with self.subTest(move=move.name, user=user.username, may=True):
                report = self.report_in(state, **where)
                self.assertIn(move, workflow.moves_for(user, report))
                if move.action is None:
                    continue
                services.report_transition(
                    report=report, move=move, by=user, reason="Lý do" if move.needs_reason else ""
                )
                report.refresh_from_db()
                self.assertEqual(report.state, move.to_state)
                expected = set(told.split()) - {user.username}
                heard = set(Notice.objects.values_list("user__username", flat=True))
                self.assertEqual(heard, expected)
                report.delete()
        for user in self.people(may_not):
            with self.subTest(move=move.name, user=user.username, may=False):
                report = self.report_in(state, **where)
                self.assertNotIn(move, workflow.moves_for(user, report))
                if move.action is not None:
                    with self.assertRaises(PermissionDenied):
                        services.report_transition(report=report, move=move, by=user, reason="x")
                    report.refresh_from_db()
                    self.assertEqual(report.state, state)
                    self.assertFalse(Notice.objects.exists())
                report.delete()

    def test_a_unit_writes_its_own_report(self):
        self.check_move(
            workflow.SAVE,
            state=State.DRAFT,
            may="alice rita",
            may_not="paul dave carol bob nora dora hank gina",
            told="",
        )

    def test_the_unit_s_approver_submits_and_the_level_above_is_told(self):
        self.check_move(
            workflow.SUBMIT,
            state=State.DRAFT,
            may="alice",
            may_not="rita paul dave carol bob nora dora hank gina",
            told="paul dave",
        )

    def test_a_returned_report_is_submitted_again_by_its_approver(self):
        self.check_move(
            workflow.SUBMIT,
            state=State.RETURNED,
            may="alice",
            may_not="rita paul dave",
            told="paul dave",
        )

    def test_the_sender_withdraws_and_nobody_is_told(self):
        self.check_move(
            workflow.WITHDRAW,
            state=State.SUBMITTED,
            may="alice",
            may_not="rita paul dave carol bob",
            told="",
        )

    def test_the_level_above_returns_and_the_unit_is_told(self):
        self.check_move(
            workflow.RETURN,
            state=State.SUBMITTED,
            may="paul dave nora",
            may_not="alice rita carol bob erin dora hank gina",
            told="alice rita",
        )

    def test_the_level_above_accepts_and_the_unit_is_told(self):
        self.check_move(
            workflow.ACCEPT,
            state=State.SUBMITTED,
            may="paul dave nora",
            may_not="alice rita carol bob erin dora hank",
            told="alice rita",
        )

    def test_the_level_above_reopens_and_the_unit_is_told(self):
        self.check_move(
            workflow.REOPEN,
            state=State.ACCEPTED,
            may="paul dave nora",
            may_not="alice rita carol bob erin",
            told="alice rita",
        )

    def test_a_campaign_administrator_who_submitted_is_told_of_a_return(self):
        # dave, the province's campaign administrator, sends the province's report up.
        self.check_move(
            workflow.RETURN,
            state=State.SUBMITTED,
            unit=self.province_a,
            may="nora",
            may_not="dave paul carol alice",
            told="dave paul",
        )

    def test_a_department_s_report_goes_to_the_federation_s_approvers_outside_it(self):
        self.check_move(
            workflow.SUBMIT,
            state=State.DRAFT,
            unit=self.province_a,
            department=self.department,
            may="hank",
            may_not="dora paul dave alice",
            told="paul dave",
        )

    def test_nobody_reviews_a_report_they_sent(self):
        # An operator sends a district's report for it; the same operator may not accept it.
        operator = make_user("operator")
        operator.is_superuser = True
        operator.save()
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_submit(report=report, by=operator)
        self.assertNotIn(workflow.ACCEPT, workflow.moves_for(operator, report))
        self.assertIn(workflow.ACCEPT, workflow.moves_for(self.province_approver, report))

    def test_a_move_that_needs_a_reason_is_refused_without_one(self):
        report = self.report_in(State.SUBMITTED)
        with (
            translation.override("en"),
            self.assertRaisesMessage(services.ReportError, "Say why the report is returned."),
        ):
            services.report_transition(
                report=report, move=workflow.RETURN, by=self.province_approver, reason="  "
            )
        report.refresh_from_db()
        self.assertEqual(report.state, State.SUBMITTED)
        self.assertFalse(Notice.objects.exists())

    def test_every_move_is_declared_once_with_its_states(self):
        names = [move.name for move in workflow.MOVES]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(
            {move.action for move in workflow.MOVES if move.action},
            set(workflow.Action.values),
        )
        for move in workflow.MOVES:
            self.assertTrue(move.from_states, move.name)
            if move.needs_reason:
                self.assertTrue(move.asks_reason, move.name)


class SubmitWarningsTestCase(TestCase):
    """Figures that look wrong without being impossible are sent only once confirmed."""

    @classmethod
    def setUpTestData(cls):
        build_tree(cls)
        build_campaign(cls)

    def setUp(self):
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        # 120 new members at one district: more than the province's goal of 100 for all.
        services.report_save(
            report=self.report,
            by=self.alice,
            revision=self.report.revision,
            figures={self.t_sum.pk: services.FigureInput(value=Decimal(120))},
        )
        self.client.force_login(self.alice)

    def test_the_sender_is_asked_to_confirm_and_nothing_moves_until_they_do(self):
        url = reverse("report_move", args=[self.report.pk, "gui"])
        with translation.override("en"):
            response = self.client.post(url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="submit-warnings"')
        self.assertContains(response, "S (Đoàn viên mới)")
        self.assertContains(response, 'name="confirmed" value="1"')
        self.report.refresh_from_db()
        self.assertEqual(self.report.state, State.DRAFT)
        self.assertFalse(Notice.objects.exists())

        response = self.client.post(url, {"confirmed": "1"})
        self.assertEqual(response.status_code, 302)
        self.report.refresh_from_db()
        self.assertEqual(self.report.state, State.SUBMITTED)

    def test_the_service_refuses_unconfirmed_warnings_too(self):
        with self.assertRaises(services.ReportWarnings):
            services.report_submit(report=self.report, by=self.alice)
        self.report.refresh_from_db()
        self.assertEqual(self.report.state, State.DRAFT)
