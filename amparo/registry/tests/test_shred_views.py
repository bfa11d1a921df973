"""Erasing a defender from the application (journey 10): who may, what it takes, what it leaves."""

from __future__ import annotations

import pytest

from amparo.audit.models import AuditEvent
from amparo.core.crypto import Shredded
from amparo.registry.models import Defender
from amparo.registry.services import DefenderData, defender_register
from amparo.tests.helpers import logged_in

NAME = "Ernesto Villamil Arroyo"


@pytest.fixture
def defender(coordinator, officer):
    from amparo.registry.services import case_set_team

    registered = defender_register(
        actor=coordinator,
        data=DefenderData(name=NAME, country="CO", subdivision="CO-ANT", categories=["lawyer"]),
    )
    case_set_team(actor=coordinator, case=registered.case, members=[officer])
    return registered


@pytest.mark.django_db
def test_coordinator_erases_after_typing_the_code(coordinator, defender):
    client = logged_in(coordinator)
    page = client.get(f"/defenders/{defender.code}/erase/")
    assert page.status_code == 200
    assert NAME not in page.content.decode()
    response = client.post(f"/defenders/{defender.code}/erase/", {"confirm": defender.code})
    assert response.status_code == 302
    fresh = Defender.objects.get(pk=defender.pk)
    assert fresh.is_shredded
    with pytest.raises(Shredded):
        _ = fresh.name
    assert (
        AuditEvent.objects.filter(action="defender.shred", object_id=str(defender.pk)).count() == 1
    )
    detail = client.get(f"/defenders/{defender.code}/").content.decode()
    assert NAME not in detail
    assert "erased" in detail


@pytest.mark.django_db
def test_a_wrong_confirmation_erases_nothing(coordinator, defender):
    client = logged_in(coordinator)
    before = AuditEvent.objects.filter(action="defender.shred").count()
    response = client.post(f"/defenders/{defender.code}/erase/", {"confirm": "HRD-2026-999999"})
    assert response.status_code == 200
    assert "This is not the defender&#x27;s code." in response.content.decode()
    assert Defender.objects.get(pk=defender.pk).is_shredded is False
    assert AuditEvent.objects.filter(action="defender.shred").count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer", 403), ("analyst", 403), ("other_officer", 404), ("foreign_coordinator", 404)],
)
def test_others_may_not_erase(request, defender, persona, status):
    client = logged_in(request.getfixturevalue(persona))
    before = AuditEvent.objects.count()
    response = client.post(f"/defenders/{defender.code}/erase/", {"confirm": defender.code})
    assert response.status_code == status
    assert Defender.objects.get(pk=defender.pk).is_shredded is False
    assert AuditEvent.objects.filter(action="defender.shred").count() == 0
    assert not AuditEvent.objects.filter(seq__gt=before, action__startswith="defender.s").exists()


@pytest.mark.django_db
def test_the_erase_button_shows_only_to_those_who_may(coordinator, officer, defender):
    assert "/erase/" in logged_in(coordinator).get(f"/defenders/{defender.code}/").content.decode()
    assert "/erase/" not in logged_in(officer).get(f"/defenders/{defender.code}/").content.decode()
