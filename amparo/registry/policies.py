"""Who may see and do what in the registry. Used by pages, API, exports and admin alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Q

from amparo.accounts.models import Role
from amparo.core.policy import NOTHING, case_visible_q, role_of
from amparo.registry.models import Case, CaseMember, Defender, DefenderMerge

# Team answers held for the length of a read-only page (see team_answers_held); None elsewhere.
_team_answers: ContextVar[dict[tuple[Any, Any], bool] | None] = ContextVar(
    "amparo_team_answers", default=None
)


def case_scope(actor: Any) -> Q:
    return case_visible_q(actor)


def defender_scope(actor: Any) -> Q:
    if role_of(actor) == Role.DEFENDER:
        return Q(pk=actor.defender_id) if actor.defender_id else NOTHING
    return case_visible_q(actor, "case__")


def person_scope(actor: Any) -> Q:
    if role_of(actor) == Role.DEFENDER:
        return Q(defender_id=actor.defender_id) if actor.defender_id else NOTHING
    return case_visible_q(actor, "defender__case__")


def organisation_scope(actor: Any) -> Q:
    role = role_of(actor)
    if role == "system":
        return Q()
    if role in {Role.COORDINATOR, Role.CASE_OFFICER, Role.ANALYST}:
        return Q(lead_entity_id=actor.entity_id)
    return NOTHING


def may_register_defender(actor: Any) -> bool:
    return role_of(actor) in {"system", Role.COORDINATOR, Role.CASE_OFFICER}


def may_register_organisation(actor: Any) -> bool:
    return may_register_defender(actor)


def may_work_case(actor: Any, case: Case) -> bool:
    """Document and change what belongs to a case: its lead entity's coordinators and its team."""
    role = role_of(actor)
    if role == "system":
        return True
    if role == Role.COORDINATOR:
        return case.lead_entity_id == actor.entity_id and (
            not case.restricted or _on_team(actor, case)
        )
    if role == Role.CASE_OFFICER:
        return _on_team(actor, case)
    return False


def may_change_defender(actor: Any, defender: Defender) -> bool:
    # A merged record is changed through its survivor.
    return (
        not defender.is_shredded
        and not defender.merged_into_id
        and may_work_case(actor, defender.case)
    )


def may_manage_case(actor: Any, case: Case) -> bool:
    """Assign the team and set the restricted flag: coordinators of the lead entity only."""
    role = role_of(actor)
    if role == "system":
        return True
    return role == Role.COORDINATOR and may_work_case(actor, case)


def may_shred_defender(actor: Any, defender: Defender) -> bool:
    # During a pending merge the records moved between the two are still sealed under the
    # absorbed key: erasing either side would leave part of the person readable. Confirm or undo
    # the merge first (docs/duplicates.md).
    pending = DefenderMerge.objects.filter(
        Q(survivor=defender) | Q(absorbed=defender), status=DefenderMerge.Status.PENDING
    )
    return may_manage_case(actor, defender.case) and not pending.exists()


def may_review_duplicates(actor: Any) -> bool:
    """Candidate duplicates are a coordinator's work: they decide and merge."""
    return role_of(actor) in {"system", Role.COORDINATOR}


def may_merge_defenders(actor: Any, survivor: Defender, absorbed: Defender) -> bool:
    """Both records live (not shredded, not merged already) and both cases managed by the actor."""
    if survivor.pk == absorbed.pk or not may_review_duplicates(actor):
        return False
    if any(d.is_shredded or d.merged_into_id for d in (survivor, absorbed)):
        return False
    return may_manage_case(actor, survivor.case) and may_manage_case(actor, absorbed.case)


@contextmanager
def team_answers_held() -> Iterator[None]:
    """Within the block, whether an actor is on a case's team is asked of the database once.

    For pages that only read (a GET of the defender page asks it eight times: its own
    permissions, then the risk, measure and consent panels). Never around a service that
    changes a team: the answer held would be stale. Outside the block every call asks again.
    """
    token = _team_answers.set({})
    try:
        yield
    finally:
        _team_answers.reset(token)


def _on_team(actor: Any, case: Case) -> bool:
    held = _team_answers.get()
    key = (actor.pk, case.pk)
    if held is not None and key in held:
        return held[key]
    answer = CaseMember.objects.filter(case_id=case.pk, user_id=actor.pk).exists()
    if held is not None:
        held[key] = answer
    return answer
