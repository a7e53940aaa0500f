"""Deploying (triển khai) an issued plan: a federation below turns the province's plan
into a plan of its own, with report dates of its own for the levels below it.

Who may deploy, and what the draft holds; which dates a deployment may set; once it is
issued, the date that every page, count, list and reminder gives a unit below the
federation, and only there, while the reports stay on the province's plan; amending it;
a federation deeper down deploying in turn; and, over random trees, the rule in SQL
equal to the rule in Python and to a plain walk up the tree.
"""

import dataclasses
import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from soket.audit.models import Entry
from soket.campaigns import access, parts, services
from soket.campaigns.deadlines import report_dates
from soket.campaigns.models import (
    Amendment,
    Campaign,
    Deadline,
    Milestone,
    PlanSection,
    SteeringMember,
)
from soket.campaigns.selectors import campaign_list_for, deploying_units
from soket.core import clock
from soket.documents import export
from soket.notices.models import Notice
from soket.orgs import services as org_services
from soket.orgs.models import Department, Role, Unit, UnitKind, ids_in_path
from soket.orgs.services import unit_move
from soket.reports import completeness, counts, reminders, selectors, tasks
from soket.reports import services as report_services
from soket.reports.models import Report
from soket.testing import (
    CampaignTestCase,
    make_kinds,
    make_operators,
    make_unit,
    make_user,
    run_waiting,
)

D = datetime.date
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PLAN_ISSUED = D(2015, 10, 15)  # the province's plan; districts due 31/12/2015
A1_DATE = D(2015, 12, 20)  # the date A1's deployment gives its grassroots unions
READ_ON = D(2015, 12, 23)


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), ZONE)


class DeploymentTestCase(CampaignTestCase):
    """Province A's plan, issued on 15/10/2015; `adam` administers district A1's plans,
    `gina` writes A1-01's report and `gus` A2-01's (a grassroots union of district A2)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Campaign.objects.filter(pk=cls.campaign.pk).update(
            issued_on=PLAN_ISSUED, document_number="15/KH-LĐLĐ"
        )
        cls.campaign.refresh_from_db()
        cls.grassroots = cls.kinds["grassroots"]
        cls.district_admin = make_user("adam", cls.district_a1, Role.Kind.CAMPAIGN_ADMIN)
        cls.grassroots_a2_reporter = make_user("gus", cls.grassroots_a2, Role.Kind.APPROVER)

    # Deploying, through the services as the pages do.

    def deploy(self, by=None, owner=None, source=None) -> Campaign:
        return services.campaign_deploy(
            by=by or self.district_admin,
            source=source or self.campaign,
            owner=owner or self.district_a1,
        )

    def set_report_date(
        self, deployment: Campaign, day: datetime.date, *, kind=None, reason: str = "", by=None
    ) -> Campaign:
        """Give `kind` (the grassroots) its report deadline on the deployment's first line
        of the timeline, the stored one moved if there is one."""
        kind = kind or self.grassroots
        rows = parts.milestone_rows(deployment)
        first = rows[0]
        kept = [d for d in first.deadlines if not (d.unit_kind_id == kind.pk and d.is_report)]
        stored = [d for d in first.deadlines if d.unit_kind_id == kind.pk and d.is_report]
        row = parts.DeadlineRow(
            unit_kind_id=kind.pk,
            due_on=day,
            deliverable="Báo cáo sơ kết",
            is_report=True,
            id=stored[0].id if stored else None,
        )
        rows[0] = dataclasses.replace(first, deadlines=(*kept, row))
        return services.campaign_save_timeline(
            by=by or deployment_admin(deployment, self),
            campaign=deployment,
            revision=deployment.revision,
            milestones=rows,
            reason=reason,
        )

    def issue(self, deployment: Campaign, by=None) -> Campaign:
        return services.campaign_issue(
            by=by or deployment_admin(deployment, self),
            campaign=deployment,
            revision=deployment.revision,
            document_number="07/KH-LĐLĐ",
            issued_on=D(2015, 11, 2),
            signing_capacity="TM. BAN THƯỜNG VỤ",
            signer_title="CHỦ TỊCH",
            signer_name="Trần Văn Bình",
        )

    def deployed(self, day: datetime.date = A1_DATE) -> Campaign:
        """A1's deployment, issued with its grassroots unions due on `day`."""
        deployment = self.deploy()
        self.set_report_date(deployment, day)
        return self.issue(deployment)

    # Reports, always under the province's plan.

    def report(self, unit: Unit) -> Report:
        return report_services.report_for(campaign=self.campaign, unit=unit)

    def submit(self, unit: Unit, person, day: datetime.date) -> Report:
        with clock.frozen_at(at(day)):
            return report_services.report_submit(
                report=self.report(unit), by=person, warnings_confirmed=True
            )

    def grassroots_row(self, within: Unit, today: datetime.date = READ_ON):
        rows = completeness.completeness(campaign=self.campaign, within=within, today=today)
        [row] = [row for row in rows if row.kind == self.grassroots]
        return row

    def told(self, key: str) -> set[str]:
        return set(Notice.objects.filter(key=key).values_list("user__username", flat=True))

    def texts(self, person) -> list[str]:
        return list(Notice.objects.filter(user=person).values_list("text", flat=True))


