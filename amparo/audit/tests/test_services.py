"""Audit completeness: each service write leaves exactly its events, in its own transaction (T5)."""

import datetime
import hashlib
import io
import json

import pytest
from django.db import transaction

from amparo.audit.chain import GENESIS
from amparo.audit.models import AuditEvent
from amparo.audit.selectors import audit_event_list, audit_verify
from amparo.audit.services import PendingEvent, audit_read, audit_record, audit_record_many
from amparo.core.context import request_id
from amparo.incidents.presenters import present_incident, present_incidents
from amparo.incidents.services import (
    IncidentData,
    attachment_add,
    attachment_read,
    incident_record,
    incident_update,
)
from amparo.registry.models import Defender
from amparo.registry.presenters import present_defenders, present_persons
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    case_set_restricted,
    case_set_team,
    defender_register,
    defender_shred,
    defender_update,
    organisation_create,
    organisation_update,
    person_create,
    person_update,
)

pytestmark = pytest.mark.django_db


class Events:
    """The events written since a mark."""

    def __init__(self):
        self.since = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    def rows(self):
        return list(AuditEvent.objects.filter(seq__gt=self.since).order_by("seq"))

    def actions(self):
        return [e.action for e in self.rows()]

    def pairs(self):
        return [(e.action, e.object_id) for e in self.rows()]


@pytest.fixture
def events(db):
    return Events


def defender_data(**overrides):
    values = {
        "name": "Ana Lucía Mejía",
        "country": "CO",
        "categories": ["journalist"],
        "contacts": {"phone": "+57 310 555 0101"},
    }
    return DefenderData(**{**values, **overrides})


@pytest.fixture
def defender(coordinator):
    return defender_register(actor=coordinator, data=defender_data())


def incident_data(defender, **overrides):
    values = {
        # Recent: a new fact for amparo.risk, which opens a re-evaluation task.
        "date": datetime.date.today() - datetime.timedelta(days=3),
        "country": "CO",
        "violations": ["threat"],
        "victim_defenders": [defender],
        "narrative": "Panfleto.",
    }
    return IncidentData(**{**values, **overrides})


