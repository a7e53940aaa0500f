"""Every figure is checked where it enters, the same way by every door.

One table of bad inputs goes through the web form (the report page's save) and through
the Excel form (written by the real writer, filled with openpyxl, uploaded through the
real page): each is refused by both with the same message, naming the target by its
code, and nothing is written. One table of accepted spellings lands the same stored
value both ways.
"""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from soket.documents import report_form
from soket.reports import services, validation
from soket.reports.forms import read_report_form
from soket.reports.models import Figure, Report, ValidationRule, Version
from soket.reports.services import FigureInput
from soket.testing import CampaignTestCase, make_target, make_unit

LOCATION = "“Chỉ tiêu”"  # the sheet the Excel form names in front of a figure's message

# (what, target, {number: typed}, what the message must carry besides the code)
REFUSED = [
    ("a negative count", "CT01", {"value": "-5"}, "-5"),
    ("1,5 strikes", "CT12", {"value": "1,5"}, "1,5"),
    ("32,5 people", "CT07", {"value": "32,5"}, "32,5"),
    ("a fraction of a count, typed with a dot", "CT07", {"value": "32.5"}, "32.5"),
    ("a numerator above its denominator", "R", {"numerator": "40", "denominator": "37"}, "37"),
    ("a zero denominator", "R", {"numerator": "5", "denominator": "0"}, "0"),
    ("nothing out of nothing", "R", {"numerator": "0", "denominator": "0"}, "0"),
    ("only the numerator", "R", {"numerator": "5", "denominator": " "}, ""),
    ("only the denominator", "R", {"numerator": "", "denominator": "37"}, ""),
    ("a negative numerator", "R", {"numerator": "-3", "denominator": "10"}, "-3"),
    ("half a union counted", "R", {"numerator": "2,5", "denominator": "10"}, "2,5"),
    ("more units met than counted", "H", {"numerator": "17", "denominator": "16"}, "17"),
    ("a percentage of 150", "CT13", {"value": "150"}, "150"),
    ("a negative percentage", "CT13", {"value": "-1"}, "-1"),
    ("words", "CT01", {"value": "abc"}, "abc"),
    ("thousands or decimals?", "CT01", {"value": "1,234"}, "1,234"),
    ("a dot that groups nothing", "CT01", {"value": "1.5"}, "1.5"),
    ("English thousands", "CT01", {"value": "1,234,567"}, "1.234.567"),
    ("scientific notation", "CT01", {"value": "1e5"}, "1e5"),
    ("infinity", "CT01", {"value": "∞"}, "∞"),
    ("not a number", "CT01", {"value": "NaN"}, "NaN"),
    ("a formula", "CT01", {"value": "=1+1"}, "=1+1"),
    ("markup", "CT01", {"value": "<script>alert(1)</script>"}, "script"),
    ("forty digits", "CT01", {"value": "9" * 40}, "9999"),
    ("two dots", "CT01", {"value": "1.2.3"}, "1.2.3"),
    ("two commas", "CT01", {"value": "12,5,1"}, "12,5,1"),
    ("a space that groups nothing", "CT01", {"value": "12 34"}, "12 34"),
    ("more decimals than are kept", "S", {"value": "0,00001"}, "0,00001"),
    ("a typo", "CT01", {"value": "1,5x"}, "1,5x"),
]


def V(value) -> dict:
    """A figure given by its value alone."""
    return {"value": value}