def deployment_admin(deployment: Campaign, test):
    """The administrator of the deployment's federation among the test's people."""
    for person in ("district_admin", "sector_admin"):
        user = getattr(test, person, None)
        if user is not None and access.can_administer(user, deployment):
            return user
    raise AssertionError(f"nobody administers {deployment.owner}")


class DeployingTestCase(DeploymentTestCase):
    def test_a_district_deploys_the_provinces_plan_as_a_draft_of_its_own(self):
        milestone = self.campaign.milestones.get()
        Deadline.objects.create(
            milestone=milestone, unit_kind=self.grassroots, due_on=D(2015, 12, 25),
            deliverable="Báo cáo sơ kết", is_report=True,
        )  # fmt: skip
        PlanSection.objects.create(campaign=self.campaign, part="purpose", order=1,
                                   number="I.", heading="MỤC ĐÍCH, YÊU CẦU")  # fmt: skip
        SteeringMember.objects.create(
            campaign=self.campaign, order=1, name="Nguyễn Văn A", position="Chủ tịch LĐLĐ tỉnh",
            committee_role="head",
        )  # fmt: skip
        self.assertEqual(
            list(deploying_units(user=self.district_admin, source=self.campaign)),
            [self.district_a1],
        )

        deployment = self.deploy()

        self.assertEqual(deployment.state, Campaign.State.DRAFT)
        self.assertEqual(deployment.owner, self.district_a1)
        self.assertEqual(deployment.deployed_from, self.campaign)
        self.assertTrue(deployment.is_deployment)
        self.assertFalse(self.campaign.is_deployment)
        self.assertEqual(
            (deployment.kind, deployment.reviewed_from, deployment.reviewed_to),
            (self.campaign.kind, self.campaign.reviewed_from, self.campaign.reviewed_to),
        )
        self.assertEqual(list(deployment.resolutions.all()), [self.resolution])
        self.assertEqual(list(deployment.review_items.all()), [self.item])
        [participation] = deployment.participations.all()
        self.assertEqual(participation.root, self.district_a1)
        self.assertEqual(list(participation.kinds.all()), [self.grassroots])
        # The plan's timeline, with only the dates of the levels below the district.
        copied = Deadline.objects.filter(milestone__campaign=deployment)
        self.assertEqual(
            [(d.unit_kind, d.due_on) for d in copied], [(self.grassroots, D(2015, 12, 25))]
        )
        self.assertEqual(deployment.milestones.get().label, "Tháng 12/2015")
        self.assertEqual(
            list(deployment.sections.values_list("heading", flat=True)), ["MỤC ĐÍCH, YÊU CẦU"]
        )
        self.assertFalse(deployment.steering_members.exists())  # a committee of its own
        self.assertEqual(deployment.document_number, "")
        entry = Entry.objects.get(action="campaign_deploy")
        self.assertEqual((entry.by, entry.object_id), (self.district_admin, str(deployment.pk)))
        self.assertEqual(entry.after["from"], self.campaign.pk)
        # A draft: its administrators see it, its units not yet.
        self.assertTrue(access.visible_campaigns(self.district_admin).filter(pk=deployment.pk))
        for person in (self.grassroots_reporter, self.alice, self.dave):
            with self.subTest(person=person.username):
                visible = access.visible_campaigns(person).filter(pk=deployment.pk)
                self.assertFalse(visible.exists())

    def test_a_federation_deploys_a_plan_once(self):
        deployment = self.deploy()
        self.assertFalse(deploying_units(user=self.district_admin, source=self.campaign))
        with self.assertRaises(ValidationError):
            self.deploy()
        self.issue(self.set_report_date(deployment, D(2015, 12, 20)))
        with self.assertRaises(ValidationError):
            self.deploy()
        with self.assertRaises(ValidationError):  # nor its own deployment
            self.deploy(source=deployment)
        self.assertEqual(Campaign.objects.filter(deployed_from__isnull=False).count(), 1)
        self.assertEqual(Entry.objects.filter(action="campaign_deploy").count(), 1)

    def test_a_draft_plan_is_not_deployed(self):
        Campaign.objects.filter(pk=self.campaign.pk).update(state=Campaign.State.DRAFT)
        self.campaign.refresh_from_db()
        with self.assertRaises(PermissionDenied):  # a draft is not seen below its unit
            self.deploy()
        operator, _reviewer = make_operators()  # who sees every campaign
        self.assertFalse(deploying_units(user=operator, source=self.campaign))
        with self.assertRaises(ValidationError):
            self.deploy(by=operator)
        self.assertEqual(Campaign.objects.count(), 1)
        self.assertFalse(Entry.objects.filter(action="campaign_deploy").exists())

    def test_a_draft_deployment_is_not_deployed_further_down(self):
        deployment = self.deploy()
        operator, _reviewer = make_operators()
        sector = make_unit("A1-S", self.kinds["sector"], self.district_a1)
        make_unit("A1-S-01", self.grassroots, sector)
        with self.assertRaises(ValidationError):
            self.deploy(by=operator, owner=sector, source=deployment)
        self.assertEqual(Campaign.objects.count(), 2)


