"""API shapes of incidents and their evidence, with the interchange format's field names.

Locality, perpetrator detail, narrative and sources are null for actors who see pseudonymised
records only, and for incidents whose key was shredded.
"""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from amparo.core.schemas import Input, PageParams
from amparo.core.vocab import (
    Category,
    Context,
    DatePrecision,
    Gender,
    Perpetrator,
    Verification,
    Violation,
)
from amparo.registry.schemas import COUNTRY, MAX_REFERENCES

MAX_NARRATIVE = 50_000


class VictimOut(Schema):
    kind: str = Field(description='"defender" or "person"')
    id: str = Field(description="Defender code or person id")
    name: str | None


class OrganisationRefOut(Schema):
    id: str
    name: str | None


class IncidentSummaryOut(Schema):
    code: str
    external_id: str | None
    case: str | None
    date: datetime.date
    date_precision: str
    end_date: datetime.date | None
    reported_on: datetime.date
    country: str
    subdivision: str
    violations: list[str]
    perpetrators: list[str]
    context: list[str]
    state_acquiescence: bool
    verification: str
    sealed: bool
    details_shown: bool
    locality: str | None
    perpetrator_detail: str | None
    narrative: str | None
    sources: list[str] | None


class IncidentOut(IncidentSummaryOut):
    victims: list[VictimOut] = Field(
        description="The victims on records the caller may see; others are not mentioned"
    )
    organisations: list[OrganisationRefOut]


class IncidentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[IncidentSummaryOut]


class IncidentFilterParams(PageParams):
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$")
    subdivision: str = Field("", max_length=8)
    violation: Violation | None = None
    perpetrator: Perpetrator | None = None
    context: Context | None = None
    verification: Verification | None = None
    category: Category | None = None
    gender: Gender | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    defender: str = Field("", max_length=32, description="Defender code")


class IncidentIn(Input):
    date: datetime.date
    date_precision: DatePrecision = DatePrecision.DAY
    end_date: datetime.date | None = None
    reported_on: datetime.date | None = None
    country: str = Field(pattern=COUNTRY)
    subdivision: str = Field("", max_length=8)
    locality: str = Field("", max_length=300)
    victims: list[str] = Field(
        default_factory=list,
        max_length=MAX_REFERENCES,
        description="Defender codes and person ids",
    )
    organisations: list[str] = Field(default_factory=list, max_length=MAX_REFERENCES)
    violations: list[Violation] = Field(min_length=1, max_length=len(Violation.values))
    perpetrators: list[Perpetrator] = Field(
        default_factory=lambda: [Perpetrator.UNKNOWN], max_length=len(Perpetrator.values)
    )
    perpetrator_detail: str = Field("", max_length=2000)
    context: list[Context] = Field(default_factory=list, max_length=len(Context.values))
    state_acquiescence: bool = False
    narrative: str = Field("", max_length=MAX_NARRATIVE)
    sources: list[str] = Field(default_factory=list, max_length=MAX_REFERENCES)
    verification: Verification = Verification.UNVERIFIED


class IncidentPatch(Input):
    """Only the fields given change; code, case and lead entity cannot be set here."""

    date: datetime.date | None = None
    date_precision: DatePrecision | None = None
    end_date: datetime.date | None = None
    reported_on: datetime.date | None = None
    country: str | None = Field(None, pattern=COUNTRY)
    subdivision: str | None = Field(None, max_length=8)
    locality: str | None = Field(None, max_length=300)
    victims: list[str] | None = Field(None, max_length=MAX_REFERENCES)
    organisations: list[str] | None = Field(None, max_length=MAX_REFERENCES)
    violations: list[Violation] | None = Field(None, min_length=1, max_length=len(Violation.values))
    perpetrators: list[Perpetrator] | None = Field(None, max_length=len(Perpetrator.values))
    perpetrator_detail: str | None = Field(None, max_length=2000)
    context: list[Context] | None = Field(None, max_length=len(Context.values))
    state_acquiescence: bool | None = None
    narrative: str | None = Field(None, max_length=MAX_NARRATIVE)
    sources: list[str] | None = Field(None, max_length=MAX_REFERENCES)
    verification: Verification | None = None


class AttachmentOut(Schema):
    id: str
    incident: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime
    filename: str | None = Field(description="Only for those who see identities")