# (what, target, {number: typed on the web}, {number: what the Excel cell holds}, stored)
ACCEPTED = [
    ("a dot between thousands", "CT01", V("1.234"), V("1.234"), V("1234")),
    ("a space between thousands", "CT01", V("1 234"), V("1 234"), V("1234")),
    ("a no-break space", "CT01", V("1\u00a0234"), V("1\u00a0234"), V("1234")),
    ("a narrow no-break space", "CT01", V("1\u202f234"), V("1\u202f234"), V("1234")),
    ("plain digits", "CT01", V("1234"), V("1234"), V("1234")),
    ("a numeric cell", "CT01", V("1234"), V(1234), V("1234")),
    ("millions", "CT01", V("1.234.567"), V(1234567), V("1234567")),
    ("a decimal comma", "S", V("12,5"), V("12,5"), V("12.5")),
    ("a decimal numeric cell", "S", V("12,5"), V(12.5), V("12.5")),
    ("thousands and decimals", "S", V("1.234,5"), V("1.234,5"), V("1234.5")),
    ("spaced thousands and decimals", "S", V("1 234,5"), V(1234.5), V("1234.5")),
    ("three decimals after a zero", "S", V("0,125"), V("0,125"), V("0.125")),
    ("a float Excel made", "S", V("0,3"), V(0.1 + 0.2), V("0.3")),
    ("no strikes", "CT12", V("0"), V(0), V("0")),
    ("a percentage", "CT13", V("87,5"), V("87,5"), V("87.5")),
    (
        "a rate from grouped counts", "R",
        {"numerator": "1.234", "denominator": "2 000"}, {"numerator": 1234, "denominator": "2.000"},
        {"numerator": "1234", "denominator": "2000", "value": "61.7"},
    ),
    (
        "every unit met it", "H",
        {"numerator": "16", "denominator": "16"}, {"numerator": "16", "denominator": 16},
        {"numerator": "16", "denominator": "16", "value": "100"},
    ),
]  # fmt: skip

BASELINE = {
    "CT01": FigureInput(value=Decimal(7)),
    "CT07": FigureInput(value=Decimal(3)),
    "CT12": FigureInput(value=Decimal(0)),
    "CT13": FigureInput(value=Decimal(50)),
    "S": FigureInput(value=Decimal(9)),
    "R": FigureInput(numerator=Decimal(8), denominator=Decimal(10)),
    "H": FigureInput(numerator=Decimal(3), denominator=Decimal(4)),
}
COLUMN = report_form.NUMBER_COLUMNS


