"""Writes on incidents and their evidence; policy-checked, validated, audited, one transaction."""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction

from amparo.accounts.models import User
from amparo.audit.services import PendingEvent, audit_record, audit_record_many
from amparo.core.bulk import insert_rows
from amparo.core.codes import reserve_codes
from amparo.core.keystore import data_key_create
from amparo.core.policy import deny
from amparo.core.sealedfiles import seal_to_file, unseal_file
from amparo.core.uploads import upload_check
from amparo.core.validation import Errors
from amparo.core.vocab import Context, DatePrecision, Perpetrator, Verification, Violation, codes
from amparo.incidents.models import (
    Attachment,
    Incident,
    IncidentContext,
    IncidentPerpetrator,
    IncidentViolation,
)
from amparo.incidents.policies import may_change_incident, may_record_incident
from amparo.registry.models import Case, Defender, Organisation, Person
from amparo.registry.policies import defender_scope, organisation_scope, person_scope

INCIDENT_PREFIX = "INC"
CODE_TABLES: dict[str, Any] = {
    "violations": IncidentViolation,
    "perpetrators": IncidentPerpetrator,
    "contexts": IncidentContext,
}


@dataclass
class IncidentData:
    date: datetime.date
    country: str
    violations: list[str]
    date_precision: str = DatePrecision.DAY
    end_date: datetime.date | None = None
    reported_on: datetime.date | None = None
    subdivision: str = ""
    locality: str = ""
    victim_defenders: list[Defender] = field(default_factory=list)
    victim_persons: list[Person] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    perpetrators: list[str] = field(default_factory=lambda: [Perpetrator.UNKNOWN.value])
    perpetrator_detail: str = ""
    contexts: list[str] = field(default_factory=list)
    state_acquiescence: bool = False
    narrative: str = ""
    sources: list[str] = field(default_factory=list)
    verification: str = Verification.UNVERIFIED

    def validate(self) -> None:
        errors = Errors()
        errors.country("country", self.country)
        errors.subdivision("subdivision", self.subdivision, self.country)
        errors.codes("violations", self.violations, codes(Violation), at_least_one=True)
        errors.codes(
            "perpetrators", self.perpetrators or ["unknown"], codes(Perpetrator), at_least_one=True
        )
        errors.codes("context", self.contexts, codes(Context), at_least_one=False)
        errors.code("date_precision", self.date_precision, codes(DatePrecision))
        errors.code("verification", self.verification, codes(Verification))
        errors.not_future("date", self.date)
        if self.end_date is not None and self.end_date < self.date:
            errors.add("end_date", "The end date is before the date.")
        if self.reported_on is not None and self.reported_on < self.date:
            errors.add("reported_on", "The incident cannot be reported before it happened.")
        if not (self.victim_defenders or self.victim_persons or self.organisations):
            errors.add("victims", "Name at least one victim or targeted organisation.")
        if not all(isinstance(s, str) for s in self.sources):
            errors.add("sources", "Sources are a list of text.")
        errors.raise_if_any()

    def code_lists(self) -> dict[str, list[str]]:
        return {
            "violations": sorted(set(self.violations)),
            "perpetrators": sorted(set(self.perpetrators or ["unknown"])),
            "contexts": sorted(set(self.contexts)),
        }


_PLAIN = (
    "date",
    "date_precision",
    "end_date",
    "country",
    "subdivision",
    "state_acquiescence",
    "verification",
)
_SENSITIVE = ("locality", "perpetrator_detail", "narrative", "sources")


def _primary_case(data: IncidentData) -> Case | None:
    for defender in data.victim_defenders:
        return defender.case
    for person in data.victim_persons:
        return person.defender.case
    return None


def _key_holder(data: IncidentData) -> Defender | None:
    """The incident is sealed under its first victim defender's key, so shredding that defender
    erases the incident's narrative too."""
    for defender in data.victim_defenders:
        return defender
    for person in data.victim_persons:
        return person.defender
    return None


