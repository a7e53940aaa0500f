"""One folding rule for the stored copy and the words searched: marks, đ, case, NFC or
NFD and spaces never decide whether a passage is found."""

import unicodedata

from django.test import SimpleTestCase

from soket.core.text import folded, folded_with_positions
from soket.lessons.selectors import highlighted


class FoldingTestCase(SimpleTestCase):
    def test_diacritics_dd_and_case_fold_away(self):
        self.assertEqual(folded("Công Đoàn cơ sở"), "cong doan co so")
        self.assertEqual(folded("CÔNG ĐOÀN"), "cong doan")
        self.assertEqual(folded("cong doan"), "cong doan")

    def test_horned_vowels_with_every_tone_lose_their_marks(self):
        self.assertEqual(folded("ư ứ ừ ử ữ ự Ư Ứ Ự"), "u u u u u u u u u")
        self.assertEqual(folded("ơ ớ ờ ở ỡ ợ Ơ Ớ Ợ"), "o o o o o o o o o")
        self.assertEqual(folded("Người lao động được hưởng lợi"), "nguoi lao dong duoc huong loi")

    def test_invisible_characters_pasted_from_word_or_the_web_fold_away(self):
        # a soft hyphen, a zero-width space, a word joiner
        self.assertEqual(folded("Công đo\u00adàn"), "cong doan")
        self.assertEqual(folded("công\u200b đoàn\u2060"), "cong doan")
        copy, positions = folded_with_positions("đo\u00adàn")
        self.assertEqual(copy, "doan")
        self.assertEqual(positions, [0, 1, 3, 4])

    def test_nfd_and_nfc_fold_alike(self):
        text = "Thiếu cán bộ công đoàn chuyên trách; Ưu điểm, hạn chế"
        decomposed = unicodedata.normalize("NFD", text)
        self.assertNotEqual(decomposed, text)
        self.assertEqual(folded(decomposed), folded(text))
        self.assertEqual(folded(text), "thieu can bo cong doan chuyen trach; uu diem, han che")

    def test_spaces_run_together_and_paragraphs_keep_their_lines(self):
        self.assertEqual(folded("  Một\t hai \n\n\n  ba  "), "mot hai\nba")
        self.assertEqual(folded(""), "")

    def test_eth_typed_for_dd(self):
        self.assertEqual(folded("\u00d0oàn"), "doan")

    def test_positions_point_back_to_the_composed_text(self):
        text = unicodedata.normalize("NFD", "Ưu  điểm")
        copy, positions = folded_with_positions(text)
        self.assertEqual(copy, "uu diem")
        composed = unicodedata.normalize("NFC", text)
        self.assertEqual(composed[positions[3]], "đ")
        self.assertEqual(len(positions), len(copy))

    def test_highlight_marks_the_words_as_written_and_escapes_the_rest(self):
        marked = highlighted("<b>Công đoàn</b> cơ sở và CÔNG ĐOÀN ngành", "cong doan")
        self.assertEqual(
            marked,
            "&lt;b&gt;<mark>Công đoàn</mark>&lt;/b&gt; cơ sở và <mark>CÔNG ĐOÀN</mark> ngành",
        )
        nfd = highlighted(unicodedata.normalize("NFD", "Kinh phí hạn chế"), "han che")
        self.assertEqual(nfd, "Kinh phí <mark>hạn chế</mark>")
