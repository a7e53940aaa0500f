"""What the documents say, read back from the .docx as an office would read it: the
consolidated report consolidates, and every document has the form Nghị định 30 and
union practice ask of it."""

import datetime
import re
import zipfile
from decimal import Decimal
from io import BytesIO

from django.test import TestCase
from docx import Document
from lxml import etree

from soket.campaigns.models import Campaign
from soket.core import clock
from soket.demo import data
from soket.demo.loader import load_demo
from soket.documents import content, generate, word
from soket.documents.blocks import Table
from soket.documents.formatting import (
    body_abbreviation,
    initials,
    recipient_lines,
    signing_body,
)
from soket.documents.template_builder import BUILTIN
from soket.documents.tests.tools import all_text, open_docx
from soket.orgs.models import Department, Unit, UnitKind
from soket.orgs.names import short_name
from soket.reports import consolidation, provenance, services
from soket.reports.models import Assessment, Report
from soket.reports.selectors import evaluations
from soket.reports.services import FigureInput
from soket.resolutions import meaning
from soket.resolutions.models import Resolution, Target
from soket.testing import CampaignTestCase, make_target

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PLAN = data.CAMPAIGN["code"]


def docx(composition: content.Composition) -> bytes:
    return generate.docx_bytes(composition)


def paragraphs(data_: bytes) -> list[str]:
    return [paragraph.text for paragraph in open_docx(data_).paragraphs]


def footnotes(data_: bytes) -> list[str]:
    """The texts of the document's real footnotes (separators left out)."""
    with zipfile.ZipFile(BytesIO(data_)) as package:
        if "word/footnotes.xml" not in package.namelist():
            return []
        root = etree.fromstring(package.read("word/footnotes.xml"))
    notes = []
    for note in root.iter(f"{W}footnote"):
        if note.get(f"{W}type") in ("separator", "continuationSeparator"):
            continue
        notes.append("".join(note.itertext()).strip())
    return notes


def content_context() -> dict:
    """The fields of an issued document, for laying out blocks alone."""
    return {
        "superior_lines": ["TỔNG LIÊN ĐOÀN"],
        "issuer": "LIÊN ĐOÀN",
        "number": "01/BC-LĐLĐ",
        "place_and_date": "Hà Nội, ngày 01 tháng 01 năm 2016",
        "doc_type": "BÁO CÁO",
        "title_lines": ["Thử"],
        "signing_capacity": "",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "",
        "is_signed": False,
        "is_draft": False,
        "is_annex": False,
        "attached_to": "",
        "recipients": [],
    }


def between(lines: list[str], start: str, end: str) -> list[str]:
    """The lines after the first that starts with `start`, up to one that starts with `end`."""
    begin = next(i for i, line in enumerate(lines) if line.startswith(start))
    stop = next(i for i, line in enumerate(lines) if i > begin and line.startswith(end))
    return lines[begin + 1 : stop]


def printed(document) -> str:
    """The text, and the first page's header, where the template prints "DỰ THẢO"."""
    header = document.sections[0].first_page_header.paragraphs
    return "\n".join([*(p.text for p in header), all_text(document)])