class WhoDeploysTestCase(DeploymentTestCase):
    def test_nobody_deploys_for_a_federation_they_do_not_administer(self):
        grassroots_admin = make_user("gil", self.grassroots_a1, Role.Kind.CAMPAIGN_ADMIN)
        other_province_admin = make_user("bea", self.district_b1, Role.Kind.CAMPAIGN_ADMIN)
        refusals = [
            (self.dave, self.district_a1, PermissionDenied),  # the province, for its district
            (self.alice, self.district_a1, PermissionDenied),  # an approver, not an admin
            (self.bob, self.district_a2, PermissionDenied),
            (self.district_admin, self.district_a2, PermissionDenied),  # beside it
            (other_province_admin, self.district_b1, PermissionDenied),  # plan not visible
            (grassroots_admin, self.grassroots_a1, ValidationError),  # no levels below
            (self.dave, self.province_a, ValidationError),  # the plan's own unit
        ]
        for person, owner, refused in refusals:
            with self.subTest(person=person.username, owner=owner.code):
                with self.assertRaises(refused):
                    self.deploy(by=person, owner=owner)
                offered = deploying_units(user=person, source=self.campaign)
                self.assertNotIn(owner, offered)
        self.assertEqual(Campaign.objects.count(), 1)
        self.assertFalse(Entry.objects.filter(action="campaign_deploy").exists())
        self.assertFalse(Deadline.objects.exclude(milestone__campaign=self.campaign).exists())

    def test_only_the_federations_administrators_write_and_issue_its_deployment(self):
        deployment = self.deploy()
        for person in (self.dave, self.alice, self.grassroots_reporter):
            with self.subTest(person=person.username):
                with self.assertRaises(PermissionDenied):
                    self.set_report_date(deployment, D(2015, 12, 20), by=person)
                with self.assertRaises(PermissionDenied):
                    self.issue(deployment, by=person)
        self.assertFalse(Deadline.objects.filter(milestone__campaign=deployment).exists())
        self.assertEqual(Campaign.objects.get(pk=deployment.pk).state, Campaign.State.DRAFT)


class DeployedDatesTestCase(DeploymentTestCase):
    def refused(self, deployment: Campaign, day: datetime.date, kind=None) -> list[str]:
        """The messages refusing `day` for `kind`; nothing of the deployment changed."""
        revision = Campaign.objects.get(pk=deployment.pk).revision
        stored = list(Deadline.objects.filter(milestone__campaign=deployment).values())
        with translation.override("vi"), self.assertRaises(ValidationError) as caught:
            self.set_report_date(deployment, day, kind=kind)
        self.assertEqual(Campaign.objects.get(pk=deployment.pk).revision, revision)
        self.assertEqual(
            list(Deadline.objects.filter(milestone__campaign=deployment).values()), stored
        )
        self.assertFalse(Entry.objects.filter(action="campaign_save").exists())
        return caught.exception.messages

    def test_a_grassroots_date_after_the_districts_own_is_refused_in_vietnamese(self):
        deployment = self.deploy()
        [message] = self.refused(deployment, D(2016, 1, 5))
        self.assertIn("31/12/2015", message)  # the day the district itself reports
        self.assertIn("05/01/2016", message)
        self.assertIn(self.grassroots.name, message)
        self.assertNotIn("later than", message)  # in Vietnamese, not English
        self.assertIn("muộn hơn", message)

    def test_a_date_for_the_district_or_above_is_refused(self):
        deployment = self.deploy()
        for code in ("district", "province", "confederation"):
            with self.subTest(level=code):
                self.refused(deployment, D(2015, 12, 20), kind=self.kinds[code])

    def test_a_date_before_the_plan_was_issued_is_refused(self):
        deployment = self.deploy()
        [message] = self.refused(deployment, D(2015, 10, 1))
        self.assertIn("15/10/2015", message)

    def test_a_grassroots_date_after_the_plans_own_for_them_is_refused(self):
        milestone = self.campaign.milestones.get()
        Deadline.objects.create(
            milestone=milestone, unit_kind=self.grassroots, due_on=D(2015, 12, 25),
            deliverable="Báo cáo sơ kết", is_report=True,
        )  # fmt: skip
        deployment = self.deploy()
        [message] = self.refused(deployment, D(2015, 12, 28))  # before the district's 31/12
        self.assertIn("25/12/2015", message)

    def test_a_date_within_the_plans_is_kept(self):
        deployment = self.deploy()
        self.set_report_date(deployment, D(2015, 12, 20))
        self.assertEqual(
            list(
                Deadline.objects.filter(milestone__campaign=deployment).values_list(
                    "unit_kind", "due_on", "is_report"
                )
            ),
            [(self.grassroots.pk, D(2015, 12, 20), True)],
        )
        # Drafted, not issued: nobody's date moved yet.
        self.assertIsNone(
            report_dates(self.campaign).due_on(self.grassroots.pk, self.grassroots_a1.path)
        )

    def test_issuing_checks_the_dates_again_against_the_plan_as_amended(self):
        deployment = self.set_report_date(self.deploy(), D(2015, 12, 20))
        rows = parts.milestone_rows(self.campaign)
        earlier = [
            dataclasses.replace(row, deadlines=tuple(
                dataclasses.replace(d, due_on=D(2015, 12, 15))
                if d.unit_kind_id == self.kinds["district"].pk else d
                for d in row.deadlines
            ))
            for row in rows
        ]  # fmt: skip
        services.campaign_save_timeline(
            by=self.dave, campaign=self.campaign, revision=self.campaign.revision,
            milestones=earlier, reason="Rút ngắn thời hạn",
        )  # fmt: skip
        with self.assertRaises(ValidationError) as caught:
            self.issue(deployment)
        self.assertIn("15/12/2015", " ".join(caught.exception.messages))
        self.assertEqual(Campaign.objects.get(pk=deployment.pk).state, Campaign.State.DRAFT)
        self.assertFalse(Entry.objects.filter(action="campaign_issue").exists())

    def test_a_deployment_reviews_the_plans_period_and_kind(self):
        deployment = self.deploy()
        header = parts.Header(
            kind=deployment.kind, title="Triển khai sơ kết", reviewed_from=D(2013, 1, 1),
            reviewed_to=D(2015, 12, 31), resolution_ids=(self.resolution.pk,),
            review_item_ids=(self.item.pk,),
        )  # fmt: skip
        for changed in (
            {"reviewed_to": D(2016, 6, 30)},
            {"reviewed_from": D(2014, 1, 1)},
            {"kind": "final"},
        ):
            with self.subTest(**changed), self.assertRaises(ValidationError):
                services.campaign_save_header(
                    by=self.district_admin, campaign=deployment, revision=deployment.revision,
                    header=dataclasses.replace(header, **changed),
                )  # fmt: skip
        services.campaign_save_header(
            by=self.district_admin, campaign=deployment, revision=deployment.revision,
            header=header,
        )  # fmt: skip
        self.assertEqual(Campaign.objects.get(pk=deployment.pk).title, "Triển khai sơ kết")


