"""The folded copies are always in step with their texts, whichever way a text is
written: a save, a draft from below, taking or keeping a change, filling the causes of
a shortfall from below, a quote."""

from decimal import Decimal

from soket.lessons.tests.making import operators, written
from soket.reports import consolidation, searchable, services
from soket.reports.models import Figure, ItemAssessment, SectionText
from soket.reports.services import FigureInput
from soket.testing import CampaignTestCase, make_operators


class CopiesInStepTestCase(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_operators()

    def assert_in_step(self):
        rows = 0
        for model in (SectionText, ItemAssessment):
            for row in model.objects.all():
                self.assertEqual(row.folded, searchable.text_copy(row.text), row.text)
                rows += bool(row.text)
        for figure in Figure.objects.all():
            self.assertEqual(figure.folded_causes, searchable.causes_copy(figure.causes))
            rows += bool(figure.causes)
        self.assertTrue(rows)

    def grassroots_sends(self):
        sender, reviewer = operators()
        report = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        services.report_save(
            report=report, by=sender, revision=report.revision,
            sections={self.section_lessons.pk: "Bài học: Đoàn kết là sức mạnh."},
            figures={self.t_ratio.pk: FigureInput(
                numerator=Decimal(1), denominator=Decimal(10), causes="Doanh nghiệp giải thể"
            )},
            items={self.item.pk: "Đã quán triệt."},
        )  # fmt: skip
        report = services.report_submit(report=report, by=sender, warnings_confirmed=True)
        return services.report_accept(report=report, by=reviewer)

    def test_a_save_writes_the_copies(self):
        written(
            self, self.district_a1, texts={self.section_lessons: "Ưu ĐIỂM"}, causes="Thiếu VỐN",
            items={self.item: "Tốt"}, state="draft",
        )  # fmt: skip
        self.assert_in_step()
        self.assertEqual(SectionText.objects.get().folded, "uu diem")
        self.assertEqual(Figure.objects.get().folded_causes, "thieu von")

    def test_a_draft_from_below_and_its_filled_causes_write_the_copies(self):
        self.grassroots_sends()
        sender, _reviewer = operators()
        district = services.report_for(campaign=self.campaign, unit=self.district_a1)
        district = consolidation.report_draft_from_below(
            report=district, by=sender, revision=district.revision
        )
        drafted = district.figures.get(target=self.t_ratio)
        self.assertIn("Doanh nghiệp giải thể", drafted.causes)  # filled from below
        self.assertIn("Đoàn kết", district.section_texts.get(section=self.section_lessons).text)
        self.assert_in_step()
        # Drafted words are the union's, searched there: the district's copy keeps its own.
        self.assertEqual(district.section_texts.get(section=self.section_lessons).folded, "")
        self.assertEqual(drafted.folded_causes, "")

    def test_taking_and_keeping_a_change_write_the_copies(self):
        self.grassroots_sends()
        sender, _reviewer = operators()
        district = services.report_for(campaign=self.campaign, unit=self.district_a1)
        district = consolidation.report_draft_from_below(
            report=district, by=sender, revision=district.revision
        )
        text = district.section_texts.get(section=self.section_lessons)
        services.report_save(
            report=district, by=sender, revision=district.revision,
            sections={self.section_lessons.pk: "Ý kiến riêng của huyện.\n\n" + text.text},
        )  # fmt: skip
        self.grassroots_changes_and_district_decides(
            district, "Bài học mới về thương lượng.", consolidation.report_keep_change
        )
        self.assert_in_step()
        self.assertIn("y kien rieng cua huyen", SectionText.objects.get(
            report=district, section=self.section_lessons).folded)  # fmt: skip
        self.grassroots_changes_and_district_decides(
            district, "Bài học khác nữa.", consolidation.report_take_change
        )
        self.assert_in_step()

    def grassroots_changes_and_district_decides(self, district, text, decide):
        """Grassroots A1-01's lessons reopened, rewritten as `text` and accepted again;
        the district keeps or takes (`decide`) the change seen from below."""
        sender, reviewer = operators()
        grassroots = services.report_for(campaign=self.campaign, unit=self.grassroots_a1)
        grassroots = services.report_reopen(report=grassroots, by=reviewer, reason="Bổ sung")
        services.report_save(
            report=grassroots, by=sender, revision=grassroots.revision,
            sections={self.section_lessons.pk: text},
        )  # fmt: skip
        grassroots = services.report_submit(report=grassroots, by=sender, warnings_confirmed=True)
        services.report_accept(report=grassroots, by=reviewer)
        district.refresh_from_db()
        change = consolidation.changes_below(report=district).sections[0]
        decide(report=district, by=sender, revision=district.revision, key=change.key,
               seen=change.seen)  # fmt: skip

    def test_a_quote_writes_the_copy(self):
        sender, _reviewer = operators()
        district = services.report_for(campaign=self.campaign, unit=self.district_a1)
        services.report_quote(
            report=district, by=sender, text="Đoàn kết là sức mạnh.", source="CĐCS A1-01",
            section_id=self.section_lessons.pk,
        )  # fmt: skip
        self.assertEqual(SectionText.objects.get().folded, "")  # a quote is not its own words
        services.report_quote(
            report=district, by=sender, text="Ý kiến", source="X", item_id=self.item.pk
        )
        self.assert_in_step()
