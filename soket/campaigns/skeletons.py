"""The built-in skeleton of a review plan: the four parts every such plan has (mục đích,
yêu cầu; nội dung; biện pháp tổ chức thực hiện; tiến độ) and a standard report outline,
as a federation's office writes them. Each line is a prompt to be replaced by the unit's
own text: nothing here states a fact about any unit.

Rows are plain tuples so the services (which own the rules) turn them into sections.
"""

from __future__ import annotations

# (depth, part, number, heading, body)
PLAN: list[tuple[int, str, str, str, str]] = [
    (0, "purpose", "I.", "MỤC ĐÍCH, YÊU CẦU", ""),
    (
        1,
        "purpose",
        "1.",
        "",
        "Đánh giá đúng kết quả thực hiện các mục tiêu, chỉ tiêu, chương trình hành động do Nghị "
        "quyết Đại hội đề ra từ đầu nhiệm kỳ đến nay; làm rõ những việc đã làm được, chưa làm "
        "được, nguyên nhân và bài học kinh nghiệm.",
    ),
    (
        1,
        "purpose",
        "2.",
        "",
        "Xác định nhiệm vụ, giải pháp trọng tâm cho thời gian còn lại của nhiệm kỳ.",
    ),
    (
        1,
        "purpose",
        "3.",
        "",
        "Việc sơ kết được tiến hành từ cơ sở lên, bảo đảm thiết thực, tiết kiệm.",
    ),
    (0, "content", "II.", "NỘI DUNG", ""),
    (
        1,
        "content",
        "1.",
        "",
        "Kiểm điểm việc thực hiện các mục tiêu, chỉ tiêu, chương trình hành động và nhiệm vụ chủ "
        "yếu của Nghị quyết Đại hội.",
    ),
    (1, "content", "2.", "", "Đề ra nhiệm vụ, giải pháp cho thời gian còn lại của nhiệm kỳ."),
    (0, "measures", "III.", "BIỆN PHÁP TỔ CHỨC THỰC HIỆN", ""),
    (
        1,
        "measures",
        "1.",
        "Đối với cấp mình",
        "- Thành lập Ban chỉ đạo.\n- Xây dựng đề cương báo cáo, hướng dẫn các đơn vị thực hiện.",
    ),
    (
        1,
        "measures",
        "2.",
        "Đối với cấp dưới",
        "Triển khai kế hoạch, tổ chức sơ kết ở cấp mình và gửi báo cáo đúng thời hạn.",
    ),
    (0, "timeline", "IV.", "TIẾN ĐỘ THỰC HIỆN", ""),
]

_OUTLINE: list[tuple[int, str, str, str]] = [
    (0, "Phần thứ nhất", "KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT", ""),
    (
        1,
        "I.",
        "Tình hình công nhân, viên chức, lao động",
        "Số lượng, cơ cấu, việc làm, thu nhập, đời sống; những vấn đề nổi lên.",
    ),
    (1, "II.", "Kết quả thực hiện các chỉ tiêu", "Kết quả từng chỉ tiêu so với mục tiêu."),
    (1, "III.", "Kết quả thực hiện các chương trình hành động", ""),
    (
        1,
        "IV.",
        "Đánh giá chung",
        "Ưu điểm; hạn chế, khuyết điểm; nguyên nhân; bài học kinh nghiệm.",
    ),
    (0, "Phần thứ hai", "NHIỆM VỤ, GIẢI PHÁP THỜI GIAN CÒN LẠI CỦA NHIỆM KỲ", ""),
    (1, "I.", "Dự báo tình hình", ""),
    (1, "II.", "Nhiệm vụ, giải pháp", ""),
    (1, "III.", "Đề xuất, kiến nghị", ""),
]


_FINAL_PART_TWO: list[tuple[int, str, str, str]] = [
    (0, "Phần thứ hai", "PHƯƠNG HƯỚNG, MỤC TIÊU, NHIỆM VỤ NHIỆM KỲ TỚI", ""),
    (1, "I.", "Phương hướng, mục tiêu", ""),
    (1, "II.", "Nhiệm vụ, giải pháp", ""),
    (1, "III.", "Đề xuất, kiến nghị", ""),
]


def outline(kind: str) -> list[tuple[int, str, str, str]]:
    """The standard outline; a final review looks at the whole term and the next one."""
    if kind != "final":
        return list(_OUTLINE)
    part_two = next(i for i, row in enumerate(_OUTLINE) if row[1] == "Phần thứ hai")
    return _OUTLINE[:part_two] + _FINAL_PART_TWO
