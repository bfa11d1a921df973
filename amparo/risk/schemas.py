"""Shapes of the risk API. Inputs refuse unknown fields; sensitive outputs (instrument,
rationale, notes) are null for roles that see pseudonymised records only."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from amparo.core.schemas import Input, PageParams
from amparo.risk.models import (
    Capacity,
    ColombianCriterion,
    GenderFactor,
    Horizon,
    Participation,
    Procedure,
    RiskAssessment,
    RiskLevel,
    Vulnerability,
)

TEXT = 4000


class ThreatIn(Input):
    facts: str = Field("", max_length=TEXT)
    pattern: str = Field("", max_length=TEXT)
    objective: str = Field("", max_length=TEXT)
    author: str = Field("", max_length=TEXT)
    feasibility: str = Field("", max_length=TEXT)


class VulnerabilityIn(Input):
    code: Vulnerability
    score: int = Field(ge=0, le=4)
    evidence: str = Field("", max_length=TEXT)


class CapacityIn(Input):
    code: Capacity
    score: int = Field(ge=0, le=4)
    evidence: str = Field("", max_length=TEXT)


class RelativeIn(Input):
    person: str = Field(max_length=128, description="The relative's id")
    level: RiskLevel
    note: str = Field("", max_length=TEXT)


class AssessmentIn(Input):
    assessed_on: datetime.date | None = None
    threat: int = Field(ge=0, le=4)
    vulnerability: int = Field(ge=0, le=4)
    capacity: int = Field(ge=1, le=4)
    colombian_criteria: list[ColombianCriterion] = Field(default_factory=list, max_length=10)
    horizon: Horizon = Horizon.SHORT
    gender_factors: list[GenderFactor] = Field(default_factory=list, max_length=20)
    participation: Participation = Participation.NONE
    participation_note: str = Field("", max_length=TEXT)
    threats: list[ThreatIn] = Field(default_factory=list, max_length=20)
    vulnerabilities: list[VulnerabilityIn] = Field(default_factory=list, max_length=20)
    capacities: list[CapacityIn] = Field(default_factory=list, max_length=20)
    rationale: str = Field("", max_length=TEXT)
    level: RiskLevel | None = Field(None, description="Only to differ from the computed level")
    level_justification: str = Field("", max_length=TEXT)
    is_reevaluation: bool = False
    reevaluation_reason: str = Field("", max_length=TEXT)
    relatives: list[RelativeIn] = Field(default_factory=list, max_length=50)
    procedure: str = Field("", max_length=32, description="Code of an open procedure")
    submit: bool = Field(False, description="Submit for approval at once")


class RejectIn(Input):
    reason: str = Field(min_length=1, max_length=TEXT)


class RelativeRiskOut(Schema):
    person: str
    relation: str
    level: str
    note: str | None


class AssessmentOut(Schema):
    code: str
    defender: str
    version: int
    status: RiskAssessment.Status
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
    procedure: str | None
    supersedes: str | None
    relatives: list[RelativeRiskOut]
    content_shown: bool
    instrument: dict[str, Any] | None
    rationale: str | None
    participation_note: str | None
    level_justification: str | None
    reevaluation_reason: str | None
    decision_note: str | None


class AssessmentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AssessmentOut]


class AssessmentFilterParams(PageParams):
    defender: str = Field("", max_length=32, description="Defender code")
    status: RiskAssessment.Status | None = None


class ProcedureIn(Input):
    kind: Procedure.Kind
    reason: str = Field(min_length=1, max_length=TEXT)


class DeadlineOut(Schema):
    step: str
    due_at: datetime.datetime
    hours_left: float
    overdue: bool


class ProcedureOut(Schema):
    code: str
    kind: str
    status: str
    defender: str
    opened_at: datetime.datetime
    decide_by: datetime.datetime | None
    in_place_by: datetime.datetime | None
    study_by: datetime.datetime | None
    decided_at: datetime.datetime | None
    in_place_at: datetime.datetime | None
    studied_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    escalated_at: datetime.datetime | None
    next_deadline: DeadlineOut | None
    reason: str | None


class ProcedurePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProcedureOut]


class ProcedureFilterParams(PageParams):
    open: bool = Field(True, description="Only procedures not closed")
