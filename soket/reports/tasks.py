"""Work for the background runner (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task

from soket.core import clock
from soket.reports import reminders


@task()
def sweep_reminders() -> int:
    return reminders.sweep(today=clock.today())
