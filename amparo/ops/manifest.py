"""What a backup holds, counted and hashed so a restore can prove it got exactly that back.

Per table: the row count and a content hash, SHA-256 over the sorted SHA-256 of each row's
canonical form (so the hash does not depend on the order the database returns rows in). Read
through plain DB-API connections, never Django's, so the source and the restored copy are read
the same way.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from amparo.audit.chain import CHAINED_FIELDS, VerifyResult, verify_events


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return "b:" + bytes(value).hex()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def table_names(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def table_digest(cursor: Any, table: str) -> tuple[int, str]:
    cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - a table name from the catalogue
    digests = []
    while rows := cursor.fetchmany(2000):
        for row in rows:
            canonical = json.dumps([_plain(v) for v in row], default=str, sort_keys=True)
            digests.append(hashlib.sha256(canonical.encode()).digest())
    digests.sort()
    return len(digests), hashlib.sha256(b"".join(digests)).hexdigest()


def tables_manifest(cursor: Any, vendor: str) -> dict[str, dict[str, Any]]:
    tables = {}
    for table in table_names(cursor, vendor):
        rows, digest = table_digest(cursor, table)
        tables[table] = {"rows": rows, "sha256": digest}
    return tables


def audit_chain(cursor: Any) -> VerifyResult:
    columns = [*CHAINED_FIELDS, "prev_hash", "hash"]
    cursor.execute(
        f"SELECT {', '.join(columns)} FROM audit_auditevent ORDER BY seq"  # noqa: S608
    )
    return verify_events(_events(cursor, columns))


def _events(cursor: Any, columns: list[str]) -> Any:
    while rows := cursor.fetchmany(5000):
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            for name in ("fields", "detail"):
                if isinstance(values[name], str):
                    values[name] = json.loads(values[name])
            if isinstance(values["occurred_at"], str):
                values["occurred_at"] = datetime.datetime.fromisoformat(values["occurred_at"])
            if values["occurred_at"].tzinfo is None:
                values["occurred_at"] = values["occurred_at"].replace(tzinfo=datetime.UTC)
            yield values


def files_manifest(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under the directory (the attachments, still encrypted)."""
    if not directory.is_dir():
        return {}
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """The tables (or files) whose count or hash differs, named with what differs."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            problems.append(f"{name}: missing")
        elif name not in expected:
            problems.append(f"{name}: not in the manifest")
        elif expected[name] != actual[name]:
            problems.append(f"{name}: expected {expected[name]}, found {actual[name]}")
    return problems
