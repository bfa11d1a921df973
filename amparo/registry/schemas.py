"""API shapes of the registry, with the interchange format's field names where they exist.

Sensitive fields (name, alias, locality, contacts) are null for actors who see pseudonymised
records only; nothing else about a record changes shape between roles.
"""

from __future__ import annotations

import datetime
import warnings

from ninja import Field, Schema

from amparo.core.schemas import Input, PageParams
from amparo.core.vocab import (
    Category,
    DefenderStatus,
    Gender,
    OrganisationKind,
    Relation,
    Violation,
)

COUNTRY = r"^[A-Za-z]{2}$"
MAX_REFERENCES = 100


# "register" (the interchange name) is also a method of every model class: pydantic warns that
# the field shadows it, and the explicit Field() keeps it a plain field.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


class ConsentOut(Schema):
    register: bool = Field(...)
    share_with_state: bool


class DefenderOut(Schema):
    code: str
    external_id: str | None
    case: str
    restricted: bool
    name: str | None
    alias: str | None
    gender: str
    birth_year: int | None
    categories: list[str]
    country: str
    subdivision: str
    locality: str | None
    organisations: list[str]
    contacts: dict[str, str] | None
    registered_on: datetime.date
    status: str
    consent: ConsentOut
    risk_level: str | None = Field(description="From the latest approved risk assessment")
    next_review_on: datetime.date | None
    shredded: bool
    identity_shown: bool
    merged_into: str | None = Field(
        description=(
            "Set when this record was merged into another (a duplicate absorbed by its "
            "survivor): the code of the record that now stands for it, following merges, when "
            "you may see that record; null for a live record, or when you may not see the "
            "survivor. Lists and searches never return merged records; their code still opens."
        )
    )


class DefenderPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DefenderOut]


class DefenderFilterParams(PageParams):
    """Filters of the defender list. There is no name search here: names never go in URLs."""

    country: str = Field("", pattern=r"^([A-Za-z]{2})?$")
    subdivision: str = Field("", max_length=8)
    category: Category | None = None
    gender: Gender | None = None
    status: DefenderStatus | None = None
    violation: Violation | None = None
    registered_from: datetime.date | None = None
    registered_to: datetime.date | None = None
    organisation: str = Field("", max_length=128, description="Organisation id")


class DefenderSearchIn(PageParams):
    query: str = Field(
        min_length=1,
        max_length=200,
        description="An exact defender code, name, alias, phone number or e-mail address.",
    )


class DuplicatesIn(Input):
    name: str = Field("", max_length=300)
    alias: str = Field("", max_length=300)
    contacts: dict[str, str] = Field(default_factory=dict, max_length=20)


class ConsentIn(Input):
    register: bool = Field(default=False)
    share_with_state: bool = False


class ConsentPatch(Input):
    register: bool | None = Field(default=None)
    share_with_state: bool | None = None


class DefenderIn(Input):
    name: str = Field(min_length=1, max_length=300)
    alias: str = Field("", max_length=300)
    gender: Gender = Gender.UNKNOWN
    birth_year: int | None = None
    categories: list[Category] = Field(min_length=1, max_length=len(Category.values))
    country: str = Field(pattern=COUNTRY)
    subdivision: str = Field("", max_length=8)
    locality: str = Field("", max_length=300)
    organisations: list[str] = Field(default_factory=list, max_length=MAX_REFERENCES)
    contacts: dict[str, str] = Field(default_factory=dict, max_length=20)
    registered_on: datetime.date | None = None
    status: DefenderStatus = DefenderStatus.ACTIVE
    consent: ConsentIn = Field(default_factory=lambda: ConsentIn())


class DefenderPatch(Input):
    """Only the fields given change; code, case and external id cannot be set here."""

    name: str | None = Field(None, min_length=1, max_length=300)
    alias: str | None = Field(None, max_length=300)
    gender: Gender | None = None
    birth_year: int | None = None
    categories: list[Category] | None = Field(None, min_length=1, max_length=len(Category.values))
    country: str | None = Field(None, pattern=COUNTRY)
    subdivision: str | None = Field(None, max_length=8)
    locality: str | None = Field(None, max_length=300)
    organisations: list[str] | None = Field(None, max_length=MAX_REFERENCES)
    contacts: dict[str, str] | None = Field(None, max_length=20)
    registered_on: datetime.date | None = None
    status: DefenderStatus | None = None
    consent: ConsentPatch | None = None


class TimelineEntryOut(Schema):
    on: datetime.date
    kind: str
    title: str
    ref: str
    detail: str


class PersonOut(Schema):
    id: str
    related_to: str
    relation: str
    country: str
    subdivision: str
    name: str | None


class PersonIn(Input):
    name: str = Field(min_length=1, max_length=300)
    relation: Relation
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$")
    subdivision: str = Field("", max_length=8)


class CaseOut(Schema):
    code: str
    kind: str
    status: str
    lead_entity: str
    restricted: bool
    opened_on: datetime.date
    team: list[str] | None = Field(description="Usernames; null for roles that do not see teams")
    defenders: list[str]


class CaseTeamIn(Input):
    members: list[str] = Field(max_length=MAX_REFERENCES, description="Usernames")


class CaseRestrictedIn(Input):
    restricted: bool


class OrganisationOut(Schema):
    id: str
    name: str | None
    kind: str
    country: str
    subdivision: str
    name_sensitive: bool


class OrganisationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrganisationOut]


class OrganisationFilterParams(PageParams):
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$")
    kind: OrganisationKind | None = None


class OrganisationIn(Input):
    name: str = Field(min_length=1, max_length=300)
    kind: OrganisationKind
    country: str = Field(pattern=COUNTRY)
    subdivision: str = Field("", max_length=8)
