"""Communications pages: the list, a communication and its letter (HTML and PDF), drafting,
approval, replies, response rates and country visits. Thin: a form validates, one service or
selector acts, a template renders. Whoever may not use these pages gets 404, as if they did not
exist."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.communications.forms import (
    ApproveForm,
    CommunicationFilterForm,
    CommunicationForm,
    PublishForm,
    ReplyForm,
    VisitForm,
)
from amparo.communications.models import Communication, CommunicationStatus, ReplyDocument
from amparo.communications.policies import (
    is_second_person,
    may_approve,
    may_draft,
    may_edit,
    may_follow,
    may_open_pages,
    may_see_aggregates,
    may_see_list,
    may_see_visits,
    may_write_visits,
    sees_letter,
)
from amparo.communications.presenters import present_communication, present_replies
from amparo.communications.selectors import (
    RATE_GROUPS,
    communication_get,
    communication_list,
    document_get,
    linked_summaries,
    outstanding_visits,
    replies_of,
    response_rates,
    visit_get,
    visit_list,
    years_text,
)
from amparo.communications.services import (
    communication_approve_send,
    communication_draft,
    communication_publish,
    communication_return,
    communication_submit,
    communication_update,
    communication_withdraw,
    consent_missing,
    reply_document_add,
    reply_document_read,
    reply_record,
    visit_delete,
    visit_save,
)
from amparo.core.access import View, staff_required
from amparo.core.crypto import CryptoError
from amparo.core.downloads import download_query, table_download, wanted_download
from amparo.core.forms import add_service_errors
from amparo.core.pdf import PdfUnavailable, html_to_pdf
from amparo.core.places import country_name
from amparo.core.policy import not_found

NAV = "communications"
_SAFE_FILENAME = re.compile(r"^[\w.\- ]{1,120}$")


def comms_pages(view: View) -> View:
    """Signed-in staff whose role uses communications; everyone else: 404."""

    @staff_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not may_open_pages(request.user):
            raise not_found()
        return view(request, *args, **kwargs)

    return wrapper


def _row(communication: Any) -> dict[str, Any]:
    """A list row: codes and plain columns only, nothing decrypted."""
    return {
        "id": communication.pk,
        "reference": communication.reference,
        "external_id": communication.external_id,
        "kind": communication.kind,
        "state": communication.state,
        "state_name": country_name(communication.state),
        "status": communication.status,
        "status_label": communication.get_status_display(),
        "sent_on": communication.sent_on,
        "follow_up_on": communication.follow_up_on,
        "replied": communication.replied,
        "overdue": bool(communication.overdue),
    }


@comms_pages
@require_GET
def communication_list_view(request: HttpRequest) -> HttpResponseBase:
    actor = request.user
    if not may_see_list(actor):
        return redirect("communications:response_rates")
    filter_form = CommunicationFilterForm(request.GET)
    fmt = wanted_download(request)
    if fmt:
        columns = ["reference", "kind", "state", "status", "sent_on", "follow_up_on", "replied"]
        letters = communication_list(actor=actor, filters=filter_form.to_filters())
        rows = (
            [row[name] for name in columns] + [row["overdue"]]
            for row in (_row(c) for c in letters.iterator(chunk_size=500))
        )
        return table_download(
            request, name="communications", header=[*columns, "overdue"], rows=rows, fmt=fmt
        )
    paginator = Paginator(
        communication_list(actor=actor, filters=filter_form.to_filters()),
        settings.AMPARO_PAGE_SIZE,
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "rows": [_row(c) for c in page_obj.object_list],
        "page_obj": page_obj,
        "filter_form": filter_form,
        "filtered": any(request.GET.get(name) for name in filter_form.fields),
        "may_draft": may_draft(actor),
        "download_query": download_query(request),
        "nav": NAV,
    }
    return render(request, "communications/communication_list.html", context)


def _detail_context(request: HttpRequest, communication: Communication) -> dict[str, Any]:
    actor = request.user
    view = present_communication(actor, communication, via="page")
    summaries = linked_summaries(actor, communication)
    replies = present_replies(actor, communication, list(replies_of(communication)), via="page")
    drafting = communication.status in {
        CommunicationStatus.DRAFT,
        CommunicationStatus.AWAITING_APPROVAL,
    }
    return {
        "c": view,
        "state_name": country_name(communication.state),
        "summaries": summaries,
        "replies": replies,
        "missing_consent": consent_missing(communication)
        if drafting and sees_letter(actor, communication)
        else [],
        "may_edit": may_edit(actor, communication)
        and communication.status == CommunicationStatus.DRAFT,
        "may_withdraw": may_edit(actor, communication),
        "may_approve": may_approve(actor, communication),
        "awaiting_own": communication.status == CommunicationStatus.AWAITING_APPROVAL
        and sees_letter(actor, communication)
        and not is_second_person(actor, communication),
        "may_follow": may_follow(actor, communication),
        "overdue": communication.status == CommunicationStatus.SENT
        and communication.follow_up_on is not None
        and communication.follow_up_on < timezone.localdate()
        and not replies,
        "approve_form": ApproveForm(),
        "publish_form": PublishForm(),
        "nav": NAV,
    }


@comms_pages
@require_GET
def communication_detail_view(request: HttpRequest, pk: Any) -> HttpResponse:
    communication = communication_get(actor=request.user, pk=pk)
    return render(
        request, "communications/communication_detail.html", _detail_context(request, communication)
    )


@comms_pages
@require_http_methods(["GET", "POST"])
def communication_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not may_draft(actor):
        raise not_found()
    form = CommunicationForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            communication = communication_draft(actor=actor, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft was saved: check what it discloses."))
            return redirect("communications:communication_detail", pk=communication.pk)
    context = {"form": form, "nav": NAV}
    return render(request, "communications/communication_form.html", context)


@comms_pages
@require_http_methods(["GET", "POST"])
def communication_edit_view(request: HttpRequest, pk: Any) -> HttpResponse:
    actor = request.user
    communication = communication_get(actor=actor, pk=pk)
    if not may_edit(actor, communication) or communication.status != CommunicationStatus.DRAFT:
        raise PermissionDenied
    if request.method == "POST":
        form = CommunicationForm(request.POST, actor=actor, editing=True)
        if form.is_valid():
            try:
                changed = communication_update(
                    actor=actor,
                    communication=communication,
                    data=form.to_data(),
                    body=form.cleaned_data["body"],
                    regenerate=form.cleaned_data["regenerate"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if changed:
                    messages.success(request, _("The draft was saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("communications:communication_detail", pk=communication.pk)
    else:
        view = present_communication(actor, communication, via="edit")
        form = CommunicationForm(
            actor=actor,
            editing=True,
            initial=CommunicationForm.initial_from(communication, view.summary, view.body),
        )
    context = {"form": form, "editing": True, "c": communication, "nav": NAV}
    return render(request, "communications/communication_form.html", context)


def _step(request: HttpRequest, pk: Any, act: Any, done: str) -> HttpResponse:
    communication = communication_get(actor=request.user, pk=pk)
    try:
        act(communication)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("communications:communication_detail", pk=communication.pk)


@comms_pages
@require_POST
def communication_submit_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda c: communication_submit(actor=request.user, communication=c),
        _("The letter awaits approval by a second person."),
    )


@comms_pages
@require_POST
def communication_withdraw_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda c: communication_withdraw(actor=request.user, communication=c),
        _("The letter was withdrawn."),
    )


@comms_pages
@require_POST
def communication_return_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda c: communication_return(actor=request.user, communication=c),
        _("The letter went back to its drafter."),
    )


@comms_pages
@require_http_methods(["GET", "POST"])
def communication_approve_view(request: HttpRequest, pk: Any) -> HttpResponse:
    """The approval page: the letter, what it discloses, the consent check; approve and send."""
    actor = request.user
    communication = communication_get(actor=actor, pk=pk)
    if not sees_letter(actor, communication):
        raise PermissionDenied
    form = ApproveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            communication_approve_send(
                actor=actor, communication=communication, sent_on=form.cleaned_data["sent_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Sent with reference %(ref)s.") % {"ref": communication.reference}
            )
            return redirect("communications:communication_detail", pk=communication.pk)
    context = _detail_context(request, communication)
    context["approve_form"] = form
    return render(request, "communications/communication_approve.html", context)


@comms_pages
@require_POST
def communication_publish_view(request: HttpRequest, pk: Any) -> HttpResponse:
    actor = request.user
    communication = communication_get(actor=actor, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day of publication."))
        return redirect("communications:communication_detail", pk=communication.pk)
    return _step(
        request,
        pk,
        lambda c: communication_publish(
            actor=actor, communication=c, published_on=form.cleaned_data["published_on"]
        ),
        _("The publication date was recorded."),
    )


def _letter_context(request: HttpRequest, communication: Communication) -> dict[str, Any]:
    actor = request.user
    if not sees_letter(actor, communication):
        raise PermissionDenied
    view = present_communication(actor, communication, via="letter")
    if not view.letter_shown:
        raise PermissionDenied
    return {"c": view, "state_name": country_name(communication.state)}


@comms_pages
@require_GET
def letter_view(request: HttpRequest, pk: Any) -> HttpResponse:
    communication = communication_get(actor=request.user, pk=pk)
    context = _letter_context(request, communication)
    return render(request, "communications/letter.html", context)


def _letter_css() -> str:
    found = finders.find("communications/letter.css")
    return Path(str(found)).read_text(encoding="utf-8") if found else ""


@comms_pages
@require_GET
def letter_pdf_view(request: HttpRequest, pk: Any) -> HttpResponse:
    communication = communication_get(actor=request.user, pk=pk)
    context = _letter_context(request, communication)
    context["css"] = _letter_css()
    html = render_to_string("communications/letter_pdf.html", context, request=request)
    try:
        pdf = html_to_pdf(html)
    except PdfUnavailable:
        return render(request, "communications/pdf_unavailable.html", {"nav": NAV}, status=503)
    name = (
        (communication.reference or communication.external_id).replace(" ", "-").replace("/", "-")
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{name}.pdf"'
    return response


@comms_pages
@require_http_methods(["GET", "POST"])
def reply_create_view(request: HttpRequest, pk: Any) -> HttpResponse:
    actor = request.user
    communication = communication_get(actor=actor, pk=pk)
    if not may_follow(actor, communication):
        raise PermissionDenied
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            reply = reply_record(actor=actor, communication=communication, data=form.to_data())
            upload = form.cleaned_data.get("document")
            if upload is not None:
                reply_document_add(
                    actor=actor,
                    reply=reply,
                    upload=upload,
                    filename=upload.name or "",
                    content_type=upload.content_type or "",
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The reply was recorded."))
            return redirect("communications:communication_detail", pk=communication.pk)
    context = {"form": form, "c": communication, "nav": NAV}
    return render(request, "communications/reply_form.html", context)


def _download_name(document: ReplyDocument) -> str:
    try:
        name = document.filename or ""
    except CryptoError:
        name = ""
    return name if _SAFE_FILENAME.match(name) else f"reply-{document.pk}.bin"


@comms_pages
@require_GET
def document_download_view(request: HttpRequest, pk: Any) -> HttpResponse:
    actor = request.user
    document = document_get(actor=actor, pk=pk)
    if not sees_letter(actor, document.reply.communication):
        raise PermissionDenied
    try:
        content = reply_document_read(actor=actor, document=document)
    except CryptoError:
        return render(request, "errors/410.html", status=410)
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(document)}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@comms_pages
@require_GET
def response_rates_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not may_see_aggregates(actor):
        raise not_found()
    tables = [(group, response_rates(actor=actor, group_by=group)) for group in RATE_GROUPS]
    labels = {"state": _("By State"), "kind": _("By kind"), "year": _("By year of sending")}
    context = {
        "tables": [(labels[group], group, rows) for group, rows in tables],
        "nav": NAV,
    }
    return render(request, "communications/response_rates.html", context)


# Country visits ----------------------------------------------------------------------------


def _visit_rows(visits: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": v.pk,
            "state": v.state,
            "state_name": country_name(v.state),
            "status": v.status,
            "status_label": v.get_status_display(),
            "years": years_text(v.years_requested) if v.years_requested else "",
            "first_requested_on": v.first_requested_on,
            "starts_on": v.starts_on,
            "ends_on": v.ends_on,
        }
        for v in visits
    ]


@comms_pages
@require_GET
def visit_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not may_see_visits(actor):
        raise not_found()
    state = (request.GET.get("state") or "").upper()[:2]
    context = {
        "rows": _visit_rows(visit_list(actor=actor, state=state)),
        "may_write": may_write_visits(actor),
        "outstanding": False,
        "nav": NAV,
    }
    return render(request, "communications/visit_list.html", context)


@comms_pages
@require_GET
def visit_outstanding_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not may_see_visits(actor):
        raise not_found()
    context = {
        "rows": _visit_rows(outstanding_visits(actor=actor)),
        "may_write": may_write_visits(actor),
        "outstanding": True,
        "nav": NAV,
    }
    return render(request, "communications/visit_list.html", context)


@comms_pages
@require_http_methods(["GET", "POST"])
def visit_form_view(request: HttpRequest, pk: Any = None) -> HttpResponse:
    actor = request.user
    if not may_see_visits(actor):
        raise not_found()
    visit = visit_get(actor=actor, pk=pk) if pk is not None else None
    if not may_write_visits(actor):
        raise PermissionDenied
    initial = VisitForm.initial_from(visit) if visit is not None else {}
    form = VisitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit_save(actor=actor, data=form.to_data(), visit=visit)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The visit request was saved."))
            return redirect("communications:visit_list")
    context = {"form": form, "visit": visit, "nav": NAV}
    return render(request, "communications/visit_form.html", context)


@comms_pages
@require_POST
def visit_delete_view(request: HttpRequest, pk: Any) -> HttpResponse:
    actor = request.user
    if not may_see_visits(actor):
        raise not_found()
    visit = visit_get(actor=actor, pk=pk)
    visit_delete(actor=actor, visit=visit)
    messages.success(request, _("The visit request was deleted."))
    return redirect("communications:visit_list")
