"""API of incidents and their evidence attachments.

Victims are given as defender codes and person ids and resolved among the records the actor
may see: any other reference is "unknown" (422), never "exists but hidden".
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Query, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from amparo.core.api_auth import api_actor
from amparo.core.crypto import Shredded
from amparo.core.policy import deny, sees_identities
from amparo.core.schemas import error_responses, invalid, page, reject_unknown_params
from amparo.incidents.models import Incident
from amparo.incidents.policies import may_change_incident, may_record_incident
from amparo.incidents.presenters import (
    IncidentView,
    present_attachments,
    present_incident,
    present_incidents,
)
from amparo.incidents.schemas import (
    AttachmentOut,
    IncidentFilterParams,
    IncidentIn,
    IncidentOut,
    IncidentPage,
    IncidentPatch,
)
from amparo.incidents.selectors import (
    IncidentFilters,
    attachment_get,
    attachment_list,
    incident_count,
    incident_get,
    incident_list,
)
from amparo.incidents.services import (
    IncidentData,
    attachment_add,
    attachment_read,
    incident_record,
    incident_update,
)
from amparo.registry.api import resolve_organisations
from amparo.registry.models import Defender, Organisation, Person
from amparo.registry.policies import person_scope
from amparo.registry.selectors import defender_get, defender_list, organisation_list, person_get

router = Router(tags=["incidents"])

READ_ERRORS = error_responses(401, 404, 503)
WRITE_ERRORS = error_responses(401, 403, 404, 422, 503)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _codes(values: Iterable[Any] | None) -> list[str]:
    return [str(value) for value in values or []]


# Presenting ---------------------------------------------------------------------------------


def _summary(view: IncidentView) -> dict[str, Any]:
    shown = view.details_shown
    return {
        "code": view.code,
        "external_id": view.external_id if shown else None,
        "case": view.case_code,
        "date": view.date,
        "date_precision": view.date_precision,
        "end_date": view.end_date,
        "reported_on": view.reported_on,
        "country": view.country,
        "subdivision": view.subdivision,
        "violations": view.violations,
        "perpetrators": view.perpetrators,
        "context": view.contexts,
        "state_acquiescence": view.state_acquiescence,
        "verification": view.verification,
        "sealed": view.sealed,
        "details_shown": shown,
        "locality": view.locality if shown else None,
        "perpetrator_detail": view.perpetrator_detail if shown else None,
        "narrative": view.narrative if shown else None,
        "sources": view.sources if shown else None,
    }


def _detail(view: IncidentView) -> dict[str, Any]:
    # view.hidden_victims is left out: what the caller may not see has no count either.
    return {
        **_summary(view),
        "victims": [{"kind": v.kind, "id": v.ref, "name": v.label} for v in view.victims],
        # A sensitive organisation's label falls back to its id for those who may not see it.
        "organisations": [
            {"id": external_id, "name": None if label == external_id else label}
            for external_id, label in view.organisations
        ],
    }


def _present_one(actor: Any, code: str) -> dict[str, Any]:
    return _detail(present_incident(actor, incident_get(actor=actor, code=code), via="api"))


# Resolving references -----------------------------------------------------------------------


def _resolve_victims(actor: Any, refs: Iterable[str]) -> tuple[list[Defender], list[Person]]:
    defenders: list[Defender] = []
    persons: list[Person] = []
    for ref in dict.fromkeys(refs):
        try:
            defenders.append(defender_get(actor=actor, code=ref))
            continue
        except Http404:
            pass
        try:
            persons.append(person_get(actor=actor, external_id=ref))
        except Http404:
            raise invalid("victims", f"Unknown victim {ref!r}.") from None
    return defenders, persons


def _hidden(current: Sequence[Any], visible_pks: Iterable[Any]) -> list[Any]:
    visible = set(visible_pks)
    return [row for row in current if row.pk not in visible]


def _victims_for_update(
    actor: Any, incident: Incident, refs: list[str] | None
) -> tuple[list[Defender], list[Person]]:
    defenders = list(incident.victim_defenders.all())
    persons = list(incident.victim_persons.all())
    if refs is None:
        return defenders, persons
    # Victims on records the actor cannot see are not theirs to remove.
    hidden_defenders = _hidden(
        defenders,
        defender_list(actor=actor)
        .filter(pk__in=[d.pk for d in defenders])
        .values_list("pk", flat=True),
    )
    hidden_persons = _hidden(
        persons,
        Person.objects.filter(person_scope(actor), pk__in=[p.pk for p in persons]).values_list(
            "pk", flat=True
        ),
    )
    wanted_defenders, wanted_persons = _resolve_victims(actor, refs)
    return wanted_defenders + hidden_defenders, wanted_persons + hidden_persons


def _organisations_for_update(
    actor: Any, incident: Incident, ids: list[str] | None
) -> list[Organisation]:
    current = list(incident.organisations.all())
    if ids is None:
        return current
    hidden = _hidden(current, organisation_list(actor=actor).values_list("pk", flat=True))
    return resolve_organisations(actor, ids) + hidden


# Incidents ----------------------------------------------------------------------------------


@router.get("/incidents", response={200: IncidentPage, **error_responses(401, 422, 503)})
def incident_index(request: HttpRequest, filters: Query[IncidentFilterParams]) -> dict[str, Any]:
    reject_unknown_params(request, IncidentFilterParams)
    actor = api_actor(request)
    selected = IncidentFilters(
        country=filters.country.upper(),
        subdivision=filters.subdivision.upper(),
        violation=_text(filters.violation),
        perpetrator=_text(filters.perpetrator),
        context=_text(filters.context),
        verification=_text(filters.verification),
        category=_text(filters.category),
        gender=_text(filters.gender),
        date_from=filters.date_from,
        date_to=filters.date_to,
        defender=filters.defender,
    )
    incidents = incident_list(actor=actor, filters=selected)
    return page(
        incidents,
        filters,
        lambda rows: [_summary(v) for v in present_incidents(actor, rows, via="api")],
        count=incident_count(actor=actor, filters=selected),
    )


@router.post("/incidents", response={201: IncidentOut, **error_responses(401, 403, 422, 503)})
def incident_create(request: HttpRequest, payload: IncidentIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    if not may_record_incident(actor, None):
        raise deny()
    defenders, persons = _resolve_victims(actor, payload.victims)
    data = IncidentData(
        date=payload.date,
        date_precision=str(payload.date_precision),
        end_date=payload.end_date,
        reported_on=payload.reported_on,
        country=payload.country.upper(),
        subdivision=payload.subdivision.upper(),
        locality=payload.locality,
        victim_defenders=defenders,
        victim_persons=persons,
        organisations=resolve_organisations(actor, payload.organisations),
        violations=_codes(payload.violations),
        perpetrators=_codes(payload.perpetrators),
        perpetrator_detail=payload.perpetrator_detail,
        contexts=_codes(payload.context),
        state_acquiescence=payload.state_acquiescence,
        narrative=payload.narrative,
        sources=list(payload.sources),
        verification=str(payload.verification),
    )
    incident = incident_record(actor=actor, data=data)
    return Status(201, _present_one(actor, incident.code))


@router.get("/incidents/{code}", response={200: IncidentOut, **READ_ERRORS})
def incident_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _present_one(api_actor(request), code)


@router.patch("/incidents/{code}", response={200: IncidentOut, **WRITE_ERRORS})
def incident_change(request: HttpRequest, code: str, payload: IncidentPatch) -> dict[str, Any]:
    actor = api_actor(request)
    incident = incident_get(actor=actor, code=code)
    if not may_change_incident(actor, incident):
        raise deny()
    given = payload.model_dump(exclude_unset=True)
    # One transaction: a refused change leaves no record of the read it needed.
    with transaction.atomic():
        current = present_incidents(actor, [incident], via="api")[0]
        if not current.details_shown:
            raise deny("This incident's details cannot be read, so it cannot be changed.")

        def pick(name: str, now: Any) -> Any:
            return given.get(name, now)

        for name in ("victims", "organisations"):
            if name in given and given[name] is None:
                raise invalid(name, "Give a list, possibly empty.")
        defenders, persons = _victims_for_update(actor, incident, given.get("victims"))
        data = IncidentData(
            date=pick("date", current.date),
            date_precision=_text(pick("date_precision", current.date_precision)),
            end_date=pick("end_date", current.end_date),
            reported_on=pick("reported_on", current.reported_on),
            country=_text(pick("country", current.country)).upper(),
            subdivision=_text(pick("subdivision", current.subdivision)).upper(),
            locality=pick("locality", current.locality) or "",
            victim_defenders=defenders,
            victim_persons=persons,
            organisations=_organisations_for_update(actor, incident, given.get("organisations")),
            violations=_codes(pick("violations", current.violations)),
            perpetrators=_codes(pick("perpetrators", current.perpetrators)),
            perpetrator_detail=pick("perpetrator_detail", current.perpetrator_detail) or "",
            contexts=_codes(pick("context", current.contexts)),
            state_acquiescence=bool(pick("state_acquiescence", current.state_acquiescence)),
            narrative=pick("narrative", current.narrative) or "",
            sources=list(pick("sources", current.sources) or []),
            verification=_text(pick("verification", current.verification)),
        )
        if data.date is None:
            raise invalid("date", "This field cannot be cleared.")
        incident_update(actor=actor, incident=incident, data=data)
    return _present_one(actor, code)


# Attachments --------------------------------------------------------------------------------


def _attachment_out(view: Any) -> dict[str, Any]:
    return {
        "id": view.id,
        "incident": view.incident_code,
        "content_type": view.content_type,
        "size": view.size,
        "sha256": view.sha256,
        "uploaded_at": view.uploaded_at,
        "filename": view.filename,
    }


@router.get("/incidents/{code}/attachments", response={200: list[AttachmentOut], **READ_ERRORS})
def attachment_index(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    actor = api_actor(request)
    incident = incident_get(actor=actor, code=code)
    attachments = list(attachment_list(actor=actor, incident=incident))
    return [_attachment_out(v) for v in present_attachments(actor, attachments, via="api")]


@router.post("/incidents/{code}/attachments", response={201: AttachmentOut, **WRITE_ERRORS})
def attachment_upload(
    request: HttpRequest, code: str, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    incident = incident_get(actor=actor, code=code)
    if not may_change_incident(actor, incident):
        raise deny()
    attachment = attachment_add(
        actor=actor,
        incident=incident,
        upload=file,
        filename=file.name or "",
        content_type=file.content_type or "",
    )
    created = {
        "id": str(attachment.pk),
        "incident": incident.code,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_at": attachment.uploaded_at,
        # The uploader just sent this name: echoing it back decrypts nothing.
        "filename": attachment.filename,
    }
    return Status(201, created)


@router.get(
    "/incidents/{code}/attachments/{attachment_id}",
    response={200: None, **error_responses(401, 403, 404, 410, 503)},
    openapi_extra={
        "responses": {
            200: {
                "description": "The original file, decrypted; its SHA-256 in Repr-Digest.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def attachment_download(request: HttpRequest, code: str, attachment_id: str) -> HttpResponse:
    actor = api_actor(request)
    incident = incident_get(actor=actor, code=code)
    # Evidence is case content: those who work on pseudonymised records see it exists only.
    if not sees_identities(actor):
        raise deny("Your role does not give access to evidence files.")
    try:
        attachment_pk = uuid.UUID(attachment_id)
    except ValueError:
        raise Http404("Not found.") from None
    attachment = attachment_get(actor=actor, incident=incident, attachment_id=attachment_pk)
    try:
        content = attachment_read(actor=actor, attachment=attachment)
    except Shredded:
        # The defender was erased: their evidence is gone for good (the page answers 410 too).
        raise HttpError(410, "This evidence was erased.") from None
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{incident.code}-{attachment.pk}.bin"
    )
    response["Content-Length"] = str(len(content))
    # Of what is served: the shared copy of an image differs from the original (its SHA-256 at
    # intake is in the attachment's record and audit event).
    digest = base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
