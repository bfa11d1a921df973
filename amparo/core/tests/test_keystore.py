"""Data keys: create, open, shred, and KEK rotation by rewrapping (T12)."""

import datetime

import pytest
from django.db import connection

from amparo.core.blind import blind_index
from amparo.core.crypto import DecryptionFailed, Kek, Keyring, KeyUnavailable, Shredded, new_key
from amparo.core.keys import TEST_KEK, set_keyring
from amparo.core.keystore import (
    data_key_create,
    data_key_open,
    data_key_shred,
    index_root_key,
    rewrap_all,
)
from amparo.core.models import DataKey
from amparo.incidents.models import Incident
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.models import Defender, Organisation, Person
from amparo.registry.selectors import DefenderFilters, defender_list
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    defender_register,
    defender_shred,
    organisation_create,
    person_create,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("restore_keyring")]

OLD = Kek(TEST_KEK)


def wrapped_of(data_key):
    return bytes(DataKey.objects.get(pk=data_key.pk).wrapped)


class TestDataKeys:
    def test_created_wrapped_under_the_current_kek(self):
        data_key = data_key_create()

        stored = DataKey.objects.get(pk=data_key.pk)
        assert stored.kek_id == OLD.id
        assert stored.purpose == DataKey.Purpose.SUBJECT
        assert len(bytes(stored.wrapped)) == 1 + 12 + 32 + 16
        assert len(data_key_open(stored)) == 32

    def test_each_data_key_is_different(self):
        first, second = data_key_create(), data_key_create()
        assert data_key_open(first) != data_key_open(second)
        assert data_key_open(first) not in wrapped_of(first)

    def test_shredded_key_cannot_be_opened(self):
        data_key = data_key_create()
        other = data_key_create()
        other_key = data_key_open(other)

        data_key_shred(data_key)

        stored = DataKey.objects.get(pk=data_key.pk)
        assert stored.wrapped is None
        assert stored.is_shredded is True
        assert stored.shredded_at is not None
        with pytest.raises(Shredded):
            data_key_open(stored)
        with pytest.raises(Shredded):
            data_key_open(data_key)
        assert data_key_open(DataKey.objects.get(pk=other.pk)) == other_key

    def test_shredding_forgets_the_unwrap_cache(self):
        data_key = data_key_create()
        data_key_open(data_key)
        stale = DataKey.objects.get(pk=data_key.pk)

        data_key_shred(data_key)

        # A copy loaded before the shred still holds the wrapped bytes in memory, but no
        # cached plaintext key survives: it must be unwrapped again from those bytes.
        from amparo.core.keys import get_keyring

        assert get_keyring()._unwrapped == {}
        assert stale.wrapped is not None

    def test_a_backup_from_before_the_shred_still_opens_until_it_expires(self, settings):
        # The documented caveat (docs/keys.md, "The backup horizon"): a copy of
        # the key table taken before the shred still holds the wrapped key, which the KEK opens.
        data_key = data_key_create()
        plain = data_key_open(data_key)
        backup = DataKey.objects.get(pk=data_key.pk)

        data_key_shred(data_key)

        with pytest.raises(Shredded):
            data_key_open(DataKey.objects.get(pk=data_key.pk))
        assert data_key_open(backup) == plain
        assert settings.AMPARO_BACKUP_RETENTION_DAYS == 35
        # Destroying the KEK epoch that wrapped it ends that, for every backup at once.
        set_keyring(Keyring(Kek(new_key())))
        with pytest.raises(KeyUnavailable):
            data_key_open(backup)

    def test_creating_a_data_key_without_a_kek_writes_nothing(self):
        set_keyring(Keyring(None))
        before = DataKey.objects.count()

        with pytest.raises(KeyUnavailable):
            data_key_create()
        assert DataKey.objects.count() == before


@pytest.fixture
def records(coordinator):
    """Defenders with a relative, an incident and a community organisation: every key kind."""
    community = organisation_create(
        actor=coordinator,
        data=OrganisationData(name="Consejo Comunitario La Toma", kind="community", country="CO"),
    )
    defenders = [
        defender_register(
            actor=coordinator,
            data=DefenderData(
                name=name,
                country="CO",
                categories=["land_environment"],
                contacts={"phone": phone},
                organisations=[community],
            ),
        )
        for name, phone in (
            ("Ana Lucía Mejía", "+57 310 555 0101"),
            ("Bernardo Quintero", "+57 310 555 0202"),
            ("Carmen Rosa Pérez", "+57 310 555 0303"),
        )
    ]
    person = person_create(
        actor=coordinator,
        defender=defenders[0],
        data=PersonData(name="Rosa Mejía", relation="parent"),
    )
    incident = incident_record(
        actor=coordinator,
        data=IncidentData(
            date=datetime.date(2026, 3, 1),
            country="CO",
            violations=["threat"],
            victim_defenders=[defenders[0]],
            narrative="Amenaza por panfleto.",
        ),
    )
    return {"defenders": defenders, "person": person, "incident": incident, "community": community}


