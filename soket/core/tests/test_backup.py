"""Backing up and restoring: every row and every file comes back exactly as it was at the
backup, and an archive that is damaged, of the other engine or from a newer Soket is
refused without changing anything. Real commands, real database, real files."""

import hashlib
import io
import json
import shutil
import sys
import tarfile
import tempfile
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import TransactionTestCase, override_settings
from django.utils import translation

from soket.core import backup
from soket.documents import services as documents
from soket.orgs.models import Unit
from soket.reports import attachments
from soket.reports import services as reports
from soket.reports.models import Attachment
from soket.testing import build_campaign, build_tree, make_unit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEMPLATE = Path(documents.__file__).parent / "builtin" / "van-ban.docx"
LATER_TABLE = "core_backup_added_later"


def every_row() -> dict[str, list[tuple]]:
    """Every row of every table Soket has, many-to-many tables included."""
    return {
        model._meta.db_table: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
    }


def every_file(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def member_data_offset(archive: Path, name: str) -> int:
    with tarfile.open(archive) as tar:
        return tar.getmember(name).offset_data


def rewrite_manifest(archive: Path, change) -> None:
    """Edit the manifest in place, as someone tampering with an archive would."""
    with tarfile.open(archive) as tar:
        member = tar.getmember(backup.MANIFEST)
        manifest = json.loads(tar.extractfile(member).read())
    change(manifest)
    data = json.dumps(manifest).encode().ljust(member.size, b" ")
    with archive.open("r+b") as handle:
        handle.seek(member.offset_data)
        handle.write(data)


def flip_byte(archive: Path, offset: int) -> None:
    with archive.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))


