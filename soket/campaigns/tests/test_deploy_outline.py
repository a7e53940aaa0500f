"""A deployed plan's own outline sections and targets (the federation's units answer them
after the plan's outline, the federation consolidates them, nobody else sees them), what
the units are told when dates move above, and what a hostile or careless user is refused."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse

from soket.campaigns import parts, selectors, services
from soket.campaigns.models import Campaign, OutlineSection
from soket.documents import content
from soket.notices.models import Notice
from soket.orgs.models import Role
from soket.orgs.services import unit_move
from soket.reports import consolidation, tasks
from soket.reports import selectors as report_selectors
from soket.reports import services as report_services
from soket.resolutions.models import Target
from soket.testing import (
    CampaignTestCase,
    make_resolution,
    make_target,
    make_unit,
    make_user,
    run_waiting,
)

D = datetime.date


class DeploymentTestCase(CampaignTestCase):
    """Province A's plan issued on 02/11/2015, deployed by district A1's administrator
    `alan`; A1 has a resolution of its own making the province's concrete."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Campaign.objects.filter(pk=cls.campaign.pk).update(issued_on=D(2015, 11, 2))
        cls.campaign.refresh_from_db()
        cls.alan = make_user("alan", cls.district_a1, Role.Kind.CAMPAIGN_ADMIN)
        # A1's own resolution makes the province's concrete; its target makes S concrete.
        cls.own_resolution = make_resolution("a1-xv", cls.district_a1, cls.resolution)
        cls.own_target = make_target(
            cls.own_resolution, "A1-S", "sum", 40, wording="Đoàn viên mới ở khu công nghiệp"
        )
        cls.own_target.derived_from.add(cls.t_sum)
        cls.same_code = make_target(cls.own_resolution, "S", "sum", 10, wording="Trùng mã")

    def setUp(self):
        self.deployment = services.campaign_deploy(
            by=self.alan, source=self.campaign, owner=self.district_a1
        )

    def add_own_resolution(self):
        header = parts.Header(
            kind=self.deployment.kind,
            title=self.deployment.title,
            reviewed_from=self.deployment.reviewed_from,
            reviewed_to=self.deployment.reviewed_to,
            resolution_ids=(self.resolution.pk, self.own_resolution.pk),
            review_item_ids=(self.item.pk,),
        )
        services.campaign_save_header(
            by=self.alan, campaign=self.deployment, revision=self.deployment.revision,
            header=header,
        )  # fmt: skip

    def save_outline(self, *target_ids):
        services.campaign_save_outline(
            by=self.alan,
            campaign=self.deployment,
            revision=self.deployment.revision,
            rows=[parts.OutlineRow("Phần riêng của huyện A1", "III.", target_ids=target_ids)],
        )

    def issue(self):
        services.campaign_issue(
            by=self.alan, campaign=self.deployment, revision=self.deployment.revision,
            document_number="3/KH-LĐLĐ", issued_on=D(2015, 11, 10),
            signing_capacity="TM. BAN THƯỜNG VỤ", signer_title="CHỦ TỊCH", signer_name="Nguyễn A",
        )  # fmt: skip