class IssuedDeploymentTestCase(DeploymentTestCase):
    def test_issuing_tells_the_federations_grassroots_unions_only(self):
        deployment = self.deployed()
        self.assertEqual(deployment.state, Campaign.State.ISSUED)
        self.assertEqual(run_waiting(tasks.announce_campaign), 1)
        self.assertEqual(self.told(f"campaign:{deployment.pk}:issued"), {"gina"})
        # Its units see it now.
        self.assertTrue(access.visible_campaigns(self.grassroots_reporter).filter(pk=deployment.pk))
        self.assertFalse(
            access.visible_campaigns(self.grassroots_a2_reporter).filter(pk=deployment.pk)
        )

    def test_a_report_below_the_federation_is_due_on_its_date_and_elsewhere_on_the_plans(self):
        self.deployed()
        self.assertEqual(selectors.due_on(self.report(self.grassroots_a1)), D(2015, 12, 20))
        self.assertIsNone(selectors.due_on(self.report(self.grassroots_a2)))
        self.assertEqual(selectors.due_on(self.report(self.district_a1)), D(2015, 12, 31))
        page = selectors.units_below(campaign=self.campaign, roots=[self.province_a])
        due = {row.unit.code: row.due_on for row in page.rows}
        self.assertEqual(
            due,
            {"A1": D(2015, 12, 31), "A1-01": D(2015, 12, 20), "A2": D(2015, 12, 31),
             "A2-01": None},
        )  # fmt: skip

    def test_issuing_recounts_who_was_late_by_the_new_date(self):
        counts.rebuild(self.campaign)
        self.submit(self.grassroots_a1, self.grassroots_reporter, D(2015, 12, 22))
        self.submit(self.grassroots_a2, self.grassroots_a2_reporter, D(2015, 12, 22))
        self.assertEqual(self.grassroots_row(self.province_a).late, 0)  # no date yet

        self.deployed()

        self.assertEqual(counts.drift(self.campaign), [])
        below_a1 = self.grassroots_row(self.district_a1)
        self.assertEqual((below_a1.due_on, below_a1.expected, below_a1.late),
                         (D(2015, 12, 20), 1, 1))  # fmt: skip
        below_a2 = self.grassroots_row(self.district_a2)
        self.assertEqual((below_a2.due_on, below_a2.expected, below_a2.late), (None, 1, 0))
        # Over the province the grassroots unions have no one date.
        whole = self.grassroots_row(self.province_a)
        self.assertEqual((whole.due_on, whole.expected, whole.late), (None, 2, 1))
        [status] = completeness.children_status(
            campaign=self.campaign, within=self.district_a1, today=D(2015, 12, 23)
        )
        self.assertEqual((status.unit, status.due_on, status.is_late),
                         (self.grassroots_a1, D(2015, 12, 20), True))  # fmt: skip

    def test_a_report_sent_after_the_issue_is_counted_late_by_the_new_date(self):
        counts.rebuild(self.campaign)
        self.deployed()
        self.submit(self.grassroots_a1, self.grassroots_reporter, D(2015, 12, 22))
        self.submit(self.grassroots_a2, self.grassroots_a2_reporter, D(2015, 12, 22))
        self.assertEqual(counts.drift(self.campaign), [])
        self.assertEqual(self.grassroots_row(self.district_a1).late, 1)
        self.assertEqual(self.grassroots_row(self.district_a2).late, 0)
        late = completeness.late_units(
            campaign=self.campaign, within=self.province_a, today=D(2015, 12, 23)
        )
        self.assertEqual(set(late.values_list("code", flat=True)), {"A1-01"})

    def test_each_branch_reads_its_own_date(self):
        self.deployed()
        by_branch = completeness.completeness_by_branch(
            campaign=self.campaign, within=self.province_a, today=READ_ON
        )
        due = {
            child_id: {row.kind.code: row.due_on for row in rows}
            for child_id, rows in by_branch.items()
        }
        self.assertEqual(due[self.district_a1.pk]["grassroots"], A1_DATE)
        self.assertIsNone(due[self.district_a2.pk]["grassroots"])
        self.assertEqual(due[self.district_a1.pk]["district"], D(2015, 12, 31))

    def test_a_union_moved_under_the_federation_takes_its_date(self):
        counts.rebuild(self.campaign)
        self.deployed()
        self.submit(self.grassroots_a2, self.grassroots_a2_reporter, D(2015, 12, 22))
        self.assertEqual(self.grassroots_row(self.district_a1).late, 0)
        unit_move(unit=self.grassroots_a2, new_parent=self.district_a1)
        self.assertEqual(counts.drift(self.campaign), [])
        self.assertEqual(self.grassroots_row(self.district_a1).late, 1)
        self.grassroots_a2.refresh_from_db()
        self.assertEqual(selectors.due_on(self.report(self.grassroots_a2)), A1_DATE)
        unit_move(unit=self.grassroots_a2, new_parent=self.district_a2)
        self.assertEqual(counts.drift(self.campaign), [])
        self.assertEqual(self.grassroots_row(self.district_a1).late, 0)

    def test_the_consolidated_table_notes_lateness_by_the_federations_date(self):
        self.deployed()
        self.submit(self.grassroots_a1, self.grassroots_reporter, D(2015, 12, 22))
        self.submit(self.grassroots_a2, self.grassroots_a2_reporter, D(2015, 12, 22))
        output = io.BytesIO()
        export.consolidated_table(campaign=self.campaign, within=self.province_a, output=output)
        sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()))["Theo đơn vị"]
        header, *rows = sheet.iter_rows(values_only=True)
        note = header.index("Ghi chú")
        notes = {row[0]: row[note] for row in rows}
        self.assertEqual(notes["A1-01"], "Gửi muộn 2 ngày")
        self.assertIsNone(notes["A2-01"])

    def test_a_report_not_sent_by_the_federations_date_is_overdue_below_it(self):
        self.deployed()
        self.assertEqual(self.grassroots_row(self.district_a1, D(2015, 12, 21)).overdue, 1)
        self.assertEqual(self.grassroots_row(self.district_a1, D(2015, 12, 20)).overdue, 0)
        # Above, where the units' dates differ, the overdue are those past their own date.
        self.assertEqual(self.grassroots_row(self.province_a, D(2015, 12, 21)).overdue, 1)
        self.assertEqual(self.grassroots_row(self.province_a, D(2015, 12, 20)).overdue, 0)
        late = completeness.late_units(
            campaign=self.campaign, within=self.province_a, today=D(2015, 12, 21)
        )
        self.assertEqual(set(late.values_list("code", flat=True)), {"A1-01"})

    def test_the_home_page_lists_the_report_under_the_plan_by_the_federations_date_once(self):
        self.deployed()
        items = selectors.due_for(
            user=self.grassroots_reporter,
            campaigns=campaign_list_for(user=self.grassroots_reporter),
        )
        reports = [item for item in items if item.deadline is None or item.deadline.is_report]
        self.assertEqual(
            [(item.campaign.pk, item.unit, item.due_on) for item in reports],
            [(self.campaign.pk, self.grassroots_a1, D(2015, 12, 20))],
        )
        # Beside the federation, the report is listed under the plan with no date.
        items = selectors.due_for(
            user=self.grassroots_a2_reporter,
            campaigns=campaign_list_for(user=self.grassroots_a2_reporter),
        )
        self.assertEqual(
            [(item.campaign.pk, item.unit, item.due_on) for item in items],
            [(self.campaign.pk, self.grassroots_a2, None)],
        )

    def test_no_report_is_written_under_the_deployment(self):
        deployment = self.deployed()
        for unit in (self.grassroots_a1, self.district_a1):
            with self.subTest(unit=unit.code), self.assertRaises(report_services.ReportError):
                report_services.report_for(campaign=deployment, unit=unit)
        self.assertFalse(Report.objects.filter(campaign=deployment).exists())

    def test_the_plan_and_its_deployment_read_the_same_dates(self):
        deployment = self.deployed()
        self.assertEqual(report_dates(deployment), report_dates(self.campaign))
        dates = report_dates(self.campaign)
        self.assertEqual(dates.plan_id, self.campaign.pk)
        self.assertEqual(dates.due_on(self.grassroots.pk, self.grassroots_a1.path), D(2015, 12, 20))
        self.assertEqual(dates.due_on(self.grassroots.pk, self.grassroots_a2.path), None)
        # The district's own report is due on the plan's date: it deploys for those below.
        self.assertEqual(
            dates.due_on(self.kinds["district"].pk, self.district_a1.path), D(2015, 12, 31)
        )