class DemoProvinceReportTests(TestCase):
    """The demo province's consolidated report, as on 05/01/2016."""

    @classmethod
    def setUpTestData(cls):
        load_demo()
        cls.campaign = Campaign.objects.get(code=PLAN)
        cls.province = Unit.objects.get(code="LS")
        cls.report = Report.objects.get(campaign=cls.campaign, unit=cls.province, department=None)

    def setUp(self):
        with clock.frozen_at(datetime.datetime(2016, 1, 5, 9, tzinfo=datetime.UTC)):
            self.composition = content.report_composition(self.report)
        self.data = docx(self.composition)
        self.lines = paragraphs(self.data)

    def test_it_opens_by_citing_the_plan_its_issuer_and_the_period(self):
        opening = next(line for line in self.lines if line.startswith("Thực hiện "))
        self.assertIn("Kế hoạch số …/KH-LĐLĐ ngày 02/11/2015", opening)
        self.assertIn("của Ban Thường vụ Liên đoàn Lao động tỉnh Lạng Sơn", opening)
        self.assertIn("từ ngày 01/01/2013 đến ngày 31/12/2015", opening)
        self.assertTrue(opening.endswith("như sau:"), opening)

    def test_section_one_says_what_every_accepted_district_and_the_departments_said(self):
        section = "\n".join(between(self.lines, "I. Tình hình CNVCLĐ", "II. Kết quả"))
        accepted = Unit.objects.filter(
            parent=self.province,
            reports__campaign=self.campaign,
            reports__department=None,
            reports__state=Report.State.ACCEPTED,
        )
        self.assertGreaterEqual(accepted.count(), 8)
        for unit in accepted:
            self.assertIn(unit.name, section)
        departments = Department.objects.filter(
            unit=self.province,
            reports__campaign=self.campaign,
            reports__state=Report.State.ACCEPTED,
        )
        self.assertEqual(set(departments.values_list("code", flat=True)), {"to-chuc", "tuyen-giao"})
        for department in departments:
            self.assertIn(f"{department.name} báo cáo về", section)
        # The departments' passages first, by their order; then the units in tree order.
        order = [department.name for department in departments.order_by("order")] + [
            unit.name for unit in accepted.order_by("path")
        ]
        positions = [section.index(f"{name} báo cáo về") for name in order]
        self.assertEqual(positions, sorted(positions))

    def test_the_printed_text_names_no_source(self):
        text = all_text(open_docx(self.data))
        self.assertNotIn(provenance.OPEN, text)
        self.assertNotIn("not yet accepted", text)
        stored = self.report.section_texts.values_list("text", flat=True)
        self.assertTrue(any(provenance.OPEN in text for text in stored), "the drafter sees them")

    def test_section_two_opens_with_a_summary_of_the_targets(self):
        section = between(self.lines, "II. Kết quả", "III.")
        rows = evaluations(report=self.report)
        counted = {
            value: sum(1 for row in rows if row.evaluation.assessment == value)
            for value in Assessment.values
        }
        self.assertEqual(
            section[0],
            f"Trong 12 chỉ tiêu: {counted['exceeded']} chỉ tiêu vượt tiến độ, "
            f"{counted['achieved']} chỉ tiêu đạt tiến độ, "
            f"{counted['not_achieved']} chỉ tiêu chưa đạt tiến độ.",
        )

    def test_every_target_that_fell_short_has_its_causes_from_the_units(self):
        table = next(
            t for t in open_docx(self.data).tables if t.rows[0].cells[0].text.strip() == "TT"
        )
        header = [cell.text for cell in table.rows[0].cells]
        assessment, causes = header.index("Đánh giá"), header.index("Nguyên nhân")
        short = [
            row
            for row in table.rows[1:]
            if " ".join(row.cells[assessment].text.split()) == "chưa đạt tiến độ"
        ]
        self.assertGreaterEqual(len(short), 2)
        for row in short:
            self.assertIn("(minh họa)", row.cells[causes].text, row.cells[1].text)
            self.assertIn("LĐLĐ", row.cells[causes].text)

    def test_a_line_under_the_table_says_whose_reports_it_covers(self):
        self.assertIn(
            "Số liệu tổng hợp từ báo cáo của 8/14 đơn vị trực thuộc phải báo cáo "
            "(đã duyệt: 8), tính đến lần tổng hợp ngày 05/01/2016.",
            self.lines,
        )

    def test_every_section_of_part_two_has_text(self):
        part_two = between(self.lines, "I. Nhiệm vụ, chỉ tiêu", "II. Kiến nghị")
        self.assertTrue(any(line.strip() for line in part_two))

    def test_a_report_not_yet_accepted_is_a_draft_with_two_bodies_and_a_numbered_form(self):
        context = self.composition.context
        self.assertTrue(context["is_draft"])
        self.assertEqual(context["superior_lines"], ["TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM"])
        self.assertTrue(context["number"].endswith("/BC-LĐLĐ"))
        self.assertIn("DỰ THẢO", printed(open_docx(self.data)))
        self.assertEqual(context["signer_name"], "Lô Tiến Sơn")

    def test_kết_luận_79_cited_in_the_report_has_its_footnote(self):
        notes = footnotes(self.data)
        self.assertEqual(len([n for n in notes if n.startswith("Kết luận số 79-KL/TW ngày")]), 1)

    def test_the_annex_is_as_of_today_for_a_report_not_yet_sent(self):
        annex = [block for block in self.composition.annex if hasattr(block, "text")]
        texts = [block.text for block in annex]
        self.assertIn("PHỤ LỤC", texts)
        self.assertIn("Tính đến ngày 05/01/2016", texts)


