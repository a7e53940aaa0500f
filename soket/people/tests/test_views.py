"""Every people page: who gets in, which methods it answers, what it says back."""

from django.urls import reverse

from soket.audit.models import Entry
from soket.orgs.models import Role, User
from soket.people.tests.test_rules import PeopleTestCase, snapshot


class ViewChecklistTestCase(PeopleTestCase):
    def urls(self):
        """(name, args, the method it answers, the method it refuses)."""
        gus, role = self.gus.pk, Role.objects.get(user=self.gus).pk
        return [
            ("people_list", [], "get", "post"),
            ("person_add", [], "get", "put"),
            ("person_detail", [gus], "get", "post"),
            ("role_grant", [gus], "post", "get"),
            ("role_take", [gus, role], "post", "get"),
            ("person_deactivate", [gus], "post", "get"),
            ("person_reactivate", [gus], "post", "get"),
            ("person_send_link", [gus], "post", "get"),
            ("people_import", [], "get", "put"),
            ("people_import_template", ["xlsx"], "get", "post"),
        ]

    def test_anonymous_people_are_sent_to_log_in(self):
        for name, args, method, _wrong in self.urls():
            with self.subTest(name):
                response = getattr(self.client, method)(reverse(name, args=args))
                self.assertEqual(response.status_code, 302)
                self.assertIn("/dang-nhap/", response["Location"])

    def test_a_wrong_method_is_refused(self):
        self.client.force_login(self.ada)
        for name, args, _method, wrong in self.urls():
            with self.subTest(name):
                response = getattr(self.client, wrong)(reverse(name, args=args))
                self.assertEqual(response.status_code, 405)

    def test_people_who_manage_nobody_are_refused_and_nothing_changes(self):
        before = snapshot()
        for someone in (self.alice, self.carol, self.gus):
            self.client.force_login(someone)
            for name, args, method, _wrong in self.urls():
                with self.subTest(name, who=someone.username):
                    response = getattr(self.client, method)(reverse(name, args=args))
                    self.assertIn(response.status_code, (403, 404))
        self.assertEqual(snapshot(), before)

    def test_a_person_outside_the_subtree_is_not_found(self):
        self.client.force_login(self.ada)
        role = Role.objects.get(user=self.bob)
        before = snapshot()
        for name, args, method in [
            ("person_detail", [self.bob.pk], "get"),
            ("role_grant", [self.bob.pk], "post"),
            ("role_take", [self.bob.pk, role.pk], "post"),
            ("person_deactivate", [self.bob.pk], "post"),
            ("person_send_link", [self.bob.pk], "post"),
        ]:
            with self.subTest(name):
                response = getattr(self.client, method)(
                    reverse(name, args=args), {"unit": "A1-01", "kind": "viewer"}
                )
                self.assertEqual(response.status_code, 404)
        # Nor is a role of someone else taken through a person she manages.
        response = self.client.post(reverse("role_take", args=[self.gus.pk, role.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(snapshot(), before)


class PagesTestCase(PeopleTestCase):
    def setUp(self):
        self.client.force_login(self.ada)

    def test_the_list_shows_her_people_filters_by_unit_and_says_when_a_code_is_not_hers(self):
        response = self.client.get(reverse("people_list"))
        self.assertContains(response, reverse("person_detail", args=[self.gus.pk]))
        self.assertNotContains(response, reverse("person_detail", args=[self.bob.pk]))
        response = self.client.get(reverse("people_list"), {"don-vi": "A1-01"})
        self.assertNotContains(response, reverse("person_detail", args=[self.alice.pk]))
        self.assertContains(response, reverse("person_detail", args=[self.max.pk]))
        response = self.client.get(reverse("people_list"), {"don-vi": "A2"})
        self.assertNotContains(response, reverse("person_detail", args=[self.max.pk]))
        self.assertContains(response, "A2")

    def test_a_refused_grant_keeps_what_was_typed_and_says_why(self):
        response = self.client.post(
            reverse("role_grant", args=[self.gus.pk]),
            {"unit": "A2", "kind": "approver", "department": ""},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'value="A2"', status_code=400)
        self.assertContains(response, '<option value="approver" selected>', status_code=400)
        self.assertContains(response, self.district_a2.name, status_code=400)
        self.assertFalse(Entry.objects.exists())

    def test_an_unknown_unit_code_is_named(self):
        response = self.client.post(
            reverse("role_grant", args=[self.gus.pk]), {"unit": "ZZZ", "kind": "viewer"}
        )
        self.assertContains(response, "ZZZ", status_code=400)

    def test_a_grant_redirects_to_the_person_with_a_message(self):
        response = self.client.post(
            reverse("role_grant", args=[self.gus.pk]), {"unit": "A1", "kind": "viewer"}, follow=True
        )
        self.assertRedirects(response, reverse("person_detail", args=[self.gus.pk]))
        self.assertTrue(Role.objects.filter(user=self.gus, unit=self.district_a1).exists())
        self.assertEqual(len(list(response.context["messages"])), 1)

    def test_a_refused_take_redirects_with_the_reason(self):
        only = Role.objects.get(user=self.gus)
        response = self.client.post(reverse("role_take", args=[self.gus.pk, only.pk]), follow=True)
        self.assertRedirects(response, reverse("person_detail", args=[self.gus.pk]))
        [message] = list(response.context["messages"])
        self.assertIn("gus", str(message))
        self.assertTrue(Role.objects.filter(pk=only.pk).exists())

    def test_the_add_page_keeps_what_was_typed_on_error(self):
        typed = {"username": "moi", "full_name": "Nguyễn Văn Mới", "email": "moi@example.org",
                 "unit": "A", "kind": "reporter", "department": ""}  # fmt: skip
        response = self.client.post(reverse("person_add"), typed)
        self.assertEqual(response.status_code, 400)
        for value in ("moi", "Nguyễn Văn Mới", "moi@example.org", "A"):
            self.assertContains(response, f'value="{value}"', status_code=400)
        self.assertFalse(User.objects.filter(username="moi").exists())

    def test_her_own_page_offers_no_change_to_her_roles_or_account(self):
        response = self.client.get(reverse("person_detail", args=[self.ada.pk]))
        self.assertNotContains(response, reverse("role_grant", args=[self.ada.pk]))
        self.assertNotContains(response, reverse("person_deactivate", args=[self.ada.pk]))

    def test_a_person_with_roles_beside_shows_no_account_buttons(self):
        response = self.client.get(reverse("person_detail", args=[self.max.pk]))
        self.assertContains(response, reverse("role_grant", args=[self.max.pk]))
        self.assertNotContains(response, reverse("person_deactivate", args=[self.max.pk]))
        self.assertNotContains(response, self.grassroots_a2.name)  # nothing of A2 is shown

    def test_the_nav_links_to_the_people_pages_only_for_those_who_manage_people(self):
        # Needs the lead's change to soket/templates/base.html (see the report).
        self.assertContains(self.client.get("/"), f'href="{reverse("people_list")}"')
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get("/"), f'href="{reverse("people_list")}"')

    def test_the_set_password_page_of_a_broken_link_says_so_to_anyone(self):
        self.client.logout()
        response = self.client.get(reverse("people_set_password", args=["MQ", "sai-ma"]))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["validlink"])
