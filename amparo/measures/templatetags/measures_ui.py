"""Template helpers of the measures pages: labels, and the defender page's Measures section."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models

from amparo.measures.disclosure import disclosable_fields
from amparo.measures.models import (
    InterimMeasureRequest,
    MeasureFeedback,
    MeasureKind,
    MeasureStatus,
    Rating,
)

register = template.Library()

VOCABULARIES: dict[str, type[models.TextChoices]] = {
    "kind": MeasureKind,
    "status": MeasureStatus,
    "rating": Rating,
    "source": MeasureFeedback.Source,
    "body": InterimMeasureRequest.Body,
}


@register.filter
def measure_label(code: str, vocabulary: str) -> str:
    """{{ "police_protection"|measure_label:"kind" }} → "Police protection"."""
    if not code:
        return ""
    try:
        return str(VOCABULARIES[vocabulary](code).label)
    except ValueError:
        return code


@register.filter
def disclosure_field_label(name: str) -> str:
    return disclosable_fields().get(name, name)


@register.filter
def may_open_measures(user: Any, area: str) -> bool:
    """Navigation: "measures" (case staff) or "disclosures" (staff who disclose, liaisons)."""
    from amparo.core.access import CASE_CONTENT_ROLES, DISCLOSURE_ROLES
    from amparo.core.policy import has_role

    roles = {"measures": CASE_CONTENT_ROLES, "disclosures": DISCLOSURE_ROLES}[area]
    return has_role(user, *roles)


@register.inclusion_tag("measures/_defender_measures.html", takes_context=True)
def defender_measures(context: dict[str, Any], defender: Any) -> dict[str, Any]:
    """The defender page's Measures section: codes, kinds and statuses (nothing decrypted),
    the safety plan link and the request button, for those who may use them."""
    from amparo.measures.policies import may_read_safety_plan, may_request_measure
    from amparo.measures.selectors import measure_list

    actor = context["request"].user
    if defender is None:
        return {"measures": [], "shown": False}
    # The panel shows codes, kinds, statuses, dates and providers: no other row is joined.
    measures = (
        measure_list(actor=actor)
        .filter(defender=defender)
        .select_related(None)
        .select_related("provider")
        .only("code", "kind", "status", "requested_on", "provider__name")
        .order_by("-requested_at")
    )
    return {
        "shown": True,
        "defender_code": defender.code,
        "measures": list(measures[:50]),
        "may_request": may_request_measure(actor, defender),
        "may_read_plan": may_read_safety_plan(actor, defender),
    }