@override_settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=3)
class DeployedRemindersTestCase(DeploymentTestCase):
    def test_the_federations_grassroots_are_reminded_of_its_date_once(self):
        self.deployed()
        self.assertEqual(reminders.sweep(today=D(2015, 12, 16)), 0)
        reminders.sweep(today=D(2015, 12, 17))
        self.assertEqual(len(self.texts(self.grassroots_reporter)), 1)
        reminders.sweep(today=D(2015, 12, 20))
        self.assertEqual(reminders.sweep(today=D(2015, 12, 20)), 0)  # the same step: once
        [_before, due] = self.texts(self.grassroots_reporter)
        self.assertIn("20/12/2015", due)
        self.assertEqual(self.texts(self.grassroots_a2_reporter), [])
        self.assertEqual(self.texts(self.bob), [])

    def test_past_the_federations_date_it_is_told_which_of_its_unions_are_late(self):
        self.deployed()
        reminders.sweep(today=D(2015, 12, 23))
        self.assertEqual(reminders.sweep(today=D(2015, 12, 23)), 0)
        [overdue] = self.texts(self.grassroots_reporter)
        self.assertIn("20/12/2015", overdue)
        [escalation] = self.texts(self.alice)
        self.assertIn("A1-01", escalation)
        self.assertIn("20/12/2015", escalation)
        for person in (self.grassroots_a2_reporter, self.bob, self.province_approver, self.dave):
            with self.subTest(person=person.username):
                self.assertEqual(self.texts(person), [])

    def test_a_report_sent_on_time_is_not_reminded(self):
        self.deployed()
        self.submit(self.grassroots_a1, self.grassroots_reporter, D(2015, 12, 19))
        Notice.objects.all().delete()  # told of its arrival
        reminders.sweep(today=D(2015, 12, 20))
        reminders.sweep(today=D(2015, 12, 23))
        self.assertEqual(self.texts(self.grassroots_reporter), [])
        self.assertEqual(self.texts(self.alice), [])

    def test_the_plans_own_grassroots_date_reminds_only_the_unions_it_still_governs(self):
        milestone = self.campaign.milestones.get()
        Deadline.objects.create(
            milestone=milestone, unit_kind=self.grassroots, due_on=D(2015, 12, 31),
            deliverable="Báo cáo sơ kết", is_report=True,
        )  # fmt: skip
        self.deployed()
        reminders.sweep(today=D(2015, 12, 31))
        self.assertEqual(len(self.texts(self.grassroots_a2_reporter)), 1)
        self.assertIn("31/12/2015", self.texts(self.grassroots_a2_reporter)[0])
        # A1-01 is reminded of A1's date only (its "overdue" step by now).
        [only] = self.texts(self.grassroots_reporter)
        self.assertIn("20/12/2015", only)
        self.assertNotIn("31/12/2015", only)


