"""The Lạng Sơn demo: the seed plan (shared/seed/ke-hoach-so-ket-nua-nhiem-ky.txt) as data.

Texts of the plan are copied from the seed. What the seed does not state — the wording
and goals of the targets, the action programmes' titles, the outline, sector and
grassroots unions, the committee's names — is sample data, flagged `illustrative`
so the interface says so. The 11 district-level units are public data (2015).
"""

import datetime
from typing import Any

# fmt: off

D = datetime.date
PASSWORD = "soket2015"

KINDS = [
    # code, name, plural, rank, who signs for the body (its standing committee, or at the
    # grassroots, where there is none, its executive committee), abbreviation in numbers
    ("confederation", "Tổng Liên đoàn Lao động", "Tổng Liên đoàn", 0, "TM. BAN THƯỜNG VỤ", "TLĐ"),
    ("province", "Liên đoàn Lao động tỉnh, thành phố", "LĐLĐ tỉnh, thành phố", 1, "TM. BAN THƯỜNG VỤ", "LĐLĐ"),
    ("district", "Liên đoàn Lao động huyện, thành phố", "LĐLĐ các huyện, thành phố", 2, "TM. BAN THƯỜNG VỤ", "LĐLĐ"),
    ("sector", "Công đoàn ngành", "Công đoàn ngành", 2, "TM. BAN THƯỜNG VỤ", "CĐN"),
    ("grassroots", "Công đoàn cơ sở", "Công đoàn cơ sở", 3, "TM. BAN CHẤP HÀNH", "CĐCS"),
]

CONFEDERATION = ("TLD", "Tổng Liên đoàn Lao động Việt Nam", "TLĐ", "Hà Nội")
PROVINCE = ("LS", "Liên đoàn Lao động tỉnh Lạng Sơn", "LĐLĐ", "Lạng Sơn")
# The chairman who signs the plan (the seed's signature); he signs the province's report too.
PROVINCE_SIGNER = "Lô Tiến Sơn"

# Code, name and place of the 11 district-level federations of 2015, in the order of
# the official division codes (178-189).
DISTRICTS = [
    ("LS-TPLS", "Liên đoàn Lao động thành phố Lạng Sơn", "Lạng Sơn"),
    ("LS-TD", "Liên đoàn Lao động huyện Tràng Định", "Tràng Định"),
    ("LS-BG", "Liên đoàn Lao động huyện Bình Gia", "Bình Gia"),
    ("LS-VL", "Liên đoàn Lao động huyện Văn Lãng", "Văn Lãng"),
    ("LS-CL", "Liên đoàn Lao động huyện Cao Lộc", "Cao Lộc"),
    ("LS-VQ", "Liên đoàn Lao động huyện Văn Quan", "Văn Quan"),
    ("LS-BS", "Liên đoàn Lao động huyện Bắc Sơn", "Bắc Sơn"),
    ("LS-HL", "Liên đoàn Lao động huyện Hữu Lũng", "Hữu Lũng"),
    ("LS-CLA", "Liên đoàn Lao động huyện Chi Lăng", "Chi Lăng"),
    ("LS-LB", "Liên đoàn Lao động huyện Lộc Bình", "Lộc Bình"),
    ("LS-DL", "Liên đoàn Lao động huyện Đình Lập", "Đình Lập"),
]

# Illustrative: the seed names no sector union.
SECTORS = [
    ("LS-GD", "Công đoàn ngành Giáo dục tỉnh Lạng Sơn", "Giáo dục"),
    ("LS-YT", "Công đoàn ngành Y tế tỉnh Lạng Sơn", "Y tế"),
    ("LS-VC", "Công đoàn Viên chức tỉnh Lạng Sơn", "Viên chức"),
]

GRASSROOTS_PER_PARENT = 2
# Illustrative changes to the tree, so that counts show opening and closing dates at work.
CLOSED_GRASSROOTS = ("LS-BS-02", D(2015, 6, 30))
OPENED_GRASSROOTS = ("LS-HL-03", "Hữu Lũng", D(2016, 1, 15))

