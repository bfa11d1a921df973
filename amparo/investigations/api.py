"""API of investigations: records for those who see the incident, figures for analysts too.

Analysts work on aggregates only: the record endpoints answer them 403, the figures endpoint
answers everyone who may read figures, over the incidents they may know exist.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from amparo.core.api_auth import api_actor
from amparo.core.policy import deny, role_of
from amparo.core.schemas import error_responses, page, reject_unknown_params
from amparo.incidents.selectors import incident_get
from amparo.investigations.policies import (
    RECORD_READERS,
    may_read_figures,
    may_record_investigation,
)
from amparo.investigations.presenters import InvestigationView, present_investigation
from amparo.investigations.schemas import (
    FiguresOut,
    FiguresParams,
    InvestigationFilterParams,
    InvestigationOut,
    InvestigationPage,
    InvestigationUpdateIn,
)
from amparo.investigations.selectors import (
    convictions_of,
    impunity_by_country,
    impunity_by_perpetrator_group,
    investigation_for,
    investigation_get,
    investigation_history,
    investigation_list,
    uninvestigated_after,
)
from amparo.investigations.services import InvestigationChange, investigation_record

router = Router(tags=["investigations"])
READ_ERRORS = error_responses(401, 403, 404, 503)
WRITE_ERRORS = error_responses(401, 403, 404, 422, 503)


def _reader(request: HttpRequest) -> Any:
    actor = api_actor(request)
    if role_of(actor) not in RECORD_READERS:
        raise deny("Your role sees investigation figures only.")
    return actor


def _out(view: InvestigationView) -> dict[str, Any]:
    return {
        "id": view.external_id,
        "incident": view.incident_code,
        "stage": view.stage,
        "authority": view.authority,
        "complaint_filed_on": view.complaint_filed_on,
        "opened_on": view.opened_on,
        "updated_on": view.updated_on,
        "closed_on": view.closed_on,
        "compensation_awarded": view.compensation_awarded,
        "compensation_amount": view.compensation_amount,
        "compensation_currency": view.compensation_currency,
        "details_shown": view.details_shown,
        "outcome": view.outcome,
        "history": [{"stage": h.stage, "on": h.on, "note": h.note} for h in view.history],
    }


def _present(actor: Any, investigation: Any) -> dict[str, Any]:
    history = investigation_history(investigation)
    return _out(present_investigation(actor, investigation, history, via="api"))


@router.get("/investigations", response={200: InvestigationPage, **error_responses(401, 403, 422)})
def investigation_index(
    request: HttpRequest, filters: Query[InvestigationFilterParams]
) -> dict[str, Any]:
    reject_unknown_params(request, InvestigationFilterParams)
    actor = _reader(request)
    investigations = investigation_list(actor=actor, stage=str(filters.stage or ""))
    return page(investigations, filters, lambda rows: [_present(actor, i) for i in rows])


@router.get("/investigations/figures", response={200: FiguresOut, **error_responses(401, 403, 422)})
def investigation_figures(request: HttpRequest, params: Query[FiguresParams]) -> dict[str, Any]:
    reject_unknown_params(request, FiguresParams)
    actor = api_actor(request)
    if not may_read_figures(actor):
        raise deny("Your role does not give access to these figures.")
    as_of = params.as_of or timezone.localdate()
    by_country = impunity_by_country(actor=actor, as_of=as_of)
    convictions = convictions_of(by_country)
    return {
        "as_of": as_of,
        "uninvestigated": [
            {"months": months, **figures}
            for months, figures in uninvestigated_after(actor=actor, as_of=as_of).items()
        ],
        "grave_incidents": convictions["grave_incidents"],
        "convicted": convictions["convicted"],
        "convictions_per_incident": convictions["per_incident"],
        "by_perpetrator_group": impunity_by_perpetrator_group(actor=actor, as_of=as_of),
        "by_country": by_country,
    }


@router.get("/investigations/{code}", response={200: InvestigationOut, **READ_ERRORS})
def investigation_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """The investigation of the incident with this code."""
    actor = _reader(request)
    return _present(actor, investigation_get(actor=actor, incident_code=code))


@router.post("/investigations/{code}/updates", response={201: InvestigationOut, **WRITE_ERRORS})
def investigation_update(
    request: HttpRequest, code: str, payload: InvestigationUpdateIn
) -> Status[dict[str, Any]]:
    """Record a change of stage (or a note) of the investigation of the incident `code`."""
    actor = _reader(request)
    incident = incident_get(actor=actor, code=code)
    if not may_record_investigation(actor, incident):
        raise deny()
    given = payload.model_dump(exclude_unset=True)
    with transaction.atomic():
        current = investigation_for(actor=actor, incident=incident)

        def keep(name: str, default: Any) -> Any:
            if name in given and given[name] is not None:
                return given[name]
            return getattr(current, name) if current is not None else default

        change = InvestigationChange(
            stage=str(payload.stage),
            on=payload.on,
            authority=keep("authority", ""),
            note=payload.note,
            outcome=payload.outcome,
            compensation_awarded=given.get(
                "compensation_awarded",
                current.compensation_awarded if current is not None else None,
            ),
            compensation_amount=keep("compensation_amount", None),
            compensation_currency=str(keep("compensation_currency", "")).upper(),
        )
        investigation, _changed = investigation_record(
            actor=actor, incident=incident, change=change
        )
        return Status(201, _present(actor, investigation))
