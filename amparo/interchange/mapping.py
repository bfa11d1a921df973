"""Interchange records to the services' data classes (import) and models to records (export)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amparo.communications.interchange import CommunicationImportData, ReplyImportData
from amparo.earlywarning.models import Event
from amparo.earlywarning.services import EventData
from amparo.incidents.models import Incident
from amparo.incidents.services import IncidentData
from amparo.investigations.interchange import InvestigationImportData
from amparo.measures.interchange import MeasureImportData
from amparo.registry.models import Defender, Organisation, Person
from amparo.registry.services import DefenderData, OrganisationData, PersonData
from amparo.risk.models import Horizon, RiskAssessment
from amparo.risk.services import AssessmentData

# resolve(types, id) -> the model instance an id names; None while validating (placeholders).
Resolve = Callable[[tuple[str, ...], str], Any] | None


def _resolved(resolve: Resolve, types: tuple[str, ...], ids: list[str] | None) -> list[Any]:
    if resolve is None:
        return list(ids or [])
    return [resolve(types, ref) for ref in ids or []]


def data_for(kind: str, record: dict[str, Any], *, resolve: Resolve) -> Any:
    """The service data class of a parsed record; references resolved when resolve is given."""
    if kind == "organisation":
        return OrganisationData(
            name=record["name"],
            kind=record["kind"],
            country=record["country"],
            subdivision=record["subdivision"] or "",
        )
    if kind == "defender":
        consent = record["consent"] or {}
        return DefenderData(
            name=record["name"],
            country=record["country"],
            categories=record["categories"] or [],
            alias=record["alias"] or "",
            gender=record["gender"],
            birth_year=record["birth_year"],
            subdivision=record["subdivision"] or "",
            locality=record["locality"] or "",
            contacts=record["contacts"] or {},
            organisations=_resolved(resolve, ("organisation",), record["organisations"]),
            status=record["status"],
            registered_on=record["registered_on"],
            consent_register=bool(consent.get("register")),
            consent_share_with_state=bool(consent.get("share_with_state")),
        )
    if kind == "person":
        return PersonData(
            name=record["name"],
            relation=record["relation"],
            country=record["country"] or "",
            subdivision=record["subdivision"] or "",
        )
    if kind == "event":
        return EventData(
            kind=record["kind"],
            start=record["start"],
            country=record["country"],
            title=record["title"] or "",
            end=record["end"],
            subdivision=record["subdivision"] or "",
            categories=record["categories"] or [],
            defenders=_resolved(resolve, ("defender",), record["defenders"]),
            lead_days=record["lead_days"],
            tail_days=record["tail_days"],
        )
    if kind == "incident":
        victims = _resolved(resolve, ("defender", "person"), record["victims"])
        return IncidentData(
            date=record["date"],
            country=record["country"],
            violations=record["violations"] or [],
            date_precision=record["date_precision"],
            end_date=record["end_date"],
            reported_on=record["reported_on"],
            subdivision=record["subdivision"] or "",
            locality=record["locality"] or "",
            # While validating, the ids stand in for both lists: only their presence is checked.
            victim_defenders=[v for v in victims if resolve is None or isinstance(v, Defender)],
            victim_persons=[v for v in victims if isinstance(v, Person)],
            organisations=_resolved(resolve, ("organisation",), record["organisations"]),
            perpetrators=record["perpetrators"] or ["unknown"],
            perpetrator_detail=record["perpetrator_detail"] or "",
            contexts=record["context"] or [],
            state_acquiescence=bool(record["state_acquiescence"]),
            narrative=record["narrative"] or "",
            sources=record["sources"] or [],
            verification=record["verification"],
        )
    if kind == "assessment":
        return _assessment_data(record)
    if kind == "measure":
        return MeasureImportData(
            kind=record["kind"],
            status=record["status"],
            requested_on=record["requested_on"],
            decided_on=record["decided_on"],
            implemented_on=record["implemented_on"],
            ended_on=record["ended_on"],
            provider=record["provider"] or "",
        )
    if kind == "investigation":
        return InvestigationImportData(
            stage=record["stage"],
            updated_on=record["updated_on"],
            authority=record["authority"] or "",
        )
    if kind == "communication":
        return CommunicationImportData(
            kind=record["kind"],
            state=record["state"],
            sent_on=record["sent_on"],
            reference=record["reference"] or "",
            mandates=record["mandates"] or [],
            defenders=_resolved(resolve, ("defender",), record["defenders"]),
            incidents=_resolved(resolve, ("incident",), record["incidents"]),
            summary=record["summary"] or "",
        )
    if kind == "reply":
        return ReplyImportData(received_on=record["received_on"], kind=record["kind"])
    raise ValueError(f"Unknown record type {kind!r}.")


IMPORTED_LEVEL = "Level as recorded by the source of the imported record."


def _assessment_data(record: dict[str, Any]) -> AssessmentData:
    data = AssessmentData(
        threat=record["threat"],
        vulnerability=record["vulnerability"],
        capacity=record["capacity"],
        assessed_on=record["assessed_on"],
        horizon=record["horizon"] or Horizon.SHORT.value,
        rationale=record["notes"] or "",
        level=record["level"] or "",
    )
    # The source decided the level; when its own rule differs from ours, say so.
    try:
        computed = data.result().level if data.has_scores else data.level
    except ValueError:
        computed = data.level  # scores out of range: validate() reports them
    if computed != data.level:
        data.level_justification = IMPORTED_LEVEL
    return data


# Export: each function returns the record of a model instance in its Python form (the
# exporter passes it through records.canonical). ref(type, id) maps ids (pseudonyms or not).
# With identities=False (pseudonymised exports) nothing sensitive is even decrypted. A record
# whose data key was shredded has lost its sensitive fields: it is exported as a stub.

Ref = Callable[[str, str], str]


def organisation_record(org: Organisation, ref: Ref, *, identities: bool) -> dict[str, Any]:
    if not org.name_is_sensitive:
        name: str | None = org.name
    elif org.data_key is not None and org.data_key.is_shredded:
        name = org.external_id
    else:
        name = org.sealed_name if identities else None
    return {
        "id": ref("organisation", org.external_id),
        "name": name,
        "kind": org.kind,
        "country": org.country,
        "subdivision": org.subdivision,
    }


def defender_record(
    defender: Defender, ref: Ref, organisation_ids: list[str], *, identities: bool
) -> dict[str, Any]:
    # A shredded defender is exported as a stub without identity: their code stands in for the
    # name, so the incidents and relatives that refer to them stay importable.
    shredded = defender.is_shredded or defender.data_key.is_shredded
    readable = identities and not shredded
    return {
        "id": ref("defender", defender.external_id),
        "name": defender.code if shredded else (defender.name if identities else None),
        "alias": defender.alias if readable else None,
        "gender": defender.gender,
        "birth_year": defender.birth_year,
        "categories": defender.category_codes,
        "country": defender.country,
        "subdivision": defender.subdivision,
        "locality": defender.locality if readable else None,
        "organisations": [ref("organisation", ext) for ext in organisation_ids],
        "contacts": (defender.contacts or {}) if readable else None,
        "registered_on": defender.registered_on,
        "status": defender.status,
        "consent": {
            "register": defender.consent_register,
            "share_with_state": defender.consent_share_with_state,
        },
    }


def person_record(person: Person, ref: Ref, *, identities: bool) -> dict[str, Any]:
    shredded = person.data_key.is_shredded
    return {
        "id": ref("person", person.external_id),
        "name": person.external_id if shredded else (person.name if identities else None),
        "related_to": ref("defender", person.defender.external_id),
        "relation": person.relation,
        "country": person.country,
        "subdivision": person.subdivision,
    }


def event_record(event: Event, ref: Ref, defender_ids: list[str]) -> dict[str, Any]:
    return {
        "id": ref("event", event.external_id),
        "kind": event.kind,
        "title": event.title,
        "start": event.start,
        "end": event.end,
        "country": event.country,
        "subdivision": event.subdivision,
        "categories": list(event.categories or []),
        "defenders": [ref("defender", ext) for ext in defender_ids],
        "lead_days": event.lead_days,
        "tail_days": event.tail_days,
    }


def incident_record(
    incident: Incident,
    ref: Ref,
    *,
    defender_ids: list[str],
    person_ids: list[str],
    organisation_ids: list[str],
    identities: bool,
) -> dict[str, Any]:
    readable = identities and not incident.data_key.is_shredded
    return {
        "id": ref("incident", incident.external_id),
        "date": incident.date,
        "date_precision": incident.date_precision,
        "end_date": incident.end_date,
        "reported_on": incident.reported_on,
        "country": incident.country,
        "subdivision": incident.subdivision,
        "locality": incident.locality if readable else None,
        "victims": [ref("defender", ext) for ext in defender_ids]
        + [ref("person", ext) for ext in person_ids],
        "organisations": [ref("organisation", ext) for ext in organisation_ids],
        "violations": incident.violation_codes,
        "perpetrators": incident.perpetrator_codes,
        "perpetrator_detail": incident.perpetrator_detail if readable else None,
        "context": incident.context_codes,
        "narrative": incident.narrative if readable else None,
        "sources": (incident.sources or []) if readable else None,
        "verification": incident.verification,
        "state_acquiescence": incident.state_acquiescence,
    }


def assessment_record(assessment: RiskAssessment, ref: Ref, *, identities: bool) -> dict[str, Any]:
    readable = identities and not assessment.data_key.is_shredded
    return {
        "id": ref("assessment", assessment.external_id),
        "defender": ref("defender", assessment.defender.external_id),
        "assessed_on": assessment.assessed_on,
        "threat": assessment.threat,
        "vulnerability": assessment.vulnerability,
        "capacity": assessment.capacity,
        "level": assessment.level,
        "horizon": assessment.horizon,
        "notes": assessment.rationale if readable else None,
    }