# Code, name and the title its head signs with (the seed names none of the heads).
DEPARTMENTS = [
    ("to-chuc", "Ban Tổ chức", "TRƯỞNG BAN"),
    ("chinh-sach-phap-luat", "Ban Chính sách – Pháp luật", "TRƯỞNG BAN"),
    ("tuyen-giao", "Ban Tuyên giáo", "TRƯỞNG BAN"),
    ("nu-cong", "Ban Nữ công", "TRƯỞNG BAN"),
    ("tai-chinh", "Ban Tài chính", "TRƯỞNG BAN"),
    ("van-phong", "Văn phòng", "CHÁNH VĂN PHÒNG"),
    ("uy-ban-kiem-tra", "Ủy ban Kiểm tra", "CHỦ NHIỆM"),
]

# Signers' names the seed does not give: the placeholders Vietnamese forms use
# ("Nguyễn Văn A"), so nobody takes them for real people.
PLACEHOLDER_SIGNERS = [
    "Nguyễn Văn A", "Trần Thị B", "Lê Văn C", "Phạm Thị D", "Hoàng Văn E", "Vũ Thị G",
    "Đặng Văn H", "Bùi Thị K", "Đỗ Văn L", "Ngô Thị M", "Dương Văn N", "Lý Thị P",
]


def placeholder_signer(index: int) -> str:
    return PLACEHOLDER_SIGNERS[index % len(PLACEHOLDER_SIGNERS)]


REVIEW_ITEMS = [
    (
        "kl-79",
        "Kết luận số 79-KL/TW",
        "Kết luận số 79-KL/TW ngày 25/12/2013 của Bộ Chính trị về đẩy mạnh thực hiện "
        "Nghị quyết 20-NQ/TW ngày 28/01/2008 của Ban Chấp hành Trung ương Đảng khóa X về "
        "“Tiếp tục xây dựng giai cấp công nhân Việt Nam thời kỳ đẩy mạnh công nghiệp hoá, "
        "hiện đại hoá đất nước”.",
    ),
    ("hoc-tap-hcm", "Học tập và làm theo tấm gương đạo đức Hồ Chí Minh", ""),
]

CONFEDERATION_RESOLUTION = {
    "code": "dh-xi-cdvn",
    "title": "Nghị quyết Đại hội XI Công đoàn Việt Nam",
    "congress": "Đại hội XI Công đoàn Việt Nam",
    "term_start_year": 2013,
    "term_end_year": 2018,
}
PROVINCE_RESOLUTION = {
    "code": "dh-xv-cd-lang-son",
    "title": "Nghị quyết Đại hội Công đoàn tỉnh Lạng Sơn lần thứ XV",
    "congress": "Đại hội Công đoàn tỉnh Lạng Sơn lần thứ XV",
    "term_start_year": 2013,
    "term_end_year": 2018,
}

