"""The drafting in a real Chromium, on the Lạng Sơn demo: a reader comments on a
section of the circulated draft, and the drafter answers it "not taken" with a reason —
both in place, with no script error and no CSP violation."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from soket.core.browser import BrowserTestCase
from soket.demo import data
from soket.demo.loader import load_demo
from soket.drafting.models import Comment, CommentRound

pytestmark = pytest.mark.browser


@override_settings(SOKET_SIMULATED_TODAY=datetime.date(2016, 1, 6))
class DraftingBrowserTestCase(BrowserTestCase):
    def setUp(self):
        load_demo()
        self.round = CommentRound.objects.get()

    def test_a_reader_comments_on_a_section_and_the_drafter_answers_it(self):
        reader = self.new_page()
        self.sign_in(reader, "tinh.xem", data.PASSWORD)
        reader.goto(self.live_server_url + reverse("comment_round", args=[self.round.pk]))
        section = reader.locator("div.section:has(form)").first
        section.locator("textarea[name='text']").fill("Đề nghị bổ sung số liệu năm 2015.")
        section.get_by_role("button").click()
        reader.locator("li:has-text('Đề nghị bổ sung số liệu năm 2015.')").wait_for()
        comment = Comment.objects.get(text="Đề nghị bổ sung số liệu năm 2015.")
        self.assertIsNotNone(comment.section)

        drafter = self.new_page()
        self.sign_in(drafter, "tinh.baocao", data.PASSWORD)
        drafter.goto(self.live_server_url + reverse("drafting_detail", args=[self.round.report_id]))
        answer = drafter.locator(f"#y-kien-{comment.pk}")
        answer.locator("input[value='not_taken']").check()
        answer.locator("input[name='reason']").fill("Số liệu năm 2015 đã có ở phụ lục.")
        answer.get_by_role("button").click()
        drafter.locator(f"#y-kien-{comment.pk} .badge").wait_for()
        comment.refresh_from_db()
        self.assertEqual(comment.answer, Comment.Answer.NOT_TAKEN)
        self.assertEqual(comment.answer_reason, "Số liệu năm 2015 đã có ở phụ lục.")
        self.assertEqual(self.console_errors, [], "no script errors, no CSP violations")
