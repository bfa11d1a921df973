"""Who may see and decide self-reports, and what a defender may do in their own space.

A report waits in the queue of the entity that receives it. A report from a signed-in defender
names their case: it is seen as that case is (restricted cases by their team only). A report
made without an account names no case: every coordinator and case officer of the receiving
entity sees it. Everyone else: not found.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from amparo.accounts.models import Role
from amparo.core.policy import NOTHING, case_visible_q, role_of
from amparo.portal.models import SelfReport
from amparo.registry.models import Defender

INTAKE_ROLES = (Role.COORDINATOR, Role.CASE_OFFICER)


def report_scope(actor: Any) -> Q:
    role = role_of(actor)
    if role == "system":
        return Q()
    if role not in INTAKE_ROLES or not actor.entity_id:
        return NOTHING
    # An erased defender's report goes with them: it names them and tells their account.
    return (
        Q(entity_id=actor.entity_id)
        & Q(defender__shredded_at__isnull=True)
        & (Q(case__isnull=True) | (Q(case__isnull=False) & case_visible_q(actor, "case__")))
    )


def may_decide_report(actor: Any, report: SelfReport) -> bool:
    """Accept or reject: the staff who see it in their queue, while it waits."""
    if report.status != SelfReport.Status.RECEIVED:
        return False
    if role_of(actor) == "system":
        return True
    return (
        role_of(actor) in INTAKE_ROLES
        and SelfReport.objects.filter(report_scope(actor), pk=report.pk).exists()
    )


def own_defender(actor: Any) -> Defender | None:
    """The record a defender account speaks for (None for anyone else, or when it is erased)."""
    if role_of(actor) != Role.DEFENDER or not actor.defender_id:
        return None
    defender = Defender.objects.select_related("case").filter(pk=actor.defender_id).first()
    if defender is None or defender.is_shredded:
        return None
    return defender
