"""Alert pages: the inbox, one alert and its actions, the calendar of events, the regional
spike status and the configuration. Thin: a form validates, one service or selector acts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.accounts.models import Role
from amparo.core.access import CASE_CONTENT_ROLES, roles_required
from amparo.core.downloads import download_query, table_download, wanted_download
from amparo.core.forms import add_service_errors
from amparo.core.policy import deny, has_role, sees_identities
from amparo.earlywarning.config import config_current, config_save, may_change_config
from amparo.earlywarning.evidence import alert_evidence
from amparo.earlywarning.forms import ActForm, AlertFilterForm, ConfigForm, DismissForm
from amparo.earlywarning.lifecycle import (
    alert_acknowledge,
    alert_act,
    alert_allowed_transitions,
    alert_dismiss,
)
from amparo.earlywarning.models import Alert
from amparo.earlywarning.policies import may_work_alert
from amparo.earlywarning.presenters import alert_row
from amparo.earlywarning.selectors import (
    alert_config_versions,
    alert_covered_defenders,
    alert_get,
    alert_list,
    alert_measure_choices,
    events_calendar,
    regional_countries,
    regional_status,
)
from amparo.earlywarning.tilemap import legend, regional_maps
from amparo.measures.models import MeasureKind

alert_pages = roles_required(*CASE_CONTENT_ROLES)


@alert_pages
@require_GET
def alert_list_view(request: HttpRequest) -> HttpResponseBase:
    actor = request.user
    filter_form = AlertFilterForm(request.GET)
    now = timezone.now()
    alerts = alert_list(actor=actor, now=now, **filter_form.to_filters())
    fmt = wanted_download(request)
    if fmt:
        columns = ["code", "kind", "level", "status", "raised_on", "expires_on", "sla_due_at"]
        rows = (
            [row[name] for name in columns] + [row["place"], row["overdue"]]
            for row in (alert_row(a, now) for a in alerts.iterator(chunk_size=500))
        )
        return table_download(
            request, name="alerts", header=[*columns, "place", "overdue"], rows=rows, fmt=fmt
        )
    page_obj = Paginator(alerts, settings.AMPARO_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "rows": [alert_row(alert, now) for alert in page_obj.object_list],
        "page_obj": page_obj,
        "filter_form": filter_form,
        "filtered": any(request.GET.get(name) for name in filter_form.fields),
        "download_query": download_query(request),
        "nav": "alerts",
    }
    return render(request, "earlywarning/alert_list.html", context)


def _measure_label(code: str) -> str:
    return str(MeasureKind(code).label) if code in MeasureKind.values else code


@alert_pages
@require_GET
def alert_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    alert = alert_get(actor=actor, code=code)
    allowed = alert_allowed_transitions(actor=actor, alert=alert)
    measures = alert_measure_choices(actor=actor, alert=alert)
    context = {
        "alert": alert,
        "row": alert_row(alert),
        "evidence": alert_evidence(actor=actor, alert=alert),
        "covered": list(alert_covered_defenders(actor=actor, alert=alert)),
        "links": sees_identities(actor),
        "recommended": [(c, _measure_label(c)) for c in alert.recommended_measures or []],
        "linked_measures": list(alert.measures.filter(pk__in=measures.values("pk"))),
        "may_acknowledge": Alert.Status.ACKNOWLEDGED in allowed,
        "may_act": Alert.Status.ACTED in allowed,
        "may_dismiss": Alert.Status.DISMISSED in allowed,
        "act_form": ActForm(measures=measures),
        "dismiss_form": DismissForm(),
        "nav": "alerts",
    }
    return render(request, "earlywarning/alert_detail.html", context)


def _perform(request: HttpRequest, code: str, action: Callable[[Alert], str]) -> HttpResponse:
    """Run one lifecycle action; a final alert answers with a message, not 403."""
    alert = alert_get(actor=request.user, code=code)
    if not may_work_alert(request.user, alert):
        raise deny()
    try:
        messages.success(request, action(alert))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("earlywarning:alert_detail", code=alert.code)


@alert_pages
@require_POST
def alert_acknowledge_view(request: HttpRequest, code: str) -> HttpResponse:
    def action(alert: Alert) -> str:
        alert_acknowledge(actor=request.user, alert=alert)
        return _("Alert acknowledged.")

    return _perform(request, code, action)


@alert_pages
@require_POST
def alert_act_view(request: HttpRequest, code: str) -> HttpResponse:
    def action(alert: Alert) -> str:
        form = ActForm(
            request.POST, measures=alert_measure_choices(actor=request.user, alert=alert)
        )
        if not form.is_valid():
            raise ValidationError(_("Choose the measures taken for this alert."))
        alert_act(
            actor=request.user,
            alert=alert,
            measures=list(form.cleaned_data["measures"]),
            note=form.cleaned_data["note"],
        )
        return _("Alert marked as acted on.")

    return _perform(request, code, action)


@alert_pages
@require_POST
def alert_dismiss_view(request: HttpRequest, code: str) -> HttpResponse:
    def action(alert: Alert) -> str:
        form = DismissForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a reason for dismissing the alert."))
        alert_dismiss(actor=request.user, alert=alert, reason_code=form.cleaned_data["reason_code"])
        return _("Alert dismissed.")

    return _perform(request, code, action)


def calendar_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 3 months and the next 12."""
    return today - datetime.timedelta(days=92), today + datetime.timedelta(days=366)


@alert_pages
@require_GET
def calendar_view(request: HttpRequest) -> HttpResponse:
    start, end = calendar_range(timezone.localdate())
    entries = events_calendar(actor=request.user, start=start, end=end)
    months: list[dict[str, Any]] = [
        {"month": month, "entries": list(group)}
        for month, group in groupby(entries, key=lambda e: e.event.start.replace(day=1))
    ]
    context = {"months": months, "start": start, "end": end, "nav": "alerts"}
    return render(request, "earlywarning/calendar.html", context)


@alert_pages
@require_GET
def regional_view(request: HttpRequest) -> HttpResponse:
    rows = regional_status(actor=request.user)
    countries = regional_countries(actor=request.user, rows=rows)
    context = {
        "rows": rows,
        "maps": regional_maps(rows, countries),
        "legend": legend(),
        "nav": "alerts",
    }
    return render(request, "earlywarning/regional.html", context)


@alert_pages
@require_http_methods(["GET", "POST"])
def config_view(request: HttpRequest) -> HttpResponse:
    """The configuration in force and its versions; coordinators save a new version."""
    actor = request.user
    versions = list(alert_config_versions()[:50])
    current = config_current()
    editable = has_role(actor, Role.COORDINATOR) and may_change_config(actor)
    form = ConfigForm(request.POST or None, current=current) if editable else None
    if request.method == "POST":
        if form is None:
            raise deny()
        if form.is_valid():
            overrides = versions[0].values if versions else {}
            try:
                row = config_save(
                    actor=actor, values=form.to_values(overrides), note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Configuration version %(v)d saved.") % {"v": row.version}
                )
                return redirect("earlywarning:config")
    shown = set(form.fields) if form else set()
    context = {
        "current": current,
        "values": [
            (name, value) for name, value in sorted(current.values().items()) if name not in shown
        ],
        "versions": versions,
        "form": form,
        "nav": "alerts",
    }
    return render(request, "earlywarning/config.html", context)
