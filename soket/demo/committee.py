"""The demo province's steering committee at work (issue 13, point 4): its tasks as on
the demo's day, 05/01/2016 — the outline built and the units guided in November 2015
(done), the districts' reports chased by the Ban Tổ chức (due 31/12/2015, still in
progress: overdue, as Chi Lăng and Đình Lập have not reported), the draft under way,
and the rest of the seed's timeline ahead (01/2016 present to the Ban Thường vụ and the
7th conference of the executive committee; 02/2016 survey and hear the departments;
finish and send to the confederation by 15/03/2016).

Two members have accounts in the demo (the heads of the Ban Tổ chức and the Ban Tuyên
giáo: data.STEERING), so their tasks remind a real person; the others' tasks, like the
Văn phòng's (no reporter in the demo), remind the province's campaign administrators.

The plan gives the committee's duties and months, not who does what on which day: every
row is illustrative. Written through the campaigns service as the province's
administrator would; a second run brings the rows back to these values.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from soket.campaigns import services, workplan
from soket.campaigns.models import Campaign, CommitteeTask
from soket.core import clock
from soket.orgs.models import Department, User

D = datetime.date
DONE, IN_PROGRESS, NOT_STARTED = (
    CommitteeTask.Status.DONE,
    CommitteeTask.Status.IN_PROGRESS,
    CommitteeTask.Status.NOT_STARTED,
)
DEMO_MOMENT = datetime.datetime(2016, 1, 5, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

# (title, in charge: a member's position in data.STEERING or "ban:<department code>",
#  starts, due, status, done on, note)
TASKS = [
    ("Xây dựng Kế hoạch, Đề cương báo cáo sơ kết", "Phó Chánh Văn phòng",
     D(2015, 11, 1), D(2015, 11, 30), DONE, D(2015, 11, 20), ""),
    ("Tuyên truyền về sơ kết giữa nhiệm kỳ thực hiện Nghị quyết Đại hội trong CNVCLĐ",
     "Trưởng Ban Tuyên giáo", D(2015, 11, 15), D(2015, 12, 15), DONE, D(2015, 12, 10), ""),
    ("Hướng dẫn, triển khai kế hoạch đến LĐLĐ các huyện, thành phố, Công đoàn ngành và các ban",
     "Chủ tịch LĐLĐ tỉnh (Thường trực)",
     D(2015, 11, 1), D(2015, 11, 30), DONE, D(2015, 11, 27), ""),
    ("Đôn đốc, tiếp nhận báo cáo sơ kết của LĐLĐ các huyện, thành phố, Công đoàn ngành",
     "ban:to-chuc", D(2015, 12, 1), D(2015, 12, 31), IN_PROGRESS, None,
     "Còn LĐLĐ huyện Chi Lăng, Đình Lập chưa gửi báo cáo."),
    ("Tổng hợp, phân tích, đánh giá báo cáo của các cấp, các ban; xây dựng dự thảo báo cáo "
     "sơ kết", "Phó Chánh Văn phòng", D(2016, 1, 4), D(2016, 1, 15), IN_PROGRESS, None, ""),
    ("Trình dự thảo báo cáo Ban Thường vụ, Hội nghị Ban Chấp hành LĐLĐ tỉnh lần thứ 7 (khoá XV)",
     "Chủ tịch LĐLĐ tỉnh (Thường trực)",
     D(2016, 1, 16), D(2016, 1, 31), NOT_STARTED, None, ""),
    ("Khảo sát, nắm tình hình CNVCLĐ và hoạt động Công đoàn",
     "Trưởng Ban Tổ chức", D(2016, 2, 1), D(2016, 2, 29), NOT_STARTED, None, ""),
    ("Nghe báo cáo chuyên đề của các ban", "Chủ tịch LĐLĐ tỉnh (Thường trực)",
     D(2016, 2, 15), D(2016, 2, 29), NOT_STARTED, None, ""),
    ("Hoàn chỉnh báo cáo sơ kết", "Phó Chánh Văn phòng",
     D(2016, 3, 1), D(2016, 3, 10), NOT_STARTED, None, ""),
    ("Gửi báo cáo sơ kết về Tổng Liên đoàn", "ban:van-phong",
     None, D(2016, 3, 15), NOT_STARTED, None, ""),
]  # fmt: skip


def load_demo_committee_tasks(campaign: Campaign, actor: User) -> None:
    """The province's committee tasks, as on the demo's day (see the module)."""
    members = {m.position: m.pk for m in campaign.steering_members.all()}
    departments = {d.code: d.pk for d in Department.objects.filter(unit=campaign.owner_id)}
    stored = workplan.task_rows(campaign)
    rows = []
    for position, (title, owner, starts, due, status, done, note) in enumerate(TASKS):
        department = departments[owner[4:]] if owner.startswith("ban:") else None
        rows.append(
            workplan.TaskRow(
                title=title,
                member_id=None if department else members[owner],
                department_id=department,
                starts_on=starts,
                due_on=due,
                status=status,
                done_on=done,
                note=note,
                is_illustrative=True,
                id=stored[position].id if position < len(stored) else None,
            )
        )
    campaign = Campaign.objects.get(pk=campaign.pk)
    with clock.frozen_at(DEMO_MOMENT):
        services.campaign_tasks_save(
            by=actor, campaign=campaign, revision=campaign.tasks_revision, rows=rows
        )
