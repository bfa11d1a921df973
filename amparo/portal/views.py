"""Portal pages: the public self-report and follow-up pages, the intake queue of the receiving
entity's staff, and the defender's own space. Thin: a form validates, one service or selector
acts, a template renders. Nothing sensitive goes into a URL, a title or a log line."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.accounts.models import Role
from amparo.coordination.models import ConsentSource
from amparo.coordination.presenters import present_consent
from amparo.coordination.selectors import consent_allows, consent_history
from amparo.coordination.services import consent_record
from amparo.core.access import acting_user, is_staff_session, roles_required
from amparo.core.crypto import CryptoError
from amparo.core.forms import add_service_errors
from amparo.core.places import is_country, place_label, subdivision_choices
from amparo.core.vocab import Category
from amparo.earlywarning.models import Event
from amparo.incidents.selectors import incident_list
from amparo.measures.presenters import feedback_of
from amparo.measures.selectors import measure_get, measure_list
from amparo.portal import throttle
from amparo.portal.forms import (
    AcceptExistingForm,
    AdditionForm,
    CheckInForm,
    DefenderConsentForm,
    DefenderFeedbackForm,
    FollowUpForm,
    RejectForm,
    SelfReportForm,
    uploads_of,
)
from amparo.portal.models import SelfReport
from amparo.portal.policies import INTAKE_ROLES, may_decide_report, own_defender
from amparo.portal.presenters import present_checkins, present_report, reporter_status
from amparo.portal.selectors import (
    checkin_list,
    checkins_due,
    report_get,
    report_queue,
    reports_of,
)
from amparo.portal.services import (
    ALLOWED_FILE_TYPES,
    checkin_answer,
    defender_feedback,
    intake_entity,
    report_accept,
    report_add,
    report_file_open,
    report_find,
    report_reject,
    report_submit,
)
from amparo.registry.forms import DEFENDER_ERROR_ALIASES, DefenderRegisterForm
from amparo.registry.models import Defender
from amparo.registry.presenters import present_defender
from amparo.registry.selectors import defender_duplicates, defender_get, person_list

intake_pages = roles_required(*INTAKE_ROLES)
own_pages = roles_required(Role.DEFENDER)

# The report a follow-up code opened, kept in the session (never in a URL) for a short while.
SESSION_REPORT, SESSION_REPORT_AT = "portal_report", "portal_report_at"
SESSION_REPORT_SECONDS = 15 * 60
FILE_ERRORS = {"files": "evidence"}


def _reporter(request: HttpRequest) -> Any:
    """Who reports: a signed-in (second-factor verified) user, or nobody."""
    return request.user if is_staff_session(request) else None


# Public pages -------------------------------------------------------------------------------


@require_GET
def subdivisions_view(request: HttpRequest) -> HttpResponse:
    """The <option>s of a country's subdivisions for the public form (public reference data)."""
    country = request.GET.get("country", "")
    options = subdivision_choices(country) if is_country(country) else []
    return render(request, "includes/subdivision_options.html", {"options": options})


@require_http_methods(["GET", "POST"])
def report_view(request: HttpRequest) -> HttpResponse:
    actor = _reporter(request)
    if own_defender(actor) is None and intake_entity() is None:
        return render(request, "portal/report_closed.html", status=503)
    form = SelfReportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "file_types": ALLOWED_FILE_TYPES}
    if request.method == "POST":
        if not throttle.allow_report(request):
            return render(request, "portal/slow_down.html", status=429)
        if form.is_valid():
            try:
                report, followup = report_submit(
                    actor=actor,
                    content=form.to_content(),
                    uploads=uploads_of(form.cleaned_data["evidence"]),
                )
            except ValidationError as error:
                add_service_errors(form, error, FILE_ERRORS)
            else:
                done = {"followup": followup, "signed_in": actor is not None, "report": report}
                return render(request, "portal/report_done.html", done)
    return render(request, "portal/report_form.html", context)


def _session_report(request: HttpRequest) -> SelfReport | None:
    report_id = request.session.get(SESSION_REPORT)
    opened_at = request.session.get(SESSION_REPORT_AT, 0)
    if not report_id or timezone.now().timestamp() - opened_at > SESSION_REPORT_SECONDS:
        _forget(request)
        return None
    return SelfReport.objects.filter(pk=report_id).first()


def _forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_REPORT, None)
    request.session.pop(SESSION_REPORT_AT, None)


def _lookup(request: HttpRequest) -> HttpResponse:
    form = FollowUpForm(request.POST)
    if not throttle.allow_lookup(request):
        return render(request, "portal/slow_down.html", status=429)
    report = report_find(form.data.get("code", "")) if form.is_valid() else None
    if report is None:
        # A wrong code and an unknown one get this same page.
        form = FollowUpForm()
        return render(request, "portal/status_lookup.html", {"form": form, "not_found": True})
    request.session.cycle_key()
    request.session[SESSION_REPORT] = str(report.pk)
    request.session[SESSION_REPORT_AT] = timezone.now().timestamp()
    return redirect("portal:status")


