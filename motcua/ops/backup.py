"""Backups that restore (issue 15 item 4; docs/deployment.md, "Backups and restore").

``backup_write(path)`` writes one tar archive:

- ``database/motcua.pgdump`` (``pg_dump`` custom format, PostgreSQL; the ``pg_dump`` of the
  server's major version) or ``database/motcua.sqlite3`` (SQLite's online backup API);
- ``files/<name>`` for every file a row names, read through the storage API (the local disk
  or S3-compatible object storage alike), in the same database snapshot as the dump;
- ``files.jsonl``: one line per file (name, SHA-256, size);
- ``manifest.json`` last: the format, the motcua version, the moment, the engine, the schema
  (every migration applied), and the SHA-256 and size of the database member and of
  ``files.jsonl``.

``restore(path)`` refuses a database or a storage that is not empty (and then changes
nothing), checks every member's hash before writing anything, restores the database
(``pg_restore`` PostgreSQL to PostgreSQL; the SQLite file back into SQLite; SQLite into
PostgreSQL by migrating to the backup's schema and copying table by table with ``COPY``, the
way a city outgrows the embedded default), writes the files, compares each with the hash its
row recorded, and runs the chain and ledger checks (``audit verify``, the ledger checks of
``report verify``, every signed report).

Memory stays bounded at any size: files and the dump are streamed (files through a spooled
temporary file while hashed), ``files.jsonl`` is indexed in a temporary SQLite file rather
than in memory, and the table copy reads in chunks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

import motcua
from motcua.audit.services import audit_verify
from motcua.directives.models import DirectiveUpdate
from motcua.dossiers.figures import ledger_differences
from motcua.dossiers.ledger_checkpoints import checkpoint_differences, month_differences
from motcua.dossiers.models import DossierFile, PendingTally
from motcua.dossiers.tally import tally_differences
from motcua.lib.uploads import walk
from motcua.reports.models import SignedReport
from motcua.reports.signatures import signed_report_verify
from motcua.units.models import TreeVersion

FORMAT = 1

# Tables the database writes itself, by triggers on other tables: a copy leaves them out, and
# the triggers write them again as those tables' rows arrive (the unit tree's token, units
# 0002; the end-of-day tally, dossiers 0031). The test harness's snapshots do the same.
WRITTEN_BY_TRIGGERS: tuple[type[models.Model], ...] = (TreeVersion, PendingTally)
MANIFEST = "manifest.json"
FILES_LIST = "files.jsonl"
FILES_DIR = "files/"
DB_POSTGRES = "database/motcua.pgdump"
DB_SQLITE = "database/motcua.sqlite3"
CHUNK = 1024 * 1024
SPOOL_BYTES = 1024 * 1024
COPY_CHUNK = 2000
SOURCE_ALIAS = "motcua_backup_source"

# The files whose rows record a content hash: (model, file field, hash field).
HASHED: tuple[tuple[type[models.Model], str, str], ...] = (
    (DossierFile, "file", "sha256"),
    (DirectiveUpdate, "evidence", "evidence_sha256"),
)

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused, with a message for the operator; nothing was changed."""


@dataclass
class Outcome:
    """What a backup wrote or a restore found: counts and problems (empty when all is well)."""

    engine: str = ""
    files: int = 0
    file_bytes: int = 0
    problems: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


def _quiet(_text: str) -> None:
    return None


# -- helpers ---------------------------------------------------------------------------------


def _engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise BackupError(_("database engine %(engine)s is not supported") % {
            "engine": connection.vendor})  # fmt: skip
    return str(connection.vendor)


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _add_file(tar: tarfile.TarFile, member: str, path: Path) -> tuple[str, int]:
    digest, size = _sha256_file(path)
    info = tarfile.TarInfo(member)
    info.size = size
    info.mtime = int(time.time())
    info.mode = 0o600
    with path.open("rb") as stream:
        tar.addfile(info, stream)
    return digest, size


