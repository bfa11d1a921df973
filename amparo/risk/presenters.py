"""What an actor is shown of assessments and procedures. Scores, levels and the rule are for
everyone who sees the assessment; the instrument, rationale and notes only for those who see
identities, and presenting them is an audited read."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from amparo.audit.services import audit_read
from amparo.core.crypto import CryptoError
from amparo.risk.models import Procedure, RiskAssessment
from amparo.risk.policies import sees_assessment_content
from amparo.risk.selectors import Deadline, next_deadline

ASSESSMENT_SENSITIVE = [
    "instrument",
    "rationale",
    "participation_note",
    "level_justification",
    "reevaluation_reason",
    "decision_note",
    "relatives.note",
]
logger = logging.getLogger(__name__)


@dataclass
class RelativeRiskView:
    person: str  # the relative's external id
    relation: str
    level: str
    note: str | None


@dataclass
class AssessmentView:
    code: str
    defender_code: str
    version: int
    status: str
    assessed_on: datetime.date
    assessed_by: str | None
    threat: int | None
    vulnerability: int | None
    capacity: int | None
    colombian_criteria: list[str]
    computed_level: str
    level: str
    level_rule: str
    horizon: str
    gender_factors: list[str]
    participation: str
    is_reevaluation: bool
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    decided_by: str | None
    next_review_on: datetime.date | None
    procedure_code: str | None
    supersedes_code: str | None
    relatives: list[RelativeRiskView]
    content_shown: bool
    instrument: dict[str, Any] | None = None
    rationale: str | None = None
    participation_note: str | None = None
    level_justification: str | None = None
    reevaluation_reason: str | None = None
    decision_note: str | None = None
    assessment: RiskAssessment | None = field(default=None, repr=False)


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


def present_assessments(
    actor: Any, assessments: Sequence[RiskAssessment], *, via: str, with_content: bool = True
) -> list[AssessmentView]:
    content = with_content and sees_assessment_content(actor)
    views, read = [], []
    for assessment in assessments:
        relatives = list(assessment.relative_risks.all())
        view = AssessmentView(
            code=assessment.code,
            defender_code=assessment.defender.code,
            version=assessment.version,
            status=assessment.status,
            assessed_on=assessment.assessed_on,
            assessed_by=_username(assessment.assessed_by),
            threat=assessment.threat,
            vulnerability=assessment.vulnerability,
            capacity=assessment.capacity,
            colombian_criteria=list(assessment.colombian_criteria),
            computed_level=assessment.computed_level,
            level=assessment.level,
            level_rule=assessment.level_rule,
            horizon=assessment.horizon,
            gender_factors=list(assessment.gender_factors),
            participation=assessment.participation,
            is_reevaluation=assessment.is_reevaluation,
            submitted_at=assessment.submitted_at,
            decided_at=assessment.decided_at,
            decided_by=_username(assessment.decided_by),
            next_review_on=assessment.next_review_on,
            procedure_code=assessment.procedure.code if assessment.procedure else None,
            supersedes_code=assessment.supersedes.code if assessment.supersedes else None,
            relatives=[
                RelativeRiskView(row.person.external_id, row.person.relation, row.level, None)
                for row in relatives
            ],
            content_shown=False,
            assessment=assessment,
        )
        if content and not assessment.data_key.is_shredded:
            try:
                opened = (
                    assessment.instrument or {},
                    assessment.rationale,
                    assessment.participation_note,
                    assessment.level_justification,
                    assessment.reevaluation_reason,
                    assessment.decision_note,
                    [row.note for row in relatives],
                )
            except CryptoError as error:
                logger.warning(
                    "Cannot decrypt assessment %s: %s", assessment.code, type(error).__name__
                )
            else:
                (
                    view.instrument,
                    view.rationale,
                    view.participation_note,
                    view.level_justification,
                    view.reevaluation_reason,
                    view.decision_note,
                    notes,
                ) = opened
                for relative_view, note in zip(view.relatives, notes, strict=True):
                    relative_view.note = note
                view.content_shown = True
                read.append(assessment)
        views.append(view)
    audit_read(actor, "assessment", read, fields=ASSESSMENT_SENSITIVE, via=via)
    return views


def present_assessment(actor: Any, assessment: RiskAssessment, *, via: str) -> AssessmentView:
    return present_assessments(actor, [assessment], via=via)[0]


@dataclass
class ProcedureView:
    code: str
    kind: str
    status: str
    defender_code: str
    opened_at: datetime.datetime
    decide_by: datetime.datetime | None
    in_place_by: datetime.datetime | None
    study_by: datetime.datetime | None
    decided_at: datetime.datetime | None
    in_place_at: datetime.datetime | None
    studied_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    escalated_at: datetime.datetime | None
    deadline: Deadline | None
    reason: str | None = None
    procedure: Procedure | None = field(default=None, repr=False)


def present_procedures(
    actor: Any,
    procedures: Sequence[Procedure],
    *,
    now: datetime.datetime,
    via: str,
    with_reason: bool = True,
) -> list[ProcedureView]:
    """Procedures with their countdown at `now`; the reason only to those who see content."""
    content = with_reason and sees_assessment_content(actor)
    views, read = [], []
    for procedure in procedures:
        view = ProcedureView(
            code=procedure.code,
            kind=procedure.kind,
            status=procedure.status,
            defender_code=procedure.defender.code,
            opened_at=procedure.opened_at,
            decide_by=procedure.decide_by,
            in_place_by=procedure.in_place_by,
            study_by=procedure.study_by,
            decided_at=procedure.decided_at,
            in_place_at=procedure.in_place_at,
            studied_at=procedure.studied_at,
            closed_at=procedure.closed_at,
            escalated_at=procedure.escalated_at,
            deadline=next_deadline(procedure, now),
            procedure=procedure,
        )
        if content and not procedure.data_key.is_shredded:
            try:
                view.reason = procedure.reason
            except CryptoError:
                view.reason = None
            else:
                read.append(procedure)
        views.append(view)
    audit_read(actor, "procedure", read, fields=["reason"], via=via)
    return views
