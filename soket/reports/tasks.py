"""Work for the background runner (django-tasks; `manage.py worker` runs it).

Every task here must be safe to run twice, or twice at once (see soket.core.worker).
"""

from django_tasks import task

from soket.notices.tasks import deliver_and_follow_up
from soket.reports import announcing, lateness, reminders


@task()
def sweep_reminders() -> dict:
    """Send the reminders due today (reports, the committees' tasks, surveys) and deliver
    their e-mails.

    Run twice, it notifies nobody twice (every reminder has a key) and sends no mail
    twice (mails are claimed before they are sent and marked once the relay has them).
    """
    today = lateness.today()
    created = reminders.sweep_all(today=today)
    return {"notices": created, **deliver_and_follow_up()}


@task()
def announce_campaign(
    campaign_id: int,
    key: str,
    text: str,
    kind_ids: list[int],
    departments: bool,
    report_date_kinds: list[int] | None = None,
) -> dict:
    """Tell the units of a plan issued or amended, and deliver the e-mails. Run twice, it
    tells nobody twice: each notice carries the announcement's key."""
    told = announcing.announce(
        campaign_id=campaign_id, key=key, text=text, kind_ids=kind_ids, departments=departments,
        report_date_kinds=report_date_kinds or [],
    )  # fmt: skip
    return {"notices": told, **deliver_and_follow_up()}