# Illustrative targets. Columns: code, wording, unit, direction, goal, aggregation,
# numerator, denominator, programme, derived from (confederation codes).
CONFEDERATION_TARGETS = [
    ("TLĐ-01", "Phát triển đoàn viên công đoàn mới", "đoàn viên", "at_least", 1500000, "sum", "", "", 1),
    ("TLĐ-02", "Tỷ lệ công đoàn cơ sở đạt tiêu chuẩn vững mạnh", "%", "at_least", 70, "ratio", "Số CĐCS vững mạnh", "Tổng số CĐCS được đánh giá", 4),
    ("TLĐ-03", "Tỷ lệ doanh nghiệp có tổ chức công đoàn ký thỏa ước lao động tập thể", "%", "at_least", 70, "ratio", "Số doanh nghiệp có thỏa ước", "Số doanh nghiệp có công đoàn", 2),
    ("TLĐ-04", "Tỷ lệ cơ quan, đơn vị tổ chức hội nghị cán bộ, công chức, viên chức", "%", "at_least", 95, "share_meeting", "", "", 2),
    ("TLĐ-05", "Giới thiệu đoàn viên ưu tú cho Đảng xem xét kết nạp", "người", "at_least", 150000, "sum", "", "", 3),
    ("TLĐ-06", "Tỷ lệ cán bộ công đoàn được tập huấn, bồi dưỡng nghiệp vụ", "%", "at_least", 90, "ratio", "Số cán bộ được bồi dưỡng", "Tổng số cán bộ công đoàn", 4),
    ("TLĐ-07", "Tỷ lệ thu kinh phí công đoàn so với kế hoạch giao", "%", "at_least", 100, "ratio", "Số thu thực tế", "Số thu kế hoạch", 4),
    ("TLĐ-08", "Tỷ lệ nữ CNVCLĐ được tuyên truyền pháp luật về lao động nữ", "%", "at_least", 90, "ratio", "Số nữ được tuyên truyền", "Tổng số nữ CNVCLĐ", 3),
    ("TLĐ-09", "Số công đoàn cơ sở được kiểm tra việc thu, chi tài chính", "đơn vị", "at_least", 20000, "sum", "", "", 4),
    ("TLĐ-10", "Số nhà “Mái ấm công đoàn” được xây dựng, sửa chữa", "nhà", "at_least", 5000, "sum", "", "", 1),
    ("TLĐ-11", "Đẩy mạnh học tập và làm theo tấm gương đạo đức Hồ Chí Minh", "", "qualitative", None, "none", "", "", 3),
]
PROVINCE_TARGETS = [
    ("CT01", "Phát triển đoàn viên công đoàn mới trong toàn tỉnh", "đoàn viên", "at_least", 10000, "sum", "", "", 1, ["TLĐ-01"]),
    ("CT02", "Tỷ lệ công đoàn cơ sở đạt tiêu chuẩn vững mạnh", "%", "at_least", 75, "ratio", "Số CĐCS vững mạnh", "Tổng số CĐCS được đánh giá", 4, ["TLĐ-02"]),
    ("CT03", "Tỷ lệ doanh nghiệp có tổ chức công đoàn ký thỏa ước lao động tập thể", "%", "at_least", 70, "ratio", "Số doanh nghiệp có thỏa ước", "Số doanh nghiệp có công đoàn", 2, ["TLĐ-03"]),
    ("CT04", "Tỷ lệ cơ quan, đơn vị tổ chức hội nghị cán bộ, công chức, viên chức", "%", "at_least", 100, "share_meeting", "", "", 2, ["TLĐ-04"]),
    ("CT05", "Giới thiệu đoàn viên ưu tú cho Đảng xem xét kết nạp", "người", "at_least", 1500, "sum", "", "", 3, ["TLĐ-05"]),
    ("CT06", "Tỷ lệ cán bộ công đoàn cơ sở được tập huấn nghiệp vụ", "%", "at_least", 90, "ratio", "Số cán bộ được tập huấn", "Tổng số cán bộ CĐCS", 4, ["TLĐ-06"]),
    ("CT07", "Số cán bộ chủ chốt công đoàn các cấp được bồi dưỡng lý luận chính trị", "người", "at_least", 300, "sum", "", "", 4, ["TLĐ-06"]),
    ("CT08", "Tỷ lệ thu kinh phí công đoàn so với kế hoạch giao", "%", "at_least", 100, "ratio", "Số thu thực tế", "Số thu kế hoạch", 4, ["TLĐ-07"]),
    ("CT09", "Tỷ lệ nữ CNVCLĐ được tuyên truyền pháp luật về lao động nữ", "%", "at_least", 90, "ratio", "Số nữ được tuyên truyền", "Tổng số nữ CNVCLĐ", 3, ["TLĐ-08"]),
    ("CT10", "Số công đoàn cơ sở được kiểm tra việc thu, chi tài chính", "đơn vị", "at_least", 250, "sum", "", "", 4, ["TLĐ-09"]),
    ("CT11", "Số nhà “Mái ấm công đoàn” được xây dựng, sửa chữa", "nhà", "at_least", 60, "sum", "", "", 1, ["TLĐ-10"]),
    ("CT12", "Số vụ ngừng việc tập thể, đình công trái pháp luật", "vụ", "at_most", 0, "sum", "", "", 2, []),
]
PROGRAMMES = [
    (1, "Chương trình hành động số 1 (tiêu đề minh họa): chăm lo đời sống, bảo vệ quyền lợi của đoàn viên, người lao động"),
    (2, "Chương trình hành động số 2 (tiêu đề minh họa): tham gia xây dựng quan hệ lao động hài hòa, ổn định, tiến bộ"),
    (3, "Chương trình hành động số 3 (tiêu đề minh họa): tuyên truyền, giáo dục, nâng cao trình độ mọi mặt cho CNVCLĐ"),
    (4, "Chương trình hành động số 4 (tiêu đề minh họa): nâng cao chất lượng hoạt động của tổ chức công đoàn"),
]
TASKS = [
    "Đổi mới nội dung, phương thức hoạt động công đoàn, hướng mạnh về cơ sở (nội dung minh họa).",
    "Nâng cao hiệu quả công tác tuyên truyền, giáo dục chính trị, tư tưởng cho CNVCLĐ (nội dung minh họa).",
    "Đẩy mạnh phát triển đoàn viên, thành lập công đoàn cơ sở trong các doanh nghiệp ngoài nhà nước (nội dung minh họa).",
]