class DemoDocumentsFormTests(TestCase):
    """Every kind of document of the demo, in the form an office sends."""

    @classmethod
    def setUpTestData(cls):
        load_demo()
        cls.campaign = Campaign.objects.get(code=PLAN)

    def report(self, code: str, department: str | None = None) -> Report:
        return Report.objects.get(
            campaign=self.campaign, unit__code=code, department__code=department
        )

    def test_every_number_carries_a_body_abbreviation(self):
        for code, department, suffix in [
            ("LS", None, "/BC-LĐLĐ"),
            ("LS-TPLS", None, "/BC-LĐLĐ"),
            ("LS-GD", None, "/BC-CĐN"),
            ("LS-CL-01", None, "/BC-CĐCS"),
            ("LS", "to-chuc", "/BC-BTC"),
        ]:
            with self.subTest(code=code, department=department):
                context = content.report_composition(self.report(code, department)).context
                self.assertTrue(context["number"].endswith(suffix), context["number"])
        plan = content.plan_document(self.campaign).context
        self.assertEqual(plan["number"], "…/KH-LĐLĐ")

    def test_the_header_names_the_issuer_and_its_direct_superior_only(self):
        context = content.report_composition(self.report("LS-CL-01")).context
        self.assertEqual(context["superior_lines"], ["LIÊN ĐOÀN LAO ĐỘNG HUYỆN CAO LỘC"])
        self.assertEqual(context["issuer"], "CÔNG ĐOÀN CƠ SỞ MẪU SỐ 1 (CAO LỘC)")
        department = content.report_composition(self.report("LS", "to-chuc")).context
        self.assertEqual(department["superior_lines"], ["LIÊN ĐOÀN LAO ĐỘNG TỈNH LẠNG SƠN"])
        self.assertEqual(department["issuer"], "BAN TỔ CHỨC")

    def test_draft_is_printed_exactly_on_what_is_not_issued_or_accepted(self):
        for report in Report.objects.filter(campaign=self.campaign).select_related(
            "unit", "department"
        ):
            with self.subTest(report=str(report.author_name), state=report.state):
                context = content.report_composition(report).context
                self.assertFalse(report.is_signed)
                self.assertEqual(context["is_draft"], report.state != Report.State.ACCEPTED)
        self.assertFalse(content.plan_document(self.campaign).context["is_draft"])
        draft = Campaign.objects.get(code=data.DRAFT_CAMPAIGN["code"])
        for composition in (content.plan_document(draft), content.outline_document(draft)):
            with self.subTest(document=composition.filename):
                self.assertTrue(composition.context["is_draft"])
                self.assertFalse(re.search(r"\d", composition.context["number"]))
                self.assertIn("DỰ THẢO", printed(open_docx(docx(composition))))
        accepted = content.report_composition(self.report("LS-TPLS"))
        self.assertNotIn("DỰ THẢO", printed(open_docx(docx(accepted))))

    def test_signers_have_names_and_the_title_of_their_department(self):
        for code, department, title in [
            ("LS-TPLS", None, "CHỦ TỊCH"),
            ("LS-CL-01", None, "CHỦ TỊCH"),
            ("LS", "to-chuc", "TRƯỞNG BAN"),
        ]:
            with self.subTest(code=code, department=department):
                context = content.report_composition(self.report(code, department)).context
                self.assertEqual(context["signer_title"], title)
                self.assertTrue(context["signer_name"])
        titles = dict(Department.objects.values_list("code", "signer_title"))
        self.assertEqual(titles["van-phong"], "CHÁNH VĂN PHÒNG")
        self.assertEqual(titles["uy-ban-kiem-tra"], "CHỦ NHIỆM")

    def test_the_outline_is_the_plans_annex_with_no_number_signature_or_recipients(self):
        composition = content.outline_document(self.campaign)
        context = composition.context
        self.assertTrue(context["is_annex"])
        self.assertEqual(context["doc_type"], "ĐỀ CƯƠNG BÁO CÁO")
        self.assertEqual(
            context["attached_to"],
            "(Kèm theo Kế hoạch số …/KH-LĐLĐ ngày 02/11/2015 của Ban Thường vụ "
            "Liên đoàn Lao động tỉnh Lạng Sơn)",
        )
        printed = all_text(open_docx(docx(composition)))
        self.assertIn("(Kèm theo Kế hoạch số …/KH-LĐLĐ ngày 02/11/2015", printed)
        self.assertNotIn("Số:", printed)
        self.assertNotIn("Nơi nhận", printed)
        self.assertNotIn("Lô Tiến Sơn", printed)
        self.assertNotIn("TM. BAN THƯỜNG VỤ", printed)

    def test_every_document_citing_kết_luận_79_has_its_footnote_once(self):
        reference = next(ref for code, _title, ref in data.REVIEW_ITEMS if code == "kl-79")
        for composition in (
            content.plan_document(self.campaign),
            content.outline_document(self.campaign),
            content.report_composition(self.report("LS-TPLS")),
            content.report_composition(self.report("LS-CL-01")),
            content.report_composition(self.report("LS", "tuyen-giao")),
        ):
            with self.subTest(document=composition.filename):
                notes = footnotes(docx(composition))
                self.assertEqual(notes.count(reference), 1, notes)

    def test_a_districts_annex_is_dated_as_its_report_and_shows_states_of_that_day(self):
        report = self.report("LS-TPLS")
        composition = content.report_composition(report)
        texts = [block.text for block in composition.annex if hasattr(block, "text")]
        day = content.report_day(report)
        self.assertEqual(day, datetime.date(2015, 12, 28))
        caption = next(text for text in texts if text.startswith("(Kèm theo Báo cáo số"))
        self.assertIn("ngày 28/12/2015", caption)
        self.assertIn("Tính đến ngày 28/12/2015", texts)

    def test_a_districts_goals_are_the_provinces_marked_as_such(self):
        composition = content.report_composition(self.report("LS-TPLS"))
        table = next(block for block in composition.body if hasattr(block, "rows"))
        goals = [row[2] for row in table.rows]
        self.assertTrue(all(goal.endswith("(*)") for goal in goals if goal), goals)
        notes = [b.text for b in composition.body if getattr(b, "text", "").startswith("(*)")]
        self.assertEqual(
            notes,
            [
                "(*) Mục tiêu của Liên đoàn Lao động tỉnh Lạng Sơn; Liên đoàn Lao động thành "
                "phố Lạng Sơn chưa đặt mục tiêu riêng cho các chỉ tiêu đánh dấu (*)."
            ],
        )

    def test_the_province_prints_its_own_goals_unmarked(self):
        composition = content.report_composition(self.report("LS"))
        table = next(block for block in composition.body if hasattr(block, "rows"))
        self.assertFalse(any("(*)" in row[2] for row in table.rows))
        self.assertIn("Không để xảy ra", [row[2] for row in table.rows])


