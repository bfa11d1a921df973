"""Incident pages: list and filter, record (with evidence), read, edit, evidence download."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.core.access import CASE_CONTENT_ROLES, roles_required
from amparo.core.crypto import CryptoError
from amparo.core.downloads import download_query, table_download, wanted_download
from amparo.core.forms import add_service_errors, codes_from_text
from amparo.core.places import place_label
from amparo.core.policy import sees_identities
from amparo.core.vocab import Relation
from amparo.incidents.forms import (
    INCIDENT_ERROR_ALIASES,
    AttachmentForm,
    IncidentFilterForm,
    IncidentForm,
)
from amparo.incidents.models import Attachment, Incident
from amparo.incidents.policies import may_change_incident, may_record_incident
from amparo.incidents.presenters import present_incident, present_incidents
from amparo.incidents.selectors import (
    attachment_get,
    incident_count,
    incident_get,
    incident_list,
)
from amparo.incidents.services import (
    attachment_add,
    attachment_read,
    incident_record,
    incident_update,
)
from amparo.registry.models import Defender, Person
from amparo.registry.presenters import present_persons
from amparo.registry.selectors import defender_get, person_list
from amparo.risk.models import Procedure
from amparo.risk.procedures import procedure_open

case_pages = roles_required(*CASE_CONTENT_ROLES)
_SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class CountedPaginator(Paginator):
    """A paginator given its count: the selector counts faster than COUNT(*) over the list's
    own query (incidents.selectors.incident_count)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


@case_pages
@require_GET
def incident_list_view(request: HttpRequest) -> HttpResponseBase:
    actor = request.user
    filter_form = IncidentFilterForm(request.GET)
    fmt = wanted_download(request)
    if fmt:
        incidents = incident_list(actor=actor, filters=filter_form.to_filters())
        return table_download(
            request,
            name="incidents",
            header=INCIDENT_DOWNLOAD_COLUMNS,
            rows=_incident_download(actor, incidents),
            fmt=fmt,
        )
    filters = filter_form.to_filters()
    paginator = CountedPaginator(
        incident_list(actor=actor, filters=filters),
        settings.AMPARO_PAGE_SIZE,
        count=incident_count(actor=actor, filters=filters),
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "rows": present_incidents(
            actor, list(page_obj.object_list), via="list", with_details=False
        ),
        "page_obj": page_obj,
        "filter_form": filter_form,
        "filtered": any(request.GET.get(name) for name in filter_form.fields),
        "may_record": may_record_incident(actor, None),
        "download_query": download_query(request),
        "nav": "incidents",
    }
    return render(request, "incidents/incident_list.html", context)


INCIDENT_DOWNLOAD_COLUMNS = [
    "code",
    "case",
    "date",
    "date_precision",
    "reported_on",
    "country",
    "subdivision",
    "violations",
    "perpetrators",
    "context",
    "verification",
    "victims",
]
DOWNLOAD_CHUNK = 500


def _incident_download(actor: Any, incidents: Any) -> Iterator[list[Any]]:
    """Codes and dates only, as the list shows them; victims by the codes the actor may see."""
    last = ""
    while True:
        chunk = list(incidents.filter(code__gt=last).order_by("code")[:DOWNLOAD_CHUNK])
        if not chunk:
            return
        last = chunk[-1].code
        for i in present_incidents(actor, chunk, via="download", with_details=False):
            yield [
                i.code,
                i.case_code or "",
                i.date,
                i.date_precision,
                i.reported_on,
                i.country,
                i.subdivision,
                i.violations,
                i.perpetrators,
                i.contexts,
                i.verification,
                [v.ref for v in i.victims if v.kind == "defender"],
            ]


def _victims(actor: Any, codes: list[str]) -> tuple[list[Defender], list[str]]:
    """The visible defenders with these codes, and the codes that name none the actor sees."""
    found, missing = [], []
    for code in dict.fromkeys(codes):
        try:
            found.append(defender_get(actor=actor, code=code))
        except Http404:
            missing.append(code)
    return found, missing


def _relatives(actor: Any, defenders: list[Defender]) -> tuple[list[Person], list[tuple[str, str]]]:
    persons = [
        p for d in defenders if not d.is_shredded for p in person_list(actor=actor, defender=d)
    ]
    views = present_persons(actor, persons, via="form")
    choices = [
        (
            v.external_id,
            f"{v.name or v.external_id} ({v.defender_code}, {Relation(v.relation).label})",
        )
        for v in views
    ]
    return persons, choices


