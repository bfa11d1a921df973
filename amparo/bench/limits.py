"""The limits the bench compares against: raw bulk inserts of the same incident rows into a
plain table, and DuckDB running the report's incident aggregations over the same rows."""

# Every SQL string here is built from constants (Django's table names, vocabulary codes): S608
# cannot tell, and the values that vary (the days) are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import csv
import datetime
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from amparo.core.vocab import GRAVE_VIOLATIONS, STATE_PERPETRATORS
from amparo.incidents.models import Incident, IncidentPerpetrator, IncidentViolation
from amparo.registry.models import Defender, DefenderCategory
from amparo.reports.figures import TREND_PERIODS, Period

RAW_TABLE = "bench_raw_incident"
RAW_COLUMNS = (
    "external_id",
    "date",
    "date_precision",
    "reported_on",
    "country",
    "subdivision",
    "violations",
    "perpetrators",
    "context",
    "victims",
    "narrative",
)


def _raw_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("type") != "incident":
                continue
            yield (
                record["id"],
                record.get("date"),
                record.get("date_precision", "day"),
                record.get("reported_on"),
                record.get("country"),
                record.get("subdivision", ""),
                json.dumps(record.get("violations", [])),
                json.dumps(record.get("perpetrators", [])),
                json.dumps(record.get("context", [])),
                json.dumps(record.get("victims", [])),
                record.get("narrative", ""),
            )


def raw_insert(path: Path) -> dict[str, Any]:
    """Read, parse and bulk-insert the file's incidents into a plain table in one transaction:
    executemany on SQLite, COPY on PostgreSQL. The table is dropped afterwards."""
    columns = ", ".join(RAW_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(f"CREATE TABLE {RAW_TABLE} ({', '.join(c + ' text' for c in RAW_COLUMNS)})")
    rows = 0
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f"COPY {RAW_TABLE} ({columns}) FROM STDIN") as copy:
                for row in _raw_rows(path):
                    copy.write_row(row)
                    rows += 1
        else:
            marks = ", ".join("%s" for _ in RAW_COLUMNS)
            batch: list[tuple[Any, ...]] = []
            for row in _raw_rows(path):
                batch.append(row)
                if len(batch) == 10_000:
                    cursor.executemany(f"INSERT INTO {RAW_TABLE} VALUES ({marks})", batch)
                    rows += len(batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {RAW_TABLE} VALUES ({marks})", batch)
                rows += len(batch)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": round(rows / seconds)}


def _sources() -> dict[str, str]:
    """The tables the report's incident figures read, as (name, SQL over Django's tables)."""
    victims = Incident.victim_defenders.through._meta.db_table
    return {
        "incident": f"SELECT id, date, reported_on, country FROM {Incident._meta.db_table}",
        "violation": f"SELECT incident_id, code FROM {IncidentViolation._meta.db_table}",
        "perpetrator": f"SELECT incident_id, code FROM {IncidentPerpetrator._meta.db_table}",
        "victim": f"SELECT incident_id, defender_id FROM {victims}",
        "defender": f"SELECT id, gender FROM {Defender._meta.db_table}",
        "category": f"SELECT defender_id, code FROM {DefenderCategory._meta.db_table}",
    }


def _copy_to_csv(directory: Path) -> dict[str, Path]:
    files = {}
    with connection.cursor() as cursor:
        for name, sql in _sources().items():
            target = directory / f"duck-{name}.csv"
            cursor.execute(sql)
            with target.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow([col[0] for col in cursor.description])
                while chunk := cursor.fetchmany(10_000):
                    writer.writerows(chunk)
            files[name] = target
    return files


def _in_list(values: set[str] | frozenset[str]) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in sorted(values))


def duckdb_report(start: str, end: str, directory: Path) -> dict[str, Any]:
    """The report's incident figures (totals and grave in the period and the trend periods; by
    violation, perpetrator group, category, gender and country) in DuckDB over the same rows.
    Loading is timed apart from the aggregations, which are what the ratio compares."""
    import duckdb

    started = time.perf_counter()
    files = _copy_to_csv(directory)
    duck = duckdb.connect()
    for name, path in files.items():
        duck.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv_auto('{path}')")
    loaded = time.perf_counter() - started

    period = Period(_date(start), _date(end))
    grave, state = _in_list(set(GRAVE_VIOLATIONS)), _in_list(set(STATE_PERPETRATORS))
    started = time.perf_counter()
    figures: dict[str, Any] = {"trend": []}
    for back in range(TREND_PERIODS, -1, -1):
        p = period.shifted(back)
        total, grave_count = duck.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM violation v
                 WHERE v.incident_id = i.id AND v.code IN ({grave})))
               FROM incident i WHERE date BETWEEN ? AND ? AND reported_on <= ?""",
            [p.start, p.end, p.end],
        ).fetchone() or (0, 0)
        figures["trend"].append({"total": total, "grave": grave_count})
    scope = "SELECT id FROM incident WHERE date BETWEEN $1 AND $2 AND reported_on <= $2"
    queries = {
        "by_violation": f"SELECT code, count(DISTINCT incident_id) FROM violation "
        f"WHERE incident_id IN ({scope}) GROUP BY 1",
        "by_perpetrator_group": "SELECT CASE WHEN code = 'unknown' THEN 'unknown' "
        f"WHEN code IN ({state}) THEN 'state' ELSE 'non_state' END, "
        f"count(DISTINCT incident_id) FROM perpetrator WHERE incident_id IN ({scope}) GROUP BY 1",
        "by_category": "SELECT c.code, count(DISTINCT v.incident_id) FROM victim v "
        f"LEFT JOIN category c ON c.defender_id = v.defender_id WHERE v.incident_id IN ({scope}) "
        "GROUP BY 1",
        "by_gender": "SELECT d.gender, count(DISTINCT v.incident_id) FROM victim v "
        f"JOIN defender d ON d.id = v.defender_id WHERE v.incident_id IN ({scope}) GROUP BY 1",
        "by_country": f"SELECT country, count(*) FROM incident WHERE id IN ({scope}) GROUP BY 1",
    }
    for name, sql in queries.items():
        figures[name] = dict(duck.execute(sql, [period.start, period.end]).fetchall())
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 4),
        "load_seconds": round(loaded, 2),
        "total": figures["trend"][-1]["total"],
        "grave": figures["trend"][-1]["grave"],
    }


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
