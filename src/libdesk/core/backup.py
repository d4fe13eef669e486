"""Backups of a library and their restore (`libdesk backup DEST`, `libdesk restore SRC`).

A backup is a directory: the database as of one instant (SQLite through its online backup API,
which copies from one read transaction while the desk goes on writing; PostgreSQL through
`pg_dump` in custom format, inside a snapshot that also counts every table), the two keys the
data depends on (the audit key: a log restored without it does not verify; the secret key:
retired cards are recognised under it), and `manifest.json`: libdesk's version, the
migrations applied, the database vendor, when, every table's row count and every file's
SHA-256. The search index is not in it: a restore rebuilds it from the database.

Both directions write beside their target and move the result into place at the end, so a
backup or restore that fails leaves nothing half-written under the name asked for.
docs/backup.md is the administrator's side of this.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

import libdesk

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KEY_FILES = ("secret_key", "audit_key")
# What starting libdesk itself puts in a data dir (the keys it generates, its cache, an empty
# index): a data dir holding only these, and no database tables, is empty enough to restore.
STARTUP_ENTRIES = {"secret_key", "audit_key", "cache", "search"}
TABLE_NAMES_SHOWN = 5


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what was wrong and where."""


@dataclass(frozen=True)
class Restored:
    manifest: dict
    keys_from_environment: list[str]
    unapplied_migrations: list[str]


# --- Taking a backup ------------------------------------------------------------------------


