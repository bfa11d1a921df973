"""API shapes of the audit log: events as recorded, and the result of verifying the chain."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from amparo.core.schemas import PageParams


class AuditEventFilters(PageParams):
    object_type: str = Field("", max_length=64)
    object_id: str = Field("", max_length=64)
    actor_id: int | None = None
    action: str = Field("", max_length=64, description="Prefix, e.g. 'defender.'")
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


class AuditEventOut(Schema):
    seq: int
    occurred_at: datetime.datetime
    actor_id: int | None
    actor_label: str
    actor_role: str
    actor_entity_id: int | None
    action: str
    object_type: str
    object_id: str
    fields: list[str]
    detail: dict[str, Any]
    request_id: str
    prev_hash: str
    hash: str


class AuditEventPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AuditEventOut]


class AuditVerifyOut(Schema):
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    problem: str
