"""Back up and restore Soket: the database and the media folder in one .tar archive.

Each engine is copied with its own tool, which takes a consistent copy while the site
runs and scales to the whole confederation: SQLite's online backup API, PostgreSQL's
pg_dump in custom format (dumpdata would hold millions of rows in memory as objects).
Media files are streamed into the archive, never read whole. An archive holds, in order:

    manifest.json      engine, latest migration of each app, time, sizes and SHA-256
    database.sqlite3   or database.pgdump
    media/...          every file under MEDIA_ROOT

The manifest comes first, so a restore refuses the wrong archive before reading
gigabytes; it is written last, into room reserved for it at the start, once every
checksum is known. A restore checks every byte into a work folder first, then swaps the
media folder in by renaming it and replaces the database in one transaction, putting the
old media folder back if the database cannot be replaced: a failure changes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "soket-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_ROOM = 8 * 1024  # six times today's manifest; a multiple of tar's 512 bytes
MEDIA_PREFIX = "media/"
ARCHIVE_NAME = re.compile(r"^soket-\d{8}-\d{6}\.tar$")
CHUNK = 1024 * 1024
SQLITE_BUSY_SECONDS = 60


class BackupError(Exception):
    """A problem the person running the command can understand and act on."""


@dataclass
class Outcome:
    """What a backup or a restore did, for the command to say."""

    path: Path
    manifest: dict
    seconds: float = 0.0
    pruned: list[Path] = field(default_factory=list)
    pending_migrations: int = 0


# The engines ----------------------------------------------------------------------------


class SqliteEngine:
    name = "sqlite"
    label = "SQLite"
    member = "database.sqlite3"

    def __init__(self, settings_dict: dict):
        self.path = Path(settings_dict["NAME"])

    def describe(self) -> str:
        return str(self.path)

    def dump(self, into: Path) -> dict:
        """Copy the live database page by page in one read transaction: writers wait for
        it (at most a few seconds even at national scale), readers do not."""
        if not self.path.is_file():
            raise BackupError(_("The database file %s does not exist.") % self.path)
        with (
            closing(sqlite3.connect(self.path, timeout=SQLITE_BUSY_SECONDS)) as live,
            closing(sqlite3.connect(into)) as copy,
        ):
            try:
                live.backup(copy)
            except sqlite3.Error as error:
                raise BackupError(_("The database could not be copied: %s") % error) from None
        return {"sqlite": sqlite3.sqlite_version}

    def check_tools(self, manifest: dict) -> None:
        pass

    def load(self, source: Path) -> None:
        """Write the checked copy over the live database through the backup API, in one
        write transaction: other connections see the old database or the new one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with (
            closing(sqlite3.connect(source)) as copy,
            closing(sqlite3.connect(self.path, timeout=SQLITE_BUSY_SECONDS)) as live,
        ):
            try:
                copy.backup(live)
            except sqlite3.Error as error:
                raise BackupError(
                    _("The database could not be replaced (%s); it was left as it was.") % error
                ) from None

    def after_load(self) -> None:
        pass


# Tables the archive does not have (from migrations applied after the backup) would survive
# pg_restore --clean and break the next migrate: the restore drops every table first, in the
# same transaction as the rest of the restore.
POSTGRES_PREAMBLE = b"""\
BEGIN;
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', t.schemaname, t.tablename);
  END LOOP;
END $$;
"""


PG_RESTORE_OPTIONS = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--file=-"]
PSQL_OPTIONS = ["--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--file=-"]