def _add_bytes(tar: tarfile.TarFile, member: str, data: bytes) -> None:
    info = tarfile.TarInfo(member)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, _BytesReader(data))


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at : end], min(end, len(self.data))
        return chunk


def _spool(stream: IO[bytes]) -> tuple[IO[bytes], str, int]:
    """``stream`` copied into a spooled temporary file, with its SHA-256 and size."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        spool.write(chunk)
        size += len(chunk)
    spool.seek(0)
    return spool, digest.hexdigest(), size


def _file_fields() -> list[tuple[type[models.Model], models.FileField, str]]:
    """Every file field on the default storage, with the field recording its hash ('' none)."""
    hashed = {(model, name): hash_field for model, name, hash_field in HASHED}
    found = []
    for model in apps.get_models():
        for item in model._meta.concrete_fields:
            if isinstance(item, models.FileField) and item.storage is default_storage:
                found.append((model, item, hashed.get((model, item.name), "")))
    return found


def pg_program(connection: BaseDatabaseWrapper, name: str) -> str:
    """``pg_dump`` or ``pg_restore`` of the server's major version (or newer): the machine's
    PostgreSQL binaries (``/usr/lib/postgresql/N/bin``, ``MOTCUA_PG_BINDIR``), else PATH."""
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    chosen = getattr(settings, "MOTCUA_PG_BINDIR", "") or os.environ.get("MOTCUA_PG_BINDIR", "")
    candidates = [Path(chosen) / name] if chosen else []
    found = sorted(
        (int(p.parts[4]), p)
        for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}")
        if p.parts[4].isdigit() and int(p.parts[4]) >= major
    )
    candidates += [path for _version, path in found]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    raise BackupError(
        _("%(program)s for PostgreSQL %(major)s was not found (set MOTCUA_PG_BINDIR)")
        % {"program": name, "major": major}
    )


def _pg_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's environment for the connection's database (no password on a command line)."""
    params = connection.get_connection_params()
    env = dict(os.environ)
    for key, variable in (
        ("host", "PGHOST"),
        ("port", "PGPORT"),
        ("user", "PGUSER"),
        ("password", "PGPASSWORD"),
        ("dbname", "PGDATABASE"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if params.get(key):
            env[variable] = str(params[key])
    return env


# -- backup ----------------------------------------------------------------------------------


def backup_write(path: Path, *, using: str = DEFAULT_DB_ALIAS, say: Say = _quiet) -> Outcome:
    """Write the archive at ``path`` (through ``path.partial``, renamed when complete)."""
    connection = connections[using]
    engine = _engine(connection)
    storage = default_storage
    if path.exists():
        raise BackupError(_("%(path)s already exists: give a new file name") % {"path": path})
    partial = path.with_name(path.name + ".partial")
    outcome = Outcome(engine=engine)
    with tempfile.TemporaryDirectory(prefix="motcua-backup-") as work:
        folder = Path(work)
        listing = folder / FILES_LIST
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                if engine == "postgresql":
                    manifest = _backup_postgres(connection, tar, folder, storage, listing, say)
                else:
                    manifest = _backup_sqlite(connection, tar, folder, storage, listing, say)
                digest, size = _add_file(tar, FILES_LIST, listing)
                manifest["files"].update({"member": FILES_LIST, "sha256": digest, "size": size})
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    outcome.files = manifest["files"]["count"]
    outcome.file_bytes = manifest["files"]["bytes"]
    outcome.problems = manifest["problems"]
    outcome.manifest = manifest
    return outcome


def _manifest(engine: str, schema: list[str]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "motcua_version": motcua.__version__,
        "created_at": datetime.now(UTC).isoformat(),
        "engine": engine,
        "schema": sorted(schema),
        "database": {},
        "files": {"count": 0, "bytes": 0},
        "problems": [],
    }


def _backup_postgres(
    connection: BaseDatabaseWrapper,
    tar: tarfile.TarFile,
    folder: Path,
    storage: Storage,
    listing: Path,
    say: Say,
) -> dict[str, Any]:
    """pg_dump and the file list from one snapshot: a repeatable-read transaction exports its
    snapshot, pg_dump runs in it (``--snapshot``), and the file names are read in it too."""
    dump, names = folder / "motcua.pgdump", folder / "names.jsonl"
    program = pg_program(connection, "pg_dump")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, version = cursor.fetchone()
        say(_("Dumping the PostgreSQL database (%(program)s)…") % {"program": program})
        done = subprocess.run(
            [program, "--format=custom", f"--snapshot={snapshot}", "--no-password",
             f"--file={dump}"],
            env=_pg_env(connection), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise BackupError(_("pg_dump failed: %(error)s") % {"error": done.stderr[-2000:]})
        cursor.execute("SELECT app, name FROM django_migrations")
        manifest = _manifest("postgresql", [f"{a}.{n}" for a, n in cursor.fetchall()])
        manifest["postgresql"] = version
        digest, size = _add_file(tar, DB_POSTGRES, dump)
        dump.unlink()
        manifest["database"] = {"member": DB_POSTGRES, "sha256": digest, "size": size}

        def rows(sql: str) -> Iterator[tuple[str, str]]:
            # A server-side cursor in the same transaction (the same snapshot).
            with connection.connection.cursor(name="motcua_backup_files") as named:
                named.itersize = COPY_CHUNK
                named.execute(sql)
                yield from named

        _list_names(rows, names)
    # The files are copied after the snapshot's transaction ended: a copy of many terabytes
    # must not hold back PostgreSQL's vacuum for its whole duration.
    _backup_files(tar, storage, listing, names, manifest, say)
    return manifest


def _backup_sqlite(
    connection: BaseDatabaseWrapper,
    tar: tarfile.TarFile,
    folder: Path,
    storage: Storage,
    listing: Path,
    say: Say,
) -> dict[str, Any]:
    """SQLite's online backup API into a copy, then the file names from that copy."""
    copy = folder / "motcua.sqlite3"
    connection.ensure_connection()
    say(_("Copying the SQLite database (online backup)…"))
    target = sqlite3.connect(copy)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        try:
            names = source.execute("SELECT app, name FROM django_migrations").fetchall()
        except sqlite3.OperationalError:
            raise BackupError(
                _("the database has no migrations applied: nothing to back up")
            ) from None
        manifest = _manifest("sqlite", [f"{a}.{n}" for a, n in names])
        manifest["sqlite"] = sqlite3.sqlite_version

        def rows(sql: str) -> Iterator[tuple[str, str]]:
            yield from source.execute(sql)

        _list_names(rows, folder / "names.jsonl")
    finally:
        source.close()
    _backup_files(tar, storage, listing, folder / "names.jsonl", manifest, say)
    digest, size = _add_file(tar, DB_SQLITE, copy)
    manifest["database"] = {"member": DB_SQLITE, "sha256": digest, "size": size}
    return manifest


def _column(model: type[models.Model], name: str) -> str:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return str(found.column)


def _list_names(rows: Callable[[str], Iterator[tuple[str, str]]], names: Path) -> None:
    """Every file name a row holds, with the hash the row recorded, into ``names`` (one JSON
    array a line: a temporary file, not memory, however many files there are)."""
    with names.open("w", encoding="utf-8") as out:
        for model, item, hash_field in _file_fields():
            table, column = model._meta.db_table, item.column
            recorded = f'"{_column(model, hash_field)}"' if hash_field else "''"
            sql = (
                f'SELECT "{column}", {recorded} FROM "{table}" '
                f"""WHERE "{column}" IS NOT NULL AND "{column}" <> '' ORDER BY "{column}" """
            )
            for name, expected in rows(sql):
                out.write(json.dumps([name, expected or ""]) + "\n")


def _backup_files(
    tar: tarfile.TarFile,
    storage: Storage,
    listing: Path,
    names: Path,
    manifest: dict[str, Any],
    say: Say,
) -> None:
    """Every file listed in ``names``, streamed from the storage into the archive and listed
    with its hash in ``listing``."""
    say(_("Copying the stored files…"))
    with listing.open("w", encoding="utf-8") as out, names.open(encoding="utf-8") as wanted:
        for line in wanted:
            name, expected = json.loads(line)
            try:
                source = storage.open(name, "rb")
            except FileNotFoundError:
                manifest["problems"].append(
                    _("%(name)s: named by a row, missing from the storage") % {"name": name}
                )
                continue
            with source:
                spool, digest, size = _spool(source)
            with spool:
                info = tarfile.TarInfo(FILES_DIR + name)
                info.size = size
                info.mtime = int(time.time())
                info.mode = 0o600
                tar.addfile(info, spool)
            if expected and expected != digest:
                manifest["problems"].append(
                    _("%(name)s: its content is not the one its row recorded (SHA-256)")
                    % {"name": name}
                )
            out.write(json.dumps({"name": name, "sha256": digest, "size": size}) + "\n")
            manifest["files"]["count"] += 1
            manifest["files"]["bytes"] += size


# -- restore ---------------------------------------------------------------------------------


class _Index:
    """The archive's file list in a temporary SQLite file: name -> (sha256, size, seen)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE f (name TEXT PRIMARY KEY, sha256 TEXT, size INT, seen INT)")

    def load(self, lines: Iterable[bytes]) -> int:
        count = 0
        batch: list[tuple[str, str, int]] = []
        for raw in lines:
            try:
                item = json.loads(raw)
                batch.append((str(item["name"]), str(item["sha256"]), int(item["size"])))
            except (ValueError, KeyError, TypeError) as error:
                raise BackupError(
                    _("%(member)s line %(line)s is not valid: %(error)s")
                    % {"member": FILES_LIST, "line": count + 1, "error": error}
                ) from None
            count += 1
            if len(batch) == COPY_CHUNK:
                self._insert(batch)
                batch = []
        self._insert(batch)
        return count

    def _insert(self, batch: list[tuple[str, str, int]]) -> None:
        try:
            self.db.executemany("INSERT INTO f VALUES (?, ?, ?, 0)", batch)
        except sqlite3.IntegrityError:
            raise BackupError(_("%(member)s names a file twice") % {"member": FILES_LIST}) from None

    def get(self, name: str) -> tuple[str, int, int] | None:
        row = self.db.execute("SELECT sha256, size, seen FROM f WHERE name = ?", (name,)).fetchone()
        return (str(row[0]), int(row[1]), int(row[2])) if row else None

    def see(self, name: str) -> None:
        self.db.execute("UPDATE f SET seen = 1 WHERE name = ?", (name,))

    def unseen(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM f WHERE seen = 0 LIMIT 20")]

    def hashes(self, names: list[str]) -> dict[str, str]:
        marks = ",".join("?" * len(names))
        query = f"SELECT name, sha256 FROM f WHERE name IN ({marks})"  # noqa: S608
        return dict(self.db.execute(query, names).fetchall())

    def close(self) -> None:
        self.db.close()


def _hash_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    stream = tar.extractfile(member)
    if stream is None:
        raise BackupError(_("%(member)s is not a file") % {"member": member.name})
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError(_("the archive has no %(member)s") % {"member": MANIFEST}) from None
    stream = tar.extractfile(member)
    if stream is None or member.size > 10 * 1024 * 1024:
        raise BackupError(_("%(member)s is not valid") % {"member": MANIFEST})
    try:
        manifest = json.loads(stream.read())
        ok = manifest.get("format") == FORMAT and manifest["engine"] in ("postgresql", "sqlite")
        ok = ok and isinstance(manifest["schema"], list) and manifest["database"]["member"]
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise BackupError(
            _("%(member)s is not a motcua backup manifest of format %(format)s")
            % {"member": MANIFEST, "format": FORMAT}
        )
    return dict(manifest)


def _verify_archive(tar: tarfile.TarFile, manifest: dict[str, Any], index: _Index) -> None:
    """Every member's SHA-256 against the manifest and the file list; raises on the first
    difference, before anything is written."""
    database, files = manifest["database"], manifest["files"]
    try:
        listed = tar.getmember(FILES_LIST)
    except KeyError:
        raise BackupError(_("the archive has no %(member)s") % {"member": FILES_LIST}) from None
    if _hash_member(tar, listed) != files.get("sha256"):
        raise BackupError(_("%(member)s does not match its hash") % {"member": FILES_LIST})
    stream = tar.extractfile(listed)
    assert stream is not None
    if index.load(stream) != files.get("count"):
        raise BackupError(_("%(member)s does not list every file") % {"member": FILES_LIST})
    seen_database = False
    for member in tar:
        if member.name in (MANIFEST, FILES_LIST):
            continue
        if member.name == database["member"]:
            if _hash_member(tar, member) != database.get("sha256"):
                raise BackupError(_("the database in the archive does not match its hash"))
            seen_database = True
            continue
        name = member.name[len(FILES_DIR) :]
        known = index.get(name) if member.name.startswith(FILES_DIR) else None
        if known is None or not member.isfile():
            raise BackupError(_("%(member)s is not in the manifest") % {"member": member.name})
        if _hash_member(tar, member) != known[0] or member.size != known[1]:
            raise BackupError(_("%(member)s does not match its hash") % {"member": member.name})
        index.see(name)
    missing = index.unseen()
    if not seen_database or missing:
        raise BackupError(
            _("the archive lacks members the manifest lists: %(names)s")
            % {"names": ", ".join(missing or [database["member"]])}
        )


def _refuse_unless_empty(connection: BaseDatabaseWrapper, storage: Storage) -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            _("the database %(name)s is not empty (%(count)s tables): restore goes into an "
              "empty database; nothing was changed")
            % {"name": connection.settings_dict["NAME"], "count": len(tables)}
        )  # fmt: skip
    for name, _moment in walk(storage, ""):
        raise BackupError(
            _("the file storage is not empty (it holds %(name)s): restore goes into an empty "
              "storage; nothing was changed") % {"name": name}
        )  # fmt: skip


def restore(path: Path, *, using: str = DEFAULT_DB_ALIAS, say: Say = _quiet) -> Outcome:
    """Restore the archive at ``path`` into an empty database and storage (see the module)."""
    connection = connections[using]
    target = _engine(connection)
    storage = default_storage
    if not path.is_file():
        raise BackupError(_("%(path)s is not a file") % {"path": path})
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115  # closed by the with below
    except tarfile.TarError as error:
        raise BackupError(_("%(path)s is not a tar archive: %(error)s") % {
            "path": path, "error": error}) from None  # fmt: skip
    with tar, tempfile.TemporaryDirectory(prefix="motcua-restore-") as work:
        folder = Path(work)
        manifest = _read_manifest(tar)
        source = manifest["engine"]
        if source == "postgresql" and target != "postgresql":
            raise BackupError(_("a PostgreSQL backup restores into PostgreSQL only"))
        _refuse_unless_empty(connection, storage)
        _check_schema(manifest["schema"])
        index = _Index(folder / "index.sqlite3")
        try:
            say(_("Checking every member's hash…"))
            _verify_archive(tar, manifest, index)
            member = tar.getmember(manifest["database"]["member"])
            say(_("Restoring the database…"))
            if source == "postgresql":
                _restore_pg_dump(connection, tar, member)
            else:
                copy = folder / "source.sqlite3"
                _extract(tar, member, copy)
                if target == "sqlite":
                    _restore_sqlite_file(connection, copy)
                else:
                    _copy_sqlite_into(connection, copy, manifest["schema"], say)
            say(_("Restoring the files…"))
            outcome = _restore_files(tar, storage, index)
            outcome.engine = source
            outcome.manifest = manifest
            say(_("Checking the recorded hashes, the chains and the ledger…"))
            outcome.problems += _recorded_hashes(index)
            outcome.problems += checks()
        finally:
            index.close()
    return outcome


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    stream = tar.extractfile(member)
    assert stream is not None
    with target.open("wb") as out:
        shutil.copyfileobj(stream, out, CHUNK)


def _check_schema(schema: list[str]) -> None:
    """The backup's schema must be one this code knows (an older one is migrated forward)."""
    from django.db.migrations.loader import MigrationLoader

    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    unknown = sorted(set(schema) - known)
    if unknown:
        raise BackupError(
            _("the backup has migrations this motcua does not know (%(names)s): restore with "
              "the motcua version that made it") % {"names": ", ".join(unknown[:5])}
        )  # fmt: skip


def _restore_pg_dump(
    connection: BaseDatabaseWrapper, tar: tarfile.TarFile, member: tarfile.TarInfo
) -> None:
    program = pg_program(connection, "pg_restore")
    stream = tar.extractfile(member)
    assert stream is not None
    connection.close()
    env = _pg_env(connection)
    # stderr to a file: a pipe nobody reads while the dump is written could fill and block.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [program, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
             "--no-password", f"--dbname={env.get('PGDATABASE', '')}"],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors,
        )  # fmt: skip
        assert process.stdin is not None
        try:
            while chunk := stream.read(CHUNK):
                process.stdin.write(chunk)
        except BrokenPipeError:
            pass  # pg_restore stopped early: its message is in errors
        finally:
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
        process.wait()
        errors.seek(0)
        message = errors.read().decode(errors="replace")[-2000:]
    if process.returncode != 0:
        raise BackupError(_("pg_restore failed: %(error)s") % {"error": message})


def _restore_sqlite_file(connection: BaseDatabaseWrapper, copy: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _copy_sqlite_into(
    connection: BaseDatabaseWrapper, copy: Path, schema: list[str], say: Say
) -> None:
    """SQLite into PostgreSQL: migrate the empty database to the backup's schema, copy every
    model's table with COPY in chunks (values read through the fields, so dates, decimals,
    JSON and booleans arrive as they were), reset the sequences, then migrate to this code's
    schema. One transaction: a failure leaves the database as migrate left it."""
    executor = MigrationExecutor(connection)
    applied = {tuple(item.split(".", 1)) for item in schema}
    graph = executor.loader.graph
    leaves = [
        node
        for node in applied
        if node in graph.nodes
        and not any(child.key in applied for child in graph.node_map[node].children)
    ]
    say(_("Migrating to the backup's schema…"))
    executor.migrate(leaves)  # type: ignore[arg-type]
    connections.settings[SOURCE_ALIAS] = connections.configure_settings(
        {
            DEFAULT_DB_ALIAS: {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
            SOURCE_ALIAS: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(copy)},
        }
    )[SOURCE_ALIAS]
    source = connections[SOURCE_ALIAS]
    try:
        source_tables = set(source.introspection.table_names())
        copied: list[type[models.Model]] = []
        with transaction.atomic(using=connection.alias):
            tables = [t for t in connection.introspection.table_names() if t != "django_migrations"]
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL TIME ZONE 'UTC'")
                if tables:
                    quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
                    cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
            for model in apps.get_models(include_auto_created=True):
                meta = model._meta
                if meta.proxy or not meta.managed or meta.db_table not in source_tables:
                    continue
                if meta.db_table not in tables:
                    continue
                if model in WRITTEN_BY_TRIGGERS:
                    continue
                columns = {c.name for c in source.introspection.get_table_description(
                    source.cursor(), meta.db_table)}  # fmt: skip
                fields = [
                    f for f in meta.concrete_fields
                    if f.column in columns and not getattr(f, "generated", False)
                ]  # fmt: skip
                count = _copy_table(connection, model, fields)
                copied.append(model)
                say(f"  {meta.db_table}: {count}")
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), copied):
                    cursor.execute(sql)
    finally:
        source.close()
        del connections[SOURCE_ALIAS]
        connections.settings.pop(SOURCE_ALIAS, None)
    say(_("Migrating to this version's schema…"))
    from django.core.management import call_command

    call_command("migrate", database=connection.alias, interactive=False, verbosity=0)


