"""Storing many new rows at once: COPY on PostgreSQL, bulk_create elsewhere (imports)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any, cast

from django.db import connection, models

# Rows per INSERT where COPY is not used (SQLite's bound-parameter limit).
INSERT_BATCH = 500


def insert_rows[M: models.Model](model: type[M], objs: Iterable[M]) -> list[M]:
    """Insert new rows whose primary key is set before the insert (UUID defaults, given keys) or
    not read afterwards: an auto-increment key is not fetched back on PostgreSQL.

    On PostgreSQL the rows go in one COPY: bulk_create's INSERT ... UNNEST is built and quoted
    client-side (Django binds parameters in the client) and parsed by the server as one long
    statement, several times the cost of a COPY of the same rows for tables with sealed columns
    (docs/performance.md). Each value still goes through its field's pre_save and
    get_db_prep_save, as in bulk_create, so sealed fields are encrypted the same way."""
    rows = list(objs)
    opts = model._meta
    if (
        len(rows) < 2
        or connection.vendor != "postgresql"
        # Values computed by the database (generated columns, database defaults) need an INSERT.
        or any(
            getattr(field, "generated", False) or field.has_db_default()
            for field in opts.concrete_fields
        )
    ):
        return model._default_manager.bulk_create(rows, batch_size=INSERT_BATCH)
    fields = [
        field
        for field in opts.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    ]
    for obj in rows:
        cast(Any, obj)._prepare_related_fields_for_save(operation_name="bulk_create")
        if obj.pk is None and not isinstance(opts.pk, models.AutoField):
            obj.pk = opts.pk.get_pk_value_on_save(obj)
    values = [
        tuple(field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields)
        for obj in rows
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    sql = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        # Recorded like a query (tests' query counts, DEBUG's log), without its rows.
        debug: Any = getattr(cursor, "debug_sql", None)
        with debug(sql) if debug else nullcontext(), connection.wrap_database_errors:
            connection.validate_no_broken_transaction()
            with cursor.cursor.copy(sql) as copy:
                for row in values:
                    copy.write_row(row)
    for obj in rows:
        obj._state.adding, obj._state.db = False, connection.alias
    return rows
