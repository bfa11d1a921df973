"""API shapes of coordination: consent records, tasks, the dashboard's figures."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from ninja import Field, Schema

from amparo.coordination.models import ConsentPurpose, ConsentSource
from amparo.core.schemas import Input, PageParams


class ConsentRecordOut(Schema):
    id: int
    purpose: str
    entity: str | None = Field(description="Slug of the named entity (share_with_entity)")
    granted: bool
    source: str
    recorded_at: datetime.datetime
    recorded_by: str | None
    current: bool
    note: str | None = Field(description="Null for roles that may not read it")


class ConsentStateOut(Schema):
    defender: str
    allows: dict[str, bool] = Field(description="register and share_with_state, as now in force")
    current: list[ConsentRecordOut]
    history: list[ConsentRecordOut]


class ConsentRecordIn(Input):
    purpose: ConsentPurpose
    granted: bool
    source: ConsentSource
    entity: str | None = Field(None, max_length=64, description="Entity slug")
    note: str = Field("", max_length=2000)


class TaskOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    case: str | None
    entity: str
    owner: str | None
    due_at: datetime.datetime
    hours_left: float
    overdue: bool
    done_at: datetime.datetime | None
    escalated_at: datetime.datetime | None


class TaskPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TaskOut]


class TaskFilterParams(PageParams):
    status: str = Field("open", pattern=r"^(open|done|cancelled|any)$")
    overdue: bool = False
    mine: bool = False


class LevelCount(Schema):
    level: str
    count: int


class CostRow(Schema):
    key: str
    currency: str
    total: Decimal
    measures: int


class DashboardOut(Schema):
    as_of: datetime.datetime
    caseload: list[LevelCount]
    urgent_procedures: int
    urgent_overdue: int
    overdue_reviews: int
    unprotected: int | None
    late_measures: int | None
    refusals: dict[str, dict[str, float]] | None
    median_days_to_protection: float | None
    cost_by_kind: list[CostRow] | None
    cost_by_entity: list[CostRow] | None
    cost_by_month: list[CostRow] | None
