"""The consolidated table's summary sheet adds up each target by its own rule (hypothesis).

It once added percentages: a province's "Tỷ lệ CĐCS vững mạnh" read 842,01 where the
web page, which rolls up right, read 63,27%."""

import datetime
import io
from decimal import Decimal

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from soket.campaigns.models import Campaign, OutlineSection, Participation
from soket.core import numbers
from soket.documents import export
from soket.reports import rollup, services
from soket.reports.models import Report
from soket.reports.services import FigureInput
from soket.testing import (
    CampaignTestCase,
    make_kinds,
    make_operators,
    make_resolution,
    make_target,
    make_unit,
)

D = datetime.date
TREES = st.lists(st.integers(0, 100), min_size=1, max_size=7)
STATES = st.sampled_from(["none", "draft", "submitted", "accepted"])
SHARE_GOAL = Decimal(5)


@st.composite
def unit_figures(draw):
    """What one unit reports: a state and a figure for every target."""
    denominator = draw(st.integers(1, 60))
    share_denominator = draw(st.integers(1, 8))
    return {
        "state": draw(STATES),
        "count": Decimal(draw(st.integers(0, 5000))),
        "amount": Decimal(draw(st.integers(0, 100000))) / 4,
        "ratio": (Decimal(draw(st.integers(0, denominator))), Decimal(denominator)),
        # A unit that counts the units below it gives two numbers; one without, a value.
        "share": draw(
            st.one_of(
                st.integers(0, 10).map(lambda value: Decimal(value)),
                st.integers(0, share_denominator).map(
                    lambda met, whole=share_denominator: (Decimal(met), Decimal(whole))
                ),
            )
        ),
        "level": Decimal(draw(st.integers(0, 100))),
    }


def build(tree_choices):
    kinds = make_kinds()
    root = make_unit("R", kinds["province"])
    units = [root]
    for index, choice in enumerate(tree_choices, start=1):
        units.append(make_unit(f"U{index}", kinds["grassroots"], units[choice % len(units)]))
    resolution = make_resolution("nq", root)
    targets = {
        "count": make_target(resolution, "S", "sum", 10, unit_of_measure="đoàn viên"),
        "amount": make_target(resolution, "A", "sum", 50, unit_of_measure="triệu đồng"),
        "ratio": make_target(
            resolution, "R", "ratio", 75, unit_of_measure="%",
            numerator_label="Số CĐCS vững mạnh", denominator_label="Tổng số CĐCS",
        ),
        "share": make_target(resolution, "H", "share_meeting", SHARE_GOAL, unit_of_measure="%"),
        "level": make_target(resolution, "N", "none", 90, unit_of_measure="%"),
        "words": make_target(resolution, "Q", "none"),
    }  # fmt: skip
    campaign = Campaign.objects.create(state="issued",
        code="c", owner=root, kind="final", title="c",
        reviewed_from=D(2013, 1, 1), reviewed_to=D(2018, 1, 1),
    )  # fmt: skip
    section = OutlineSection.objects.create(campaign=campaign, order=1, heading="I")
    section.targets.set(targets.values())
    participation = Participation.objects.create(campaign=campaign, root=root)
    participation.kinds.set(kinds.values())
    return campaign, units, targets


def report(campaign, unit, given, targets, sender, reviewer):
    share = given["share"]
    figures = {
        targets["count"].pk: FigureInput(value=given["count"], causes="c"),
        targets["amount"].pk: FigureInput(value=given["amount"], causes="c"),
        targets["ratio"].pk: FigureInput(
            numerator=given["ratio"][0], denominator=given["ratio"][1], causes="c"
        ),
        targets["share"].pk: (
            FigureInput(numerator=share[0], denominator=share[1], causes="c")
            if isinstance(share, tuple)
            else FigureInput(value=share, causes="c")
        ),
        targets["level"].pk: FigureInput(value=given["level"], causes="c"),
    }
    draft = services.report_for(campaign=campaign, unit=unit)
    services.report_save(report=draft, by=sender, revision=draft.revision, figures=figures)
    if given["state"] in ("submitted", "accepted"):
        services.report_submit(report=draft, by=sender, warnings_confirmed=True)
    if given["state"] == "accepted":
        services.report_accept(report=draft, by=reviewer)