class DeployedOutlineTestCase(DeploymentTestCase):
    def test_a_deployment_offers_its_own_targets_not_those_the_plan_asks_already(self):
        self.add_own_resolution()
        targets, _items = selectors.outline_choices(self.deployment)
        offered = set(targets.values_list("code", flat=True))
        self.assertIn("A1-S", offered)
        self.assertNotIn("R", offered)  # the plan's outline asks it already

    def test_an_own_target_with_the_code_of_one_of_the_plan_is_refused(self):
        self.add_own_resolution()
        with self.assertRaisesMessage(ValidationError, "S"):
            self.save_outline(self.same_code.pk)
        self.assertFalse(OutlineSection.objects.filter(campaign=self.deployment).exists())

    def test_the_units_below_answer_the_own_section_after_the_plan_outline(self):
        self.add_own_resolution()
        self.save_outline(self.own_target.pk)
        # A draft adds nothing to anyone's report yet.
        before = report_selectors.outline_sections(self.campaign, self.grassroots_a1)
        self.assertEqual([s.heading for s in before], ["Kết quả", "Bài học kinh nghiệm"])
        self.issue()

        below = report_selectors.outline_sections(self.campaign, self.grassroots_a1)
        self.assertEqual(
            [s.heading for s in below],
            ["Kết quả", "Bài học kinh nghiệm", "Phần riêng của huyện A1"],
        )
        self.assertIn(
            self.own_target, report_selectors.report_targets(self.campaign, self.grassroots_a1)
        )
        # Beside and above, the plan's outline only.
        for unit in (self.grassroots_a2, self.district_a2, self.province_a):
            with self.subTest(unit=unit.code):
                self.assertNotIn(
                    self.own_target, report_selectors.report_targets(self.campaign, unit)
                )
                self.assertEqual(len(report_selectors.outline_sections(self.campaign, unit)), 2)
        # The Word outline of the deployment shows both, the plan's first.
        document = content.outline_document(self.deployment)
        text = repr(document)
        self.assertLess(text.index("Kết quả"), text.index("Phần riêng của huyện A1"))

    def test_the_federation_consolidates_what_its_units_wrote_under_its_own_section(self):
        self.add_own_resolution()
        self.save_outline(self.own_target.pk)
        self.issue()
        own_section = OutlineSection.objects.get(campaign=self.deployment)
        report = report_services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        report_services.report_save(
            report=report, by=self.grassroots_reporter, revision=report.revision,
            sections={own_section.pk: "Ở khu công nghiệp, 12 đoàn viên mới."},
            figures={self.own_target.pk: report_services.FigureInput(value=Decimal(12))},
        )  # fmt: skip
        report_services.report_submit(report=report, by=self.grassroots_reporter)

        district = report_services.report_for(campaign=self.campaign, unit=self.district_a1)
        consolidation.report_draft_from_below(
            report=district, by=self.alice, revision=district.revision, include_submitted=True
        )
        district.refresh_from_db()
        self.assertIn("12 đoàn viên mới", district.section_texts.get(section=own_section).text)
        self.assertEqual(district.figures.get(target=self.own_target).value, Decimal(12))
        # The province's report asks for none of it.
        self.assertNotIn(
            self.own_target, report_selectors.report_targets(self.campaign, self.province_a)
        )

    def test_a_plan_target_stays_unoffered_even_if_the_federation_reviews_its_resolution(self):
        self.add_own_resolution()
        with self.assertRaises(ValidationError):
            self.save_outline(self.t_ratio.pk)
        self.assertFalse(Target.objects.filter(outline_sections__campaign=self.deployment).exists())


class PlanMovedAboveTestCase(DeploymentTestCase):
    def test_a_date_the_plan_above_has_since_overtaken_is_shown_to_the_federation(self):
        milestones = parts.milestone_rows(self.deployment)
        grassroots = parts.DeadlineRow(
            self.kinds["grassroots"].pk, D(2015, 12, 20), "Báo cáo cơ sở", is_report=True
        )
        milestones[0] = dataclasses.replace(
            milestones[0], deadlines=(*milestones[0].deadlines, grassroots)
        )
        services.campaign_save_timeline(
            by=self.alan, campaign=self.deployment, revision=self.deployment.revision,
            milestones=milestones,
        )  # fmt: skip
        self.issue()
        self.assertEqual(services.dates_out_of_bounds(self.deployment), [])

        # The province brings the districts' date forward to 15/12/2015, by amendment.
        rows = parts.milestone_rows(self.campaign)
        rows[0] = dataclasses.replace(
            rows[0],
            deadlines=tuple(
                dataclasses.replace(d, due_on=D(2015, 12, 15))
                if d.unit_kind_id == self.kinds["district"].pk
                else d
                for d in rows[0].deadlines
            ),
        )
        services.campaign_save_timeline(
            by=self.dave, campaign=self.campaign, revision=self.campaign.revision,
            milestones=rows, reason="Rút ngắn thời hạn",
        )  # fmt: skip
        [problem] = services.dates_out_of_bounds(self.deployment)
        self.assertIn("20/12/2015", problem)
        self.assertIn("15/12/2015", problem)