def _add(request: HttpRequest, report: SelfReport) -> HttpResponse:
    form = AdditionForm(request.POST, request.FILES or None)
    if not throttle.allow_report(request):
        return render(request, "portal/slow_down.html", status=429)
    if form.is_valid():
        try:
            report_add(
                actor=_reporter(request),
                report=report,
                text=form.cleaned_data["text"],
                uploads=uploads_of(form.cleaned_data["evidence"]),
            )
        except ValidationError as error:
            add_service_errors(form, error, FILE_ERRORS)
        else:
            messages.success(request, _("Thank you. What you added was received."))
            return redirect("portal:status")
    context = {"status": reporter_status(report), "form": form}
    return render(request, "portal/status.html", context)


@require_http_methods(["GET", "POST"])
def status_view(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "lookup":
        return _lookup(request)
    if action == "forget":
        _forget(request)
        return redirect("portal:status")
    report = _session_report(request)
    if report is None:
        return render(request, "portal/status_lookup.html", {"form": FollowUpForm()})
    if action == "add":
        return _add(request, report)
    context = {"status": reporter_status(report), "form": AdditionForm()}
    return render(request, "portal/status.html", context)


# The intake queue -------------------------------------------------------------------------


@intake_pages
@require_GET
def queue_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    status = request.GET.get("status", SelfReport.Status.RECEIVED)
    if status not in SelfReport.Status.values:
        status = SelfReport.Status.RECEIVED
    reports = list(report_queue(actor=actor, status=status)[:200])
    context = {
        "reports": reports,
        "status": status,
        "statuses": SelfReport.Status.choices,
        "nav": "intake",
    }
    return render(request, "portal/queue.html", context)


def _contacts_of(contact: str) -> dict[str, str]:
    """A contact the reporter gave, for the duplicate check when it is an e-mail or a number."""
    if "@" in contact:
        return {"email": contact}
    digits = sum(ch.isdigit() for ch in contact)
    return {"phone": contact} if digits >= 7 else {}


def _detail(request: HttpRequest, report: SelfReport, **forms: Any) -> HttpResponse:
    actor = request.user
    view = present_report(actor, report, via="page")
    decidable = may_decide_report(actor, report)
    duplicates: list[Defender] = []
    content = view.content
    if decidable and content is not None and report.defender is None:
        duplicates = defender_duplicates(
            actor=actor, name=content.person_name, contacts=_contacts_of(content.contact)
        )
    initial_new = (
        {
            "name": content.person_name,
            "country": content.country,
            "subdivision": content.subdivision,
            "locality": content.place_detail,
        }
        if content
        else {}
    )
    existing_initial = {"defender": report.defender.code} if report.defender else {}
    context = {
        "view": view,
        "report": report,
        "decidable": decidable,
        "duplicates": duplicates,
        "existing_form": forms.get("existing") or AcceptExistingForm(initial=existing_initial),
        "new_form": forms.get("new")
        or DefenderRegisterForm(actor=actor, prefix="new", initial=initial_new),
        "reject_form": forms.get("reject") or RejectForm(),
        "nav": "intake",
    }
    return render(request, "portal/report_detail.html", context)


@intake_pages
@require_GET
def report_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, report_get(actor=request.user, code=code))


def _decidable(request: HttpRequest, code: str) -> SelfReport:
    report = report_get(actor=request.user, code=code)
    if not may_decide_report(request.user, report):
        raise PermissionDenied(_("This report was already decided."))
    return report


@intake_pages
@require_POST
def accept_existing_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    report = _decidable(request, code)
    form = AcceptExistingForm(request.POST)
    if form.is_valid():
        try:
            defender = defender_get(actor=actor, code=form.cleaned_data["defender"].strip())
            incident = report_accept(
                actor=actor, report=report, defender=defender, reply=form.cleaned_data["reply"]
            )
        except PermissionDenied:
            form.add_error("defender", _("You do not work this defender's case."))
        except ValidationError as error:
            add_service_errors(form, error)
        except Http404:
            form.add_error("defender", _("No defender you can see has this code."))
        else:
            messages.success(request, _("Accepted as incident %(code)s.") % {"code": incident.code})
            return redirect("portal:report_detail", code=report.code)
    return _detail(request, report, existing=form)


@intake_pages
@require_POST
def accept_new_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    report = _decidable(request, code)
    form = DefenderRegisterForm(request.POST, actor=actor, prefix="new")
    if form.is_valid():
        data = form.to_data()
        duplicates = (
            []
            if form.cleaned_data["register_anyway"]
            else defender_duplicates(
                actor=actor, name=data.name, alias=data.alias, contacts=data.contacts
            )
        )
        if duplicates:
            form.add_error(
                "register_anyway",
                _("Possible duplicates: %(codes)s. Tick the box if this is another person.")
                % {"codes": ", ".join(d.code for d in duplicates)},
            )
        else:
            try:
                incident = report_accept(actor=actor, report=report, new_defender=data)
            except ValidationError as error:
                add_service_errors(form, error, DEFENDER_ERROR_ALIASES)
            else:
                messages.success(
                    request, _("Accepted as incident %(code)s.") % {"code": incident.code}
                )
                return redirect("portal:report_detail", code=report.code)
    return _detail(request, report, new=form)


