"""API of communications to States, their replies, response rates and country visits.

Reads go through the selectors (invisible is 404: a role without communications gets 404 on
every endpoint here), writes through the services (forbidden is 403, as for a drafter who tries
to approve their own letter).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from amparo.communications.models import Communication, CommunicationStatus
from amparo.communications.policies import (
    may_open_pages,
    may_see_aggregates,
    may_see_list,
    may_see_visits,
    sees_letter,
)
from amparo.communications.presenters import present_communications, present_replies
from amparo.communications.schemas import (
    ApproveIn,
    CommunicationFilterParams,
    CommunicationIn,
    CommunicationOut,
    CommunicationPage,
    ReplyIn,
    ReplyOut,
    ResponseRatesOut,
    VisitIn,
    VisitOut,
)
from amparo.communications.selectors import (
    CommunicationFilters,
    communication_get,
    communication_list,
    defenders_linkable,
    incidents_linkable,
    linked_summaries,
    outstanding_visits,
    replies_of,
    response_rates,
    visit_get,
    visit_list,
)
from amparo.communications.services import (
    CommunicationData,
    ReplyData,
    VisitData,
    communication_approve_send,
    communication_draft,
    communication_return,
    communication_submit,
    communication_withdraw,
    consent_missing,
    reply_record,
    visit_save,
)
from amparo.core.api_auth import api_actor
from amparo.core.policy import not_found
from amparo.core.schemas import error_responses, invalid, page, reject_unknown_params

router = Router(tags=["communications"])

READ_ERRORS = error_responses(401, 404, 503)
WRITE_ERRORS = error_responses(401, 403, 404, 422, 503)


def _actor(request: HttpRequest, allowed: Any = may_see_list) -> Any:
    actor = api_actor(request)
    if not may_open_pages(actor) or not allowed(actor):
        raise not_found()
    return actor


def communications_out(actor: Any, communications: list[Communication]) -> list[dict[str, Any]]:
    out = []
    for view in present_communications(actor, communications, via="api"):
        communication = view.communication
        assert communication is not None
        linked = linked_summaries(actor, communication)
        letter = view.letter_shown
        drafting = communication.status in {
            CommunicationStatus.DRAFT,
            CommunicationStatus.AWAITING_APPROVAL,
        }
        replies = present_replies(actor, communication, list(replies_of(communication)), via="api")
        out.append(
            {
                "uuid": view.id,
                "id": view.external_id,
                "kind": view.kind,
                "reference": view.reference,
                "state": view.state,
                "status": view.status,
                "mandates": view.mandates,
                "sent_on": view.sent_on,
                "follow_up_on": view.follow_up_on,
                "published_on": view.published_on,
                "concerns_women_defenders": view.concerns_women_defenders,
                "summary": view.summary if letter else None,
                "body": view.body if letter else None,
                "disclosed": view.disclosed if letter else None,
                "linked": [
                    {
                        "kind": s.kind,
                        "code": s.code,
                        "country": s.country,
                        "date": s.date,
                        "violations": list(s.violations),
                    }
                    for s in linked
                ],
                "replies": [
                    {
                        "id": r.external_id,
                        "received_on": r.received_on,
                        "kind": r.kind,
                        "summary": r.summary,
                    }
                    for r in replies
                ],
                "consent_missing": consent_missing(communication) if letter and drafting else None,
            }
        )
    return out


def _one(actor: Any, communication: Communication) -> dict[str, Any]:
    return communications_out(actor, [communication])[0]


@router.get(
    "/communications", response={200: CommunicationPage, **error_responses(401, 404, 422, 503)}
)
def communication_index(
    request: HttpRequest, filters: Query[CommunicationFilterParams]
) -> dict[str, Any]:
    reject_unknown_params(request, CommunicationFilterParams)
    actor = _actor(request)
    selected = CommunicationFilters(
        state=filters.state,
        kind=str(filters.kind or ""),
        status=filters.status,
        year=filters.year,
    )
    communications = communication_list(actor=actor, filters=selected)
    return page(communications, filters, lambda rows: communications_out(actor, list(rows)))


def _data(actor: Any, payload: CommunicationIn) -> CommunicationData:
    defenders, unknown_defenders = defenders_linkable(actor, list(dict.fromkeys(payload.defenders)))
    if unknown_defenders:
        raise invalid("defenders", f"Unknown defender code: {', '.join(unknown_defenders)}.")
    incidents, unknown_incidents = incidents_linkable(actor, list(dict.fromkeys(payload.incidents)))
    if unknown_incidents:
        raise invalid("incidents", f"Unknown incident code: {', '.join(unknown_incidents)}.")
    return CommunicationData(
        kind=str(payload.kind),
        state=payload.state.upper(),
        mandates=payload.mandates,
        defenders=defenders,
        incidents=incidents,
        summary=payload.summary,
        concerns_women_defenders=payload.concerns_women_defenders,
    )


@router.post("/communications", response={201: CommunicationOut, **WRITE_ERRORS})
def communication_create(request: HttpRequest, payload: CommunicationIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    communication = communication_draft(actor=actor, data=_data(actor, payload))
    return Status(201, _one(actor, communication))


@router.get("/communications/response-rates", response={200: ResponseRatesOut, **READ_ERRORS})
def rates(request: HttpRequest) -> dict[str, Any]:
    actor = _actor(request, may_see_aggregates)

    def rows(group: str) -> list[dict[str, Any]]:
        return [
            {
                "key": r.key,
                "sent": r.sent,
                "replied": r.replied,
                "substantive": r.substantive,
                "rate": r.rate,
            }
            for r in response_rates(actor=actor, group_by=group)
        ]

    return {"by_state": rows("state"), "by_kind": rows("kind"), "by_year": rows("year")}


def _visit_out(visit: Any) -> dict[str, Any]:
    return {
        "id": str(visit.pk),
        "state": visit.state,
        "status": visit.status,
        "years_requested": list(visit.years_requested),
        "first_requested_on": visit.first_requested_on,
        "accepted_on": visit.accepted_on,
        "starts_on": visit.starts_on,
        "ends_on": visit.ends_on,
        "declined_on": visit.declined_on,
        "notes": visit.notes,
    }


@router.get("/communications/visits", response={200: list[VisitOut], **READ_ERRORS})
def visits(request: HttpRequest, outstanding: bool = False) -> list[dict[str, Any]]:
    actor = _actor(request, may_see_visits)
    found = outstanding_visits(actor=actor) if outstanding else visit_list(actor=actor)
    return [_visit_out(v) for v in found]


def _visit_data(payload: VisitIn) -> VisitData:
    return VisitData(**{**payload.model_dump(), "status": str(payload.status)})


@router.post("/communications/visits", response={201: VisitOut, **WRITE_ERRORS})
def visit_create(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    actor = _actor(request, may_see_visits)
    return Status(201, _visit_out(visit_save(actor=actor, data=_visit_data(payload))))


@router.put("/communications/visits/{visit_id}", response={200: VisitOut, **WRITE_ERRORS})
def visit_update(request: HttpRequest, visit_id: str, payload: VisitIn) -> dict[str, Any]:
    actor = _actor(request, may_see_visits)
    visit = visit_get(actor=actor, pk=visit_id)
    return _visit_out(visit_save(actor=actor, data=_visit_data(payload), visit=visit))


@router.get("/communications/{communication_id}", response={200: CommunicationOut, **READ_ERRORS})
def communication_detail(request: HttpRequest, communication_id: str) -> dict[str, Any]:
    actor = _actor(request)
    return _one(actor, communication_get(actor=actor, pk=communication_id))


def _step(request: HttpRequest, communication_id: str, act: Any) -> dict[str, Any]:
    actor = _actor(request)
    communication = communication_get(actor=actor, pk=communication_id)
    act(actor, communication)
    return _one(actor, communication)


@router.post(
    "/communications/{communication_id}/submit", response={200: CommunicationOut, **WRITE_ERRORS}
)
def submit(request: HttpRequest, communication_id: str) -> dict[str, Any]:
    return _step(
        request,
        communication_id,
        lambda actor, c: communication_submit(actor=actor, communication=c),
    )


@router.post(
    "/communications/{communication_id}/approve", response={200: CommunicationOut, **WRITE_ERRORS}
)
def approve(request: HttpRequest, communication_id: str, payload: ApproveIn) -> dict[str, Any]:
    return _step(
        request,
        communication_id,
        lambda actor, c: communication_approve_send(
            actor=actor, communication=c, sent_on=payload.sent_on
        ),
    )


@router.post(
    "/communications/{communication_id}/return", response={200: CommunicationOut, **WRITE_ERRORS}
)
def send_back(request: HttpRequest, communication_id: str) -> dict[str, Any]:
    return _step(
        request,
        communication_id,
        lambda actor, c: communication_return(actor=actor, communication=c),
    )


@router.post(
    "/communications/{communication_id}/withdraw",
    response={200: CommunicationOut, **WRITE_ERRORS},
)
def withdraw(request: HttpRequest, communication_id: str) -> dict[str, Any]:
    return _step(
        request,
        communication_id,
        lambda actor, c: communication_withdraw(actor=actor, communication=c),
    )


@router.post("/communications/{communication_id}/replies", response={201: ReplyOut, **WRITE_ERRORS})
def reply_create(
    request: HttpRequest, communication_id: str, payload: ReplyIn
) -> Status[dict[str, Any]]:
    actor = _actor(request)
    communication = communication_get(actor=actor, pk=communication_id)
    reply = reply_record(
        actor=actor,
        communication=communication,
        data=ReplyData(
            received_on=payload.received_on, kind=str(payload.kind), summary=payload.summary
        ),
    )
    summary = reply.summary if sees_letter(actor, communication) else None
    return Status(
        201,
        {
            "id": reply.external_id,
            "received_on": reply.received_on,
            "kind": reply.kind,
            "summary": summary,
        },
    )