class GoalWordingTests(TestCase):
    """Goals worded by direction and kind, never as machine output."""

    def target(self, **fields) -> Target:
        fields = {"aggregation": "sum", "direction": "at_least", **fields}
        return Target(code="X", wording="x", **fields)

    def test_goals_read_as_an_office_writes_them(self):
        cases = [
            ({"direction": "at_most", "goal_value": Decimal(0), "unit_of_measure": "vụ"},
             "Không để xảy ra"),
            ({"direction": "at_most", "goal_value": Decimal(3), "unit_of_measure": "vụ"}, "≤ 3 vụ"),
            ({"goal_value": Decimal(10000), "unit_of_measure": "đoàn viên"}, "≥ 10.000 đoàn viên"),
            ({"goal_value": Decimal(100), "unit_of_measure": "%", "aggregation": "average"},
             "100%"),
            ({"goal_value": Decimal(90), "unit_of_measure": "%", "aggregation": "average"},
             "≥ 90%"),
            ({"goal_value": Decimal(100), "aggregation": "ratio"}, "100%"),
            ({"goal_value": Decimal(100), "aggregation": "ratio",
              "numerator_may_exceed_denominator": True, "unit_of_measure": "%"}, "≥ 100%"),
            ({"direction": "exact", "goal_value": Decimal(5), "unit_of_measure": "lớp"}, "5 lớp"),
            ({"direction": "qualitative", "aggregation": "none"}, ""),
            ({"goal_value": None}, ""),
        ]  # fmt: skip
        for fields, expected in cases:
            with self.subTest(fields=fields):
                self.assertEqual(meaning.goal_printed(self.target(**fields)), expected)


