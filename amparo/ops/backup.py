"""`amparo backup create | restore`: a consistent, encrypted copy of the database and attachments.

Consistent while writes go on: SQLite through the online backup API, PostgreSQL through
pg_dump inside an exported snapshot (the manifest is counted in the same snapshot). The archive
is encrypted (amparo/ops/archive.py) and carries a manifest: per-table row counts and content
hashes, the SHA-256 of every attachment file and the audit chain's head. A restore refuses a
non-empty target and proves what it restored against that manifest (docs/backup.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection

from amparo.core import crypto
from amparo.core.crypto import CryptoError, Keyring
from amparo.ops.archive import DecryptingReader, EncryptingWriter
from amparo.ops.manifest import audit_chain, compare, files_manifest, tables_manifest

SQLITE_MEMBER = "db/amparo.sqlite3"
PGDUMP_MEMBER = "db/amparo.pgdump"
MANIFEST_MEMBER = "manifest.json"
ATTACHMENTS_PREFIX = "attachments/"
DECRYPT_SAMPLE = 20


class BackupError(Exception):
    """A backup or restore that cannot be done or did not verify; the message says why."""


@dataclass
class BackupResult:
    path: Path
    bytes: int
    seconds: float
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    seconds: float
    tables: int
    rows: int
    attachments: int
    audit_events: int
    decrypted: int
    decrypt_failures: int
    shredded: int
    problems: list[str] = field(default_factory=list)


# --- create --------------------------------------------------------------------------------


def client_tool(name: str) -> str:
    """The full path of a PostgreSQL client tool (pg_dump, pg_restore) on PATH."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is needed on PATH (the PostgreSQL client tools).")
    return path


