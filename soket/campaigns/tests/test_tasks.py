"""The steering committee's work plan (issue 13, point 4): the standard tasks drawn
from the plan, the page that edits them, the people in charge setting their status,
the tasks on the campaign's timeline, and their reminders, each sent once."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from soket.audit.models import Entry
from soket.campaigns import reminders, services, workplan
from soket.campaigns.models import Amendment, Campaign, CommitteeTask, SteeringMember
from soket.campaigns.parts import DeadlineRow, Header, MemberRow, MilestoneRow
from soket.campaigns.tests.test_pages import post_data
from soket.core import clock
from soket.notices.models import Notice, OutgoingMail
from soket.orgs import services as org_services
from soket.orgs.models import Department, Role
from soket.testing import CampaignTestCase, make_user

D = datetime.date
NOT_STARTED, IN_PROGRESS, DONE = (
    CommitteeTask.Status.NOT_STARTED,
    CommitteeTask.Status.IN_PROGRESS,
    CommitteeTask.Status.DONE,
)


def in_vietnamese(text: str, **values) -> str:
    """What a page says for an English msgid, in the site's language (as translated)."""
    with translation.override("vi"):
        return gettext(text) % values if values else gettext(text)


def on(day: datetime.date):
    return clock.frozen_at(datetime.datetime(day.year, day.month, day.day, 9, tzinfo=datetime.UTC))


