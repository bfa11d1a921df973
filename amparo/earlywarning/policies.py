"""Who may see and change the trigger calendar and the alerts."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from amparo.accounts.models import Role
from amparo.core.policy import NOTHING, role_of, team_member_exists
from amparo.earlywarning.models import Alert, Event

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


# Alerts -------------------------------------------------------------------------------------

# Staff of the lead entity who see every alert it leads (the covered list is still filtered).
_ALERT_LEADS = {Role.COORDINATOR, Role.ANALYST}


def alert_scope(actor: Any) -> Q:
    """An alert is seen by the staff who see one of its covered defenders; an alert that covers
    nobody yet (a regional signal in an empty place) by the coordinators and analysts of its
    lead entity. An alert about a restricted case is therefore seen by its team only: its very
    existence would say that the case exists. Liaisons, auditors and admins see none."""
    from amparo.registry.models import Defender
    from amparo.registry.policies import defender_scope

    role = role_of(actor)
    if role == "system":
        return Q()
    if role not in _EVENT_STAFF:
        return NOTHING
    covers_visible = Exists(
        Alert.defenders.through.objects.filter(
            alert_id=OuterRef("pk"),
            defender_id__in=Defender.objects.filter(defender_scope(actor)).values("pk"),
        )
    )
    scope = Q(covers_visible)
    if role in _ALERT_LEADS:
        covers_anyone = Exists(Alert.defenders.through.objects.filter(alert_id=OuterRef("pk")))
        scope |= Q(lead_entity_id=actor.entity_id) & ~Q(covers_anyone)
    return scope


def covered_defender_scope(actor: Any) -> Q:
    """Which covered defenders an alert reveals: only those the actor may see (no count of the
    others either), so a restricted case never shows through an alert."""
    from amparo.registry.policies import defender_scope

    role = role_of(actor)
    if role != "system" and role not in _EVENT_STAFF:
        return NOTHING
    return defender_scope(actor)


def may_work_alert(actor: Any, alert: Alert) -> bool:
    """Acknowledge, act on or dismiss: coordinators of the lead entity and case officers on
    the team of a covered defender."""
    role = role_of(actor)
    if role == "system":
        return True
    if role == Role.COORDINATOR:
        return alert.lead_entity_id == actor.entity_id
    if role == Role.CASE_OFFICER:
        return alert.defenders.filter(team_member_exists(actor, "case_id")).exists()
    return False
