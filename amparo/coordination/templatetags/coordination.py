"""Panels of coordination shown on other domains' pages: a defender's consent and open tasks."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from amparo.coordination.forms import ConsentForm
from amparo.coordination.policies import (
    DASHBOARD_ROLES,
    TASK_ROLES,
    may_read_consent_notes,
    may_record_consent,
)
from amparo.coordination.presenters import present_consent, present_tasks
from amparo.coordination.selectors import consent_history, tasks_of_defender
from amparo.core.policy import has_role
from amparo.registry.models import Defender

register = template.Library()


def _base(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    return {"request": request, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("coordination/consent_panel.html", takes_context=True)
def consent_panel(context: template.Context, defender: Defender) -> dict[str, Any]:
    """The consent history per purpose (current first in each) and, for those who may, the
    form to record a consent or its withdrawal."""
    values = _base(context)
    actor = values["request"].user
    rows = present_consent(actor, defender, list(consent_history(defender)), via="page")
    may_record = may_record_consent(actor, defender)
    return {
        **values,
        "defender": defender,
        "rows": rows,
        "with_notes": may_read_consent_notes(actor, defender),
        "form": ConsentForm() if may_record else None,
    }


@register.inclusion_tag("coordination/open_tasks.html", takes_context=True)
def open_tasks(context: template.Context, defender: Defender) -> dict[str, Any]:
    values = _base(context)
    actor = values["request"].user
    shown = has_role(actor, *TASK_ROLES)
    tasks = tasks_of_defender(actor=actor, defender=defender) if shown else []
    return {**values, "shown": shown, "rows": present_tasks(actor, tasks, timezone.now())}


@register.filter
def may_open_work(user: Any, area: str) -> bool:
    """Navigation: "tasks" (coordinators, case officers, communications officers) or
    "dashboard" (coordinators, analysts)."""
    return has_role(user, *{"tasks": TASK_ROLES, "dashboard": DASHBOARD_ROLES}[area])
