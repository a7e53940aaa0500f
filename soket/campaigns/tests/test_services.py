"""Writing, issuing and amending a campaign, by its own administrators only."""

import dataclasses
import datetime

from django.core.exceptions import PermissionDenied, ValidationError

from soket.audit.models import Entry
from soket.campaigns import access, parts, services
from soket.campaigns.deadlines import report_dates
from soket.campaigns.models import Amendment, Campaign, Deadline
from soket.core import clock
from soket.notices.models import Notice
from soket.orgs.models import Role
from soket.reports import counts, tasks
from soket.reports import services as report_services
from soket.reports.models import Report, SectionText
from soket.testing import CampaignTestCase, make_user, run_waiting

D = datetime.date


class CampaignServiceTestCase(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.district_admin = make_user("adam", cls.district_a1, Role.Kind.CAMPAIGN_ADMIN)

    def header(self, **changes) -> parts.Header:
        return dataclasses.replace(
            parts.Header(
                kind="final",
                title="Tổng kết nhiệm kỳ",
                reviewed_from=D(2013, 1, 1),
                reviewed_to=D(2018, 6, 30),
                resolution_ids=(self.resolution.pk,),
                review_item_ids=(self.item.pk,),
            ),
            **changes,
        )

    def draft(self, **changes) -> Campaign:
        return services.campaign_create(
            by=self.dave, owner=self.province_a, header=self.header(**changes), skeleton=True
        )

    def ready_draft(self) -> Campaign:
        """A draft with what issuing needs: units, an outline and a district deadline."""
        campaign = self.draft()
        services.campaign_save_participants(
            by=self.dave,
            campaign=campaign,
            revision=campaign.revision,
            rows=[parts.ParticipationRow(self.province_a.pk, (self.kinds["district"].pk,))],
        )
        services.campaign_save_timeline(
            by=self.dave,
            campaign=campaign,
            revision=campaign.revision,
            milestones=[
                parts.MilestoneRow(
                    label="Tháng 12/2018",
                    text="Các huyện gửi báo cáo",
                    starts_on=D(2018, 12, 1),
                    ends_on=D(2018, 12, 31),
                    deadlines=(
                        parts.DeadlineRow(
                            unit_kind_id=self.kinds["district"].pk,
                            due_on=D(2018, 12, 31),
                            deliverable="Báo cáo tổng kết",
                            is_report=True,
                        ),
                    ),
                )
            ],
        )
        return campaign

    def issue(self, campaign: Campaign) -> Campaign:
        return services.campaign_issue(
            by=self.dave,
            campaign=campaign,
            revision=campaign.revision,
            document_number="20/KH-LĐLĐ",
            issued_on=D(2018, 10, 1),
            signing_capacity="TM. BAN THƯỜNG VỤ",
            signer_title="CHỦ TỊCH",
            signer_name="Nguyễn Văn A",
        )

    def move_district_deadline(self, campaign: Campaign, day: datetime.date, reason: str) -> None:
        rows = parts.milestone_rows(campaign)
        moved = [
            dataclasses.replace(
                row,
                deadlines=tuple(
                    dataclasses.replace(d, due_on=day)
                    if d.unit_kind_id == self.kinds["district"].pk
                    else d
                    for d in row.deadlines
                ),
            )
            for row in rows
        ]
        services.campaign_save_timeline(
            by=self.dave,
            campaign=campaign,
            revision=campaign.revision,
            milestones=moved,
            reason=reason,
        )


class DraftTestCase(CampaignServiceTestCase):
    def test_a_draft_is_seen_by_its_units_administrators_only(self):
        campaign = self.draft()
        self.assertEqual(campaign.state, Campaign.State.DRAFT)
        self.assertTrue(access.visible_campaigns(self.dave).filter(pk=campaign.pk).exists())
        for person in (self.carol, self.alice, self.grassroots_reporter, self.district_admin):
            with self.subTest(person=person.username):
                self.assertFalse(access.visible_campaigns(person).filter(pk=campaign.pk).exists())

    def test_the_skeleton_gives_the_plans_four_parts_and_an_outline(self):
        campaign = self.draft()
        tops = campaign.sections.filter(parent__isnull=True).order_by("order")
        self.assertEqual([s.number for s in tops], ["I.", "II.", "III.", "IV."])
        self.assertTrue(campaign.outline_sections.filter(parent__isnull=False).exists())
        self.assertTrue(Entry.objects.filter(action="campaign_create").exists())

    def test_nobody_writes_a_campaign_for_a_unit_not_their_own(self):
        for person, owner in [
            (self.alice, self.district_a1),  # an approver is not an administrator
            (self.dave, self.district_a1),  # a province's administrator, below it
            (self.district_admin, self.province_a),  # a district's, above it
            (self.district_admin, self.district_a2),  # beside it
        ]:
            with (
                self.subTest(person=person.username, owner=owner.code),
                self.assertRaises(PermissionDenied),
            ):
                services.campaign_create(by=person, owner=owner, header=self.header())
        self.assertEqual(Campaign.objects.count(), 1)

    def test_nobody_else_saves_issues_or_amends_a_campaign(self):
        campaign = self.ready_draft()
        for person in (self.carol, self.alice, self.district_admin, self.erin):
            with self.subTest(person=person.username):
                with self.assertRaises(PermissionDenied):
                    services.campaign_save_recipients(
                        by=person, campaign=campaign, revision=campaign.revision, lines=["x"]
                    )
                with self.assertRaises(PermissionDenied):
                    services.campaign_issue(
                        by=person, campaign=campaign, revision=campaign.revision,
                        document_number="1/KH", issued_on=D(2018, 1, 1),
                        signing_capacity="", signer_title="CHỦ TỊCH", signer_name="X",
                    )  # fmt: skip
        self.assertFalse(campaign.recipients.exists())
        self.assertEqual(Campaign.objects.get(pk=campaign.pk).state, Campaign.State.DRAFT)

    def test_a_save_from_a_stale_page_is_refused_and_writes_nothing(self):
        campaign = self.draft()
        stale = campaign.revision
        services.campaign_save_recipients(
            by=self.dave, campaign=campaign, revision=stale, lines=["Như trên"]
        )
        with self.assertRaises(services.CampaignConflict):
            services.campaign_save_recipients(
                by=self.dave, campaign=campaign, revision=stale, lines=["Lưu"]
            )
        self.assertEqual(list(campaign.recipients.values_list("text", flat=True)), ["Như trên"])

    def test_a_save_that_changes_nothing_leaves_the_revision(self):
        campaign = self.draft()
        before = campaign.revision
        services.campaign_save_plan(
            by=self.dave, campaign=campaign, revision=before, rows=parts.plan_rows(campaign)
        )
        self.assertEqual(Campaign.objects.get(pk=campaign.pk).revision, before)

    def test_moving_and_indenting_sections_keeps_their_subsections(self):
        campaign = self.draft()
        rows = parts.plan_rows(campaign)
        first_part_children = [r for r in rows[1:] if r.depth == 1][:3]
        # The first part dropped; its subsections now hang under the part before them.
        kept = [r for r in rows if r.id != rows[0].id]
        services.campaign_save_plan(
            by=self.dave, campaign=campaign, revision=campaign.revision,
            rows=[parts.PlanRow(part="purpose", heading="MỞ ĐẦU"), *kept],
        )  # fmt: skip
        for child in first_part_children:
            self.assertTrue(campaign.sections.filter(pk=child.id).exists())

    def test_a_section_indented_under_nothing_is_refused(self):
        campaign = self.draft()
        with self.assertRaises(ValidationError):
            services.campaign_save_plan(
                by=self.dave, campaign=campaign, revision=campaign.revision,
                rows=[parts.PlanRow(part="purpose", heading="Con", depth=1)],
            )  # fmt: skip
        self.assertTrue(campaign.sections.exists())

    def test_a_period_that_ends_before_it_starts_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.draft(reviewed_to=D(2012, 1, 1))
        self.assertIn("reviewed_to", caught.exception.message_dict)

    def test_the_outline_links_only_targets_of_the_reviewed_resolutions(self):
        other = self.campaign.resolutions.get()  # reviewed by the draft too
        campaign = self.draft(resolution_ids=())
        with self.assertRaises(ValidationError):
            services.campaign_save_outline(
                by=self.dave, campaign=campaign, revision=campaign.revision,
                rows=[parts.OutlineRow("Kết quả", target_ids=(other.targets.first().pk,))],
            )  # fmt: skip

    def test_participants_lie_in_the_owners_subtree(self):
        campaign = self.draft()
        with self.assertRaises(ValidationError):
            services.campaign_save_participants(
                by=self.dave, campaign=campaign, revision=campaign.revision,
                rows=[parts.ParticipationRow(self.province_b.pk, (self.kinds["district"].pk,))],
            )  # fmt: skip
        self.assertFalse(campaign.participations.exists())


class CopyTestCase(CampaignServiceTestCase):
    def test_a_copy_moves_every_date_to_the_new_period(self):
        copy = services.campaign_copy(
            by=self.dave,
            source=self.campaign,
            owner=self.province_a,
            header=self.header(reviewed_to=D(2018, 12, 31)),
        )
        self.assertEqual(copy.state, Campaign.State.DRAFT)
        due = {
            (d.unit_kind.code if d.unit_kind else "departments"): d.due_on
            for d in Deadline.objects.filter(milestone__campaign=copy).select_related("unit_kind")
        }
        self.assertEqual(
            due,
            {"district": D(2018, 12, 31), "province": D(2019, 3, 15),
             "departments": D(2019, 2, 28)},
        )  # fmt: skip
        self.assertEqual(copy.milestones.get().label, "Tháng 12/2018")
        self.assertEqual(
            list(copy.outline_sections.values_list("heading", flat=True)),
            list(self.campaign.outline_sections.values_list("heading", flat=True)),
        )
        self.assertEqual(copy.participations.count(), 1)
        self.assertEqual(copy.document_number, "")

    def test_months_keep_the_last_day_of_the_month(self):
        self.assertEqual(services.shift_date(D(2015, 11, 30), 1), D(2015, 12, 31))
        self.assertEqual(services.shift_date(D(2016, 2, 29), 12), D(2017, 2, 28))
        self.assertEqual(services.shift_date(D(2015, 12, 15), 36), D(2018, 12, 15))
        self.assertEqual(services.shift_text("Tháng 11/2015 đến 31/12/2015", 36),
                         "Tháng 11/2018 đến 31/12/2018")  # fmt: skip


class IssueTestCase(CampaignServiceTestCase):
    def test_a_draft_without_units_or_outline_cannot_be_issued(self):
        campaign = services.campaign_create(
            by=self.dave, owner=self.province_a, header=self.header()
        )
        with self.assertRaises(ValidationError) as caught:
            self.issue(campaign)
        self.assertEqual(len(caught.exception.messages), 2)
        self.assertEqual(Campaign.objects.get(pk=campaign.pk).state, Campaign.State.DRAFT)

    def test_issuing_opens_the_reports_and_tells_the_units_once(self):
        campaign = self.ready_draft()
        with self.assertRaises(report_services.ReportError):
            report_services.report_for(campaign=campaign, unit=self.district_a1)
        campaign = self.issue(campaign)
        self.assertEqual(campaign.state, Campaign.State.ISSUED)
        self.assertTrue(access.visible_campaigns(self.alice).filter(pk=campaign.pk).exists())
        self.assertIsInstance(
            report_services.report_for(campaign=campaign, unit=self.district_a1), Report
        )
        self.assertEqual(run_waiting(tasks.announce_campaign), 1)
        told = set(
            Notice.objects.filter(key=f"campaign:{campaign.pk}:issued").values_list(
                "user__username", flat=True
            )
        )
        self.assertEqual(told, {"alice", "adam", "bob", "dora", "hank"})
        tasks.announce_campaign.call(
            campaign.pk, f"campaign:{campaign.pk}:issued", "x", [self.kinds["district"].pk], True
        )
        self.assertEqual(Notice.objects.filter(key=f"campaign:{campaign.pk}:issued").count(), 5)

    def test_an_issued_plan_is_not_issued_twice(self):
        campaign = self.issue(self.ready_draft())
        with self.assertRaises(ValidationError):
            self.issue(campaign)


class AmendmentTestCase(CampaignServiceTestCase):
    def test_an_issued_plan_changes_only_with_a_reason(self):
        with self.assertRaises(ValidationError) as caught:
            services.campaign_save_recipients(
                by=self.dave, campaign=self.campaign, revision=self.campaign.revision,
                lines=["Mới"],
            )  # fmt: skip
        self.assertIn("reason", caught.exception.message_dict)
        self.assertFalse(self.campaign.recipients.exists())

    def test_moving_the_district_deadline_tells_the_districts_and_nobody_else(self):
        counts.rebuild(self.campaign)
        self.move_district_deadline(self.campaign, D(2015, 12, 20), "Đẩy sớm theo chỉ đạo")
        amendment = Amendment.objects.get(campaign=self.campaign)
        self.assertEqual(amendment.number, 1)
        self.assertEqual(list(amendment.told_kinds.all()), [self.kinds["district"]])
        self.assertFalse(amendment.told_departments)
        self.assertIn("20/12/2015", " ".join(amendment.changes))
        run_waiting(tasks.announce_campaign)
        told = set(
            Notice.objects.filter(key=f"campaign:{self.campaign.pk}:amendment:1").values_list(
                "user__username", flat=True
            )
        )
        self.assertEqual(told, {"alice", "adam", "bob"})
        # Completeness and reminders read the new date at once.
        self.assertEqual(
            report_dates(self.campaign).plan[self.kinds["district"].pk], D(2015, 12, 20)
        )

    def test_an_amendment_is_audited_with_its_reason(self):
        self.move_district_deadline(self.campaign, D(2015, 12, 20), "Đẩy sớm")
        entry = Entry.objects.get(action="campaign_amend")
        self.assertEqual(entry.after["reason"], "Đẩy sớm")

    def test_a_section_units_have_written_under_cannot_be_dropped(self):
        report = report_services.report_for(campaign=self.campaign, unit=self.district_a1)
        SectionText.objects.create(report=report, section=self.section_lessons, text="Bài học")
        rows = [r for r in parts.outline_rows(self.campaign) if r.id != self.section_lessons.pk]
        with self.assertRaises(ValidationError):
            services.campaign_save_outline(
                by=self.dave, campaign=self.campaign, revision=self.campaign.revision,
                rows=rows, reason="Gọn lại",
            )  # fmt: skip
        self.assertTrue(SectionText.objects.filter(report=report).exists())

    def test_an_amendment_at_the_moment_of_the_clock(self):
        moment = datetime.datetime(2015, 12, 1, 9, tzinfo=datetime.UTC)
        with clock.frozen_at(moment):
            self.move_district_deadline(self.campaign, D(2015, 12, 20), "Đẩy sớm")
        self.assertEqual(Amendment.objects.get().made_at, moment)


class AfterReviewServiceTestCase(CampaignServiceTestCase):
    def test_saving_rows_from_a_page_keeps_them_marked_illustrative(self):
        campaign = self.draft()
        services.campaign_save_committee(
            by=self.dave, campaign=campaign, revision=campaign.revision,
            rows=[parts.MemberRow(position="Chủ tịch", committee_role="head",
                                  is_illustrative=True)],
        )  # fmt: skip
        from_page = [
            dataclasses.replace(r, is_illustrative=None) for r in parts.member_rows(campaign)
        ]
        services.campaign_save_committee(
            by=self.dave, campaign=campaign, revision=campaign.revision, rows=from_page
        )
        self.assertTrue(campaign.steering_members.get().is_illustrative)

    def test_one_unit_on_two_participation_lines_is_refused(self):
        campaign = self.draft()
        row = parts.ParticipationRow(self.province_a.pk, (self.kinds["district"].pk,))
        with self.assertRaises(ValidationError):
            services.campaign_save_participants(
                by=self.dave, campaign=campaign, revision=campaign.revision, rows=[row, row]
            )
        self.assertFalse(campaign.participations.exists())

    def test_a_resolution_the_outline_reports_on_cannot_be_taken_away(self):
        header = parts.Header(
            kind="interim", title=self.campaign.title, reviewed_from=D(2013, 1, 1),
            reviewed_to=D(2015, 12, 31), resolution_ids=(),
            review_item_ids=(self.item.pk,),
        )  # fmt: skip
        with self.assertRaises(ValidationError):
            services.campaign_save_header(
                by=self.dave, campaign=self.campaign, revision=self.campaign.revision,
                header=header, reason="Bỏ nghị quyết",
            )  # fmt: skip
        self.assertTrue(self.campaign.resolutions.exists())

    def test_a_year_outside_any_term_is_refused_before_dates_are_moved(self):
        with self.assertRaises(ValidationError) as caught:
            services.campaign_copy(
                by=self.dave, source=self.campaign, owner=self.province_a,
                header=self.header(reviewed_to=D(9999, 12, 31)),
            )  # fmt: skip
        self.assertIn("reviewed_to", caught.exception.message_dict)

    def test_an_issued_plan_prints_signed_only_when_said(self):
        campaign = self.issue(self.ready_draft())
        self.assertFalse(campaign.is_signed)
