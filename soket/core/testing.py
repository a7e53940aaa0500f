"""What tests share: a small two-province tree with people in scope, above it and outside it."""

from __future__ import annotations

import datetime

from django.test import TestCase

from soket.orgs import services
from soket.orgs.models import Role, Unit, UnitKind, User
from soket.resolutions.models import Resolution


def make_kinds() -> dict[str, UnitKind]:
    rows = [
        ("confederation", "Tổng Liên đoàn", 0),
        ("province", "LĐLĐ tỉnh", 1),
        ("district", "LĐLĐ huyện", 2),
        ("sector", "Công đoàn ngành", 2),
        ("grassroots", "Công đoàn cơ sở", 3),
    ]
    return {
        code: UnitKind.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})[0]
        for code, name, rank in rows
    }


def make_unit(code: str, kind: UnitKind, parent: Unit | None = None, **fields) -> Unit:
    return services.unit_create(
        code=code, name=fields.pop("name", code), kind=kind, parent=parent, **fields
    )


def make_user(username: str, unit: Unit | None = None, kind: str = Role.Kind.VIEWER) -> User:
    user = services.user_ensure(username=username, full_name=username, password="password")
    if unit is not None:
        services.role_grant(user=user, unit=unit, kind=kind)
    return user


def make_resolution(code: str, issuer: Unit, implements: Resolution | None = None) -> Resolution:
    return Resolution.objects.create(
        code=code, title=f"Nghị quyết {code}", congress=f"Đại hội {code}",
        term_start_year=2013, term_end_year=2018, issuer=issuer, implements=implements,
    )  # fmt: skip


class BaseTestCase(TestCase):
    """Confederation › two provinces › districts › grassroots unions, and:

    - `alice`, approver at district A1 (the person in scope);
    - `bob`, approver at district A2, A1's sibling (outside her scope);
    - `carol`, viewer at province A (above her);
    - `dave`, campaign admin at province A;
    - `erin`, approver at province B (another province).
    """

    @classmethod
    def setUpTestData(cls):
        cls.kinds = make_kinds()
        k = cls.kinds
        cls.confederation = make_unit("TLD", k["confederation"])
        cls.province_a = make_unit("A", k["province"], cls.confederation)
        cls.province_b = make_unit("B", k["province"], cls.confederation)
        cls.district_a1 = make_unit("A1", k["district"], cls.province_a)
        cls.district_a2 = make_unit("A2", k["district"], cls.province_a)
        cls.district_b1 = make_unit("B1", k["district"], cls.province_b)
        cls.grassroots_a1 = make_unit("A1-01", k["grassroots"], cls.district_a1)
        cls.grassroots_a1_closed = make_unit(
            "A1-02", k["grassroots"], cls.district_a1, closed_on=datetime.date(2015, 6, 30)
        )
        cls.grassroots_a2 = make_unit("A2-01", k["grassroots"], cls.district_a2)
        cls.grassroots_b1 = make_unit("B1-01", k["grassroots"], cls.district_b1)

        cls.alice = make_user("alice", cls.district_a1, Role.Kind.APPROVER)
        cls.bob = make_user("bob", cls.district_a2, Role.Kind.APPROVER)
        cls.carol = make_user("carol", cls.province_a, Role.Kind.VIEWER)
        cls.dave = make_user("dave", cls.province_a, Role.Kind.CAMPAIGN_ADMIN)
        cls.erin = make_user("erin", cls.province_b, Role.Kind.APPROVER)
