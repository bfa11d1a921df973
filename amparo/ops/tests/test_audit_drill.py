"""Drill: every edit, deletion, reordering and truncation of the stored chain fails
`amparo audit verify` (truncation only against a witness, as docs/security.md says)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from amparo.audit.chain import CHAINED_FIELDS
from amparo.audit.models import AuditEvent
from amparo.audit.services import audit_record
from amparo.conftest import run_append_only_sql
from amparo.ops.figures import report

pytestmark = [pytest.mark.drill, pytest.mark.django_db]

LENGTH = 30
POSITIONS = (1, 15, LENGTH)


class _Undo(Exception):
    pass


def _altered(column: str, value: object) -> object:
    if column == "occurred_at":
        assert isinstance(value, datetime.datetime)
        return value + datetime.timedelta(microseconds=1)
    if column in {"actor_id", "actor_entity_id"}:
        return (value or 0) + 1  # type: ignore[operator]
    if column == "fields":
        return [*value, "tampered"]  # type: ignore[misc]
    if column == "detail":
        return {**value, "tampered": 1}  # type: ignore[dict-item]
    if column == "seq":
        return value + 1000  # type: ignore[operator]
    if column in {"prev_hash", "hash"}:  # same length: the last hex digit changed
        return f"{value[:-1]}{'1' if value[-1] != '1' else '2'}"  # type: ignore[index]
    return f"{value}x"


def _edit(seq: int, column: str) -> Callable[[], None]:
    def run() -> None:
        value = AuditEvent.objects.filter(seq=seq).values_list(column, flat=True).get()
        AuditEvent.objects.filter(seq=seq).update(**{column: _altered(column, value)})

    return run


def _delete(seq: int) -> Callable[[], None]:
    return lambda: AuditEvent.objects.filter(seq=seq).delete() and None


def _swap(a: int, b: int) -> Callable[[], None]:
    def run() -> None:
        AuditEvent.objects.filter(seq=a).update(seq=-1)
        AuditEvent.objects.filter(seq=b).update(seq=a)
        AuditEvent.objects.filter(seq=-1).update(seq=b)

    return run


def _truncate(keep: int) -> Callable[[], None]:
    return lambda: AuditEvent.objects.filter(seq__gt=keep).delete() and None


def _detected(mutate: Callable[[], None], witness: Path | None = None) -> bool:
    """Apply the mutation with the triggers dropped, run `amparo audit verify`, roll back."""
    detected = False
    try:
        with transaction.atomic():
            run_append_only_sql("REVERSE")
            mutate()
            try:
                args = ["--witness", str(witness)] if witness else []
                call_command("audit", "verify", *args, stdout=_Sink())
            except CommandError as error:
                detected = error.returncode == 1
            raise _Undo
    except _Undo:
        pass
    return detected


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def test_audit_mutations_are_detected(system, tmp_path):
    for n in range(LENGTH):
        audit_record(system, "drill.event", object_type="drill", object_id=n, detail={"n": n})
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    assert head is not None and head[0] == LENGTH
    witness = tmp_path / "witness.txt"
    witness.write_text(f"{head[0]} {head[1]}\n")

    # Positive control: the untouched chain passes, with and without the witness.
    assert not _detected(lambda: None)
    assert not _detected(lambda: None, witness)

    cases: dict[str, list[tuple[Callable[[], None], Path | None]]] = {
        "edit": [
            (_edit(seq, column), None)
            for seq in POSITIONS
            for column in (*CHAINED_FIELDS, "prev_hash", "hash")
        ],
        "delete": [(_delete(seq), None) for seq in (1, 2, 10, 20, LENGTH - 1)],
        "reorder": [
            (_swap(a, b), None) for a, b in ((1, 2), (5, 6), (3, 20), (LENGTH - 1, LENGTH))
        ],
        "truncate_with_witness": [(_truncate(keep), witness) for keep in (0, 10, LENGTH - 1)],
    }
    tried = {kind: len(found) for kind, found in cases.items()}
    detected = {
        kind: sum(_detected(mutate, w) for mutate, w in found) for kind, found in cases.items()
    }
    # Without a witness a clean cut of the newest events leaves a valid chain: documented.
    truncation_alone = sum(_detected(_truncate(keep)) for keep in (10, LENGTH - 1))
    report(
        f"audit_mutations[{connection.vendor}]",
        tried=sum(tried.values()),
        detected=sum(detected.values()),
        **{f"{kind}_detected": f"{detected[kind]}/{tried[kind]}" for kind in cases},
        truncation_without_witness_detected=f"{truncation_alone}/2",
    )
    assert detected == tried
    assert truncation_alone == 0