class PostgresEngine:
    name = "postgresql"
    label = "PostgreSQL"
    member = "database.pgdump"

    def __init__(self, wrapper):
        self.connection = wrapper
        self.settings = wrapper.settings_dict

    def describe(self) -> str:
        host = self.settings.get("HOST") or "localhost"
        return f"{self.settings['NAME']} ({host})"

    def environment(self) -> dict[str, str]:
        """libpq's variables for the configured database, so no password is on a command
        line; Django's own client supplies the password and TLS settings."""
        _args, extra = self.connection.client.settings_to_cmd_args_env(self.settings, [])
        env = {**os.environ, **(extra or {}), "PGAPPNAME": "soket-backup"}
        for key, variable in (
            ("HOST", "PGHOST"),
            ("PORT", "PGPORT"),
            ("USER", "PGUSER"),
            ("NAME", "PGDATABASE"),
        ):
            if self.settings.get(key):
                env[variable] = str(self.settings[key])
        if self.settings.get("OPTIONS", {}).get("options"):
            env["PGOPTIONS"] = self.settings["OPTIONS"]["options"]
        return env

    def server_major(self) -> int:
        self.connection.ensure_connection()
        return self.connection.pg_version // 10000

    def tool(self, name: str) -> tuple[str, int]:
        """The client tool's path and major version."""
        path = shutil.which(name)
        if path is None:
            raise BackupError(
                _(
                    "%(tool)s was not found: install PostgreSQL's client tools of the "
                    "server's major version (on Debian: apt-get install postgresql-client)."
                )
                % {"tool": name}
            )
        output = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        found = re.search(r"(\d+)(?:\.\d+)?", output)
        return path, int(found.group(1)) if found else 0

    def dump(self, into: Path) -> dict:
        pg_dump, client = self.tool("pg_dump")
        server = self.server_major()
        if client < server:
            raise BackupError(
                _(
                    "pg_dump is version %(client)d but the server runs PostgreSQL %(server)d: "
                    "install the client tools of version %(server)d."
                )
                % {"client": client, "server": server}
            )
        command = [pg_dump, "--format=custom", "--no-password", f"--file={into}"]
        finished = subprocess.run(
            command, env=self.environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        if finished.returncode != 0:
            raise BackupError(
                _("pg_dump could not copy the database:\n%s") % _text(finished.stderr)
            )
        return {"postgresql": server, "pg_dump": client}

    def check_tools(self, manifest: dict) -> None:
        _path, client = self.tool("pg_restore")
        self.tool("psql")
        made_by = manifest["tools"].get("pg_dump", 0)
        if client < made_by:
            raise BackupError(
                _(
                    "The archive was written by pg_dump %(dump)d, which pg_restore %(restore)d "
                    "cannot read: install the client tools of version %(dump)d or newer."
                )
                % {"dump": made_by, "restore": client}
            )

    def load(self, source: Path) -> None:
        """pg_restore writes the restore as SQL, psql runs it inside our BEGIN, and COMMIT is
        sent only once pg_restore has finished well: a failure anywhere, or an interruption,
        ends the session without COMMIT and PostgreSQL rolls everything back."""
        env = self.environment()
        pg_restore, _version = self.tool("pg_restore")
        psql, _version = self.tool("psql")
        with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
            writer = subprocess.Popen(
                [pg_restore, *PG_RESTORE_OPTIONS, str(source)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=restore_errors,
            )
            runner = subprocess.Popen(
                [psql, *PSQL_OPTIONS],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=psql_errors,
            )
            dump, restore = writer.stdout, runner.stdin
            assert dump is not None and restore is not None  # both were opened with PIPE
            commit_sent = False
            try:
                restore.write(POSTGRES_PREAMBLE)
                shutil.copyfileobj(dump, restore, CHUNK)
                if writer.wait() == 0:
                    restore.write(b"COMMIT;\n")
                    commit_sent = True
            except BrokenPipeError:
                pass  # psql stopped at an error; its message below says which
            finally:
                dump.close()
                with suppress(BrokenPipeError):
                    restore.close()
                writer.wait()
                runner.wait()
            if not commit_sent or runner.returncode != 0:
                details = [_text(_read(restore_errors)), _text(_read(psql_errors))]
                raise BackupError(
                    _("The database could not be restored; it was left as it was.\n%s")
                    % "\n".join(text for text in details if text)
                )

    def after_load(self) -> None:
        # pg_restore leaves the new tables without statistics; plan queries on real ones.
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def current_engine() -> SqliteEngine | PostgresEngine:
    if connection.vendor == "sqlite":
        return SqliteEngine(connection.settings_dict)
    if connection.vendor == "postgresql":
        return PostgresEngine(connection)
    raise BackupError(_("Backups support SQLite and PostgreSQL only."))


def _read(handle: IO[bytes]) -> bytes:
    handle.seek(0)
    return handle.read()


def _text(output: bytes) -> str:
    return output.decode("utf-8", errors="replace").strip()


def made_on(manifest: dict) -> str:
    """When the archive was made, as dd/mm/yyyy hh:mm in Soket's time zone."""
    try:
        made = datetime.datetime.fromisoformat(manifest["created_at"])
    except ValueError:
        return manifest["created_at"]
    return f"{timezone.localtime(made):%d/%m/%Y %H:%M}"


def engine_label(name: str) -> str:
    return {SqliteEngine.name: SqliteEngine.label, PostgresEngine.name: PostgresEngine.label}.get(
        name, name
    )


# Migrations -----------------------------------------------------------------------------


def latest_migrations() -> dict[str, str]:
    """The last migration applied to the database, app by app."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    latest = {}
    for app, name in recorder.migration_qs.order_by("id").values_list("app", "name"):
        latest[app] = name
    return latest


def unknown_migrations(latest: dict[str, str]) -> list[str]:
    """Migrations the archive's database has and this code does not: a newer Soket's."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    return sorted(f"{app}.{name}" for app, name in latest.items() if (app, name) not in known)


def pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# Writing an archive ---------------------------------------------------------------------


class HashingReader:
    """Reads a file for tarfile, feeding every byte it hands over to a SHA-256."""

    def __init__(self, handle: IO[bytes], digest):
        self.handle = handle
        self.digest = digest

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def media_entry(digest, name: str, size: int) -> None:
    """Put a media file's name and size into the media checksum before its bytes, so a
    renamed or moved file changes the checksum as a changed byte does."""
    digest.update(f"{name}\0{size}\0".encode())


def archive_path(destination: str | None, made_at: datetime.datetime) -> Path:
    """The file named, or a timestamped name in the folder named (var/backups/ by default)."""
    name = f"soket-{made_at:%Y%m%d-%H%M%S}.tar"
    if not destination:
        return Path(settings.BASE_DIR) / "var" / "backups" / name
    if destination.endswith(("/", os.sep)) or Path(destination).is_dir():
        return Path(destination) / name
    return Path(destination)


def backup(*, destination: str | None = None, keep: int | None = None) -> Outcome:
    """Write the archive under a temporary name beside its final one, then rename it:
    an interrupted backup never leaves a file that looks complete."""
    started = time.monotonic()
    engine = current_engine()
    made_at = timezone.localtime(timezone.now())  # the real time, even in the demo
    path = archive_path(destination, made_at)
    if path.exists():
        raise BackupError(_("%s already exists; choose another name.") % path)
    if path.parent.resolve().is_relative_to(media_folder()):
        raise BackupError(_("Keep backups outside the media folder %s.") % media_folder())
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": made_at.isoformat(timespec="seconds"),
        "engine": engine.name,
        "migrations": latest_migrations(),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".soket-backup-") as work:
            partial = Path(work) / "archive.tar"
            database = Path(work) / engine.member
            manifest["tools"] = engine.dump(database)
            # tarfile.open() hands copybufsize on to TarFile(); typeshed's overloads omit it.
            with tarfile.open(  # type: ignore[call-overload]
                partial, "w", format=tarfile.PAX_FORMAT, copybufsize=CHUNK
            ) as tar:
                manifest_at = _reserve_manifest(tar)
                manifest["database"] = _add_database(tar, engine.member, database)
                database.unlink()
                manifest["media"] = _add_media(tar, Path(settings.MEDIA_ROOT))
            _write_manifest(partial, manifest_at, manifest)
            partial.chmod(0o600)  # it holds every report and password hash
            os.replace(partial, path)
        _sync_folder(path.parent)
    except OSError as error:
        raise BackupError(_("The backup stopped (%s); no archive was written.") % error) from None
    pruned = prune(path.parent, keep) if keep else []
    return Outcome(path, manifest, time.monotonic() - started, pruned)


def _reserve_manifest(tar: tarfile.TarFile) -> int:
    info = tarfile.TarInfo(MANIFEST)
    info.size = MANIFEST_ROOM
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(b" " * MANIFEST_ROOM))
    return tar.offset - MANIFEST_ROOM  # where its bytes begin: MANIFEST_ROOM needs no padding


