import datetime

from django.core.management.base import BaseCommand, CommandError

from soket.core import clock
from soket.reports import reminders
from soket.reports.tasks import sweep_reminders


class Command(BaseCommand):
    help = (
        "Send the report reminders that are due. Safe to run as often as you like (cron, "
        "or --enqueue for the db_worker runner): each reminder goes out once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Sweep as on this day (YYYY-MM-DD).")
        parser.add_argument(
            "--enqueue", action="store_true", help="Leave the sweep to the background runner."
        )

    def handle(self, *args, date=None, enqueue=False, **options):
        if enqueue:
            result = sweep_reminders.enqueue()
            self.stdout.write(f"Enqueued the reminder sweep ({result.id}).")
            return
        try:
            today = datetime.date.fromisoformat(date) if date else clock.today()
        except ValueError:
            raise CommandError("--date takes YYYY-MM-DD") from None
        sent = reminders.sweep(today=today)
        self.stdout.write(f"Sent {sent} notices.")