class TestServiceWrites:
    def test_register_by_a_coordinator(self, coordinator):
        mark = Events()

        defender = defender_register(actor=coordinator, data=defender_data())

        assert mark.pairs() == [
            ("case.create", str(defender.case_id)),
            ("defender.create", str(defender.pk)),
        ]
        created = mark.rows()[1]
        assert created.object_type == "defender"
        assert created.fields == sorted(
            [
                "name",
                "alias",
                "locality",
                "contacts",
                "gender",
                "birth_year",
                "country",
                "subdivision",
                "status",
                "registered_on",
                "consent_register",
                "consent_share_with_state",
                "categories",
                "organisations",
                "case",
            ]
        )
        assert created.detail == {"code": defender.code, "case": defender.case.code}
        assert (
            created.actor_id,
            created.actor_label,
            created.actor_role,
            created.actor_entity_id,
        ) == (coordinator.pk, "coordinator", "coordinator", coordinator.entity_id)

    def test_register_into_an_existing_case(self, coordinator, defender):
        mark = Events()

        second = defender_register(
            actor=coordinator, data=defender_data(name="Rosa"), case=defender.case
        )

        assert mark.pairs() == [("defender.create", str(second.pk))]

    def test_update_records_the_changed_field_names_only(self, coordinator, defender):
        mark = Events()

        changed = defender_update(
            actor=coordinator,
            defender=defender,
            data=defender_data(alias="La Profe", status="relocated"),
        )

        assert changed == ["status", "alias"]
        assert mark.pairs() == [("defender.update", str(defender.pk))]
        assert mark.rows()[0].fields == ["alias", "status"]
        assert mark.rows()[0].detail == {}

    def test_update_without_a_change_writes_no_event(self, coordinator, defender):
        mark = Events()

        assert (
            defender_update(
                actor=coordinator,
                defender=Defender.objects.get(pk=defender.pk),
                data=defender_data(),
            )
            == []
        )
        assert mark.pairs() == []

    def test_case_team_and_restriction(self, coordinator, officer, defender):
        mark = Events()

        case_set_team(actor=coordinator, case=defender.case, members=[officer])
        case_set_restricted(actor=coordinator, case=defender.case, restricted=True)
        case_set_restricted(actor=coordinator, case=defender.case, restricted=True)
        case_set_restricted(actor=coordinator, case=defender.case, restricted=False)

        case_id = str(defender.case_id)
        assert mark.pairs() == [
            ("case.team", case_id),
            ("case.restrict", case_id),
            ("case.unrestrict", case_id),
        ]
        assert mark.rows()[0].detail == {"added": [officer.pk], "removed": []}

    def test_persons_and_organisations(self, coordinator, defender):
        mark = Events()

        person = person_create(
            actor=coordinator,
            defender=defender,
            data=PersonData(name="Rosa Mejía", relation="parent"),
        )
        assert (
            person_update(
                actor=coordinator,
                person=person,
                data=PersonData(name="Rosa Mejía", relation="parent"),
            )
            == []
        )
        person_update(
            actor=coordinator, person=person, data=PersonData(name="Rosa Mejía", relation="sibling")
        )
        organisation = organisation_create(
            actor=coordinator, data=OrganisationData(name="Cabildo", kind="community", country="CO")
        )
        organisation_update(
            actor=coordinator,
            organisation=organisation,
            data=OrganisationData(name="Cabildo Norte", kind="community", country="CO"),
        )

        assert mark.pairs() == [
            ("person.create", str(person.pk)),
            ("person.update", str(person.pk)),
            ("organisation.create", str(organisation.pk)),
            ("organisation.update", str(organisation.pk)),
        ]
        assert mark.rows()[0].detail == {"defender": defender.code}
        assert mark.rows()[1].fields == ["relation"]
        assert mark.rows()[3].fields == ["name"]

    def test_incident_and_attachment(self, coordinator, defender):
        mark = Events()

        incident = incident_record(actor=coordinator, data=incident_data(defender))
        assert (
            incident_update(actor=coordinator, incident=incident, data=incident_data(defender))
            == []
        )
        incident_update(
            actor=coordinator,
            incident=incident,
            data=incident_data(defender, verification="corroborated"),
        )
        attachment = attachment_add(
            actor=coordinator,
            incident=incident,
            upload=io.BytesIO(b"%PDF-1.7 evidence"),
            filename="acta.pdf",
            content_type="application/pdf",
        )
        assert attachment_read(actor=coordinator, attachment=attachment) == b"%PDF-1.7 evidence"

        from amparo.coordination.models import Task

        reevaluation = Task.objects.get(kind="reevaluation")  # a new fact: re-evaluate the risk
        assert mark.pairs() == [
            ("incident.create", str(incident.pk)),
            ("task.create", str(reevaluation.pk)),
            ("incident.update", str(incident.pk)),
            ("attachment.create", str(attachment.pk)),
            ("attachment.read", str(attachment.pk)),
        ]
        rows = mark.rows()
        assert rows[0].detail == {"code": incident.code, "case": defender.case.code}
        assert rows[2].fields == ["verification"]
        assert rows[3].detail == {
            "incident": incident.code,
            "sha256": hashlib.sha256(b"%PDF-1.7 evidence").hexdigest(),
            "size": 17,
        }

    def test_shred(self, coordinator, defender):
        mark = Events()

        defender_shred(actor=coordinator, defender=defender)
        defender_shred(actor=coordinator, defender=defender)

        assert mark.pairs() == [("defender.shred", str(defender.pk))]
        assert mark.rows()[0].detail == {"code": defender.code}

    def test_a_rolled_back_transaction_leaves_no_event_and_no_row(self, coordinator):
        mark = Events()
        defenders = Defender.objects.count()

        with pytest.raises(RuntimeError), transaction.atomic():
            defender_register(actor=coordinator, data=defender_data())
            assert mark.actions() == ["case.create", "defender.create"]
            raise RuntimeError("the surrounding work failed")

        assert mark.pairs() == []
        assert Defender.objects.count() == defenders
        assert audit_verify().ok is True

    def test_a_failed_validation_leaves_no_event(self, coordinator):
        from django.core.exceptions import ValidationError

        mark = Events()
        with pytest.raises(ValidationError):
            defender_register(actor=coordinator, data=defender_data(country="ZZ"))
        assert mark.pairs() == []

    def test_the_chain_verifies_after_all_of_it(self, coordinator, officer, defender):
        case_set_team(actor=coordinator, case=defender.case, members=[officer])
        incident_record(actor=officer, data=incident_data(defender))
        present_defenders(coordinator, [defender], via="page")
        defender_shred(actor=coordinator, defender=defender)

        result = audit_verify()

        assert result.ok is True
        assert result.checked == AuditEvent.objects.count()


