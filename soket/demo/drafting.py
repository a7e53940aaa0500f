"""The province's consolidated draft, circulated for comments (issue 13, point 5).

On 05/01/2016, just after it was drafted from the districts' and departments' reports,
the province's drafter (tinh.baocao) circulates it to two readers — a viewer of the
province (tinh.xem) and the head of its Ban Tổ chức (ban.tochuc.truongban) — for
comments by 12/01/2016, ahead of the executive committee's 7th conference. Both
comment on sections and on the whole; some comments are answered (taken, or not taken
with a reason), the rest wait. Everything goes through soket.drafting.services; the
comments are illustrative. A report that has a round already is left as it is, so
loading twice changes nothing.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from soket.campaigns.models import Campaign
from soket.core import clock
from soket.drafting import services
from soket.drafting.models import Comment, CommentRound
from soket.orgs.models import User
from soket.reports import workflow
from soket.reports.models import Report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DRAFTER, READERS = "tinh.baocao", ("tinh.xem", "ban.tochuc.truongban")
DUE_ON = datetime.date(2016, 1, 12)
NOTE = (
    "Đề nghị các đồng chí góp ý dự thảo báo cáo sơ kết nửa nhiệm kỳ trước ngày 12/01/2016 "
    "để hoàn chỉnh, trình Ban Thường vụ và Hội nghị Ban Chấp hành LĐLĐ tỉnh lần thứ 7 "
    "(khoá XV) (nội dung minh họa)."
)
# (reader, position of the section among those with text — None: the whole draft —,
#  comment, answer, reason)
COMMENTS = [
    ("tinh.xem", 0,
     "Đề nghị bổ sung số liệu so sánh với đầu nhiệm kỳ cho các chỉ tiêu phát triển "
     "đoàn viên và thành lập công đoàn cơ sở (góp ý minh họa).",
     Comment.Answer.TAKEN, ""),
    ("tinh.xem", 1,
     "Phần hạn chế nên nêu tên các đơn vị chưa đạt chỉ tiêu và nguyên nhân cụ thể "
     "(góp ý minh họa).",
     Comment.Answer.NOT_TAKEN,
     "Danh sách đơn vị chưa đạt và nguyên nhân đã có ở biểu số liệu kèm theo báo cáo; "
     "phần lời giữ ở mức khái quát (minh họa)."),
    ("ban.tochuc.truongban", 0,
     "Số liệu công đoàn cơ sở vững mạnh cần thống nhất với báo cáo chuyên đề của "
     "Ban Tổ chức (góp ý minh họa).",
     Comment.Answer.TAKEN, "Đã đối chiếu và sửa theo báo cáo chuyên đề (minh họa)."),
    ("ban.tochuc.truongban", 2,
     "Đề nghị nêu rõ hơn bài học về công tác cán bộ công đoàn cơ sở (góp ý minh họa).",
     None, ""),
    ("ban.tochuc.truongban", None,
     "Báo cáo còn dài; đề nghị rút gọn phần kết quả, tập trung vào những việc chưa làm "
     "được và nguyên nhân (góp ý minh họa).",
     None, ""),
]  # fmt: skip


def _at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2016, 1, 5, hour, minute, tzinfo=ZONE)


def load_demo_drafting(campaign: Campaign) -> None:
    """Circulate the province's consolidated draft and play its comments (after
    load_demo_reports, which drafts it)."""
    report = Report.objects.filter(
        campaign=campaign, unit=campaign.owner, department__isnull=True
    ).first()
    if report is None or CommentRound.objects.filter(report=report).exists():
        return
    people = {user.username: user for user in User.objects.filter(username__in=[DRAFTER, *READERS])}
    if len(people) < 1 + len(READERS) or not workflow.can_edit(people[DRAFTER], report):
        return
    drafter = people[DRAFTER]
    with clock.frozen_at(_at(8, 30)):
        round_ = services.round_open(
            report=report,
            by=drafter,
            readers=[people[name] for name in READERS],
            due_on=DUE_ON,
            note=NOTE,
        )
    written = [
        text.section
        for text in report.section_texts.select_related("section").order_by("section__order")
        if text.text.strip()
    ]
    answers = []
    for minutes, (reader, position, text, answer, reason) in enumerate(COMMENTS):
        section = None if position is None else written[min(position, len(written) - 1)]
        with clock.frozen_at(_at(9, 10 * minutes)):
            comment = services.comment_add(
                round=round_, by=people[reader], section=section, text=text
            )
        if answer:
            answers.append((comment, answer, reason))
    for minutes, (comment, answer, reason) in enumerate(answers):
        with clock.frozen_at(_at(11, 10 * minutes)):
            services.comment_answer(comment=comment, by=drafter, answer=answer, reason=reason)