def pg_client_args(config: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL client tools; the password goes in the env."""
    args = [f"--dbname={config['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            args.append(f"{option}={config[key]}")
    env = {**os.environ}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return args, env


def _psycopg_connect(config: dict[str, Any]) -> Any:
    import psycopg

    # Autocommit: transactions are opened explicitly, with the isolation they need.
    return psycopg.connect(
        autocommit=True,
        dbname=config["NAME"],
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
    )


def _snapshot_sqlite(workdir: Path) -> tuple[Path, dict[str, Any]]:
    copy = workdir / "amparo.sqlite3"
    source = sqlite3.connect(connection.settings_dict["NAME"])
    target = sqlite3.connect(copy)
    try:
        source.backup(target)  # one step: a consistent snapshot even while others write
    finally:
        source.close()
    try:
        cursor = target.cursor()
        described = _describe(cursor, "sqlite")
        (integrity,) = cursor.execute("PRAGMA integrity_check").fetchone()
        if integrity != "ok":
            raise BackupError(f"The database copy fails integrity_check: {integrity}")
    finally:
        target.close()
    return copy, described


def _snapshot_postgresql(workdir: Path) -> tuple[Path, dict[str, Any]]:
    config: dict[str, Any] = dict(connection.settings_dict)
    dump = workdir / "amparo.pgdump"
    args, env = pg_client_args(config)
    with _psycopg_connect(config) as pg:
        cursor = pg.cursor()
        # One snapshot for pg_dump and for the manifest's counts and hashes.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        dump_argv = [client_tool("pg_dump"), "--format=custom", "--compress=0", *args]
        done = subprocess.run(  # noqa: S603 - fixed argv from settings
            [*dump_argv, f"--snapshot={snapshot}", f"--file={dump}"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        described = _describe(cursor, "postgresql")
        cursor.execute("ROLLBACK")
    return dump, described


def _describe(cursor: Any, vendor: str) -> dict[str, Any]:
    chain = audit_chain(cursor)
    if not chain.ok:
        raise BackupError(f"The audit chain is broken at event {chain.first_bad_seq}.")
    return {
        "tables": tables_manifest(cursor, vendor),
        "audit": {"events": chain.checked, "head_seq": chain.head_seq, "head": chain.head_hash},
    }


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
    archive.addfile(info, io.BytesIO(data))


def backup_create(*, out: Path, keyring: Keyring) -> BackupResult:
    """Write an encrypted backup to `out` (never overwritten); return its size, time, manifest."""
    started = time.perf_counter()
    if out.exists():
        raise BackupError(f"{out} exists already; a backup is never overwritten.")
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    keyring.require_current()
    partial = out.with_name(out.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="amparo-backup-") as tmp:
        snapshot = _snapshot_sqlite if vendor == "sqlite" else _snapshot_postgresql
        db_file, described = snapshot(Path(tmp))
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                writer = EncryptingWriter(handle, keyring, vendor=vendor)
                with tarfile.open(fileobj=writer, mode="w|gz") as archive:  # type: ignore[call-overload]
                    archive.add(db_file, SQLITE_MEMBER if vendor == "sqlite" else PGDUMP_MEMBER)
                    # After the database snapshot: an attachment's file is written before its
                    # row commits, so every row in the snapshot finds its file here.
                    attachments = _add_attachments(archive)
                    manifest = {
                        "format": "amparo-backup-manifest",
                        "database": vendor,
                        "kek_id": keyring.require_current().id,
                        **described,
                        "attachments": attachments,
                    }
                    _add_bytes(archive, MANIFEST_MEMBER, json.dumps(manifest, indent=1).encode())
                writer.close()
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(out, out.stat().st_size, time.perf_counter() - started, manifest)


def _add_attachments(archive: tarfile.TarFile) -> dict[str, str]:
    directory = Path(settings.AMPARO_ATTACHMENTS_DIR)
    hashes = {}
    if directory.is_dir():
        for path in sorted(directory.rglob("*")):
            if not path.is_file() or path.name.startswith("tmp"):
                continue
            data = path.read_bytes()
            name = str(path.relative_to(directory))
            _add_bytes(archive, ATTACHMENTS_PREFIX + name, data)
            hashes[name] = hashlib.sha256(data).hexdigest()
    return hashes


# --- restore -------------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def _check_empty_target(data_dir: Path, database_url: str | None) -> None:
    attachments = data_dir / "attachments"
    if (data_dir / "amparo.sqlite3").exists() or (
        attachments.is_dir() and any(attachments.iterdir())
    ):
        raise BackupError(
            f"{data_dir} already holds a database or attachments; restore only into an empty "
            "data directory."
        )
    if database_url:
        with _psycopg_connect(_url_config(database_url)) as pg:
            tables = pg.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchone()
        if tables and tables[0]:
            raise BackupError("The target database is not empty; restore only into an empty one.")


def _url_config(database_url: str) -> dict[str, Any]:
    import dj_database_url

    return dict(dj_database_url.parse(database_url))


def backup_restore(
    *, path: Path, data_dir: Path, keyring: Keyring, database_url: str | None = None
) -> RestoreResult:
    """Restore into an empty data directory (and, for PostgreSQL, an empty database), then
    verify counts, content hashes, attachment files, the audit chain and sample decryption."""
    started = time.perf_counter()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    _check_empty_target(data_dir, database_url)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
    try:
        with path.open("rb") as handle:
            try:
                reader = DecryptingReader(handle, keyring)
                manifest = _extract(reader, staging, data_dir)  # type: ignore[arg-type]
            except CryptoError as error:
                raise BackupError(str(error)) from None
        if manifest["database"] == "sqlite":
            if database_url:
                raise BackupError("This is a SQLite backup: restore it into a data directory.")
            (staging / SQLITE_MEMBER).replace(data_dir / "amparo.sqlite3")
            config = {**connection.settings_dict, "NAME": str(data_dir / "amparo.sqlite3")}
        else:
            if not database_url:
                raise BackupError("A PostgreSQL backup needs --database-url of an empty database.")
            config = _url_config(database_url)
            _pg_restore(staging / PGDUMP_MEMBER, config)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result = verify_restored(manifest, config, data_dir, keyring)
    result.seconds = time.perf_counter() - started
    if result.problems:
        raise BackupError("The restore does not match the backup: " + "; ".join(result.problems))
    return result


def _extract(reader: IO[bytes], staging: Path, data_dir: Path) -> dict[str, Any]:
    manifest: dict[str, Any] | None = None
    attachments = data_dir / "attachments"
    with tarfile.open(fileobj=reader, mode="r|gz") as archive:
        for member in archive:
            if not member.isfile() or not _safe_member(member.name):
                raise BackupError(f"Unexpected entry {member.name!r} in the backup.")
            source = archive.extractfile(member)
            assert source is not None
            data = source.read()
            if member.name == MANIFEST_MEMBER:
                manifest = json.loads(data)
                continue
            if member.name.startswith(ATTACHMENTS_PREFIX):
                target = attachments / member.name[len(ATTACHMENTS_PREFIX) :]
            elif member.name in (SQLITE_MEMBER, PGDUMP_MEMBER):
                target = staging / member.name
            else:
                raise BackupError(f"Unexpected entry {member.name!r} in the backup.")
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
    if manifest is None:
        raise BackupError("The backup has no manifest.")
    return manifest


def _pg_restore(dump: Path, config: dict[str, Any]) -> None:
    args, env = pg_client_args(config)
    restore_argv = [client_tool("pg_restore"), "--exit-on-error", "--no-owner"]
    done = subprocess.run(  # noqa: S603 - fixed argv
        [*restore_argv, "--single-transaction", *args, str(dump)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def _raw_connection(config: dict[str, Any]) -> Any:
    if config["ENGINE"].endswith("sqlite3"):
        return sqlite3.connect(config["NAME"])
    return _psycopg_connect(config)


def verify_restored(
    manifest: dict[str, Any], config: dict[str, Any], data_dir: Path, keyring: Keyring
) -> RestoreResult:
    problems: list[str] = []
    raw = _raw_connection(config)
    try:
        cursor = raw.cursor()
        vendor = "sqlite" if isinstance(raw, sqlite3.Connection) else "postgresql"
        tables = tables_manifest(cursor, vendor)
        problems += compare(manifest["tables"], tables)
        chain = audit_chain(cursor)
        if not chain.ok:
            problems.append(f"audit chain broken at event {chain.first_bad_seq}: {chain.problem}")
        elif (chain.head_seq, chain.head_hash) != (
            manifest["audit"]["head_seq"],
            manifest["audit"]["head"],
        ):
            problems.append(f"audit head {chain.head_seq} differs from the manifest's")
        if vendor == "sqlite":
            (integrity,) = cursor.execute("PRAGMA integrity_check").fetchone()
            if integrity != "ok":
                problems.append(f"integrity_check: {integrity}")
        decrypted, failures, shredded = sample_decryption(cursor, data_dir, keyring)
    finally:
        raw.close()
    problems += [
        f"attachment {p}" for p in compare(manifest["attachments"], _attachment_hashes(data_dir))
    ]
    if failures:
        problems.append(f"{failures} sampled encrypted values did not decrypt")
    return RestoreResult(
        seconds=0.0,
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        attachments=len(manifest["attachments"]),
        audit_events=chain.checked,
        decrypted=decrypted,
        decrypt_failures=failures,
        shredded=shredded,
        problems=problems,
    )


def _attachment_hashes(data_dir: Path) -> dict[str, str]:
    return files_manifest(data_dir / "attachments")


def sample_decryption(cursor: Any, data_dir: Path, keyring: Keyring) -> tuple[int, int, int]:
    """Decrypt a sample of every encrypted field and of the attachment files, reading the
    restored database directly: (values decrypted, failures, shredded)."""
    from amparo.core.models import DataKey
    from amparo.ops.fields import encrypted_fields

    params = "?" if isinstance(cursor, sqlite3.Cursor) else "%s"
    keys: dict[Any, tuple[str, bytes | None]] = {}

    def data_key(raw_id: Any) -> bytes | None:
        key_id = DataKey._meta.pk.to_python(raw_id)
        if key_id not in keys:
            cursor.execute(
                f"SELECT kek_id, wrapped FROM core_datakey WHERE id = {params}",  # noqa: S608
                [raw_id],
            )
            kek_id, wrapped = cursor.fetchone()
            keys[key_id] = (kek_id, None if wrapped is None else bytes(wrapped))
        kek_id, wrapped = keys[key_id]
        if wrapped is None:
            return None
        return keyring.unwrap(wrapped, kek_id=kek_id, data_key_id=str(key_id))

    decrypted = failures = shredded = 0
    for model, names in encrypted_fields().items():
        for name in names:
            field: Any = model._meta.get_field(name)
            key_column = model._meta.get_field(field.key_field).column  # type: ignore[union-attr]
            cursor.execute(
                f'SELECT "{model._meta.pk.column}", "{key_column}", "{field.column}" '  # noqa: S608
                f'FROM "{model._meta.db_table}" WHERE "{field.column}" IS NOT NULL '
                f"ORDER BY 1 LIMIT {DECRYPT_SAMPLE}"
            )
            for raw_pk, raw_key_id, blob in cursor.fetchall():
                instance = model(pk=model._meta.pk.to_python(raw_pk))
                try:
                    key = data_key(raw_key_id)
                    if key is None:
                        shredded += 1
                        continue
                    aad = field.associated_data(instance, DataKey._meta.pk.to_python(raw_key_id))
                    crypto.unseal(key, bytes(blob), aad)
                except CryptoError:
                    failures += 1
                else:
                    decrypted += 1
    ok, bad = _sample_attachments(cursor, data_dir, data_key)
    return decrypted + ok, failures + bad, shredded


def _sample_attachments(cursor: Any, data_dir: Path, data_key: Any) -> tuple[int, int]:
    from amparo.incidents.models import Attachment
    from amparo.incidents.services import _attachment_aad

    ok = bad = 0
    cursor.execute(
        f"SELECT id, data_key_id, sha256 FROM {Attachment._meta.db_table} "  # noqa: S608
        f"ORDER BY 1 LIMIT {DECRYPT_SAMPLE}"
    )
    for raw_pk, raw_key_id, sha256 in cursor.fetchall():
        attachment = Attachment(
            pk=Attachment._meta.pk.to_python(raw_pk),
            data_key_id=Attachment._meta.get_field("data_key").to_python(raw_key_id),
        )
        try:
            key = data_key(raw_key_id)
            if key is None:
                continue
            path = data_dir / "attachments" / f"{attachment.pk}.bin"
            content = crypto.unseal(key, path.read_bytes(), _attachment_aad(attachment))
        except (CryptoError, OSError):
            bad += 1
            continue
        if hashlib.sha256(content).hexdigest() == sha256:
            ok += 1
        else:
            bad += 1
    return ok, bad
