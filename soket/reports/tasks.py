"""Work for the background runner (django-tasks; `manage.py worker` runs it).

Every task here must be safe to run twice, or twice at once (see soket.core.worker).
"""

from django_tasks import task

from soket.notices.tasks import deliver_and_follow_up
from soket.reports import lateness, reminders


@task()
def sweep_reminders() -> dict:
    """Send the reminders due today and deliver their e-mails.

    Run twice, it notifies nobody twice (every reminder has a key) and sends no mail
    twice (mails are claimed before they are sent and marked once the relay has them).
    """
    created = reminders.sweep(today=lateness.today())
    return {"notices": created, **deliver_and_follow_up()}