class EntryTestCase(CampaignTestCase):
    """District A1's report (it has units below, so shares are counted), with the
    targets a province sets: new members, people trained, strikes, a percentage."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        extra = [
            ("CT01", "Phát triển đoàn viên công đoàn mới trong toàn tỉnh", "đoàn viên", 10000),
            ("CT07", "Số cán bộ chủ chốt được bồi dưỡng lý luận chính trị", "người", 300),
            ("CT12", "Số vụ ngừng việc tập thể, đình công trái pháp luật", "vụ", 0),
            ("CT13", "Tỷ lệ nữ công nhân được tuyên truyền pháp luật", "%", 90),
        ]
        for order, (code, wording, measure, goal) in enumerate(extra, start=5):
            target = make_target(
                cls.resolution, code, "none" if measure == "%" else "sum", goal,
                wording=wording, unit_of_measure=measure, order=order,
                direction="at_most" if code == "CT12" else "at_least",
            )  # fmt: skip
            cls.section_results.targets.add(target)

    def setUp(self):
        self.targets = {t.code: t for t in self.resolution.targets.all()}
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)
        self.store(BASELINE)

    def store(self, figures: dict[str, FigureInput]) -> None:
        self.report.refresh_from_db()
        services.report_save(
            report=self.report, by=self.alice, revision=self.report.revision,
            figures={self.targets[code].pk: given for code, given in figures.items()},
        )  # fmt: skip
        self.report.refresh_from_db()

    def stored(self) -> dict:
        return {
            (figure.target.code, name): getattr(figure, name)
            for figure in Figure.objects.filter(report=self.report).select_related("target")
            for name in ("value", "numerator", "denominator")
        } | {("revision", ""): Report.objects.get(pk=self.report.pk).revision}

    # The web form.

    def post_web(self, code: str, typed: dict, **fields):
        pk = self.targets[code].pk
        self.report.refresh_from_db()
        data = {"revision": self.report.revision, f"override-{pk}": ""}
        data |= {f"{name}-{pk}": text for name, text in typed.items()}
        data |= {f"{name}-{pk}": text for name, text in fields.items()}
        return self.client.post(reverse("report_save", args=[self.report.pk]), data)

    def web_messages(self, code: str, typed: dict) -> list[str]:
        response = self.post_web(code, typed)
        self.assertEqual(response.status_code, 400)
        return list(response.context["form_errors"])

    # The Excel form.

    def upload_excel(self, code: str, cells: dict):
        response = self.client.get(reverse("report_form_download", args=[self.report.pk]))
        self.assertEqual(response.status_code, 200)
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = workbook[report_form.TARGETS]
        row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == code)
        for name, value in cells.items():
            cell = sheet.cell(row, COLUMN[name])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # typed into a text cell, as "=1+1" would be kept
        buffer = io.BytesIO()
        workbook.save(buffer)
        return self.client.post(
            reverse("report_form_upload", args=[self.report.pk]),
            {"file": SimpleUploadedFile("bieu-mau.xlsx", buffer.getvalue())},
            follow=True,
        )

    def excel_messages(self, code: str, cells: dict) -> list[str]:
        """The figures' messages of the upload, without the place in the sheet that the
        Excel form puts in front of each."""
        response = self.upload_excel(code, cells)
        found = [str(message) for message in response.context["messages"]]
        placed = [message for message in found if LOCATION in message.split(": ", 1)[0]]
        self.assertEqual(len(placed), len(found) - 1, found)  # and "nothing was saved"
        return [message.split(": ", 1)[1] for message in placed]


class RefusedTests(EntryTestCase):
    def test_every_bad_input_is_refused_the_same_way_by_the_web_and_the_excel_form(self):
        self.assertGreaterEqual(len(REFUSED), 20)
        before = self.stored()
        for what, code, typed, shown in REFUSED:
            with self.subTest(what, typed=typed):
                web = self.web_messages(code, typed)
                self.assertEqual(self.stored(), before)
                excel = self.excel_messages(code, typed)
                self.assertEqual(self.stored(), before)
                self.assertEqual(web, excel)
                self.assertEqual(len(web), 1, web)
                self.assertTrue(web[0].startswith(f"{code} ("), web)
                self.assertIn(shown, web[0])

    def test_the_messages_say_what_is_wrong(self):
        with translation.override("en"):
            cases = {
                "CT01": ({"value": "-5"}, "a count cannot be negative"),
                "CT12": ({"value": "1,5"}, "has decimals; a count is a whole number"),
                "R": (
                    {"numerator": "40", "denominator": "37"},
                    "the numerator 40 is larger than the denominator 37",
                ),
                "CT13": ({"value": "150"}, "a percentage lies between 0 and 100"),
            }
            for code, (typed, text) in cases.items():
                with self.subTest(code):
                    target = self.targets[code]
                    numbers, problems = validation.read_numbers(target, typed)
                    self.assertEqual(problems, [])
                    [problem] = validation.target_problems(target, FigureInput(**numbers))
                    self.assertIn(text, str(problem))
            target = self.targets["CT01"]
            _numbers, [problem] = validation.read_numbers(target, {"value": "1,234"})
            self.assertEqual(
                str(problem),
                "CT01 (Phát triển đoàn viên công đoàn mới trong…), result: “1,234” could be "
                "1.234 (a comma between thousands, as in English) or 1,234 (a number with "
                "decimals). Write 1234 if you mean the first, or 1,2340 (a zero added at the "
                "end) if you mean the second.",
            )

    def test_a_numerator_may_pass_its_denominator_where_the_target_says_so(self):
        target = self.targets["R"]
        target.numerator_may_exceed_denominator = True
        target.save()
        self.assertEqual(
            self.post_web("R", {"numerator": "40", "denominator": "37"}).status_code, 302
        )
        figure = Figure.objects.get(report=self.report, target=target)
        self.assertEqual((figure.numerator, figure.denominator), (40, 37))


class AcceptedTests(EntryTestCase):
    def test_every_accepted_spelling_lands_the_same_value_both_ways(self):
        for what, code, typed, cells, expected in ACCEPTED:
            with self.subTest(what):
                target = self.targets[code]
                self.assertEqual(self.post_web(code, typed).status_code, 302)
                web = Figure.objects.get(report=self.report, target=target)
                self.store({code: BASELINE[code]})
                self.upload_excel(code, cells)
                excel = Figure.objects.get(report=self.report, target=target)
                for name, number in expected.items():
                    self.assertEqual(getattr(web, name), Decimal(number), name)
                    self.assertEqual(getattr(excel, name), Decimal(number), name)
                self.store({code: BASELINE[code]})

    def test_a_numeric_cell_is_read_like_the_same_number_typed(self):
        target = self.targets["CT13"]
        for cell, typed in ((12.34567, "12,34567"), (2.00000001, "2,00000001")):
            with self.subTest(cell):
                from_cell = validation.read_number(target, "value", cell)
                from_text = validation.read_number(target, "value", typed)
                self.assertIsNone(from_cell[0])
                self.assertEqual(str(from_cell[1]), str(from_text[1]))
        self.assertEqual(validation.read_number(target, "value", 0.1 + 0.2), (Decimal("0.3"), None))


class KeptTests(EntryTestCase):
    def test_a_failed_save_keeps_everything_typed_and_names_the_target_by_code(self):
        ct01, ct07 = self.targets["CT01"], self.targets["CT07"]
        response = self.client.post(
            reverse("report_save", args=[self.report.pk]),
            {
                "revision": self.report.revision,
                f"override-{ct01.pk}": "achieved",
                f"value-{ct01.pk}": "1,5x",
                f"reason-{ct01.pk}": "Đã đối chiếu với sổ sách",
                f"causes-{ct01.pk}": "Thiếu cán bộ chuyên trách",
                f"override-{ct07.pk}": "",
                f"value-{ct07.pk}": "32",
                f"causes-{ct07.pk}": "Lớp học dời sang năm sau",
            },
        )
        self.assertEqual(response.status_code, 400)
        [error] = response.context["form_errors"]
        self.assertTrue(error.startswith("CT01 ("), error)
        self.assertNotIn(f" {ct01.pk}:", error)
        posted = response.context["posted"]
        self.assertEqual(posted[ct01.pk].override, "achieved")
        self.assertEqual(posted[ct01.pk].override_reason, "Đã đối chiếu với sổ sách")
        self.assertEqual(posted[ct01.pk].causes, "Thiếu cán bộ chuyên trách")
        self.assertEqual(posted[ct07.pk].value, Decimal(32))
        self.assertContains(response, "Thiếu cán bộ chuyên trách", status_code=400)
        self.assertContains(response, "Lớp học dời sang năm sau", status_code=400)
        self.assertEqual(Figure.objects.get(report=self.report, target=ct01).value, 7)

    def test_the_form_keeps_each_number_as_typed_even_unreadable(self):
        ct01, ratio = self.targets["CT01"], self.targets["R"]
        post = QueryDict(mutable=True)
        post.update({
            f"override-{ct01.pk}": "", f"value-{ct01.pk}": "1,5x",
            f"override-{ratio.pk}": "", f"numerator-{ratio.pk}": "1.234",
            f"denominator-{ratio.pk}": "",
        })  # fmt: skip
        form = read_report_form(post, targets=self.targets.values(), section_ids=[], item_ids=[])
        self.assertEqual(
            form.raw,
            {
                f"value-{ct01.pk}": "1,5x",
                f"numerator-{ratio.pk}": "1.234",
                f"denominator-{ratio.pk}": "",
            },
        )
        self.assertEqual(form.figures[ratio.pk].numerator, Decimal(1234))
        self.assertEqual(len(form.errors), 2)  # CT01 unreadable, R's denominator missing


class RuleTests(EntryTestCase):
    """A campaign administrator's rule across targets: R's numerator (strong unions) is
    at most CT07's value, here."""

    def setUp(self):
        super().setUp()
        self.rule = ValidationRule.objects.create(
            campaign=self.campaign,
            left_target=self.targets["R"],
            left_side=ValidationRule.Side.NUMERATOR,
            operator=ValidationRule.Operator.AT_MOST,
            right_target=self.targets["CT07"],
            right_side=ValidationRule.Side.VALUE,
            message="Kiểm tra lại hai số này.",
        )

    def test_a_broken_rule_is_refused_the_same_way_by_every_door(self):
        before = self.stored()
        typed = {"numerator": "9", "denominator": "10"}  # 9 > CT07's 3
        excel = self.excel_messages("R", typed)
        self.assertEqual(self.stored(), before)
        post = QueryDict(mutable=True)
        pk = self.targets["R"].pk
        post.update({f"override-{pk}": "", f"numerator-{pk}": "9", f"denominator-{pk}": "10"})
        form = read_report_form(
            post, targets=self.targets.values(), section_ids=[], item_ids=[], report=self.report
        )
        self.assertEqual(form.errors, excel)
        given = {pk: FigureInput(numerator=Decimal(9), denominator=Decimal(10))}
        errors = validation.figure_errors(report=self.report, figures=given)
        self.assertEqual(errors, excel)
        [message] = excel
        self.assertTrue(message.startswith("R (Tỷ lệ vững mạnh)"), message)
        self.assertIn("≤ CT07 (", message)
        self.assertIn("(9)", message)
        self.assertIn("(3)", message)
        self.assertTrue(message.endswith("Kiểm tra lại hai số này."), message)

    def test_a_rule_kept_or_not_yet_checkable_lets_the_save_through(self):
        self.store({"R": FigureInput(numerator=Decimal(3), denominator=Decimal(10))})
        self.store({"CT07": FigureInput(value=Decimal(30))})
        self.store({"R": FigureInput(numerator=Decimal(9), denominator=Decimal(10))})
        self.assertEqual(
            Figure.objects.get(report=self.report, target=self.targets["R"]).numerator, 9
        )
        Figure.objects.filter(report=self.report, target=self.targets["CT07"]).delete()
        self.store({"R": FigureInput(numerator=Decimal(10), denominator=Decimal(10))})

    def test_a_rule_compares_numbers_the_reports_give(self):
        self.rule.full_clean()
        odd = ValidationRule(
            campaign=self.campaign,
            left_target=self.targets["CT07"],
            left_side=ValidationRule.Side.NUMERATOR,
            operator=ValidationRule.Operator.AT_MOST,
            right_target=self.targets["CT07"],
            right_side=ValidationRule.Side.NUMERATOR,
        )
        with self.assertRaises(ValidationError) as raised:
            odd.full_clean()
        self.assertEqual(
            set(raised.exception.message_dict), {"left_side", "right_side", "right_target"}
        )

    def test_figures_stored_before_the_rule_do_not_block_an_unrelated_save(self):
        # Stored before the rule was added (as the rule's own check would refuse it now).
        Figure.objects.filter(report=self.report, target=self.targets["R"]).update(
            numerator=9, value=90
        )
        self.assertEqual(
            self.post_web("R", {"numerator": "9", "denominator": "10"}).status_code, 302
        )
        self.client.get(reverse("report_detail", args=[self.report.pk]))  # "Saved." read
        [message] = self.excel_messages("CT07", {"value": "2"})  # now R's 9 > CT07's 2
        self.assertIn("(9)", message)
        self.assertIn("(2)", message)


