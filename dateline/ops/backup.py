"""Backups that restore: ``dateline backup PATH`` and ``dateline restore PATH``.

A backup is a folder:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy taken while
  the site keeps reading and writing) or ``database.dump`` (``pg_dump`` custom
  format, run on a snapshot exported from a REPEATABLE READ transaction);
- ``media/``: uploaded files, when ``MEDIA_ROOT`` is set and holds any;
- ``manifest.json``: what it is (engine, time, applied migrations), the row count
  of every table and a digest of key columns of the important ones, all computed
  *on the snapshot itself*, and the SHA-256 of every file.

The raw wire deliveries are rows (``wire.RawDelivery``, the bytes exactly as they
arrived), so they are in the database snapshot, consistent with the deliveries
that name them; a restore checks every one against its SHA-256.

A backup is written to a temporary sibling folder and renamed into place when
complete: a folder named PATH is always a whole backup.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.utils import timezone

FORMAT = "dateline-backup/1"
MANIFEST = "manifest.json"
# Tables a freshly migrated instance already fills: not "content" for the emptiness check.
_SCAFFOLDING = {"django_migrations", "django_content_type", "auth_permission"}
# Key columns digested per table (text and integers only: they read the same from
# SQLite and PostgreSQL). Counts catch lost rows; these catch changed ones.
DIGESTS = {
    "wire.RawDelivery": ["sha256", "size"],
    "wire.Delivery": ["id", "sha256", "status", "item_count"],
    "wire.WireItem": ["id", "guid", "version", "content_hash"],
    "articles.Story": ["id", "headline", "status"],
    "articles.Placement": ["id", "story_id", "section_id", "path"],
    "network.Site": ["id", "host"],
    "network.Section": ["id", "site_id", "slug"],
}


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _content_tables() -> list[str]:
    """Every table of an installed model, plus the migrations record."""
    tables = {model._meta.db_table for model in apps.get_models() if model._meta.managed}
    return sorted(tables | {"django_migrations"})


def _quote(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise BackupError(f"unexpected table or column name {name!r}")
    return f'"{name}"'


def _digest_queries() -> dict[str, str]:
    queries = {}
    for label, columns in DIGESTS.items():
        model = apps.get_model(label)
        select = ", ".join(_quote(model._meta.get_field(c).column) for c in columns)
        queries[model._meta.db_table] = f"SELECT {select} FROM {_quote(model._meta.db_table)}"  # noqa: S608 - our own names, quoted
    return queries


def snapshot_figures(cursor, existing: set[str]) -> dict:
    """Row counts of every table and digests of key columns, read with a DB-API
    cursor (a snapshot's, or a restored database's)."""
    counts = {}
    for table in _content_tables():
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    digests = {}
    for table, query in _digest_queries().items():
        if table not in existing:
            continue
        cursor.execute(query)
        rows = sorted("\x1f".join(str(value) for value in row) for row in cursor.fetchall())
        digests[table] = hashlib.sha256("\x1e".join(rows).encode()).hexdigest()
    return {"tables": counts, "digests": digests}


def _migrations(cursor) -> dict[str, str]:
    cursor.execute("SELECT app, name FROM django_migrations")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


# -- writing -------------------------------------------------------------------


def backup_write(*, path: Path) -> dict:
    """Write a backup of the database (and media) to the folder ``path``, which must
    not exist yet. Returns the manifest."""
    path = Path(path).resolve()
    if path.exists():
        raise BackupError(f"{path} already exists; give a new folder name for each backup")
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=path.parent))
    try:
        if connection.vendor == "sqlite":
            database_file, figures = _sqlite_backup(work)
        elif connection.vendor == "postgresql":
            database_file, figures = _postgres_backup(work)
        else:
            raise BackupError(f"backups of {connection.vendor} databases are not supported")
        files = {database_file: _sha256_file(work / database_file)}
        files.update(_media_copy(work / "media"))
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": connection.vendor,
            "database_file": database_file,
            "migrations": figures.pop("migrations"),
            **figures,
            "raw_deliveries": figures["tables"].get("wire_rawdelivery", 0),
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        # A backup holds everything secret the database does (password hashes,
        # encrypted credentials): readable by its owner only, like the folder.
        for file in work.rglob("*"):
            file.chmod(0o600 if file.is_file() else 0o700)
        os.rename(work, path)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _sqlite_backup(work: Path) -> tuple[str, dict]:
    target = work / "database.sqlite3"
    source = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            # One step (pages=-1): the whole database is copied under one read
            # transaction, so the copy is one consistent moment even while others
            # write (WAL lets them go on meanwhile).
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            cursor = copy.cursor()
            existing = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master")}
            figures = snapshot_figures(cursor, existing)
            figures["migrations"] = _migrations(cursor)
        finally:
            copy.close()
    finally:
        source.close()
    return target.name, figures


def _pg_environment(settings_dict: dict, name: str | None = None) -> dict:
    """libpq's environment for pg_dump/pg_restore: the password never on a command line."""
    env = {**os.environ}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD")):  # fmt: skip
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGDATABASE"] = name or settings_dict["NAME"]
    return env


def _pg_tool(name: str, server_version: int) -> str:
    """The pg_dump/pg_restore to use: it must be at least the server's major version."""
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed; apt-get install postgresql-client")
    output = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    tool_major, server_major = int(match.group(1)) if match else 0, server_version // 10000
    if tool_major < server_major:
        raise BackupError(
            f"{name} {tool_major} cannot handle a PostgreSQL {server_major} server; install "
            f"postgresql-client-{server_major}"
        )
    return tool


