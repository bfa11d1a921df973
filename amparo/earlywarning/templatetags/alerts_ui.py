"""Template helpers of the alert pages: the nav link, a defender's open alerts, and the labels
of the regional status table."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from amparo.core.access import CASE_CONTENT_ROLES
from amparo.core.policy import has_role
from amparo.core.vocab import Category
from amparo.earlywarning.evidence import method_label as regional_method_label
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


@register.filter
def category_label(code: str) -> str:
    """A defender category's label; empty means every category."""
    if not code or code == "*":
        return _("All categories")
    return str(Category(code).label) if code in Category.values else code


@register.filter
def violation_group_label(group: str) -> str:
    return {"grave": _("Grave attacks"), "other": _("Other incidents")}.get(group, group or "—")


@register.filter
def method_label(method: str) -> str:
    return regional_method_label(method) or "—"
