"""Who may see and document incidents."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amparo.accounts.models import Role
from amparo.core.policy import NOTHING, case_visible_q, role_of
from amparo.incidents.models import Incident
from amparo.registry.models import Case
from amparo.registry.policies import may_work_case


def incident_scope(actor: Any, *, team_as_set: bool = False) -> Q:
    """team_as_set: see case_visible_q (the same incidents; for counting them)."""
    role = role_of(actor)
    if role == "system":
        return Q()
    if role == Role.DEFENDER:
        return Q(victim_defenders=actor.defender_id) if actor.defender_id else NOTHING
    if role not in {Role.COORDINATOR, Role.CASE_OFFICER, Role.ANALYST}:
        return NOTHING
    without_case = Q(case__isnull=True) & (
        Q(created_by_id=actor.pk)
        if role == Role.CASE_OFFICER
        else Q(lead_entity_id=actor.entity_id)
    )
    on_case = case_visible_q(actor, "case__", team_as_set=team_as_set)
    return (Q(case__isnull=False) & on_case) | without_case


def may_record_incident(actor: Any, case: Case | None) -> bool:
    role = role_of(actor)
    if role == "system":
        return True
    if role not in {Role.COORDINATOR, Role.CASE_OFFICER}:
        return False
    return case is None or may_work_case(actor, case)


def may_change_incident(actor: Any, incident: Incident) -> bool:
    role = role_of(actor)
    if role == "system":
        return True
    if role not in {Role.COORDINATOR, Role.CASE_OFFICER}:
        return False
    if incident.case is None:
        return incident.created_by_id == actor.pk or (
            role == Role.COORDINATOR and incident.lead_entity_id == actor.entity_id
        )
    return may_work_case(actor, incident.case)
