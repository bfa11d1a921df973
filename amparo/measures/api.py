"""API of measures and disclosures.

Staff endpoints read through the selectors (invisible is 404) and write through the services
(forbidden is 403). The liaison's endpoints under /inbox answer from the disclosure whitelist
only, through their own presenter; liaisons get 403 on every other measures endpoint.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Status

from amparo.accounts.models import Entity, Role
from amparo.core.api_auth import api_actor
from amparo.core.policy import deny, role_of
from amparo.core.schemas import error_responses, invalid, page, reject_unknown_params
from amparo.measures.models import Disclosure, Measure
from amparo.measures.presenters import (
    feedback_of,
    present_history,
    present_liaison_disclosures,
    present_measures,
)
from amparo.measures.schemas import (
    DisclosureIn,
    DisclosureOut,
    DisclosureReportIn,
    DisclosureRespondIn,
    LiaisonDisclosureOut,
    MeasureFeedbackIn,
    MeasureFeedbackOut,
    MeasureFilterParams,
    MeasureHistoryOut,
    MeasureIn,
    MeasureOut,
    MeasurePage,
    MeasureTransitionIn,
)
from amparo.measures.selectors import (
    MeasureFilters,
    disclosure_get,
    disclosure_list,
    measure_get,
    measure_history,
    measure_list,
)
from amparo.measures.services import (
    DisclosureData,
    FeedbackData,
    MeasureData,
    disclosure_create,
    disclosure_respond,
    disclosure_revoke,
    feedback_record,
    liaison_report_feedback,
    liaison_report_in_place,
    measure_replace,
    measure_request,
    measure_transition,
)
from amparo.registry.models import Person
from amparo.registry.selectors import defender_get

router = Router(tags=["measures"])

READ_ERRORS = error_responses(401, 403, 404, 503)
WRITE_ERRORS = error_responses(401, 403, 404, 422, 503)
STAFF_ROLES = {"system", Role.COORDINATOR, Role.CASE_OFFICER, Role.ANALYST}


def _staff(request: HttpRequest) -> Any:
    """Measures endpoints are for case staff: a liaison (or any other role) is refused."""
    actor = api_actor(request)
    if role_of(actor) not in STAFF_ROLES:
        raise deny("Your role does not give access to measures.")
    return actor


def _liaison(request: HttpRequest) -> Any:
    actor = api_actor(request)
    if role_of(actor) != Role.LIAISON:
        raise deny("The inbox is for the liaisons of receiving entities.")
    return actor


def measures_out(actor: Any, measures: list[Measure]) -> list[dict[str, Any]]:
    out = []
    for view in present_measures(actor, measures, via="api"):
        shown = view.details_shown
        out.append(
            {
                "code": view.code,
                "id": view.external_id if shown else None,
                "defender": view.defender_code,
                "case": view.case_code,
                "beneficiary_kind": view.beneficiary_kind,
                "beneficiary": view.beneficiary_ref,
                "kind": view.kind,
                "status": view.status,
                "lead_entity": view.lead_entity,
                "provider": view.provider,
                "provider_override": view.provider_override,
                "provider_override_reason": view.provider_override_reason if shown else None,
                "procedure": view.procedure,
                "requested_on": view.requested_on,
                "requested_at": view.requested_at,
                "decided_at": view.decided_at,
                "implemented_at": view.implemented_at,
                "review_due_on": view.review_due_on,
                "ended_at": view.ended_at,
                "cost": view.cost,
                "currency": view.currency,
                "details": view.details if shown else None,
                "refusal_reason": view.refusal_reason if shown else None,
                "replaced_by": view.replaced_by,
                "replaces": view.replaces,
                "details_shown": shown,
            }
        )
    return out


def _one(actor: Any, code: str) -> dict[str, Any]:
    return measures_out(actor, [measure_get(actor=actor, code=code)])[0]


def _entity(slug: str, field: str) -> Entity:
    entity = Entity.objects.filter(slug=slug).first()
    if entity is None:
        raise invalid(field, f"Unknown entity {slug!r}.")
    return entity


# Measures -----------------------------------------------------------------------------------


@router.get("/measures", response={200: MeasurePage, **error_responses(401, 403, 422, 503)})
def measure_index(request: HttpRequest, filters: Query[MeasureFilterParams]) -> dict[str, Any]:
    reject_unknown_params(request, MeasureFilterParams)
    actor = _staff(request)
    selected = MeasureFilters(
        kind=str(filters.kind or ""),
        status=str(filters.status or ""),
        provider=filters.provider,
        defender=filters.defender,
    )
    measures = measure_list(actor=actor, filters=selected)
    return page(measures, filters, lambda rows: measures_out(actor, list(rows)))


@router.post("/measures", response={201: MeasureOut, **WRITE_ERRORS})
def measure_create(request: HttpRequest, payload: MeasureIn) -> Status[dict[str, Any]]:
    actor = _staff(request)
    defender = defender_get(actor=actor, code=payload.defender)
    person = None
    if payload.beneficiary_person:
        person = Person.objects.filter(
            defender=defender, external_id=payload.beneficiary_person
        ).first()
        if person is None:
            raise invalid("beneficiary_person", "Unknown relative of this defender.")
    data = MeasureData(
        kind=str(payload.kind),
        beneficiary_person=person,
        provider=_entity(payload.provider, "provider") if payload.provider else None,
        provider_override_reason=payload.provider_override_reason,
        cost=payload.cost,
        currency=payload.currency,
        details={k: v.strip() for k, v in payload.details.model_dump().items() if v.strip()},
    )
    if payload.replaces:
        replaced = measure_get(actor=actor, code=payload.replaces)
        if replaced.defender_id != defender.pk:
            raise invalid("replaces", "This measure is not the defender's.")
        measure = measure_replace(actor=actor, measure=replaced, data=data)
    else:
        measure = measure_request(actor=actor, defender=defender, data=data)
    return Status(201, _one(actor, measure.code))


@router.get("/measures/{code}", response={200: MeasureOut, **READ_ERRORS})
def measure_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _one(_staff(request), code)


@router.get("/measures/{code}/history", response={200: list[MeasureHistoryOut], **READ_ERRORS})
def measure_history_index(request: HttpRequest, code: str) -> list[Any]:
    actor = _staff(request)
    measure = measure_get(actor=actor, code=code)
    return present_history(actor, measure, measure_history(measure), via="api")


@router.post("/measures/{code}/transition", response={200: MeasureOut, **WRITE_ERRORS})
def measure_step(request: HttpRequest, code: str, payload: MeasureTransitionIn) -> dict[str, Any]:
    actor = _staff(request)
    measure = measure_get(actor=actor, code=code)
    measure_transition(
        actor=actor,
        measure=measure,
        to_status=str(payload.to_status),
        note=payload.note,
        reason=payload.reason,
    )
    return _one(actor, code)


@router.post("/measures/{code}/feedback", response={201: list[MeasureFeedbackOut], **WRITE_ERRORS})
def measure_feedback(
    request: HttpRequest, code: str, payload: MeasureFeedbackIn
) -> Status[list[Any]]:
    actor = _staff(request)
    measure = measure_get(actor=actor, code=code)
    feedback_record(
        actor=actor,
        measure=measure,
        data=FeedbackData(
            works=str(payload.works),
            trusts_provider=str(payload.trusts_provider or ""),
            comment=payload.comment,
            given_on=payload.given_on,
        ),
    )
    return Status(201, feedback_of(actor, measure, via="api"))


# Disclosures (staff) ------------------------------------------------------------------------


def _disclosure_out(disclosure: Disclosure) -> dict[str, Any]:
    return {
        "code": disclosure.code,
        "status": disclosure.status,
        "defender": disclosure.defender.code,
        "measure": disclosure.measure.code if disclosure.measure else None,
        "from_entity": disclosure.from_entity.slug,
        "to_entity": disclosure.to_entity.slug,
        "fields": list(disclosure.fields),
        "basis": disclosure.basis,
        "created_at": disclosure.created_at,
        "responded_at": disclosure.responded_at,
    }


def _disclosure_staff(request: HttpRequest) -> Any:
    actor = api_actor(request)
    if role_of(actor) not in {"system", Role.COORDINATOR, Role.CASE_OFFICER}:
        raise deny("Your role does not give access to disclosures.")
    return actor


@router.get("/disclosures", response={200: list[DisclosureOut], **READ_ERRORS})
def disclosure_index(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _disclosure_staff(request)
    return [_disclosure_out(d) for d in disclosure_list(actor=actor)[:500]]


@router.post("/disclosures", response={201: DisclosureOut, **WRITE_ERRORS})
def disclosure_add(request: HttpRequest, payload: DisclosureIn) -> Status[dict[str, Any]]:
    actor = _disclosure_staff(request)
    measure = measure_get(actor=actor, code=payload.measure)
    disclosure = disclosure_create(
        actor=actor,
        defender=measure.defender,
        data=DisclosureData(
            to_entity=_entity(payload.to_entity, "to_entity"),
            fields=payload.fields,
            measure=measure,
            override_reason=payload.override_reason,
        ),
    )
    return Status(201, _disclosure_out(disclosure_get(actor=actor, code=disclosure.code)))


@router.get("/disclosures/{code}", response={200: DisclosureOut, **READ_ERRORS})
def disclosure_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = _disclosure_staff(request)
    return _disclosure_out(disclosure_get(actor=actor, code=code))


@router.post("/disclosures/{code}/revoke", response={200: DisclosureOut, **WRITE_ERRORS})
def disclosure_withdraw(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = _disclosure_staff(request)
    disclosure = disclosure_revoke(actor=actor, disclosure=disclosure_get(actor=actor, code=code))
    return _disclosure_out(disclosure)


# The liaison's inbox ------------------------------------------------------------------------


def _liaison_out(actor: Any, disclosures: list[Disclosure], *, values: bool) -> list[Any]:
    views = present_liaison_disclosures(actor, disclosures, via="api", with_values=values)
    return [
        {
            "code": view.code,
            "status": view.status,
            "from_entity": view.from_entity,
            "created_at": view.created_at,
            "responded_at": view.responded_at,
            "measure": view.measure_code,
            "measure_status": view.measure_status,
            "fields": view.fields,
        }
        for view in views
    ]


@router.get("/inbox/disclosures", response={200: list[LiaisonDisclosureOut], **READ_ERRORS})
def inbox_index(request: HttpRequest) -> list[Any]:
    """The disclosures made to the liaison's entity, with their whitelisted values."""
    actor = _liaison(request)
    return _liaison_out(actor, list(disclosure_list(actor=actor)[:500]), values=True)


