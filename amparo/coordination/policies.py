"""Who may record consent, and who may see and act on tasks.

Consent is recorded by those who work the case (the lead entity's coordinators and the case
team) and by the defender themself. Tasks are for the people who do the work: coordinators and
case officers; everyone else sees none.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amparo.accounts.models import Role
from amparo.coordination.models import Task
from amparo.core.policy import NOTHING, case_visible_q, role_of
from amparo.registry.models import Defender
from amparo.registry.policies import may_change_defender, may_work_case

TASK_ROLES = (Role.COORDINATOR, Role.CASE_OFFICER)
DASHBOARD_ROLES = (Role.COORDINATOR, Role.ANALYST)


def is_own_record(actor: Any, defender: Defender) -> bool:
    return role_of(actor) == Role.DEFENDER and actor.defender_id == defender.pk


def may_record_consent(actor: Any, defender: Defender) -> bool:
    if defender.is_shredded:
        return False
    return is_own_record(actor, defender) or may_change_defender(actor, defender)


def may_read_consent_notes(actor: Any, defender: Defender) -> bool:
    """Notes are sealed under the defender's key: for those who work the case, and the defender."""
    return may_record_consent(actor, defender)


def task_scope(actor: Any) -> Q:
    """A task is visible when its case is, when the actor owns it, or (for a coordinator) when
    it belongs to no case and to the coordinator's entity."""
    role = role_of(actor)
    if role == "system":
        return Q()
    if role not in TASK_ROLES:
        return NOTHING
    scope = case_visible_q(actor, "case__") | Q(owner_id=actor.pk)
    if role == Role.COORDINATOR:
        scope |= Q(case__isnull=True, entity_id=actor.entity_id)
    return scope


def may_act_on_task(actor: Any, task: Task) -> bool:
    """Complete or cancel: the owner, whoever works the task's case, or (for a task without a
    case) a coordinator of its entity."""
    role = role_of(actor)
    if role == "system":
        return True
    if role not in TASK_ROLES:
        return False
    if task.owner_id is not None and task.owner_id == actor.pk:
        return True
    if task.case is not None:
        return may_work_case(actor, task.case)
    return role == Role.COORDINATOR and task.entity_id == actor.entity_id
