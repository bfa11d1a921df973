"""API shapes for the signed-in user and their personal tokens."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from amparo.core.schemas import Input


class EntityOut(Schema):
    slug: str
    name: str
    kind: str
    country: str


class MeOut(Schema):
    username: str
    role: str
    entity: EntityOut | None
    authenticated_via: str


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    active: bool


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The raw token. It is shown this once and never stored.")


class TokenIn(Input):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int = Field(90, ge=1, le=365)