def _set_codes(
    incident: Incident, lists: dict[str, list[str]], *, only: set[str] | None = None, new: bool
) -> None:
    for name, model in CODE_TABLES.items():
        if only is not None and name not in only:
            continue
        if not new:
            model.objects.filter(incident=incident).delete()
        model.objects.bulk_create(model(incident=incident, code=code) for code in lists[name])


# (field reported, model, scope, attribute of IncidentData and of Incident)
_LINKS: tuple[tuple[str, Any, Any, str], ...] = (
    ("victims", Defender, defender_scope, "victim_defenders"),
    ("victims", Person, person_scope, "victim_persons"),
    ("organisations", Organisation, organisation_scope, "organisations"),
)


def visible_links(actor: Any, batch: Sequence[IncidentData]) -> dict[str, set[Any]]:
    """The victims and organisations named in a batch of incidents that the actor may see, by
    IncidentData attribute: one query per kind of link for the whole batch."""
    visible: dict[str, set[Any]] = {}
    for _field_name, model, scope, linked in _LINKS:
        wanted = {item.pk for data in batch for item in getattr(data, linked)}
        visible[linked] = (
            set(model.objects.filter(scope(actor), pk__in=wanted).values_list("pk", flat=True))
            if wanted
            else set()
        )
    return visible


def _check_links_visible(
    actor: Any,
    data: IncidentData,
    incident: Incident | None = None,
    *,
    visible: dict[str, set[Any]] | None = None,
) -> None:
    """Every victim and organisation named is one the actor may see; those already linked to the
    incident may stay even when hidden from them. Unseen ones answer as unknown, not forbidden.
    visible: the answer of visible_links() for a batch this data belongs to (no query then)."""
    errors = Errors()
    for field_name, model, scope, linked in _LINKS:
        wanted = {item.pk for item in getattr(data, linked)}
        if incident is not None:
            wanted -= set(getattr(incident, linked).values_list("pk", flat=True))
        if not wanted:
            continue
        if visible is not None:
            seen = wanted <= visible[linked]
        else:
            seen = model.objects.filter(scope(actor), pk__in=wanted).count() == len(wanted)
        if not seen:
            errors.add(
                field_name,
                "Unknown victim." if field_name == "victims" else "Unknown organisation.",
            )
    errors.raise_if_any()


@dataclass
class PreparedIncident:
    """A new incident that passed every rule of incident_record, built but not stored yet: its
    code (and its own data key when no victim defender holds one) come at store time."""

    incident: Incident
    data: IncidentData


def incident_prepare(
    *,
    actor: Any,
    data: IncidentData,
    case: Case | None = None,
    entity: Any = None,
    external_id: str | None = None,
    digest: str = "",
    visible: dict[str, set[Any]] | None = None,
) -> PreparedIncident:
    """Check a new incident (policy, validation, links, first victim) and build its row; raises
    PermissionDenied or ValidationError and writes nothing. Stored by incident_store_many."""
    case = case or _primary_case(data)
    if not may_record_incident(actor, case):
        raise deny()
    data.validate()
    _check_links_visible(actor, data, visible=visible)
    holder = _key_holder(data)
    if holder is not None and holder.is_shredded:
        errors = Errors()
        errors.add("victims", "The first victim's record was shredded.")
        errors.raise_if_any()
    lead_entity = case.lead_entity if case else (entity or getattr(actor, "entity", None))
    if lead_entity is None:
        raise deny("A lead entity is needed to record an incident.")
    incident = Incident(
        external_id=external_id or "",
        case=case,
        lead_entity=lead_entity,
        data_key=holder.data_key if holder else None,
        reported_on=data.reported_on or data.date,
        created_by=actor if isinstance(actor, User) else None,
        digest=digest,
        **{name: getattr(data, name) for name in _PLAIN},
    )
    incident.locality = data.locality or None
    incident.perpetrator_detail = data.perpetrator_detail or None
    incident.narrative = data.narrative or None
    incident.sources = data.sources
    return PreparedIncident(incident, data)


