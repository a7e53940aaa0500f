"""What the apps above keep in step with the tree.

The hierarchy knows nothing of campaigns or reports, yet their running counts and
totals follow every unit created, closed, reopened or moved. Such an app registers a
follower when Django starts (its AppConfig.ready), and the tree's services call every
follower inside their own transaction, so the tree and what follows it change together.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol

from django.db.models import Q

from soket.orgs.models import Unit


class TreeFollower(Protocol):
    def units_created(self, unit_ids: list[int]) -> None:
        """New units were added (they have nothing of their own yet)."""

    def changing(self, units: Callable[[], Q]) -> contextlib.AbstractContextManager[None]:
        """Around a change of the units `units()` names (closed, reopened, of another kind
        or moved): `units` is called again after the change, which may move them."""

    def unit_rehung(self, unit: Unit, *, old_parent_id: int | None) -> None:
        """A unit now hangs under another parent."""

    def bulk_change(self) -> contextlib.AbstractContextManager[None]:
        """Around a bulk load: followers may catch up once at its end."""


_followers: list[TreeFollower] = []


def follow(follower: TreeFollower) -> None:
    """Register a follower, once per kind of follower however often apps start."""
    if not any(type(known) is type(follower) for known in _followers):
        _followers.append(follower)


def units_created(unit_ids: list[int]) -> None:
    for follower in _followers:
        follower.units_created(unit_ids)


@contextlib.contextmanager
def changing(units: Callable[[], Q]) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for follower in _followers:
            stack.enter_context(follower.changing(units))
        yield


def unit_rehung(unit: Unit, *, old_parent_id: int | None) -> None:
    for follower in _followers:
        follower.unit_rehung(unit, old_parent_id=old_parent_id)


@contextlib.contextmanager
def bulk_change() -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for follower in _followers:
            stack.enter_context(follower.bulk_change())
        yield
