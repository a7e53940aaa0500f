"""What the apps above keep in step with a campaign.

Who is expected to report, and by when, follows a campaign's participation, reviewed
period and deadlines; the reports app keeps running counts of it. It registers a
follower when Django starts, and whatever changes a campaign asks the followers for
their basis before the change and tells them after it, if the basis moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from soket.campaigns.models import Campaign


class CampaignFollower(Protocol):
    def basis(self, campaign: Campaign) -> tuple:
        """Everything about the campaign that the follower's state depends on."""

    def changed(self, campaign: Campaign) -> None:
        """The campaign's basis moved: catch up."""

    def announce(
        self,
        campaign: Campaign,
        *,
        key: str,
        text: str,
        kind_ids: list[int],
        departments: bool,
        report_date_kinds: list[int],
    ) -> None:
        """Tell the participating units of these levels (and the owner's departments) of
        an issue or an amendment, once each under `key`; of the levels in
        `report_date_kinds`, only the units whose report date is this plan's."""

    def written_sections(self, section_ids: list[int]) -> list[str]:
        """Headings of the outline sections that some report has text under."""


_followers: list[CampaignFollower] = []


def follow(follower: CampaignFollower) -> None:
    """Register a follower, once per kind of follower however often apps start."""
    if not any(type(known) is type(follower) for known in _followers):
        _followers.append(follower)


def basis(campaign: Campaign) -> tuple:
    return tuple(follower.basis(campaign) for follower in _followers)


def changed(campaign: Campaign) -> None:
    for follower in _followers:
        follower.changed(campaign)


def announce(
    campaign: Campaign,
    *,
    key: str,
    text: str,
    kind_ids: list[int],
    departments: bool,
    report_date_kinds: Sequence[int] = (),
) -> None:
    for follower in _followers:
        follower.announce(
            campaign, key=key, text=text, kind_ids=kind_ids, departments=departments,
            report_date_kinds=list(report_date_kinds),
        )  # fmt: skip


def written_sections(section_ids: list[int]) -> list[str]:
    return [
        heading for follower in _followers for heading in follower.written_sections(section_ids)
    ]
