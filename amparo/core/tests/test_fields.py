"""Encrypted fields through the database: round trips of every kind, and every tampering refused."""

import datetime

import pytest
from django.core import serializers
from django.core.exceptions import FieldError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from amparo.core.crypto import DecryptionFailed, Kek, Keyring, KeyUnavailable, new_key
from amparo.core.fields import EncryptedField
from amparo.core.keys import set_keyring
from amparo.core.keystore import data_key_create
from amparo.core.models import DataKey
from amparo.incidents.models import Incident
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.models import Defender, Organisation, Person
from amparo.registry.services import DefenderData, PersonData, defender_register, person_create

db_settings = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)


def same(a, b):
    """Equal and of the same types all the way down (so 0 is not False and 1.0 is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def raw_column(table, column, code):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE code = %s", [code])  # noqa: S608
        value = cursor.fetchone()[0]
    return None if value is None else bytes(value)


def write_raw_column(table, column, code, value):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE code = %s", [value, code])  # noqa: S608


def fresh(defender):
    return Defender.objects.get(pk=defender.pk)


def register(actor, name, **extra):
    data = DefenderData(name=name, country="CO", categories=["journalist"], **extra)
    return defender_register(actor=actor, data=data)


@pytest.fixture
def defender(coordinator):
    return register(
        coordinator,
        "Ana Lucía Mejía",
        alias="La Profe",
        locality="Toribío",
        contacts={"phone": "+57 310 555 0101"},
    )


@pytest.fixture
def other_defender(coordinator):
    return register(coordinator, "Bernardo Quintero", alias="Berna", locality="Caldono")


class TestRoundTrips:
    @db_settings
    @given(value=st.text(max_size=300))
    @example(value="")
    @example(value="Ana Lucía Mejía 👩🏽‍🌾 " * 200)
    @example(value="مدافعة عن حقوق الإنسان \u202eRTL\u202c")
    @example(value="\x00nul\x00")
    def test_text(self, defender, value):
        defender.name = value
        defender.save(update_fields=["name"])

        assert fresh(defender).name == value
        stored = raw_column("registry_defender", "name", defender.code)
        assert stored is not None
        if len(value.encode()) >= 8:  # shorter byte strings turn up in random bytes by chance
            assert value.encode() not in stored

    @db_settings
    @given(value=json_values)
    @example(value={})
    @example(value=[])
    @example(value=0)
    @example(value=False)
    @example(value="")
    @example(value={"a": [{"b": {"c": [0, False, None, "", 1.5]}}]})
    def test_json(self, defender, value):
        defender.contacts = value
        defender.save(update_fields=["contacts"])

        assert same(fresh(defender).contacts, value)
        # JSON null is not stored: NULL means absent.
        stored = raw_column("registry_defender", "contacts", defender.code)
        assert (stored is None) is (value is None)

    def test_null_stays_none(self, coordinator):
        defender = register(coordinator, "Ana")

        assert raw_column("registry_defender", "alias", defender.code) is None
        assert raw_column("registry_defender", "locality", defender.code) is None
        assert fresh(defender).alias is None
        assert fresh(defender).locality is None

    def test_setting_none_writes_null(self, defender):
        defender.alias = None
        defender.save(update_fields=["alias"])

        assert raw_column("registry_defender", "alias", defender.code) is None
        assert fresh(defender).alias is None

    def test_empty_values_are_stored_not_dropped(self, coordinator):
        defender = register(coordinator, "Ana", contacts={})
        defender.alias = ""
        defender.save(update_fields=["alias"])

        assert raw_column("registry_defender", "alias", defender.code) is not None
        assert raw_column("registry_defender", "contacts", defender.code) is not None
        assert fresh(defender).alias == ""
        assert fresh(defender).contacts == {}

    def test_an_unchanged_value_is_saved_back_as_the_same_ciphertext(self, defender):
        before = raw_column("registry_defender", "name", defender.code)
        loaded = fresh(defender)
        assert loaded.name == "Ana Lucía Mejía"

        loaded.save()

        assert raw_column("registry_defender", "name", defender.code) == before

    def test_a_changed_value_gets_a_new_ciphertext(self, defender):
        before = raw_column("registry_defender", "name", defender.code)
        loaded = fresh(defender)
        loaded.name = "Ana Lucía Mejía"

        loaded.save()

        after = raw_column("registry_defender", "name", defender.code)
        assert after != before
        assert fresh(defender).name == "Ana Lucía Mejía"

    def test_deferred_fields_decrypt_when_loaded(self, defender):
        loaded = Defender.objects.only("code").get(pk=defender.pk)

        assert loaded.name == "Ana Lucía Mejía"
        assert loaded.contacts == {"phone": "+57 310 555 0101"}

    def test_values_list_gives_ciphertext_never_plaintext(self, defender):
        value = Defender.objects.filter(pk=defender.pk).values_list("name", flat=True).get()

        assert isinstance(value, bytes)
        assert "Ana Lucía".encode() not in value


class TestCodecs:
    """int, bool and date kinds have no model yet: the field's codec on an in-memory record."""

    @pytest.fixture
    def record(self, db):
        return Defender(code="HRD-T", data_key=data_key_create())

    @staticmethod
    def field(kind, name="probe"):
        field = EncryptedField(kind=kind)
        field.set_attributes_from_name(name)
        return field

    @db_settings
    @given(value=st.integers() | st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**40]))
    def test_int(self, record, value):
        field = self.field("int")
        decoded = field.decrypt(record, field.encrypt(record, value))
        assert decoded == value
        assert type(decoded) is int

    @pytest.mark.parametrize("value", [False, True])
    def test_bool(self, record, value):
        field = self.field("bool")
        assert field.decrypt(record, field.encrypt(record, value)) is value

    @db_settings
    @given(value=st.dates())
    def test_date(self, record, value):
        field = self.field("date")
        assert field.decrypt(record, field.encrypt(record, value)) == value

    @pytest.mark.parametrize(
        ("kind", "value"),
        [
            ("text", 5),
            ("text", b"bytes"),
            ("int", True),
            ("int", "5"),
            ("int", 5.0),
            ("bool", 1),
            ("bool", "true"),
            ("date", "2026-01-01"),
        ],
    )
    def test_a_value_of_the_wrong_kind_is_refused(self, record, kind, value):
        with pytest.raises(TypeError):
            self.field(kind).encrypt(record, value)

    def test_a_datetime_is_not_a_date(self, record):
        # Stored as a timestamp, it could never be read back as a date: refused up front.
        with pytest.raises(TypeError):
            self.field("date").encrypt(record, datetime.datetime(2026, 1, 1, 12, 0))

    def test_unknown_kind_is_refused(self):
        with pytest.raises(ValueError):
            EncryptedField(kind="float")

    def test_a_value_encrypted_for_one_column_does_not_open_in_another(self, record):
        blob = self.field("int", "score").encrypt(record, 7)

        with pytest.raises(DecryptionFailed):
            self.field("int", "other_score").decrypt(record, blob)

    def test_a_value_of_one_kind_does_not_decode_as_another_column(self, record):
        blob = self.field("bool", "flag").encrypt(record, False)

        with pytest.raises(DecryptionFailed):
            self.field("int", "score").decrypt(record, blob)

    def test_without_a_data_key_nothing_is_encrypted(self):
        organisation = Organisation(external_id="ORG-T", kind="community")
        with pytest.raises(KeyUnavailable):
            Organisation._meta.get_field("sealed_name").encrypt(organisation, "x")