class TestSensitiveReads:
    def test_one_read_event_per_presented_defender(self, coordinator):
        defenders = [
            defender_register(actor=coordinator, data=defender_data(name=n))
            for n in ("Ana", "Berta", "Carla")
        ]
        mark = Events()

        views = present_defenders(coordinator, defenders, via="list")

        assert [v.name for v in views] == ["Ana", "Berta", "Carla"]
        assert mark.pairs() == [("defender.read", str(d.pk)) for d in defenders]
        assert {tuple(e.fields) for e in mark.rows()} == {("alias", "contacts", "locality", "name")}
        assert {json.dumps(e.detail) for e in mark.rows()} == {'{"via": "list"}'}

    def test_no_read_event_for_an_analyst(self, analyst, defender):
        mark = Events()

        (view,) = present_defenders(analyst, [defender], via="page")

        assert (view.name, view.alias, view.contacts, view.identity_shown) == (
            None,
            None,
            {},
            False,
        )
        assert mark.pairs() == []

    def test_no_read_event_for_a_shredded_defender(self, coordinator, defender):
        defender_shred(actor=coordinator, defender=defender)
        mark = Events()

        (view,) = present_defenders(coordinator, [Defender.objects.get(pk=defender.pk)], via="page")

        assert (view.name, view.shredded, view.identity_shown) == (None, True, False)
        assert mark.pairs() == []

    def test_incident_reads(self, coordinator, analyst, defender):
        person = person_create(
            actor=coordinator, defender=defender, data=PersonData(name="Rosa", relation="parent")
        )
        incident = incident_record(
            actor=coordinator, data=incident_data(defender, victim_persons=[person])
        )
        mark = Events()

        view = present_incident(coordinator, incident, via="page")

        assert view.narrative == "Panfleto."
        assert [(v.kind, v.label) for v in view.victims] == [
            ("defender", "Ana Lucía Mejía"),
            ("person", "Rosa"),
        ]
        assert mark.pairs() == [
            ("defender.read", str(defender.pk)),
            ("person.read", str(person.pk)),
            ("incident.read", str(incident.pk)),
        ]

        mark = Events()
        (seen,) = present_incidents(analyst, [incident], via="list")
        assert (seen.narrative, seen.details_shown) == (None, False)
        assert mark.pairs() == []

    def test_person_reads(self, coordinator, analyst, defender):
        person = person_create(
            actor=coordinator, defender=defender, data=PersonData(name="Rosa", relation="parent")
        )
        mark = Events()

        assert [v.name for v in present_persons(coordinator, [person], via="page")] == ["Rosa"]
        assert [v.name for v in present_persons(analyst, [person], via="page")] == [None]
        assert mark.pairs() == [("person.read", str(person.pk))]


class TestRecorder:
    def test_events_of_one_call_share_a_timestamp_and_chain_in_order(self, system):
        rows = audit_record_many(
            system, [PendingEvent("a.one"), PendingEvent("a.two"), PendingEvent("a.three")]
        )

        assert [r.action for r in rows] == ["a.one", "a.two", "a.three"]
        assert len({r.occurred_at for r in rows}) == 1
        assert rows[1].prev_hash == rows[0].hash
        assert rows[2].prev_hash == rows[1].hash
        assert [r.seq for r in rows] == [rows[0].seq, rows[0].seq + 1, rows[0].seq + 2]

    def test_the_first_event_links_to_genesis(self, system):
        assert AuditEvent.objects.count() == 0
        event = audit_record(system, "first")
        assert (event.seq, event.prev_hash) == (1, GENESIS)

    def test_nothing_to_record_writes_nothing(self, system):
        assert audit_record_many(system, []) == []
        audit_read(system, "defender", [], fields=["name"], via="page")
        assert AuditEvent.objects.count() == 0

    @pytest.mark.parametrize("anonymous", [None, "AnonymousUser"])
    def test_anonymous_actor(self, anonymous):
        from django.contrib.auth.models import AnonymousUser

        actor = AnonymousUser() if anonymous else None
        event = audit_record(actor, "login.failed")
        assert (event.actor_id, event.actor_label, event.actor_role, event.actor_entity_id) == (
            None,
            "anonymous",
            "anonymous",
            None,
        )

    def test_system_actor(self, system):
        event = audit_record(system, "command.run")
        assert (event.actor_id, event.actor_label, event.actor_role) == (
            None,
            "test:system",
            "system",
        )

    def test_request_id_is_attached(self, system):
        token = request_id.set("6f1c2b9e-0000-4000-8000-000000000000")
        try:
            event = audit_record(system, "x.y")
        finally:
            request_id.reset(token)
        assert event.request_id == "6f1c2b9e-0000-4000-8000-000000000000"
        assert AuditEvent.objects.get(seq=event.seq).request_id == event.request_id

    def test_stored_events_match_what_was_hashed(self, system):
        event = audit_record(
            system, "x.y", object_id=123, fields=["b", "a"], detail={"k": "ñ ✓", "n": [1, 2]}
        )
        stored = AuditEvent.objects.get(seq=event.seq)
        assert (stored.object_id, stored.fields, stored.detail) == (
            "123",
            ["a", "b"],
            {"k": "ñ ✓", "n": [1, 2]},
        )
        assert audit_verify().ok is True

    def test_event_list_filters(self, system, coordinator, defender):
        present_defenders(coordinator, [defender], via="page")

        reads = audit_event_list(object_type="defender", object_id=str(defender.pk))
        assert [e.action for e in reads] == ["defender.read", "defender.create"]
        assert [e.action for e in audit_event_list(actor_id=coordinator.pk, action="defender")] == [
            "defender.read",
            "defender.create",
        ]