class FormattingTests(TestCase):
    def test_abbreviations_come_from_the_unit_its_kind_or_the_kinds_name(self):
        kind = UnitKind(code="x", name="Công đoàn cơ sở")
        self.assertEqual(body_abbreviation(Unit(kind=kind, abbreviation="CĐ ĐHQG")), "CĐ ĐHQG")
        self.assertEqual(body_abbreviation(Unit(kind=kind)), "CĐCS")
        kind.abbreviation = "CĐCS-DN"
        self.assertEqual(body_abbreviation(Unit(kind=kind)), "CĐCS-DN")
        self.assertEqual(initials("Liên đoàn Lao động tỉnh, thành phố"), "LĐLĐ")
        self.assertEqual(initials("Công đoàn ngành"), "CĐN")
        self.assertEqual(initials("Ủy ban Kiểm tra"), "UBKT")
        self.assertEqual(short_name("Liên đoàn Lao động huyện Tràng Định"), "LĐLĐ huyện Tràng Định")
        self.assertEqual(short_name("Công đoàn ngành Y tế"), "CĐ ngành Y tế")
        self.assertEqual(short_name("Ban Tổ chức"), "Ban Tổ chức")

    def test_the_signing_body_is_named_as_a_sentence_names_it(self):
        self.assertEqual(signing_body("TM. BAN THƯỜNG VỤ"), "Ban Thường vụ")
        self.assertEqual(signing_body("TM. BAN CHẤP HÀNH"), "Ban Chấp hành")
        self.assertEqual(signing_body(""), "")


