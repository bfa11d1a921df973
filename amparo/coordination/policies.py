"""Who may record consent, and who may see and act on tasks.

Consent is recorded by those who work the case (the lead entity's coordinators and the case
team) and by the defender themself. Tasks are for the people who do the work: coordinators and
case officers by case, communications officers for the letters they follow up (the tasks they
own and their entity's follow-ups of letters they may see); everyone else sees none.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q

from amparo.accounts.models import Role
from amparo.coordination.models import Task
from amparo.core.policy import NOTHING, case_visible_q, role_of
from amparo.registry.models import Defender
from amparo.registry.policies import may_change_defender, may_work_case

TASK_ROLES = (Role.COORDINATOR, Role.CASE_OFFICER, Role.COMMUNICATIONS_OFFICER)
# The subject_type of the follow-up task a sent letter without a reply opens.
LETTER_FOLLOW_UP = "communication"
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
    if role == Role.COMMUNICATIONS_OFFICER:
        return Q(owner_id=actor.pk) | _letter_follow_ups(actor)
    scope = case_visible_q(actor, "case__") | Q(owner_id=actor.pk)
    if role == Role.COORDINATOR:
        scope |= Q(case__isnull=True, entity_id=actor.entity_id)
    return scope


def _letter_follow_ups(actor: Any) -> Q:
    """The follow-up tasks of the entity's letters that the communications officer may see (a
    letter about a restricted case off their team stays unknown, and so does its task)."""
    from amparo.communications.models import Communication
    from amparo.communications.policies import communication_scope

    if actor.entity_id is None:
        return NOTHING
    follow_ups = Q(subject_type=LETTER_FOLLOW_UP, entity_id=actor.entity_id, case__isnull=True)
    subject_ids = Task.objects.filter(follow_ups).values_list("subject_id", flat=True)
    letters = Communication.objects.filter(
        communication_scope(actor), pk__in=[i for i in subject_ids if _is_uuid(i)]
    ).values_list("pk", flat=True)
    return follow_ups & Q(subject_id__in=[str(pk) for pk in letters])


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def may_act_on_task(actor: Any, task: Task) -> bool:
    """Complete or cancel: the owner, whoever works the task's case, (for a task without a
    case) a coordinator of its entity, or a communications officer for a letter follow-up they
    may see."""
    role = role_of(actor)
    if role == "system":
        return True
    if role not in TASK_ROLES:
        return False
    if task.owner_id is not None and task.owner_id == actor.pk:
        return True
    if role == Role.COMMUNICATIONS_OFFICER:
        return Task.objects.filter(_letter_follow_ups(actor), pk=task.pk).exists()
    if task.case is not None:
        return may_work_case(actor, task.case)
    return role == Role.COORDINATOR and task.entity_id == actor.entity_id
