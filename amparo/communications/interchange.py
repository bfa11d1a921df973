"""The interchange `communication` and `reply` records (interchange.md): import through these
services, export through communication_record and reply_interchange_record. Kept here so the
interchange package only wires the types in.

Only sent communications travel: an imported one is sent, with the reference the file gives
(checked against its kind and State) or, without one, the next of its State and year. A file
is a record of letters already sent elsewhere, so the four-eyes and consent checks of drafting
do not apply; the import is audited like every other write.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from amparo.accounts.models import Entity
from amparo.audit.services import audit_record
from amparo.communications.models import Communication, CommunicationStatus, Reply
from amparo.communications.policies import may_draft, sees_letter
from amparo.communications.services import (
    ReplyData,
    allocate_reference,
    alpha3,
    follow_up_days,
    parse_reference,
    reply_record,
    reply_update,
)
from amparo.core.keystore import data_key_create
from amparo.core.policy import deny
from amparo.core.validation import Errors
from amparo.core.vocab import CommunicationKind, Gender, ReplyKind, codes
from amparo.incidents.models import Incident
from amparo.registry.models import Defender


@dataclass
class CommunicationImportData:
    kind: str
    state: str
    sent_on: datetime.date
    reference: str = ""
    mandates: list[str] = field(default_factory=list)
    defenders: list[Any] = field(default_factory=list)
    incidents: list[Any] = field(default_factory=list)
    summary: str = ""

    def validate(self) -> None:
        errors = Errors()
        errors.code("kind", self.kind, codes(CommunicationKind))
        errors.country("state", self.state)
        errors.not_future("sent_on", self.sent_on)
        if self.reference and not errors.by_field:
            parsed = parse_reference(self.reference)
            if parsed is None:
                errors.add("reference", "Write it as the UN does: UA COL 3/2009.")
            elif parsed[0] != self.kind:
                errors.add("reference", f"The reference is of kind {parsed[0]}, not {self.kind}.")
            elif parsed[1] != alpha3(self.state):
                errors.add("reference", f"The reference is not of the State {self.state}.")
        errors.raise_if_any()


@dataclass
class ReplyImportData:
    received_on: datetime.date
    kind: str

    def validate(self) -> None:
        errors = Errors()
        errors.code("kind", self.kind, codes(ReplyKind))
        errors.not_future("received_on", self.received_on)
        errors.raise_if_any()


def _apply(communication: Communication, data: CommunicationImportData) -> None:
    communication.kind, communication.state = data.kind, data.state.upper()
    communication.mandates = [m.strip() for m in data.mandates if m.strip()]
    communication.sent_on = data.sent_on
    communication.follow_up_on = data.sent_on + datetime.timedelta(days=follow_up_days())
    communication.summary = data.summary.strip() or None
    communication.concerns_women_defenders = communication.concerns_women_defenders or any(
        isinstance(d, Defender) and d.gender == Gender.WOMAN for d in data.defenders
    )


def _set_reference(communication: Communication, data: CommunicationImportData) -> None:
    if not data.reference:
        allocate_reference(communication, data.sent_on.year)
        return
    parsed = parse_reference(data.reference)
    assert parsed is not None  # validated
    _kind, _iso3, number, year = parsed
    taken = (
        Communication.objects.filter(state=communication.state, ref_year=year, ref_number=number)
        .exclude(pk=communication.pk)
        .exists()
    )
    if taken:
        raise ValidationError({"reference": "Another communication has this reference."})
    communication.reference, communication.ref_number, communication.ref_year = (
        data.reference,
        number,
        year,
    )


def communication_import(
    *,
    actor: Any,
    data: CommunicationImportData,
    entity: Entity,
    external_id: str,
    digest: str = "",
) -> Communication:
    if not may_draft(actor):
        raise deny("Your role may not import communications.")
    data.validate()
    with transaction.atomic():
        communication = Communication(
            external_id=external_id,
            status=CommunicationStatus.SENT,
            lead_entity=entity,
            data_key=data_key_create(),
            digest=digest,
        )
        _apply(communication, data)
        _set_reference(communication, data)
        communication.save(force_insert=True)
        communication.defenders.set(data.defenders)
        communication.incidents.set(data.incidents)
        audit_record(
            actor,
            "communication.import",
            object_type="communication",
            object_id=communication.pk,
            fields=["summary"] if data.summary.strip() else [],
            detail={"reference": communication.reference, "external_id": external_id},
        )
    return communication


def communication_import_update(
    *, actor: Any, communication: Communication, data: CommunicationImportData, digest: str = ""
) -> list[str]:
    if not sees_letter(actor, communication) or not may_draft(actor):
        raise deny("You may not change this communication.")
    if communication.status != CommunicationStatus.SENT:
        raise ValidationError({"id": "This id belongs to a communication that was not sent."})
    data.validate()
    before = {
        "kind": communication.kind,
        "state": communication.state,
        "mandates": list(communication.mandates or []),
        "sent_on": communication.sent_on,
        "reference": communication.reference,
        "summary": communication.summary or "",
        "defenders": {d.pk for d in communication.defenders.all()},
        "incidents": {i.pk for i in communication.incidents.all()},
    }
    with transaction.atomic():
        _apply(communication, data)
        if data.reference and data.reference != communication.reference:
            _set_reference(communication, data)
        after = {
            "kind": communication.kind,
            "state": communication.state,
            "mandates": communication.mandates,
            "sent_on": communication.sent_on,
            "reference": communication.reference,
            "summary": communication.summary or "",
            "defenders": {getattr(d, "pk", d) for d in data.defenders},
            "incidents": {getattr(i, "pk", i) for i in data.incidents},
        }
        changed = sorted(name for name in before if before[name] != after[name])
        communication.digest = digest
        communication.save()
        communication.defenders.set(data.defenders)
        communication.incidents.set(data.incidents)
        if changed:
            audit_record(
                actor,
                "communication.import_update",
                object_type="communication",
                object_id=communication.pk,
                fields=changed,
                detail={"reference": communication.reference},
            )
    return changed


def reply_import(
    *,
    actor: Any,
    communication: Communication,
    data: ReplyImportData,
    external_id: str,
    digest: str = "",
) -> Reply:
    return reply_record(
        actor=actor,
        communication=communication,
        data=ReplyData(received_on=data.received_on, kind=data.kind),
        external_id=external_id,
        digest=digest,
    )


def reply_import_update(
    *, actor: Any, reply: Reply, data: ReplyImportData, digest: str = ""
) -> list[str]:
    return reply_update(
        actor=actor,
        reply=reply,
        data=ReplyData(received_on=data.received_on, kind=data.kind),
        digest=digest,
    )


# Export ------------------------------------------------------------------------------------


def communication_record(
    communication: Communication,
    ref: Any,
    *,
    defender_ids: list[str],
    incident_ids: list[str],
    identities: bool,
) -> dict[str, Any]:
    readable = identities and not communication.data_key.is_shredded
    return {
        "id": ref("communication", communication.external_id),
        "kind": communication.kind,
        "reference": communication.reference,
        "state": communication.state,
        "sent_on": communication.sent_on,
        "mandates": list(communication.mandates or []),
        "defenders": [ref("defender", ext) for ext in defender_ids],
        "incidents": [ref("incident", ext) for ext in incident_ids],
        "summary": communication.summary if readable else None,
    }


def reply_interchange_record(reply: Reply, ref: Any) -> dict[str, Any]:
    return {
        "id": ref("reply", reply.external_id),
        "communication": ref("communication", reply.communication.external_id),
        "received_on": reply.received_on,
        "kind": reply.kind,
    }


def communications_for_export(actor: Any) -> Any:
    from amparo.communications.policies import communication_scope

    return (
        Communication.objects.filter(communication_scope(actor), status=CommunicationStatus.SENT)
        .select_related("data_key")
        .order_by("external_id")
    )


def replies_for_export(actor: Any) -> Any:
    return (
        Reply.objects.filter(communication__in=communications_for_export(actor))
        .select_related("communication")
        .order_by("external_id")
    )


def visible_link_ids(actor: Any, communication: Communication) -> tuple[list[str], list[str]]:
    from amparo.incidents.policies import incident_scope
    from amparo.registry.policies import defender_scope

    defenders = (
        Defender.objects.filter(defender_scope(actor), communications=communication)
        .order_by("external_id")
        .values_list("external_id", flat=True)
    )
    incidents = (
        Incident.objects.filter(incident_scope(actor), communications=communication)
        .order_by("external_id")
        .values_list("external_id", flat=True)
    )
    return list(defenders), list(incidents)
