"""What the analysis tests share: reports put in a state through the real services."""

from __future__ import annotations

from decimal import Decimal

from soket.campaigns.models import Campaign
from soket.orgs.models import Unit, User
from soket.reports import services
from soket.reports.models import Report
from soket.reports.services import FigureInput
from soket.testing import CampaignTestCase, make_operators


def operators() -> tuple[User, User]:
    """The two system administrators of soket.testing.make_operators: one sends, the
    other accepts, since nobody reviews a report they sent."""
    return User.objects.get(username="admin"), User.objects.get(username="reviewer")


def numbers(value=None, numerator=None, denominator=None, **fields) -> FigureInput:
    """A figure as typed; a report that falls short is sent only with its causes, so every
    figure carries some unless the test gives its own."""
    fields.setdefault("causes", "Chưa đủ điều kiện")

    def given(number):
        return None if number is None else Decimal(str(number))

    return FigureInput(
        value=given(value), numerator=given(numerator), denominator=given(denominator), **fields
    )


def report(
    campaign: Campaign, unit: Unit, figures: dict[int, FigureInput], state: str = "accepted"
) -> Report:
    """The unit's report with these figures, moved to `state` (draft, submitted,
    accepted or returned) as people would move it."""
    sender, reviewer = operators()
    item = services.report_for(campaign=campaign, unit=unit)
    item = services.report_save(report=item, by=sender, revision=item.revision, figures=figures)
    if state in (Report.State.SUBMITTED, Report.State.ACCEPTED, Report.State.RETURNED):
        item = services.report_submit(report=item, by=sender, warnings_confirmed=True)
    if state == Report.State.ACCEPTED:
        item = services.report_accept(report=item, by=reviewer)
    if state == Report.State.RETURNED:
        item = services.report_return(report=item, by=reviewer, reason="Xem lại")
    return item


class TwoDistrictsTestCase(CampaignTestCase):
    """CampaignTestCase with the operators, district A1's report accepted (a sum of
    1,234, a ratio of 1/3 that falls short with its causes) and district A2's sent (a
    sum of 66), and `carol`, a viewer of the province, logged in."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_operators()

    def setUp(self):
        report(
            self.campaign,
            self.district_a1,
            {
                self.t_sum.pk: numbers(1234),
                self.t_ratio.pk: numbers(numerator=1, denominator=3, causes="Thiếu cán bộ"),
            },
        )
        report(self.campaign, self.district_a2, {self.t_sum.pk: numbers(66)}, state="submitted")
        self.client.force_login(self.carol)