class TasksTestCase(CampaignTestCase):
    """Province A's issued plan with a committee: its head `sam` (who has an account),
    a secretary without one; the province's Ban Tổ chức (`dora` writes, `hank` heads it)
    and its Ban Tuyên giáo (`tina`)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sam = make_user("sam", cls.province_a, Role.Kind.VIEWER)
        cls.head = SteeringMember.objects.create(
            campaign=cls.campaign, order=1, name="Sam", position="Chủ tịch",
            committee_role="head", user=cls.sam,
        )  # fmt: skip
        cls.secretary = SteeringMember.objects.create(
            campaign=cls.campaign, order=2, position="Chánh Văn phòng", committee_role="secretary"
        )
        cls.propaganda = Department.objects.create(
            unit=cls.province_a, code="tuyen-giao", name="Ban Tuyên giáo"
        )
        cls.tina = make_user("tina")
        org_services.role_grant(
            user=cls.tina, unit=cls.province_a, kind=Role.Kind.APPROVER, department=cls.propaganda
        )

    def setUp(self):
        super().setUp()
        # The services' messages read in English here, whether or not translated yet.
        self.enterContext(translation.override("en"))

    def save(self, rows, *, by=None, campaign=None) -> bool:
        campaign = campaign or Campaign.objects.get(pk=self.campaign.pk)
        return services.campaign_tasks_save(
            by=by or self.dave, campaign=campaign, revision=campaign.tasks_revision, rows=rows
        )

    def task(self, title="Việc", **fields) -> workplan.TaskRow:
        fields.setdefault("member_id", None if "department_id" in fields else self.head.pk)
        return workplan.TaskRow(title=title, **fields)

    def three(self) -> list[CommitteeTask]:
        with on(D(2016, 1, 5)):
            self.save([
                self.task("Xây dựng đề cương", due_on=D(2015, 11, 30), status=DONE,
                          done_on=D(2015, 11, 20)),
                self.task("Đôn đốc các huyện", department_id=self.department.pk,
                          due_on=D(2015, 12, 31), status=IN_PROGRESS),
                self.task("Trình Ban Thường vụ", member_id=self.secretary.pk,
                          due_on=D(2016, 1, 31)),
            ])  # fmt: skip
        return list(CommitteeTask.objects.order_by("order"))


class StandardTasksTestCase(TasksTestCase):
    def seed_like_plan(self) -> Campaign:
        """A draft plan of province A with the seed's timeline and a committee."""
        campaign = services.campaign_create(
            by=self.dave, owner=self.province_a,
            header=Header(kind="interim", title="Sơ kết", reviewed_from=D(2013, 1, 1),
                          reviewed_to=D(2015, 12, 31), resolution_ids=(self.resolution.pk,)),
        )  # fmt: skip
        province, district = self.kinds["province"].pk, self.kinds["district"].pk
        services.campaign_save_timeline(
            by=self.dave, campaign=campaign, revision=campaign.revision,
            milestones=[
                MilestoneRow("Tháng 11/2015", "LĐLĐ tỉnh xây dựng kế hoạch, đề cương báo cáo sơ "
                             "kết; triển khai kế hoạch đến các huyện.", D(2015, 11, 1),
                             D(2015, 11, 30),
                             (DeadlineRow(province, D(2015, 11, 30),
                                          "Xây dựng kế hoạch, Đề cương báo cáo sơ kết"),)),
                MilestoneRow("Tháng 11–12/2015", "Các huyện triển khai xuống cơ sở; gửi báo cáo.",
                             D(2015, 11, 1), D(2015, 12, 31),
                             (DeadlineRow(district, D(2015, 12, 31), "Báo cáo", True),)),
                MilestoneRow("Tháng 01/2016", "Trình Ban Thường vụ, Hội nghị Ban Chấp hành.",
                             D(2016, 1, 1), D(2016, 1, 31),
                             (DeadlineRow(province, D(2016, 1, 31),
                                          "Trình Ban Thường vụ, Hội nghị BCH lần thứ 7"),)),
                MilestoneRow("Tháng 02/2016", "Ban chỉ đạo khảo sát, nghe báo cáo của các ban. "
                             "Hoàn chỉnh báo cáo gửi Tổng Liên đoàn trước ngày 15/3/2016.",
                             D(2016, 2, 1), D(2016, 3, 15),
                             (DeadlineRow(None, D(2016, 2, 29), "Báo cáo chuyên đề", True),
                              DeadlineRow(province, D(2016, 3, 15), "Gửi báo cáo sơ kết", True))),
            ],
        )  # fmt: skip
        services.campaign_save_committee(
            by=self.dave, campaign=campaign, revision=campaign.revision,
            rows=[MemberRow("Chủ tịch", "head", "Lô Tiến Sơn"),
                  MemberRow("Phó Chánh Văn phòng", "secretary")],
        )  # fmt: skip
        return campaign

    def test_the_standard_tasks_take_their_dates_from_the_plan(self):
        campaign = self.seed_like_plan()
        count = services.campaign_tasks_draw(
            by=self.dave, campaign=campaign, revision=campaign.tasks_revision
        )
        self.assertEqual(count, 8)
        tasks = list(campaign.tasks.order_by("order").select_related("member"))
        dates = [task.due_on for task in tasks]
        self.assertEqual(
            dates,
            [
                D(2015, 11, 30),  # the outline: the province's deadline that says "đề cương"
                D(2015, 11, 30),  # guiding the units: the line that says "triển khai"
                D(2016, 2, 29),  # the survey: the line that says "khảo sát", its first date
                D(2016, 2, 29),  # hearing the departments: their report date
                None,  # the draft: the plan says nothing of when
                D(2016, 1, 31),  # presenting: the province's "Trình Ban Thường vụ"
                D(2016, 3, 15),  # finishing: by the day it is sent
                D(2016, 3, 15),  # sending: the province's own report date
            ],
        )
        self.assertEqual(tasks[7].title, "Gửi báo cáo sơ kết về TLD")
        self.assertEqual(tasks[2].starts_on, D(2016, 2, 1))
        head, secretary = campaign.steering_members.order_by("order")
        self.assertEqual([t.member for t in tasks if t.member != head], [secretary] * 3)
        self.assertTrue(all(t.status == NOT_STARTED for t in tasks))
        self.assertTrue(Entry.objects.filter(action="campaign_tasks_save").exists())

    def test_the_tasks_are_drawn_once_and_need_a_committee(self):
        campaign = self.seed_like_plan()
        services.campaign_tasks_draw(by=self.dave, campaign=campaign, revision=0)
        with self.assertRaisesMessage(ValidationError, "already has tasks"):
            services.campaign_tasks_draw(by=self.dave, campaign=campaign, revision=1)
        bare = services.campaign_create(
            by=self.dave, owner=self.province_a,
            header=Header(kind="final", title="Tổng kết", reviewed_from=D(2013, 1, 1),
                          reviewed_to=D(2018, 12, 31)),
        )  # fmt: skip
        with self.assertRaisesMessage(ValidationError, "steering committee first"):
            services.campaign_tasks_draw(by=self.dave, campaign=bare, revision=0)
        self.assertFalse(bare.tasks.exists())

    def test_a_stale_page_cannot_draw_them(self):
        campaign = self.seed_like_plan()
        with self.assertRaises(services.CampaignConflict):
            services.campaign_tasks_draw(by=self.dave, campaign=campaign, revision=7)

    def test_only_the_campaigns_administrators_draw_or_save_them(self):
        for person in (self.carol, self.alice, self.sam):
            with self.subTest(person=person.username), self.assertRaises(PermissionDenied):
                services.campaign_tasks_draw(by=person, campaign=self.campaign, revision=0)
        self.assertFalse(CommitteeTask.objects.exists())