def take_backup(dest: Path) -> dict:
    """Write a backup of the configured database to the directory `dest` (new or empty)."""
    dest = Path(dest).absolute()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists and is not an empty directory")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent} is not a directory")
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"libdesk backs up SQLite and PostgreSQL, not {vendor}")
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    try:
        created_at = datetime.now(UTC)
        database = partial / DATABASE_FILES[vendor]
        if vendor == "sqlite":
            counts, migrations = _sqlite_backup(Path(connection.settings_dict["NAME"]), database)
        else:
            counts, migrations = _postgresql_backup(database)
        _write_keys(partial / "keys")
        manifest = {
            "format": FORMAT,
            "libdesk_version": libdesk.__version__,
            "created_at": created_at.isoformat(timespec="seconds"),
            "database_vendor": vendor,
            "migrations": migrations,
            "row_counts": counts,
            "search_index": "not included: `libdesk restore` rebuilds it from the database",
            "files": {
                str(path.relative_to(partial)): _describe(path)
                for path in sorted(partial.rglob("*"))
                if path.is_file()
            },
        }
        _write_new(partial / MANIFEST, json.dumps(manifest, indent=2) + "\n", 0o600)
        if dest.exists():
            dest.rmdir()
        partial.rename(dest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _sqlite_backup(source: Path, target: Path) -> tuple[dict[str, int], list[str]]:
    """Copy the whole database in one step: the copy reads from one snapshot, and in WAL mode
    writers carry on meanwhile (a stepwise copy would restart at each of their commits)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.commit()
        counts, migrations = _contents(dst)
    finally:
        dst.close()
        src.close()
    return counts, migrations


def _contents(db: sqlite3.Connection) -> tuple[dict[str, int], list[str]]:
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    migrations = [f"{a}.{n}" for a, n in db.execute("SELECT app, name FROM django_migrations")]
    return counts, sorted(migrations)


def _postgresql_backup(target: Path) -> tuple[dict[str, int], list[str]]:
    """pg_dump inside a snapshot this connection exported, counted in that same snapshot."""
    import psycopg

    with psycopg.connect(**_psycopg_params()) as db:
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = db.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            )
        ]
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
        rows = db.execute("SELECT app, name FROM django_migrations").fetchall()
        _pg_tool(
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={target}",
        )
        db.execute("COMMIT")
    return counts, sorted(f"{a}.{n}" for a, n in rows)


def _psycopg_params() -> dict:
    db = connection.settings_dict
    params = {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"]}
    params |= {"host": db["HOST"], "port": db["PORT"]}
    return {k: v for k, v in params.items() if v not in (None, "")}


def _pg_tool(program: str, *args: str) -> None:
    """Run pg_dump or pg_restore on the configured database; the password goes through the
    environment, never the command line (which `ps` shows)."""
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or os.environ.get("PGPASSWORD", "")}
    where = [f"--dbname={db['NAME']}"]
    where += [f"--host={db['HOST']}"] if db["HOST"] else []
    where += [f"--port={db['PORT']}"] if db["PORT"] else []
    where += [f"--username={db['USER']}"] if db["USER"] else []
    try:
        done = subprocess.run(
            [program, *where, *args], env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise BackupError(
            f"{program} was not found: install PostgreSQL's client programs "
            "(Debian: postgresql-client), the same major version as the server or newer"
        ) from exc
    if done.returncode != 0:
        raise BackupError(f"{program} failed (status {done.returncode}): {done.stderr.strip()}")


def _write_keys(folder: Path) -> None:
    """The keys in force, whether they came from the environment or the data dir's files."""
    folder.mkdir(mode=0o700)
    _write_new(folder / "secret_key", settings.SECRET_KEY + "\n", 0o600)
    _write_new(folder / "audit_key", settings.AUDIT_KEY + "\n", 0o600)
    if settings.AUDIT_OLD_KEYS:
        _write_new(folder / "audit_old_keys", ",".join(settings.AUDIT_OLD_KEYS) + "\n", 0o600)
    if settings.SECRET_KEY_FALLBACKS:
        fallbacks = ",".join(settings.SECRET_KEY_FALLBACKS) + "\n"
        _write_new(folder / "secret_key_fallbacks", fallbacks, 0o600)


def _write_new(path: Path, text: str, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _describe(path: Path) -> dict:
    return {"sha256": _sha256(path), "bytes": path.stat().st_size}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- Restoring ------------------------------------------------------------------------------


def restore_backup(src: Path) -> Restored:
    """Restore the backup at `src` into this (empty) data dir and (empty) database."""
    src = Path(src).absolute()
    manifest = read_manifest(src)
    vendor = connection.vendor
    if manifest["database_vendor"] != vendor:
        raise BackupError(
            f"{src} is a backup of a {manifest['database_vendor']} database, but "
            f"LIBDESK_DATABASE_URL names a {vendor} one"
        )
    unapplied = _check_migrations(src, manifest)
    _refuse_unless_empty()
    database = src / DATABASE_FILES[vendor]
    if vendor == "sqlite":
        _restore_sqlite(database, Path(connection.settings_dict["NAME"]), manifest)
    else:
        _restore_postgresql(database, manifest)
    from_environment = _restore_keys(src / "keys")
    return Restored(manifest, from_environment, unapplied)


def read_manifest(src: Path) -> dict:
    """The manifest, after checking that every file it lists is there, whole."""
    path = src / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} is not a libdesk backup: it has no {MANIFEST}")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: not a libdesk backup manifest of format {FORMAT}")
    missing = {"database_vendor", "migrations", "row_counts", "files"} - set(manifest)
    if missing:
        raise BackupError(f"{path} lacks {', '.join(sorted(missing))}")
    for name, described in manifest["files"].items():
        file = src / name
        if not file.is_file():
            raise BackupError(f"{file} is missing: the backup is incomplete")
        if file.stat().st_size != described["bytes"] or _sha256(file) != described["sha256"]:
            raise BackupError(f"{file} does not match its checksum in {MANIFEST}: it is damaged")
    if DATABASE_FILES.get(manifest["database_vendor"]) not in manifest["files"]:
        raise BackupError(f"{path} lists no database file")
    return manifest


def _check_migrations(src: Path, manifest: dict) -> list[str]:
    """A backup from a newer libdesk has migrations this one does not know: refuse it. One
    from an older libdesk restores, and `libdesk migrate` then upgrades it."""
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    applied = set(manifest["migrations"])
    unknown = sorted(applied - known)
    if unknown:
        version = manifest.get("libdesk_version", "a newer version")
        raise BackupError(
            f"{src} was made by libdesk {version}, whose migrations {', '.join(unknown[:5])} "
            f"this libdesk ({libdesk.__version__}) does not have: restore it with that "
            "version or a later one"
        )
    return sorted(known - applied)


