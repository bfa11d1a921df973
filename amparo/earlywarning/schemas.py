"""Schemas of the alerts API: codes, counts and statistics; never a name."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from ninja import Field, Schema

from amparo.core.schemas import Input, PageParams
from amparo.earlywarning.lifecycle import NOTE_MAX_LENGTH, DismissReason
from amparo.earlywarning.models import AlertKind, AlertLevel

CODE = r"^[A-Za-z0-9-]{1,32}$"


class AlertFilterParams(PageParams):
    # A Literal, not the model's "Status" enum: that name is another domain's schema.
    status: Literal["open", "acknowledged", "acted", "dismissed"] | None = None
    level: AlertLevel | None = None
    kind: AlertKind | None = None
    overdue: bool = False


class AlertOut(Schema):
    code: str
    kind: str
    level: str
    status: str
    raised_on: datetime.date
    expires_on: datetime.date
    sla_due_at: datetime.datetime
    sla: str = Field(description="'due in X h' or 'overdue by X h' while live")
    overdue: bool
    lead_entity: str
    country: str
    subdivision: str
    categories: list[str]
    reason: str = Field(description="Why, in one line, from the alert's kind")
    evidence: dict[str, Any] = Field(
        description="The evidence as data, without the records you may not open"
    )
    evidence_text: list[str] = Field(description="The evidence as sentences, same filter")
    recommended_measures: list[str]
    covered_defenders: list[str] = Field(description="Codes of the covered defenders you see")
    measures: list[str] = Field(description="Codes of the measures taken that you see")
    dismissed_reason: str
    acknowledged_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class AlertPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AlertOut]


class AlertActIn(Input):
    measures: list[str] = Field(min_length=1, max_length=50, description="Measure codes")
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


class AlertDismissIn(Input):
    reason_code: DismissReason


class CalendarParams(Input):
    start: datetime.date | None = None
    end: datetime.date | None = None


class CalendarEntryOut(Schema):
    event: str = Field(description="The event's external id")
    kind: str
    title: str | None = Field(description="Shown to those who see identities")
    country: str
    subdivision: str
    categories: list[str]
    start: datetime.date
    end: datetime.date
    window_start: datetime.date
    window_end: datetime.date