class PlanDateMovedAboveTestCase(DeploymentTestCase):
    """The province sets a grassroots date of its own after A1 deployed with 20/12."""

    def test_moving_the_plans_grassroots_date_tells_only_the_unions_it_is_for(self):
        reporter_a2 = make_user("gus", self.grassroots_a2, Role.Kind.REPORTER)
        grassroots = self.kinds["grassroots"].pk

        def with_grassroots(campaign, day, deliverable="Báo cáo cơ sở", is_report=True):
            rows = parts.milestone_rows(campaign)
            kept = tuple(d for d in rows[0].deadlines if d.unit_kind_id != grassroots)
            row = parts.DeadlineRow(grassroots, day, deliverable, is_report=is_report)
            return [dataclasses.replace(rows[0], deadlines=(*kept, row)), *rows[1:]]

        services.campaign_save_timeline(
            by=self.alan, campaign=self.deployment, revision=self.deployment.revision,
            milestones=with_grassroots(self.deployment, D(2015, 12, 20)),
        )  # fmt: skip
        self.issue()
        run_waiting(tasks.announce_campaign)
        Notice.objects.all().delete()

        services.campaign_save_timeline(
            by=self.dave, campaign=self.campaign, revision=self.campaign.revision,
            milestones=with_grassroots(self.campaign, D(2015, 12, 28)), reason="Thêm hạn cơ sở",
        )  # fmt: skip
        run_waiting(tasks.announce_campaign)
        told = set(Notice.objects.values_list("user__username", flat=True))
        self.assertEqual(told, {"gus"})  # gina's union reports by A1's 20/12
        self.assertEqual(reporter_a2.username, "gus")

        # A deliverable that is not the report concerns every union of the level.
        Notice.objects.all().delete()
        self.campaign.refresh_from_db()
        rows = with_grassroots(self.campaign, D(2015, 12, 28))
        extra = parts.DeadlineRow(grassroots, D(2015, 12, 10), "Danh sách đoàn viên")
        rows[0] = dataclasses.replace(rows[0], deadlines=(*rows[0].deadlines, extra))
        services.campaign_save_timeline(
            by=self.dave, campaign=self.campaign, revision=self.campaign.revision,
            milestones=rows, reason="Thêm danh sách",
        )  # fmt: skip
        run_waiting(tasks.announce_campaign)
        told = set(Notice.objects.values_list("user__username", flat=True))
        self.assertEqual(told, {"gus", "gina"})


class DeploymentRefusalsTestCase(DeploymentTestCase):
    """What an outsider's probe found, each refused with nothing written."""

    def test_an_id_no_database_holds_is_a_wrong_choice_not_a_server_error(self):
        self.client.force_login(self.alan)
        url = reverse("campaign_edit", args=[self.deployment.pk, "de-cuong"])
        response = self.client.post(
            url,
            {
                "revision": self.deployment.revision,
                "outline-TOTAL_FORMS": "1", "outline-INITIAL_FORMS": "0",
                "outline-0-heading": "Riêng", "outline-0-depth": "0", "outline-0-ORDER": "1",
                "outline-0-targets": "9" * 30,
            },
        )  # fmt: skip
        self.assertEqual(response.status_code, 200)
        self.assertFalse(OutlineSection.objects.filter(campaign=self.deployment).exists())

    def test_a_deployment_is_not_issued_before_the_plan_it_deploys(self):
        with self.assertRaisesMessage(ValidationError, "02/11/2015"):
            services.campaign_issue(
                by=self.alan, campaign=self.deployment, revision=self.deployment.revision,
                document_number="3/KH", issued_on=D(2015, 10, 1), signing_capacity="",
                signer_title="CHỦ TỊCH", signer_name="Nguyễn A",
            )  # fmt: skip
        self.deployment.refresh_from_db()
        self.assertFalse(self.deployment.is_issued)

    def test_a_federation_moved_out_of_the_plans_tree_cannot_issue_its_deployment(self):
        unit_move(unit=self.district_a1, new_parent=self.province_b)
        self.deployment.refresh_from_db()
        with self.assertRaises(ValidationError):
            self.issue()
        self.deployment.refresh_from_db()
        self.assertFalse(self.deployment.is_issued)

    def test_a_federation_above_sees_a_date_below_that_overtakes_its_own(self):
        sector = make_unit("A1-S", self.kinds["sector"], self.district_a1)
        make_unit("A1-S-01", self.kinds["grassroots"], sector)
        sector_admin = make_user("sam", sector, Role.Kind.CAMPAIGN_ADMIN)
        grassroots = self.kinds["grassroots"].pk

        def dated(deployment, by, day, number):
            rows = parts.milestone_rows(deployment)
            row = parts.DeadlineRow(grassroots, day, "Báo cáo cơ sở", is_report=True)
            rows[0] = dataclasses.replace(rows[0], deadlines=(*rows[0].deadlines, row))
            services.campaign_save_timeline(
                by=by, campaign=deployment, revision=deployment.revision, milestones=rows
            )
            services.campaign_issue(
                by=by, campaign=deployment, revision=deployment.revision,
                document_number=number, issued_on=D(2015, 11, 10), signing_capacity="",
                signer_title="CHỦ TỊCH", signer_name="Nguyễn A",
            )  # fmt: skip

        # The sector deploys the province's plan before A1 has.
        first = services.campaign_deploy(by=sector_admin, source=self.campaign, owner=sector)
        dated(first, sector_admin, D(2015, 12, 28), "1/KH-S")
        self.assertEqual(services.overtaken_below(self.deployment), [])
        dated(self.deployment, self.alan, D(2015, 12, 20), "2/KH-A1")
        [problem] = services.overtaken_below(self.deployment)
        self.assertIn("A1-S", problem)
        self.assertIn("28/12/2015", problem)
        self.assertIn("20/12/2015", problem)