def by_rule(accepted: list[dict]) -> dict[str, Decimal | None]:
    """The summary worked out by hand from what the accepted units below gave."""
    if not accepted:
        return dict.fromkeys(["S", "A", "R", "H", "N", "Q"])

    def share_parts(share):
        if isinstance(share, tuple):
            return share
        return (Decimal(1) if share >= SHARE_GOAL else Decimal(0)), Decimal(1)

    ratio_top = sum(given["ratio"][0] for given in accepted)
    ratio_bottom = sum(given["ratio"][1] for given in accepted)
    share_top = sum(share_parts(given["share"])[0] for given in accepted)
    share_bottom = sum(share_parts(given["share"])[1] for given in accepted)
    return {
        "S": sum(given["count"] for given in accepted),
        "A": sum(given["amount"] for given in accepted),
        "R": numbers.rounded(ratio_top * 100 / ratio_bottom),
        "H": numbers.rounded(share_top * 100 / share_bottom),
        "N": None,  # a target that does not add up has no summary
        "Q": None,
    }


def read(cell) -> Decimal | None:
    return None if cell is None else Decimal(str(cell))


class TableSummaryPropertiesTestCase(HypothesisTestCase):
    @settings(max_examples=25, deadline=None)
    @given(TREES, st.lists(unit_figures(), min_size=7, max_size=7))
    def test_the_summary_row_of_every_target_is_its_rollup_never_a_sum_of_percentages(
        self, tree, figures
    ):
        campaign, units, targets = build(tree)
        sender, reviewer = make_operators()
        # Deepest first, so a unit's own report goes up after those below it.
        below = sorted(units[1:], key=lambda unit: -unit.depth)
        given_by_unit = dict(zip(below, figures, strict=False))
        for unit, gave in given_by_unit.items():
            if gave["state"] != "none":
                report(campaign, unit, gave, targets, sender, reviewer)

        output = io.BytesIO()
        export.consolidated_table(campaign=campaign, within=units[0], output=output)
        sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()))["Tổng hợp"]
        header, *rows = sheet.iter_rows(values_only=True)
        column = {heading: index for index, heading in enumerate(header)}
        summary = {row[0]: row for row in rows}

        rolled = rollup.children_rollup(campaign=campaign, parents=[units[0].pk])
        accepted = [
            gave
            for unit, gave in given_by_unit.items()
            if unit.parent_id == units[0].pk and gave["state"] == "accepted"
        ]
        expected = by_rule(accepted)
        for target in targets.values():
            row = summary[target.code]
            result = read(row[column["Kết quả (đã duyệt)"]])
            self.assertEqual(result, expected[target.code], target.code)
            figure = rolled.get((units[0].pk, target.pk))
            value, numerator, denominator = (
                figure.for_target(target) if figure else (None, None, None)
            )
            self.assertEqual(
                result,
                numbers.rounded(value) if target.code in "RH" else value,
                target.code,
            )
            self.assertEqual(read(row[column["Tử số"]]), numerator, target.code)
            self.assertEqual(read(row[column["Mẫu số"]]), denominator, target.code)
            if result is not None and target.code in "RH":
                self.assertLessEqual(result, 100)


class TableLatenessTests(CampaignTestCase):
    """The table's units say late or not by the one rule, on the campaign's local date."""

    def sent_at(self, unit, moment):
        report = services.report_for(campaign=self.campaign, unit=unit)
        Report.objects.filter(pk=report.pk).update(state="submitted", first_submitted_at=moment)

    def test_a_report_sent_at_half_past_midnight_after_the_deadline_is_late_and_one_before_is_not(
        self,
    ):
        # The districts' deadline is 31/12/2015; Hanoi is UTC+7.
        self.sent_at(self.district_a1, datetime.datetime(2015, 12, 31, 17, 30, tzinfo=datetime.UTC))
        self.sent_at(self.district_a2, datetime.datetime(2015, 12, 31, 16, 30, tzinfo=datetime.UTC))
        output = io.BytesIO()
        export.consolidated_table(campaign=self.campaign, within=self.province_a, output=output)
        sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()))["Theo đơn vị"]
        header, *rows = sheet.iter_rows(values_only=True)
        rows = {row[0]: row for row in rows}
        sent, note = header.index("Ngày gửi"), header.index("Ghi chú")
        late, on_time = rows[self.district_a1.code], rows[self.district_a2.code]
        self.assertEqual(late[sent], datetime.datetime(2016, 1, 1))
        self.assertEqual(late[note], "Gửi muộn 1 ngày")
        self.assertEqual(on_time[sent], datetime.datetime(2015, 12, 31))
        self.assertIsNone(on_time[note])
