"""Who may produce the annual report: coordinators and analysts of an entity (over what they
may know exists), and the operator's system actor (over everything)."""

from __future__ import annotations

from typing import Any

from amparo.accounts.models import Role
from amparo.core.policy import role_of

REPORT_ROLES = (Role.COORDINATOR, Role.ANALYST)


def may_produce_report(actor: Any) -> bool:
    role = role_of(actor)
    if role == "system":
        return True
    return role in REPORT_ROLES and getattr(actor, "entity_id", None) is not None