class ConsolidationTests(CampaignTestCase):
    """The province drafts from its districts: sources, order, causes, summary."""

    def district_report(self, unit, writer, *, value, text, causes=""):
        report = services.report_for(campaign=self.campaign, unit=unit)
        return services.report_save(
            report=report,
            by=writer,
            revision=report.revision,
            sections={self.section_lessons.pk: text},
            figures={self.t_sum.pk: FigureInput(value=Decimal(value), causes=causes)},
        )

    def test_the_draft_names_sources_in_tree_order_and_gathers_the_causes_of_a_shortfall(self):
        # A2 was created after A1: its passage comes second whatever the names say.
        Unit.objects.filter(pk=self.district_a1.pk).update(name="Huyện Z")
        Unit.objects.filter(pk=self.district_a2.pk).update(name="Huyện B")
        with clock.frozen_at(datetime.datetime(2015, 12, 20, 9, tzinfo=datetime.UTC)):
            for unit, writer, value, causes in (
                # A1's causes were drafted from its own unions: their names go no higher.
                (self.district_a1, self.alice, 10, "Thiếu cán bộ ⟦CĐCS 1; CĐCS 2⟧."),
                (self.district_a2, self.bob, 5, "Thiếu cán bộ"),
            ):
                report = self.district_report(
                    unit, writer, value=value, text=f"Bài học của {unit.code}.", causes=causes
                )
                services.report_submit(report=report, by=writer, warnings_confirmed=True)
                services.report_accept(report=report, by=self.province_approver)
        province = services.report_for(campaign=self.campaign, unit=self.province_a)
        with clock.frozen_at(datetime.datetime(2015, 12, 28, 9, tzinfo=datetime.UTC)):
            province = consolidation.report_draft_from_below(
                report=province, by=self.dave, revision=province.revision
            )
        lessons = province.section_texts.get(section=self.section_lessons).text
        self.assertEqual(lessons, "⟦Huyện Z⟧\nBài học của A1.\n\n⟦Huyện B⟧\nBài học của A2.")
        self.assertEqual(
            provenance.printed(lessons).split(),
            ["Bài", "học", "của", "A1.", "Bài", "học", "của", "A2."],
        )
        figure = province.figures.get(target=self.t_sum)
        self.assertEqual(figure.value, Decimal(15))
        self.assertEqual(figure.causes, "Thiếu cán bộ ⟦Huyện Z; Huyện B⟧.")
        self.assertEqual(provenance.printed(figure.causes), "Thiếu cán bộ (Huyện Z; Huyện B).")
        summary = province.section_texts.get(section=self.section_results).text
        self.assertIn(
            "Trong 4 chỉ tiêu: 1 chỉ tiêu chưa đạt tiến độ, 1 chỉ tiêu định tính, "
            "2 chỉ tiêu chưa có số liệu.",
            summary,
        )
        # What the drafter wrote about a shortfall is never replaced.
        services.report_save(
            report=province,
            by=self.dave,
            revision=province.revision,
            figures={self.t_sum.pk: FigureInput(value=Decimal(15), causes="Của tỉnh.")},
        )
        province.refresh_from_db()
        consolidation.report_draft_from_below(
            report=province, by=self.dave, revision=province.revision
        )
        self.assertEqual(province.figures.get(target=self.t_sum).causes, "Của tỉnh.")

    def test_a_source_line_is_a_whole_line_in_white_brackets_and_never_printed(self):
        text = "⟦Huyện A⟧\n[1] Đoạn một.\n(a) ⟦không phải nguồn⟧ giữa câu.\n⟦B⟧\nĐoạn hai."
        self.assertEqual(
            provenance.printed(text).split("\n"),
            # Inside a line the brackets name who a drafted line came from: printed "(…)".
            ["", "[1] Đoạn một.", "(a) (không phải nguồn) giữa câu.", "", "Đoạn hai."],
        )
        self.assertEqual(
            [(p.source, p.text) for p in provenance.passages(text)],
            [("Huyện A", "[1] Đoạn một.\n(a) ⟦không phải nguồn⟧ giữa câu."), ("B", "Đoạn hai.")],
        )

    def test_a_unit_that_set_its_own_goal_through_the_cascade_sees_it(self):
        own = make_target(
            Resolution.objects.create(
                code="a1-xv",
                title="Nghị quyết huyện A1",
                congress="Đại hội",
                term_start_year=2013,
                term_end_year=2018,
                issuer=self.district_a1,
            ),
            "A1-S",
            "sum",
            40,
            wording="Đoàn viên mới của huyện",
            unit_of_measure="đoàn viên",
        )
        own.derived_from.add(self.t_sum)
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        composition = content.report_document(report)
        table = next(block for block in composition.body if hasattr(block, "rows"))
        goals = {row[1].split(".")[0]: row[2] for row in table.rows}
        self.assertEqual(goals["S"], "≥ 40 đoàn viên")
        self.assertTrue(goals["R"].endswith("(*)"))


class RecipientTests(TestCase):
    def test_recipients_are_written_one_way_in_every_document(self):
        self.assertEqual(
            recipient_lines(["Tổng LĐLĐ (để b/c)", "LĐLĐ các huyện (t/h);", "Lưu"]),
            ["- Tổng LĐLĐ (B/c);", "- LĐLĐ các huyện (T/h);", "- Lưu: VT."],
        )