class BackupTestCase(TransactionTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.folder)
        self.media = self.folder / "media"
        override = override_settings(
            MEDIA_ROOT=str(self.media),
            # Ten people are made for every test; hashing their passwords slowly is no test.
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        )
        override.enable()
        self.addCleanup(override.disable)
        self.enterContext(translation.override("en"))  # messages checked in English
        build_tree(self)
        build_campaign(self)
        self.report = reports.report_for(campaign=self.campaign, unit=self.district_a1)
        reports.report_save(
            report=self.report,
            by=self.alice,
            revision=self.report.revision,
            sections={self.section_results.pk: "Kết nạp 120 đoàn viên mới."},
            figures={self.t_sum.pk: reports.FigureInput(value=Decimal(120))},
        )
        self.attachment = attachments.attachment_add(
            report=self.report, by=self.alice, upload=SimpleUploadedFile("Báo cáo.pdf", PDF)
        )
        self.template = documents.template_upload(
            unit=self.province_a,
            kind="report",
            upload=SimpleUploadedFile("Mẫu báo cáo.docx", TEMPLATE.read_bytes()),
            by=self.dave,
        )

    def back_up(self, *options: str) -> Path:
        folder = self.folder / "archives"
        before = set(folder.iterdir()) if folder.exists() else set()
        call_command("backup", f"{folder}/", *options, stdout=io.StringIO())
        (archive,) = set(folder.iterdir()) - before
        return archive

    def restore(self, archive: Path, *options: str) -> str:
        output = io.StringIO()
        call_command("restore", str(archive), "--no-input", *options, stdout=output)
        return output.getvalue()

    def change_everything(self) -> None:
        """Edit, add and delete rows and files, as a day of work after the backup would."""
        self.report.refresh_from_db()
        reports.report_save(
            report=self.report,
            by=self.alice,
            revision=self.report.revision,
            sections={self.section_results.pk: "Đã sửa sau khi sao lưu."},
        )
        attachments.attachment_remove(attachment=self.attachment, by=self.alice)
        attachments.attachment_add(
            report=self.report, by=self.alice, upload=SimpleUploadedFile("Mới.pdf", PDF + b"2")
        )
        Path(self.template.file.path).write_bytes(b"overwritten")
        make_unit("A1-03", self.kinds["grassroots"], self.district_a1)
        Unit.objects.filter(code="B1-01").delete()

    def assertNothingLeftBehind(self):
        leftovers = [path.name for path in self.folder.iterdir() if path.name.startswith(".")]
        self.assertEqual(leftovers, [])

    def test_a_restore_brings_back_every_row_and_file_as_they_were_at_the_backup(self):
        archive = self.back_up()
        rows, files = every_row(), every_file(self.media)
        self.assertEqual(len(files), 2)  # the attachment and the Word template
        attachment_pk = self.attachment.pk

        self.change_everything()
        self.assertNotEqual(every_row(), rows)
        self.assertNotEqual(every_file(self.media), files)

        said = self.restore(archive)
        self.assertEqual(every_row(), rows)
        self.assertEqual(every_file(self.media), files)
        self.assertIn("Restored the database and 2 media files", said)
        restored = Attachment.objects.get(pk=attachment_pk)
        with restored.file.open("rb") as handle:
            self.assertEqual(handle.read(), PDF)
        self.assertNothingLeftBehind()

    def test_a_table_created_after_the_backup_is_gone_after_the_restore(self):
        # As after an upgrade whose migrations added a table pointing at existing ones.
        archive = self.back_up()
        self.addCleanup(self.drop_later_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE {LATER_TABLE} (id integer PRIMARY KEY, "
                f"unit_id bigint REFERENCES orgs_unit (id))"
            )
            cursor.execute(f"INSERT INTO {LATER_TABLE} VALUES (1, %s)", [self.province_a.pk])
        rows = every_row()

        self.restore(archive)
        self.assertNotIn(LATER_TABLE, connection.introspection.table_names())
        self.assertEqual(every_row(), rows)

    def drop_later_table(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {LATER_TABLE}")

    def test_the_manifest_names_the_engine_migrations_and_checksums_of_the_parts(self):
        archive = self.back_up()
        self.assertEqual(Path(archive).stat().st_mode & 0o777, 0o600)  # for its owner only
        with tarfile.open(archive) as tar:
            names = tar.getnames()
            manifest = json.loads(tar.extractfile(backup.MANIFEST).read())
            database = tar.extractfile(manifest["database"]["member"]).read()
        self.assertEqual(names[0], backup.MANIFEST)
        self.assertEqual(manifest["engine"], connection.vendor)
        self.assertEqual(manifest["migrations"]["reports"], latest_migration("reports"))
        self.assertEqual(manifest["database"]["bytes"], len(database))
        self.assertEqual(manifest["database"]["sha256"], hashlib.sha256(database).hexdigest())
        self.assertEqual(manifest["media"]["files"], 2)
        self.assertEqual(sorted(n for n in names if n.startswith("media/")), sorted([
            f"media/{self.attachment.file.name}", f"media/{self.template.file.name}",
        ]))  # fmt: skip
        self.assertRegex(archive.name, backup.ARCHIVE_NAME)

    def test_a_damaged_database_or_media_file_is_refused_and_nothing_changes(self):
        archive = self.back_up()
        self.change_everything()
        rows, files = every_row(), every_file(self.media)
        for member in (database_member(), f"media/{self.attachment.file.name}"):
            with self.subTest(member=member):
                damaged = self.folder / "damaged.tar"
                shutil.copyfile(archive, damaged)
                flip_byte(damaged, member_data_offset(damaged, member) + 10)
                with self.assertRaisesMessage(CommandError, "checksum"):
                    self.restore(damaged)
                self.assertEqual(every_row(), rows)
                self.assertEqual(every_file(self.media), files)
                damaged.unlink()
        self.assertNothingLeftBehind()

    def test_a_database_that_cannot_be_loaded_leaves_database_and_media_as_they_were(self):
        # The archive's checksums agree with a database its engine cannot read, so the
        # media folder has been swapped in by the time loading fails: it must go back.
        archive = self.back_up()
        member = database_member()
        flip_byte(archive, member_data_offset(archive, member))
        with tarfile.open(archive) as tar:
            checksum = hashlib.sha256(tar.extractfile(member).read()).hexdigest()
        rewrite_manifest(archive, lambda manifest: manifest["database"].update(sha256=checksum))
        self.change_everything()
        rows, files = every_row(), every_file(self.media)

        with self.assertRaisesMessage(CommandError, "left as it was"):
            self.restore(archive)
        self.assertEqual(every_row(), rows)
        self.assertEqual(every_file(self.media), files)
        self.assertNothingLeftBehind()

    def test_an_archive_of_the_other_engine_is_refused_and_nothing_changes(self):
        archive = self.back_up()
        other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
        rewrite_manifest(archive, lambda manifest: manifest.update(engine=other))
        self.change_everything()
        rows, files = every_row(), every_file(self.media)
        with self.assertRaises(CommandError):
            self.restore(archive)
        self.assertEqual(every_row(), rows)
        self.assertEqual(every_file(self.media), files)

    def test_an_archive_from_a_newer_soket_is_refused_and_nothing_changes(self):
        archive = self.back_up()
        rewrite_manifest(
            archive, lambda manifest: manifest["migrations"].update(reports="9999_from_later")
        )
        self.change_everything()
        rows = every_row()
        with self.assertRaisesMessage(CommandError, "reports.9999_from_later"):
            self.restore(archive)
        self.assertEqual(every_row(), rows)

    def test_a_file_that_is_no_archive_is_refused(self):
        not_archive = self.folder / "notes.tar"
        not_archive.write_bytes(b"not a tar file at all" * 100)
        for path in (not_archive, self.folder / "missing.tar"):
            with self.subTest(path=path.name), self.assertRaises(CommandError):
                self.restore(path)

    def test_a_restore_not_confirmed_changes_nothing(self):
        archive = self.back_up()
        self.change_everything()
        rows = every_row()
        self.addCleanup(setattr, sys, "stdin", sys.stdin)
        sys.stdin = io.StringIO("no\n")
        with self.assertRaises(CommandError):
            call_command("restore", str(archive), stdout=io.StringIO())
        self.assertEqual(every_row(), rows)

    def test_check_reads_the_whole_archive_and_changes_nothing(self):
        archive = self.back_up()
        self.change_everything()
        rows, files = every_row(), every_file(self.media)
        self.restore(archive, "--check")
        self.assertEqual(every_row(), rows)
        self.assertEqual(every_file(self.media), files)
        flip_byte(archive, member_data_offset(archive, f"media/{self.template.file.name}"))
        with self.assertRaisesMessage(CommandError, "checksum"):
            self.restore(archive, "--check")

    def test_keep_deletes_the_oldest_archives_and_nothing_else(self):
        folder = self.folder / "archives"
        folder.mkdir()
        for name in ("soket-20240101-020000.tar", "soket-20250101-020000.tar", "notes.txt"):
            (folder / name).write_bytes(b"")
        made = self.back_up("--keep", "2")
        self.assertEqual(
            sorted(path.name for path in folder.iterdir()),
            sorted([made.name, "soket-20250101-020000.tar", "notes.txt"]),
        )

    def test_a_backup_is_never_written_inside_the_media_folder_it_copies(self):
        with self.assertRaises(CommandError):
            call_command("backup", f"{self.media}/backups/", stdout=io.StringIO())
        self.assertFalse((self.media / "backups").exists())

    def test_an_existing_archive_is_never_overwritten(self):
        archive = self.folder / "archive.tar"
        archive.write_bytes(b"keep me")
        with self.assertRaises(CommandError):
            call_command("backup", str(archive), stdout=io.StringIO())
        self.assertEqual(archive.read_bytes(), b"keep me")


def database_member() -> str:
    return "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"


def latest_migration(app: str) -> str:
    return MigrationRecorder(connection).migration_qs.filter(app=app).order_by("id").last().name