def _postgres_backup(work: Path) -> tuple[str, dict]:
    pg_dump = _pg_tool("pg_dump", connection.pg_version)
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            # The counts and pg_dump read the same snapshot: what they describe is
            # exactly what is dumped, whatever is written meanwhile.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            existing = {row[0] for row in cursor.fetchall()}
            figures = snapshot_figures(cursor, existing)
            figures["migrations"] = _migrations(cursor)
            target = work / "database.dump"
            result = subprocess.run(
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", f"--file={target}"],
                env=_pg_environment(connection.settings_dict), capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        raw.rollback()
    finally:
        if getattr(connection, "pool", None) is not None:
            connection.pool.putconn(raw)  # with pooling it came from the pool: give it back
        else:
            raw.close()
    return target.name, figures


def _media_root() -> Path | None:
    root = getattr(settings, "MEDIA_ROOT", "")
    return Path(root) if root else None


def _media_copy(target: Path) -> dict[str, str]:
    """Copy uploaded files; their checksums by path relative to the backup."""
    root = _media_root()
    if root is None or not root.is_dir():
        return {}
    files = {}
    for source in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        relative = source.relative_to(root)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        files[f"media/{relative.as_posix()}"] = _sha256_file(destination)
    return files


# -- restoring -----------------------------------------------------------------


def manifest_read(path: Path) -> dict:
    """The manifest of the backup at ``path``, after checking every file's checksum."""
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{path} is not a backup: no {MANIFEST}") from None
    except json.JSONDecodeError as error:
        raise BackupError(f"{path / MANIFEST} is damaged ({error})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is a {manifest.get('format')!r} backup; this is {FORMAT}")
    if manifest.get("database_file") not in manifest.get("files", {}):
        raise BackupError(f"{path / MANIFEST} names no database file among its files")
    for relative, expected in manifest["files"].items():
        file = (path / relative).resolve()
        if not file.is_relative_to(path.resolve()):
            raise BackupError(f"the manifest names a file outside the backup: {relative}")
        if not file.is_file():
            raise BackupError(f"{relative} is missing from the backup")
        if _sha256_file(file) != expected:
            raise BackupError(f"{relative} does not match its checksum: the backup is damaged")
    return manifest


def instance_content() -> dict[str, int]:
    """Rows in this instance's content tables (empty dict: an empty instance)."""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        counts = snapshot_figures(cursor, existing)["tables"]
    return {table: n for table, n in counts.items() if n and table not in _SCAFFOLDING}


def restore(*, path: Path, force: bool = False) -> dict:
    """Rebuild this (empty) instance from the backup at ``path`` and check that it
    holds what the manifest says. Returns {"tables", "digests", "raw_deliveries_checked"}."""
    path = Path(path)
    manifest = manifest_read(path)
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"this is a {manifest['engine']} backup; the instance runs on {connection.vendor}"
        )
    if connection.vendor == "sqlite":  # a new instance: its folder may not exist yet
        Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    try:
        content = instance_content()
    except DatabaseError as error:
        raise BackupError(
            f"cannot read the target database ({type(error).__name__}: {error}); on "
            "PostgreSQL create it first (createdb), empty"
        ) from error
    if content and not force:
        example = ", ".join(f"{table} ({n})" for table, n in list(content.items())[:3])
        raise BackupError(
            f"this instance is not empty: {example}...; restore into an empty database, "
            "or pass --force to replace everything in it"
        )
    media = _media_root()
    media_files = [name for name in manifest["files"] if name.startswith("media/")]
    if media_files and media is None:
        raise BackupError("the backup holds uploaded media; set MEDIA_ROOT to restore them")
    for name in media_files:
        if not (media / name.removeprefix("media/")).resolve().is_relative_to(media.resolve()):
            raise BackupError(f"the manifest names a media file outside MEDIA_ROOT: {name}")
    connections.close_all()
    if manifest["engine"] == "sqlite":
        _sqlite_restore(path / manifest["database_file"])
    else:
        _postgres_restore(path / manifest["database_file"])
    for name in media_files:
        destination = media / name.removeprefix("media/")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path / name, destination)
    return _verify(manifest)


def _sqlite_restore(database_file: Path) -> None:
    target = Path(connection.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(database_file)
    try:
        destination = sqlite3.connect(target, timeout=30)
        try:
            source.backup(destination)  # replaces every page of the target
        finally:
            destination.close()
    finally:
        source.close()


def _postgres_restore(dump: Path) -> None:
    with connection.cursor():
        pass  # connect, to learn the server's version
    pg_restore = _pg_tool("pg_restore", connection.pg_version)
    connections.close_all()
    result = subprocess.run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}",
         str(dump)],
        env=_pg_environment(connection.settings_dict), capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was changed): {result.stderr.strip()}")


def _verify(manifest: dict) -> dict:
    """Compare the restored database with the manifest; check every raw delivery's
    bytes against its SHA-256."""
    from dateline.wire.models import RawDelivery

    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        figures = snapshot_figures(cursor, existing)
    problems = [
        f"{table}: {figures['tables'].get(table)} rows, the backup had {n}"
        for table, n in manifest["tables"].items()
        if figures["tables"].get(table) != n
    ]
    problems += [
        f"{table}: contents differ from the backup"
        for table, digest in manifest["digests"].items()
        if figures["digests"].get(table) != digest
    ]
    checked = 0
    for sha256, data in RawDelivery.objects.values_list("sha256", "data").iterator(chunk_size=200):
        if hashlib.sha256(bytes(data)).hexdigest() != sha256:
            problems.append(f"raw delivery {sha256}: its bytes do not match their SHA-256")
        checked += 1
    if problems:
        raise BackupError("restored, but it does not match the backup: " + "; ".join(problems))
    return {**figures, "raw_deliveries_checked": checked}