class AnnexAsOfItsDateTests(CampaignTestCase):
    """The annex of a dated report shows where the units below stood on that day."""

    def test_the_annex_shows_each_state_as_it_was_on_the_reports_date(self):
        def at(day: int, month: int = 12) -> datetime.datetime:
            return datetime.datetime(2015, month, day, 9, tzinfo=datetime.UTC)

        a1 = services.report_for(campaign=self.campaign, unit=self.district_a1)
        a2 = services.report_for(campaign=self.campaign, unit=self.district_a2)
        with clock.frozen_at(at(20)):
            services.report_submit(report=a1, by=self.alice, warnings_confirmed=True)
        with clock.frozen_at(at(29)):
            services.report_submit(report=a2, by=self.bob, warnings_confirmed=True)
        with clock.frozen_at(at(30)):
            services.report_accept(report=a1, by=self.province_approver)
        province = services.report_for(campaign=self.campaign, unit=self.province_a)
        services.report_set_reference(
            report=province,
            by=self.dave,
            revision=province.revision,
            document_number="12",
            issued_on=datetime.date(2015, 12, 28),
            is_signed=False,
        )
        province.refresh_from_db()
        with clock.frozen_at(at(5, 1).replace(year=2016)):
            annex = content.consolidated_document(province).annex
        texts = [block.text for block in annex if hasattr(block, "text")]
        self.assertIn("Tính đến ngày 28/12/2015", texts)
        caption = next(text for text in texts if text.startswith("(Kèm theo"))
        self.assertTrue(caption.startswith("(Kèm theo Báo cáo số 12/BC-"), caption)
        self.assertIn("ngày 28/12/2015", caption)
        table = next(block for block in annex if hasattr(block, "rows"))
        states = {row[1]: (row[3], row[4]) for row in table.rows}
        self.assertEqual(states["A1"], ("20/12/2015", "Đã gửi, chờ duyệt"))  # accepted on 30/12
        self.assertEqual(states["A2"], ("", "Chưa gửi"))  # sent on 29/12
        # Today, the same annex of an undated report shows where they stand now.
        Report.objects.filter(pk=province.pk).update(issued_on=None)
        province.refresh_from_db()
        with clock.frozen_at(at(5, 1).replace(year=2016)):
            annex = content.consolidated_document(province).annex
        table = next(block for block in annex if hasattr(block, "rows"))
        states = {row[1]: (row[3], row[4]) for row in table.rows}
        self.assertEqual(states["A1"], ("20/12/2015", "Đã duyệt"))
        self.assertEqual(states["A2"], ("29/12/2015", "Đã gửi, chờ duyệt"))


class TemplatesMadeBeforeTests(CampaignTestCase):
    """A unit's own template, changed from the older built-in one, knows nothing of
    drafts and annexes: what it prints still says both."""

    def older_template(self) -> BytesIO:
        document = Document()
        for line in (
            "{{ doc_type }}",
            "{%p for line in title_lines %}",
            "{{ line }}",
            "{%p endfor %}",
            "{{p body }}",
            "Nơi nhận: {{ signer_name }}",
        ):
            document.add_paragraph(line)
        template = BytesIO()
        document.save(template)
        template.seek(0)
        return template

    def render(self, composition: content.Composition) -> list[str]:
        data = word.render(
            self.older_template(), context=composition.context, body=composition.body
        )
        return paragraphs(data)

    def test_a_draft_outline_says_draft_and_which_plan_it_belongs_to(self):
        Campaign.objects.filter(pk=self.campaign.pk).update(state=Campaign.State.DRAFT)
        self.campaign.refresh_from_db()
        lines = self.render(content.outline_document(self.campaign))
        self.assertIn("(Kèm theo Kế hoạch của A)", lines)
        self.assertIn("DỰ THẢO", lines)

    def test_an_issued_plan_says_no_draft(self):
        lines = self.render(content.plan_document(self.campaign))
        self.assertNotIn("DỰ THẢO", lines)


