"""A role held for a department is about that department's thematic report, nothing else,
and nobody reviews their own report."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from soket.orgs import access
from soket.orgs.models import Department, Role
from soket.orgs.services import role_grant
from soket.reports import selectors, services, workflow
from soket.reports.models import Report
from soket.testing import CampaignTestCase, make_user


class DepartmentRoleTestCase(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other_department = Department.objects.create(
            unit=cls.province_a, code="tuyen-giao", name="Ban Tuyên giáo"
        )
        cls.other_head = make_user("olga")
        role_grant(
            user=cls.other_head,
            unit=cls.province_a,
            kind=Role.Kind.APPROVER,
            department=cls.other_department,
        )

    def submitted(self, unit, department=None, by=None) -> Report:
        report = services.report_for(campaign=self.campaign, unit=unit, department=department)
        return services.report_submit(report=report, by=by or self.superuser())

    def superuser(self):
        if not hasattr(self, "_root"):
            self._root = make_user("root")
            self._root.is_superuser = True
            self._root.save()
        return self._root

    def test_the_head_of_department_sends_the_thematic_report_and_its_writer_does_not(self):
        report = services.report_for(
            campaign=self.campaign, unit=self.province_a, department=self.department
        )
        self.assertTrue(workflow.can_edit(self.department_writer, report))
        self.assertFalse(workflow.can_send(self.department_writer, report))
        with self.assertRaises(PermissionDenied):
            services.report_submit(
                report=report, by=self.department_writer, warnings_confirmed=True
            )
        report = services.report_submit(
            report=report, by=self.department_head, warnings_confirmed=True
        )
        self.assertEqual(report.state, Report.State.SUBMITTED)

    def test_the_federations_approver_does_not_send_a_departments_report(self):
        report = services.report_for(
            campaign=self.campaign, unit=self.province_a, department=self.department
        )
        self.assertFalse(workflow.can_send(self.province_approver, report))
        self.assertFalse(workflow.can_edit(self.province_approver, report))

    def test_a_department_approver_reviews_nothing(self):
        district = self.submitted(self.district_a1)
        grassroots = self.submitted(self.grassroots_a1)
        other = self.submitted(self.province_a, self.other_department, by=self.other_head)
        own = self.submitted(self.province_a, self.department, by=self.department_head)
        for report in (district, grassroots, other, own):
            with self.subTest(report=str(report)):
                self.assertFalse(workflow.can_review(self.department_head, report))
                with self.assertRaises(PermissionDenied):
                    services.report_accept(report=report, by=self.department_head)
                with self.assertRaises(PermissionDenied):
                    services.report_return(report=report, by=self.department_head, reason="x")
        self.assertFalse(
            selectors.reports_to_review(user=self.department_head, campaign=self.campaign).exists()
        )

    def test_a_department_role_manages_nothing_and_reminds_nobody(self):
        for perm in (access.Perm.EDIT, access.Perm.SUBMIT, access.Perm.REVIEW, access.Perm.MANAGE):
            with self.subTest(perm=perm):
                self.assertFalse(access.can(self.department_head, perm, self.province_a))
                self.assertFalse(access.can(self.department_head, perm, self.district_a1))
                self.assertFalse(access.role_units(self.department_head, perm).exists())
        self.client.force_login(self.department_head)
        response = self.client.post(
            reverse("remind_missing", args=[self.campaign.pk, self.province_a.pk])
        )
        self.assertEqual(response.status_code, 403)

    def test_a_department_role_reads_what_a_viewer_of_its_federation_reads(self):
        self.assertEqual(
            set(access.visible_units(self.department_writer)),
            set(access.visible_units(self.carol)),
        )
        self.assertFalse(access.can(self.department_writer, access.Perm.VIEW, self.province_b))

    def test_the_federations_approver_accepts_the_departments_report(self):
        own = self.submitted(self.province_a, self.department, by=self.department_head)
        self.assertIn(
            own, selectors.reports_to_review(user=self.province_approver, campaign=self.campaign)
        )
        report = services.report_accept(report=own, by=self.province_approver)
        self.assertEqual(report.state, Report.State.ACCEPTED)

    def test_an_approver_who_also_works_in_the_department_does_not_review_its_report(self):
        role_grant(
            user=self.province_approver,
            unit=self.province_a,
            kind=Role.Kind.REPORTER,
            department=self.department,
        )
        own = self.submitted(self.province_a, self.department, by=self.department_head)
        self.assertFalse(workflow.can_review(self.province_approver, own))
        self.assertNotIn(
            own, selectors.reports_to_review(user=self.province_approver, campaign=self.campaign)
        )
        with self.assertRaises(PermissionDenied):
            services.report_accept(report=own, by=self.province_approver)

    def test_nobody_accepts_the_report_of_a_unit_they_write_for(self):
        role_grant(user=self.province_approver, unit=self.district_a1, kind=Role.Kind.REPORTER)
        district = self.submitted(self.district_a1)
        self.assertFalse(workflow.can_review(self.province_approver, district))
        self.assertNotIn(
            district,
            selectors.reports_to_review(user=self.province_approver, campaign=self.campaign),
        )
        # Someone else at the province may.
        self.assertTrue(workflow.can_review(self.dave, district))


class ReasonLengthTestCase(CampaignTestCase):
    def test_a_reason_has_the_limit_of_every_short_text(self):
        from soket.reports import limits

        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        report = services.report_submit(report=report, by=self.alice, warnings_confirmed=True)
        with self.assertRaises(services.ReportError):
            services.report_return(
                report=report, by=self.province_approver, reason="x" * (limits.SHORT_TEXT + 1)
            )
        report.refresh_from_db()
        self.assertEqual(report.state, Report.State.SUBMITTED)


class SenderIsNoReviewerTestCase(CampaignTestCase):
    def test_not_even_the_system_administrator_accepts_a_report_they_sent(self):
        root = make_user("root")
        root.is_superuser = True
        root.save()
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        report = services.report_submit(report=report, by=root, warnings_confirmed=True)
        self.assertFalse(workflow.can_review(root, report))
        with self.assertRaises(PermissionDenied):
            services.report_accept(report=report, by=root)
        self.assertTrue(workflow.can_review(self.province_approver, report))
