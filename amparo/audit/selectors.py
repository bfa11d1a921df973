"""Reads of the audit log: verification of the chain and the auditor's listings."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from amparo.audit.chain import CHAINED_FIELDS, VerifyResult, verify_events
from amparo.audit.models import AuditEvent


def audit_verify(witness: dict[int, str] | None = None) -> VerifyResult:
    events = (
        AuditEvent.objects.order_by("seq")
        .values(*CHAINED_FIELDS, "prev_hash", "hash")
        .iterator(chunk_size=5000)
    )
    return verify_events(events, witness)


def audit_head() -> tuple[int, str]:
    last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    return (last["seq"], last["hash"]) if last else (0, "")


def audit_event_list(
    *,
    object_type: str = "",
    object_id: str = "",
    actor_id: int | None = None,
    action: str = "",
    since: Any = None,
    until: Any = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action__startswith=action)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events.order_by("-seq")


def audit_subject_id(code: str) -> tuple[str, str] | None:
    """(object type, object id) of the record with this code, without any case visibility:
    the auditor sees no case content, only which record the events are about."""
    from amparo.incidents.models import Incident
    from amparo.registry.models import Case, Defender

    for object_type, model in (("defender", Defender), ("incident", Incident), ("case", Case)):
        pk = model.objects.filter(code=code).values_list("pk", flat=True).first()
        if pk is not None:
            return object_type, str(pk)
    return None


def audit_actor_id(username: str) -> int | None:
    from amparo.accounts.models import User

    return User.objects.filter(username=username).values_list("pk", flat=True).first()