def _copy_table(
    connection: BaseDatabaseWrapper, model: type[models.Model], fields: list[models.Field[Any, Any]]
) -> int:
    rows = model._base_manager.using(SOURCE_ALIAS).order_by().values_list(
        *[f.attname for f in fields]
    )  # fmt: skip
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows.iterator(chunk_size=COPY_CHUNK):
                copy.write_row(
                    [
                        f.get_db_prep_save(value, connection=connection)
                        for f, value in zip(fields, row, strict=True)
                    ]
                )
                count += 1
    return count


def _restore_files(tar: tarfile.TarFile, storage: Storage, index: _Index) -> Outcome:
    outcome = Outcome()
    for member in tar:
        if not member.name.startswith(FILES_DIR):
            continue
        name = member.name[len(FILES_DIR) :]
        stream = tar.extractfile(member)
        assert stream is not None
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            shutil.copyfileobj(stream, spool, CHUNK)
            spool.seek(0)
            written = storage.save(name, File(spool, name=name))
        if written != name:
            raise BackupError(
                _("the storage wrote %(name)s as %(written)s") % {"name": name, "written": written}
            )
        outcome.files += 1
        outcome.file_bytes += member.size
    return outcome


def _recorded_hashes(index: _Index) -> list[str]:
    """Each row's recorded hash against the restored file's (already checked against the
    archive): a row naming a file the archive lacks, or a different one, is a problem."""
    problems: list[str] = []
    for model, name_field, hash_field in HASHED:
        rows = (
            model._base_manager.exclude(**{name_field: ""})
            .exclude(**{f"{name_field}__isnull": True})
            .order_by()
            .values_list(name_field, hash_field)
        )
        batch: list[tuple[str, str]] = []
        for row in rows.iterator(chunk_size=COPY_CHUNK):
            batch.append((str(row[0]), str(row[1])))
            if len(batch) == COPY_CHUNK:
                problems += _compare(index, batch)
                batch = []
        problems += _compare(index, batch)
    return problems


