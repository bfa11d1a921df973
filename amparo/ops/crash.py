"""The crash drill: writes through the real server, `kill -9` mid-write, restart, count losses.

A write counts as acknowledged when the API answered 201 with the incident's code. After the
kill and a restart, every acknowledged incident must be in the database with its audit event,
readable (decrypted) through the restarted server; the database must pass its integrity check
(SQLite: PRAGMA integrity_check; PostgreSQL: amcheck over every table and B-tree index) and the
audit chain must verify. On PostgreSQL only gunicorn's master and workers are killed, never the
database server: it is shared, and its own crash safety is PostgreSQL's to prove.
"""

from __future__ import annotations

import datetime
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from amparo.ops.server import Server, amparo, free_port, init_and_seed, scratch_installation

READ_BACK_SAMPLE = 25


@dataclass
class CrashResult:
    database: str
    acknowledged: int
    unacknowledged: int
    lost: int
    audit_missing: int
    integrity: str
    integrity_checked: str
    audit_verify: str
    read_back: int
    read_back_failures: int
    server_log_hits: int
    lost_control: int
    kill_after_seconds: float
    restart_seconds: float


def _load(
    server: Server,
    token: str,
    defender: str,
    acked: dict[str, str],
    failed: list[int],
    stop: threading.Event,
) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        marker = f"crash drill write {threading.get_ident()}-{n}"
        body = {
            "date": datetime.date(2026, 1, 1 + n % 28).isoformat(),
            "country": "CO",
            "victims": [defender],
            "violations": ["threat"],
            "narrative": marker,
        }
        try:
            status, answer = server.request("POST", "/api/v1/incidents", token, body)
        except OSError:
            failed.append(n)  # the server died under this request: never acknowledged
            continue
        if status == 201:
            acked[answer["code"]] = marker
        else:
            failed.append(status)


def crash_drill(workdir: Path, *, writers: int = 4, kill_after_writes: int = 100) -> CrashResult:
    """On SQLite, or on a throw-away database when DATABASE_URL names a PostgreSQL server."""
    with scratch_installation(workdir, AMPARO_TASKS_BACKEND="database") as (env, database):
        return _crash(workdir, env, database, writers=writers, kill_after_writes=kill_after_writes)


def _crash(
    workdir: Path, env: dict[str, str], database: str, *, writers: int, kill_after_writes: int
) -> CrashResult:
    seeded = init_and_seed(env)
    token, defender = seeded["token"], seeded["defender"]
    log = workdir / "server.log"
    server = Server(env, free_port(), log)
    acked: dict[str, str] = {}
    failed: list[int] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=_load, args=(server, token, defender, acked, failed, stop))
        for _ in range(writers)
    ]
    try:
        server.wait_ready()
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while len(acked) < kill_after_writes and time.monotonic() - started < 60:
            time.sleep(0.05)
        server.kill()  # SIGKILL to gunicorn's master and workers, mid-write
        kill_after = time.monotonic() - started
    finally:
        stop.set()
        for thread in threads:
            if thread.is_alive():
                thread.join()
        server.stop()
    # Snapshot what was acknowledged once the threads are done: nothing can be added later.
    acknowledged = dict(acked)
    restarted = Server(env, free_port(), log)
    try:
        restart_seconds = restarted.wait_ready()
        sample = sorted(acknowledged)[:: max(1, len(acknowledged) // READ_BACK_SAMPLE)]
        read_back = failures = 0
        for code in sample:
            status, answer = restarted.request("GET", f"/api/v1/incidents/{code}", token)
            if status == 200 and answer.get("narrative") == acknowledged[code]:
                read_back += 1
            else:
                failures += 1
    finally:
        restarted.stop()
    if database == "postgresql":
        present, audited, integrity, checked = _inspect_postgresql(env["DATABASE_URL"])
    else:
        present, audited, integrity, checked = _inspect_sqlite(
            Path(env["AMPARO_DATA_DIR"]) / "amparo.sqlite3"
        )
    verify = amparo(env, "audit", "verify")
    server_log = log.read_text(encoding="utf-8", errors="replace")
    if "POST /api/v1/incidents" not in server_log:
        raise RuntimeError("The server's access log was not captured.")
    return CrashResult(
        database=database,
        acknowledged=len(acknowledged),
        unacknowledged=len(failed),
        lost=len(set(acknowledged) - present),
        audit_missing=len(set(acknowledged) - audited),
        integrity=integrity,
        integrity_checked=checked,
        audit_verify="ok" if verify.returncode == 0 else verify.stderr.strip(),
        read_back=read_back,
        read_back_failures=failures,
        # The narratives are sensitive: none may appear in gunicorn's or Amparo's log output.
        server_log_hits=sum(marker in server_log for marker in acknowledged.values()),
        # Positive control: a write acknowledged but absent is counted as lost.
        lost_control=len({*acknowledged, "INC-0000-NEVER-WRITTEN"} - present),
        kill_after_seconds=round(kill_after, 2),
        restart_seconds=round(restart_seconds, 2),
    )


def _inspect_sqlite(database: Path) -> tuple[set[str], set[str], str, str]:
    """Codes of the incidents present, of those with an incident.create event, integrity."""
    with sqlite3.connect(database) as raw:
        (integrity,) = raw.execute("PRAGMA integrity_check").fetchone()
        # UUIDs are stored as 32 hex digits on SQLite; audit events name them with dashes.
        codes = {
            str(uuid.UUID(pk)): code
            for pk, code in raw.execute("SELECT id, code FROM incidents_incident")
        }
        audited = {
            codes[object_id]
            for (object_id,) in raw.execute(
                "SELECT object_id FROM audit_auditevent WHERE action = 'incident.create'"
            )
            if object_id in codes
        }
    return set(codes.values()), audited, integrity, "PRAGMA integrity_check"


# Every ordinary table (heap) and every B-tree index of the schema Amparo migrates into.
HEAPS = """SELECT c.oid::regclass::text FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm') ORDER BY 1"""
BTREES = """SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND a.amname = 'btree' AND c.relpersistence != 't' ORDER BY 1"""


def _inspect_postgresql(url: str) -> tuple[set[str], set[str], str, str]:
    """The same, on PostgreSQL: amcheck's verify_heapam on every table and bt_index_check
    (with heapallindexed: every row is found through every index) on every B-tree index."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as raw:
        try:
            raw.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        except psycopg.Error:
            heaps: list[str] = []  # no amcheck here: the full reads below are the only check
            btrees: list[str] = []
            checked = "amcheck unavailable: full read of the incident and audit tables"
        else:
            heaps = [name for (name,) in raw.execute(HEAPS)]
            btrees = [name for (name,) in raw.execute(BTREES)]
            checked = (
                f"amcheck: verify_heapam on {len(heaps)} tables, "
                f"bt_index_check (heapallindexed) on {len(btrees)} indexes"
            )
        problems = 0
        for heap in heaps:
            problems += len(
                raw.execute("SELECT * FROM verify_heapam(%s::regclass)", [heap]).fetchall()
            )
        for index in btrees:
            # Raises on a corrupt index: the drill fails with amcheck's own message.
            raw.execute("SELECT bt_index_check(%s::regclass, true)", [index])
        codes = {
            str(pk): code for pk, code in raw.execute("SELECT id, code FROM incidents_incident")
        }
        audited = {
            codes[object_id]
            for (object_id,) in raw.execute(
                "SELECT object_id FROM audit_auditevent WHERE action = 'incident.create'"
            )
            if object_id in codes
        }
    integrity = "ok" if problems == 0 else f"{problems} corrupt tuples"
    return set(codes.values()), audited, integrity, checked