CAMPAIGN: dict[str, Any] = {
    "code": "ls-so-ket-nua-nhiem-ky-xv",
    "kind": "interim",
    "title": (
        "Sơ kết nửa nhiệm kỳ thực hiện Nghị quyết Đại hội Công đoàn tỉnh Lạng Sơn lần thứ XV, "
        "Nghị quyết Đại hội XI Công đoàn Việt Nam"
    ),
    # "từ đầu nhiệm kỳ đến nay": the term began in 2013; the reports are due at the end of 2015.
    "reviewed_from": D(2013, 1, 1),
    "reviewed_to": D(2015, 12, 31),
    "preamble": (
        "Thực hiện Chương trình làm việc toàn khoá của Ban Chấp hành Liên đoàn Lao động tỉnh "
        "Lạng Sơn (khoá XV), Ban Thường vụ Liên đoàn Lao động tỉnh Lạng Sơn xây dựng Kế hoạch "
        "sơ kết nửa nhiệm kỳ thực hiện Nghị quyết Đại hội Công đoàn tỉnh Lạng Sơn lần thứ XV, "
        "Nghị quyết Đại hội XI Công đoàn Việt Nam (nhiệm kỳ 2013 - 2018) như sau:"
    ),
    "closing": (
        "Trên đây là một số nội dung chuẩn bị cho việc sơ kết nửa nhiệm kỳ thực hiện Nghị quyết "
        "Đại hội Công đoàn tỉnh Lạng Sơn lần thứ XV và Nghị quyết Đại hội XI Công đoàn Việt Nam "
        "nhiệm kỳ 2013-2018. Đề nghị Liên đoàn Lao động các huyện, thành phố, Công đoàn ngành, "
        "Công đoàn cơ sở trực thuộc LĐLĐ tỉnh chỉ đạo, tổ chức thực hiện tổng kết ở cấp mình đạt "
        "kết quả các nội dung của kế hoạch này./."
    ),
    "signing_capacity": "TM. BAN THƯỜNG VỤ",
    "signer_title": "CHỦ TỊCH",
    "signer_name": "Lô Tiến Sơn",
}

# The seed gives no number or date for the plan: the demo issues it with an illustrative
# date and an unfilled number, marked illustrative (Campaign.is_illustrative).
CAMPAIGN_ISSUE: dict[str, Any] = {
    "document_number": "…/KH-LĐLĐ",
    "issued_on": D(2015, 11, 2),
    "signing_capacity": "TM. BAN THƯỜNG VỤ",
    "signer_title": "CHỦ TỊCH",
    "signer_name": "Lô Tiến Sơn",
    "is_signed": True,  # the seed prints the signature block of a signed plan
}
PROVINCE_ADMIN = "tinh.quantri"

# Cao Lộc's federation deploys the plan to its grassroots unions ("triển khai xuống cơ
# sở"), with a date of its own for their reports. The seed names neither its plan's
# number, date and signer nor that date: all illustrative.
DEPLOYMENT: dict[str, Any] = {
    "unit": "LS-CL",
    "admin": "caoloc.quantri",
    "grassroots_due_on": D(2015, 12, 20),
    "grassroots_deliverable": "Công đoàn cơ sở gửi báo cáo sơ kết về LĐLĐ huyện (minh họa)",
    "issue": {
        "document_number": "…/KH-LĐLĐ",
        "issued_on": D(2015, 11, 10),
        "signing_capacity": "TM. BAN THƯỜNG VỤ",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "(người ký minh họa)",
    },
}

# A second plan, a draft from the built-in skeleton, that no unit sees yet.
DRAFT_CAMPAIGN: dict[str, Any] = {
    "code": "ls-tong-ket-nhiem-ky-xv-du-thao",
    "kind": "final",
    "title": (
        "Tổng kết nhiệm kỳ thực hiện Nghị quyết Đại hội Công đoàn tỉnh Lạng Sơn lần thứ XV "
        "(dự thảo minh họa)"
    ),
    "reviewed_from": D(2013, 1, 1),
    "reviewed_to": D(2017, 12, 31),
}