def _inbox_one(actor: Any, code: str) -> dict[str, Any]:
    return _liaison_out(actor, [disclosure_get(actor=actor, code=code)], values=True)[0]


@router.get("/inbox/disclosures/{code}", response={200: LiaisonDisclosureOut, **READ_ERRORS})
def inbox_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _inbox_one(_liaison(request), code)


@router.post(
    "/inbox/disclosures/{code}/respond", response={200: LiaisonDisclosureOut, **WRITE_ERRORS}
)
def inbox_respond(request: HttpRequest, code: str, payload: DisclosureRespondIn) -> Any:
    actor = _liaison(request)
    disclosure = disclosure_get(actor=actor, code=code)
    disclosure_respond(
        actor=actor, disclosure=disclosure, accept=payload.accept, reason=payload.reason
    )
    if not payload.accept:
        # A rejected disclosure is no longer the liaison's to see.
        return _liaison_out(actor, [disclosure], values=False)[0]
    return _inbox_one(actor, code)


@router.post(
    "/inbox/disclosures/{code}/report", response={200: LiaisonDisclosureOut, **WRITE_ERRORS}
)
def inbox_report(request: HttpRequest, code: str, payload: DisclosureReportIn) -> dict[str, Any]:
    """Report the disclosed measure in place and/or how its implementation goes."""
    actor = _liaison(request)
    disclosure = disclosure_get(actor=actor, code=code)
    if not payload.in_place and payload.works is None:
        raise invalid("works", "Report the measure in place, or say how it works.")
    with transaction.atomic():
        if payload.in_place:
            liaison_report_in_place(actor=actor, disclosure=disclosure, note=payload.note)
        if payload.works is not None:
            liaison_report_feedback(
                actor=actor,
                disclosure=disclosure,
                data=FeedbackData(works=str(payload.works), comment=payload.comment),
            )
    return _inbox_one(actor, code)
