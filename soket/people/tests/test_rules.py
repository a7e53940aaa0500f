"""Who manages whom: roles given and taken only within one's subtree, never one's own,
accounts only when all their roles lie within it; everything audited."""

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from soket.audit.models import Entry
from soket.notices.models import Notice, OutgoingMail
from soket.orgs.models import Role, User
from soket.people import access, selectors, services
from soket.people.access import PeopleError
from soket.people.actions import Action
from soket.people.tests.fixtures import build_people
from soket.testing import BaseTestCase, make_user

SITE = "https://soket.example.org/"


def logs_in(client, username: str, password: str) -> bool:
    """Whether the log-in page lets the person in."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def snapshot():
    return (
        list(Role.objects.order_by("pk").values_list("pk", "user_id", "unit_id", "kind")),
        list(User.objects.order_by("pk").values_list("pk", "is_active", "password")),
        Entry.objects.count(),
        Notice.objects.count(),
    )


class PeopleTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_people(cls)

    def new(self, username="moi", unit=None, kind=Role.Kind.REPORTER, department=None, **more):
        return services.NewPerson(
            username=username,
            full_name=more.get("full_name", "Nguyễn Văn Mới"),
            email=more.get("email", f"{username}@example.org"),
            unit=unit or self.grassroots_a1,
            kind=kind,
            department=department,
        )


class WhoManagesPeopleTestCase(PeopleTestCase):
    def test_campaign_administrators_and_the_system_administrator_manage_people(self):
        superuser = make_user("root")
        superuser.is_superuser = True
        superuser.save()
        self.assertTrue(access.manages_people(self.ada))
        self.assertTrue(access.manages_people(self.dave))
        self.assertTrue(access.manages_people(superuser))
        for someone in (self.alice, self.carol, self.gus, self.erin):
            self.assertFalse(access.manages_people(someone), someone)

    def test_a_department_campaign_administrator_manages_nobody(self):
        # A department's role never manages anything, whatever its kind says.
        head = make_user("head")
        Role.objects.create(
            user=head, unit=self.district_a1, department=self.dept_a1, kind="campaign_admin"
        )
        self.assertFalse(access.manages_people(head))
        self.assertFalse(access.visible_people(head).exists())

    def test_a_deactivated_administrator_manages_nobody(self):
        User.objects.filter(pk=self.ada.pk).update(is_active=False)
        self.ada.refresh_from_db()
        self.assertFalse(access.manages_people(self.ada))
        self.assertFalse(access.visible_people(self.ada).exists())

    def test_the_district_administrator_sees_only_people_with_a_role_in_her_subtree(self):
        seen = set(access.visible_people(self.ada).values_list("username", flat=True))
        self.assertEqual(seen, {"alice", "ada", "gus", "max"})

    def test_the_province_administrator_sees_the_whole_province_and_nobody_else(self):
        seen = set(access.visible_people(self.dave).values_list("username", flat=True))
        self.assertEqual(seen, {"alice", "bob", "carol", "dave", "ada", "gus", "max"})


class GrantTestCase(PeopleTestCase):
    def test_a_role_below_is_given_and_audited(self):
        role, created = services.role_grant(
            by=self.ada, person=self.gus, unit=self.district_a1, kind=Role.Kind.VIEWER
        )
        self.assertTrue(created)
        entry = Entry.objects.get(action=Action.GRANT_ROLE)
        self.assertEqual(entry.by, self.ada)
        self.assertEqual(entry.object_id, str(role.pk))
        self.assertEqual(
            entry.after, {"user": "gus", "unit": "A1", "kind": "viewer", "department": None}
        )

    def test_a_role_already_held_changes_nothing(self):
        before = snapshot()
        _role, created = services.role_grant(
            by=self.ada, person=self.gus, unit=self.grassroots_a1, kind=Role.Kind.REPORTER
        )
        self.assertFalse(created)
        self.assertEqual(snapshot(), before)

    def test_a_role_grant_above_or_outside_ones_subtree_is_refused(self):
        before = snapshot()
        for unit in (self.province_a, self.confederation, self.district_a2, self.grassroots_a2,
                     self.district_b1, self.grassroots_b1):  # fmt: skip
            with self.subTest(unit=unit.code), self.assertRaises(PeopleError) as refused:
                services.role_grant(by=self.ada, person=self.gus, unit=unit, kind="viewer")
            self.assertEqual(refused.exception.field, "unit")
            self.assertIn(unit.name, str(refused.exception))
        self.assertEqual(snapshot(), before)

    def test_nobody_gives_themselves_anything(self):
        before = snapshot()
        for admin, unit in ((self.ada, self.grassroots_a1), (self.dave, self.district_a1)):
            with self.subTest(admin=admin.username), self.assertRaises(PeopleError):
                services.role_grant(by=admin, person=admin, unit=unit, kind="approver")
        self.assertEqual(snapshot(), before)

    def test_a_person_outside_the_subtree_cannot_be_given_a_role_even_inside_it(self):
        before = snapshot()
        with self.assertRaises(PeopleError):
            services.role_grant(
                by=self.ada, person=self.bob, unit=self.grassroots_a1, kind="viewer"
            )
        self.assertEqual(snapshot(), before)

    def test_a_department_role_only_for_a_department_of_that_unit_in_the_subtree(self):
        role, _ = services.role_grant(
            by=self.ada, person=self.gus, unit=self.district_a1, kind="reporter",
            department=self.dept_a1,
        )  # fmt: skip
        self.assertEqual(role.department, self.dept_a1)
        before = snapshot()
        with self.assertRaises(PeopleError) as refused:  # A2's department, named at A1
            services.role_grant(
                by=self.ada, person=self.gus, unit=self.district_a1, kind="reporter",
                department=self.dept_a2,
            )  # fmt: skip
        self.assertEqual(refused.exception.field, "department")
        with self.assertRaises(PeopleError) as refused:  # A2's department at A2: outside
            services.role_grant(
                by=self.ada, person=self.gus, unit=self.district_a2, kind="reporter",
                department=self.dept_a2,
            )  # fmt: skip
        self.assertEqual(refused.exception.field, "unit")
        with self.assertRaises(PeopleError) as refused:
            services.role_grant(
                by=self.ada, person=self.gus, unit=self.district_a1, kind="campaign_admin",
                department=self.dept_a1,
            )  # fmt: skip
        self.assertEqual(refused.exception.field, "kind")
        self.assertEqual(snapshot(), before)

    def test_only_a_system_administrator_changes_a_system_administrator(self):
        operator = make_user("operator", self.grassroots_a1, Role.Kind.VIEWER)
        operator.is_superuser = True
        operator.save()
        with self.assertRaises(PeopleError):
            services.role_grant(
                by=self.ada, person=operator, unit=self.grassroots_a1, kind="reporter"
            )
        with self.assertRaises(PeopleError):
            services.person_set_active(by=self.ada, person=operator, active=False)


class TakeTestCase(PeopleTestCase):
    def test_a_role_below_is_taken_and_audited(self):
        extra, _ = services.role_grant(
            by=self.ada, person=self.gus, unit=self.district_a1, kind=Role.Kind.VIEWER
        )
        services.role_take(by=self.ada, role=extra)
        self.assertFalse(Role.objects.filter(pk=extra.pk).exists())
        entry = Entry.objects.get(action=Action.TAKE_ROLE)
        self.assertEqual((entry.by, entry.object_id), (self.ada, str(extra.pk)))
        self.assertEqual(entry.before["unit"], "A1")

    def test_a_role_beside_the_subtree_is_not_taken(self):
        beside = Role.objects.get(user=self.max, unit=self.grassroots_a2)
        before = snapshot()
        with self.assertRaises(PeopleError):
            services.role_take(by=self.ada, role=beside)
        self.assertEqual(snapshot(), before)

    def test_nobody_takes_their_own_role(self):
        services.role_grant(by=self.dave, person=self.ada, unit=self.grassroots_a1, kind="viewer")
        mine = Role.objects.get(user=self.ada, unit=self.grassroots_a1)
        with self.assertRaises(PeopleError):
            services.role_take(by=self.ada, role=mine)
        self.assertTrue(Role.objects.filter(pk=mine.pk).exists())

    def test_the_last_role_is_kept_and_the_message_says_what_to_do(self):
        only = Role.objects.get(user=self.gus)
        with self.assertRaises(PeopleError) as refused:
            services.role_take(by=self.ada, role=only)
        self.assertIn("gus", str(refused.exception))
        self.assertTrue(Role.objects.filter(pk=only.pk).exists())


class AccountTestCase(PeopleTestCase):
    def test_an_account_with_every_role_inside_is_deactivated_audited_and_reactivated(self):
        self.assertTrue(services.person_set_active(by=self.ada, person=self.gus, active=False))
        self.gus.refresh_from_db()
        self.assertFalse(self.gus.is_active)
        self.assertFalse(services.person_set_active(by=self.ada, person=self.gus, active=False))
        self.assertEqual(Entry.objects.filter(action=Action.DEACTIVATE).count(), 1)
        services.person_set_active(by=self.ada, person=self.gus, active=True)
        entry = Entry.objects.get(action=Action.REACTIVATE)
        self.assertEqual((entry.before, entry.after), ({"is_active": False}, {"is_active": True}))

    def test_a_deactivated_person_can_no_longer_log_in_and_their_session_ends(self):
        gus = get_user_model().objects.get(pk=self.gus.pk)
        self.client.force_login(gus)
        self.assertEqual(self.client.get("/").status_code, 200)
        services.person_set_active(by=self.ada, person=self.gus, active=False)
        self.assertIn("/dang-nhap/", self.client.get("/")["Location"])
        self.assertFalse(logs_in(self.client, "gus", "password"))

    def test_an_account_with_a_role_beside_the_subtree_is_left_to_an_administrator_above(self):
        before = snapshot()
        with self.assertRaises(PeopleError) as refused:
            services.person_set_active(by=self.ada, person=self.max, active=False)
        self.assertIn("max", str(refused.exception))
        with self.assertRaises(PeopleError):
            services.password_link_send(by=self.ada, person=self.max, site=SITE)
        self.assertEqual(snapshot(), before)
        self.assertFalse(access.can_manage_account(self.ada, self.max))
        # The province's administrator manages both of max's units.
        self.assertTrue(services.person_set_active(by=self.dave, person=self.max, active=False))

    def test_nobody_deactivates_themselves(self):
        with self.assertRaises(PeopleError):
            services.person_set_active(by=self.dave, person=self.dave, active=False)
        self.assertTrue(User.objects.get(pk=self.dave.pk).is_active)

    def test_a_fresh_link_is_sent_and_audited_and_the_password_still_works(self):
        User.objects.filter(pk=self.gus.pk).update(email="gus@example.org")
        self.gus.refresh_from_db()
        services.password_link_send(by=self.ada, person=self.gus, site=SITE)
        mail = OutgoingMail.objects.get()
        self.assertEqual(mail.to, "gus@example.org")
        self.assertIn(f"{SITE}nguoi-dung/dat-mat-khau/", mail.body)
        entry = Entry.objects.get(action=Action.SEND_PASSWORD_LINK)
        self.assertEqual(entry.after, {"email": "gus@example.org", "first": False})
        self.assertTrue(logs_in(self.client, "gus", "password"))

    def test_no_link_without_an_address_or_to_a_deactivated_account(self):
        with self.assertRaises(PeopleError):
            services.password_link_send(by=self.ada, person=self.gus, site=SITE)
        User.objects.filter(pk=self.gus.pk).update(email="gus@example.org", is_active=False)
        self.gus.refresh_from_db()
        with self.assertRaises(PeopleError):
            services.password_link_send(by=self.ada, person=self.gus, site=SITE)
        self.assertFalse(Notice.objects.exists())


class AddPersonTestCase(PeopleTestCase):
    def test_a_person_is_added_with_a_first_role_no_password_and_one_invitation(self):
        person = services.person_add(by=self.ada, new=self.new(), site=SITE)
        self.assertFalse(person.has_usable_password())
        self.assertEqual(
            list(person.roles.values_list("unit__code", "kind")), [("A1-01", "reporter")]
        )
        notice = Notice.objects.get()
        self.assertEqual(notice.user, person)
        self.assertTrue(notice.url.startswith(f"{SITE}nguoi-dung/dat-mat-khau/"))
        self.assertEqual(OutgoingMail.objects.get().to, "moi@example.org")
        actions = set(Entry.objects.values_list("action", flat=True))
        self.assertEqual(actions, {Action.ADD_PERSON, Action.GRANT_ROLE, Action.SEND_PASSWORD_LINK})

    @override_settings(LANGUAGE_CODE="vi")
    def test_the_invitation_is_in_the_sites_language_whatever_the_administrators(self):
        from django.utils import translation

        with translation.override("en"):
            services.person_add(by=self.ada, new=self.new(), site=SITE)
        # Vietnamese once the lead has merged the translations (notes/tr_people.py).
        self.assertIn("moi", Notice.objects.get().text)
        self.assertIn("Đặt mật khẩu", Notice.objects.get().text)

    def test_a_person_above_or_outside_is_not_added_and_nothing_is_written(self):
        before = snapshot()
        for unit in (self.province_a, self.district_a2, self.grassroots_b1):
            with self.subTest(unit=unit.code), self.assertRaises(PeopleError):
                services.person_add(by=self.ada, new=self.new(unit=unit), site=SITE)
        self.assertEqual(snapshot(), before)

    def test_a_taken_username_a_bad_username_or_a_bad_address_is_refused_by_field(self):
        cases = [
            (self.new(username="GUS"), "username"),
            (self.new(username="có dấu cách"), "username"),
            (self.new(username="x" * 151), "username"),
            (self.new(email="không-phải-thư"), "email"),
            (self.new(email=""), "email"),
            (self.new(full_name=""), "full_name"),
        ]
        before = snapshot()
        for new, field in cases:
            with self.subTest(field=field), self.assertRaises(PeopleError) as refused:
                services.person_add(by=self.ada, new=new, site=SITE)
            self.assertEqual(refused.exception.field, field)
        self.assertEqual(snapshot(), before)


class PeopleListTestCase(PeopleTestCase):
    def test_the_list_shows_roles_inside_and_counts_the_others(self):
        _page, rows = selectors.people_page(by=self.ada)
        by_name = {row.person.username: row for row in rows}
        self.assertEqual(set(by_name), {"ada", "alice", "gus", "max"})
        self.assertEqual([r.unit.code for r in by_name["max"].roles], ["A1-01"])
        self.assertEqual(by_name["max"].elsewhere, 1)

    def test_filtered_by_unit_and_searched(self):
        _page, rows = selectors.people_page(by=self.dave, within=self.grassroots_a1)
        self.assertEqual({row.person.username for row in rows}, {"gus", "max"})
        _page, rows = selectors.people_page(by=self.dave, search="AL")
        self.assertEqual({row.person.username for row in rows}, {"alice"})

    def test_pages_are_read_in_a_fixed_number_of_queries(self):
        User.objects.bulk_create(User(username=f"p{i:03}") for i in range(120))
        Role.objects.bulk_create(
            Role(user=user, unit=self.grassroots_a1, kind="viewer")
            for user in User.objects.filter(username__startswith="p")
        )
        with self.assertNumQueries(5):
            page, rows = selectors.people_page(by=self.ada, page=2)
        self.assertEqual(len(rows), selectors.PEOPLE_PER_PAGE)
        self.assertEqual(page.paginator.count, 124)
