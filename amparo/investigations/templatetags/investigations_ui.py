"""The incident page's Investigation section, as an inclusion tag so the incidents app only
includes a template."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import Http404

from amparo.core.policy import role_of
from amparo.incidents.selectors import incident_get
from amparo.investigations.policies import RECORD_READERS
from amparo.investigations.views import section_context

register = template.Library()


@register.inclusion_tag("investigations/_section_body.html", takes_context=True)
def investigation_section(context: template.Context, code: str) -> dict[str, Any]:
    request = context.get("request")
    actor = getattr(request, "user", None)
    if role_of(actor) not in RECORD_READERS:
        return {"hidden": True}  # analysts work on the figures only
    try:
        incident = incident_get(actor=actor, code=code)
    except Http404:
        return {"hidden": True}
    return {
        **section_context(actor, incident),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