# The plan's sections: (number, heading, part, body, audience kinds, for departments, subsections).
SECTIONS: list = [
    ("I.", "MỤC ĐÍCH, YÊU CẦU", "purpose", "", [], False, [
        ("1.", "", "purpose",
         "Đánh giá đúng thực trạng tình hình công nhân, viên chức, lao động (CNVCLĐ) và kết quả "
         "hoạt động Công đoàn trong tỉnh. Về tổ chức chỉ đạo, thực hiện các mục tiêu, phương "
         "hướng, 12 chỉ tiêu phấn đấu, 4 Chương trình hành động, nhiệm vụ và giải pháp do Nghị "
         "quyết Đại hội Công đoàn tỉnh Lạng Sơn lần thứ XV đề ra (cụ thể hóa từ 11 chỉ tiêu, 4 "
         "chương trình hành động của Đại hội XI Công đoàn Việt Nam) từ đầu nhiệm kỳ đến nay. Gắn "
         "với việc đánh giá kết quả thực hiện Kết luận số 79-KL/TW[^kl-79]\n"
         "Cần làm rõ những việc đã làm được, chưa làm được, nguyên nhân.", [], False, []),
        ("2.", "", "purpose",
         "Xác định rõ nhiệm vụ, nhất là các chỉ tiêu, giải pháp công tác trọng tâm của nửa sau "
         "nhiệm kỳ để thực hiện thắng lợi các mục tiêu, phương hướng Nghị quyết Đại hội Công "
         "đoàn tỉnh Lạng Sơn lần thứ XV và chủ trương, nhiệm vụ, giải pháp mà Nghị quyết Đại hội "
         "XVI của Đảng bộ tỉnh Lạng Sơn đặt ra cho tổ chức Công đoàn.", [], False, []),
        ("3.", "", "purpose",
         "Phương pháp tiến hành cần có trọng tâm, trọng điểm, việc tổ chức sơ kết phải được tiến "
         "hành từ cơ sở lên, không tổ chức hội nghị tổng kết riêng mà kết hợp với Hội nghị Ban "
         "Chấp hành Công đoàn.", [], False, []),
    ]),
    ("II.", "NỘI DUNG", "content", "", [], False, [
        ("1.", "", "content",
         "Kiểm điểm việc thực hiện các nội dung mục tiêu, chỉ tiêu, 4 Chương trình hành động và "
         "nhiệm vụ chủ yếu do Nghị quyết Đại hội Công đoàn Việt Nam lần thứ XI, Nghị quyết Đại "
         "hội Công đoàn các cấp và các Nghị quyết của Ban Chấp hành Liên đoàn Lao động tỉnh (khoá "
         "XV), các Chương trình, kế hoạch của Liên đoàn Lao động tỉnh gắn với việc kiểm điểm "
         "thực hiện Kết luận số 79-KL/TW và việc Học tập và làm theo tấm gương đạo đức Hồ Chí "
         "Minh. Cần đánh giá trong nửa nhiệm kỳ qua đặc biệt quan tâm chú trọng đến nội dung "
         "nào? Kết quả nổi bật đã đạt được và rút ra những bài học kinh nghiệm.", [], False, []),
        ("2.", "", "content",
         "Nghiên cứu vận dụng Nghị quyết Đại hội Đảng các cấp, những yêu cầu mới đặt ra để bổ "
         "sung nhiệm vụ trọng tâm của các cấp Công đoàn trong nửa nhiệm kỳ còn lại.", [], False, []),
    ]),
    ("III.", "BIỆN PHÁP TỔ CHỨC THỰC HIỆN", "measures", "", [], False, [
        ("1.", "Đối với Liên đoàn Lao động tỉnh", "measures", "", ["province"], False, [
            ("1.1.", "Thành lập Ban chỉ đạo", "measures",
             "Thành lập Ban chỉ đạo của LĐLĐ tỉnh gồm các đồng chí Thường trực và một số Trưởng, "
             "phó các ban liên quan.", ["province"], False, []),
            ("1.2.", "Nhiệm vụ của Ban chỉ đạo", "measures",
             "- Căn cứ Kế hoạch của Liên đoàn Lao động tỉnh, hướng dẫn Liên đoàn Lao động các "
             "huyện, thành phố, Công đoàn ngành trực thuộc, các ban của LĐLĐ tỉnh triển khai thực "
             "hiện.\n"
             "- Tổ chức nghiên cứu, thu thập, tổng hợp, phân tích, đánh giá các thông tin báo cáo "
             "của các cấp Công đoàn, các ban của LĐLĐ tỉnh.\n"
             "- Xây dựng Đề cương báo cáo và dự thảo báo cáo.\n"
             "- Điều tra, khảo sát (nếu cần), nắm tình hình CNVCLĐ và hoạt động Công đoàn của "
             "ngành, địa phương, đơn vị để xây dựng báo cáo sơ kết của cấp mình.\n"
             "- Hoàn chỉnh dự thảo Báo cáo kết quả nửa nhiệm kỳ thực hiện Nghị quyết Đại hội Công "
             "đoàn tỉnh Lạng Sơn lần thứ XV, nghị quyết Đại hội XI Công đoàn Việt Nam, phương "
             "hướng, nhiệm vụ công tác nửa nhiệm kỳ còn lại trình hội nghị tổng kết năm 2015.",
             ["province"], False, []),
            ("1.3.", "Các Ban của Liên đoàn Lao động tỉnh", "measures",
             "Căn cứ chức năng, nhiệm vụ của mình xây dựng báo cáo sơ kết nửa nhiệm kỳ thực hiện "
             "Nghị quyết Đại hội XV Công đoàn tỉnh theo chuyên đề của Ban. Đánh giá những chỉ tiêu "
             "đạt được, chưa đạt được nêu rõ nguyên nhân, đề ra các nhiệm vụ, giải pháp thực hiện "
             "các chỉ tiêu còn lại của nhiệm kỳ; tham gia đoàn khảo sát của Ban chỉ đạo.",
             [], True, []),
        ]),
        ("2.", "Đối với Liên đoàn Lao động các huyện, thành phố, công đoàn ngành", "measures",
         "Chỉ đạo, triển khai, tổ chức thực hiện kế hoạch, khảo sát, nắm tình hình CNVCLĐ và hoạt "
         "động Công đoàn để xây dựng báo cáo sơ kết của cấp mình.",
         ["district", "sector"], False, []),
    ]),
    ("IV.", "THỜI GIAN THỰC HIỆN", "timeline", "", [], False, []),
]

