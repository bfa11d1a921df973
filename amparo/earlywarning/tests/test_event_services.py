"""Calendar event services: who may write, validation, audit, and the event scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amparo.audit.models import AuditEvent
from amparo.earlywarning.models import Event
from amparo.earlywarning.policies import event_scope
from amparo.earlywarning.services import EventData, event_create, event_update

START = datetime.date(2026, 3, 8)


def _data(**changes) -> EventData:
    return EventData(**{"kind": "demonstration", "start": START, "country": "CO", **changes})


@pytest.mark.django_db
def test_coordinator_creates_an_event_in_their_entity(coordinator, entity):
    event = event_create(actor=coordinator, data=_data(title="8M march"))
    assert (event.lead_entity, event.end, event.created_by) == (entity, START, coordinator)
    audit = AuditEvent.objects.filter(action="event.create").get()
    assert audit.object_id == str(event.pk)
    assert audit.actor_label == "coordinator"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["analyst", "liaison", "auditor", "admin_user"])
def test_other_roles_may_not_write_events(persona, request, entity):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        event_create(actor=user, data=_data(), entity=entity)
    assert Event.objects.count() == 0
    assert not AuditEvent.objects.filter(action="event.create").exists()


@pytest.mark.django_db
def test_validation_names_every_bad_field(coordinator):
    data = _data(
        kind="carnival",
        end=START - datetime.timedelta(days=1),
        lead_days=-1,
        subdivision="MX-CMX",
        categories=["astronaut"],
    )
    with pytest.raises(ValidationError) as caught:
        event_create(actor=coordinator, data=data)
    assert set(caught.value.message_dict) == {
        "kind",
        "end",
        "lead_days",
        "subdivision",
        "categories",
    }


@pytest.mark.django_db
def test_update_audits_the_changed_fields(coordinator, foreign_coordinator):
    event = event_create(actor=coordinator, data=_data())
    assert event_update(actor=coordinator, event=event, data=_data()) == []
    changed = event_update(actor=coordinator, event=event, data=_data(tail_days=3, title="8M"))
    assert changed == ["title", "tail_days"]
    audit = AuditEvent.objects.filter(action="event.update").get()
    assert audit.fields == ["tail_days", "title"]
    with pytest.raises(PermissionDenied):
        event_update(actor=foreign_coordinator, event=event, data=_data(title="x"))


@pytest.mark.django_db
def test_event_names_only_visible_defenders(world, coordinator):
    with pytest.raises(ValidationError):
        event_create(actor=coordinator, data=_data(defenders=[world.restricted_defender]))
    event = event_create(actor=coordinator, data=_data(defenders=[world.team_defender]))
    assert list(event.defenders.all()) == [world.team_defender]


@pytest.mark.django_db
def test_event_scope(coordinator, analyst, foreign_coordinator, liaison, system):
    event = event_create(actor=coordinator, data=_data())
    for actor, sees in [
        (coordinator, True),
        (analyst, True),
        (foreign_coordinator, False),
        (liaison, False),
        (system, True),
    ]:
        assert Event.objects.filter(event_scope(actor), pk=event.pk).exists() is sees