def _compare(index: _Index, batch: list[tuple[str, str]]) -> list[str]:
    if not batch:
        return []
    found = index.hashes([name for name, _hash in batch])
    problems = []
    for name, recorded in batch:
        if name not in found:
            problems.append(_("%(name)s: named by a row, not in the backup") % {"name": name})
        elif found[name] != recorded:
            problems.append(
                _("%(name)s: its content is not the one its row recorded (SHA-256)")
                % {"name": name}
            )
    return problems


def checks() -> list[str]:
    """The chain and ledger checks after a restore: ``audit verify``, the ledger checks of
    ``report verify`` over every unit, and every signed report's hash."""
    problems = [f"{problem.ident}: {problem.kind}: {problem.detail}" for problem in audit_verify()]
    ledger = ledger_differences(None)
    if ledger:
        problems.append(
            _("the figures' ledger disagrees with the dossiers in %(n)s rows") % {"n": len(ledger)}
        )
    tally = tally_differences(None)
    if tally:
        problems.append(
            _("the pending tally disagrees with the dossiers in %(n)s rows") % {"n": len(tally)}
        )
    checkpoints, months = checkpoint_differences(None), month_differences(None)
    if checkpoints or months:
        problems.append(
            _("the ledger's checkpoints (%(c)s) or rollups (%(m)s) disagree with its days")
            % {"c": len(checkpoints), "m": len(months)}
        )
    for signed in SignedReport.objects.order_by("pk").iterator(chunk_size=500):
        problems += signed_report_verify(signed)
    return problems
