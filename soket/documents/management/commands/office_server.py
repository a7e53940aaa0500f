"""Run the resident converter and keep it running (`soket.documents.office_server`):

manage.py office_server

`make run` starts it beside the background runner; in production it is a service of its
own (README, "PDF"). It listens on the socket SOKET_OFFICE_SERVER names, and refuses to
run when that is empty, or in a folder other accounts may write to. While it runs, a PDF
takes a fraction of a second; while it does not, PDFs are made as before, by a
LibreOffice started for each.
"""

from django.core.management.base import BaseCommand, CommandError

from soket.documents import office_server


class Command(BaseCommand):
    help = "Run the resident LibreOffice that makes PDFs, and start it again if it fails."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--check-every",
            type=float,
            default=5.0,
            help="seconds between two checks that the converter answers (default 5)",
        )

    def handle(self, *args, **options):
        supervisor = office_server.Supervisor(check_every=options["check_every"])
        try:
            supervisor.run()
        except office_server.SupervisorRefused as refused:
            raise CommandError(str(refused)) from None