# The timeline: (label, text, starts, ends, deadlines). A deadline is
# (level kind code or "departments", due on, what, is the level's report).
MILESTONES = [
    ("Tháng 11/2015",
     "LĐLĐ tỉnh xây dựng kế hoạch, đề cương báo cáo sơ kết; thành lập Ban chỉ đạo; triển khai "
     "kế hoạch đến Liên đoàn Lao động các huyện, thành phố, Công đoàn ngành, Công đoàn cơ sở "
     "trực thuộc.",
     D(2015, 11, 1), D(2015, 11, 30),
     [("province", D(2015, 11, 30), "Xây dựng kế hoạch, đề cương báo cáo sơ kết; thành lập Ban chỉ đạo", False)]),
    ("Tháng 11/2015 đến tháng 12/2015",
     "Liên đoàn Lao động các huyện, thành phố, Công đoàn ngành triển khai xuống cơ sở và tiến "
     "hành sơ kết, kết hợp với Hội nghị Ban Chấp hành mở rộng vào dịp tổng kết năm 2015; gửi "
     "báo cáo sơ kết về LĐLĐ tỉnh trước ngày 31/12/2015.",
     D(2015, 11, 1), D(2015, 12, 31),
     [("district", D(2015, 12, 31), "Gửi báo cáo sơ kết về LĐLĐ tỉnh", True),
      ("sector", D(2015, 12, 31), "Gửi báo cáo sơ kết về LĐLĐ tỉnh", True)]),
    ("Tháng 01/2016",
     "Trình Ban Thường vụ, Hội nghị Ban Chấp hành LĐLĐ tỉnh lần thứ 7 (khoá XV) và tổng kết "
     "năm 2015.",
     D(2016, 1, 1), D(2016, 1, 31),
     [("province", D(2016, 1, 31), "Trình Ban Thường vụ, Hội nghị Ban Chấp hành LĐLĐ tỉnh lần thứ 7 (khoá XV)", False)]),
    ("Tháng 02/2016",
     "Ban chỉ đạo của Liên đoàn sẽ tiến hành khảo sát, nghe báo cáo của các ban, theo từng "
     "chuyên đề cụ thể. Hoàn chỉnh báo cáo sơ kết gửi Tổng Liên đoàn trước ngày 15/3/2016.",
     D(2016, 2, 1), D(2016, 3, 15),
     [("departments", D(2016, 2, 29), "Báo cáo chuyên đề với Ban chỉ đạo", True),
      ("province", D(2016, 3, 15), "Gửi báo cáo sơ kết về Tổng Liên đoàn", True)]),
]

