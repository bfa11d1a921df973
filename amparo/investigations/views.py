"""The investigation section of the incident page and its update form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amparo.core.access import roles_required
from amparo.core.forms import add_service_errors
from amparo.incidents.models import Incident
from amparo.incidents.selectors import incident_get
from amparo.investigations.forms import InvestigationUpdateForm
from amparo.investigations.policies import may_record_investigation
from amparo.investigations.presenters import InvestigationView, present_investigation
from amparo.investigations.selectors import investigation_for, investigation_history
from amparo.investigations.services import investigation_record

record_pages = roles_required("coordinator", "case_officer")


def investigation_view_of(actor: Any, incident: Incident, *, via: str) -> InvestigationView | None:
    investigation = investigation_for(actor=actor, incident=incident)
    if investigation is None:
        return None
    return present_investigation(
        actor, investigation, investigation_history(investigation), via=via
    )


def section_context(actor: Any, incident: Incident) -> dict[str, Any]:
    """What the incident page's Investigation section shows (see the investigations_ui tag)."""
    view = investigation_view_of(actor, incident, via="page")
    may_record = may_record_investigation(actor, incident)
    return {
        "investigation": view,
        "incident_code": incident.code,
        "may_record": may_record,
        "form": InvestigationUpdateForm(initial=InvestigationUpdateForm.initial_from(view))
        if may_record
        else None,
    }


@record_pages
@require_http_methods(["GET", "POST"])
def investigation_update_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    incident = incident_get(actor=actor, code=code)
    if not may_record_investigation(actor, incident):
        raise PermissionDenied
    if request.method == "POST":
        form = InvestigationUpdateForm(request.POST)
        if form.is_valid():
            try:
                _investigation, changed = investigation_record(
                    actor=actor, incident=incident, change=form.to_change()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if changed:
                    messages.success(request, _("The investigation was updated."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("incidents:incident_detail", code=incident.code)
    else:
        view = investigation_view_of(actor, incident, via="form")
        form = InvestigationUpdateForm(initial=InvestigationUpdateForm.initial_from(view))
    context = {"form": form, "code": incident.code, "nav": "incidents"}
    return render(request, "investigations/update_form.html", context)
