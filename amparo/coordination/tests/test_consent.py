"""Consent records: append-only history, the current consent, consent_allows per purpose, who
may record it, and the registry flags that mirror it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amparo.accounts.models import Entity
from amparo.accounts.services import entity_create
from amparo.audit.models import AuditEvent
from amparo.coordination.models import ConsentRecord
from amparo.coordination.selectors import consent_allows, consent_current, consent_history
from amparo.coordination.services import consent_record
from amparo.registry.services import (
    DefenderData,
    defender_register,
    defender_shred,
    defender_update,
)

pytestmark = pytest.mark.django_db

NOTE = "Consented by phone from the safe house in Popayán"


@pytest.fixture
def ngo(system):
    return entity_create(actor=system, slug="ngo-partner", name="Partner NGO", kind=Entity.Kind.NGO)


@pytest.fixture
def police(system):
    return entity_create(actor=system, slug="police", name="Police unit", kind=Entity.Kind.POLICE)


def record(actor, defender, purpose, granted, **extra):
    extra.setdefault("source", "defender_in_person")
    return consent_record(actor=actor, defender=defender, purpose=purpose, granted=granted, **extra)


def test_history_is_append_only_and_current_is_the_latest(world, officer):
    defender = world.team_defender
    first = record(officer, defender, "share_with_state", True, note=NOTE)
    record(officer, defender, "register", True)
    withdrawal = record(officer, defender, "share_with_state", False, source="defender_in_writing")

    history = list(consent_history(defender))
    assert [(r.purpose, r.granted) for r in history] == [
        ("share_with_state", False),
        ("register", True),
        ("share_with_state", True),
    ]
    first.refresh_from_db()
    assert first.granted is True  # never rewritten
    assert withdrawal.supersedes == first
    assert first.superseded_by == withdrawal
    assert [(r.purpose, r.granted) for r in consent_current(defender)] == [
        ("register", True),
        ("share_with_state", False),
    ]
    defender.refresh_from_db()
    assert (defender.consent_register, defender.consent_share_with_state) == (True, False)


def test_the_note_is_sealed_under_the_defenders_key(world, officer):
    created = record(officer, world.team_defender, "register", True, note=NOTE)
    raw = ConsentRecord.objects.filter(pk=created.pk).values_list("note", flat=True).get()
    assert NOTE.encode() not in bytes(raw)
    assert ConsentRecord.objects.get(pk=created.pk).note == NOTE
    event = AuditEvent.objects.filter(action="consent.record").last()
    assert NOTE not in str(event.detail) and event.fields == ["note"]


def test_consent_allows_register_and_state(world, officer):
    defender = world.team_defender
    assert not consent_allows(defender, "register")
    assert not consent_allows(defender, "share_with_state")
    record(officer, defender, "register", True)
    record(officer, defender, "share_with_state", True)
    assert consent_allows(defender, "register")
    assert consent_allows(defender, "share_with_state")
    record(officer, defender, "share_with_state", False)
    assert consent_allows(defender, "register")
    assert not consent_allows(defender, "share_with_state")


def test_consent_allows_a_named_entity(world, officer, ngo, entity, police):
    defender = world.team_defender
    assert not consent_allows(defender, "share_with_entity", entity=ngo)
    record(officer, defender, "share_with_entity", True, entity=ngo)
    assert consent_allows(defender, "share_with_entity", entity=ngo)
    assert not consent_allows(defender, "share_with_entity", entity=entity)  # another NGO
    # A State entity is covered by the consent to share with the State...
    assert not consent_allows(defender, "share_with_entity", entity=police)
    record(officer, defender, "share_with_state", True)
    assert consent_allows(defender, "share_with_entity", entity=police)
    # ...unless the defender refused that entity by name (the police may be among the suspects).
    record(officer, defender, "share_with_entity", False, entity=police)
    assert not consent_allows(defender, "share_with_entity", entity=police)
    assert consent_allows(defender, "share_with_state")
    # Withdrawing the named consent stops sharing with that entity.
    record(officer, defender, "share_with_entity", False, entity=ngo)
    assert not consent_allows(defender, "share_with_entity", entity=ngo)


def test_consent_allows_refuses_bad_questions(world):
    with pytest.raises(ValueError, match="names the entity"):
        consent_allows(world.team_defender, "share_with_entity")
    with pytest.raises(ValueError, match="Unknown consent purpose"):
        consent_allows(world.team_defender, "anything")


def test_an_erased_defender_consents_to_nothing(world, coordinator):
    defender = world.team_defender
    record(coordinator, defender, "register", True)
    defender_shred(actor=coordinator, defender=defender)
    assert not consent_allows(defender, "register")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("coordinator", True),
        ("officer", True),
        ("other_officer", False),
        ("foreign_coordinator", False),
        ("analyst", False),
        ("liaison", False),
        ("auditor", False),
        ("admin_user", False),
        ("inactive_coordinator", False),
        ("anonymous", False),
        ("system", True),
    ],
)
def test_who_may_record_consent(request, world, persona, allowed):
    actor = request.getfixturevalue(persona)
    before = AuditEvent.objects.count()
    if allowed:
        record(actor, world.team_defender, "register", True)
        assert ConsentRecord.objects.count() == 1
        return
    with pytest.raises(PermissionDenied):
        record(actor, world.team_defender, "register", True)
    assert ConsentRecord.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_the_defender_records_their_own_consent_through_the_portal(world, defender_user):
    record(defender_user, world.team_defender, "share_with_state", True, source="portal")
    assert consent_allows(world.team_defender, "share_with_state")
    with pytest.raises(ValidationError) as error:
        record(defender_user, world.team_defender, "register", True, source="defender_in_person")
    assert "source" in error.value.message_dict
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        record(defender_user, world.unassigned_defender, "register", True, source="portal")
    assert not ConsentRecord.objects.filter(defender=world.unassigned_defender).exists()
    assert AuditEvent.objects.count() == before


def test_validation(world, officer, ngo):
    cases = [
        ({"purpose": "share_with_entity", "granted": True}, "entity"),
        ({"purpose": "register", "granted": True, "entity": ngo}, "entity"),
        ({"purpose": "nonsense", "granted": True}, "purpose"),
        ({"purpose": "register", "granted": True, "source": "portal"}, "source"),
        ({"purpose": "register", "granted": True, "note": "x" * 2001}, "note"),
    ]
    for arguments, field in cases:
        arguments.setdefault("source", "defender_in_person")
        with pytest.raises(ValidationError) as error:
            consent_record(actor=officer, defender=world.team_defender, **arguments)
        assert field in error.value.message_dict
    assert ConsentRecord.objects.count() == 0


def test_the_registry_flags_write_consent_records(coordinator):
    data = DefenderData(
        name="Tomás Ibarra", country="CO", categories=["journalist"], consent_register=True
    )
    defender = defender_register(actor=coordinator, data=data)
    assert [(r.purpose, r.granted, r.source) for r in consent_history(defender)] == [
        ("register", True, "officer_on_behalf")
    ]
    data.consent_share_with_state = True
    defender_update(actor=coordinator, defender=defender, data=data)
    data.consent_share_with_state = False
    defender_update(actor=coordinator, defender=defender, data=data)
    assert [(r.purpose, r.granted) for r in consent_history(defender)] == [
        ("share_with_state", False),
        ("share_with_state", True),
        ("register", True),
    ]
    assert not consent_allows(defender, "share_with_state")
    assert consent_allows(defender, "register")


def test_withdrawing_consent_stops_future_disclosures(world, coordinator, police):
    from amparo.measures.services import DisclosureData, disclosure_create

    defender = world.team_defender
    record(coordinator, defender, "share_with_state", True)
    data = DisclosureData(to_entity=police, fields=["defender_code", "subdivision"])
    first = disclosure_create(actor=coordinator, defender=defender, data=data)
    assert first.basis == "consent"
    record(coordinator, defender, "share_with_state", False, source="defender_in_writing")
    with pytest.raises(ValidationError) as error:
        disclosure_create(actor=coordinator, defender=defender, data=data)
    assert "override_reason" in error.value.message_dict
