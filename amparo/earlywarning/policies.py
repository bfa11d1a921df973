"""Who may see and change the trigger calendar."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amparo.accounts.models import Role
from amparo.core.policy import NOTHING, role_of
from amparo.earlywarning.models import Event

# Staff who work with the calendar of their entity.
_EVENT_STAFF = {Role.COORDINATOR, Role.CASE_OFFICER, Role.ANALYST}


def event_scope(actor: Any) -> Q:
    """Events are seen by the staff of their lead entity; the system sees every event."""
    role = role_of(actor)
    if role == "system":
        return Q()
    if role in _EVENT_STAFF:
        return Q(lead_entity_id=actor.entity_id)
    return NOTHING


def may_write_events(actor: Any) -> bool:
    return role_of(actor) in {"system", Role.COORDINATOR, Role.CASE_OFFICER}


def may_change_event(actor: Any, event: Event) -> bool:
    if not may_write_events(actor):
        return False
    return role_of(actor) == "system" or event.lead_entity_id == actor.entity_id
