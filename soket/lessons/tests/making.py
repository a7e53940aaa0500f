"""What the lessons tests share: reports written and moved through the real services."""

from __future__ import annotations

from decimal import Decimal

from soket.orgs.models import User
from soket.reports import services
from soket.reports.models import Report
from soket.reports.services import FigureInput


def operators() -> tuple[User, User]:
    return User.objects.get(username="admin"), User.objects.get(username="reviewer")


def written(case, unit, *, texts=None, causes="", items=None, state="accepted", department=None):
    """`unit`'s report in `case.campaign` with these section texts ({section: text}),
    causes for the sum target and review item assessments, moved to `state`."""
    sender, reviewer = operators()
    report = services.report_for(campaign=case.campaign, unit=unit, department=department)
    figures = {}
    if causes and department is None:
        figures = {case.t_sum.pk: FigureInput(value=Decimal(5), causes=causes)}
    report = services.report_save(
        report=report,
        by=sender,
        revision=report.revision,
        sections={section.pk: text for section, text in (texts or {}).items()},
        figures=figures,
        items={item.pk: text for item, text in (items or {}).items()},
    )
    if state in (Report.State.SUBMITTED, Report.State.ACCEPTED, Report.State.RETURNED):
        report = services.report_submit(report=report, by=sender, warnings_confirmed=True)
    if state == Report.State.ACCEPTED:
        report = services.report_accept(report=report, by=reviewer)
    if state == Report.State.RETURNED:
        report = services.report_return(report=report, by=reviewer, reason="Xem lại")
    return report
