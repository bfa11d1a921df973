"""Export interchange JSON Lines: the records an actor may see, streamed in dependency order.

Lines are the canonical form of records.py, so export → import → export gives the same bytes.
Every export is audited (`export.run`: types, counts, pseudonymised, format; no values).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet

from amparo.audit.services import audit_record
from amparo.communications.interchange import (
    communication_record,
    communications_for_export,
    replies_for_export,
    reply_interchange_record,
    visible_link_ids,
)
from amparo.core.crypto import keyed_digest
from amparo.core.keystore import index_key
from amparo.core.policy import deny
from amparo.earlywarning.models import Event
from amparo.earlywarning.policies import event_scope
from amparo.incidents.models import Incident
from amparo.incidents.policies import incident_scope
from amparo.interchange import mapping
from amparo.interchange.mapping import Ref
from amparo.interchange.policies import export_refusal, may_export
from amparo.interchange.records import TYPES, canonical, sensitive_fields, serialise
from amparo.investigations.interchange import (
    exportable_investigations,
    investigation_interchange_record,
)
from amparo.measures.interchange import measure_record
from amparo.measures.models import Measure
from amparo.measures.policies import measure_scope
from amparo.registry.models import Defender, Organisation, Person
from amparo.registry.policies import defender_scope, organisation_scope, person_scope
from amparo.risk.models import RiskAssessment
from amparo.risk.policies import assessment_scope

FORMATS = ("jsonl", "csv", "xlsx")
CHUNK_SIZE = 500
PSEUDONYM_KEY_PURPOSE = "export-pseudonym"
PSEUDONYM_PREFIX = {
    "organisation": "o",
    "defender": "d",
    "person": "p",
    "event": "e",
    "incident": "i",
    "assessment": "a",
    "measure": "m",
    "investigation": "v",
    "communication": "c",
    "reply": "r",
}


class Pseudonyms:
    """Stable keyed pseudonyms: the same record gets the same pseudonym in every export of this
    deployment, and nobody without the key can link it back."""

    def __init__(self) -> None:
        self._key = index_key(PSEUDONYM_KEY_PURPOSE)

    def __call__(self, kind: str, external_id: str) -> str:
        mac = keyed_digest(self._key, f"{kind}|{external_id}".encode())
        return f"{PSEUDONYM_PREFIX[kind]}-{mac[:16]}"


def _same(kind: str, external_id: str) -> str:
    return external_id


def pseudonymise(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """Leave out every sensitive field; a required name becomes the record's pseudonym."""
    for name in sensitive_fields(kind, record):
        record[name] = None
    if "name" in record and record["name"] is None:
        record["name"] = record["id"]
    return record


def _visible_ids(model: type[Any], scope: Any) -> QuerySet[Any]:
    return model.objects.filter(scope).only("pk", "external_id").order_by("external_id")


def _records(kind: str, actor: Any, ref: Ref, identities: bool) -> Iterator[dict[str, Any]]:
    if kind == "organisation":
        organisations = (
            Organisation.objects.filter(organisation_scope(actor))
            .select_related("data_key")
            .order_by("external_id")
        )
        for org in organisations.iterator(chunk_size=CHUNK_SIZE):
            yield mapping.organisation_record(org, ref, identities=identities)
    elif kind == "defender":
        defenders = (
            Defender.objects.filter(defender_scope(actor))
            .select_related("data_key")
            .prefetch_related(
                "category_rows",
                Prefetch(
                    "organisations",
                    queryset=_visible_ids(Organisation, organisation_scope(actor)),
                    to_attr="visible_organisations",
                ),
            )
            .order_by("external_id")
        )
        for defender in defenders.iterator(chunk_size=CHUNK_SIZE):
            orgs = [o.external_id for o in defender.visible_organisations]
            yield mapping.defender_record(defender, ref, orgs, identities=identities)
    elif kind == "person":
        persons = (
            Person.objects.filter(person_scope(actor))
            .select_related("data_key", "defender")
            .order_by("external_id")
        )
        for person in persons.iterator(chunk_size=CHUNK_SIZE):
            yield mapping.person_record(person, ref, identities=identities)
    elif kind == "event":
        events = (
            Event.objects.filter(event_scope(actor))
            .annotate(defender_count=Count("defenders"))
            .prefetch_related(
                Prefetch(
                    "defenders",
                    queryset=_visible_ids(Defender, defender_scope(actor)),
                    to_attr="visible_defenders",
                )
            )
            .order_by("external_id")
        )
        for event in events.iterator(chunk_size=CHUNK_SIZE):
            named = [d.external_id for d in event.visible_defenders]
            # A personal event whose defenders are all hidden would read as "everyone": leave it.
            if event.defender_count and not named:
                continue
            yield mapping.event_record(event, ref, named)
    elif kind == "incident":
        yield from _incident_records(actor, ref, identities)
    elif kind == "assessment":
        yield from _assessment_records(actor, ref, identities)
    elif kind == "investigation":
        for investigation in exportable_investigations(actor).iterator(chunk_size=CHUNK_SIZE):
            yield investigation_interchange_record(investigation, ref)
    elif kind == "communication":
        for communication in communications_for_export(actor).iterator(chunk_size=CHUNK_SIZE):
            defender_ids, incident_ids = visible_link_ids(actor, communication)
            yield communication_record(
                communication,
                ref,
                defender_ids=defender_ids,
                incident_ids=incident_ids,
                identities=identities,
            )
    elif kind == "reply":
        for reply in replies_for_export(actor).iterator(chunk_size=CHUNK_SIZE):
            yield reply_interchange_record(reply, ref)
    else:
        yield from _measure_records(actor, ref)