class TestTampering:
    def test_ciphertext_moved_to_another_row(self, defender, other_defender):
        write_raw_column(
            "registry_defender",
            "name",
            other_defender.code,
            raw_column("registry_defender", "name", defender.code),
        )

        with pytest.raises(DecryptionFailed):
            fresh(other_defender).name  # noqa: B018
        assert fresh(defender).name == "Ana Lucía Mejía"

    def test_ciphertext_moved_between_rows_under_the_same_data_key(self, coordinator, defender):
        first = person_create(
            actor=coordinator,
            defender=defender,
            data=PersonData(name="Rosa Mejía", relation="parent"),
        )
        second = person_create(
            actor=coordinator,
            defender=defender,
            data=PersonData(name="Luis Mejía", relation="sibling"),
        )
        assert first.data_key_id == second.data_key_id
        Person.objects.filter(pk=second.pk).update(
            name=Person.objects.filter(pk=first.pk).values_list("name", flat=True).get()
        )

        with pytest.raises(DecryptionFailed):
            Person.objects.get(pk=second.pk).name  # noqa: B018
        assert Person.objects.get(pk=first.pk).name == "Rosa Mejía"

    def test_ciphertext_moved_to_another_column(self, defender):
        write_raw_column(
            "registry_defender",
            "alias",
            defender.code,
            raw_column("registry_defender", "name", defender.code),
        )

        with pytest.raises(DecryptionFailed):
            fresh(defender).alias  # noqa: B018

    def test_ciphertext_moved_to_another_table_under_the_same_data_key(self, coordinator, defender):
        incident = incident_record(
            actor=coordinator,
            data=IncidentData(
                date=datetime.date(2026, 3, 1),
                country="CO",
                violations=["threat"],
                victim_defenders=[defender],
                locality="Vereda El Palo",
            ),
        )
        assert incident.data_key_id == defender.data_key_id
        write_raw_column(
            "incidents_incident",
            "locality",
            incident.code,
            raw_column("registry_defender", "locality", defender.code),
        )

        with pytest.raises(DecryptionFailed):
            Incident.objects.get(pk=incident.pk).locality  # noqa: B018

    def test_row_pointed_at_another_data_key(self, defender, other_defender):
        Defender.objects.filter(pk=other_defender.pk).update(data_key=defender.data_key_id)

        with pytest.raises(DecryptionFailed):
            fresh(other_defender).name  # noqa: B018

    @pytest.mark.parametrize("position", [0, 1, 12, 13, -17, -1])
    def test_flipped_byte(self, defender, position):
        blob = bytearray(raw_column("registry_defender", "name", defender.code))
        blob[position] ^= 0x01
        write_raw_column("registry_defender", "name", defender.code, bytes(blob))

        with pytest.raises(DecryptionFailed):
            fresh(defender).name  # noqa: B018

    def test_truncated_ciphertext(self, defender):
        blob = raw_column("registry_defender", "name", defender.code)
        write_raw_column("registry_defender", "name", defender.code, blob[:20])

        with pytest.raises(DecryptionFailed):
            fresh(defender).name  # noqa: B018

    @pytest.mark.parametrize("planted", [b"Mallory", b"", b"Mallory" * 10])
    def test_plaintext_planted_in_the_column_is_not_accepted(self, defender, planted):
        write_raw_column("registry_defender", "name", defender.code, planted)

        with pytest.raises(DecryptionFailed):
            fresh(defender).name  # noqa: B018

    def test_a_data_key_row_wrapped_for_another_key_id(self, defender, other_defender):
        # Copying one data key's wrapped bytes onto another row does not hand over that key.
        source = DataKey.objects.get(pk=defender.data_key_id)
        fresh(defender).name  # noqa: B018  (warms the unwrap cache)
        DataKey.objects.filter(pk=other_defender.data_key_id).update(wrapped=source.wrapped)

        with pytest.raises(DecryptionFailed):
            fresh(other_defender).name  # noqa: B018


