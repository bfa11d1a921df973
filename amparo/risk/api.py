"""API of risk assessment and procedures, under /api/v1/risk/.

Reads go through the selectors (what the actor may not see is 404), writes through the services
(what they see but may not change is 403), and records are shown through the presenters, which
decrypt the instrument and notes only for roles that see identities, and audit that read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from amparo.core.api_auth import api_actor
from amparo.core.policy import deny
from amparo.core.schemas import error_responses, invalid, page, reject_unknown_params
from amparo.registry.models import Person
from amparo.registry.selectors import defender_get, person_get
from amparo.risk import clock
from amparo.risk.models import Procedure, RiskAssessment
from amparo.risk.policies import may_assess
from amparo.risk.presenters import (
    AssessmentView,
    ProcedureView,
    present_assessments,
    present_procedures,
)
from amparo.risk.procedures import procedure_open
from amparo.risk.schemas import (
    AssessmentFilterParams,
    AssessmentIn,
    AssessmentOut,
    AssessmentPage,
    ProcedureFilterParams,
    ProcedureIn,
    ProcedureOut,
    ProcedurePage,
    RejectIn,
)
from amparo.risk.selectors import (
    assessment_get,
    assessment_list,
    procedure_get,
    procedure_list,
)
from amparo.risk.services import (
    AssessmentData,
    ChecklistItem,
    RelativeLevel,
    ThreatAnalysis,
    assessment_approve,
    assessment_create,
    assessment_reject,
    assessment_submit,
)

router = Router(tags=["risk"])

READ_ERRORS = error_responses(401, 404, 503)
WRITE_ERRORS = error_responses(401, 403, 404, 422, 503)


def _assessment_out(view: AssessmentView) -> dict[str, Any]:
    out = {f.name: getattr(view, f.name) for f in fields(view) if f.name != "assessment"}
    out["relatives"] = [asdict(relative) for relative in view.relatives]
    out["defender"] = out.pop("defender_code")
    out["procedure"] = out.pop("procedure_code")
    out["supersedes"] = out.pop("supersedes_code")
    return out


def present_assessments_out(actor: Any, rows: Sequence[RiskAssessment]) -> list[dict[str, Any]]:
    return [_assessment_out(view) for view in present_assessments(actor, rows, via="api")]


def _present_one(actor: Any, code: str) -> dict[str, Any]:
    return present_assessments_out(actor, [assessment_get(actor=actor, code=code)])[0]


def _procedure_out(view: ProcedureView) -> dict[str, Any]:
    deadline = view.deadline
    return {
        "code": view.code,
        "kind": view.kind,
        "status": view.status,
        "defender": view.defender_code,
        "opened_at": view.opened_at,
        "decide_by": view.decide_by,
        "in_place_by": view.in_place_by,
        "study_by": view.study_by,
        "decided_at": view.decided_at,
        "in_place_at": view.in_place_at,
        "studied_at": view.studied_at,
        "closed_at": view.closed_at,
        "escalated_at": view.escalated_at,
        "next_deadline": None
        if deadline is None
        else {
            "step": deadline.step,
            "due_at": deadline.due_at,
            "hours_left": deadline.hours_left,
            "overdue": deadline.overdue,
        },
        "reason": view.reason,
    }


def present_procedures_out(actor: Any, rows: Sequence[Procedure]) -> list[dict[str, Any]]:
    views = present_procedures(actor, rows, now=clock.now(), via="api")
    return [_procedure_out(view) for view in views]


def _relative(actor: Any, external_id: str) -> Person:
    try:
        return person_get(actor=actor, external_id=external_id)
    except Http404:
        raise invalid("relatives", f"Unknown relative {external_id!r}.") from None


def _data(actor: Any, payload: AssessmentIn) -> AssessmentData:
    return AssessmentData(
        threat=payload.threat,
        vulnerability=payload.vulnerability,
        capacity=payload.capacity,
        assessed_on=payload.assessed_on,
        horizon=str(payload.horizon),
        colombian_criteria=[str(c) for c in payload.colombian_criteria],
        gender_factors=[str(g) for g in payload.gender_factors],
        participation=str(payload.participation),
        participation_note=payload.participation_note,
        threats=[ThreatAnalysis(**t.model_dump()) for t in payload.threats],
        vulnerabilities=[
            ChecklistItem(str(i.code), i.score, i.evidence) for i in payload.vulnerabilities
        ],
        capacities=[ChecklistItem(str(i.code), i.score, i.evidence) for i in payload.capacities],
        rationale=payload.rationale,
        level=str(payload.level) if payload.level else "",
        level_justification=payload.level_justification,
        is_reevaluation=payload.is_reevaluation,
        reevaluation_reason=payload.reevaluation_reason,
        relatives=[
            RelativeLevel(_relative(actor, r.person), str(r.level), r.note)
            for r in payload.relatives
        ],
    )


# Assessments --------------------------------------------------------------------------------


@router.get("/assessments", response={200: AssessmentPage, **error_responses(401, 422, 503)})
def assessment_index(
    request: HttpRequest, filters: Query[AssessmentFilterParams]
) -> dict[str, Any]:
    reject_unknown_params(request, AssessmentFilterParams)
    actor = api_actor(request)
    defender = defender_get(actor=actor, code=filters.defender) if filters.defender else None
    rows = assessment_list(
        actor=actor, defender=defender, status=str(filters.status) if filters.status else ""
    )
    return page(rows, filters, lambda items: present_assessments_out(actor, items))


@router.get("/assessments/{code}", response={200: AssessmentOut, **READ_ERRORS})
def assessment_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _present_one(api_actor(request), code)


@router.post("/defenders/{code}/assessments", response={201: AssessmentOut, **WRITE_ERRORS})
def assessment_add(
    request: HttpRequest, code: str, payload: AssessmentIn
) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    defender = defender_get(actor=actor, code=code)
    if not may_assess(actor, defender):
        raise deny()
    procedure = None
    if payload.procedure:
        procedure = (
            procedure_list(actor=actor, open_only=True, defender=defender)
            .filter(code=payload.procedure)
            .first()
        )
        if procedure is None:
            raise invalid("procedure", "Unknown or closed procedure.")
    assessment = assessment_create(
        actor=actor,
        defender=defender,
        data=_data(actor, payload),
        procedure=procedure,
        submit=payload.submit,
    )
    return Status(201, _present_one(actor, assessment.code))


@router.post("/assessments/{code}/submit", response={200: AssessmentOut, **WRITE_ERRORS})
def assessment_submit_op(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = api_actor(request)
    assessment_submit(actor=actor, assessment=assessment_get(actor=actor, code=code))
    return _present_one(actor, code)


@router.post("/assessments/{code}/approve", response={200: AssessmentOut, **WRITE_ERRORS})
def assessment_approve_op(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = api_actor(request)
    assessment_approve(actor=actor, assessment=assessment_get(actor=actor, code=code))
    return _present_one(actor, code)


@router.post("/assessments/{code}/reject", response={200: AssessmentOut, **WRITE_ERRORS})
def assessment_reject_op(request: HttpRequest, code: str, payload: RejectIn) -> dict[str, Any]:
    actor = api_actor(request)
    assessment = assessment_get(actor=actor, code=code)
    assessment_reject(actor=actor, assessment=assessment, reason=payload.reason)
    return _present_one(actor, code)


# Procedures ---------------------------------------------------------------------------------


@router.get("/procedures", response={200: ProcedurePage, **error_responses(401, 422, 503)})
def procedure_index(request: HttpRequest, filters: Query[ProcedureFilterParams]) -> dict[str, Any]:
    reject_unknown_params(request, ProcedureFilterParams)
    actor = api_actor(request)
    rows = procedure_list(actor=actor, open_only=filters.open)
    return page(rows, filters, lambda items: present_procedures_out(actor, items))


@router.get("/procedures/{code}", response={200: ProcedureOut, **READ_ERRORS})
def procedure_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = api_actor(request)
    return present_procedures_out(actor, [procedure_get(actor=actor, code=code)])[0]


@router.post("/defenders/{code}/procedures", response={201: ProcedureOut, **WRITE_ERRORS})
def procedure_add(request: HttpRequest, code: str, payload: ProcedureIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    defender = defender_get(actor=actor, code=code)
    procedure = procedure_open(
        actor=actor, defender=defender, kind=str(payload.kind), reason=payload.reason
    )
    return Status(
        201, present_procedures_out(actor, [procedure_get(actor=actor, code=procedure.code)])[0]
    )
