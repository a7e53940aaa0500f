from django.urls import reverse

from soket.campaigns.access import visible_campaigns
from soket.campaigns.models import Campaign, Participation
from soket.orgs import access
from soket.orgs.models import Unit
from soket.resolutions.access import visible_resolutions
from soket.testing import BaseTestCase, make_resolution, make_user


class AccessTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.province_resolution = make_resolution("nq-a", cls.province_a)
        cls.other_resolution = make_resolution("nq-b", cls.province_b)
        cls.campaign = Campaign.objects.create(
            state="issued",
            code="so-ket-a",
            owner=cls.province_a,
            kind="interim",
            title="Sơ kết tỉnh A",
            reviewed_from="2013-01-01",
            reviewed_to="2015-12-31",
        )
        participation = Participation.objects.create(campaign=cls.campaign, root=cls.province_a)
        participation.kinds.set(cls.kinds.values())

    def test_a_role_covers_the_subtree(self):
        codes = set(access.visible_units(self.alice).values_list("code", flat=True))
        self.assertEqual(codes, {"A1", "A1-01", "A1-02"})

    def test_it_hides_other_districts(self):
        self.assertFalse(access.can(self.alice, access.Perm.VIEW, self.district_a2))
        self.assertFalse(access.can(self.alice, access.Perm.VIEW, self.grassroots_a2))

    def test_the_level_above_sees_below(self):
        self.assertTrue(access.can(self.carol, access.Perm.VIEW, self.grassroots_a2))
        self.assertFalse(access.can(self.carol, access.Perm.VIEW, self.grassroots_b1))

    def test_editing_stays_with_the_unit_itself(self):
        self.assertTrue(access.can(self.alice, access.Perm.EDIT, self.district_a1))
        self.assertFalse(access.can(self.alice, access.Perm.EDIT, self.grassroots_a1))
        self.assertTrue(access.can(self.alice, access.Perm.REVIEW, self.grassroots_a1))

    def test_a_viewer_cannot_review(self):
        self.assertFalse(access.can(self.carol, access.Perm.REVIEW, self.district_a1))

    def test_plans_and_resolutions_from_above_are_visible(self):
        self.assertIn(self.campaign, visible_campaigns(self.alice))
        self.assertIn(self.province_resolution, visible_resolutions(self.alice))
        self.assertNotIn(self.other_resolution, visible_resolutions(self.alice))
        self.assertNotIn(self.campaign, visible_campaigns(self.erin))

    def test_a_person_without_roles_sees_nothing(self):
        nobody = make_user("nobody")
        self.assertFalse(access.visible_units(nobody).exists())
        self.assertFalse(visible_campaigns(nobody).exists())


class ScopedPagesTestCase(AccessTestCase):
    def setUp(self):
        self.client.force_login(self.alice)

    def test_it_returns_own_unit_page(self):
        response = self.client.get(reverse("unit_detail", args=[self.district_a1.pk]))
        self.assertContains(response, "A1-01")

    def test_it_hides_sibling_unit_page(self):
        response = self.client.get(reverse("unit_detail", args=[self.district_a2.pk]))
        self.assertEqual(response.status_code, 404)

    def test_it_hides_sibling_tree_fragment(self):
        response = self.client.get(reverse("unit_children", args=[self.district_a2.pk]))
        self.assertEqual(response.status_code, 404)

    def test_the_campaign_tree_shows_only_her_scope(self):
        response = self.client.get(reverse("campaign_detail", args=[self.campaign.pk]))
        self.assertContains(response, reverse("unit_children", args=[self.district_a1.pk]))
        self.assertNotContains(response, reverse("unit_detail", args=[self.district_a2.pk]))
        self.assertNotContains(response, reverse("unit_detail", args=[self.province_a.pk]))

    def test_it_hides_campaigns_of_another_province(self):
        self.client.force_login(self.erin)
        response = self.client.get(reverse("campaign_detail", args=[self.campaign.pk]))
        self.assertEqual(response.status_code, 404)
        response = self.client.get(reverse("home"))
        self.assertNotContains(response, "Sơ kết tỉnh A")

    def test_it_hides_resolutions_of_another_province(self):
        response = self.client.get(reverse("resolution_detail", args=[self.other_resolution.pk]))
        self.assertEqual(response.status_code, 404)

    def test_the_campaign_tree_fragment_keeps_to_participants(self):
        outsider = Unit.objects.get(code="A1-01")
        Participation.objects.get().kinds.remove(self.kinds["grassroots"])
        response = self.client.get(
            reverse("campaign_unit_children", args=[self.campaign.pk, self.district_a1.pk])
        )
        self.assertNotContains(response, outsider.name)

    def test_the_campaign_tree_fragment_keeps_to_what_the_person_sees(self):
        response = self.client.get(
            reverse("campaign_unit_children", args=[self.campaign.pk, self.district_a2.pk])
        )
        self.assertEqual(response.status_code, 404)

    def test_anonymous_visitors_are_sent_to_log_in(self):
        self.client.logout()
        response = self.client.get(reverse("campaign_detail", args=[self.campaign.pk]))
        self.assertRedirects(
            response,
            reverse("login") + "?next=" + reverse("campaign_detail", args=[self.campaign.pk]),
        )

    def test_import_is_for_campaign_admins(self):
        response = self.client.get(reverse("unit_import"))
        self.assertEqual(response.status_code, 403)


class TreeTopsTestCase(BaseTestCase):
    def test_the_tree_starts_at_the_outermost_role(self):
        from soket.orgs import selectors
        from soket.orgs.services import role_grant

        role_grant(user=self.carol, unit=self.district_a1, kind="viewer")
        tops = selectors.unit_tree_roots(user=self.carol)
        self.assertEqual([u.code for u in tops], ["A"])

    def test_a_campaign_tree_starts_where_scope_and_campaign_meet(self):
        from soket.orgs import selectors

        inside = selectors.unit_tree_roots(user=self.carol, within=[self.confederation])
        self.assertEqual([u.code for u in inside], ["A"])
        narrower = selectors.unit_tree_roots(user=self.carol, within=[self.district_a2])
        self.assertEqual([u.code for u in narrower], ["A2"])
        elsewhere = selectors.unit_tree_roots(user=self.carol, within=[self.province_b])
        self.assertEqual(list(elsewhere), [])

    def test_a_system_administrator_starts_at_the_top(self):
        from soket.orgs import selectors

        admin = make_user("root")
        admin.is_superuser = True
        admin.save()
        self.assertEqual([u.code for u in selectors.unit_tree_roots(user=admin)], ["TLD"])


class OutOfRangeIdsTestCase(BaseTestCase):
    def test_huge_ids_are_not_found_rather_than_crashing(self):
        self.client.force_login(self.alice)
        huge = "9" * 25
        for url in (f"/don-vi/{huge}/", f"/dot/{huge}/", f"/nghi-quyet/{huge}/"):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        response = self.client.get(f"/dot/{huge}/don-vi/{huge}/con/")
        self.assertEqual(response.status_code, 404)

    def test_an_unknown_template_format_is_not_found(self):
        self.client.force_login(self.dave)
        response = self.client.get(reverse("unit_import_template", args=["exe"]))
        self.assertEqual(response.status_code, 404)