def incident_store_many(*, actor: Any, prepared: Sequence[PreparedIncident]) -> list[Incident]:
    """Store prepared incidents in one transaction: a block of codes, one INSERT per table for
    the rows, their links and codes (a COPY on PostgreSQL, amparo.core.bulk.insert_rows;
    sensitive fields are sealed as each row is inserted), the audit events in chain order, then
    the re-evaluations and the early-warning scan on commit, as incident_record does for one."""
    incidents = [item.incident for item in prepared]
    if not incidents:
        return []
    with transaction.atomic():
        for incident, code in zip(
            incidents, reserve_codes(INCIDENT_PREFIX, len(incidents)), strict=True
        ):
            incident.code = code
            incident.external_id = incident.external_id or code
            if incident.data_key_id is None:
                incident.data_key = data_key_create()
        insert_rows(Incident, incidents)
        _store_links(prepared)
        lists = [item.data.code_lists() for item in prepared]
        for name, model in CODE_TABLES.items():
            insert_rows(
                model,
                (
                    model(incident_id=item.incident.pk, code=code)
                    for item, codes_of in zip(prepared, lists, strict=True)
                    for code in codes_of[name]
                ),
            )
        audit_record_many(
            actor,
            [
                PendingEvent(
                    "incident.create",
                    "incident",
                    str(incident.pk),
                    [*_PLAIN, *_SENSITIVE, "reported_on", "victims", "organisations", *CODE_TABLES],
                    {"code": incident.code, "case": incident.case.code if incident.case else ""},
                )
                for incident in incidents
            ],
        )
        from amparo.earlywarning.pipeline import scan_after_incident
        from amparo.risk.services import reevaluation_open_for_incident

        for incident in incidents:
            reevaluation_open_for_incident(actor=actor, incident=incident)
            scan_after_incident(incident)
    return incidents


def _store_links(prepared: Sequence[PreparedIncident]) -> None:
    # New rows have no links yet: insert the through rows, without set()'s read-and-compare.
    for _field_name, _model, _scope, linked in _LINKS:
        m2m = getattr(Incident, linked).field
        through, source, target = (
            m2m.remote_field.through,
            m2m.m2m_column_name(),
            m2m.m2m_reverse_name(),
        )
        insert_rows(
            through,
            (
                through(**{source: item.incident.pk, target: linked_item.pk})
                for item in prepared
                for linked_item in {o.pk: o for o in getattr(item.data, linked)}.values()
            ),
        )


def incident_record(
    *,
    actor: Any,
    data: IncidentData,
    case: Case | None = None,
    entity: Any = None,
    external_id: str | None = None,
    digest: str = "",
) -> Incident:
    prepared = incident_prepare(
        actor=actor, data=data, case=case, entity=entity, external_id=external_id, digest=digest
    )
    return incident_store_many(actor=actor, prepared=[prepared])[0]


def incident_update(
    *, actor: Any, incident: Incident, data: IncidentData, digest: str | None = None
) -> list[str]:
    if not may_change_incident(actor, incident):
        raise deny()
    data.validate()
    _check_links_visible(actor, data, incident)
    changed = [n for n in _PLAIN if getattr(incident, n) != getattr(data, n)]
    if incident.reported_on != (data.reported_on or data.date):
        changed.append("reported_on")
    current = {
        "locality": incident.locality or "",
        "perpetrator_detail": incident.perpetrator_detail or "",
        "narrative": incident.narrative or "",
        "sources": incident.sources or [],
    }
    wanted = {
        "locality": data.locality or "",
        "perpetrator_detail": data.perpetrator_detail or "",
        "narrative": data.narrative or "",
        "sources": data.sources or [],
    }
    changed += [n for n in _SENSITIVE if current[n] != wanted[n]]
    existing = {
        "violations": incident.violation_codes,
        "perpetrators": incident.perpetrator_codes,
        "contexts": incident.context_codes,
    }
    lists = data.code_lists()
    changed_codes = {name for name in CODE_TABLES if existing[name] != lists[name]}
    changed += sorted(changed_codes)
    victims_before = (
        {d.pk for d in incident.victim_defenders.all()},
        {p.pk for p in incident.victim_persons.all()},
    )
    victims_after = ({d.pk for d in data.victim_defenders}, {p.pk for p in data.victim_persons})
    if victims_before != victims_after:
        changed.append("victims")
    if {o.pk for o in incident.organisations.all()} != {o.pk for o in data.organisations}:
        changed.append("organisations")
    if not changed:
        return []
    with transaction.atomic():
        for name in _PLAIN:
            setattr(incident, name, getattr(data, name))
        incident.reported_on = data.reported_on or data.date
        for name in _SENSITIVE:
            if name in changed:
                value = wanted[name]
                setattr(incident, name, value if name == "sources" else (value or None))
        if digest is not None:
            incident.digest = digest
        incident.save()
        if "victims" in changed:
            incident.victim_defenders.set(data.victim_defenders)
            incident.victim_persons.set(data.victim_persons)
        if "organisations" in changed:
            incident.organisations.set(data.organisations)
        _set_codes(incident, lists, only=changed_codes, new=False)
        audit_record(
            actor, "incident.update", object_type="incident", object_id=incident.pk, fields=changed
        )
    return changed


