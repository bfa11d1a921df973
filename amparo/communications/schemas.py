"""API shapes of communications, replies, response rates and country visits; the interchange
names where they exist. The summary and the letter are null for roles that may not read them."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from amparo.core.schemas import Input, PageParams
from amparo.core.vocab import CommunicationKind, ReplyKind, VisitStatus

CODE = r"^[A-Za-z0-9-]{1,32}$"


class DisclosedOut(Schema):
    record: str
    fields: list[str]


class LinkedOut(Schema):
    kind: str
    code: str
    country: str
    date: datetime.date | None
    violations: list[str]


class ReplyOut(Schema):
    id: str
    received_on: datetime.date
    kind: str
    summary: str | None


class CommunicationOut(Schema):
    uuid: str
    id: str = Field(description="The interchange id")
    kind: str
    reference: str
    state: str
    status: str
    mandates: list[str]
    sent_on: datetime.date | None
    follow_up_on: datetime.date | None
    published_on: datetime.date | None
    concerns_women_defenders: bool
    summary: str | None
    body: str | None
    disclosed: list[DisclosedOut] | None
    linked: list[LinkedOut]
    replies: list[ReplyOut]
    consent_missing: list[str] | None


class CommunicationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CommunicationOut]


class CommunicationFilterParams(PageParams):
    state: str = Field("", max_length=2)
    kind: CommunicationKind | None = None
    status: str = Field("", max_length=20)
    year: int | None = Field(None, ge=1945, le=2100)


class CommunicationIn(Input):
    kind: CommunicationKind
    state: str = Field(max_length=2)
    mandates: list[str] = Field(default_factory=list, max_length=20)
    defenders: list[str] = Field(default_factory=list, max_length=200)
    incidents: list[str] = Field(default_factory=list, max_length=200)
    summary: str = Field(default="", max_length=4000)
    concerns_women_defenders: bool = False


class ApproveIn(Input):
    sent_on: datetime.date | None = None


class ReplyIn(Input):
    received_on: datetime.date
    kind: ReplyKind
    summary: str = Field(default="", max_length=8000)


class ResponseRateOut(Schema):
    key: str
    sent: int
    replied: int
    substantive: int
    rate: float | None


class ResponseRatesOut(Schema):
    by_state: list[ResponseRateOut]
    by_kind: list[ResponseRateOut]
    by_year: list[ResponseRateOut]


class VisitOut(Schema):
    id: str
    state: str
    status: str
    years_requested: list[int]
    first_requested_on: datetime.date
    accepted_on: datetime.date | None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    declined_on: datetime.date | None
    notes: str


class VisitIn(Input):
    state: str = Field(max_length=2)
    status: VisitStatus = VisitStatus.REQUESTED
    years_requested: list[int] = Field(min_length=1, max_length=50)
    first_requested_on: datetime.date
    accepted_on: datetime.date | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    declined_on: datetime.date | None = None
    notes: str = Field(default="", max_length=4000)
