"""The lessons search over every national narrative (issue 13, point 3): the top unit's
search of bench.reporting's campaign, whose every report (about 136,000) is given three
section texts of three paragraphs from a pool of realistic Vietnamese passages, and one
figure in four its causes — about 400,000 section texts and 700,000 causes. A common
word, a rare one (in 40 reports), the same typed without diacritics, and one that is
nowhere, through the selector and the whole page, beside the fixed reference query.

It reuses the reporting benchmark's campaign when that ran first, and builds it the
same way otherwise (BENCH_ONLY=lessons)."""

from django.db import connection
from django.test import Client
from django.urls import reverse

from bench import analysis
from bench.completeness import reference_query
from bench.timing import once, timed
from soket.campaigns.models import Campaign, OutlineSection
from soket.lessons import selectors
from soket.orgs.models import Role, Unit
from soket.reports import searchable
from soket.reports.models import Figure, Report, SectionText
from soket.testing import make_user

RUNS = 15
OPENINGS = [
    "Công đoàn cơ sở đã chủ động phối hợp với chuyên môn",
    "Ban Chấp hành công đoàn tích cực tuyên truyền",
    "Việc chăm lo đời sống đoàn viên, người lao động",
    "Phong trào thi đua lao động giỏi, lao động sáng tạo",
    "Công tác phát triển đoàn viên ở doanh nghiệp ngoài nhà nước",
    "Hoạt động thương lượng, ký kết thỏa ước lao động tập thể",
    "Công tác kiểm tra, giám sát của Ủy ban kiểm tra",
    "Việc tổ chức Hội nghị người lao động",
]
ENDINGS = [
    "đạt kết quả tích cực, được đoàn viên đồng tình hưởng ứng.",
    "còn hạn chế do kinh phí ít, cán bộ kiêm nhiệm nhiều việc.",
    "chưa đều, nguyên nhân là một số chủ doanh nghiệp chưa tạo điều kiện.",
    "là bài học kinh nghiệm: phải bám sát cơ sở, lắng nghe người lao động.",
    "có nhiều mô hình hay, cách làm sáng tạo cần nhân rộng.",
]
CAUSES = [
    "Thiếu cán bộ công đoàn chuyên trách, cán bộ kiêm nhiệm thường xuyên thay đổi.",
    "Doanh nghiệp nhỏ, lao động biến động, nhiều lao động thời vụ.",
    "Kinh phí công đoàn hạn chế, một số doanh nghiệp chậm đóng kinh phí.",
    "Chủ doanh nghiệp chưa quan tâm, chưa tạo điều kiện cho hoạt động công đoàn.",
    "Nhận thức của một bộ phận người lao động về tổ chức công đoàn chưa đầy đủ.",
]
POOL = 211  # texts, a prime so that neighbouring reports differ
RARE = "khu nhà trọ công nhân Đồng Đăng"


def _pool() -> list[str]:
    texts = []
    for n in range(POOL):
        lines = [
            f"{OPENINGS[(n + i) % len(OPENINGS)]} {ENDINGS[(n * 3 + i) % len(ENDINGS)]}"
            for i in range(3)
        ]
        texts.append("\n".join(lines))
    return texts


def _fill(campaign: Campaign) -> list[OutlineSection]:
    sections = [
        OutlineSection.objects.create(campaign=campaign, order=order, number=number, heading=h)
        for order, number, h in (
            (10, "II.", "Ưu điểm, hạn chế, nguyên nhân"),
            (11, "III.", "Kết quả nổi bật"),
            (12, "IV.", "Bài học kinh nghiệm"),
        )
    ]
    texts = _pool()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_pool (n integer, text text, folded text)")
        cursor.executemany(
            "INSERT INTO bench_pool VALUES (%s, %s, %s)",
            [(n, text, searchable.text_copy(text)) for n, text in enumerate(texts)],
        )
        cursor.execute("CREATE TEMPORARY TABLE bench_causes (n integer, text text, folded text)")
        cursor.executemany(
            "INSERT INTO bench_causes VALUES (%s, %s, %s)",
            [(n, text, searchable.causes_copy(text)) for n, text in enumerate(CAUSES)],
        )
        for index, section in enumerate(sections):
            cursor.execute(
                f"""INSERT INTO {SectionText._meta.db_table}
                      (report_id, section_id, text, drafted_text, folded)
                    SELECT r.id, %s, p.text, '', p.folded
                    FROM {Report._meta.db_table} r JOIN bench_pool p
                      ON p.n = (r.id * 7 + %s) %% {POOL}
                    WHERE r.campaign_id = %s""",
                [section.pk, index, campaign.pk],
            )
        cursor.execute(
            f"""UPDATE {Figure._meta.db_table} SET causes = c.text, folded_causes = c.folded
                FROM bench_causes c
                WHERE c.n = {Figure._meta.db_table}.id %% %s
                  AND {Figure._meta.db_table}.id %% 4 = 0""",
            [len(CAUSES)],
        )
        rare = f"{texts[0].splitlines()[0]}\nĐã hỗ trợ {RARE}."
        cursor.execute(
            f"""UPDATE {SectionText._meta.db_table} SET text = %s, folded = %s
                WHERE section_id = %s AND report_id %% 3400 = 7""",
            [rare, searchable.text_copy(rare), sections[0].pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    return sections


def run(*, scale: int) -> None:
    print("\nLessons search")
    campaign = analysis._campaign()
    if not SectionText.objects.filter(report__campaign=campaign).exists():
        once("give every report texts and one figure in four causes", lambda: _fill(campaign))
    print(
        f"  section texts: {SectionText.objects.count():,}   "
        f"causes: {Figure.objects.exclude(causes='').count():,}"
    )
    top = Unit.objects.get(code="TLD")
    national = make_user("bench-lessons-national", top, Role.Kind.VIEWER)

    def search(query: str, **filters) -> selectors.Lessons:
        return selectors.lessons(user=national, campaign=campaign, unit=top, query=query, **filters)

    timed("noise reference: a fixed recursive query (same at any scale)", reference_query,
          repeat=RUNS)  # fmt: skip
    for label, query in (
        ("a common word, with diacritics: “công đoàn”", "công đoàn"),
        ("the same typed without: “cong doan”", "cong doan"),
        ("a rare phrase: “nhà trọ công nhân”", "nhà trọ công nhân"),
        ("the rare phrase without diacritics", "nha tro cong nhan"),
        ("a word that is nowhere: “xyzzyq”", "xyzzyq"),
        ("no words: the first page of everything", ""),
    ):
        found = timed(f"{label} (selector)", lambda query=query: search(query), repeat=RUNS)
        print(f"    passages on the page: {found.passages}   more: {found.has_next}")
    timed("causes only, “kinh phi”", lambda: search("kinh phi", kind=selectors.CAUSES),
          repeat=RUNS)  # fmt: skip
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(national)
    url = reverse("lessons", args=[campaign.pk])
    response = client.get(url, {"q": "cong doan"})
    assert response.status_code == 200, response.status_code
    timed(f"the whole page, “cong doan” ({len(response.content) / 1024:,.0f} KiB)",
          lambda: client.get(url, {"q": "cong doan"}), repeat=RUNS)  # fmt: skip
    timed("the whole page, the rare phrase",
          lambda: client.get(url, {"q": "nha tro cong nhan"}), repeat=RUNS)  # fmt: skip
    timed("noise reference again", reference_query, repeat=RUNS)
