"""Who may see and do what with protective measures, safety plans and disclosures.

Measures are seen as their case is (case_visible_q); analysts see them pseudonymised; a
defender sees their own; a liaison sees nothing here but what a disclosure to their entity
holds (amparo.measures.disclosure). Decisions (approve, reject) are for coordinators.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amparo.accounts.models import Role
from amparo.core.policy import NOTHING, case_visible_q, liaison_disclosed_q, role_of
from amparo.measures.models import Disclosure, Measure, MeasureStatus
from amparo.registry.models import Case, Defender
from amparo.registry.policies import may_change_defender, may_manage_case, may_work_case

DECISIONS = frozenset({MeasureStatus.APPROVED, MeasureStatus.REJECTED})


def measure_scope(actor: Any) -> Q:
    if role_of(actor) == Role.DEFENDER:
        return Q(defender_id=actor.defender_id) if actor.defender_id else NOTHING
    return case_visible_q(actor, "case__")


def disclosure_scope(actor: Any) -> Q:
    """Staff see the disclosures of the cases they see; liaisons those made to their entity."""
    role = role_of(actor)
    if role == Role.LIAISON:
        return liaison_disclosed_q(actor)
    if role in {"system", Role.COORDINATOR, Role.CASE_OFFICER}:
        return case_visible_q(actor, "case__")
    return NOTHING


def sees_measure_details(actor: Any) -> bool:
    """Encrypted fields of measures: case staff and the defender; analysts work pseudonymised."""
    return role_of(actor) in {"system", Role.COORDINATOR, Role.CASE_OFFICER, Role.DEFENDER}


def may_request_measure(actor: Any, defender: Defender) -> bool:
    return may_change_defender(actor, defender)


def may_work_measure(actor: Any, measure: Measure) -> bool:
    """Change a measure: the coordinators of its lead entity and the case team."""
    if measure.defender.is_shredded:
        return False
    if role_of(actor) == Role.COORDINATOR and actor.entity_id != measure.lead_entity_id:
        return False
    return may_work_case(actor, measure.case)


def may_decide_measure(actor: Any, measure: Measure) -> bool:
    """Approve or reject: coordinators only (of the lead entity, who see the case)."""
    return role_of(actor) in {"system", Role.COORDINATOR} and may_work_measure(actor, measure)


def may_transition(actor: Any, measure: Measure, to_status: str) -> bool:
    if to_status in DECISIONS:
        return may_decide_measure(actor, measure)
    return may_work_measure(actor, measure)


def may_disclose(actor: Any, case: Case) -> bool:
    """Disclose to another entity: coordinators of the case's lead entity only."""
    return may_manage_case(actor, case)


def may_respond_disclosure(actor: Any, disclosure: Disclosure) -> bool:
    return (
        role_of(actor) == Role.LIAISON
        and actor.entity_id == disclosure.to_entity_id
        and disclosure.status == Disclosure.Status.PENDING
    )


def may_report_implementation(actor: Any, disclosure: Disclosure) -> bool:
    """A liaison reports on a measure only through a disclosure of it that they accepted."""
    return (
        role_of(actor) == Role.LIAISON
        and actor.entity_id == disclosure.to_entity_id
        and disclosure.status == Disclosure.Status.ACCEPTED
        and disclosure.measure_id is not None
    )


def may_read_safety_plan(actor: Any, defender: Defender) -> bool:
    role = role_of(actor)
    if role == Role.DEFENDER:
        return actor.defender_id == defender.pk
    return role in {"system", Role.COORDINATOR, Role.CASE_OFFICER}


def may_edit_safety_plan(actor: Any, defender: Defender) -> bool:
    return may_change_defender(actor, defender)
