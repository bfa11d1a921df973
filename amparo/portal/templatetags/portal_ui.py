"""Navigation of the portal: the intake queue for its staff, the own space for defenders."""

from __future__ import annotations

from typing import Any

from django import template

from amparo.accounts.models import Role
from amparo.core.policy import has_role
from amparo.portal.policies import INTAKE_ROLES

register = template.Library()


@register.filter
def may_open_portal(user: Any, area: str) -> bool:
    """ "intake" (coordinators, case officers) or "space" (defenders)."""
    return has_role(user, *{"intake": INTAKE_ROLES, "space": (Role.DEFENDER,)}[area])
