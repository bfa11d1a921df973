"""Blind indexes: deterministic, normalised, separated by purpose and by index root (T4)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amparo.core import keystore
from amparo.core.blind import blind_index, normalise_email, normalise_name, normalise_phone
from amparo.core.crypto import Kek, Keyring, KeyUnavailable, new_key
from amparo.core.keys import set_keyring
from amparo.core.models import DataKey

pytestmark = pytest.mark.django_db

db_settings = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ü", "n": "ñ", "c": "ç"}


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Tomás  Pérez", "tomas perez"),
        ("TOMÁS PÉREZ", "tomas perez"),
        ("  Tomás\tPérez\n", "tomas perez"),
        ("Tomás-Pérez", "tomas perez"),
        ("María José O'Neill", "maria jose o neill"),
        ("Ñandú Çelik", "nandu celik"),
    ],
)
def test_names_that_differ_only_in_accents_case_spacing_and_punctuation_match(left, right):
    assert normalise_name(left) == right
    assert blind_index("defender.name", left) == blind_index("defender.name", right)


@pytest.mark.parametrize(
    "phone",
    [
        "+57 310 555 0101",
        "+57 (310) 555-0101",
        "0057 310 555 0101",
        "57.310.555.0101",
        "573105550101",
    ],
)
def test_phone_formats_match(phone):
    assert normalise_phone(phone) == "573105550101"
    assert blind_index("defender.phone", phone) == blind_index("defender.phone", "573105550101")


def test_emails_match_regardless_of_case_and_surrounding_space():
    assert normalise_email("  Ana.Mejia@Example.ORG ") == "ana.mejia@example.org"
    assert blind_index("defender.email", "  Ana.Mejia@Example.ORG ") == blind_index(
        "defender.email", "ana.mejia@example.org"
    )


def test_different_names_do_not_match():
    assert blind_index("defender.name", "Tomás Pérez") != blind_index(
        "defender.name", "Tomás Peres"
    )


@db_settings
@given(
    words=st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
        min_size=1,
        max_size=4,
    ),
    data=st.data(),
)
def test_normalisation_property(words, data):
    plain = " ".join(words)
    variant = data.draw(
        st.sampled_from(
            [
                "  ".join(w.upper() for w in words),
                " ".join("".join(ACCENTED.get(ch, ch) for ch in w) for w in words),
                "\t" + " - ".join(w.title() for w in words) + " .",
            ]
        )
    )

    assert blind_index("defender.name", variant) == blind_index("defender.name", plain)


@db_settings
@given(value=st.text(min_size=1, max_size=60))
def test_deterministic_and_opaque(value):
    digest = blind_index("defender.name", value)
    if digest is None:
        assert normalise_name(value) == ""
        return
    assert digest == blind_index("defender.name", value)
    assert len(digest) == 32
    assert int(digest, 16) >= 0
    assert normalise_name(value) not in digest or len(normalise_name(value)) < 12


def test_the_same_value_under_different_purposes_gives_different_digests():
    digests = {
        purpose: blind_index(purpose, "Ana Mejía")
        for purpose in ("defender.name", "person.name", "organisation.name")
    }
    assert len(set(digests.values())) == 3
    assert blind_index("defender.phone", "3105550101") != blind_index("person.phone", "3105550101")


@pytest.mark.parametrize(
    ("purpose", "value"),
    [
        ("defender.name", ""),
        ("defender.name", " -- ! "),
        ("defender.phone", "no digits"),
        ("defender.email", "   "),
    ],
)
def test_nothing_left_after_normalising_gives_no_index(purpose, value):
    assert blind_index(purpose, value) is None


def test_a_different_index_root_gives_different_digests():
    before = blind_index("defender.name", "Ana Mejía")
    DataKey.objects.filter(purpose=DataKey.Purpose.INDEX).delete()

    after = blind_index("defender.name", "Ana Mejía")

    assert after is not None
    assert after != before
    assert DataKey.objects.filter(purpose=DataKey.Purpose.INDEX).count() == 1


def test_the_index_root_is_a_wrapped_data_key_created_once():
    blind_index("defender.name", "Ana")
    blind_index("defender.phone", "310")

    root = DataKey.objects.get(purpose=DataKey.Purpose.INDEX)
    assert root.wrapped is not None
    assert keystore.index_root_key() not in bytes(root.wrapped)


@pytest.mark.usefixtures("restore_keyring")
def test_without_a_kek_no_index_is_computed_even_from_a_warm_cache():
    blind_index("defender.name", "Ana Mejía")
    set_keyring(Keyring(None))

    with pytest.raises(KeyUnavailable):
        blind_index("defender.name", "Ana Mejía")


@pytest.mark.usefixtures("restore_keyring")
def test_with_a_wrong_kek_no_index_is_computed_even_from_a_warm_cache():
    blind_index("defender.name", "Ana Mejía")
    set_keyring(Keyring(Kek(new_key())))

    with pytest.raises(KeyUnavailable):
        blind_index("defender.name", "Ana Mejía")