def assert_all_readable(records):
    names = [Defender.objects.get(pk=d.pk).name for d in records["defenders"]]
    assert names == ["Ana Lucía Mejía", "Bernardo Quintero", "Carmen Rosa Pérez"]
    assert Person.objects.get(pk=records["person"].pk).name == "Rosa Mejía"
    assert Incident.objects.get(pk=records["incident"].pk).narrative == "Amenaza por panfleto."
    assert Organisation.objects.get(pk=records["community"].pk).sealed_name == (
        "Consejo Comunitario La Toma"
    )


class TestRotation:
    def test_rewrap_moves_every_live_key_to_the_new_kek(self, coordinator, records):
        shredded = records["defenders"][2]
        defender_shred(actor=coordinator, defender=shredded)
        new = Kek(new_key())
        live_before = DataKey.objects.filter(wrapped__isnull=False).count()
        set_keyring(Keyring(new, (OLD,)))

        counts = list(rewrap_all(batch_size=2))

        assert counts[-1] == live_before
        assert counts == [*range(2, live_before, 2), live_before]
        live = DataKey.objects.filter(wrapped__isnull=False)
        assert live.count() == live_before
        assert set(live.values_list("kek_id", flat=True)) == {new.id}
        assert DataKey.objects.get(pk=shredded.data_key_id).kek_id == OLD.id
        assert DataKey.objects.get(pk=shredded.data_key_id).wrapped is None

        set_keyring(Keyring(new))
        assert [Defender.objects.get(pk=d.pk).name for d in records["defenders"][:2]] == [
            "Ana Lucía Mejía",
            "Bernardo Quintero",
        ]
        assert Person.objects.get(pk=records["person"].pk).name == "Rosa Mejía"
        assert Incident.objects.get(pk=records["incident"].pk).narrative == (
            "Amenaza por panfleto."
        )
        assert Organisation.objects.get(pk=records["community"].pk).sealed_name == (
            "Consejo Comunitario La Toma"
        )
        with pytest.raises(Shredded):
            Defender.objects.get(pk=shredded.pk).name  # noqa: B018

        set_keyring(Keyring(OLD))
        with pytest.raises(KeyUnavailable):
            Defender.objects.get(pk=records["defenders"][0].pk).name  # noqa: B018
        with pytest.raises(KeyUnavailable):
            blind_index("defender.name", "Ana Lucía Mejía")

    def test_search_keeps_working_after_rotation(self, coordinator, records):
        digest = blind_index("defender.name", "Ana Lucía Mejía")
        new = Kek(new_key())
        set_keyring(Keyring(new, (OLD,)))
        list(rewrap_all())
        set_keyring(Keyring(new))

        assert blind_index("defender.name", "Ana Lucía Mejía") == digest
        found = defender_list(actor=coordinator, filters=DefenderFilters(query="ana lucia mejia"))
        assert [d.pk for d in found] == [records["defenders"][0].pk]

    def test_rewrap_is_idempotent(self, records):
        set_keyring(Keyring(Kek(new_key()), (OLD,)))
        first = list(rewrap_all())
        wrapped = dict(DataKey.objects.values_list("pk", "wrapped"))

        assert len(first) == 1
        assert list(rewrap_all()) == []
        assert {pk: bytes(w) for pk, w in DataKey.objects.values_list("pk", "wrapped")} == {
            pk: bytes(w) for pk, w in wrapped.items()
        }

    def test_rewrap_without_the_old_kek_fails_and_changes_nothing(self, records):
        before = {
            pk: (kek_id, bytes(w))
            for pk, kek_id, w in DataKey.objects.values_list("pk", "kek_id", "wrapped")
        }
        set_keyring(Keyring(Kek(new_key())))

        with pytest.raises(KeyUnavailable):
            list(rewrap_all())
        after = {
            pk: (kek_id, bytes(w))
            for pk, kek_id, w in DataKey.objects.values_list("pk", "kek_id", "wrapped")
        }
        assert after == before

    def test_rewrap_without_a_current_kek_is_refused(self, records):
        set_keyring(Keyring(None, (OLD,)))

        with pytest.raises(KeyUnavailable):
            list(rewrap_all())

    def test_rewrap_refuses_a_tampered_wrapped_key(self, records):
        target = records["defenders"][1].data_key
        blob = bytearray(wrapped_of(target))
        blob[-1] ^= 1
        DataKey.objects.filter(pk=target.pk).update(wrapped=bytes(blob))
        set_keyring(Keyring(Kek(new_key()), (OLD,)))

        with pytest.raises(DecryptionFailed):
            list(rewrap_all(batch_size=1000))
        assert set(DataKey.objects.values_list("kek_id", flat=True)) == {OLD.id}

    def test_index_root_is_rewrapped_too(self, records):
        root_before = index_root_key()
        new = Kek(new_key())
        set_keyring(Keyring(new, (OLD,)))
        list(rewrap_all())
        set_keyring(Keyring(new))

        root = DataKey.objects.get(purpose=DataKey.Purpose.INDEX)
        assert root.kek_id == new.id
        assert index_root_key() == root_before

    def test_the_kek_never_appears_in_the_key_table(self, records):
        with connection.cursor() as cursor:
            cursor.execute("SELECT kek_id, wrapped FROM core_datakey")
            rows = cursor.fetchall()
        for kek_id, wrapped in rows:
            assert TEST_KEK not in bytes(wrapped)
            assert kek_id == OLD.id
        assert_all_readable(records)