class AmendedDeploymentTestCase(DeploymentTestCase):
    def test_moving_the_federations_date_tells_its_grassroots_and_recounts_at_once(self):
        counts.rebuild(self.campaign)
        deployment = self.deployed()
        run_waiting(tasks.announce_campaign)
        self.submit(self.grassroots_a1, self.grassroots_reporter, D(2015, 12, 19))
        self.assertEqual(self.grassroots_row(self.district_a1).late, 0)

        self.set_report_date(deployment, D(2015, 12, 18), reason="Theo chỉ đạo của tỉnh")

        amendment = Amendment.objects.get(campaign=deployment)
        self.assertEqual(list(amendment.told_kinds.all()), [self.grassroots])
        self.assertFalse(amendment.told_departments)
        self.assertIn("18/12/2015", " ".join(amendment.changes))
        self.assertEqual(run_waiting(tasks.announce_campaign), 1)
        self.assertEqual(self.told(f"campaign:{deployment.pk}:amendment:1"), {"gina"})
        # At once, with no recount by hand.
        self.assertEqual(counts.drift(self.campaign), [])
        row = self.grassroots_row(self.district_a1)
        self.assertEqual((row.due_on, row.late), (D(2015, 12, 18), 1))
        self.assertEqual(selectors.due_on(self.report(self.grassroots_a1)), D(2015, 12, 18))
        self.assertEqual(self.grassroots_row(self.district_a2).late, 0)
        self.assertEqual(Entry.objects.filter(action="campaign_amend").count(), 1)

    def test_amending_its_header_tells_its_grassroots_not_the_districts_departments(self):
        """As its issue does: the thematic reports are the province's departments', so a
        deployed plan addresses no department."""
        department = Department.objects.create(
            unit=self.district_a1, code="to-chuc-a1", name="Ban Tổ chức huyện"
        )
        writer = make_user("dan")
        org_services.role_grant(
            user=writer, unit=self.district_a1, kind=Role.Kind.REPORTER, department=department
        )
        deployment = self.deployed()
        run_waiting(tasks.announce_campaign)
        self.assertNotIn("dan", self.told(f"campaign:{deployment.pk}:issued"))
        header = parts.Header(
            kind=deployment.kind, title="Triển khai sơ kết tỉnh A",
            reviewed_from=deployment.reviewed_from, reviewed_to=deployment.reviewed_to,
            resolution_ids=(self.resolution.pk,), review_item_ids=(self.item.pk,),
        )  # fmt: skip
        services.campaign_save_header(
            by=self.district_admin, campaign=deployment, revision=deployment.revision,
            header=header, reason="Sửa tên kế hoạch",
        )  # fmt: skip
        run_waiting(tasks.announce_campaign)
        self.assertEqual(self.told(f"campaign:{deployment.pk}:amendment:1"), {"gina"})

    def test_an_amendment_keeps_within_the_plans_dates_and_needs_a_reason(self):
        deployment = self.deployed()
        with self.assertRaises(ValidationError):
            self.set_report_date(deployment, D(2016, 1, 5), reason="Lùi hạn")
        with self.assertRaises(ValidationError):
            self.set_report_date(deployment, D(2015, 12, 18))
        self.assertFalse(Amendment.objects.exists())
        self.assertEqual(selectors.due_on(self.report(self.grassroots_a1)), D(2015, 12, 20))