def _write_manifest(partial: Path, offset: int, manifest: dict) -> None:
    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    if len(data) >= MANIFEST_ROOM:
        raise BackupError(_("The manifest is larger than the room kept for it."))
    with partial.open("r+b") as handle:
        handle.seek(offset)
        handle.write(data.ljust(MANIFEST_ROOM - 1, b" ") + b"\n")  # JSON allows trailing spaces
        handle.flush()
        os.fsync(handle.fileno())


def _add_database(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        info = tarfile.TarInfo(name)
        info.size = os.fstat(handle.fileno()).st_size
        info.mtime = int(time.time())
        tar.addfile(info, HashingReader(handle, digest))
    return {"member": name, "bytes": info.size, "sha256": digest.hexdigest()}


def _add_media(tar: tarfile.TarFile, root: Path) -> dict:
    """Every regular file under MEDIA_ROOT, in a fixed order, streamed in chunks."""
    digest = hashlib.sha256()
    files = total = 0
    for path in _media_files(root):
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            continue  # deleted while the backup ran, with its row, after the database copy
        with handle:
            status = os.fstat(handle.fileno())
            info = tarfile.TarInfo(MEDIA_PREFIX + path.relative_to(root).as_posix())
            info.size = status.st_size
            info.mtime = int(status.st_mtime)
            media_entry(digest, info.name, info.size)
            tar.addfile(info, HashingReader(handle, digest))
        files += 1
        total += info.size
    return {"files": files, "bytes": total, "sha256": digest.hexdigest()}


def _media_files(root: Path) -> Iterator[Path]:
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file():
                yield path


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives named as `backup` names them."""
    archives = sorted(
        (path for path in folder.iterdir() if ARCHIVE_NAME.match(path.name) and path.is_file()),
        reverse=True,
    )
    for path in archives[keep:]:
        path.unlink()
    return archives[keep:]


# Reading an archive ---------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    """The archive's manifest, checked for form; nothing else is read."""
    try:
        with tarfile.open(path, "r:") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isreg():
                raise BackupError(_("%s is not a Soket backup.") % path)
            content = tar.extractfile(first)
            if content is None:
                raise BackupError(_("%s is not a Soket backup.") % path)
            manifest = json.loads(content.read())
    except FileNotFoundError:
        raise BackupError(_("%s does not exist.") % path) from None
    except (tarfile.TarError, ValueError):
        raise BackupError(_("%s is not a Soket backup.") % path) from None
    except OSError as error:
        raise BackupError(
            _("%(path)s cannot be read: %(error)s") % {"path": path, "error": error}
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("%s is not a Soket backup.") % path)
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(
            _("%s was written in a backup format this version of Soket does not know.") % path
        )
    try:
        well_formed = (
            isinstance(manifest["engine"], str)
            and isinstance(manifest["created_at"], str)
            and isinstance(manifest["migrations"], dict)
            and isinstance(manifest["tools"], dict)
            and isinstance(manifest["database"]["member"], str)
            and isinstance(manifest["database"]["bytes"], int)
            and isinstance(manifest["database"]["sha256"], str)
            and isinstance(manifest["media"]["files"], int)
            and isinstance(manifest["media"]["bytes"], int)
            and isinstance(manifest["media"]["sha256"], str)
        )
    except (KeyError, TypeError):
        well_formed = False
    if not well_formed:
        raise BackupError(_("The manifest of %s is damaged.") % path)
    return manifest


def inspect(path: Path) -> dict:
    """The manifest of an archive that can be restored here, or why it cannot."""
    manifest = read_manifest(path)
    engine = current_engine()
    if manifest["engine"] != engine.name:
        raise BackupError(
            _(
                "This archive holds a %(archive)s database but Soket is set up for "
                "%(configured)s: restore it where Soket runs on %(archive)s."
            )
            % {"archive": engine_label(manifest["engine"]), "configured": engine.label}
        )
    if manifest["database"]["member"] != engine.member:
        raise BackupError(_("The manifest of %s is damaged.") % path)
    unknown = unknown_migrations(manifest["migrations"])
    if unknown:
        raise BackupError(
            _(
                "This archive comes from a newer version of Soket (this code lacks the "
                "migrations %s): install that version, then restore."
            )
            % ", ".join(unknown)
        )
    engine.check_tools(manifest)
    return manifest


def verify(path: Path) -> Outcome:
    """Read every byte of the archive against its checksums, writing nothing."""
    started = time.monotonic()
    manifest = inspect(path)
    _unpack(path, manifest, into=None)
    return Outcome(path, manifest, time.monotonic() - started)


def media_folder() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def restore(*, path: Path) -> Outcome:
    """Replace the database and the media folder with the archive's."""
    started = time.monotonic()
    manifest = inspect(path)
    engine = current_engine()
    media_root = media_folder()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # The work folder sits beside the media folder, so the new one is renamed into place.
    work = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=".soket-restore-"))
    try:
        try:
            _unpack(path, manifest, into=work)
        except OSError as error:
            raise BackupError(
                _("The archive could not be unpacked (%s); nothing was changed.") % error
            ) from None
        connections.close_all()
        with _media_swapped(work / "media", media_root, aside=work / "previous-media"):
            engine.load(work / "database")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    engine.after_load()
    return Outcome(
        path, manifest, time.monotonic() - started, pending_migrations=pending_migrations()
    )