def _refuse_unless_empty() -> None:
    data_dir = Path(settings.DATA_DIR)
    database = connection.settings_dict["NAME"] if connection.vendor == "sqlite" else None
    ours = set(STARTUP_ENTRIES)
    if database and Path(database).parent == data_dir:
        name = Path(database).name
        ours |= {name, f"{name}-wal", f"{name}-shm", f"{name}-journal", f"{name}-writers"}
    there = sorted(p.name for p in data_dir.iterdir() if p.name not in ours)
    if there:
        raise BackupError(
            f"the data directory {data_dir} is not empty (it holds {', '.join(there[:10])}): "
            "restore only into a new, empty data directory (LIBDESK_DATA_DIR)"
        )
    tables = sorted(connection.introspection.table_names())
    if tables:
        shown = ", ".join(tables[:TABLE_NAMES_SHOWN]) + (", ..." if len(tables) > 5 else "")
        where = database or f"PostgreSQL database {connection.settings_dict['NAME']}"
        raise BackupError(
            f"the database {where} already has {len(tables)} tables ({shown}): restore only "
            "into an empty database"
        )


def _restore_sqlite(backup: Path, target: Path, manifest: dict) -> None:
    """Copy to a partial file, check it whole and counted, then move it into place."""
    partial = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    try:
        shutil.copyfile(backup, partial)
        db = sqlite3.connect(partial)
        try:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"{backup} fails SQLite's integrity check: {problems[:3]}")
            counts, _ = _contents(db)
        finally:
            db.close()
        _check_counts(counts, manifest, str(backup))
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        connections.close_all()  # the empty database libdesk may have opened on start
        for leftover in ("", "-wal", "-shm", "-journal"):
            Path(f"{target}{leftover}").unlink(missing_ok=True)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _restore_postgresql(backup: Path, manifest: dict) -> None:
    """One transaction: pg_restore either restores everything or nothing."""
    connections.close_all()
    _pg_tool(
        "pg_restore",
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
        str(backup),
    )
    with connection.cursor() as cursor:
        counts = {}
        for table in manifest["row_counts"]:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    _check_counts(counts, manifest, f"PostgreSQL database {connection.settings_dict['NAME']}")


def _check_counts(counts: dict[str, int], manifest: dict, where: str) -> None:
    differ = [
        f"{table}: {counts.get(table)} rows, the manifest says {expected}"
        for table, expected in manifest["row_counts"].items()
        if counts.get(table) != expected
    ]
    if differ:
        raise BackupError(f"{where} does not hold what the backup counted: {'; '.join(differ)}")


def _restore_keys(folder: Path) -> list[str]:
    """Put the backup's keys in the data dir's key files. Returns the settings that come from
    the environment instead (their values must then be the backup's, or be set so)."""
    from_environment = []
    for name, variable in (
        ("secret_key", "LIBDESK_SECRET_KEY"),
        ("audit_key", "LIBDESK_AUDIT_KEY"),
    ):
        source = folder / name
        target = Path(settings.DATA_DIR) / name
        partial = target.with_name(f".{name}.restoring")
        partial.unlink(missing_ok=True)
        _write_new(partial, source.read_text(), 0o600)
        partial.replace(target)
        if os.environ.get(variable, "").strip():
            from_environment.append(variable)
    return from_environment


def key_in_force(name: str) -> str:
    """The key a process started now would use: the variable if set, else the data dir's file."""
    variable = {"secret_key": "LIBDESK_SECRET_KEY", "audit_key": "LIBDESK_AUDIT_KEY"}[name]
    return (
        os.environ.get(variable, "").strip() or (Path(settings.DATA_DIR) / name).read_text().strip()
    )
