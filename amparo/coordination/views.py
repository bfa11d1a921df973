"""Coordination pages: the task list, a task, the programme dashboard, and recording consent
from a defender's page. Thin: a form validates, one service or selector acts, a template
renders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amparo.coordination.dashboard import dashboard_figures
from amparo.coordination.forms import ConsentForm, TaskFilterForm
from amparo.coordination.policies import DASHBOARD_ROLES, TASK_ROLES, may_record_consent
from amparo.coordination.presenters import present_tasks
from amparo.coordination.selectors import task_get, tasks_for
from amparo.coordination.services import consent_record, task_cancel, task_complete
from amparo.core.access import CASE_CONTENT_ROLES, roles_required
from amparo.core.downloads import download_query, table_download, wanted_download
from amparo.registry.selectors import defender_get

task_pages = roles_required(*TASK_ROLES)


@task_pages
@require_GET
def task_list_view(request: HttpRequest) -> HttpResponseBase:
    actor, now = request.user, timezone.now()
    form = TaskFilterForm(request.GET)
    tasks = tasks_for(actor, now=now, **form.values())
    fmt = wanted_download(request)
    if fmt:
        header = ["kind", "title", "case", "status", "due_at", "overdue"]
        rows = (
            [
                r.task.kind,
                r.task.title,
                r.task.case.code if r.task.case else "",
                r.task.status,
                r.task.due_at,
                r.overdue,
            ]
            for r in present_tasks(actor, tasks, now)
        )
        return table_download(request, name="tasks", header=header, rows=rows, fmt=fmt)
    page_obj = Paginator(tasks, settings.AMPARO_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "rows": present_tasks(actor, page_obj.object_list, now),
        "page_obj": page_obj,
        "overdue_count": tasks_for(actor, overdue_only=True, now=now).count(),
        "download_query": download_query(request),
        "nav": "tasks",
    }
    return render(request, "coordination/task_list.html", context)


@task_pages
@require_GET
def task_detail_view(request: HttpRequest, task_id: str) -> HttpResponse:
    actor = request.user
    task = task_get(actor=actor, task_id=task_id)
    (row,) = present_tasks(actor, [task], timezone.now())
    return render(request, "coordination/task_detail.html", {"row": row, "nav": "tasks"})


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("coordination:task_list")


def _finish(request: HttpRequest, task_id: str, *, done: bool) -> HttpResponse:
    actor = request.user
    task = task_get(actor=actor, task_id=task_id)
    changed = (task_complete if done else task_cancel)(actor=actor, task=task)
    if changed:
        messages.success(request, _("Task marked done.") if done else _("Task cancelled."))
    else:
        messages.info(request, _("This task was already closed."))
    return _back(request)


@task_pages
@require_POST
def task_complete_view(request: HttpRequest, task_id: str) -> HttpResponse:
    return _finish(request, task_id, done=True)


@task_pages
@require_POST
def task_cancel_view(request: HttpRequest, task_id: str) -> HttpResponse:
    return _finish(request, task_id, done=False)


@roles_required(*DASHBOARD_ROLES)
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    figures = dashboard_figures(actor=request.user, today=timezone.localdate(now), now=now)
    return render(request, "coordination/dashboard.html", {"d": figures, "nav": "dashboard"})


@roles_required(*CASE_CONTENT_ROLES)
@require_POST
def consent_record_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    if not may_record_consent(actor, defender):
        raise PermissionDenied
    form = ConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            consent_record(
                actor=actor,
                defender=defender,
                purpose=data["purpose"],
                granted=data["granted"],
                entity=data["entity"],
                source=data["source"],
                note=data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The consent was recorded."))
    else:
        for field, errors in form.errors.items():
            text = " ".join(str(error) for error in errors)
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {text}" if label else text)
    return redirect("registry:defender_detail", code=defender.code)
