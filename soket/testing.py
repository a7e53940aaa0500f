"""What tests share: a small two-province tree with people in scope, above it and outside it."""

from __future__ import annotations

import datetime
import shutil
import tempfile
import unittest

from django.test import TestCase, override_settings
from django_tasks_db.compat import Task
from django_tasks_db.models import DBTaskResult

from soket.campaigns.models import Campaign, Deadline, Milestone, OutlineSection, Participation
from soket.orgs import services
from soket.orgs.models import Department, Role, Unit, UnitKind, User
from soket.resolutions.models import Resolution, ReviewItem, Target


def use_temporary_media(test: unittest.TestCase) -> str:
    """Files a test stores (attachments, templates, documents) go to a folder of its own,
    removed when the test ends; returns the folder."""
    media = tempfile.mkdtemp(prefix="soket-test-media-")
    test.addCleanup(shutil.rmtree, media, ignore_errors=True)
    override = override_settings(MEDIA_ROOT=media)
    override.enable()
    test.addCleanup(override.disable)
    return media


def run_waiting(task: Task) -> int:
    """Run the waiting runs of `task` here and now, as the background runner would, and
    say how many ran."""
    waiting = list(DBTaskResult.objects.ready().filter(task_path=task.module_path))
    for row in waiting:
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()
    return len(waiting)


def make_kinds() -> dict[str, UnitKind]:
    rows = [
        ("confederation", "Tổng Liên đoàn", 0),
        ("province", "LĐLĐ tỉnh", 1),
        ("district", "LĐLĐ huyện", 2),
        ("sector", "Công đoàn ngành", 2),
        ("grassroots", "Công đoàn cơ sở", 3),
    ]
    return {
        code: UnitKind.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})[0]
        for code, name, rank in rows
    }


def make_unit(code: str, kind: UnitKind, parent: Unit | None = None, **fields) -> Unit:
    return services.unit_create(
        code=code, name=fields.pop("name", code), kind=kind, parent=parent, **fields
    )


def make_user(username: str, unit: Unit | None = None, kind: str = Role.Kind.VIEWER) -> User:
    user = services.user_ensure(username=username, full_name=username, password="password")
    if unit is not None:
        services.role_grant(user=user, unit=unit, kind=kind)
    return user


def make_operators() -> tuple[User, User]:
    """Two system administrators: one sends reports, the other reviews them, since
    nobody reviews a report they sent."""
    operators = []
    for username in ("admin", "reviewer"):
        operator = make_user(username)
        operator.is_superuser = True
        operator.save()
        operators.append(operator)
    return operators[0], operators[1]


def make_resolution(code: str, issuer: Unit, implements: Resolution | None = None) -> Resolution:
    return Resolution.objects.create(
        code=code,
        title=f"Nghị quyết {code}",
        congress=f"Đại hội {code}",
        term_start_year=2013,
        term_end_year=2018,
        issuer=issuer,
        implements=implements,
    )


def make_target(resolution: Resolution, code: str, aggregation: str, goal=None, **fields) -> Target:
    fields.setdefault("direction", "qualitative" if goal is None else "at_least")
    return Target.objects.create(
        resolution=resolution, code=code, wording=fields.pop("wording", code),
        aggregation=aggregation, goal_value=goal, **fields,
    )  # fmt: skip


class BaseTestCase(TestCase):
    """Confederation › two provinces › districts › grassroots unions, and:

    - `alice`, approver at district A1 (the person in scope);
    - `bob`, approver at district A2, A1's sibling (outside her scope);
    - `carol`, viewer at province A (above her);
    - `dave`, campaign admin at province A;
    - `erin`, approver at province B (another province).
    """

    @classmethod
    def setUpTestData(cls):
        build_tree(cls)


def build_tree(cls) -> None:
    """Set BaseTestCase's units and people as attributes of `cls`."""
    cls.kinds = make_kinds()
    k = cls.kinds
    cls.confederation = make_unit("TLD", k["confederation"])
    cls.province_a = make_unit("A", k["province"], cls.confederation)
    cls.province_b = make_unit("B", k["province"], cls.confederation)
    cls.district_a1 = make_unit("A1", k["district"], cls.province_a)
    cls.district_a2 = make_unit("A2", k["district"], cls.province_a)
    cls.district_b1 = make_unit("B1", k["district"], cls.province_b)
    cls.grassroots_a1 = make_unit("A1-01", k["grassroots"], cls.district_a1)
    cls.grassroots_a1_closed = make_unit(
        "A1-02", k["grassroots"], cls.district_a1, closed_on=datetime.date(2015, 6, 30)
    )
    cls.grassroots_a2 = make_unit("A2-01", k["grassroots"], cls.district_a2)
    cls.grassroots_b1 = make_unit("B1-01", k["grassroots"], cls.district_b1)

    cls.alice = make_user("alice", cls.district_a1, Role.Kind.APPROVER)
    cls.bob = make_user("bob", cls.district_a2, Role.Kind.APPROVER)
    cls.carol = make_user("carol", cls.province_a, Role.Kind.VIEWER)
    cls.dave = make_user("dave", cls.province_a, Role.Kind.CAMPAIGN_ADMIN)
    cls.erin = make_user("erin", cls.province_b, Role.Kind.APPROVER)


