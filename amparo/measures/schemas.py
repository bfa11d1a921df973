"""API shapes of measures and disclosures; the interchange names where they exist.

Encrypted values (details, reasons) are null for roles that see pseudonymised records. The
liaison's disclosure shape holds the whitelisted fields and nothing else.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema

from amparo.core.schemas import Input, PageParams
from amparo.measures.models import MeasureKind, MeasureStatus, Rating

CODE = r"^[A-Za-z0-9-]{1,32}$"


class MeasureDetailsIO(Input):
    area: str = Field(default="", max_length=300)
    schedule_needs: str = Field(default="", max_length=300)
    contact_channel: str = Field(default="", max_length=300)
    notes: str = Field(default="", max_length=4000)


class MeasureOut(Schema):
    code: str
    id: str | None = Field(description="External id; null for pseudonymised roles")
    defender: str
    case: str
    beneficiary_kind: str
    beneficiary: str
    kind: str
    status: str
    lead_entity: str
    provider: str | None
    provider_override: bool
    provider_override_reason: str | None
    procedure: str | None
    requested_on: datetime.date
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None
    implemented_at: datetime.datetime | None
    review_due_on: datetime.date | None
    ended_at: datetime.datetime | None
    cost: Decimal | None
    currency: str
    details: dict[str, str] | None
    refusal_reason: str | None
    replaced_by: str | None
    replaces: list[str]
    details_shown: bool


class MeasurePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MeasureOut]


class MeasureFilterParams(PageParams):
    kind: MeasureKind | None = None
    status: MeasureStatus | None = None
    provider: str = Field("", max_length=64, description="Provider entity slug")
    defender: str = Field("", max_length=32, description="Defender code")


class MeasureIn(Input):
    defender: str = Field(pattern=CODE, description="Defender code")
    kind: MeasureKind
    beneficiary_person: str = Field("", max_length=128, description="Relative's id")
    provider: str = Field("", max_length=64, description="Provider entity slug")
    provider_override_reason: str = Field("", max_length=2000)
    cost: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("", pattern=r"^([A-Z]{3})?$")
    details: MeasureDetailsIO = Field(default_factory=lambda: MeasureDetailsIO())
    replaces: str = Field("", max_length=32, description="Code of the refused measure replaced")


class MeasureTransitionIn(Input):
    to_status: MeasureStatus
    note: str = Field("", max_length=4000)
    reason: str = Field("", max_length=4000, description="Required to record a refusal")


class MeasureHistoryOut(Schema):
    at: datetime.datetime
    from_status: str
    to_status: str
    by: str
    note: str | None


class MeasureFeedbackIn(Input):
    works: Rating
    trusts_provider: Rating | None = None
    comment: str = Field("", max_length=4000)
    given_on: datetime.date | None = None


class MeasureFeedbackOut(Schema):
    given_on: datetime.date
    source: str
    works: str
    trusts_provider: str
    comment: str | None


class DisclosureOut(Schema):
    code: str
    status: str
    defender: str
    measure: str | None
    from_entity: str
    to_entity: str
    fields: list[str]
    basis: str
    created_at: datetime.datetime
    responded_at: datetime.datetime | None


class DisclosureIn(Input):
    measure: str = Field(pattern=CODE, description="Code of the measure disclosed")
    to_entity: str = Field(max_length=64, description="Receiving entity slug")
    fields: list[str] = Field(min_length=1, max_length=20)
    override_reason: str = Field("", max_length=2000)


class LiaisonDisclosureOut(Schema):
    """What a liaison is shown: the disclosure's frame and its whitelisted values only."""

    code: str
    status: str
    from_entity: str
    created_at: datetime.datetime
    responded_at: datetime.datetime | None
    measure: str | None
    measure_status: str | None
    fields: dict[str, str | None]


class DisclosureRespondIn(Input):
    accept: bool
    reason: str = Field("", max_length=2000)


class DisclosureReportIn(Input):
    in_place: bool = Field(False, description="Report the measure in place")
    note: str = Field("", max_length=4000)
    works: Rating | None = Field(None, description="How the implementation goes")
    comment: str = Field("", max_length=4000)