class EditingTasksTestCase(TasksTestCase):
    def test_tasks_are_added_reordered_changed_and_deleted_in_one_save(self):
        first, second, third = self.three()
        self.save([
            workplan.TaskRow(title="Trình Ban Thường vụ, BCH", member_id=self.head.pk,
                             due_on=D(2016, 1, 30), id=third.pk),
            workplan.TaskRow(title="Xây dựng đề cương", member_id=self.head.pk,
                             due_on=D(2015, 11, 30), status=DONE, done_on=D(2015, 11, 20),
                             id=first.pk),
            self.task("Khảo sát", department_id=self.propaganda.pk, due_on=D(2016, 2, 20)),
        ])  # fmt: skip
        tasks = list(CommitteeTask.objects.order_by("order"))
        self.assertEqual(
            [(t.title, t.order) for t in tasks],
            [("Trình Ban Thường vụ, BCH", 1), ("Xây dựng đề cương", 2), ("Khảo sát", 3)],
        )
        self.assertEqual(tasks[0].pk, third.pk)
        self.assertEqual(tasks[0].member, self.head)
        self.assertFalse(CommitteeTask.objects.filter(pk=second.pk).exists())

    def test_a_refused_save_names_each_task_and_writes_nothing(self):
        self.three()
        before = workplan.snapshot(self.campaign)
        other = Department.objects.create(unit=self.province_b, code="x", name="Ban khác")
        with on(D(2016, 1, 5)), self.assertRaises(ValidationError) as caught:
            self.save([
                self.task("Một", due_on=D(2016, 1, 1), starts_on=D(2016, 2, 1)),
                workplan.TaskRow(title="Hai"),
                self.task("Ba", department_id=other.pk),
                self.task(""),
                self.task("Năm", status=NOT_STARTED, done_on=D(2015, 12, 1)),
                self.task("Sáu", status=DONE, done_on=D(2016, 2, 1)),
            ])  # fmt: skip
        messages = caught.exception.messages
        self.assertIn(
            "Task 1 “Một”: it is due (01/01/2016) before it starts (01/02/2016).", messages
        )
        self.assertTrue(
            any(m.startswith("Task 2 “Hai”: choose who is in charge") for m in messages)
        )
        self.assertTrue(
            any(m.startswith("Task 3 “Ba”: the department in charge") for m in messages)
        )
        self.assertIn("Task 4: say what is to be done.", messages)
        self.assertTrue(any(m.startswith("Task 5 “Năm”: a day it was done") for m in messages))
        self.assertIn("Task 6 “Sáu”, done on: 01/02/2016 is still to come.", messages)
        self.assertEqual(workplan.snapshot(self.campaign), before)

    def test_a_member_of_another_committee_cannot_be_in_charge(self):
        elsewhere = Campaign.objects.create(
            code="khac", owner=self.province_a, kind="final", title="Khác",
            reviewed_from=D(2013, 1, 1), reviewed_to=D(2018, 12, 31),
        )  # fmt: skip
        stranger = SteeringMember.objects.create(
            campaign=elsewhere, order=1, position="X", committee_role="head"
        )
        with self.assertRaisesMessage(ValidationError, "no longer on the committee"):
            self.save([self.task("Việc", member_id=stranger.pk)])

    def test_a_task_marked_done_without_a_day_is_done_today(self):
        with on(D(2016, 1, 5)):
            self.save([self.task("Việc", status=DONE)])
        self.assertEqual(CommitteeTask.objects.get().done_on, D(2016, 1, 5))

    def test_a_save_from_a_stale_page_is_refused(self):
        self.three()
        stale = Campaign.objects.get(pk=self.campaign.pk)
        self.save([self.task("Khác")])
        with self.assertRaises(services.CampaignConflict):
            services.campaign_tasks_save(
                by=self.dave, campaign=stale, revision=stale.tasks_revision, rows=[]
            )
        self.assertEqual(CommitteeTask.objects.get().title, "Khác")

    def test_an_issued_plans_tasks_change_without_an_amendment(self):
        revision = Campaign.objects.get(pk=self.campaign.pk).revision
        self.three()
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        self.assertTrue(campaign.is_issued)
        self.assertFalse(Amendment.objects.exists())
        self.assertEqual(campaign.revision, revision)  # the plan's own pages are not stale
        self.assertEqual(campaign.tasks_revision, 1)
        self.assertFalse(self.save([t for t in workplan.task_rows(campaign)]))  # no change

    def test_a_task_has_exactly_one_owner_in_the_database(self):
        for member, department in ((None, None), (self.head, self.department)):
            with (
                self.subTest(member=member),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                CommitteeTask.objects.create(
                        campaign=self.campaign, order=1, title="X", member=member,
                        department=department,
                    )  # fmt: skip

    def test_a_task_is_done_exactly_when_it_has_a_day_in_the_database(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            CommitteeTask.objects.create(
                campaign=self.campaign, order=1, title="X", member=self.head, status=DONE
            )

    def test_a_member_in_charge_of_a_task_stays_on_the_committee(self):
        self.three()
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        with self.assertRaisesMessage(ValidationError, "is in charge of the task"):
            services.campaign_save_committee(
                by=self.dave, campaign=campaign, revision=campaign.revision, reason="Bớt",
                rows=[MemberRow("Chủ tịch", "head", "Sam", self.sam.pk, id=self.head.pk)],
            )  # fmt: skip
        self.assertTrue(SteeringMember.objects.filter(pk=self.secretary.pk).exists())


class StatusTestCase(TasksTestCase):
    def test_the_member_in_charge_marks_it_done_and_the_day_is_kept(self):
        first, _second, third = self.three()
        with on(D(2016, 1, 6)):
            services.task_set_status(by=self.sam, task=first, status=IN_PROGRESS)
            done = services.task_set_status(by=self.sam, task=first, status=DONE)
        self.assertEqual(done.done_on, D(2016, 1, 6))
        with on(D(2016, 1, 9)):
            again = services.task_set_status(by=self.sam, task=first, status=DONE)
        self.assertEqual(again.done_on, D(2016, 1, 6))
        with self.assertRaises(PermissionDenied):
            services.task_set_status(by=self.sam, task=third, status=DONE)  # the secretary's

    def test_a_departments_writers_and_head_update_its_tasks_and_nobody_else(self):
        _first, second, _third = self.three()
        for person in (self.department_writer, self.department_head, self.dave):
            with self.subTest(person=person.username):
                services.task_set_status(by=person, task=second, status=IN_PROGRESS)
        for person in (self.tina, self.carol, self.province_approver, self.alice, self.erin):
            with self.subTest(person=person.username), self.assertRaises(PermissionDenied):
                services.task_set_status(by=person, task=second, status=DONE)
        self.assertEqual(CommitteeTask.objects.get(pk=second.pk).status, IN_PROGRESS)

    def test_a_status_set_meanwhile_makes_the_tasks_page_stale(self):
        first, *_ = self.three()
        stale = Campaign.objects.get(pk=self.campaign.pk)
        with on(D(2016, 1, 5)):
            services.task_set_status(by=self.sam, task=first, status=IN_PROGRESS)
        with self.assertRaises(services.CampaignConflict):
            services.campaign_tasks_save(
                by=self.dave, campaign=stale, revision=stale.tasks_revision, rows=[]
            )
        self.assertEqual(Entry.objects.filter(action="campaign_task_status").count(), 1)


@override_settings(SOKET_REMINDER_DAYS_BEFORE=3, SOKET_REMINDER_DAYS_AFTER=3)
class RemindersTestCase(TasksTestCase):
    def notices(self, person) -> list[str]:
        return list(Notice.objects.filter(user=person).order_by("pk").values_list("key", flat=True))

    def test_the_member_in_charge_is_reminded_before_and_when_overdue_once_each(self):
        self.sam.email = "sam@example.org"
        self.sam.save()
        with on(D(2016, 1, 5)):
            self.save([self.task("Trình BTV", due_on=D(2016, 1, 31))])
        task = CommitteeTask.objects.get()
        reminders.sweep(today=D(2016, 1, 27))
        self.assertEqual(self.notices(self.sam), [])
        self.assertEqual(reminders.sweep(today=D(2016, 1, 28)), 1)
        self.assertEqual(reminders.sweep(today=D(2016, 1, 28)), 0)  # run twice
        self.assertEqual(reminders.sweep(today=D(2016, 1, 30)), 0)
        self.assertEqual(reminders.sweep(today=D(2016, 2, 3)), 1)
        self.assertEqual(reminders.sweep(today=D(2016, 2, 9)), 0)
        self.assertEqual(
            self.notices(self.sam),
            [f"task:{task.pk}:20160131:before", f"task:{task.pk}:20160131:overdue"],
        )
        notice = Notice.objects.filter(user=self.sam).last()
        self.assertIn("Trình BTV", notice.text)
        self.assertIn("31/01/2016", notice.text)
        self.assertEqual(OutgoingMail.objects.filter(notice__user=self.sam).count(), 2)

    def test_a_moved_date_reminds_again_and_a_done_task_never(self):
        with on(D(2016, 1, 5)):
            self.save([self.task("Trình BTV", due_on=D(2016, 1, 31))])
        reminders.sweep(today=D(2016, 2, 3))
        task = CommitteeTask.objects.get()
        with on(D(2016, 2, 3)):
            self.save([workplan.TaskRow("Trình BTV", self.head.pk, due_on=D(2016, 2, 5),
                                        id=task.pk)])  # fmt: skip
        self.assertEqual(reminders.sweep(today=D(2016, 2, 3)), 1)
        self.assertIn(f"task:{task.pk}:20160205:before", self.notices(self.sam))
        with on(D(2016, 2, 4)):
            services.task_set_status(by=self.sam, task=task, status=DONE)
        self.assertEqual(reminders.sweep(today=D(2016, 2, 20)), 0)
        self.assertEqual(len(self.notices(self.sam)), 2)

    def test_a_departments_writers_are_reminded_and_the_run_after_a_crash_tells_the_rest(self):
        _first, second, _third = self.three()
        key = f"task:{second.pk}:20151231:overdue"
        # An earlier run told hank, then stopped before dora.
        Notice.objects.create(user=self.department_head, text="…", key=key)
        self.assertEqual(reminders.sweep(today=D(2016, 1, 5)), 1)
        self.assertEqual(self.notices(self.department_writer), [key])
        self.assertEqual(Notice.objects.filter(key=key).count(), 2)
        self.assertEqual(reminders.sweep(today=D(2016, 1, 5)), 0)
        # The secretary's task, due later, is not reminded yet.
        self.assertFalse(Notice.objects.filter(key__contains=":20160131:").exists())

    def test_nobody_is_reminded_of_a_draft_plans_tasks_or_undated_ones(self):
        self.save([self.task("Không hạn")])
        Campaign.objects.filter(pk=self.campaign.pk).update(state="draft")
        self.save([self.task("Có hạn", due_on=D(2016, 1, 1))])
        self.assertEqual(reminders.sweep(today=D(2016, 1, 10)), 0)
        self.assertFalse(Notice.objects.exists())

    def test_an_inactive_account_is_not_reminded_and_the_administrators_are_instead(self):
        self.sam.is_active = False
        self.sam.save()
        with on(D(2016, 1, 5)):
            self.save([self.task("Việc", due_on=D(2016, 1, 6))])
        task = CommitteeTask.objects.get()
        self.assertEqual(reminders.sweep(today=D(2016, 1, 5)), 1)
        self.assertEqual(self.notices(self.sam), [])
        self.assertEqual(self.notices(self.dave), [f"task:{task.pk}:20160106:before"])

    def test_an_overdue_task_of_a_member_without_an_account_reminds_the_administrators_once(self):
        with on(D(2016, 1, 5)):
            self.save([self.task("Trình BTV", member_id=self.secretary.pk, due_on=D(2015, 12, 31))])
        task = CommitteeTask.objects.get()
        other_admin = make_user("otto", self.province_a, Role.Kind.CAMPAIGN_ADMIN)
        gone = make_user("gina", self.province_a, Role.Kind.CAMPAIGN_ADMIN)
        gone.is_active = False
        gone.save()
        key = f"task:{task.pk}:20151231:overdue"
        self.assertEqual(reminders.sweep(today=D(2016, 1, 5)), 2)
        self.assertEqual(reminders.sweep(today=D(2016, 1, 5)), 0)  # run twice: told once
        self.assertEqual(self.notices(self.dave), [key])
        self.assertEqual(self.notices(other_admin), [key])
        self.assertEqual(self.notices(gone), [])
        # Administrators of other units, and the committee's other members, are not told.
        self.assertEqual(set(Notice.objects.values_list("user__username", flat=True)),
                         {"dave", "otto"})  # fmt: skip
        text = Notice.objects.filter(user=self.dave).get().text
        self.assertIn("Trình BTV", text)
        self.assertIn("Chánh Văn phòng", text)
        with translation.override(settings.LANGUAGE_CODE):  # what reminders are written in
            expected = gettext(
                "Nobody in charge of it (%(owner)s) has an account to be reminded: you are "
                "told as an administrator of the plan."
            )
        self.assertIn(expected % {"owner": "Chánh Văn phòng"}, text)

    def test_a_department_nobody_writes_for_reminds_the_administrators(self):
        empty = Department.objects.create(unit=self.province_a, code="van-phong", name="Văn phòng")
        with on(D(2016, 1, 5)):
            self.save([
                self.task("Gửi báo cáo", department_id=empty.pk, due_on=D(2016, 1, 7)),
                self.task("Tuyên truyền", department_id=self.propaganda.pk, due_on=D(2016, 1, 7)),
            ])  # fmt: skip
        send, spread = CommitteeTask.objects.order_by("order")
        self.assertEqual(reminders.sweep(today=D(2016, 1, 5)), 2)
        self.assertEqual(self.notices(self.dave), [f"task:{send.pk}:20160107:before"])
        self.assertEqual(self.notices(self.tina), [f"task:{spread.pk}:20160107:before"])

    def test_a_task_is_reminded_on_its_due_day_as_reports_are(self):
        with on(D(2016, 1, 5)):
            self.save([self.task("Trình BTV", due_on=D(2016, 1, 31))])
        task = CommitteeTask.objects.get()
        self.assertEqual(reminders.sweep(today=D(2016, 1, 31)), 1)
        self.assertEqual(reminders.sweep(today=D(2016, 1, 31)), 0)
        self.assertEqual(self.notices(self.sam), [f"task:{task.pk}:20160131:due"])
        with translation.override(settings.LANGUAGE_CODE):  # what reminders are written in
            expected = gettext(
                "Today, %(day)s, the committee's task “%(task)s” (%(campaign)s) is due."
            )
        values = {"day": "31/01/2016", "task": "Trình BTV", "campaign": self.campaign.title}
        self.assertIn(expected % values, Notice.objects.get().text)


class TimelineTestCase(TasksTestCase):
    def detail(self, person):
        self.client.force_login(person)
        with on(D(2016, 1, 5)):
            return self.client.get(reverse("campaign_detail", args=[self.campaign.pk]))

    def test_the_timeline_shows_the_tasks_by_date_with_owner_status_and_overdue_in_words(self):
        self.three()
        response = self.detail(self.carol)
        self.assertEqual(response.status_code, 200)
        lines = response.context["tasks"]
        self.assertEqual(
            [line.task.title for line in lines],
            ["Xây dựng đề cương", "Đôn đốc các huyện", "Trình Ban Thường vụ"],
        )
        self.assertEqual([line.overdue_days for line in lines], [0, 5, 0])
        self.assertEqual([line.milestone for line in lines], ["Tháng 12/2015"] * 3)
        html = response.content.decode()
        with translation.override("vi"):
            overdue = ngettext("Overdue by %(days)s day", "Overdue by %(days)s days", 5)
            done = str(CommitteeTask.Status.DONE.label)
        self.assertIn(overdue % {"days": 5}, html)
        self.assertIn("Ban Tổ chức", html)
        self.assertIn(done, html)
        self.assertNotIn("task-status", html)  # a viewer reads, never sets
        self.assertNotIn(reverse("campaign_tasks", args=[self.campaign.pk]), html)

    def test_a_task_nobody_can_be_reminded_of_says_so_beside_it(self):
        first, second, third = self.three()
        self.head.user = None
        self.head.save()
        response = self.detail(self.carol)
        lines = {line.task.pk: line.nobody_to_remind for line in response.context["tasks"]}
        # The head's is done (nothing to remind); the department has writers.
        self.assertEqual(lines, {first.pk: False, second.pk: False, third.pk: True})
        label = in_vietnamese("nobody to remind: the plan's administrators are reminded")
        self.assertContains(response, label, count=1)
        self.client.force_login(self.dave)
        page = self.client.get(reverse("campaign_tasks", args=[self.campaign.pk]))
        self.assertEqual(page.context["unreminded"], [third])

    def test_the_people_in_charge_see_a_status_form_for_their_own_tasks_only(self):
        _first, second, third = self.three()
        html = self.detail(self.department_writer).content.decode()
        self.assertIn(reverse("campaign_task_status", args=[self.campaign.pk, second.pk]), html)
        self.assertNotIn(reverse("campaign_task_status", args=[self.campaign.pk, third.pk]), html)

    def test_the_number_of_queries_does_not_grow_with_the_tasks(self):
        def count() -> int:
            self.client.force_login(self.dave)
            url = reverse("campaign_detail", args=[self.campaign.pk])
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            return len(queries)

        self.three()
        few = count()
        with on(D(2016, 1, 5)):
            self.save(
                workplan.task_rows(self.campaign)
                + [self.task(f"Việc {n}", department_id=self.propaganda.pk) for n in range(12)]
            )
        self.assertEqual(count(), few)


class TaskPagesTestCase(TasksTestCase):
    def url(self) -> str:
        return reverse("campaign_tasks", args=[self.campaign.pk])

    def test_an_administrator_draws_the_standard_tasks_then_edits_them_on_the_page(self):
        self.client.force_login(self.dave)
        response = self.client.get(self.url())
        self.assertContains(response, reverse("campaign_tasks_draw", args=[self.campaign.pk]))
        response = self.client.post(
            reverse("campaign_tasks_draw", args=[self.campaign.pk]), {"revision": 0}
        )
        self.assertRedirects(response, self.url())
        self.assertEqual(CommitteeTask.objects.count(), 8)
        page = self.client.get(self.url())
        self.assertNotContains(page, reverse("campaign_tasks_draw", args=[self.campaign.pk]))
        data = post_data(page, **{
            "task-0-DELETE": "on", "task-1-ORDER": "9", "task-2-due_on": "20/12/2015",
            "task-8-title": "Họp Ban chỉ đạo", "task-8-owner": f"d{self.department.pk}",
            "task-8-due_on": "10/01/2016", "task-8-ORDER": "1",
        })  # fmt: skip
        with on(D(2016, 1, 5)):
            response = self.client.post(self.url(), data)
        self.assertRedirects(response, self.url())
        tasks = list(CommitteeTask.objects.order_by("order"))
        self.assertEqual(len(tasks), 8)
        self.assertEqual(tasks[0].title, "Họp Ban chỉ đạo")
        self.assertEqual(tasks[0].department, self.department)
        self.assertEqual(tasks[1].due_on, D(2015, 12, 20))
        self.assertTrue(tasks[-1].title.startswith("Hướng dẫn"))

    def test_a_double_click_on_draw_makes_the_tasks_once_and_says_so_without_a_conflict(self):
        self.client.force_login(self.dave)
        page = self.client.get(self.url())
        self.assertContains(page, "data-once>")
        draw = reverse("campaign_tasks_draw", args=[self.campaign.pk])
        first = self.client.post(draw, {"revision": 0})
        second = self.client.post(draw, {"revision": 0}, follow=True)
        self.assertRedirects(first, self.url(), fetch_redirect_response=False)
        self.assertRedirects(second, self.url())
        self.assertEqual(CommitteeTask.objects.count(), 8)
        shown = [(m.level_tag, m.message) for m in second.context["messages"]]
        self.assertIn(
            ("info", in_vietnamese(
                "The committee already has tasks: add the ones you need on this page."
            )),
            shown,
        )  # fmt: skip
        conflict = in_vietnamese(
            "Someone else saved this campaign while you were editing it. What you typed "
            "is kept below: compare it with the saved version, then save again."
        )
        self.assertNotContains(second, conflict)
        self.assertFalse(any(level == "error" for level, _m in shown))

    def test_the_page_saved_unchanged_says_nothing_changed(self):
        self.three()
        self.client.force_login(self.dave)
        page = self.client.get(self.url())
        with on(D(2016, 1, 5)):
            response = self.client.post(self.url(), post_data(page), follow=True)
        self.assertEqual(Campaign.objects.get(pk=self.campaign.pk).tasks_revision, 1)
        self.assertIn(
            ("info", in_vietnamese("Nothing changed.")),
            [(m.level_tag, m.message) for m in response.context["messages"]],
        )

    def test_a_wrong_date_is_named_in_vietnamese_and_what_was_typed_stays(self):
        self.three()
        self.client.force_login(self.dave)
        page = self.client.get(self.url())
        response = self.client.post(
            self.url(), post_data(page, **{"task-0-due_on": "2015-11-30", "task-1-title": "Mới"})
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ghi ngày theo dạng dd/mm/yyyy")
        self.assertContains(response, "2015-11-30")
        self.assertContains(response, "Mới</textarea>")
        self.assertEqual(CommitteeTask.objects.get(order=2).title, "Đôn đốc các huyện")

    def test_a_service_refusal_is_shown_beside_what_was_typed(self):
        self.three()
        self.client.force_login(self.dave)
        page = self.client.get(self.url())
        response = self.client.post(
            self.url(),
            post_data(page, **{"task-2-starts_on": "01/03/2016", "task-2-title": "Trình BCH"}),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            in_vietnamese(
                "Task %(n)d “%(title)s”: it is due (%(due)s) before it starts (%(start)s).",
                n=3,
                title="Trình BCH",
                due="31/01/2016",
                start="01/03/2016",
            ),
        )
        self.assertContains(response, "Trình BCH</textarea>")

    def test_a_stale_page_is_refused_and_keeps_what_was_typed(self):
        self.three()
        self.client.force_login(self.dave)
        page = self.client.get(self.url())
        first = CommitteeTask.objects.get(order=1)
        with on(D(2016, 1, 5)):
            services.task_set_status(by=self.sam, task=first, status=IN_PROGRESS)
        response = self.client.post(self.url(), post_data(page, **{"task-1-title": "Của tôi"}))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Của tôi</textarea>")
        self.assertTrue(response.context["conflict"])
        self.assertEqual(CommitteeTask.objects.get(order=2).title, "Đôn đốc các huyện")

    def test_who_may_open_the_tasks_page_and_how(self):
        self.three()
        cases = [(self.carol, 403), (self.sam, 403), (self.department_head, 403),
                 (self.erin, 404), (self.dave, 200)]  # fmt: skip
        for person, status in cases:
            with self.subTest(person=person.username):
                self.client.force_login(person)
                self.assertEqual(self.client.get(self.url()).status_code, status)
        self.client.force_login(self.dave)
        draw = reverse("campaign_tasks_draw", args=[self.campaign.pk])
        self.assertEqual(self.client.get(draw).status_code, 405)
        self.client.logout()
        self.assertEqual(self.client.get(self.url()).status_code, 302)

    def test_the_owner_sets_the_status_from_the_timeline_or_home(self):
        _first, second, _third = self.three()
        url = reverse("campaign_task_status", args=[self.campaign.pk, second.pk])
        self.client.force_login(self.department_writer)
        self.assertEqual(self.client.get(url).status_code, 405)
        with on(D(2016, 1, 5)):
            response = self.client.post(url, {"status": DONE, "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(CommitteeTask.objects.get(pk=second.pk).done_on, D(2016, 1, 5))
        response = self.client.post(url, {"status": "bogus", "next": "https://evil.example/"})
        self.assertRedirects(
            response,
            reverse("campaign_detail", args=[self.campaign.pk]) + "#tasks",
            fetch_redirect_response=False,
        )
        self.assertEqual(CommitteeTask.objects.get(pk=second.pk).status, DONE)
        for person, status in ((self.tina, 403), (self.carol, 403), (self.erin, 404)):
            with self.subTest(person=person.username):
                self.client.force_login(person)
                self.assertEqual(self.client.post(url, {"status": NOT_STARTED}).status_code, status)
        self.assertEqual(CommitteeTask.objects.get(pk=second.pk).status, DONE)
        other = reverse("campaign_task_status", args=[self.campaign.pk, 999999])
        self.client.force_login(self.dave)
        self.assertEqual(self.client.post(other, {"status": DONE}).status_code, 404)

    def test_the_home_page_selector_lists_ones_own_tasks_not_done(self):
        from soket.campaigns.selectors import tasks_for

        self.three()
        lines = tasks_for(user=self.department_head, today=D(2016, 1, 5))
        self.assertEqual([line.task.title for line in lines], ["Đôn đốc các huyện"])
        self.assertEqual(lines[0].overdue_days, 5)
        self.assertEqual(tasks_for(user=self.sam, today=D(2016, 1, 5)), [])  # his is done
        self.assertEqual(tasks_for(user=self.carol, today=D(2016, 1, 5)), [])

    def test_the_home_page_block_offers_the_status_and_comes_back_home(self):
        from django.template.loader import render_to_string
        from django.test import RequestFactory

        from soket.campaigns.selectors import tasks_for

        _first, second, _third = self.three()
        request = RequestFactory().get("/")
        request.user = self.department_writer
        html = render_to_string(
            "campaigns/_my_tasks.html",
            {"my_tasks": tasks_for(user=self.department_writer, today=D(2016, 1, 5))},
            request=request,
        )
        self.assertIn(reverse("campaign_task_status", args=[self.campaign.pk, second.pk]), html)
        self.assertIn('name="next" value="/"', html)
        self.assertIn("Đôn đốc các huyện", html)
        empty = render_to_string("campaigns/_my_tasks.html", {"my_tasks": []}, request=request)
        self.assertEqual(empty.strip(), "")


class DeploymentTasksTestCase(TasksTestCase):
    def test_a_deployments_own_committee_draws_and_keeps_its_own_tasks(self):
        Campaign.objects.filter(pk=self.campaign.pk).update(
            issued_on=D(2015, 10, 15), document_number="15/KH"
        )
        adam = make_user("adam", self.district_a1, Role.Kind.CAMPAIGN_ADMIN)
        plan = Campaign.objects.get(pk=self.campaign.pk)
        deployment = services.campaign_deploy(by=adam, source=plan, owner=self.district_a1)
        services.campaign_save_committee(
            by=adam, campaign=deployment, revision=deployment.revision,
            rows=[MemberRow("Chủ tịch LĐLĐ huyện", "head", user_id=self.alice.pk)],
        )  # fmt: skip
        with self.assertRaises(PermissionDenied):  # the province's administrator
            services.campaign_tasks_draw(by=self.dave, campaign=deployment, revision=0)
        services.campaign_tasks_draw(by=adam, campaign=deployment, revision=0)
        send = deployment.tasks.order_by("order").last()
        self.assertEqual(send.title, "Gửi báo cáo sơ kết về A")
        self.assertEqual(send.due_on, D(2015, 12, 31))  # the district's date in the plan
        self.assertFalse(plan.tasks.exists())
        Campaign.objects.filter(pk=deployment.pk).update(state="issued", issued_on=D(2015, 11, 1))
        with self.settings(SOKET_REMINDER_DAYS_AFTER=3):
            reminders.sweep(today=D(2016, 1, 5))
        self.assertTrue(Notice.objects.filter(user=self.alice, key__startswith="task:").exists())
        services.task_set_status(by=self.alice, task=send, status=IN_PROGRESS)