class CampaignTestCase(BaseTestCase):
    """BaseTestCase plus province A's interim campaign: four targets (a sum, a ratio,
    a share of units, a qualitative one), a two-section outline, an extra review item,
    districts due 31/12/2015, the province due 15/03/2016 and its departments; the
    province's Ban Tổ chức with `dora` who writes its thematic report and `hank`, the
    head of department, who sends it; `paul`, approver of the province, who reviews."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_campaign(cls)


def build_campaign(cls) -> None:
    """Set CampaignTestCase's campaign, targets, outline and people as attributes of `cls`."""
    D = datetime.date
    cls.resolution = make_resolution("xv", cls.province_a)
    cls.t_sum = make_target(cls.resolution, "S", "sum", 100, wording="Đoàn viên mới", order=1)
    cls.t_ratio = make_target(
        cls.resolution, "R", "ratio", 75, wording="Tỷ lệ vững mạnh", order=2,
        numerator_label="vững mạnh", denominator_label="tổng số",
    )  # fmt: skip
    cls.t_share = make_target(
        cls.resolution, "H", "share_meeting", 100, wording="Tổ chức hội nghị", order=3
    )
    cls.t_qual = make_target(cls.resolution, "Q", "none", wording="Học tập và làm theo", order=4)
    cls.item = ReviewItem.objects.create(code="kl-79", title="Kết luận 79-KL/TW")
    cls.campaign = Campaign.objects.create(
        state="issued",
        code="so-ket-a",
        owner=cls.province_a,
        kind="interim",
        title="Sơ kết tỉnh A",
        reviewed_from=D(2013, 1, 1),
        reviewed_to=D(2015, 12, 31),
    )
    cls.campaign.resolutions.add(cls.resolution)
    cls.campaign.review_items.add(cls.item)
    cls.section_results = OutlineSection.objects.create(
        campaign=cls.campaign, order=1, number="I.", heading="Kết quả"
    )
    cls.section_results.targets.set([cls.t_sum, cls.t_ratio, cls.t_share, cls.t_qual])
    cls.section_lessons = OutlineSection.objects.create(
        campaign=cls.campaign, order=2, number="II.", heading="Bài học kinh nghiệm"
    )
    participation = Participation.objects.create(campaign=cls.campaign, root=cls.province_a)
    participation.kinds.set(cls.kinds.values())
    milestone = Milestone.objects.create(
        campaign=cls.campaign,
        order=1,
        label="Tháng 12/2015",
        text="Gửi báo cáo",
        starts_on=D(2015, 11, 1),
        ends_on=D(2016, 3, 15),
    )
    deadline = Deadline.objects.create
    deadline(
        milestone=milestone,
        unit_kind=cls.kinds["district"],
        due_on=D(2015, 12, 31),
        deliverable="Báo cáo sơ kết",
        is_report=True,
    )
    deadline(
        milestone=milestone,
        unit_kind=cls.kinds["province"],
        due_on=D(2016, 3, 15),
        deliverable="Báo cáo sơ kết",
        is_report=True,
    )
    deadline(
        milestone=milestone,
        for_departments=True,
        due_on=D(2016, 2, 29),
        deliverable="Báo cáo chuyên đề",
        is_report=True,
    )
    cls.department = Department.objects.create(
        unit=cls.province_a, code="to-chuc", name="Ban Tổ chức"
    )
    cls.grassroots_reporter = make_user("gina", cls.grassroots_a1, Role.Kind.APPROVER)
    cls.province_approver = make_user("paul", cls.province_a, Role.Kind.APPROVER)
    cls.national_approver = make_user("nora", cls.confederation, Role.Kind.APPROVER)
    cls.department_writer = make_user("dora")
    services.role_grant(
        user=cls.department_writer,
        unit=cls.province_a,
        kind=Role.Kind.REPORTER,
        department=cls.department,
    )
    cls.department_head = make_user("hank")
    services.role_grant(
        user=cls.department_head,
        unit=cls.province_a,
        kind=Role.Kind.APPROVER,
        department=cls.department,
    )
