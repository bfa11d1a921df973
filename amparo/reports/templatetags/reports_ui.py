"""Navigation helper of the reports pages."""

from __future__ import annotations

from typing import Any

from django import template

from amparo.core.policy import has_role
from amparo.reports.policies import REPORT_ROLES

register = template.Library()


@register.filter
def may_open_reports(user: Any) -> bool:
    return has_role(user, *REPORT_ROLES)