@pytest.mark.usefixtures("restore_keyring")
class TestKeys:
    def test_wrong_kek_fails_loudly(self, defender):
        set_keyring(Keyring(Kek(new_key())))

        with pytest.raises(KeyUnavailable):
            fresh(defender).name  # noqa: B018
        with pytest.raises(KeyUnavailable):
            fresh(defender).contacts  # noqa: B018

    def test_wrong_kek_under_the_stored_kek_id_fails_to_authenticate(self, defender):
        wrong = Kek(new_key())
        set_keyring(Keyring(wrong))
        DataKey.objects.filter(pk=defender.data_key_id).update(kek_id=wrong.id)

        with pytest.raises(DecryptionFailed):
            fresh(defender).name  # noqa: B018

    def test_no_kek_configured(self, defender):
        set_keyring(Keyring(None))

        with pytest.raises(KeyUnavailable) as caught:
            fresh(defender).name  # noqa: B018
        assert "No key-encryption key is configured" in str(caught.value)

    def test_no_kek_configured_refuses_to_write(self, coordinator):
        set_keyring(Keyring(None))
        before = Defender.objects.count()

        with pytest.raises(KeyUnavailable):
            register(coordinator, "Ana")
        assert Defender.objects.count() == before

    def test_the_right_kek_reads_again_after_a_wrong_one(self, defender):
        set_keyring(Keyring(Kek(new_key())))
        with pytest.raises(KeyUnavailable):
            fresh(defender).name  # noqa: B018

        set_keyring(None)

        assert fresh(defender).name == "Ana Lucía Mejía"