class WarningTests(EntryTestCase):
    def warnings(self) -> list[str]:
        with translation.override("en"):
            return validation.warnings_for(self.report)

    def test_a_figure_far_from_the_last_submission_is_warned_of(self):
        Version.objects.create(
            report=self.report, number=1, submitted_by=self.alice,
            submitted_at=self.report.updated_at, content={"figures": {"CT01": {"value": "10"}}},
        )  # fmt: skip
        self.store({"CT01": FigureInput(value=Decimal(25))})
        self.assertEqual(self.warnings(), [])
        self.store({"CT01": FigureInput(value=Decimal(31))})
        [warning] = self.warnings()
        self.assertTrue(warning.startswith("CT01 ("), warning)
        self.assertIn("31 is far from 10, the figure last submitted", warning)
        self.store({"CT01": FigureInput(value=Decimal(3))})
        self.assertEqual(len(self.warnings()), 1)

    def test_a_figure_far_from_the_units_beside_it_is_warned_of(self):
        target = self.targets["CT07"]
        for code, value in (("A2", 10), ("A3", 12), ("A4", 14)):
            unit = (
                self.district_a2
                if code == "A2"
                else make_unit(code, self.kinds["district"], self.province_a)
            )
            peer = services.report_for(campaign=self.campaign, unit=unit)
            Figure.objects.create(report=peer, target=target, value=value)
        self.store({"CT07": FigureInput(value=Decimal(60))})
        self.assertEqual(self.warnings(), [])
        self.store({"CT07": FigureInput(value=Decimal(61))})
        [warning] = self.warnings()
        self.assertIn(
            "61 is far from 12, the middle figure of the 3 units beside this one", warning
        )

    def test_a_units_figure_above_the_whole_goal_is_warned_of(self):
        self.store({"CT01": FigureInput(value=Decimal(10000))})
        self.assertEqual(self.warnings(), [])
        self.store({"CT01": FigureInput(value=Decimal(10001))})
        [warning] = self.warnings()
        self.assertIn("10001 is more than 10000, the goal for the whole of A", warning)
