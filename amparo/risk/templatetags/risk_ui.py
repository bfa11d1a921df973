"""The "Risk" section of the defender page, rendered from the risk domain's own selectors."""

from __future__ import annotations

from typing import Any

from django import template

from amparo.risk import clock
from amparo.risk.forms import ProcedureOpenForm
from amparo.risk.policies import may_assess, may_open_procedure, sees_assessments
from amparo.risk.presenters import present_procedures
from amparo.risk.selectors import procedure_list

register = template.Library()


@register.inclusion_tag("risk/_defender_risk.html", takes_context=True)
def defender_risk(context: dict[str, Any], defender: Any) -> dict[str, Any]:
    request = context["request"]
    actor = request.user
    # The defender page already checked that the defender is visible.
    if defender is None or not sees_assessments(actor):
        return {"risk": None, "request": request}
    now = clock.now()
    # The panel shows codes, kinds and deadlines, never a reason: no case or key is joined.
    procedures = list(
        procedure_list(actor=actor, open_only=True, defender=defender)
        .select_related(None)
        .select_related("defender")
    )
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "risk": {
            "code": defender.code,
            "level": defender.risk_level,
            "assessed_on": defender.risk_assessed_on,
            "next_review_on": defender.next_review_on,
            "review_overdue": bool(
                defender.next_review_on and defender.next_review_on < now.date()
            ),
            "procedures": present_procedures(
                actor, procedures, now=now, via="defender", with_reason=False
            ),
            "may_assess": may_assess(actor, defender),
            "procedure_form": ProcedureOpenForm() if may_open_procedure(actor, defender) else None,
        },
    }
