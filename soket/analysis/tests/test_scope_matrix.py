"""Every kind of person against every unit the address can name: the authorization
matrix's people and places (soket/tests/test_authorization_matrix.py), for the unit the
analysis is asked for in its query string, which the matrix's rows cannot carry.

    O  district A1, where the people work   B  below it: grassroots union A1-01
    S  its sibling, district A2             A  above it: province A
"""

from __future__ import annotations

import itertools
import shutil
import tempfile

from django.test import TestCase, override_settings
from django.urls import reverse

from soket.tests.test_authorization_matrix import (
    ADMIN,
    ANON,
    APPROVER,
    DEPT_A,
    DEPT_W,
    IDENTITIES,
    NONE,
    REPORTER,
    SUPER,
    VIEWER,
    World,
)

PLACES = {"O": "A1", "B": "A1-01", "S": "A2", "A": "A"}
# A role at A1 sees A1 and below; a department's role is the province's viewer's.
ALLOWED = {
    ANON: "", NONE: "", VIEWER: "OB", REPORTER: "OB", APPROVER: "OB", ADMIN: "OB",
    DEPT_W: "OBSA", DEPT_A: "OBSA", SUPER: "OBSA",
}  # fmt: skip
MEDIA = tempfile.mkdtemp(prefix="soket-analysis-matrix-")


@override_settings(MEDIA_ROOT=MEDIA)
class UnitScopeMatrixTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        World.build(cls)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_every_person_at_every_unit(self):
        campaign = self.campaigns["A"].pk
        urls = (
            reverse("target_analysis", args=[campaign]),
            reverse("target_analysis_units", args=[campaign, self.target.pk]),
        )
        for identity in IDENTITIES:
            self.client.logout()
            if identity != ANON:
                self.client.force_login(self.people[identity])
            for (letter, code), url in itertools.product(PLACES.items(), urls):
                allowed = letter in ALLOWED[identity]
                with self.subTest(who=identity, place=letter, url=url, allowed=allowed):
                    response = self.client.get(url, {"don-vi": self.units[code].pk})
                    if identity == ANON:
                        self.assertEqual(response.status_code, 302)
                        self.assertIn(reverse("login"), response["Location"])
                    elif allowed:
                        self.assertEqual(response.status_code, 200)
                        self.assertEqual(response.context["analysis"].unit, self.units[code])
                    else:
                        self.assertEqual(response.status_code, 404)

    def test_the_page_opens_at_each_persons_highest_unit(self):
        url = reverse("target_analysis", args=[self.campaigns["A"].pk])
        for identity, code in ((VIEWER, "A1"), (DEPT_W, "A"), (SUPER, "A")):
            self.client.force_login(self.people[identity])
            with self.subTest(who=identity):
                self.assertEqual(self.client.get(url).context["analysis"].unit, self.units[code])
