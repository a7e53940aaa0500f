"""The hierarchy at national scale: build a synthetic confederation, then time the
queries every page leans on — a subtree count, an ancestor lookup, a scope, a GROUP BY."""

import datetime

from django.db import connection

from bench.timing import once, timed
from soket.orgs import access, selectors, services
from soket.orgs.models import Role, Unit
from soket.testing import make_kinds, make_user

PROVINCES = 63
DISTRICTS_PER_PROVINCE = 11
SECTORS_PER_PROVINCE = 4


def build_tree(scale: int) -> None:
    kinds = make_kinds()
    spec = services.UnitSpec
    specs = [spec("TLD", "Tổng Liên đoàn (tổng hợp)", kinds["confederation"])]
    parents = []
    for p in range(PROVINCES):
        province = f"P{p:02d}"
        specs.append(spec(province, f"LĐLĐ tỉnh {p}", kinds["province"], "TLD"))
        for d in range(DISTRICTS_PER_PROVINCE):
            parents.append(
                spec(f"{province}-D{d:02d}", f"LĐLĐ huyện {d}", kinds["district"], province)
            )
        for s in range(SECTORS_PER_PROVINCE):
            parents.append(spec(f"{province}-S{s:02d}", f"CĐ ngành {s}", kinds["sector"], province))
    specs += parents
    closed_on = datetime.date(2015, 6, 30)
    for index in range(scale):
        parent = parents[index % len(parents)].code
        specs.append(
            spec(
                f"G{index:06d}",
                f"CĐCS {index}",
                kinds["grassroots"],
                parent,
                closed_on=closed_on if index % 50 == 0 else None,
            )
        )
    services.units_create(specs=specs, batch_size=5000)


def run(*, scale: int) -> None:
    print("\nHierarchy")
    once(
        f"build the tree ({scale:,} grassroots, bulk insert + SQL paths)", lambda: build_tree(scale)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = Unit.objects.count()
    print(f"  units in the tree: {total:,}")

    top = Unit.objects.get(code="TLD")
    province = Unit.objects.get(code="P31")
    district = Unit.objects.get(code="P31-D05")
    leaf = Unit.objects.filter(parent=district).first()
    day = datetime.date(2015, 12, 20)

    n = timed("subtree count, whole confederation", lambda: Unit.objects.subtree_of(top).count())
    assert n == total
    timed("subtree count, one province", lambda: Unit.objects.subtree_of(province).count())
    timed("subtree count, one district", lambda: Unit.objects.subtree_of(district).count())
    timed(
        "open units on a day, whole confederation",
        lambda: Unit.objects.subtree_of(top).active_on(day).count(),
    )
    timed(
        "ancestor lookup of a grassroots union",
        lambda: list(Unit.objects.ancestors_of(leaf).values_list("code", flat=True)),
    )
    timed(
        "units by level, whole confederation (GROUP BY)",
        lambda: selectors.unit_counts_by_kind(units=Unit.objects.subtree_of(top)),
    )

    official = make_user("bench-province", province, Role.Kind.APPROVER)
    timed("scope of a provincial official (count)", lambda: access.visible_units(official).count())
    timed(
        "permission check on a grassroots union",
        lambda: access.can(official, access.Perm.REVIEW, leaf),
    )
    national = make_user("bench-national", top, Role.Kind.VIEWER)
    timed(
        "tree roots and first level for a national viewer",
        lambda: [
            list(selectors.unit_tree_roots(user=national)),
            list(selectors.unit_tree_children(user=national, parent=top)),
        ],
    )
