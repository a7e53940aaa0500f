import datetime

from django.core.management.base import BaseCommand, CommandError

from soket.notices import delivery
from soket.reports import lateness, reminders
from soket.reports.tasks import sweep_reminders


class Command(BaseCommand):
    help = (
        "Send the reminders that are due (reports, committee tasks, surveys) and deliver the "
        "e-mails waiting in the outbox. Safe to run as often as you like (cron, or "
        "--enqueue for the runner, `manage.py worker`): each reminder goes out once. Exits "
        "with status 1 when an e-mail could not be sent (it is retried by a later run)."
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
            today = datetime.date.fromisoformat(date) if date else lateness.today()
        except ValueError:
            raise CommandError("--date takes YYYY-MM-DD") from None
        created = reminders.sweep_all(today=today)
        result = delivery.deliver()
        waiting = delivery.waiting_count()
        self.stdout.write(f"Notices created: {created}.")
        self.stdout.write(
            f"E-mails sent: {result.sent}, failed: {result.failed}, still waiting: {waiting}."
        )
        if result.relay_unreachable:
            self.stdout.write("The mail relay could not be reached; the rest waits.")
        if result.given_up:
            self.stdout.write(f"Given up after the last try: {result.given_up}.")
        if result.failed:
            raise CommandError(
                f"{result.failed} e-mails could not be sent; see the outbox in the back "
                "office (Notices › E-mails) for the reasons."
            )