class TestPlaintextNeverReachesSql:
    def test_queryset_update(self, defender):
        before = raw_column("registry_defender", "name", defender.code)

        with pytest.raises(TypeError), transaction.atomic():
            Defender.objects.filter(pk=defender.pk).update(name="x")
        assert raw_column("registry_defender", "name", defender.code) == before

    @pytest.mark.parametrize("lookup", ["name", "name__exact", "name__in"])
    def test_filter(self, defender, lookup):
        value = ["Ana Lucía Mejía"] if lookup.endswith("__in") else "Ana Lucía Mejía"
        with pytest.raises(TypeError):
            list(Defender.objects.filter(**{lookup: value}))

    @pytest.mark.parametrize(
        "lookup",
        [
            "iexact",
            "contains",
            "icontains",
            "startswith",
            "istartswith",
            "endswith",
            "iendswith",
            "regex",
            "iregex",
            "gt",
            "gte",
            "lt",
            "lte",
            "range",
        ],
    )
    def test_other_lookups_are_not_offered_and_send_nothing(self, defender, lookup):
        value = ["CANARY-LOOKUP", "CANARY-LOOKUZ"] if lookup == "range" else "CANARY-LOOKUP"

        with CaptureQueriesContext(connection) as queries, pytest.raises(FieldError):
            list(Defender.objects.filter(**{f"name__{lookup}": value}))
        assert not any("CANARY-LOOKUP" in str(q) for q in queries.captured_queries)

    def test_json_key_lookups_are_not_offered(self, defender):
        with pytest.raises(FieldError):
            list(Defender.objects.filter(contacts__phone="+57 310 555 0101"))

    def test_exclude_and_json_lookups(self, defender):
        with pytest.raises(TypeError):
            list(Defender.objects.exclude(name="Ana Lucía Mejía"))
        with pytest.raises(TypeError):
            list(Defender.objects.filter(contacts={"phone": "+57 310 555 0101"}))

    def test_bulk_update(self, defender):
        before = raw_column("registry_defender", "name", defender.code)
        defender.name = "x"

        with pytest.raises(TypeError), transaction.atomic():
            Defender.objects.bulk_update([defender], ["name"])
        assert raw_column("registry_defender", "name", defender.code) == before

    def test_get_or_create_by_plaintext(self, defender):
        with pytest.raises(TypeError):
            Defender.objects.get_or_create(name="Ana Lucía Mejía")

    def test_serialisation(self, defender):
        with pytest.raises(TypeError):
            serializers.serialize("json", [fresh(defender)])

    def test_null_lookups_are_allowed(self, coordinator, defender):
        without_alias = register(coordinator, "Bernardo")

        assert list(Defender.objects.filter(alias__isnull=True)) == [without_alias]
        assert list(Defender.objects.filter(alias=None)) == [without_alias]

    def test_a_value_of_the_wrong_type_is_not_saved(self, defender):
        before = raw_column("registry_defender", "name", defender.code)
        loaded = fresh(defender)
        loaded.name = 42

        with pytest.raises(TypeError), transaction.atomic():
            loaded.save()
        assert raw_column("registry_defender", "name", defender.code) == before
