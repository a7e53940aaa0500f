"""Two versions side by side: words out and in, figures that changed, on fixed texts."""

from __future__ import annotations

import random

from django.test import SimpleTestCase
from django.utils import translation

from soket.campaigns.models import OutlineSection
from soket.drafting import compare as comparing
from soket.drafting.compare import MAX_TOKENS, Piece, Source, compare, plan, word_diff


class WordDiffTestCase(SimpleTestCase):
    def test_a_word_changed_in_a_sentence(self):
        self.assertEqual(
            word_diff("Kết quả đạt 80% kế hoạch.", "Kết quả đạt 120% kế hoạch."),
            [Piece("same", "Kết quả đạt "), Piece("del", "80%"), Piece("ins", "120%"),
             Piece("same", " kế hoạch.")],
        )  # fmt: skip

    def test_words_put_in_and_taken_out(self):
        self.assertEqual(
            word_diff("Bài học: bám sát cơ sở.", "Bài học: bám sát cơ sở, lắng nghe đoàn viên."),
            [Piece("same", "Bài học: bám sát cơ "), Piece("del", "sở."),
             Piece("ins", "sở, lắng nghe đoàn viên.")],
        )  # fmt: skip
        self.assertEqual(word_diff("", "Mới"), [Piece("ins", "Mới")])
        self.assertEqual(word_diff("Cũ", ""), [Piece("del", "Cũ")])
        self.assertEqual(word_diff("Giống", "Giống"), [Piece("same", "Giống")])

    def test_sections_figures_and_items_compared(self):
        first = OutlineSection(pk=1, number="I.", heading="Kết quả")
        second = OutlineSection(pk=2, number="II.", heading="Bài học")
        a = Source("b1", "version 1", {
            "sections": {"1": "⟦Ban Tổ chức⟧\nKết nạp 500 đoàn viên.", "2": "Bám sát cơ sở."},
            "figures": {"CT01": {"value": "1500", "numerator": None, "denominator": None},
                        "CT02": {"value": "80", "numerator": "8", "denominator": "10"},
                        "CT03": {"value": "62.5", "numerator": "1250", "denominator": "2000"}},
            "items": {"kl-79": "Đã học tập"},
        })  # fmt: skip
        b = Source("b2", "version 2", {
            "sections": {"1": "Kết nạp 600 đoàn viên.", "2": "Bám sát cơ sở.", "9": "Phần cũ"},
            "figures": {"CT01": {"value": "1623.5", "numerator": None, "denominator": None},
                        "CT02": {"value": "80", "numerator": "8", "denominator": "10"},
                        "CT03": {"value": "65", "numerator": "1300", "denominator": "2000"}},
            "items": {"kl-79": "Đã học tập"},
        })  # fmt: skip
        with translation.override("vi"):
            result = compare(a, b, [first, second])
        self.assertTrue(result.changed)
        self.assertEqual([s.heading for s in result.sections], ["I. Kết quả", "II. Bài học", "9"])
        # The source line is not printed, so it is not a change.
        self.assertEqual(
            result.sections[0].pieces,
            [Piece("same", "Kết nạp "), Piece("del", "500"), Piece("ins", "600"),
             Piece("same", " đoàn viên.")],
        )  # fmt: skip
        self.assertEqual([s.changed for s in result.sections], [True, False, True])
        # Figures as Vietnamese reads them, not as stored.
        self.assertEqual([(f.what, f.before, f.after) for f in result.figures],
                         [("CT01", "1.500", "1.623,5"),
                          ("CT03", "62,5 (1.250 / 2.000)", "65 (1.300 / 2.000)")])  # fmt: skip
        self.assertEqual([i.changed for i in result.items], [False])
        self.assertFalse(compare(a, a, [first, second]).changed)


def long_section(seed: int, paragraphs: int = 250) -> str:
    """About 30,000 characters of report prose in short and long paragraphs."""
    rng = random.Random(seed)
    prose = "công đoàn cơ sở đoàn viên kết nạp thỏa ước lao động tập thể tổ chức phong trào"
    words = prose.split(" ")
    return "\n".join(
        " ".join(rng.choice(words) for _ in range(rng.randint(5, 50))) + "."
        for _ in range(paragraphs)
    )


def edited(text: str, seed: int, edits: int) -> str:
    """`text` with `edits` words changed, paragraphs put in and taken out."""
    rng = random.Random(seed)
    paragraphs = text.split("\n")
    for _ in range(edits):
        where = rng.randrange(len(paragraphs))
        words = paragraphs[where].split(" ")
        words[rng.randrange(len(words))] = rng.choice(["200", "tăng", "giảm", "mới"])
        paragraphs[where] = " ".join(words)
    del paragraphs[rng.randrange(len(paragraphs))]
    paragraphs.insert(rng.randrange(len(paragraphs)), "Đoạn mới thêm vào giữa báo cáo.")
    return "\n".join(paragraphs)


def replay(pieces: list[Piece], kinds: set[str]) -> str:
    return "".join(piece.text for piece in pieces if piece.kind in kinds)


class LongSectionTestCase(SimpleTestCase):
    """A long section compares by paragraphs first: the words compared one by one are
    only the changed paragraphs', at most MAX_TOKENS a side (no clock in the test)."""

    def test_a_long_section_with_many_edits_compares_only_changed_paragraphs_word_by_word(self):
        before = long_section(1)
        after = edited(before, 2, edits=60)
        self.assertGreater(len(before), 25_000)
        steps = list(plan(before, after))
        compared = [
            (len(comparing._tokens(s.old)), len(comparing._tokens(s.new)))
            for s in steps
            if s.kind == "words"
        ]
        self.assertTrue(compared)
        self.assertLessEqual(max(max(pair) for pair in compared), MAX_TOKENS)
        # Only the edited paragraphs go word by word: far fewer words than the section's.
        total = len(comparing._tokens(before)) + len(comparing._tokens(after))
        self.assertLess(sum(a + b for a, b in compared), total / 2)
        # What SequenceMatcher may do is bounded by the pairs, not by the section squared.
        naive = len(comparing._tokens(before)) * len(comparing._tokens(after))
        self.assertLess(sum(a * b for a, b in compared), naive / 100)
        pieces = word_diff(before, after)
        # Nothing is lost: the old text is what is kept and taken out, the new what is kept
        # and put in (up to spaces at the ends of lines).
        self.assertEqual(replay(pieces, {"same", "del"}).split(), before.split())
        self.assertEqual(replay(pieces, {"same", "ins"}).split(), after.split())
        self.assertIn(Piece("ins", "Đoạn mới thêm vào giữa báo cáo.\n"), pieces)

    def test_a_paragraph_longer_than_the_limit_is_shown_replaced_whole(self):
        before = " ".join(f"từ{n}" for n in range(MAX_TOKENS + 10))
        after = before.replace("từ7 ", "chữ7 ")
        self.assertEqual([step.kind for step in plan(before, after)], ["whole"])
        self.assertEqual(word_diff(before, after), [Piece("del", before), Piece("ins", after)])
        # Below the limit the same edit is word by word.
        short_before = " ".join(f"từ{n}" for n in range(MAX_TOKENS - 10))
        short_after = short_before.replace("từ7 ", "chữ7 ")
        self.assertEqual([step.kind for step in plan(short_before, short_after)], ["words"])
        self.assertIn(Piece("ins", "chữ7"), word_diff(short_before, short_after))
