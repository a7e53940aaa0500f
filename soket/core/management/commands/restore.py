"""Restore the database and the media files from an archive made by `manage.py backup`:

manage.py restore var/backups/soket-20260105-023000.tar
manage.py restore --check soket-20260105-023000.tar     verify it, change nothing
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from soket.core import backup

YES = "yes"


class Command(BaseCommand):
    help = (
        "Replace the database and the media folder with those of a backup archive, after "
        "checking it (engine, checksums, migrations). Stop the site and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a .tar archive made by manage.py backup")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only read the whole archive against its checksums; change nothing",
        )

    def handle(self, *args, archive, interactive=True, check=False, **options):
        path = Path(archive)
        try:
            manifest = backup.inspect(path)
            self.stdout.write(self._describe(path, manifest))
            if check:
                outcome = backup.verify(path)
                self.stdout.write(
                    _("The archive is complete and matches its checksums (%.1f s).")
                    % outcome.seconds
                )
                return
            if interactive and not self._confirmed(backup.current_engine(), manifest):
                raise CommandError(_("Restore cancelled; nothing was changed."))
            outcome = backup.restore(path=path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Restored the database and %(files)d media files as they were on %(made)s, "
                "in %(seconds).1f s."
            )
            % {
                "files": manifest["media"]["files"],
                "made": backup.made_on(manifest),
                "seconds": outcome.seconds,
            }
        )
        if outcome.pending_migrations:
            self.stdout.write(
                _(
                    "The archive predates %d migrations of this version of Soket: run "
                    "manage.py migrate."
                )
                % outcome.pending_migrations
            )

    def _describe(self, path: Path, manifest: dict) -> str:
        return _(
            "%(path)s: made on %(made)s, %(engine)s database (%(database)s), %(files)d media "
            "files (%(media)s)."
        ) % {
            "path": path,
            "made": backup.made_on(manifest),
            "engine": backup.engine_label(manifest["engine"]),
            "database": filesizeformat(manifest["database"]["bytes"]),
            "files": manifest["media"]["files"],
            "media": filesizeformat(manifest["media"]["bytes"]),
        }

    def _confirmed(self, engine, manifest: dict) -> bool:
        self.stdout.write(
            _(
                "This replaces the database %(database)s and the media folder %(media)s with "
                "the archive's; what they hold now is lost."
            )
            % {"database": engine.describe(), "media": backup.media_folder()}
        )
        answer = input(_("Type yes to go on: "))
        return answer.strip().lower() == YES
