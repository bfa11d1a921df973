"""API of the alerts: the inbox, one alert and its lifecycle, the calendar of events.

What the actor may not see answers 404 (or is absent from lists); what they see but may not
change answers 403. Alerts show codes only; covered defenders are filtered by policy, and so is
the evidence (amparo.earlywarning.evidence): records the actor may not open are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from amparo.core.api_auth import api_actor
from amparo.core.policy import sees_identities
from amparo.core.schemas import error_responses, invalid, page, reject_unknown_params
from amparo.earlywarning.evidence import AlertEvidence, alert_evidence, alerts_evidence
from amparo.earlywarning.lifecycle import alert_acknowledge, alert_act, alert_dismiss
from amparo.earlywarning.models import Alert
from amparo.earlywarning.presenters import is_overdue, sla_text
from amparo.earlywarning.schemas import (
    AlertActIn,
    AlertDismissIn,
    AlertFilterParams,
    AlertOut,
    AlertPage,
    CalendarEntryOut,
    CalendarParams,
)
from amparo.earlywarning.selectors import (
    alert_covered_defenders,
    alert_get,
    alert_list,
    events_calendar,
)
from amparo.earlywarning.views import calendar_range
from amparo.measures.models import Measure
from amparo.measures.policies import measure_scope

router = Router(tags=["alerts"])

READ_ERRORS = error_responses(401, 404)
LIST_ERRORS = error_responses(401, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 422)


def _alert_out(actor: Any, alert: Alert, evidence: AlertEvidence | None = None) -> dict[str, Any]:
    now = timezone.now()
    evidence = evidence or alert_evidence(actor=actor, alert=alert)
    return {
        "code": alert.code,
        "kind": alert.kind,
        "level": alert.level,
        "status": alert.status,
        "raised_on": alert.raised_on,
        "expires_on": alert.expires_on,
        "sla_due_at": alert.sla_due_at,
        "sla": sla_text(alert, now),
        "overdue": is_overdue(alert, now),
        "lead_entity": alert.lead_entity.slug,
        "country": alert.country,
        "subdivision": alert.subdivision,
        "categories": [str(c) for c in alert.categories or []],
        "reason": evidence.summary,
        "evidence": evidence.data,
        "evidence_text": evidence.texts,
        "recommended_measures": [str(c) for c in alert.recommended_measures or []],
        "covered_defenders": list(
            alert_covered_defenders(actor=actor, alert=alert).values_list("code", flat=True)
        ),
        "measures": list(
            alert.measures.filter(measure_scope(actor))
            .order_by("code")
            .values_list("code", flat=True)
        ),
        "dismissed_reason": alert.dismissed_reason,
        "acknowledged_at": alert.acknowledged_at,
        "closed_at": alert.closed_at,
    }


def _present(actor: Any, alerts: Sequence[Alert]) -> list[dict[str, Any]]:
    evidence = alerts_evidence(actor=actor, alerts=alerts)
    return [_alert_out(actor, alert, evidence[alert.pk]) for alert in alerts]


@router.get("/alerts", response={200: AlertPage, **LIST_ERRORS})
def alert_index(request: HttpRequest, filters: Query[AlertFilterParams]) -> dict[str, Any]:
    """The alerts you see, urgent first, then by SLA due."""
    reject_unknown_params(request, AlertFilterParams)
    actor = api_actor(request)
    alerts = alert_list(
        actor=actor,
        status=str(filters.status or ""),
        level=str(filters.level or ""),
        kind=str(filters.kind or ""),
        overdue_only=filters.overdue,
    )
    return page(alerts, filters, lambda rows: _present(actor, rows))


@router.get("/alerts/{code}", response={200: AlertOut, **READ_ERRORS})
def alert_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = api_actor(request)
    return _alert_out(actor, alert_get(actor=actor, code=code))


@router.post("/alerts/{code}/acknowledge", response={200: AlertOut, **WRITE_ERRORS})
def alert_acknowledge_op(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = api_actor(request)
    alert = alert_acknowledge(actor=actor, alert=alert_get(actor=actor, code=code))
    return _alert_out(actor, alert)


@router.post("/alerts/{code}/act", response={200: AlertOut, **WRITE_ERRORS})
def alert_act_op(request: HttpRequest, code: str, payload: AlertActIn) -> dict[str, Any]:
    """Mark the alert acted on, linking the measures taken (of the covered defenders)."""
    actor = api_actor(request)
    alert = alert_get(actor=actor, code=code)
    wanted = list(dict.fromkeys(payload.measures))
    # Measures the actor may not see are as unknown as codes that do not exist.
    found = {m.code: m for m in Measure.objects.filter(measure_scope(actor), code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise invalid("measures", f"Unknown measure {missing[0]!r}.")
    measures = [found[c] for c in wanted]
    alert_act(actor=actor, alert=alert, measures=measures, note=payload.note)
    return _alert_out(actor, alert)


@router.post("/alerts/{code}/dismiss", response={200: AlertOut, **WRITE_ERRORS})
def alert_dismiss_op(request: HttpRequest, code: str, payload: AlertDismissIn) -> dict[str, Any]:
    actor = api_actor(request)
    alert = alert_get(actor=actor, code=code)
    alert_dismiss(actor=actor, alert=alert, reason_code=str(payload.reason_code))
    return _alert_out(actor, alert)


@router.get("/events/calendar", response={200: list[CalendarEntryOut], **LIST_ERRORS})
def events_calendar_index(
    request: HttpRequest, params: Query[CalendarParams]
) -> list[dict[str, Any]]:
    """Events whose exposure window [start − lead, end + tail] meets the period (by default
    the last 3 months and the next 12)."""
    reject_unknown_params(request, CalendarParams)
    actor = api_actor(request)
    default_start, default_end = calendar_range(timezone.localdate())
    start, end = params.start or default_start, params.end or default_end
    if end < start:
        raise invalid("end", "The end comes before the start.")
    shown = sees_identities(actor)
    return [
        {
            "event": entry.event.external_id,
            "kind": entry.event.kind,
            "title": entry.event.title if shown else None,
            "country": entry.event.country,
            "subdivision": entry.event.subdivision,
            "categories": [str(c) for c in entry.event.categories or []],
            "start": entry.event.start,
            "end": entry.event.end,
            "window_start": entry.window_start,
            "window_end": entry.window_end,
        }
        for entry in events_calendar(actor=actor, start=start, end=end)
    ]