def _attachment_aad(attachment: Attachment) -> bytes:
    return f"amparo|attachment|{attachment.pk}|{attachment.data_key_id}".encode()


def _shared_aad(attachment: Attachment) -> bytes:
    return f"amparo|attachment-shared|{attachment.pk}|{attachment.data_key_id}".encode()


def attachment_path(attachment: Attachment) -> Path:
    return Path(settings.AMPARO_ATTACHMENTS_DIR) / f"{attachment.pk}.bin"


def attachment_shared_path(attachment: Attachment) -> Path:
    return Path(settings.AMPARO_ATTACHMENTS_DIR) / f"{attachment.pk}.shared.bin"


def attachment_files(attachment: Attachment) -> list[tuple[Path, bytes]]:
    """The sealed files of an attachment with their associated data: the original, then the
    shared copy when there is one (re-sealing under another key must move both)."""
    files = [(attachment_path(attachment), _attachment_aad(attachment))]
    if attachment.has_shared_copy:
        files.append((attachment_shared_path(attachment), _shared_aad(attachment)))
    return files


def attachment_add(
    *, actor: Any, incident: Incident, upload: IO[bytes], filename: str, content_type: str
) -> Attachment:
    """Check the file, hash the original (chain of custody), derive the shared copy of an
    image (no metadata), seal both under the incident's key, store them. The declared
    `content_type` is not trusted: the stored type is the one found in the content."""
    if not may_change_incident(actor, incident):
        raise deny()
    checked = upload_check(upload, filename, field="file")
    attachment = Attachment(
        incident=incident,
        data_key=incident.data_key,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        shared_sha256=checked.shared_sha256,
        uploaded_by=actor if isinstance(actor, User) else None,
    )
    attachment.filename = os.path.basename(filename)[:255]
    contents = [checked.content] + ([checked.shared_copy] if checked.shared_copy else [])
    written = []
    try:
        for (path, aad), content in zip(attachment_files(attachment), contents, strict=True):
            written.append(path)
            seal_to_file(path, incident.data_key, content, aad)
        with transaction.atomic():
            attachment.save(force_insert=True)
            audit_record(
                actor,
                "attachment.create",
                object_type="attachment",
                object_id=attachment.pk,
                fields=["filename", "content"],
                detail={
                    "incident": incident.code,
                    "sha256": attachment.sha256,
                    "size": attachment.size,
                    **({"shared_sha256": attachment.shared_sha256} if checked.shared_copy else {}),
                },
            )
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return attachment


def attachment_read(*, actor: Any, attachment: Attachment, original: bool = False) -> bytes:
    """Decrypt an attachment for a visible incident (callers fetch it through the selector):
    the shared copy when there is one; the original only when asked for, and only for those
    who may change the incident (chain of custody), audited as a distinct action."""
    if original and not may_change_incident(actor, attachment.incident):
        raise deny()
    files = attachment_files(attachment)
    path, aad = files[0] if original else files[-1]
    content = unseal_file(path, attachment.data_key, aad)
    audit_record(
        actor,
        "attachment.read_original" if original else "attachment.read",
        object_type="attachment",
        object_id=attachment.pk,
        fields=["filename", "content"],
        detail={
            "incident": attachment.incident.code,
            "sha256": hashlib.sha256(content).hexdigest(),
        },
    )
    return content
