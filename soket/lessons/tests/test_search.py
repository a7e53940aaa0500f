"""Stories of the lessons search: typed with or without diacritics, composed or not, it
finds the units' own words in the reports sent up within the person's scope, and never
a sibling's, a draft below, or the same words twice through a consolidated report."""

import unicodedata

from soket.lessons import selectors
from soket.lessons.tests.making import operators, written
from soket.reports import consolidation
from soket.testing import CampaignTestCase, make_operators, make_unit


class SearchTestCase(CampaignTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_operators()
        lessons = cls.section_lessons
        cls.a1 = written(
            cls,
            cls.district_a1,
            texts={lessons: "Ưu điểm: công đoàn cơ sở chủ động.\nHạn chế: kinh phí ít."},
            causes="Thiếu cán bộ chuyên trách",
            items={cls.item: "Đã học tập Kết luận 79 trong toàn thể đoàn viên."},
        )
        cls.a2 = written(
            cls, cls.district_a2, texts={lessons: "Công đoàn huyện A2 làm tốt."}, state="submitted"
        )
        cls.grassroots = written(
            cls, cls.grassroots_a1, texts={lessons: "Công đoàn cơ sở chưa có nhà văn hóa."},
            state="draft",
        )  # fmt: skip

    def search(self, user=None, unit=None, **filters):
        return selectors.lessons(
            user=user or self.province_approver,
            campaign=self.campaign,
            unit=unit or self.province_a,
            **filters,
        )

    def texts(self, found):
        return [passage.text for group in found.groups for passage in group.passages]

    def test_cong_doan_typed_without_marks_finds_cong_doan(self):
        found = self.search(query="cong doan")
        self.assertEqual(
            self.texts(found), ["Ưu điểm: công đoàn cơ sở chủ động.", "Công đoàn huyện A2 làm tốt."]
        )
        self.assertIn("<mark>công đoàn</mark>", found.groups[0].passages[0].marked)

    def test_typed_with_marks_in_capitals_finds_the_same(self):
        self.assertEqual(
            self.texts(self.search(query="CÔNG  ĐOÀN")), self.texts(self.search(query="cong doan"))
        )

    def test_a_query_typed_in_nfd_finds_nfc_text(self):
        query = unicodedata.normalize("NFD", "kinh phí")
        self.assertEqual(self.texts(self.search(query=query)), ["Hạn chế: kinh phí ít."])

    def test_nfc_query_finds_text_written_in_nfd(self):
        nfd = unicodedata.normalize("NFD", "Bài học: phát huy dân chủ ở cơ sở.")
        written(self, self.grassroots_a2, texts={self.section_lessons: nfd})
        found = self.search(query="dân chủ")
        self.assertEqual(self.texts(found), [nfd])
        self.assertIn("<mark>dân chủ</mark>", found.groups[0].passages[0].marked)

    def test_causes_and_review_items_are_found_under_their_target_and_item(self):
        found = self.search(query="thieu can bo")
        self.assertEqual([group.target for group in found.groups], [self.t_sum])
        self.assertEqual(found.groups[0].passages[0].unit, self.district_a1)
        found = self.search(query="ket luan 79")
        self.assertEqual([group.item for group in found.groups], [self.item])

    def test_a_sibling_districts_passages_are_never_shown(self):
        found = self.search(user=self.alice, unit=self.district_a1, query="cong doan")
        self.assertEqual(self.texts(found), [])  # A1's own report is its draft, not gathered
        found = self.search(user=self.alice, unit=self.district_a1)
        self.assertNotIn("Công đoàn huyện A2 làm tốt.", self.texts(found))

    def test_drafts_below_are_not_shown(self):
        self.assertNotIn("Công đoàn cơ sở chưa có nhà văn hóa.", self.texts(self.search()))
        self.assertEqual(self.texts(self.search(user=self.alice, unit=self.district_a1)), [])

    def test_a_departments_report_is_read_in_any_state(self):
        written(
            self, self.province_a, department=self.department, state="draft",
            texts={self.section_lessons: "Ban Tổ chức: phát triển đoàn viên."},
        )  # fmt: skip
        found = self.search(query="phat trien doan vien")
        self.assertEqual(self.texts(found), ["Ban Tổ chức: phát triển đoàn viên."])
        self.assertEqual(found.groups[0].passages[0].short_author, "Ban Tổ chức")

    def test_words_drafted_from_below_are_found_once_under_who_wrote_them(self):
        written(self, self.grassroots_a1, texts={self.section_lessons: "Mô hình mái ấm công đoàn."})
        report = services_report(self, self.district_a1)
        self.assertIsNotNone(report)
        found = self.search(query="mai am")
        self.assertEqual([p.unit for g in found.groups for p in g.passages], [self.grassroots_a1])

    def test_filters_by_section_target_and_kind(self):
        found = self.search(section=self.section_results.pk)  # its targets' causes only
        self.assertEqual([group.target for group in found.groups], [self.t_sum])
        found = self.search(target=self.t_sum.pk)
        self.assertEqual([group.target for group in found.groups], [self.t_sum])
        found = self.search(kind=selectors.ITEMS)
        self.assertEqual([group.item for group in found.groups], [self.item])
        self.assertEqual(self.search(section=999999).groups, [])  # not this outline's

    def test_pages_of_thirty_in_the_order_of_the_tree(self):
        for number in range(selectors.PAGE + 2):
            unit = make_unit(f"A2-{number + 10}", self.kinds["grassroots"], self.district_a2)
            written(self, unit, texts={self.section_results: f"Đoạn số {number}"})
        first = self.search(query="doan so", kind=selectors.TEXT)
        self.assertTrue(first.has_next)
        self.assertEqual(first.passages, selectors.PAGE)
        second = self.search(query="doan so", kind=selectors.TEXT, page=2)
        self.assertFalse(second.has_next)
        self.assertEqual(self.texts(second), ["Đoạn số 30", "Đoạn số 31"])


def services_report(case, district):
    """The district reopens, drafts from below and is accepted again: its text now
    holds the grassroots union's words under a source line."""
    from soket.reports import services

    sender, reviewer = operators()
    report = services.report_for(campaign=case.campaign, unit=district)
    report = services.report_reopen(report=report, by=reviewer, reason="Tổng hợp lại")
    report = consolidation.report_draft_from_below(
        report=report, by=sender, revision=report.revision
    )
    report = services.report_submit(report=report, by=sender, warnings_confirmed=True)
    return services.report_accept(report=report, by=reviewer)
