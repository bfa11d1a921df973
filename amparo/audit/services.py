"""The one audit path: every write, sensitive read, export and login records an event here.

Events are written inside the caller's transaction (so a rolled-back change leaves no event and
a committed change always has one) and chained to the previous event under a lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from amparo.audit.chain import GENESIS, event_hash
from amparo.audit.models import AuditEvent
from amparo.core.bulk import insert_rows
from amparo.core.context import request_id

_POSTGRES_CHAIN_LOCK = 7_203_142_201  # an arbitrary constant naming the chain's advisory lock


@dataclass
class PendingEvent:
    action: str
    object_type: str = ""
    object_id: str = ""
    fields: Sequence[str] = ()
    detail: dict[str, Any] = field(default_factory=dict)


def _lock_chain() -> None:
    # SQLite transactions here are IMMEDIATE, so writers are already serialised.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_CHAIN_LOCK])


def _actor_values(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {
            "actor_id": None,
            "actor_label": "anonymous",
            "actor_role": "anonymous",
            "actor_entity_id": None,
        }
    return {
        "actor_id": actor.pk,
        "actor_label": actor.audit_label,
        "actor_role": actor.role,
        "actor_entity_id": actor.entity_id,
    }


def audit_record_many(actor: Any, events: Iterable[PendingEvent]) -> list[AuditEvent]:
    """Append events for one actor, in order, in the current transaction."""
    pending = list(events)
    if not pending:
        return []
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
        seq, prev_hash = (last["seq"], last["hash"]) if last else (0, GENESIS)
        now, who, rid = timezone.now(), _actor_values(actor), request_id.get()
        rows: list[AuditEvent] = []
        for event in pending:
            seq += 1
            values = {
                "seq": seq,
                "occurred_at": now,
                **who,
                "action": event.action,
                "object_type": event.object_type,
                "object_id": str(event.object_id),
                "fields": sorted(event.fields),
                "detail": event.detail,
                "request_id": rid,
            }
            prev_hash = values["hash"] = event_hash(prev_hash, values)
            values["prev_hash"] = rows[-1].hash if rows else (last["hash"] if last else GENESIS)
            rows.append(AuditEvent(**values))
        insert_rows(AuditEvent, rows)
    return rows


def audit_record(
    actor: Any,
    action: str,
    *,
    object_type: str = "",
    object_id: Any = "",
    fields: Sequence[str] = (),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    return audit_record_many(
        actor,
        [PendingEvent(action, object_type, str(object_id), fields, detail or {})],
    )[0]


def audit_read(
    actor: Any, object_type: str, objects: Sequence[Any], *, fields: Sequence[str], via: str
) -> None:
    """Record that the actor was shown sensitive fields of these records, one event per record,
    so that "who read this defender's file" is a plain query. via: "page", "list", "api", ..."""
    audit_record_many(
        actor,
        [
            PendingEvent(f"{object_type}.read", object_type, str(obj.pk), fields, {"via": via})
            for obj in objects
        ],
    )
