"""Who may see and record the justice follow-up of incidents.

Whoever sees an incident's record may see its investigation (analysts excepted: they work on
aggregates only, so no investigation record reaches them); the outcome and the notes are
sensitive and shown to case staff and the defender only. Updates are recorded by those who may
change the incident: the coordinators of its lead entity and its case team.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amparo.accounts.models import Role
from amparo.core.policy import NOTHING, role_of
from amparo.incidents.models import Incident
from amparo.incidents.policies import incident_scope, may_change_incident

RECORD_READERS = frozenset({"system", Role.COORDINATOR, Role.CASE_OFFICER, Role.DEFENDER})
FIGURE_READERS = frozenset({"system", Role.COORDINATOR, Role.CASE_OFFICER, Role.ANALYST})


def investigation_scope(actor: Any) -> Q:
    """The investigations whose records the actor may read (never an analyst's)."""
    if role_of(actor) not in RECORD_READERS:
        return NOTHING
    if role_of(actor) == "system":
        return Q()
    return Q(incident__in=Incident.objects.filter(incident_scope(actor)).values("pk"))


def figure_incident_scope(actor: Any) -> Q:
    """The incidents counted in the actor's impunity figures: those they may know exist."""
    if role_of(actor) not in FIGURE_READERS:
        return NOTHING
    return incident_scope(actor)


def may_read_figures(actor: Any) -> bool:
    return role_of(actor) in FIGURE_READERS


def sees_investigation_details(actor: Any) -> bool:
    """The outcome and the notes of each update: case staff and the defender."""
    return role_of(actor) in RECORD_READERS


def may_record_investigation(actor: Any, incident: Incident) -> bool:
    if role_of(actor) not in {"system", Role.COORDINATOR, Role.CASE_OFFICER}:
        return False
    if incident.data_key.is_shredded:
        return False
    return may_change_incident(actor, incident)
