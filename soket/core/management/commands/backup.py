"""Back up the database and the media files into one archive:

manage.py backup                              var/backups/soket-YYYYMMDD-HHMMSS.tar
manage.py backup /srv/backups/ --keep 14      that folder, keeping the 14 newest
manage.py backup /mnt/usb/soket.tar           that file
"""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from soket.core import backup


class Command(BaseCommand):
    help = (
        "Back up the database and the media files (attachments, Word templates) into one "
        ".tar archive, written atomically. Safe to run while the site runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "destination",
            nargs="?",
            help="archive file, or a folder for a timestamped name (default: var/backups/)",
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="afterwards delete all but the N newest soket-*.tar archives in that folder",
        )

    def handle(self, *args, destination=None, keep=None, **options):
        if keep is not None and keep < 1:
            raise CommandError(_("--keep must be at least 1."))
        try:
            outcome = backup.backup(destination=destination, keep=keep)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        manifest = outcome.manifest
        self.stdout.write(
            _(
                "Backed up the %(engine)s database (%(database)s) and %(files)d media files "
                "(%(media)s) to %(path)s in %(seconds).1f s."
            )
            % {
                "engine": backup.engine_label(manifest["engine"]),
                "database": filesizeformat(manifest["database"]["bytes"]),
                "files": manifest["media"]["files"],
                "media": filesizeformat(manifest["media"]["bytes"]),
                "path": outcome.path,
                "seconds": outcome.seconds,
            }
        )
        for path in outcome.pruned:
            self.stdout.write(_("Deleted the older backup %s.") % path)
