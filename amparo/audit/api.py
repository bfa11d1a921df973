"""API: the audit log and its verification, for auditors only."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router

from amparo.audit.schemas import AuditEventFilters, AuditEventPage, AuditVerifyOut
from amparo.audit.selectors import audit_event_list, audit_verify
from amparo.core.access import AUDIT_ROLES
from amparo.core.policy import has_role
from amparo.core.schemas import error_responses, page, reject_unknown_params

router = Router(tags=["audit"])


def _require_auditor(actor: Any) -> None:
    # The log names who read which record: only auditors see it, whatever else a role may do.
    if not has_role(actor, *AUDIT_ROLES):
        raise PermissionDenied("Only auditors read the audit log.")


@router.get("/events", response={200: AuditEventPage, **error_responses(401, 403, 422)})
def event_list(request: HttpRequest, filters: Query[AuditEventFilters]) -> dict[str, Any]:
    _require_auditor(request.auth)  # type: ignore[attr-defined]
    reject_unknown_params(request, AuditEventFilters)
    events = audit_event_list(
        object_type=filters.object_type,
        object_id=filters.object_id,
        actor_id=filters.actor_id,
        action=filters.action,
        since=filters.since,
        until=filters.until,
    )
    return page(events, filters, list)


@router.get("/verify", response={200: AuditVerifyOut, **error_responses(401, 403)})
def verify(request: HttpRequest) -> dict[str, Any]:
    _require_auditor(request.auth)  # type: ignore[attr-defined]
    return dataclasses.asdict(audit_verify())
