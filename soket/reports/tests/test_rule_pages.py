"""A campaign's administrators add rules across targets on the campaign's own pages, as
DHIS2 users do (“S's result ≤ R's denominator”); everyone who sees the campaign reads
them; the next save that breaks one is refused with its message."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from soket.audit.models import Entry
from soket.campaigns.models import Campaign, OutlineSection
from soket.orgs.models import Role
from soket.reports import rules, services
from soket.reports.models import Figure, ValidationRule
from soket.testing import CampaignTestCase, make_target, make_user

BROKEN = "Số đoàn viên mới không thể nhiều hơn tổng số công đoàn cơ sở."


class RulePagesTestCase(CampaignTestCase):
    """Province A's campaign, administered by `dave`; `amy` administers district A1
    (below the campaign's owner), `bea` province B (beside it)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.amy = make_user("amy", cls.district_a1, Role.Kind.CAMPAIGN_ADMIN)
        cls.bea = make_user("bea", cls.province_b, Role.Kind.CAMPAIGN_ADMIN)
        # A target of the resolution that the campaign's outline does not link.
        cls.t_outside = make_target(
            cls.resolution, "X", "sum", 10, wording="Chỉ tiêu ngoài đề cương", order=9
        )

    def setUp(self):
        self.list_url = reverse("validation_rules", args=[self.campaign.pk])
        self.add_url = reverse("validation_rule_add", args=[self.campaign.pk])
        self.client.force_login(self.dave)

    def add(self, left: str, operator: str, right: str, message: str = ""):
        return self.client.post(
            self.add_url, {"left": left, "operator": operator, "right": right, "message": message}
        )

    def key(self, target, side: str = "value") -> str:
        return f"{target.pk}:{side}"

    def make_rule(self, **fields) -> ValidationRule:
        given = {
            "left_target": self.t_sum,
            "left_side": "value",
            "operator": "<=",
            "right_target": self.t_ratio,
            "right_side": "denominator",
            "message": BROKEN,
        }
        given.update(fields)
        return rules.rule_add(by=self.dave, campaign=self.campaign, **given)

    def remove_url(self, rule: ValidationRule) -> str:
        return reverse("validation_rule_remove", args=[self.campaign.pk, rule.pk])

    def post_report(self, report, **typed):
        data = {"revision": report.revision}
        for target, numbers in typed.items():
            pk = {"S": self.t_sum, "R": self.t_ratio}[target].pk
            data[f"override-{pk}"] = ""
            for name, value in numbers.items():
                data[f"{name}-{pk}"] = value
        return self.client.post(reverse("report_save", args=[report.pk]), data)


class AddingARuleTests(RulePagesTestCase):
    def test_the_administrator_adds_a_rule_and_the_next_save_that_breaks_it_is_refused(self):
        response = self.add(self.key(self.t_sum), "<=", self.key(self.t_ratio, "denominator"),
                            f"  {BROKEN}\r\n")  # fmt: skip
        self.assertRedirects(response, self.list_url)
        rule = ValidationRule.objects.get(campaign=self.campaign)
        self.assertEqual(
            (rule.left_target, rule.left_side, rule.operator, rule.right_target, rule.right_side),
            (self.t_sum, "value", "<=", self.t_ratio, "denominator"),
        )
        self.assertEqual(rule.message, BROKEN)
        entry = Entry.objects.get(action=rules.Action.ADD)
        self.assertEqual((entry.by, entry.object_id), (self.dave, str(rule.pk)))
        self.assertEqual(entry.after["right_side"], "denominator")

        # District A1 then saves 50 new members out of 10 unions: refused, with the message.
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)
        response = self.post_report(
            report, S={"value": "50"}, R={"numerator": "8", "denominator": "10"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, BROKEN, status_code=400)
        self.assertContains(response, "S (Đoàn viên mới)", status_code=400)
        self.assertFalse(Figure.objects.filter(report=report).exists())
        # The page kept what was typed.
        self.assertContains(response, 'value="50"', status_code=400)

        response = self.post_report(
            report, S={"value": "5"}, R={"numerator": "8", "denominator": "10"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Figure.objects.get(report=report, target=self.t_sum).value, 5)

    def test_the_form_offers_only_the_numbers_the_outline_gives(self):
        response = self.client.get(self.list_url)
        offered = {
            number.key for _target, numbers in response.context["numbers"] for number in numbers
        }
        self.assertEqual(
            offered,
            {
                self.key(self.t_sum),
                self.key(self.t_ratio),
                self.key(self.t_ratio, "numerator"),
                self.key(self.t_ratio, "denominator"),
                self.key(self.t_share),
                self.key(self.t_share, "numerator"),
                self.key(self.t_share, "denominator"),
            },
        )  # not Q (qualitative), not X (outside the outline)
        # Grouped by target, each number named by its code, and by its label where it has one.
        self.assertContains(response, '<optgroup label="R — Tỷ lệ vững mạnh">', html=False)
        self.assertContains(response, "R (tử số: vững mạnh)")
        self.assertContains(response, "S (kết quả)")
        self.assertNotContains(response, "Chỉ tiêu ngoài đề cương")

    def test_a_target_outside_the_outline_is_refused_and_what_was_typed_is_kept(self):
        response = self.add(self.key(self.t_outside), ">=", self.key(self.t_sum), "Xem lại X.")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Báo cáo của đợt này không có chỉ tiêu này.", status_code=400)
        form = response.context["form"]
        self.assertEqual((form.operator, form.right, form.message), (">=", self.key(self.t_sum),
                                                                     "Xem lại X."))  # fmt: skip
        self.assertEqual(list(form.errors), ["left"])
        self.assertContains(response, '<option value="&gt;=" selected>', status_code=400)
        self.assertContains(
            response, f'<option value="{self.key(self.t_sum)}" selected>', status_code=400
        )
        self.assertContains(response, "Xem lại X.</textarea>", status_code=400)
        self.assertFalse(ValidationRule.objects.exists())
        self.assertFalse(Entry.objects.filter(action=rules.Action.ADD).exists())

    def test_an_id_that_is_no_target_at_all_is_refused_the_same_way(self):
        for typed in ("999999:value", "99999999999999999999999:value", "abc", "1:tu-so"):
            with self.subTest(typed=typed):
                response = self.add(typed, "<=", self.key(self.t_sum))
                self.assertEqual(response.status_code, 400)
                self.assertIn("left", response.context["form"].errors)
        self.assertFalse(ValidationRule.objects.exists())

    def test_what_clean_refuses_is_refused_by_the_page_in_the_same_words(self):
        cases = [
            # A sum has no numerator.
            (self.key(self.t_sum, "numerator"), self.key(self.t_ratio), "left",
             "Chỉ tiêu này không có tử số, mẫu số."),
            # One number compared with itself.
            (self.key(self.t_sum), self.key(self.t_sum), "right",
             "So một số với chính nó thì không kiểm tra được gì."),
            # A qualitative target has no number.
            (self.key(self.t_qual), self.key(self.t_sum), "left",
             "Chỉ tiêu định tính không có số để so sánh."),
        ]  # fmt: skip
        for left, right, where, words in cases:
            with self.subTest(words=words):
                response = self.add(left, "<", right)
                self.assertContains(response, words, status_code=400)
                self.assertIn(where, response.context["form"].errors)
                self.assertEqual(response.context["form"].left, left)
        self.assertFalse(ValidationRule.objects.exists())

    def test_a_rule_the_campaign_already_has_is_not_added_twice(self):
        self.make_rule()
        response = self.add(self.key(self.t_sum), "<=", self.key(self.t_ratio, "denominator"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(list(response.context["form"].errors), ["rule"])
        self.assertEqual(ValidationRule.objects.count(), 1)
        with self.assertRaises(ValidationError) as raised:
            self.make_rule(message="")
        self.assertEqual(list(raised.exception.message_dict), [NON_FIELD_ERRORS])

    def test_an_operator_or_number_left_unchosen_is_named(self):
        response = self.add("", "≤", self.key(self.t_sum), "Giữ nguyên")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.context["form"].errors), {"left", "operator"})
        self.assertContains(response, "Giữ nguyên</textarea>", status_code=400)

    def test_a_message_too_long_to_read_is_refused(self):
        with self.assertRaises(ValidationError) as raised:
            self.make_rule(message="x" * (rules.MESSAGE_LIMIT + 1))
        self.assertEqual(list(raised.exception.message_dict), ["message"])


class ReadingTheRulesTests(RulePagesTestCase):
    def setUp(self):
        super().setUp()
        self.rule = self.make_rule()

    def test_everyone_who_sees_the_campaign_reads_the_rules_in_words(self):
        for person in (self.carol, self.alice, self.grassroots_reporter, self.amy):
            with self.subTest(person=person.username):
                self.client.force_login(person)
                response = self.client.get(self.list_url)
                self.assertContains(response, "S (kết quả) ≤ R (mẫu số)")
                self.assertContains(response, "Đoàn viên mới")
                self.assertContains(response, "Tỷ lệ vững mạnh")
                self.assertContains(response, BROKEN)
                # Read only: no form to add, no button to remove.
                self.assertFalse(response.context["can_administer"])
                self.assertNotContains(response, self.add_url)
                self.assertNotContains(response, self.remove_url(self.rule))

    def test_the_administrator_sees_the_form_and_the_remove_button(self):
        response = self.client.get(self.list_url)
        self.assertContains(response, self.add_url)
        self.assertContains(response, self.remove_url(self.rule))

    def test_someone_who_does_not_see_the_campaign_finds_nothing(self):
        self.client.force_login(self.bea)
        self.assertEqual(self.client.get(self.list_url).status_code, 404)
        self.assertFalse(rules.campaign_rules(user=self.bea, campaign=self.campaign).exists())

    def test_the_reports_page_links_to_the_rules(self):
        response = self.client.get(reverse("campaign_reports", args=[self.campaign.pk]))
        self.assertContains(response, self.list_url)
        self.assertTrue(response.context["can_administer"])
        self.assertEqual(response.context["rule_count"], 1)
        self.client.force_login(self.alice)
        response = self.client.get(reverse("campaign_reports", args=[self.campaign.pk]))
        self.assertContains(response, self.list_url)
        self.assertFalse(response.context["can_administer"])


class WhoMayChangeTheRulesTests(RulePagesTestCase):
    def setUp(self):
        super().setUp()
        self.rule = self.make_rule()

    def test_only_the_campaigns_own_administrators_add_or_remove(self):
        # (who, what they get): those who see the campaign are refused, the others find nothing.
        people = [
            (self.alice, 403),  # approver of district A1, writes A1's report
            (self.grassroots_reporter, 403),
            (self.carol, 403),  # viewer of the owner
            (self.province_approver, 403),  # approver of the owner, not its administrator
            (self.department_writer, 403),
            (self.amy, 403),  # administrator of a unit below the owner
            (self.bea, 404),  # administrator of another province
        ]
        entries = Entry.objects.count()
        for person, status in people:
            with self.subTest(person=person.username):
                self.client.force_login(person)
                response = self.add(self.key(self.t_sum), ">=", self.key(self.t_ratio))
                self.assertEqual(response.status_code, status)
                response = self.client.post(self.remove_url(self.rule))
                self.assertEqual(response.status_code, status)
                with self.assertRaises(PermissionDenied):
                    rules.rule_remove(by=person, rule=self.rule)
                with self.assertRaises(PermissionDenied):
                    rules.rule_add(
                        by=person, campaign=self.campaign, left_target=self.t_sum,
                        left_side="value", operator="<", right_target=self.t_ratio,
                        right_side="value",
                    )  # fmt: skip
        self.assertEqual(list(ValidationRule.objects.all()), [self.rule])
        self.assertEqual(Entry.objects.count(), entries)

    def test_the_system_operator_may_add_and_remove(self):
        operator = make_user("ops")
        operator.is_superuser = True
        operator.save()
        self.client.force_login(operator)
        response = self.add(self.key(self.t_sum), ">=", self.key(self.t_share))
        self.assertRedirects(response, self.list_url)
        response = self.client.post(self.remove_url(self.rule))
        self.assertRedirects(response, self.list_url)
        self.assertEqual(ValidationRule.objects.get().right_target, self.t_share)


class RemovingARuleTests(RulePagesTestCase):
    def test_the_administrator_removes_a_rule_and_the_trail_keeps_it(self):
        rule = self.make_rule()
        words = str(rule)
        response = self.client.post(self.remove_url(rule))
        self.assertRedirects(response, self.list_url, fetch_redirect_response=False)
        self.assertFalse(ValidationRule.objects.exists())
        entry = Entry.objects.get(action=rules.Action.REMOVE)
        self.assertEqual((entry.by, entry.object_id, entry.object_repr), (self.dave, str(rule.pk),
                                                                          words))  # fmt: skip
        self.assertEqual(entry.before["message"], BROKEN)
        # A second click changes nothing and says so.
        response = self.client.post(self.remove_url(rule), follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Entry.objects.filter(action=rules.Action.REMOVE).count(), 1)

    def test_a_removed_rule_no_longer_blocks_a_save(self):
        rule = self.make_rule()
        self.client.post(self.remove_url(rule))
        report = services.report_for(campaign=self.campaign, unit=self.district_a1)
        self.client.force_login(self.alice)
        response = self.post_report(
            report, S={"value": "50"}, R={"numerator": "8", "denominator": "10"}
        )
        self.assertEqual(response.status_code, 302)

    def test_a_rule_of_another_campaign_is_not_removed_through_this_one(self):
        other = Campaign.objects.create(
            state="issued", code="tong-ket-a", owner=self.province_a, kind="final",
            title="Tổng kết tỉnh A", reviewed_from="2013-01-01", reviewed_to="2018-12-31",
        )  # fmt: skip
        OutlineSection.objects.create(campaign=other, order=1, number="I.", heading="KQ")
        other.outline_sections.get().targets.set([self.t_sum, self.t_ratio])
        rule = rules.rule_add(
            by=self.dave, campaign=other, left_target=self.t_sum, left_side="value",
            operator="<=", right_target=self.t_ratio, right_side="denominator",
        )  # fmt: skip
        response = self.client.post(self.remove_url(rule))
        self.assertRedirects(response, self.list_url, fetch_redirect_response=False)
        self.assertTrue(ValidationRule.objects.filter(pk=rule.pk).exists())
        url = reverse("validation_rule_remove", args=[self.campaign.pk + 999, rule.pk])
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(ValidationRule.objects.filter(pk=rule.pk).exists())


class RuleChangeTests(RulePagesTestCase):
    def test_a_change_is_checked_and_audited(self):
        rule = self.make_rule()
        changed = rules.rule_change(
            by=self.dave, rule=rule, left_target=self.t_sum, left_side="value", operator="<",
            right_target=self.t_ratio, right_side="denominator", message="Mới",
        )  # fmt: skip
        self.assertEqual((changed.operator, changed.message), ("<", "Mới"))
        entry = Entry.objects.get(action=rules.Action.CHANGE)
        self.assertEqual((entry.before["operator"], entry.after["operator"]), ("<=", "<"))
        with self.assertRaises(ValidationError):
            rules.rule_change(
                by=self.dave, rule=rule, left_target=self.t_outside, left_side="value",
                operator="<", right_target=self.t_sum, right_side="value",
            )  # fmt: skip
        with self.assertRaises(PermissionDenied):
            rules.rule_change(
                by=self.amy, rule=rule, left_target=self.t_sum, left_side="value",
                operator=">", right_target=self.t_ratio, right_side="denominator",
            )  # fmt: skip
        self.assertEqual(ValidationRule.objects.get().operator, "<")

    def test_the_back_office_saves_through_the_same_service(self):
        operator = make_user("ops")
        operator.is_superuser = operator.is_staff = True
        operator.save()
        self.client.force_login(operator)
        data = {
            "campaign": self.campaign.pk, "left_target": self.t_sum.pk, "left_side": "value",
            "operator": "<=", "right_target": self.t_ratio.pk, "right_side": "denominator",
            "message": "Từ trang quản trị",
        }  # fmt: skip
        response = self.client.post(reverse("admin:reports_validationrule_add"), data)
        self.assertEqual(response.status_code, 302)
        rule = ValidationRule.objects.get()
        self.assertTrue(Entry.objects.filter(action=rules.Action.ADD, by=operator).exists())
        # The same rule twice is refused on the form, not by an error page.
        response = self.client.post(reverse("admin:reports_validationrule_add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(ValidationRule.objects.count(), 1)
        response = self.client.post(
            reverse("admin:reports_validationrule_delete", args=[rule.pk]), {"post": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Entry.objects.filter(action=rules.Action.REMOVE, by=operator).exists())


class RuleViewChecklistTests(RulePagesTestCase):
    def setUp(self):
        super().setUp()
        self.rule = self.make_rule()
        self.urls = {
            "list": self.list_url,
            "add": self.add_url,
            "remove": self.remove_url(self.rule),
        }

    def test_anonymous_people_are_sent_to_log_in(self):
        self.client.logout()
        for name, url in self.urls.items():
            for method in ("get", "post"):
                with self.subTest(url=name, method=method):
                    response = getattr(self.client, method)(url)
                    self.assertEqual(response.status_code, 302)
                    self.assertIn("/dang-nhap/", response["Location"])
        self.assertTrue(ValidationRule.objects.exists())

    def test_the_forms_take_only_a_post(self):
        for name in ("add", "remove"):
            with self.subTest(url=name):
                self.assertEqual(self.client.get(self.urls[name]).status_code, 405)
        self.assertTrue(ValidationRule.objects.exists())

    def test_the_list_is_read_only(self):
        self.assertEqual(self.client.post(self.list_url).status_code, 405)

    def test_the_pages_speak_vietnamese_by_default_and_english_on_request(self):
        response = self.client.get(self.list_url)
        self.assertContains(response, "S (kết quả) ≤ R (mẫu số)")
        with translation.override("en"):
            self.assertEqual(str(self.rule), "S (result) ≤ R (denominator)")