class ReturnedReportTests(CampaignTestCase):
    def test_a_returned_report_is_a_draft_again_with_no_date_even_once_signed(self):
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_set_reference(
            report=report,
            by=self.alice,
            revision=report.revision,
            document_number="3",
            issued_on=None,
            is_signed=True,
        )
        with clock.frozen_at(datetime.datetime(2015, 12, 29, 9, tzinfo=datetime.UTC)):
            report = services.report_submit(report=report, by=self.alice, warnings_confirmed=True)
        report.refresh_from_db()
        context = content.report_document(report).context
        self.assertFalse(context["is_draft"])  # sent with its signed original
        self.assertTrue(context["is_signed"])
        self.assertIn("29 tháng 12 năm 2015", context["place_and_date"])
        services.report_return(report=report, by=self.province_approver, reason="Sửa số liệu")
        report.refresh_from_db()
        context = content.report_document(report).context
        self.assertTrue(context["is_draft"])
        self.assertFalse(context["is_signed"])
        self.assertNotIn("2015", context["place_and_date"])


class LongCausesTests(TestCase):
    def test_gathered_causes_keep_the_first_cause_and_stay_within_the_limit(self):
        lines = ["A" * 4990 + ".", "Thiếu cán bộ ⟦LĐLĐ huyện B⟧.", "Khác ⟦LĐLĐ huyện C⟧."]
        text = consolidation._within(lines, 5000)
        self.assertLessEqual(len(text), 5000)
        self.assertTrue(text.startswith("AAAA"))
        self.assertTrue(text.endswith("(Và 2 nguyên nhân khác trong báo cáo của các đơn vị.)"))
        short = consolidation._within(["Một.", "Hai."], 5000)
        self.assertEqual(short, "Một.\nHai.")
        edge = ["x" * 2400, "y" * 2400, "z" * 300]
        self.assertLessEqual(len(consolidation._within(edge, 5000)), 5000)

    def test_a_row_taller_than_a_page_may_break_the_others_never(self):
        table = Table(
            header=["TT", "Chỉ tiêu", "Nguyên nhân"],
            rows=[["1", "Ngắn", "Một nguyên nhân."], ["2", "Dài", "Nguyên nhân dài. " * 400]],
            widths_cm=[1.0, 5.0, 10.5],
        )
        data = word.render(str(BUILTIN), context=content_context(), body=[table])
        rows = open_docx(data).tables[1].rows
        can_split = ["cantSplit" not in row._tr.xml for row in rows]
        self.assertEqual(can_split, [False, False, True])


class TextFromBelowTests(CampaignTestCase):
    """What a unit below types can never pass for Soket's machinery one level up."""

    def test_a_forged_source_line_or_attribution_below_prints_as_plain_text(self):
        forged = "Ổn định.\n⟦Công đoàn ⟦xyz⟧ — chưa duyệt⟧\n〚Ban Tổ chức〛\nGiả mạo."
        printed = provenance.printed(forged)
        self.assertNotIn(provenance.OPEN, printed)
        self.assertEqual(provenance.passages(provenance.with_source("A1", printed))[0].source, "A1")
        self.assertEqual(
            len(provenance.SOURCE_LINE.findall(provenance.with_source("A1", printed))), 1
        )
        self.assertEqual(
            provenance.unattributed("Thiếu kinh phí ⟦LĐLĐ huyện B⟦⟧⟧"),
            "Thiếu kinh phí (LĐLĐ huyện B)",
        )

    def test_a_unit_name_on_two_lines_makes_one_source_line(self):
        self.assertEqual(
            provenance.source_line("Công đoàn cơ sở\n(Cao Lộc) ⟦x⟧"),
            "⟦Công đoàn cơ sở (Cao Lộc) (x)⟧",
        )

    def test_a_footnote_mark_in_a_units_text_becomes_the_footnote(self):
        self.item.reference = "Kết luận số 79-KL/TW ngày 25/12/2013 của Bộ Chính trị."
        self.item.save()
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        report = services.report_save(
            report=report,
            by=self.alice,
            revision=report.revision,
            sections={self.section_lessons.pk: "Thực hiện Kết luận[^kl-79] tốt."},
        )
        data = docx(content.report_document(report))
        self.assertIn("Thực hiện Kết luận tốt.", paragraphs(data))
        self.assertEqual(footnotes(data), [self.item.reference])

    def test_bidirectional_overrides_never_reach_a_document(self):
        from soket.core.text import clean_text

        self.assertEqual(clean_text("\u202eRLO đảo chiều\u2066x\u2069"), "RLO đảo chiềux")