@intake_pages
@require_POST
def reject_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    report = _decidable(request, code)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            report_reject(actor=actor, report=report, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The report was rejected; the reporter sees why."))
            return redirect("portal:queue")
    return _detail(request, report, reject=form)


@intake_pages
@require_GET
def report_file_view(request: HttpRequest, code: str, file_id: str) -> HttpResponse:
    actor = request.user
    report = report_get(actor=actor, code=code)
    report_file = report.files.filter(pk=file_id).first() if _is_uuid(file_id) else None
    if report_file is None or report_file.attachment_id is not None:
        raise Http404("Not found.")
    try:
        content = report_file_open(actor=actor, report_file=report_file)
    except (CryptoError, OSError):
        return render(request, "errors/410.html", status=410)
    # Served as an opaque download whatever it claims to be, so it can never run in this origin.
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="report-file-{report_file.pk}.bin"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@intake_pages
@require_GET
def checkin_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    rows = present_checkins(actor, list(checkin_list(actor=actor)[:100]), via="list")
    return render(request, "portal/checkin_list.html", {"rows": rows, "nav": "intake"})


# The defender's own space -------------------------------------------------------------------


def _own(request: HttpRequest) -> Defender:
    defender = own_defender(acting_user(request))
    if defender is None:
        raise PermissionDenied(_("No defender record is linked to your account."))
    return defender


@own_pages
@require_GET
def space_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    defender = _own(request)
    today = timezone.localdate()
    measures = list(measure_list(actor=actor).select_related("provider"))
    context = {
        "me": present_defender(actor, defender, via="portal"),
        "relatives": list(person_list(actor=actor, defender=defender)),
        "place": place_label(defender.country, defender.subdivision),
        "categories": [str(Category(code).label) for code in defender.category_codes],
        "incidents": [
            (incident, place_label(incident.country, incident.subdivision))
            for incident in incident_list(actor=actor)[:100]
        ],
        "reports": [(r, reporter_status(r)) for r in reports_of(defender)[:50]],
        "measures": [
            (m, feedback_of(actor, m, via="portal"), DefenderFeedbackForm(prefix=m.code))
            for m in measures
        ],
        "consent_rows": present_consent(
            actor, defender, list(consent_history(defender)), via="portal"
        ),
        "consent_now": {
            "register": consent_allows(defender, "register"),
            "share_with_state": consent_allows(defender, "share_with_state"),
        },
        "consent_form": DefenderConsentForm(),
        "checkins": checkins_due(defender, today),
        "checkin_form": CheckInForm(),
        "nav": "space",
    }
    return render(request, "portal/space.html", context)


@own_pages
@require_POST
def feedback_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    _own(request)
    measure = measure_get(actor=actor, code=code)
    form = DefenderFeedbackForm(request.POST, prefix=measure.code)
    if form.is_valid():
        try:
            defender_feedback(actor=actor, measure=measure, data=form.to_data())
        except ValidationError:
            messages.error(request, _("Your feedback could not be recorded: check the answers."))
        else:
            messages.success(request, _("Thank you: your case team will see your feedback."))
    else:
        messages.error(request, _("Your feedback could not be recorded: check the answers."))
    return redirect("portal:space")


@own_pages
@require_POST
def consent_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    defender = _own(request)
    form = DefenderConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            consent_record(
                actor=actor,
                defender=defender,
                purpose=data["purpose"],
                granted=data["granted"],
                entity=data["entity"],
                source=ConsentSource.PORTAL,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your consent was recorded."))
    else:
        messages.error(request, _("Choose what the consent is for, and whether you give it."))
    return redirect("portal:space")


@own_pages
@require_POST
def checkin_view(request: HttpRequest, event_id: str) -> HttpResponse:
    actor = request.user
    defender = _own(request)
    event = Event.objects.filter(pk=event_id).first() if _is_uuid(event_id) else None
    # An event not open to this defender answers as a nonexistent one, whatever the form holds.
    open_events = {row.event.pk for row in checkins_due(defender, timezone.localdate())}
    if event is None or event.pk not in open_events:
        raise Http404("Not found.")
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            checkin_answer(actor=actor, event=event, answer=form.cleaned_data["answer"])
        except PermissionDenied:
            raise Http404("Not found.") from None
        except ValidationError:
            messages.error(request, _("Write what support you need."))
        else:
            messages.success(request, _("Thank you: your case team will contact you."))
    else:
        messages.error(request, _("Write what support you need."))
    return redirect("portal:space")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
