"""Whatever a request carries — odd digits, huge ids, NUL in a cookie or a header — the
answer is a page or a refusal, never a server error, on either database."""

from django.test import Client
from django.urls import reverse

from soket.reports import services
from soket.testing import CampaignTestCase

ODD_IDS = ["abc", "²", "٣", "9" * 30, "-1", "1.5", " ", "1\x00"]


class OddIdsTestCase(CampaignTestCase):
    def setUp(self):
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)

    def test_odd_ids_in_forms_and_query_strings_are_not_found(self):
        for odd in ODD_IDS:
            with self.subTest(odd=odd):
                cases = [
                    ("post", reverse("report_start", args=[self.campaign.pk]), {"unit": odd}),
                    ("post", reverse("report_start", args=[self.campaign.pk]),
                     {"unit": self.district_a1.pk, "department": odd}),
                    ("post", reverse("template_upload"), {"unit": odd, "kind": "plan"}),
                    ("post", reverse("document_request"), {"campaign": odd}),
                    ("post", reverse("document_request"),
                     {"campaign": self.campaign.pk, "report": odd}),
                    ("get", reverse("unit_children", args=[self.district_a1.pk]), {"dot": odd}),
                    ("post", reverse("report_save", args=[self.report.pk]), {"revision": odd}),
                ]  # fmt: skip
                for method, url, data in cases:
                    response = getattr(self.client, method)(url, data)
                    self.assertIn(response.status_code, (200, 302, 400, 404), (url, data))

    def test_odd_ids_in_lists_are_left_out(self):
        for odd in ODD_IDS:
            with self.subTest(odd=odd):
                response = self.client.post(
                    reverse("reports_accept", args=[self.campaign.pk]), {"report": [odd]}
                )
                self.assertEqual(response.status_code, 302)
                response = self.client.post(
                    reverse("report_draft", args=[self.report.pk]),
                    {"revision": self.report.revision, "refresh": [odd]},
                )
                self.assertEqual(response.status_code, 302)
                self.report.refresh_from_db()


class HostileHeadersTestCase(CampaignTestCase):
    def test_a_session_cookie_with_a_nul_is_no_session(self):
        client = Client()
        client.cookies["sessionid"] = "abcdefghijk\x00lmnop"
        response = client.get(reverse("home"))
        self.assertEqual(response.status_code, 302)  # to log in, as anyone without a session

    def test_a_nul_in_the_browsers_name_does_not_break_the_log_in(self):
        client = Client(HTTP_USER_AGENT="Mozilla\x00/5.0", HTTP_ACCEPT="text/html\x00")
        response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
        self.assertEqual(response.status_code, 200)
        response = client.post(reverse("login"), {"username": "alice", "password": "password"})
        self.assertEqual(response.status_code, 302)
