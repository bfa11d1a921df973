"""Template helpers of communications: the navigation link, and the incident page's flag of a
possible reprisal for cooperation with the UN."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def may_open_communications(user: Any) -> bool:
    from amparo.communications.policies import may_open_pages

    return may_open_pages(user)


@register.inclusion_tag("communications/_reprisal_flag.html", takes_context=True)
def reprisal_flag(context: dict[str, Any], incident: Any) -> dict[str, Any]:
    """Shown to whoever may see both the incident and the cooperation behind the flag."""
    from amparo.communications.selectors import reprisal_reasons

    request = context.get("request")
    if incident is None or request is None:
        return {"reasons": []}
    return {"reasons": reprisal_reasons(request.user, incident)}
