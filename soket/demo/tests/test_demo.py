import datetime
import re
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from soket.campaigns import selectors
from soket.campaigns.models import Campaign, Deadline
from soket.demo import data
from soket.demo.loader import load_demo
from soket.documents import content, generate
from soket.documents.tests.tools import open_docx
from soket.orgs.models import Unit, User
from soket.reports.models import Report
from soket.resolutions.models import Resolution

SEED = Path(__file__).resolve().parents[1] / "seed" / "ke-hoach-so-ket-nua-nhiem-ky.txt"


def snapshot() -> str:
    """Every row of every Soket model and of the users, as text."""
    models = [
        model
        for app in ("orgs", "resolutions", "campaigns", "reports", "notices")
        for model in apps.get_app_config(app).get_models()
    ]
    objects = [obj for model in models for obj in model._default_manager.order_by("pk")]
    return serializers.serialize("json", objects)


class DemoLoadTestCase(TestCase):
    def test_it_loads_twice_without_change(self):
        load_demo()
        first = snapshot()
        load_demo()
        self.assertEqual(snapshot(), first)

    def test_it_restores_a_demo_value_that_was_changed(self):
        load_demo()
        Campaign.objects.filter(code=data.CAMPAIGN["code"]).update(signer_name="Someone else")
        load_demo()
        self.assertEqual(
            Campaign.objects.get(code=data.CAMPAIGN["code"]).signer_name, "Lô Tiến Sơn"
        )

    def test_the_command_prints_the_logins(self):
        from io import StringIO

        out = StringIO()
        call_command("load_demo", stdout=out)
        for username, *_ in data.USERS:
            self.assertIn(username, out.getvalue())
        self.assertIn(data.PASSWORD, out.getvalue())


class DemoContentTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()
        cls.campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])

    def test_it_has_the_eleven_districts_of_2015(self):
        districts = Unit.objects.filter(kind__code="district", parent__code="LS")
        self.assertEqual(districts.count(), 11)

    def test_the_district_names_match_the_public_divisions_of_2015(self):
        import json

        import vietnam_provinces

        divisions = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text())
        lang_son = next(p for p in divisions if p["name"] == "Tỉnh Lạng Sơn")
        official = {
            d["name"].replace("Huyện ", "huyện ").replace("Thành phố ", "thành phố ")
            for d in lang_son["districts"]
        }
        ours = {name.removeprefix("Liên đoàn Lao động ") for _, name, _ in data.DISTRICTS}
        self.assertEqual(ours, official)

    def test_the_province_makes_twelve_targets_concrete_from_eleven(self):
        province = Resolution.objects.get(issuer__code="LS")
        self.assertEqual(province.targets.count(), 12)
        self.assertEqual(province.implements.targets.count(), 11)
        source = province.implements.targets.get(code="TLĐ-06")
        self.assertEqual(
            set(source.derived_targets.values_list("code", flat=True)), {"CT06", "CT07"}
        )

    def test_what_the_seed_does_not_state_is_marked_illustrative(self):
        province = Resolution.objects.get(issuer__code="LS")
        self.assertFalse(province.targets.filter(is_illustrative=False).exists())
        self.assertFalse(self.campaign.outline_sections.filter(is_illustrative=False).exists())
        self.assertFalse(self.campaign.steering_members.filter(is_illustrative=False).exists())
        self.assertFalse(
            Unit.objects.filter(
                kind__code__in=["sector", "grassroots"], is_illustrative=False
            ).exists()
        )

    def test_the_timeline_keeps_the_plans_deadlines(self):
        due = {
            (d.unit_kind.code if d.unit_kind else "departments", d.due_on)
            for d in Deadline.objects.filter(is_report=True)
        }
        self.assertIn(("district", datetime.date(2015, 12, 31)), due)
        self.assertIn(("sector", datetime.date(2015, 12, 31)), due)
        self.assertIn(("province", datetime.date(2016, 3, 15)), due)

    def test_expected_reporters_respect_opening_and_closing(self):
        before = selectors.participating_units(
            campaign=self.campaign, on=datetime.date(2015, 12, 20)
        )
        after = selectors.participating_units(campaign=self.campaign, on=datetime.date(2016, 2, 1))
        self.assertNotIn(data.CLOSED_GRASSROOTS[0], before.values_list("code", flat=True))
        self.assertNotIn(data.OPENED_GRASSROOTS[0], before.values_list("code", flat=True))
        self.assertIn(data.OPENED_GRASSROOTS[0], after.values_list("code", flat=True))
        self.assertEqual(after.count(), before.count() + 1)

    def test_the_campaign_page_reproduces_the_seed_plan(self):
        self.client.force_login(User.objects.get(username="tinh.xem"))
        response = self.client.get(reverse("campaign_detail", args=[self.campaign.pk]))
        page = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
        seed = SEED.read_text(encoding="utf-8")
        headings = re.findall(r"^\s*((?:[IV]+|\d(?:\.\d)?)\.\s+[^\n]+)$", seed, flags=re.M)
        self.assertGreater(len(headings), 10)
        for heading in headings:
            words = " ".join(heading.split()[:8])
            self.assertIn(words, page, heading)
        for day in re.findall(r"\d{2}/\d{1,2}/\d{4}|\d{2}/\d{4}", seed):
            self.assertIn(day, page)
        for name in ("TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "Lô Tiến Sơn", "Tổng LĐLĐ (B/c)"):
            self.assertIn(name, page)
        self.assertIn("Nghị quyết 20-NQ/TW ngày 28/01/2008", page)

    def test_the_province_report_is_signed_as_the_plan_is_and_grassroots_by_their_committee(
        self,
    ):
        def signature(composition) -> str:
            document = open_docx(generate.docx_bytes(composition))
            table = next(t for t in document.tables if "Nơi nhận" in t.cell(0, 0).text)
            return table.cell(0, 1).text

        reports = Report.objects.filter(campaign=self.campaign, department__isnull=True)
        block = signature(content.consolidated_document(reports.get(unit__code="LS")))
        self.assertIn("TM. BAN THƯỜNG VỤ", block)
        self.assertIn(data.PROVINCE_SIGNER, block)
        grassroots = reports.filter(unit__kind__code="grassroots").first()
        self.assertIn("TM. BAN CHẤP HÀNH", signature(content.report_document(grassroots)))


class DemoPeopleTestCase(TestCase):
    """Every grassroots union has its reporter and its chair, who sends its report."""

    @classmethod
    def setUpTestData(cls):
        load_demo()
        cls.campaign = Campaign.objects.get(code=data.CAMPAIGN["code"])
        # Chi Lăng's grassroots unions still hold drafts on the demo's day.
        cls.draft = Report.objects.get(campaign=cls.campaign, unit__code="LS-CLA-01")

    def setUp(self):
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})

    def test_every_open_grassroots_union_has_a_reporter_and_a_chair_who_may_send(self):
        from soket.orgs.models import Role

        unions = Unit.objects.filter(kind__code="grassroots", closed_on__isnull=True)
        self.assertGreater(unions.count(), 20)
        for union in unions:
            kinds = set(
                Role.objects.filter(unit=union, department__isnull=True).values_list(
                    "kind", flat=True
                )
            )
            self.assertLessEqual({"reporter", "approver"}, kinds, union.code)
        chair = User.objects.get(username="cdcs.chilang.duyet")
        self.assertTrue(chair.check_password(data.PASSWORD))
        self.client.force_login(chair)
        # Sent as from the page, the warnings its figures may raise confirmed.
        self.client.post(reverse("report_move", args=[self.draft.pk, "gui"]), {"confirmed": "1"})
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.state, Report.State.SUBMITTED)

    def test_a_grassroots_reporter_sees_who_can_send_the_report(self):
        self.client.force_login(User.objects.get(username="cdcs.chilang"))
        response = self.client.get(reverse("report_detail", args=[self.draft.pk]))
        self.assertContains(response, "sending it is for: Chủ tịch CĐCS mẫu số 1 (Chi Lăng)")
        self.assertNotContains(response, reverse("report_move", args=[self.draft.pk, "gui"]))

    def test_the_printed_logins_mention_a_grassroots_approver(self):
        from io import StringIO

        out = StringIO()
        call_command("load_demo", stdout=out)
        self.assertIn("cdcs.caoloc.duyet", out.getvalue())

    def test_reminding_every_unit_still_to_come_reaches_people_and_names_who_has_nobody(self):
        from django.contrib.messages import get_messages

        self.client.force_login(User.objects.get(username="tinh.duyet"))
        province = Unit.objects.get(code="LS")
        response = self.client.post(reverse("remind_missing", args=[self.campaign.pk, province.pk]))
        said = " ".join(str(m) for m in get_messages(response.wsgi_request))
        self.assertRegex(said, r"Reminded [1-9]\d* people\.")
        # District federations without demo accounts are named, not silently skipped.
        self.assertIn("Liên đoàn Lao động huyện Đình Lập", said)