def _measure_records(actor: Any, ref: Ref) -> Iterator[dict[str, Any]]:
    measures = (
        Measure.objects.filter(measure_scope(actor))
        .select_related("defender", "provider")
        .order_by("external_id")
    )
    for measure in measures.iterator(chunk_size=CHUNK_SIZE):
        yield measure_record(measure, ref)


def _assessment_records(actor: Any, ref: Ref, identities: bool) -> Iterator[dict[str, Any]]:
    # Only decided, approved versions: drafts and rejected ones would import as approved.
    assessments = (
        RiskAssessment.objects.filter(
            assessment_scope(actor), status=RiskAssessment.Status.APPROVED
        )
        .select_related("data_key", "defender")
        .order_by("external_id")
    )
    for assessment in assessments.iterator(chunk_size=CHUNK_SIZE):
        yield mapping.assessment_record(assessment, ref, identities=identities)


def _incident_records(actor: Any, ref: Ref, identities: bool) -> Iterator[dict[str, Any]]:
    incidents = (
        Incident.objects.filter(incident_scope(actor))
        .select_related("data_key")
        .prefetch_related(
            "violation_rows",
            "perpetrator_rows",
            "context_rows",
            Prefetch(
                "victim_defenders",
                queryset=_visible_ids(Defender, defender_scope(actor)),
                to_attr="visible_defenders",
            ),
            Prefetch(
                "victim_persons",
                queryset=_visible_ids(Person, person_scope(actor)),
                to_attr="visible_persons",
            ),
            Prefetch(
                "organisations",
                queryset=_visible_ids(Organisation, organisation_scope(actor)),
                to_attr="visible_organisations",
            ),
        )
        .order_by("external_id")
    )
    for incident in incidents.iterator(chunk_size=CHUNK_SIZE):
        record = mapping.incident_record(
            incident,
            ref,
            defender_ids=[d.external_id for d in incident.visible_defenders],
            person_ids=[p.external_id for p in incident.visible_persons],
            organisation_ids=[o.external_id for o in incident.visible_organisations],
            identities=identities,
        )
        # An incident whose every victim is hidden from this actor would not import: leave it.
        if record["victims"] or record["organisations"]:
            yield record


def export_records(
    *,
    actor: Any,
    write: Callable[[str], object],
    types: tuple[str, ...] = TYPES,
    pseudonymised: bool = False,
    fmt: str = "jsonl",
) -> dict[str, int]:
    """Write one line per visible record of the given types; returns the count per type."""
    return export_canonical(
        actor=actor,
        emit=lambda kind, line: write(serialise(line)),
        types=types,
        pseudonymised=pseudonymised,
        fmt=fmt,
    )


def export_canonical(
    *,
    actor: Any,
    emit: Callable[[str, dict[str, Any]], object],
    types: tuple[str, ...] = TYPES,
    pseudonymised: bool = False,
    fmt: str = "jsonl",
) -> dict[str, int]:
    """Hand every visible record of the given types, in its canonical form, to emit(kind,
    record); the tabular formats (amparo/interchange/formats) lay them out as rows.

    The audit event is written when the export completes, or when it fails part-way (then
    with completed: false), so a partial file is accounted for too."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}.")
    if not may_export(actor, pseudonymise=pseudonymised):
        raise deny(export_refusal(actor))
    ref: Ref = Pseudonyms() if pseudonymised else _same
    counts = {kind: 0 for kind in TYPES if kind in types}
    completed = False
    try:
        for kind in counts:
            for record in _records(kind, actor, ref, identities=not pseudonymised):
                if pseudonymised:
                    record = pseudonymise(kind, record)
                emit(kind, canonical(kind, record))
                counts[kind] += 1
        completed = True
    finally:
        with transaction.atomic():
            audit_record(
                actor,
                "export.run",
                object_type="export",
                detail={
                    "types": list(counts),
                    "counts": counts,
                    "pseudonymised": pseudonymised,
                    "format": fmt,
                    "completed": completed,
                },
            )
    return counts
