"""Risk pages: a defender's assessments and their versions, the instrument (with a preview of
the computed level and its rule), decisions, and the procedures with their countdowns."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.audit.services import audit_read
from amparo.core.access import CASE_CONTENT_ROLES, roles_required
from amparo.core.forms import add_service_errors
from amparo.registry.models import Defender
from amparo.registry.selectors import defender_get, person_list
from amparo.risk import clock
from amparo.risk.forms import AssessmentForm, ProcedureOpenForm, RejectForm
from amparo.risk.models import RiskAssessment
from amparo.risk.policies import (
    is_four_eyes_conflict,
    may_assess,
    may_change_assessment,
    may_decide_assessment,
    may_open_procedure,
    may_work_procedure,
)
from amparo.risk.presenters import (
    ASSESSMENT_SENSITIVE,
    present_assessment,
    present_assessments,
    present_procedures,
)
from amparo.risk.procedures import (
    procedure_close,
    procedure_mark_decided,
    procedure_mark_in_place,
    procedure_mark_studied,
    procedure_open,
)
from amparo.risk.scoring import LevelResult
from amparo.risk.selectors import (
    assessment_get,
    assessment_list,
    procedure_get,
    procedure_list,
)
from amparo.risk.services import (
    assessment_approve,
    assessment_create,
    assessment_data_of,
    assessment_reject,
    assessment_submit,
    assessment_update,
)

case_pages = roles_required(*CASE_CONTENT_ROLES)


@case_pages
@require_GET
def assessment_history_view(request: HttpRequest, code: str) -> HttpResponse:
    """Every version of a defender's assessment, newest first (scores and levels only)."""
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    assessments = list(assessment_list(actor=actor, defender=defender))
    context = {
        "defender": defender,
        "rows": present_assessments(actor, assessments, via="list", with_content=False),
        "may_assess": may_assess(actor, defender),
        "nav": "defenders",
    }
    return render(request, "risk/assessment_history.html", context)


def _form(request: HttpRequest, defender: Defender, **kwargs: Any) -> AssessmentForm:
    actor = request.user
    relatives = list(person_list(actor=actor, defender=defender).order_by("external_id"))
    procedures = list(procedure_list(actor=actor, open_only=True, defender=defender))
    return AssessmentForm(
        request.POST if request.method == "POST" else None,
        relatives=relatives,
        procedures=procedures,
        **kwargs,
    )


def _render_form(
    request: HttpRequest,
    defender: Defender,
    form: AssessmentForm,
    *,
    preview: LevelResult | None = None,
    assessment: RiskAssessment | None = None,
) -> HttpResponse:
    context = {
        "defender": defender,
        "form": form,
        "preview": preview,
        "assessment": assessment,
        "nav": "defenders",
    }
    return render(request, "risk/assessment_form.html", context)


def _preview(form: AssessmentForm) -> LevelResult | None:
    # After a service error the form lacks the field it named: no preview then.
    try:
        return form.to_data().result()
    except (ValueError, KeyError):
        return None


@case_pages
@require_http_methods(["GET", "POST"])
def assessment_create_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    if not may_assess(actor, defender):
        raise PermissionDenied
    form = _form(request, defender, initial={"assessed_on": clock.now().date()})
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "preview")
        if action == "preview":
            return _render_form(request, defender, form, preview=_preview(form))
        try:
            assessment = assessment_create(
                actor=actor,
                defender=defender,
                data=form.to_data(),
                procedure=form.selected_procedure(),
                submit=action == "submit",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _saved(action, assessment.code))
            return redirect("risk:assessment_detail", code=assessment.code)
    return _render_form(request, defender, form, preview=_preview(form) if form.is_bound else None)


def _saved(action: str, code: str) -> str:
    if action == "submit":
        return _("Assessment %(code)s submitted for approval.") % {"code": code}
    return _("Draft %(code)s saved.") % {"code": code}


@case_pages
@require_http_methods(["GET", "POST"])
def assessment_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    assessment = assessment_get(actor=actor, code=code)
    defender = assessment.defender
    if not may_change_assessment(actor, assessment):
        raise PermissionDenied
    if request.method == "GET":
        initial = AssessmentForm.initial_from(assessment_data_of(assessment), assessment.procedure)
        # The form shows the decrypted content: a read, like the detail page (issue 9).
        audit_read(actor, "assessment", [assessment], fields=ASSESSMENT_SENSITIVE, via="edit")
        form = _form(request, defender, initial=initial)
        return _render_form(request, defender, form, assessment=assessment)
    form = _form(request, defender)
    if form.is_valid():
        action = request.POST.get("action", "preview")
        if action == "preview":
            return _render_form(
                request, defender, form, preview=_preview(form), assessment=assessment
            )
        try:
            assessment_update(actor=actor, assessment=assessment, data=form.to_data())
            if action == "submit":
                assessment_submit(actor=actor, assessment=assessment)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _saved(action, assessment.code))
            return redirect("risk:assessment_detail", code=assessment.code)
    return _render_form(request, defender, form, preview=_preview(form), assessment=assessment)


