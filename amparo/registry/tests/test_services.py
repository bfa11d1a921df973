"""Registry writes: what they store (sealed), how they index, validate, and shred (T12)."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from amparo.audit.models import AuditEvent
from amparo.core.crypto import Shredded
from amparo.core.models import DataKey
from amparo.incidents.models import Attachment, Incident
from amparo.incidents.presenters import present_incident
from amparo.incidents.services import (
    IncidentData,
    attachment_add,
    attachment_read,
    incident_record,
)
from amparo.registry.models import BlindIndex, Defender, Organisation, Person
from amparo.registry.presenters import present_defenders, present_persons
from amparo.registry.selectors import DefenderFilters, defender_duplicates, defender_list
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    defender_register,
    defender_shred,
    defender_update,
    organisation_create,
    organisation_update,
    person_create,
    person_update,
)

pytestmark = pytest.mark.django_db


def data(**overrides):
    values = {
        "name": "Ana Lucía Mejía",
        "country": "CO",
        "subdivision": "CO-CAU",
        "categories": ["land_environment", "community_leader"],
        "alias": "La Profe",
        "locality": "Toribío",
        "gender": "woman",
        "birth_year": 1980,
        "contacts": {"phone": "+57 310 555 0101", "email": "ana@example.org"},
    }
    return DefenderData(**{**values, **overrides})


def fresh(defender):
    return Defender.objects.get(pk=defender.pk)


def found(actor, query):
    return [d.code for d in defender_list(actor=actor, filters=DefenderFilters(query=query))]


def state():
    return {
        model.__name__: model.objects.count()
        for model in (Defender, Person, Organisation, BlindIndex, Incident, DataKey, AuditEvent)
    }


class TestRegister:
    def test_stores_everything_and_seals_the_identity(self, coordinator):
        defender = defender_register(actor=coordinator, data=data())

        loaded = fresh(defender)
        assert (loaded.name, loaded.alias, loaded.locality, loaded.contacts) == (
            "Ana Lucía Mejía",
            "La Profe",
            "Toribío",
            {"phone": "+57 310 555 0101", "email": "ana@example.org"},
        )
        assert (loaded.gender, loaded.birth_year, loaded.country, loaded.subdivision) == (
            "woman",
            1980,
            "CO",
            "CO-CAU",
        )
        assert loaded.category_codes == ["community_leader", "land_environment"]
        assert loaded.registered_on == datetime.date.today()
        assert loaded.external_id == loaded.code
        assert loaded.created_by_id == coordinator.pk
        assert loaded.case.lead_entity_id == coordinator.entity_id
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, alias, locality, contacts FROM registry_defender")
            (row,) = cursor.fetchall()
        raw = b"".join(bytes(column) for column in row)
        for plain in ("Ana Lucía", "La Profe", "Toribío", "555 0101", "ana@example.org"):
            assert plain.encode() not in raw

    def test_indexes_name_alias_phone_and_email(self, coordinator):
        defender = defender_register(actor=coordinator, data=data())

        assert sorted(defender.blind_indexes.values_list("purpose", flat=True)) == [
            "defender.email",
            "defender.name",
            "defender.name",
            "defender.phone",
        ]
        for query in ("ana lucia mejia", "LA PROFE", "573105550101", "ANA@example.org"):
            assert found(coordinator, query) == [defender.code], query
        assert found(coordinator, "Ana") == []

    def test_validation_names_every_bad_field_and_writes_nothing(self, coordinator):
        before = state()

        with pytest.raises(ValidationError) as caught:
            defender_register(
                actor=coordinator,
                data=data(
                    name="  ",
                    country="ZZ",
                    categories=["astronaut"],
                    gender="x",
                    status="y",
                    birth_year=1850,
                    contacts={"phone": 5},
                    registered_on=datetime.date(2999, 1, 1),
                ),
            )

        assert sorted(caught.value.message_dict) == [
            "birth_year",
            "categories",
            "contacts",
            "country",
            "gender",
            "name",
            "registered_on",
            "status",
            "subdivision",
        ]
        assert state() == before

    def test_a_subdivision_of_another_country_is_refused(self, coordinator):
        with pytest.raises(ValidationError) as caught:
            defender_register(actor=coordinator, data=data(subdivision="MX-OAX"))
        assert list(caught.value.message_dict) == ["subdivision"]


class TestUpdate:
    def test_changes_are_sealed_and_reindexed(self, coordinator):
        defender = defender_register(actor=coordinator, data=data())
        old_name = bytes(
            Defender.objects.filter(pk=defender.pk).values_list("name", flat=True).get()
        )

        changed = defender_update(
            actor=coordinator,
            defender=fresh(defender),
            data=data(name="Ana María Mejía", alias="", contacts={"signal": "+57 320 000 0000"}),
        )

        assert changed == ["name", "alias", "contacts"]
        loaded = fresh(defender)
        assert (loaded.name, loaded.alias, loaded.contacts) == (
            "Ana María Mejía",
            None,
            {"signal": "+57 320 000 0000"},
        )
        new_name = bytes(
            Defender.objects.filter(pk=defender.pk).values_list("name", flat=True).get()
        )
        assert new_name != old_name
        assert found(coordinator, "ana lucia mejia") == []
        assert found(coordinator, "la profe") == []
        assert found(coordinator, "573105550101") == []
        assert found(coordinator, "Ana María Mejía") == [defender.code]
        assert found(coordinator, "+573200000000") == [defender.code]

    def test_plain_fields_categories_and_organisations(self, coordinator):
        defender = defender_register(actor=coordinator, data=data())
        union = organisation_create(
            actor=coordinator, data=OrganisationData(name="Sindicato", kind="union", country="CO")
        )

        changed = defender_update(
            actor=coordinator,
            defender=fresh(defender),
            data=data(gender="non_binary", categories=["trade_unionist"], organisations=[union]),
        )

        assert changed == ["gender", "categories", "organisations"]
        loaded = fresh(defender)
        assert loaded.gender == "non_binary"
        assert loaded.category_codes == ["trade_unionist"]
        assert list(loaded.organisations.all()) == [union]

    def test_no_change_writes_nothing(self, coordinator):
        defender = defender_register(actor=coordinator, data=data())
        before = state()
        updated_at = fresh(defender).updated_at

        assert defender_update(actor=coordinator, defender=fresh(defender), data=data()) == []
        assert state() == before
        assert fresh(defender).updated_at == updated_at


class TestPersonsAndOrganisations:
    def test_person_is_sealed_under_the_defenders_key_and_indexed(self, coordinator):
        defender = defender_register(actor=coordinator, data=data())

        person = person_create(
            actor=coordinator,
            defender=defender,
            data=PersonData(name="Rosa Mejía", relation="parent"),
        )

        assert person.data_key_id == defender.data_key_id
        assert person.external_id.startswith(f"{defender.code}-P-")
        assert Person.objects.get(pk=person.pk).name == "Rosa Mejía"
        assert list(BlindIndex.objects.filter(person=person).values_list("purpose", flat=True)) == [
            "person.name"
        ]
        # A relative's name is not a defender's name: it is not found as one.
        assert found(coordinator, "Rosa Mejía") == []

        person_update(
            actor=coordinator,
            person=person,
            data=PersonData(name="Rosa Elena Mejía", relation="parent"),
        )
        assert Person.objects.get(pk=person.pk).name == "Rosa Elena Mejía"
        assert BlindIndex.objects.filter(person=person).count() == 1

    def test_sensitive_organisations_are_sealed(self, coordinator):
        community = organisation_create(
            actor=coordinator,
            data=OrganisationData(
                name="Consejo Comunitario La Toma", kind="community", country="CO"
            ),
        )
        ngo = organisation_create(
            actor=coordinator,
            data=OrganisationData(name="Comisión Colombiana de Juristas", kind="ngo", country="CO"),
        )

        stored = Organisation.objects.get(pk=community.pk)
        assert (stored.name, stored.sealed_name, stored.display_name) == (
            "",
            "Consejo Comunitario La Toma",
            "Consejo Comunitario La Toma",
        )
        assert stored.data_key_id is not None
        public = Organisation.objects.get(pk=ngo.pk)
        assert (public.name, public.sealed_name, public.data_key_id) == (
            "Comisión Colombiana de Juristas",
            None,
            None,
        )

    def test_an_organisation_becoming_sensitive_loses_its_plain_name(self, coordinator):
        organisation = organisation_create(
            actor=coordinator,
            data=OrganisationData(name="Red de Mujeres", kind="network", country="CO"),
        )

        organisation_update(
            actor=coordinator,
            organisation=organisation,
            data=OrganisationData(name="Red de Mujeres", kind="informal", country="CO"),
        )

        stored = Organisation.objects.get(pk=organisation.pk)
        assert (stored.name, stored.sealed_name) == ("", "Red de Mujeres")


@pytest.fixture
def shredded_world(coordinator):
    target = defender_register(actor=coordinator, data=data())
    bystander = defender_register(
        actor=coordinator,
        data=data(name="Bernardo Quintero", alias="", contacts={"phone": "+57 310 555 0202"}),
    )
    community = organisation_create(
        actor=coordinator,
        data=OrganisationData(name="Consejo Comunitario La Toma", kind="community", country="CO"),
    )
    relative = person_create(
        actor=coordinator, defender=target, data=PersonData(name="Rosa Mejía", relation="parent")
    )
    bystander_relative = person_create(
        actor=coordinator,
        defender=bystander,
        data=PersonData(name="Luis Quintero", relation="sibling"),
    )
    incident = incident_record(
        actor=coordinator,
        data=IncidentData(
            date=datetime.date(2026, 3, 1),
            country="CO",
            violations=["death_threat"],
            victim_defenders=[target, bystander],
            organisations=[community],
            narrative="Panfleto firmado.",
            locality="Vereda El Palo",
            sources=["testimonio"],
        ),
    )
    other_incident = incident_record(
        actor=coordinator,
        data=IncidentData(
            date=datetime.date(2026, 3, 2),
            country="CO",
            violations=["threat"],
            victim_defenders=[bystander],
            narrative="Llamada.",
        ),
    )
    attachment = attachment_add(
        actor=coordinator,
        incident=incident,
        upload=io.BytesIO(b"evidence bytes"),
        filename="acta.pdf",
        content_type="application/pdf",
    )
    mark = AuditEvent.objects.count()
    defender_shred(actor=coordinator, defender=target)
    return {
        "target": target,
        "bystander": bystander,
        "relative": relative,
        "bystander_relative": bystander_relative,
        "incident": incident,
        "other_incident": other_incident,
        "attachment": attachment,
        "community": community,
        "mark": mark,
    }


class TestShred:
    def test_identity_is_gone(self, shredded_world):
        target = fresh(shredded_world["target"])

        assert target.is_shredded is True
        assert DataKey.objects.get(pk=target.data_key_id).wrapped is None
        for field in ("name", "alias", "locality", "contacts"):
            with pytest.raises(Shredded):
                getattr(fresh(target), field)

    def test_relatives_incidents_and_evidence_sealed_under_the_key_are_gone(
        self, coordinator, shredded_world
    ):
        with pytest.raises(Shredded):
            Person.objects.get(pk=shredded_world["relative"].pk).name  # noqa: B018
        incident = Incident.objects.get(pk=shredded_world["incident"].pk)
        with pytest.raises(Shredded):
            incident.narrative  # noqa: B018
        with pytest.raises(Shredded):
            attachment_read(
                actor=coordinator,
                attachment=Attachment.objects.get(pk=shredded_world["attachment"].pk),
            )

        view = present_incident(coordinator, incident, via="page")

        assert (view.sealed, view.details_shown) == (True, False)
        assert (view.narrative, view.locality, view.perpetrator_detail, view.sources) == (
            None,
            None,
            None,
            [],
        )
        assert view.violations == ["death_threat"]
        assert [(v.ref, v.label) for v in view.victims] == [
            (shredded_world["target"].code, None),
            (shredded_world["bystander"].code, "Bernardo Quintero"),
        ]

    def test_search_and_duplicates_no_longer_find_them(self, coordinator, shredded_world):
        target = shredded_world["target"]

        assert BlindIndex.objects.filter(defender=target).count() == 0
        for query in ("Ana Lucía Mejía", "la profe", "573105550101", "ana@example.org"):
            assert found(coordinator, query) == [], query
        assert defender_duplicates(actor=coordinator, name="Ana Lucía Mejía") == []
        assert found(coordinator, target.code) == [target.code]

    def test_the_stub_stays_for_counts_and_shows_no_identity(self, coordinator, shredded_world):
        target = fresh(shredded_world["target"])
        mark = AuditEvent.objects.count()

        (view,) = present_defenders(coordinator, [target], via="page")
        (relative,) = present_persons(
            coordinator, [Person.objects.get(pk=shredded_world["relative"].pk)], via="page"
        )

        assert (view.code, view.shredded, view.identity_shown, view.name) == (
            target.code,
            True,
            False,
            None,
        )
        assert relative.name is None
        assert AuditEvent.objects.count() == mark
        assert defender_list(actor=coordinator).count() == 2

    def test_import_digests_of_everything_sealed_under_the_key_are_gone(self, coordinator):
        # An import digest is a keyed hash of the whole record: it would confirm a guess.
        target = defender_register(actor=coordinator, data=data(), digest="d" * 64)
        relative = person_create(
            actor=coordinator,
            defender=target,
            digest="p" * 64,
            data=PersonData(name="Rosa Mejía", relation="parent"),
        )
        incident = incident_record(
            actor=coordinator,
            digest="i" * 64,
            data=IncidentData(
                date=datetime.date(2026, 3, 1),
                country="CO",
                violations=["threat"],
                victim_defenders=[target],
            ),
        )
        bystander = defender_register(actor=coordinator, data=data(name="Otra"), digest="o" * 64)

        defender_shred(actor=coordinator, defender=target)

        assert fresh(target).digest == ""
        assert Person.objects.get(pk=relative.pk).digest == ""
        assert Incident.objects.get(pk=incident.pk).digest == ""
        assert fresh(bystander).digest == "o" * 64

    def test_one_audit_event(self, shredded_world):
        events = list(AuditEvent.objects.filter(seq__gt=shredded_world["mark"]))
        assert [(e.action, e.object_id, e.detail) for e in events] == [
            (
                "defender.shred",
                str(shredded_world["target"].pk),
                {"code": shredded_world["target"].code},
            )
        ]

    def test_others_are_unaffected(self, coordinator, shredded_world):
        bystander = fresh(shredded_world["bystander"])

        assert (bystander.name, bystander.contacts) == (
            "Bernardo Quintero",
            {"phone": "+57 310 555 0202"},
        )
        assert Person.objects.get(pk=shredded_world["bystander_relative"].pk).name == (
            "Luis Quintero"
        )
        assert Incident.objects.get(pk=shredded_world["other_incident"].pk).narrative == (
            "Llamada."
        )
        assert Organisation.objects.get(pk=shredded_world["community"].pk).sealed_name == (
            "Consejo Comunitario La Toma"
        )
        assert found(coordinator, "bernardo quintero") == [bystander.code]
        assert (
            present_incident(
                coordinator,
                Incident.objects.get(pk=shredded_world["other_incident"].pk),
                via="page",
            ).narrative
            == "Llamada."
        )

    def test_shredding_twice_changes_nothing(self, coordinator, shredded_world):
        before = state()
        defender_shred(actor=coordinator, defender=fresh(shredded_world["target"]))
        assert state() == before

    def test_no_new_incident_can_be_sealed_under_a_shredded_key(self, coordinator, shredded_world):
        before = state()
        with pytest.raises(ValidationError) as caught:
            incident_record(
                actor=coordinator,
                data=IncidentData(
                    date=datetime.date(2026, 3, 3),
                    country="CO",
                    violations=["threat"],
                    victim_defenders=[fresh(shredded_world["target"])],
                ),
            )
        assert list(caught.value.message_dict) == ["victims"]
        assert state() == before


class TestPresentingWhatCannotBeDecrypted:
    """A missing key or a forged ciphertext shows nothing, is not audited as a read, and is not
    passed off as shredded (which would hide tampering behind a deliberate erasure)."""

    @pytest.fixture
    def defender(self, coordinator):
        return defender_register(actor=coordinator, data=data())

    def present(self, actor, defender):
        mark = AuditEvent.objects.count()
        (view,) = present_defenders(actor, [fresh(defender)], via="page")
        return view, AuditEvent.objects.count() - mark

    def test_a_forged_ciphertext(self, coordinator, defender, caplog):
        Defender.objects.filter(pk=defender.pk).update(
            alias=bytes(
                Defender.objects.filter(pk=defender.pk).values_list("name", flat=True).get()
            )
        )

        view, events = self.present(coordinator, defender)

        assert (view.name, view.alias, view.contacts, view.identity_shown, view.shredded) == (
            None,
            None,
            {},
            False,
            False,
        )
        assert events == 0
        assert [
            r.getMessage() for r in caplog.records if r.name == "amparo.registry.presenters"
        ] == [f"Cannot decrypt defender {defender.code}: DecryptionFailed"]

    @pytest.mark.usefixtures("restore_keyring")
    def test_no_key(self, coordinator, defender):
        from amparo.core.crypto import Keyring
        from amparo.core.keys import set_keyring

        set_keyring(Keyring(None))

        view, events = self.present(coordinator, defender)

        assert (view.name, view.identity_shown, view.shredded) == (None, False, False)
        assert events == 0
