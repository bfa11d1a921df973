"""Communications officers and their tasks: the ones they own and their entity's follow-ups of
letters they may see, on the pages, in the API and in the navigation; nothing else."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.services import api_token_create
from amparo.audit.models import AuditEvent
from amparo.communications.services import replies_remind
from amparo.communications.tests.conftest import draft, letters, send  # noqa: F401
from amparo.conftest import _user
from amparo.coordination.models import Task
from amparo.coordination.selectors import tasks_for
from amparo.coordination.services import task_open
from amparo.registry.services import case_set_restricted
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db

AFTER_FOLLOW_UP = timezone.make_aware(datetime.datetime(2026, 9, 1, 9, 0))


def _bearer(user):
    _token, raw = api_token_create(actor=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def api_get(client, user, path):
    return client.get(f"/api/v1{path}", **_bearer(user))


def api_post(client, user, path):
    return client.post(f"/api/v1{path}", **_bearer(user))


@pytest.fixture
def follow_up(system, comms_officer, coordinator, letters):  # noqa: F811
    """Rosa's letter, drafted by the communications officer, past its follow-up day."""
    send(
        comms_officer,
        coordinator,
        draft(comms_officer, defenders=[letters.rosa]),
        sent_on=datetime.date(2026, 5, 4),
    )
    replies_remind(actor=system, now=AFTER_FOLLOW_UP)
    return Task.objects.get(subject_type="communication")


@pytest.fixture
def case_task(system, entity, letters):  # noqa: F811
    return task_open(
        actor=system,
        kind=Task.Kind.OTHER,
        title="Call the defender",
        entity=entity,
        case=letters.rosa.case,
        due_at=AFTER_FOLLOW_UP,
    )


@pytest.fixture
def foreign_comms_officer(system, other_entity):
    return _user(system, "foreign_comms_officer", Role.COMMUNICATIONS_OFFICER, other_entity)


def test_the_drafter_and_their_colleagues_see_the_follow_up_only(
    comms_officer, other_comms_officer, follow_up, case_task
):
    assert follow_up.owner == comms_officer
    for actor in (comms_officer, other_comms_officer):
        assert list(tasks_for(actor, now=AFTER_FOLLOW_UP)) == [follow_up]


def test_another_entitys_communications_officer_sees_none(
    foreign_comms_officer, follow_up, case_task
):
    assert list(tasks_for(foreign_comms_officer, now=AFTER_FOLLOW_UP)) == []


def test_a_letter_about_a_restricted_case_keeps_its_follow_up_hidden(
    system,
    comms_officer,
    other_comms_officer,
    follow_up,
    letters,  # noqa: F811
):
    case_set_restricted(actor=system, case=letters.rosa.case, restricted=True)
    assert list(tasks_for(other_comms_officer, now=AFTER_FOLLOW_UP)) == []
    assert list(tasks_for(comms_officer, now=AFTER_FOLLOW_UP)) == [follow_up]  # they own it


def test_the_pages_list_it_and_a_colleague_may_close_it(other_comms_officer, follow_up):
    client = logged_in(other_comms_officer)
    listing = client.get(reverse("coordination:task_list")).content.decode()
    assert reverse("coordination:task_detail", args=[follow_up.pk]) in listing
    assert f'href="{reverse("coordination:task_list")}"' in listing  # the navigation link
    detail = client.get(reverse("coordination:task_detail", args=[follow_up.pk]))
    assert detail.status_code == 200 and follow_up.title in detail.content.decode()
    client.post(reverse("coordination:task_complete", args=[follow_up.pk]))
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.done_by) == (Task.Status.DONE, other_comms_officer)


def test_a_case_task_stays_unknown_and_untouched(comms_officer, follow_up, case_task):
    client = logged_in(comms_officer)
    assert client.get(reverse("coordination:task_detail", args=[case_task.pk])).status_code == 404
    before = AuditEvent.objects.count()
    response = client.post(reverse("coordination:task_complete", args=[case_task.pk]))
    assert response.status_code == 404
    case_task.refresh_from_db()
    assert case_task.status == Task.Status.OPEN and case_task.done_by is None
    assert AuditEvent.objects.count() == before
    listing = client.get(reverse("coordination:task_list")).content.decode()
    assert reverse("coordination:task_detail", args=[case_task.pk]) not in listing


def test_the_api_gives_the_follow_up_and_closes_it(
    client, other_comms_officer, follow_up, case_task
):
    listed = api_get(client, other_comms_officer, "/tasks?status=any").json()
    assert [row["id"] for row in listed["items"]] == [str(follow_up.pk)]
    assert api_get(client, other_comms_officer, f"/tasks/{case_task.pk}").status_code == 404
    assert (
        api_post(client, other_comms_officer, f"/tasks/{case_task.pk}/complete").status_code == 404
    )
    done = api_post(client, other_comms_officer, f"/tasks/{follow_up.pk}/cancel")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
