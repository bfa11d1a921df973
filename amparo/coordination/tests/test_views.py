"""Coordination pages, persona by persona: tasks, a task, its actions, the dashboard, and the
consent panel and form on a defender's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.coordination.models import ConsentRecord, Task
from amparo.coordination.services import consent_record
from amparo.tests.helpers import assert_no_inline_script, logged_in

pytestmark = pytest.mark.django_db

PAGE_STATUS = {
    # persona: (task list, dashboard)
    "coordinator": (200, 200),
    "officer": (200, 403),
    "other_officer": (200, 403),
    "foreign_coordinator": (200, 200),
    "analyst": (403, 200),
    "liaison": (403, 403),
    "auditor": (403, 403),
    "admin_user": (403, 403),
}


@pytest.mark.parametrize("persona", sorted(PAGE_STATUS))
def test_page_status_by_persona(request, tasks, persona):
    client = logged_in(request.getfixturevalue(persona))
    tasks_status, dashboard_status = PAGE_STATUS[persona]
    assert client.get(reverse("coordination:task_list")).status_code == tasks_status
    assert client.get(reverse("coordination:dashboard")).status_code == dashboard_status


def test_anonymous_goes_to_login(client, tasks):
    for name in ("coordination:task_list", "coordination:dashboard"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("coordinator", {"team", "unassigned", "entity_only", "owned"}),
        ("officer", {"team", "restricted"}),
        ("other_officer", {"owned"}),
        ("foreign_coordinator", {"foreign"}),
    ],
)
def test_task_pages_show_exactly_the_visible_tasks(request, tasks, persona, visible):
    client = logged_in(request.getfixturevalue(persona))
    html = client.get(reverse("coordination:task_list")).content.decode()
    assert_no_inline_script(html)
    for name, task in tasks.by_name().items():
        url = reverse("coordination:task_detail", args=[task.pk])
        assert (url in html) == (name in visible), name
        assert client.get(url).status_code == (200 if name in visible else 404), name


def test_task_list_filters_and_countdown(tasks, other_officer):
    client = logged_in(other_officer)
    html = client.get(reverse("coordination:task_list") + "?scope=mine&overdue=on").content.decode()
    assert reverse("coordination:task_detail", args=[tasks.owned.pk]) in html
    assert "overdue by" in html


def test_complete_and_cancel_through_the_pages(tasks, officer):
    client = logged_in(officer)
    url = reverse("coordination:task_complete", args=[tasks.team.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("coordination:task_list")
    tasks.team.refresh_from_db()
    assert tasks.team.status == "done"
    client.post(reverse("coordination:task_cancel", args=[tasks.restricted.pk]))
    tasks.restricted.refresh_from_db()
    assert tasks.restricted.status == "cancelled"


@pytest.mark.parametrize(
    ("persona", "task_name", "status"),
    [
        ("other_officer", "team", 404),  # invisible
        ("coordinator", "restricted", 404),  # restricted case, not on its team
        ("officer", "entity_only", 404),
        ("analyst", "team", 403),  # no task pages at all
        ("liaison", "team", 403),
    ],
)
def test_denied_page_actions_leave_no_trace(request, tasks, persona, task_name, status):
    client = logged_in(request.getfixturevalue(persona))
    task = getattr(tasks, task_name)
    before = AuditEvent.objects.count()
    for name in ("coordination:task_complete", "coordination:task_cancel"):
        assert client.post(reverse(name, args=[task.pk])).status_code == status
    assert Task.objects.get(pk=task.pk).status == "open"
    assert AuditEvent.objects.count() == before


def test_consent_panel_and_form_on_the_defender_page(world, coordinator, officer):
    consent_record(
        actor=officer,
        defender=world.team_defender,
        purpose="share_with_state",
        granted=True,
        source="defender_in_person",
        note="Said yes at the hearing in Popayán",
    )
    client = logged_in(coordinator)
    detail = reverse("registry:defender_detail", args=[world.team_defender.code])
    html = client.get(detail).content.decode()
    assert "Sharing with State authorities" in html
    assert "Said yes at the hearing in Popayán" in html
    assert reverse("coordination:consent_record", args=[world.team_defender.code]) in html
    assert_no_inline_script(html)
    response = client.post(
        reverse("coordination:consent_record", args=[world.team_defender.code]),
        {
            "consent-purpose": "share_with_state",
            "consent-granted": "no",
            "consent-source": "defender_in_writing",
            "consent-note": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == detail
    world.team_defender.refresh_from_db()
    assert world.team_defender.consent_share_with_state is False
    assert ConsentRecord.objects.filter(defender=world.team_defender).count() == 2


def test_analysts_see_consent_without_notes_and_cannot_record(world, officer, analyst):
    consent_record(
        actor=officer,
        defender=world.team_defender,
        purpose="register",
        granted=True,
        source="defender_in_person",
        note="Canary note",
    )
    client = logged_in(analyst)
    html = client.get(
        reverse("registry:defender_detail", args=[world.team_defender.code])
    ).content.decode()
    assert "Being registered" in html and "Canary note" not in html
    assert reverse("coordination:consent_record", args=[world.team_defender.code]) not in html
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("coordination:consent_record", args=[world.team_defender.code]),
        {"consent-purpose": "register", "consent-granted": "no", "consent-source": "portal"},
    )
    assert response.status_code == 403
    assert ConsentRecord.objects.count() == 1 and AuditEvent.objects.count() == before


@pytest.mark.parametrize(("persona", "status"), [("other_officer", 404), ("liaison", 403)])
def test_consent_form_refused(request, world, persona, status):
    client = logged_in(request.getfixturevalue(persona))
    response = client.post(
        reverse("coordination:consent_record", args=[world.team_defender.code]),
        {"consent-purpose": "register", "consent-granted": "yes", "consent-source": "portal"},
    )
    assert response.status_code == status
    assert ConsentRecord.objects.count() == 0


def test_reading_consent_notes_is_audited(world, officer, coordinator):
    consent_record(
        actor=officer,
        defender=world.team_defender,
        purpose="register",
        granted=True,
        source="defender_in_person",
        note="x",
    )
    logged_in(coordinator).get(reverse("registry:defender_detail", args=[world.team_defender.code]))
    assert AuditEvent.objects.filter(action="consent.read", actor_id=coordinator.pk).count() == 1


def test_navigation_links(tasks, coordinator, officer, analyst):
    home = reverse("home")
    html = logged_in(coordinator).get(home).content.decode()
    assert reverse("coordination:task_list") in html and reverse("coordination:dashboard") in html
    html = logged_in(officer).get(home).content.decode()
    assert (
        reverse("coordination:task_list") in html and reverse("coordination:dashboard") not in html
    )
    html = logged_in(analyst).get(home).content.decode()
    assert (
        reverse("coordination:task_list") not in html and reverse("coordination:dashboard") in html
    )