def _detail_context(
    request: HttpRequest, assessment: RiskAssessment, **extra: Any
) -> dict[str, Any]:
    actor = request.user
    versions = list(assessment_list(actor=actor, defender=assessment.defender))
    may_decide = may_decide_assessment(actor, assessment)
    return {
        "a": present_assessment(actor, assessment, via="page"),
        "versions": present_assessments(actor, versions, via="list", with_content=False),
        "may_change": may_change_assessment(actor, assessment),
        "may_decide": may_decide,
        "four_eyes": assessment.status == RiskAssessment.Status.SUBMITTED
        and is_four_eyes_conflict(actor, assessment),
        "reject_form": extra.get("reject_form") or (RejectForm() if may_decide else None),
        "error": extra.get("error"),
        "nav": "defenders",
    }


@case_pages
@require_GET
def assessment_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    assessment = assessment_get(actor=request.user, code=code)
    return render(request, "risk/assessment_detail.html", _detail_context(request, assessment))


@case_pages
@require_POST
def assessment_submit_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    assessment = assessment_get(actor=actor, code=code)
    if not may_change_assessment(actor, assessment):
        raise PermissionDenied
    try:
        assessment_submit(actor=actor, assessment=assessment)
    except ValidationError as error:
        context = _detail_context(request, assessment, error=" ".join(error.messages))
        return render(request, "risk/assessment_detail.html", context, status=422)
    messages.success(request, _saved("submit", assessment.code))
    return redirect("risk:assessment_detail", code=assessment.code)


@case_pages
@require_POST
def assessment_approve_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    assessment = assessment_get(actor=actor, code=code)
    if not may_decide_assessment(actor, assessment):
        raise PermissionDenied
    try:
        assessment_approve(actor=actor, assessment=assessment)
    except ValidationError as error:
        context = _detail_context(request, assessment, error=" ".join(error.messages))
        return render(request, "risk/assessment_detail.html", context, status=422)
    messages.success(request, _("Approved: this is now the defender's current level."))
    return redirect("risk:assessment_detail", code=assessment.code)


@case_pages
@require_POST
def assessment_reject_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    assessment = assessment_get(actor=actor, code=code)
    if not may_decide_assessment(actor, assessment):
        raise PermissionDenied
    form = RejectForm(request.POST)
    if form.is_valid():
        assessment_reject(actor=actor, assessment=assessment, reason=form.cleaned_data["reason"])
        messages.success(request, _("The assessment was rejected."))
        return redirect("risk:assessment_detail", code=assessment.code)
    context = _detail_context(request, assessment, reject_form=form)
    return render(request, "risk/assessment_detail.html", context, status=422)


# Procedures ---------------------------------------------------------------------------------


@case_pages
@require_GET
def procedure_list_view(request: HttpRequest) -> HttpResponse:
    """Open procedures, urgent first, with the time left to each one's next deadline."""
    actor = request.user
    procedures = list(procedure_list(actor=actor, open_only=True))
    rows = present_procedures(actor, procedures, now=clock.now(), via="list")
    workable = {p.code for p in procedures if may_work_procedure(actor, p)}
    context = {"rows": rows, "workable": workable, "nav": "procedures"}
    return render(request, "risk/procedure_list.html", context)


@case_pages
@require_POST
def procedure_open_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    if not may_open_procedure(actor, defender):
        raise PermissionDenied
    form = ProcedureOpenForm(request.POST)
    if form.is_valid():
        try:
            procedure = procedure_open(
                actor=actor,
                defender=defender,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Procedure %(code)s opened.") % {"code": procedure.code})
            return redirect("registry:defender_detail", code=defender.code)
    messages.error(request, _("The procedure was not opened: give the kind and the reason."))
    return redirect("registry:defender_detail", code=defender.code)


PROCEDURE_ACTIONS = {
    "decided": procedure_mark_decided,
    "in_place": procedure_mark_in_place,
    "studied": procedure_mark_studied,
    "close": procedure_close,
}


@case_pages
@require_POST
def procedure_action_view(request: HttpRequest, code: str, action: str) -> HttpResponse:
    actor = request.user
    procedure = procedure_get(actor=actor, code=code)
    mark = PROCEDURE_ACTIONS.get(action)
    if mark is None:
        raise Http404("Not found.")
    if not may_work_procedure(actor, procedure):
        raise PermissionDenied
    mark(actor=actor, procedure=procedure)
    messages.success(request, _("Procedure %(code)s updated.") % {"code": procedure.code})
    return redirect("risk:procedure_list")
