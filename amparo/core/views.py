"""Views that belong to no domain: home (a small dashboard), health check, CSRF failure."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from amparo.core.access import CASE_CONTENT_ROLES, staff_required
from amparo.core.crypto import CryptoError
from amparo.core.keys import get_keyring
from amparo.core.keystore import data_key_open
from amparo.core.models import DataKey
from amparo.core.places import place_label
from amparo.core.policy import has_role


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and the keys open; 503 otherwise, naming which."""
    status = {"database": "ok", "keys": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        status["database"] = "unavailable"
    if status["database"] == "ok":
        try:
            get_keyring().require_current()
            # Opening a stored data key proves the loaded KEK is the one that wrapped them.
            index = DataKey.objects.filter(purpose=DataKey.Purpose.INDEX).first()
            if index is not None:
                data_key_open(index)
        except CryptoError:
            status["keys"] = "unavailable"
        except DatabaseError:
            status["database"] = "not initialised"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **status}, status=200 if healthy else 503
    )


def _dashboard(actor: Any) -> dict[str, Any]:
    """Counts of what the actor may see (the selectors filter by policy; no decryption)."""
    from amparo.core.vocab import DefenderStatus, Violation
    from amparo.incidents.selectors import IncidentFilters, incident_list
    from amparo.registry.selectors import defender_list

    by_status = dict(
        defender_list(actor=actor).order_by().values_list("status").annotate(n=Count("pk"))
    )
    since = timezone.localdate() - datetime.timedelta(days=30)
    recent = incident_list(actor=actor, filters=IncidentFilters(date_from=since))
    by_violation = dict(
        recent.order_by().values_list("violation_rows__code").annotate(n=Count("pk", distinct=True))
    )
    return {
        "defenders_by_status": [
            (code, label, by_status.get(code, 0)) for code, label in DefenderStatus.choices
        ],
        "defenders_total": sum(by_status.values()),
        "incidents_by_violation": sorted(
            ((code, Violation(code).label, n) for code, n in by_violation.items() if code),
            key=lambda row: -row[2],
        ),
        "incidents_by_place": [
            (country, subdivision, place_label(country, subdivision), n)
            for country, subdivision, n in recent.order_by()
            .values_list("country", "subdivision")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n", "country", "subdivision")[:10]
        ],
        "incidents_total": recent.count(),
        "since": since,
    }


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    from amparo.registry.policies import may_register_defender

    context: dict[str, Any] = {"nav": "home", "may_register": may_register_defender(request.user)}
    if has_role(request.user, *CASE_CONTENT_ROLES):
        context.update(_dashboard(request.user))
    return render(request, "home.html", context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)