class DeeperFederationTestCase(DeploymentTestCase):
    """A sector union A1-S under district A1, with its own grassroots union A1-S-01
    (`sue` writes its report) and `sam`, its campaign administrator."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sector = make_unit("A1-S", cls.kinds["sector"], cls.district_a1)
        cls.grassroots_s = make_unit("A1-S-01", cls.kinds["grassroots"], cls.sector)
        cls.sector_admin = make_user("sam", cls.sector, Role.Kind.CAMPAIGN_ADMIN)
        cls.sector_writer = make_user("sue", cls.grassroots_s, Role.Kind.APPROVER)

    def test_a_federation_below_deploys_the_deployment_within_its_dates(self):
        counts.rebuild(self.campaign)
        district = self.deployed(D(2015, 12, 20))
        self.assertEqual(
            list(deploying_units(user=self.sector_admin, source=district)), [self.sector]
        )
        sector = self.deploy(by=self.sector_admin, owner=self.sector, source=district)
        self.assertEqual(sector.deployed_from, district)
        with self.assertRaises(ValidationError) as caught:
            self.set_report_date(sector, D(2015, 12, 25))
        self.assertIn("20/12/2015", " ".join(caught.exception.messages))
        self.issue(self.set_report_date(sector, D(2015, 12, 15)))

        self.assertEqual(counts.drift(self.campaign), [])
        due = {
            unit.code: selectors.due_on(self.report(unit))
            for unit in (self.grassroots_s, self.grassroots_a1, self.grassroots_a2)
        }
        self.assertEqual(due, {"A1-S-01": D(2015, 12, 15), "A1-01": D(2015, 12, 20),
                               "A2-01": None})  # fmt: skip
        self.assertEqual(self.grassroots_row(self.sector).due_on, D(2015, 12, 15))
        self.assertIsNone(self.grassroots_row(self.district_a1).due_on)  # 15/12 and 20/12
        run_waiting(tasks.announce_campaign)
        self.assertEqual(self.told(f"campaign:{sector.pk}:issued"), {"sue"})

    def test_a_federation_below_cannot_undercut_its_federations_date_by_deploying_the_plan(self):
        """A1 has told every grassroots union below it to report by 20/12; the sector
        under A1, deploying the province's plan itself rather than A1's deployment, still
        cannot give its own union a later date (it is refused either way)."""
        self.deployed(A1_DATE)
        try:
            sector = self.deploy(by=self.sector_admin, owner=self.sector)  # the plan itself
            self.issue(self.set_report_date(sector, D(2015, 12, 28)))
        except ValidationError:
            pass
        due = selectors.due_on(self.report(self.grassroots_s))
        self.assertLessEqual(due, A1_DATE)

    def test_the_overdue_above_nested_deployments_are_those_past_their_own_date(self):
        counts.rebuild(self.campaign)
        district = self.deployed(D(2015, 12, 20))
        sector = self.deploy(by=self.sector_admin, owner=self.sector, source=district)
        self.issue(self.set_report_date(sector, D(2015, 12, 15)))
        missing = [
            (unit.path, selectors.due_on(report))
            for unit in counts.expected_units(self.campaign, counts.basis(self.campaign))
            if unit.kind == self.grassroots
            and (report := self.report(unit)).first_submitted_at is None
        ]
        for within in (self.province_a, self.district_a1, self.sector):
            for day in (D(2015, 12, 14), D(2015, 12, 16), D(2015, 12, 21), D(2016, 1, 2)):
                with self.subTest(within=within.code, day=day):
                    expected = sum(
                        1
                        for path, due_on in missing
                        if path.startswith(within.path) and due_on and day > due_on
                    )
                    self.assertEqual(self.grassroots_row(within, day).overdue, expected)

    def test_the_reminders_of_each_date_reach_the_unions_it_governs(self):
        with self.settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=3):
            district = self.deployed(D(2015, 12, 20))
            sector = self.deploy(by=self.sector_admin, owner=self.sector, source=district)
            self.issue(self.set_report_date(sector, D(2015, 12, 15)))
            reminders.sweep(today=D(2015, 12, 15))
            self.assertEqual(len(self.texts(self.sector_writer)), 1)
            self.assertEqual(self.texts(self.grassroots_reporter), [])
            reminders.sweep(today=D(2015, 12, 20))
            self.assertEqual(len(self.texts(self.grassroots_reporter)), 1)
            # Its union is reminded of its own date only (overdue by now), not of A1's.
            self.assertNotIn("20/12/2015", " ".join(self.texts(self.sector_writer)))
            self.assertNotIn("15/12/2015", " ".join(self.texts(self.grassroots_reporter)))
            self.assertEqual(self.texts(self.grassroots_a2_reporter), [])


# The rule in SQL equals the rule in Python, over random trees and deployments.

KIND_CODES = ("province", "district", "sector", "grassroots")
FIRST_DAY = D(2015, 11, 1)


def walked_up(unit: Unit, plan: Campaign, deployed: dict[int, Campaign], due: dict) -> tuple:
    """(The unit's date, the plan it comes from), by the plain rule: the nearest federation
    above it with an issued deployment giving its level a report date (the earliest, if
    several), else the plan's date for its level."""
    for ancestor_id in reversed(ids_in_path(unit.path)[:-1]):
        deployment = deployed.get(ancestor_id)
        if deployment is not None and deployment.is_issued:
            days = due[deployment.pk].get(unit.kind_id)
            if days:
                return min(days), deployment.pk
    days = due[plan.pk].get(unit.kind_id)
    return (min(days) if days else None), plan.pk


class ReportDatesRuleTestCase(HypothesisTestCase):
    """For random trees below a national plan, with federations deploying it (a province,
    then a district below it deploying the province's deployment, and so on down), some
    issued and some still drafts: every unit's date in SQL, in Python and walking up the
    tree agree, and so do the units each plan's reminders reach."""

    @settings(max_examples=30, deadline=None)
    @given(st.data())
    def test_the_sql_expression_gives_every_unit_its_date_by_the_python_rule(self, data):
        kinds = make_kinds()
        root = make_unit("TLD", kinds["confederation"])
        units = [root]
        tree = data.draw(
            st.lists(st.tuples(st.integers(0, 100), st.sampled_from(KIND_CODES)),
                     min_size=1, max_size=14),
            label="tree",
        )  # fmt: skip
        for index, (parent, code) in enumerate(tree, start=1):
            units.append(make_unit(f"U{index}", kinds[code], units[parent % len(units)]))
        plan = self.campaign(root, None, "issued")
        due: dict[int, dict[int, list[datetime.date]]] = {}
        due[plan.pk] = self.deadlines(data, plan, list(kinds.values()))
        deployed: dict[int, Campaign] = {}
        for unit in units[1:]:  # parents before children
            if not data.draw(st.booleans(), label=f"{unit.code} deploys"):
                continue
            above = [deployed.get(pk) for pk in reversed(ids_in_path(unit.path)[:-1])]
            source = next((c for c in above if c is not None and c.is_issued), plan)
            state = data.draw(st.sampled_from(["issued", "issued", "draft"]), label="state")
            deployment = self.campaign(unit, source, state)
            below = [kind for kind in kinds.values() if kind.rank > unit.kind.rank]
            due[deployment.pk] = self.deadlines(data, deployment, below)
            deployed[unit.pk] = deployment

        dates = report_dates(plan)
        for campaign in deployed.values():
            self.assertEqual(report_dates(campaign), dates)
        in_sql = dict(Unit.objects.annotate(due=dates.expression()).values_list("pk", "due"))
        source: dict[int, int] = {}
        for unit in Unit.objects.all():
            expected, source[unit.pk] = walked_up(unit, plan, deployed, due)
            self.assertEqual(dates.due_on(unit.kind_id, unit.path), expected, unit.code)
            self.assertEqual(in_sql[unit.pk], expected, unit.code)
        issued = [plan] + [c for c in deployed.values() if c.is_issued]
        all_units = list(Unit.objects.all())
        for campaign in issued:
            for kind in kinds.values():
                governed = Unit.objects.filter(dates.governed_by(campaign.pk, kind.pk))
                self.assertEqual(
                    set(governed.values_list("pk", flat=True)),
                    {
                        unit.pk
                        for unit in all_units
                        if unit.kind_id == kind.pk and source[unit.pk] == campaign.pk
                    },
                    f"{campaign.code}, {kind.code}",
                )

    def campaign(self, owner: Unit, source: Campaign | None, state: str) -> Campaign:
        return Campaign.objects.create(
            state=state, code=f"c-{owner.code.lower()}", owner=owner, kind="interim",
            title=f"Sơ kết {owner.code}", reviewed_from=D(2013, 1, 1),
            reviewed_to=D(2015, 12, 31), deployed_from=source,
        )  # fmt: skip

    def deadlines(self, data, campaign: Campaign, levels: list[UnitKind]) -> dict:
        """Random report deadlines for some of `levels` (one or two each), and deadlines
        that are no level's report, which no rule reads; {kind id: report dates}."""
        milestone = Milestone.objects.create(
            campaign=campaign, order=1, label="12/2015", text="Gửi báo cáo",
            starts_on=FIRST_DAY, ends_on=D(2016, 1, 31),
        )  # fmt: skip
        chosen = (
            data.draw(st.lists(st.sampled_from(levels), unique=True), label="levels")
            if levels
            else []
        )
        reports: dict[int, list[datetime.date]] = {}
        for kind in chosen:
            offsets = data.draw(st.lists(st.integers(0, 60), min_size=1, max_size=2))
            for offset in offsets:
                day = FIRST_DAY + datetime.timedelta(days=offset)
                Deadline.objects.create(milestone=milestone, unit_kind=kind, due_on=day,
                                        deliverable="Báo cáo", is_report=True)  # fmt: skip
                reports.setdefault(kind.pk, []).append(day)
        if levels and data.draw(st.booleans(), label="other deadlines"):
            Deadline.objects.create(milestone=milestone, unit_kind=levels[0], due_on=FIRST_DAY,
                                    deliverable="Hội nghị", is_report=False)  # fmt: skip
            Deadline.objects.create(milestone=milestone, for_departments=True, due_on=FIRST_DAY,
                                    deliverable="Báo cáo chuyên đề", is_report=True)  # fmt: skip
        return reports
