"""API shapes of investigations (interchange field names where the contract has them)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema

from amparo.core.schemas import Input, PageParams
from amparo.core.vocab import InvestigationStage


class InvestigationUpdateOut(Schema):
    stage: str
    on: datetime.date
    note: str | None = Field(description="Only for case staff and the defender")


class InvestigationOut(Schema):
    id: str
    incident: str = Field(description="Incident code")
    stage: str
    authority: str
    complaint_filed_on: datetime.date | None
    opened_on: datetime.date | None
    updated_on: datetime.date | None
    closed_on: datetime.date | None
    compensation_awarded: bool | None
    compensation_amount: Decimal | None
    compensation_currency: str
    details_shown: bool
    outcome: str | None
    history: list[InvestigationUpdateOut]


class InvestigationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[InvestigationOut]


class InvestigationFilterParams(PageParams):
    stage: InvestigationStage | None = None


class InvestigationUpdateIn(Input):
    """A change of stage (or a note) as of a day; fields not given keep their value."""

    stage: InvestigationStage
    on: datetime.date
    authority: str | None = Field(None, max_length=200)
    note: str = Field("", max_length=5000)
    outcome: str | None = Field(None, max_length=5000)
    compensation_awarded: bool | None = None
    compensation_amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    compensation_currency: str | None = Field(None, max_length=3)


class FiguresParams(Input):
    as_of: datetime.date | None = None


class UninvestigatedOut(Schema):
    months: int
    grave_incidents: int
    without_investigation: int
    percent: float | None


class ImpunityRowOut(Schema):
    key: str
    grave_incidents: int
    investigated: int
    convicted: int
    impunity_percent: float | None


class FiguresOut(Schema):
    as_of: datetime.date
    uninvestigated: list[UninvestigatedOut]
    grave_incidents: int
    convicted: int
    convictions_per_incident: float | None
    by_perpetrator_group: list[ImpunityRowOut]
    by_country: list[ImpunityRowOut]
