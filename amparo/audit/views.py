"""The auditor's pages: list and filter the audit log, verify the hash chain."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from amparo.audit.forms import AuditFilterForm
from amparo.audit.models import AuditEvent
from amparo.audit.selectors import (
    audit_actor_id,
    audit_event_list,
    audit_subject_id,
    audit_verify,
)
from amparo.core.access import AUDIT_ROLES, roles_required
from amparo.core.downloads import download_query, table_download, wanted_download

audit_pages = roles_required(*AUDIT_ROLES)


def _events(form: AuditFilterForm) -> QuerySet[AuditEvent]:
    if not form.is_valid():
        return AuditEvent.objects.none()
    data = form.cleaned_data
    criteria: dict[str, Any] = {
        "object_type": data["object_type"],
        "action": data["action"],
        **form.date_bounds(),
    }
    if data["subject"]:
        found = audit_subject_id(data["subject"])
        if found is not None:
            criteria["object_type"], criteria["object_id"] = found
        else:
            criteria["object_id"] = data["subject"]
    if data["actor"]:
        actor_id = audit_actor_id(data["actor"])
        if actor_id is None:
            return AuditEvent.objects.none()
        criteria["actor_id"] = actor_id
    return audit_event_list(**criteria)


@audit_pages
@require_GET
def event_list_view(request: HttpRequest) -> HttpResponseBase:
    form = AuditFilterForm(request.GET)
    fmt = wanted_download(request)
    if fmt:
        header = ["seq", "occurred_at", "actor", "role", "action", "object_type", "object_id"]
        header += ["fields", "detail", "hash"]
        rows = (
            [
                e.seq,
                e.occurred_at,
                e.actor_label,
                e.actor_role,
                e.action,
                e.object_type,
                e.object_id,
                e.fields,
                e.detail,
                e.hash,
            ]
            for e in _events(form).iterator(chunk_size=1000)
        )
        return table_download(request, name="audit-events", header=header, rows=rows, fmt=fmt)
    paginator = Paginator(_events(form), settings.AMPARO_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page_obj,
        "events": page_obj.object_list,
        "filtered": any(request.GET.get(name) for name in form.fields),
        "download_query": download_query(request),
        "nav": "audit",
    }
    return render(request, "audit/event_list.html", context)


@audit_pages
@require_GET
def verify_view(request: HttpRequest) -> HttpResponse:
    return render(request, "audit/verify.html", {"result": audit_verify(), "nav": "verify"})
