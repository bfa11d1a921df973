"""The annual report page (/reports/annual/?from=…&to=…) and its PDF, JSON and companion."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from amparo.core.access import roles_required
from amparo.core.forms import add_service_errors
from amparo.interchange.formats.hxl import export_hxl
from amparo.reports.document import build_document
from amparo.reports.figures import annual_report
from amparo.reports.forms import PeriodForm, default_period
from amparo.reports.policies import REPORT_ROLES
from amparo.reports.services import check_period, companion_produce, report_produce

DOWNLOADS = {
    "pdf": ("application/pdf", "annual-report-{start}-{end}.pdf"),
    "json": ("application/json", "annual-report-{start}-{end}.json"),
    "companion": ("application/pdf", "communications-{start}-{end}.pdf"),
}


@roles_required(*REPORT_ROLES)
@require_GET
def annual_report_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if "from" in request.GET or "to" in request.GET:
        form = PeriodForm(request.GET)
    else:
        start, end = default_period()
        form = PeriodForm({"from": start.isoformat(), "to": end.isoformat()})
    context = {"form": form, "nav": "reports", "document": None}
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        try:
            check_period(start, end)
        except ValidationError as error:
            add_service_errors(form, error, {"to": "end"})
        else:
            fmt = request.GET.get("format", "")
            if fmt in DOWNLOADS:
                return _download(request, fmt, start, end)
            report = annual_report(actor=actor, start=start, end=end)
            query = urlencode({"from": start.isoformat(), "to": end.isoformat()})
            context.update(
                document=build_document(report),
                period=report["period"],
                query=query,
                scope_note=_(
                    "Figures over the records of your entity that you may see; counts below "
                    "%(k)s are suppressed."
                )
                % {"k": report["min_count"]},
            )
    return render(request, "reports/annual.html", context)


def _download(request: HttpRequest, fmt: str, start: object, end: object) -> HttpResponse:
    content_type, name = DOWNLOADS[fmt]
    producer = companion_produce if fmt == "companion" else report_produce
    content = producer(
        actor=request.user,
        start=start,  # type: ignore[arg-type]
        end=end,  # type: ignore[arg-type]
        fmt="pdf" if fmt == "companion" else fmt,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name.format(start=start, end=end)}"'
    return response


@roles_required(*REPORT_ROLES)
@require_GET
def incident_counts_view(request: HttpRequest) -> HttpResponse:
    """The HXL file of aggregated incident counts (docs/exports.md), for the humanitarian
    system: codes and counts only, small counts suppressed, audited as an export."""
    handle = io.StringIO()
    export_hxl(actor=request.user, handle=handle)
    response = HttpResponse(handle.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="incident-counts.hxl.csv"'
    return response