# "gồm các đồng chí Thường trực và một số Trưởng, phó các ban liên quan": the plan gives
# positions, not names or roles in the committee, so every row is illustrative.
# (name, position, committee role, the demo account of the member, if any): the heads of
# the Ban Tổ chức and the Ban Tuyên giáo have accounts, so their tasks remind someone.
STEERING = [
    ("Lô Tiến Sơn", "Chủ tịch LĐLĐ tỉnh (Thường trực)", "head", None),
    ("", "Phó Chủ tịch LĐLĐ tỉnh (Thường trực)", "deputy", None),
    ("", "Trưởng Ban Tổ chức", "member", "ban.tochuc.truongban"),
    ("", "Trưởng Ban Chính sách – Pháp luật", "member", None),
    ("", "Trưởng Ban Tuyên giáo", "member", "ban.tuyengiao.truongban"),
    ("", "Phó Chánh Văn phòng", "secretary", None),
]

RECIPIENTS = [
    "Tổng LĐLĐ (B/c)",
    "Lãnh đạo, các ban LĐLĐ tỉnh",
    "LĐLĐ các huyện, TP, CĐ ngành",
    "Lưu",
]

# Illustrative outline (the seed announces one but does not print it), drawn from the
# plan's section II: (number, heading, guidance, target codes, review item codes, subsections).
OUTLINE: list = [
    ("Phần thứ nhất", "KẾT QUẢ NỬA NHIỆM KỲ THỰC HIỆN NGHỊ QUYẾT", "", [], [], [
        ("I.", "Tình hình CNVCLĐ và hoạt động Công đoàn",
         "Thực trạng tình hình công nhân, viên chức, lao động và kết quả hoạt động Công đoàn "
         "của cấp mình từ đầu nhiệm kỳ đến nay.", [], []),
        ("II.", "Kết quả thực hiện các chỉ tiêu",
         "Số liệu từng chỉ tiêu; đạt, vượt hay chưa đạt tiến độ; nguyên nhân của chỉ tiêu chưa đạt.",
         [t[0] for t in PROVINCE_TARGETS], []),
        ("III.", "Kết quả thực hiện 4 Chương trình hành động, nhiệm vụ và giải pháp",
         "Những việc đã làm được, chưa làm được và nguyên nhân.", [], []),
        ("IV.", "Kết quả thực hiện Kết luận số 79-KL/TW",
         "Gắn với việc xây dựng giai cấp công nhân.", [], ["kl-79"]),
        ("V.", "Học tập và làm theo tấm gương đạo đức Hồ Chí Minh", "", [], ["hoc-tap-hcm"]),
        ("VI.", "Đánh giá chung",
         "Ưu điểm, hạn chế, nguyên nhân; kết quả nổi bật và bài học kinh nghiệm.", [], []),
    ]),
    ("Phần thứ hai", "PHƯƠNG HƯỚNG, NHIỆM VỤ NỬA NHIỆM KỲ CÒN LẠI", "", [], [], [
        ("I.", "Nhiệm vụ, chỉ tiêu, giải pháp trọng tâm",
         "Bổ sung nhiệm vụ trọng tâm theo Nghị quyết Đại hội Đảng các cấp.", [], []),
        ("II.", "Kiến nghị, đề xuất", "", [], []),
    ]),
]