@case_pages
@require_http_methods(["GET", "POST"])
def incident_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not may_record_incident(actor, None):
        raise PermissionDenied
    typed = (
        request.POST.get("victim_defenders")
        if request.method == "POST"
        else (request.GET.get("defender", ""))
    )
    defenders, missing = _victims(actor, codes_from_text(typed or ""))
    persons, person_choices = _relatives(actor, defenders)
    initial: dict[str, Any] = {"date": timezone.localdate(), "victim_defenders": typed or ""}
    if defenders:
        initial.update(country=defenders[0].country, subdivision=defenders[0].subdivision)
    form = IncidentForm(
        request.POST or None,
        request.FILES or None,
        actor=actor,
        person_choices=person_choices,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        if missing:
            form.add_error(
                "victim_defenders",
                _("No defender you can see has the code %(codes)s.")
                % {"codes": ", ".join(missing)},
            )
        else:
            chosen = set(form.cleaned_data["victim_persons"])
            data = form.to_data(
                victim_defenders=defenders,
                victim_persons=[p for p in persons if p.external_id in chosen],
                organisations=list(form.cleaned_data["organisations"]),
            )
            try:
                incident = _record(
                    actor, data, urgent=bool(form.cleaned_data.get("imminent_danger"))
                )
            except ValidationError as error:
                add_service_errors(form, error, INCIDENT_ERROR_ALIASES)
            else:
                _attach(request, incident, form.cleaned_data.get("evidence"))
                messages.success(request, _("Recorded as %(code)s.") % {"code": incident.code})
                return redirect("incidents:incident_detail", code=incident.code)
    context = {"form": form, "nav": "incidents", "editing": False}
    return render(request, "incidents/incident_form.html", context)


def _record(actor: Any, data: Any, *, urgent: bool) -> Incident:
    """Record the incident and, for imminent danger (journey 1), open the urgent procedure for
    its first victim defender: both or neither."""
    with transaction.atomic():
        incident = incident_record(actor=actor, data=data)
        if urgent and data.victim_defenders:
            procedure_open(
                actor=actor,
                defender=data.victim_defenders[0],
                kind=Procedure.Kind.URGENT,
                reason=f"Imminent danger reported with incident {incident.code}.",
                incident=incident,
            )
    return incident


def _attach(request: HttpRequest, incident: Incident, upload: Any) -> bool:
    if upload is None:
        return False
    try:
        attachment_add(
            actor=request.user,
            incident=incident,
            upload=upload,
            filename=upload.name or "",
            content_type=upload.content_type or "",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True


def _attachment_rows(actor: Any, incident: Incident, sealed: bool) -> list[dict[str, Any]]:
    # File names can identify people: shown to those who see identities, for a visible incident.
    show_names = sees_identities(actor) and not sealed
    rows = []
    for attachment in incident.attachments.select_related("data_key").all():
        name = None
        if show_names:
            try:
                name = attachment.filename
            except CryptoError:
                name = None
        rows.append(
            {
                "id": attachment.pk,
                "name": name,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "uploaded_at": attachment.uploaded_at,
                "content_type": attachment.content_type,
                "has_shared_copy": attachment.has_shared_copy,
            }
        )
    return rows


def _detail_context(
    request: HttpRequest, incident: Incident, attachment_form: AttachmentForm | None = None
) -> dict[str, Any]:
    actor = request.user
    view = present_incident(actor, incident, via="page")
    may_change = may_change_incident(actor, incident)
    return {
        "i": view,
        "place": place_label(view.country, view.subdivision),
        "attachments": _attachment_rows(actor, incident, view.sealed),
        "may_change": may_change,
        "may_download": sees_identities(actor) and not view.sealed,
        "attachment_form": (attachment_form or AttachmentForm()) if may_change else None,
        "nav": "incidents",
    }


@case_pages
@require_GET
def incident_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    incident = incident_get(actor=request.user, code=code)
    return render(request, "incidents/incident_detail.html", _detail_context(request, incident))


@case_pages
@require_http_methods(["GET", "POST"])
def incident_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    incident = incident_get(actor=actor, code=code)
    if not may_change_incident(actor, incident):
        raise PermissionDenied
    if incident.data_key.is_shredded:
        return render(request, "errors/410.html", status=410)
    if request.method == "POST":
        form = IncidentForm(request.POST, actor=actor, editing=True)
        if form.is_valid():
            data = form.to_data(
                victim_defenders=list(incident.victim_defenders.all()),
                victim_persons=list(incident.victim_persons.all()),
                organisations=list(incident.organisations.all()),
            )
            try:
                changed = incident_update(actor=actor, incident=incident, data=data)
            except ValidationError as error:
                add_service_errors(form, error, INCIDENT_ERROR_ALIASES)
            else:
                if changed:
                    messages.success(request, _("The changes were saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("incidents:incident_detail", code=incident.code)
    else:
        view = present_incident(actor, incident, via="edit")
        form = IncidentForm(actor=actor, editing=True, initial=IncidentForm.initial_from(view))
    context = {"form": form, "code": incident.code, "nav": "incidents", "editing": True}
    return render(request, "incidents/incident_form.html", context)


@case_pages
@require_POST
def attachment_create_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    incident = incident_get(actor=actor, code=code)
    if not may_change_incident(actor, incident):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            attachment_add(
                actor=actor,
                incident=incident,
                upload=upload,
                filename=upload.name or "",
                content_type=upload.content_type or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The evidence was added."))
            return redirect("incidents:incident_detail", code=incident.code)
    return render(
        request,
        "incidents/incident_detail.html",
        _detail_context(request, incident, attachment_form=form),
    )


def _download_name(attachment: Attachment) -> str:
    try:
        name = attachment.filename or ""
    except CryptoError:
        name = ""
    return name if _SAFE_FILENAME.match(name) else f"evidence-{attachment.pk}.bin"


@case_pages
@require_GET
def attachment_download_view(request: HttpRequest, code: str, attachment_id: Any) -> HttpResponse:
    actor = request.user
    incident = incident_get(actor=actor, code=code)
    attachment = attachment_get(actor=actor, incident=incident, attachment_id=attachment_id)
    if not sees_identities(actor):
        raise PermissionDenied  # evidence is case content: pseudonymised roles never open it
    # The shared copy (no metadata) unless the original is asked for, by whoever may change
    # the incident (the service refuses the others before reading anything).
    original = request.GET.get("original") == "1"
    try:
        content = attachment_read(actor=actor, attachment=attachment, original=original)
    except CryptoError:
        return render(request, "errors/410.html", status=410)
    # Served as an opaque download whatever it claims to be, so it can never run in this origin.
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(attachment)}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
