"""Measures pages: request, follow and decide measures; relocation and interim requests;
feedback; safety plans; disclosures and the liaison's inbox. Thin: a form validates, one
service or selector acts, a template renders."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.accounts.models import Role
from amparo.core.access import CASE_CONTENT_ROLES, DISCLOSURE_ROLES, roles_required
from amparo.core.downloads import download_query, table_download, wanted_download
from amparo.core.forms import add_service_errors
from amparo.core.policy import role_of
from amparo.measures.forms import (
    MEASURE_ERROR_ALIASES,
    DisclosureForm,
    FeedbackForm,
    ImplementationFeedbackForm,
    InterimForm,
    MeasureFilterForm,
    MeasureForm,
    RelocationForm,
    ReplaceForm,
    ReportForm,
    RespondForm,
    SafetyPlanForm,
    TransitionForm,
)
from amparo.measures.models import Measure, MeasureKind, MeasureStatus
from amparo.measures.policies import (
    may_decide_measure,
    may_disclose,
    may_edit_safety_plan,
    may_request_measure,
    may_transition,
    may_work_measure,
)
from amparo.measures.presenters import (
    feedback_of,
    interim_initial,
    interim_of,
    is_relocation,
    present_history,
    present_liaison_disclosures,
    present_measure,
    relocation_initial,
    relocation_of,
    safety_plan_text,
)
from amparo.measures.selectors import (
    disclosure_get,
    disclosure_list,
    disclosures_of_measure,
    late_measures,
    measure_get,
    measure_history,
    measure_list,
    measure_timeliness,
    median_days_to_protection,
    refusal_counts,
    reviews_overdue,
    safety_plan_for,
    timeliness_summary,
    unprotected_defenders,
)
from amparo.measures.services import (
    allowed_transitions,
    disclosure_create,
    disclosure_respond,
    disclosure_revoke,
    feedback_record,
    interim_request_save,
    liaison_report_feedback,
    liaison_report_in_place,
    measure_replace,
    measure_request,
    measure_transition,
    relocation_save,
    safety_plan_save,
)
from amparo.registry.selectors import defender_get

case_pages = roles_required(*CASE_CONTENT_ROLES)
work_pages = roles_required(Role.COORDINATOR, Role.CASE_OFFICER)
disclosure_pages = roles_required(*DISCLOSURE_ROLES)
plan_pages = roles_required(Role.COORDINATOR, Role.CASE_OFFICER, Role.DEFENDER)


def _row(measure: Measure) -> dict[str, Any]:
    """A list row: codes and plain columns only, nothing decrypted."""
    return {
        "code": measure.code,
        "defender": measure.defender.code,
        "kind": measure.get_kind_display(),
        "status": measure.status,
        "status_label": measure.get_status_display(),
        "provider": measure.provider.name if measure.provider else "",
        "requested_on": measure.requested_on,
        "review_due_on": measure.review_due_on,
    }


@case_pages
@require_GET
def measure_list_view(request: HttpRequest) -> HttpResponseBase:
    actor = request.user
    filter_form = MeasureFilterForm(request.GET)
    fmt = wanted_download(request)
    if fmt:
        measures = measure_list(actor=actor, filters=filter_form.to_filters())
        return table_download(
            request,
            name="measures",
            header=[
                "code",
                "defender",
                "kind",
                "status",
                "provider",
                "requested_on",
                "review_due_on",
            ],
            rows=(
                [
                    r["code"],
                    r["defender"],
                    m.kind,
                    r["status"],
                    r["provider"],
                    r["requested_on"],
                    r["review_due_on"],
                ]
                for m in measures.order_by("code").iterator(chunk_size=500)
                for r in [_row(m)]
            ),
            fmt=fmt,
        )
    paginator = Paginator(
        measure_list(actor=actor, filters=filter_form.to_filters()), settings.AMPARO_PAGE_SIZE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "rows": [_row(m) for m in page_obj.object_list],
        "page_obj": page_obj,
        "filter_form": filter_form,
        "filtered": any(request.GET.get(name) for name in filter_form.fields),
        "download_query": download_query(request),
        "nav": "measures",
    }
    return render(request, "measures/measure_list.html", context)


@case_pages
@require_GET
def protection_overview_view(request: HttpRequest) -> HttpResponse:
    """Late measures, overdue reviews, defenders at high or extreme risk left unprotected,
    timeliness and refusals."""
    actor = request.user
    now = timezone.now()
    context = {
        "late": [_row(m) for m in late_measures(actor=actor, now=now)[:200]],
        "overdue": [_row(m) for m in reviews_overdue(actor=actor)[:200]],
        "unprotected": list(
            unprotected_defenders(actor=actor).values_list("code", "risk_level")[:200]
        ),
        "timeliness": timeliness_summary(actor=actor, now=now),
        "median_days": median_days_to_protection(actor=actor),
        "refusals": [
            {**row, "kind_label": MeasureKind(row["kind"]).label}
            for row in refusal_counts(actor=actor)
        ],
        "nav": "measures",
    }
    return render(request, "measures/overview.html", context)


@work_pages
@require_http_methods(["GET", "POST"])
def measure_create_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    if not may_request_measure(actor, defender):
        raise PermissionDenied
    form = MeasureForm(request.POST or None, defender=defender)
    if request.method == "POST" and form.is_valid():
        try:
            measure = measure_request(actor=actor, defender=defender, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error, MEASURE_ERROR_ALIASES)
        else:
            messages.success(request, _("Measure %(code)s requested.") % {"code": measure.code})
            return redirect("measures:measure_detail", code=measure.code)
    context = {"form": form, "defender_code": defender.code, "nav": "measures"}
    return render(request, "measures/measure_form.html", context)


def _transition_choices(actor: Any, measure: Measure) -> list[tuple[str, str]]:
    return [
        (status, str(MeasureStatus(status).label))
        for status in MeasureStatus.values
        if status in allowed_transitions(measure) and may_transition(actor, measure, status)
    ]


@case_pages
@require_GET
def measure_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    measure = measure_get(actor=actor, code=code)
    view = present_measure(actor, measure, via="page")
    may_work = may_work_measure(actor, measure)
    context = {
        "m": view,
        "history": present_history(actor, measure, measure_history(measure), via="page"),
        "timeliness": measure_timeliness(measure),
        "transitions": _transition_choices(actor, measure),
        "may_work": may_work,
        "may_decide": may_decide_measure(actor, measure),
        "may_disclose": may_disclose(actor, measure.case) and not measure.defender.is_shredded,
        "may_replace": may_work
        and measure.replaced_by_id is None
        and measure.status in {"refused_by_defender", "rejected", "ended"},
        "relocation": relocation_of(actor, measure, via="page"),
        "interim": interim_of(actor, measure, via="page"),
        "feedback": feedback_of(actor, measure, via="page"),
        "disclosures": list(disclosures_of_measure(actor=actor, measure=measure)),
        "transition_form": TransitionForm(),
        "feedback_form": FeedbackForm() if may_work else None,
        "is_relocation": is_relocation(measure),
        "is_interim": measure.kind == MeasureKind.INTERIM_MEASURES_REQUEST,
        "nav": "measures",
    }
    return render(request, "measures/measure_detail.html", context)


@work_pages
@require_POST
def measure_transition_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    measure = measure_get(actor=actor, code=code)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid step."))
        return redirect("measures:measure_detail", code=measure.code)
    data = form.cleaned_data
    try:
        measure_transition(
            actor=actor,
            measure=measure,
            to_status=data["to_status"],
            note=data["note"],
            reason=data["reason"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The measure is now: %(s)s.") % {"s": measure.get_status_display()}
        )
    return redirect("measures:measure_detail", code=measure.code)


@work_pages
@require_http_methods(["GET", "POST"])
def measure_replace_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    measure = measure_get(actor=actor, code=code)
    if not may_work_measure(actor, measure):
        raise PermissionDenied
    form = ReplaceForm(request.POST or None, defender=measure.defender)
    if request.method == "POST" and form.is_valid():
        try:
            replacement = measure_replace(
                actor=actor, measure=measure, data=form.to_data(), note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error, MEASURE_ERROR_ALIASES)
        else:
            messages.success(
                request, _("Measure %(code)s replaces it.") % {"code": replacement.code}
            )
            return redirect("measures:measure_detail", code=replacement.code)
    context = {
        "form": form,
        "defender_code": measure.defender.code,
        "replacing": measure.code,
        "nav": "measures",
    }
    return render(request, "measures/measure_form.html", context)


@work_pages
@require_POST
def measure_feedback_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    measure = measure_get(actor=actor, code=code)
    if not may_work_measure(actor, measure):
        raise PermissionDenied
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            feedback_record(actor=actor, measure=measure, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The defender's feedback was recorded."))
            return redirect("measures:measure_detail", code=measure.code)
    messages.error(request, _("The feedback could not be recorded: check the answers."))
    return redirect("measures:measure_detail", code=measure.code)


def _simple_form_page(
    request: HttpRequest,
    measure: Measure,
    form: Any,
    save: Any,
    *,
    title: str,
    done: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("measures:measure_detail", code=measure.code)
    context = {"form": form, "code": measure.code, "title": title, "nav": "measures"}
    return render(request, "measures/measure_subform.html", context)


@work_pages
@require_http_methods(["GET", "POST"])
def relocation_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    measure = measure_get(actor=actor, code=code)
    if not may_work_measure(actor, measure):
        raise PermissionDenied
    initial = relocation_initial(actor, measure) if request.method == "GET" else {}
    form = RelocationForm(request.POST or None, defender=measure.defender, initial=initial)
    return _simple_form_page(
        request,
        measure,
        form,
        lambda data: relocation_save(actor=actor, measure=measure, data=data),
        title=_("Relocation or shelter"),
        done=_("The relocation was saved."),
    )


@work_pages
@require_http_methods(["GET", "POST"])
def interim_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    measure = measure_get(actor=actor, code=code)
    if not may_work_measure(actor, measure):
        raise PermissionDenied
    initial = interim_initial(actor, measure) if request.method == "GET" else {}
    form = InterimForm(request.POST or None, initial=initial)
    return _simple_form_page(
        request,
        measure,
        form,
        lambda data: interim_request_save(actor=actor, measure=measure, data=data),
        title=_("Interim measures request"),
        done=_("The interim measures request was saved."),
    )


@work_pages
@require_http_methods(["GET", "POST"])
def disclosure_create_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    measure = measure_get(actor=actor, code=code)
    if not may_disclose(actor, measure.case):
        raise PermissionDenied
    form = DisclosureForm(request.POST or None, lead_entity_id=measure.case.lead_entity_id)
    if request.method == "POST" and form.is_valid():
        try:
            disclosure = disclosure_create(
                actor=actor, defender=measure.defender, data=form.to_data(measure)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Disclosure %(code)s sent.") % {"code": disclosure.code})
            return redirect("measures:measure_detail", code=measure.code)
    context = {
        "form": form,
        "code": measure.code,
        "title": _("Disclose to another entity"),
        "nav": "measures",
    }
    return render(request, "measures/measure_subform.html", context)


@plan_pages
@require_http_methods(["GET", "POST"])
def safety_plan_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    plan = safety_plan_for(actor=actor, defender=defender)
    may_edit = may_edit_safety_plan(actor, defender)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    text = safety_plan_text(actor, plan, via="page")
    form = SafetyPlanForm(request.POST or None, initial={"text": text or ""}) if may_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            safety_plan_save(actor=actor, defender=defender, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The safety plan was saved."))
            return redirect("measures:safety_plan", code=defender.code)
    context = {
        "defender_code": defender.code,
        "plan": plan,
        "text": text,
        "form": form,
        "nav": "measures",
    }
    return render(request, "measures/safety_plan.html", context)


# Disclosures --------------------------------------------------------------------------------


@disclosure_pages
@require_GET
def disclosure_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    disclosures = list(disclosure_list(actor=actor)[:500])
    liaison = role_of(actor) == Role.LIAISON
    context = {
        "liaison": liaison,
        # The inbox lists codes and statuses; values are shown on each disclosure's page.
        "rows": present_liaison_disclosures(actor, disclosures, via="list", with_values=False)
        if liaison
        else disclosures,
        "nav": "disclosures",
    }
    return render(request, "measures/disclosure_list.html", context)


@disclosure_pages
@require_GET
def disclosure_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    disclosure = disclosure_get(actor=actor, code=code)
    if role_of(actor) == Role.LIAISON:
        view = present_liaison_disclosures(actor, [disclosure], via="page")[0]
        context = {
            "d": view,
            "respond_form": RespondForm(),
            "report_form": ReportForm(),
            "feedback_form": ImplementationFeedbackForm(),
            "nav": "disclosures",
        }
        return render(request, "measures/disclosure_liaison.html", context)
    context = {
        "disclosure": disclosure,
        "may_revoke": may_disclose(actor, disclosure.case)
        and disclosure.status != disclosure.Status.REVOKED,
        "nav": "disclosures",
    }
    return render(request, "measures/disclosure_staff.html", context)


@disclosure_pages
@require_POST
def disclosure_respond_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    disclosure = disclosure_get(actor=actor, code=code)
    form = RespondForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    try:
        disclosure_respond(
            actor=actor,
            disclosure=disclosure,
            accept=form.cleaned_data["decision"] == "accept",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("measures:disclosure_detail", code=disclosure.code)
    if disclosure.status == disclosure.Status.REJECTED:
        messages.success(request, _("The disclosure was rejected."))
        return redirect("measures:disclosure_list")
    messages.success(request, _("The disclosure was accepted."))
    return redirect("measures:disclosure_detail", code=disclosure.code)


@disclosure_pages
@require_POST
def disclosure_report_view(request: HttpRequest, code: str) -> HttpResponse:
    """The liaison reports the measure in place, or how its implementation goes."""
    actor = request.user
    disclosure = disclosure_get(actor=actor, code=code)
    try:
        if request.POST.get("report") == "in_place":
            form = ReportForm(request.POST)
            form.is_valid()
            liaison_report_in_place(
                actor=actor, disclosure=disclosure, note=form.cleaned_data.get("note", "")
            )
            messages.success(request, _("The measure was reported in place."))
        else:
            feedback = ImplementationFeedbackForm(request.POST)
            if not feedback.is_valid():
                messages.error(request, _("Say whether the measure works as planned."))
                return redirect("measures:disclosure_detail", code=disclosure.code)
            liaison_report_feedback(actor=actor, disclosure=disclosure, data=feedback.to_data())
            messages.success(request, _("Your report was recorded."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("measures:disclosure_detail", code=disclosure.code)


@disclosure_pages
@require_POST
def disclosure_revoke_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    disclosure = disclosure_get(actor=actor, code=code)
    disclosure_revoke(actor=actor, disclosure=disclosure)
    messages.success(request, _("The disclosure was revoked."))
    return redirect("measures:disclosure_detail", code=disclosure.code)
