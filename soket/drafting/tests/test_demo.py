"""The demo's draft with comments from two readers (issue 13: "the demo shows … a draft
with comments from two readers"), played through the services and loaded once only."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from soket.campaigns.models import Campaign
from soket.demo import data
from soket.demo.drafting import load_demo_drafting
from soket.demo.loader import load_demo
from soket.drafting.models import Comment, CommentRound
from soket.notices.models import Notice
from soket.orgs.models import User


class DemoDraftingTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()
        cls.campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
        load_demo_drafting(cls.campaign)

    def test_the_provinces_draft_has_comments_from_two_readers(self):
        round_ = CommentRound.objects.get()
        self.assertEqual(round_.report.unit.code, "LS")
        self.assertIsNone(round_.report.department_id)
        readers = set(Comment.objects.values_list("reader__username", flat=True))
        self.assertEqual(readers, {"tinh.xem", "ban.tochuc.truongban"})
        comments = Comment.objects.all()
        self.assertTrue(comments.filter(answer="taken").exists())
        self.assertTrue(comments.filter(answer="not_taken").exclude(answer_reason="").exists())
        self.assertTrue(comments.filter(answer="").exists())
        self.assertTrue(comments.filter(section__isnull=True).exists())
        told = Notice.objects.filter(key=f"drafting-round-{round_.pk}")
        self.assertEqual(told.count(), 2)

    def test_loading_again_changes_nothing(self):
        load_demo_drafting(self.campaign)
        self.assertEqual(CommentRound.objects.count(), 1)
        self.assertEqual(Comment.objects.count(), 5)

    def test_the_drafter_and_a_reader_open_their_pages(self):
        round_ = CommentRound.objects.get()
        self.client.force_login(User.objects.get(username="tinh.baocao"))
        page = self.client.get(reverse("drafting_detail", args=[round_.report_id]))
        self.assertContains(page, "góp ý minh họa")
        self.client.force_login(User.objects.get(username="tinh.xem"))
        self.assertEqual(
            self.client.get(reverse("comment_round", args=[round_.pk])).status_code, 200
        )
        self.client.force_login(User.objects.get(username="caoloc.duyet"))
        self.assertEqual(
            self.client.get(reverse("comment_round", args=[round_.pk])).status_code, 404
        )
