"""Template helpers of the alert pages: the nav link and a defender's open alerts."""

from __future__ import annotations

from typing import Any

from django import template

from amparo.core.access import CASE_CONTENT_ROLES
from amparo.core.policy import has_role
from amparo.earlywarning.presenters import alert_row
from amparo.earlywarning.selectors import alerts_covering

register = template.Library()


@register.filter
def may_open_alerts(user: Any) -> bool:
    return has_role(user, *CASE_CONTENT_ROLES)


@register.inclusion_tag("earlywarning/_defender_alerts.html", takes_context=True)
def defender_alerts(context: template.Context, defender: Any) -> dict[str, Any]:
    """The live alerts covering this defender that the user sees."""
    user = context["request"].user
    if not may_open_alerts(user):
        return {"shown": False, "rows": []}
    rows = [alert_row(alert) for alert in alerts_covering(actor=user, defender=defender)[:50]]
    return {"shown": True, "rows": rows}