@contextmanager
def _media_swapped(new: Path, media_root: Path, *, aside: Path) -> Iterator[None]:
    """Put the new media folder in place, and the old one back if the block fails."""
    had_media = media_root.exists()
    try:
        if had_media:
            os.rename(media_root, aside)
        os.rename(new, media_root)
    except OSError as error:
        if had_media and aside.exists() and not media_root.exists():
            os.rename(aside, media_root)
        raise BackupError(
            _("The media folder %(folder)s could not be replaced (%(error)s); nothing was changed.")
            % {"folder": media_root, "error": error}
        ) from None
    try:
        yield
    except BaseException:
        os.rename(media_root, new)
        if had_media:
            os.rename(aside, media_root)
        raise


def _unpack(path: Path, manifest: dict, *, into: Path | None) -> None:
    """Read the archive's parts in one pass, checking them against the manifest, and write
    them to `into` ("database" and "media/") unless it is None."""
    database = manifest["database"]
    if into is not None:
        (into / "media").mkdir()
    media = hashlib.sha256()
    files = total = 0
    database_found = False
    try:
        # tarfile.open() hands copybufsize on to TarFile(); typeshed's overloads omit it.
        with tarfile.open(path, "r:", copybufsize=CHUNK) as tar:  # type: ignore[call-overload]
            tar.next()  # the manifest
            while (member := tar.next()) is not None:
                # tarfile keeps every header it reads; an archive may hold a million files.
                tar.members.clear()
                if member.name == database["member"] and member.isreg() and not database_found:
                    digest = hashlib.sha256()
                    target = None if into is None else into / "database"
                    _copy(tar.extractfile(member), target, digest)
                    if (member.size, digest.hexdigest()) != (database["bytes"], database["sha256"]):
                        raise BackupError(
                            _("The database in %s does not match its checksum: the archive is "
                              "damaged or was altered.") % path
                        )  # fmt: skip
                    database_found = True
                elif member.name.startswith(MEDIA_PREFIX) and member.isreg():
                    relative = _media_relative(member.name)
                    target = None if into is None else into / "media" / relative
                    media_entry(media, member.name, member.size)
                    _copy(tar.extractfile(member), target, media)
                    if target is not None:
                        os.utime(target, (member.mtime, member.mtime))
                    files += 1
                    total += member.size
                elif not member.isdir():
                    raise BackupError(
                        _("%(path)s holds %(name)s, which a Soket backup never holds.")
                        % {"path": path, "name": member.name}
                    )
    except (tarfile.TarError, EOFError, FileExistsError):
        raise BackupError(_("%s is incomplete or damaged.") % path) from None
    if not database_found:
        raise BackupError(_("%s holds no database.") % path)
    found = {"files": files, "bytes": total, "sha256": media.hexdigest()}
    if found != {key: manifest["media"][key] for key in found}:
        raise BackupError(
            _("The media files in %s do not match their checksum: the archive is damaged or "
              "was altered.") % path
        )  # fmt: skip


def _media_relative(name: str) -> PurePosixPath:
    relative = PurePosixPath(name[len(MEDIA_PREFIX) :])
    if relative.is_absolute() or not relative.parts or ".." in relative.parts:
        raise BackupError(_("The archive holds an unsafe file name: %s") % name)
    return relative


def _copy(source: IO[bytes], target: Path | None, digest) -> None:
    if target is None:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as handle:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            handle.write(chunk)