# Demo people: (username, full name, unit code, department code or None, role, superuser).
USERS = [
    ("quantri", "Quản trị hệ thống (demo)", None, None, None, True),
    ("tld.xem", "Cán bộ Tổng Liên đoàn (demo, xem)", "TLD", None, "viewer", False),
    ("tinh.quantri", "Cán bộ LĐLĐ tỉnh (demo, quản trị đợt)", "LS", None, "campaign_admin", False),
    ("tinh.duyet", "Cán bộ LĐLĐ tỉnh (demo, duyệt)", "LS", None, "approver", False),
    ("tinh.baocao", "Cán bộ LĐLĐ tỉnh (demo, báo cáo)", "LS", None, "reporter", False),
    ("tinh.xem", "Cán bộ LĐLĐ tỉnh (demo, xem)", "LS", None, "viewer", False),
    ("ban.tochuc", "Cán bộ Ban Tổ chức (demo, báo cáo chuyên đề)", "LS", "to-chuc", "reporter", False),
    ("ban.tochuc.truongban", "Trưởng Ban Tổ chức (demo, gửi báo cáo chuyên đề)", "LS", "to-chuc", "approver", False),
    ("ban.tuyengiao.truongban", "Trưởng Ban Tuyên giáo (demo, gửi báo cáo chuyên đề)", "LS", "tuyen-giao", "approver", False),
    ("caoloc.quantri", "Cán bộ LĐLĐ huyện Cao Lộc (demo, quản trị đợt)", "LS-CL", None, "campaign_admin", False),
    ("caoloc.duyet", "Cán bộ LĐLĐ huyện Cao Lộc (demo, duyệt)", "LS-CL", None, "approver", False),
    ("caoloc.baocao", "Cán bộ LĐLĐ huyện Cao Lộc (demo, báo cáo)", "LS-CL", None, "reporter", False),
    ("tpls.duyet", "Cán bộ LĐLĐ thành phố Lạng Sơn (demo, duyệt)", "LS-TPLS", None, "approver", False),
    ("giaoduc.duyet", "Cán bộ Công đoàn ngành Giáo dục (demo, duyệt)", "LS-GD", None, "approver", False),
    ("cdcs.caoloc", "Cán bộ CĐCS mẫu số 1 (Cao Lộc) (demo, báo cáo)", "LS-CL-01", None, "reporter", False),
    ("cdcs.caoloc.duyet", "Chủ tịch CĐCS mẫu số 1 (Cao Lộc) (demo, duyệt và gửi)", "LS-CL-01", None, "approver", False),
]

# Every grassroots union has a reporter and its chair, who approves and sends its report:
# "cdcs.<place>" and "cdcs.<place>.duyet" for union no. 1, "cdcs<n>.<place>…" for no. n.
GRASSROOTS_LOGIN_PLACES = {
    "LS-TPLS": "tpls", "LS-TD": "trangdinh", "LS-BG": "binhgia", "LS-VL": "vanlang",
    "LS-CL": "caoloc", "LS-VQ": "vanquan", "LS-BS": "bacson", "LS-HL": "huulung",
    "LS-CLA": "chilang", "LS-LB": "locbinh", "LS-DL": "dinhlap", "LS-GD": "giaoduc",
    "LS-YT": "yte", "LS-VC": "vienchuc",
}


def grassroots_users() -> list[tuple]:
    """A reporter and a chair (approver) for every grassroots union open in the demo, as
    rows of USERS; those USERS already names are left to it."""
    places = {code: place for code, _name, place in DISTRICTS + SECTORS}
    numbers = [(parent, n) for parent in GRASSROOTS_LOGIN_PLACES for n in range(1, GRASSROOTS_PER_PARENT + 1)]
    opened = OPENED_GRASSROOTS[0].rsplit("-", 1)
    numbers.append((opened[0], int(opened[1])))
    named = {row[0] for row in USERS}
    rows = []
    for parent, number in numbers:
        code = f"{parent}-{number:02d}"
        if code == CLOSED_GRASSROOTS[0]:
            continue
        login = f"cdcs{'' if number == 1 else number}.{GRASSROOTS_LOGIN_PLACES[parent]}"
        union = f"CĐCS mẫu số {number} ({places[parent]})"
        for username, full_name, role in (
            (login, f"Cán bộ {union} (demo, báo cáo)", "reporter"),
            (f"{login}.duyet", f"Chủ tịch {union} (demo, duyệt và gửi)", "approver"),
        ):
            if username not in named:
                rows.append((username, full_name, code, None, role, False))
    return rows
# fmt: on
