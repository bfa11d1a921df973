"""Who may see, write and decide risk assessments and procedures.

Visibility follows the defender's (defender_scope), minus the roles that see no assessments:
defenders themselves (their portal shows measures, not internal risk analysis), liaisons,
auditors and administrators. Analysts see scores and levels, never the instrument or notes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amparo.accounts.models import Role
from amparo.core.policy import NOTHING, case_visible_q, role_of, sees_identities
from amparo.registry.models import Defender
from amparo.registry.policies import may_manage_case, may_work_case
from amparo.risk.models import Procedure, RiskAssessment

_SEEING_ROLES = {"system", Role.COORDINATOR, Role.CASE_OFFICER, Role.ANALYST}


def assessment_scope(actor: Any) -> Q:
    if role_of(actor) not in _SEEING_ROLES:
        return NOTHING
    return case_visible_q(actor, "defender__case__")


def procedure_scope(actor: Any) -> Q:
    return assessment_scope(actor)


def sees_assessments(actor: Any) -> bool:
    return role_of(actor) in _SEEING_ROLES


def sees_assessment_content(actor: Any) -> bool:
    """The instrument, rationale and notes: not for analysts (pseudonymised work)."""
    return role_of(actor) in _SEEING_ROLES and sees_identities(actor)


def may_assess(actor: Any, defender: Defender) -> bool:
    """Create, change drafts, submit: coordinators of the lead entity and the case team."""
    return not defender.is_shredded and may_work_case(actor, defender.case)


def may_change_assessment(actor: Any, assessment: RiskAssessment) -> bool:
    return assessment.is_draft and may_assess(actor, assessment.defender)


def may_decide_assessment(actor: Any, assessment: RiskAssessment) -> bool:
    """Approve or reject: a coordinator of the lead entity who neither wrote nor submitted it."""
    if assessment.status != RiskAssessment.Status.SUBMITTED:
        return False
    role = role_of(actor)
    if role == "system":
        return True
    if role != Role.COORDINATOR or not may_manage_case(actor, assessment.case):
        return False
    authors = {assessment.created_by_id, assessment.submitted_by_id, assessment.assessed_by_id}
    return actor.pk not in authors


def may_open_procedure(actor: Any, defender: Defender) -> bool:
    return may_assess(actor, defender)


def may_work_procedure(actor: Any, procedure: Procedure) -> bool:
    return procedure.status != Procedure.Status.CLOSED and may_work_case(actor, procedure.case)


def is_four_eyes_conflict(actor: Any, assessment: RiskAssessment) -> bool:
    """The coordinator would decide on their own assessment (shown as the reason for 403)."""
    return (
        getattr(actor, "pk", None)
        in {
            assessment.created_by_id,
            assessment.submitted_by_id,
            assessment.assessed_by_id,
        }
        and role_of(actor) == Role.COORDINATOR
    )
