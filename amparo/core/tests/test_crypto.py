"""AES-256-GCM sealing, KEK handling and the keyring: properties that hold for any input (T4)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amparo.core.crypto import (
    CIPHERTEXT_VERSION,
    NONCE_BYTES,
    DecryptionFailed,
    Kek,
    Keyring,
    KeyUnavailable,
    decode_key,
    derive_subkey,
    encode_key,
    kek_id_for,
    keyed_digest,
    new_key,
    seal,
    unseal,
)

keys = st.binary(min_size=32, max_size=32)
payloads = st.binary(max_size=2048)
aads = st.binary(max_size=256)


@given(key=keys, plaintext=payloads, aad=aads)
def test_seal_then_unseal_returns_the_plaintext(key, plaintext, aad):
    blob = seal(key, plaintext, aad)

    assert unseal(key, blob, aad) == plaintext
    assert blob[0] == CIPHERTEXT_VERSION
    assert len(blob) == 1 + NONCE_BYTES + len(plaintext) + 16


@given(key=keys, plaintext=payloads, aad=aads)
def test_sealing_twice_gives_different_ciphertexts(key, plaintext, aad):
    assert seal(key, plaintext, aad) != seal(key, plaintext, aad)


@given(key=keys, plaintext=payloads, aad=aads, other_aad=aads)
def test_other_associated_data_is_rejected(key, plaintext, aad, other_aad):
    blob = seal(key, plaintext, aad)
    if other_aad != aad:
        with pytest.raises(DecryptionFailed):
            unseal(key, blob, other_aad)


@given(key=keys, other=keys, plaintext=payloads, aad=aads)
def test_other_key_is_rejected(key, other, plaintext, aad):
    blob = seal(key, plaintext, aad)
    if other != key:
        with pytest.raises(DecryptionFailed):
            unseal(other, blob, aad)


@given(key=keys, plaintext=payloads, aad=aads, data=st.data())
def test_every_flipped_bit_is_rejected(key, plaintext, aad, data):
    blob = bytearray(seal(key, plaintext, aad))
    position = data.draw(st.integers(0, len(blob) - 1), label="position")
    bit = data.draw(st.integers(0, 7), label="bit")
    blob[position] ^= 1 << bit

    with pytest.raises(DecryptionFailed):
        unseal(key, bytes(blob), aad)


@given(key=keys, plaintext=payloads, aad=aads, data=st.data())
def test_every_truncation_is_rejected(key, plaintext, aad, data):
    blob = seal(key, plaintext, aad)
    length = data.draw(st.integers(0, len(blob) - 1), label="length")

    with pytest.raises(DecryptionFailed):
        unseal(key, blob[:length], aad)


@given(key=keys, plaintext=payloads, aad=aads, extra=st.binary(min_size=1, max_size=32))
def test_appended_bytes_are_rejected(key, plaintext, aad, extra):
    with pytest.raises(DecryptionFailed):
        unseal(key, seal(key, plaintext, aad) + extra, aad)


def test_error_messages_hold_no_plaintext_or_key():
    key = new_key()
    blob = seal(key, b"Ana Lucia Mejia", b"aad")
    with pytest.raises(DecryptionFailed) as caught:
        unseal(key, blob, b"other")
    message = str(caught.value)
    assert message == "The ciphertext does not authenticate."
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__ is True


@given(key=keys)
def test_key_encoding_round_trips(key):
    assert decode_key(encode_key(key)) == key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not base64 at all!", "The key is not valid base64."),
        (encode_key(b"short"), "The key must be 32 bytes."),
        (encode_key(b"x" * 33), "The key must be 32 bytes."),
        ("", "The key must be 32 bytes."),
        ("ñ", "The key is not valid base64."),
    ],
)
def test_bad_keys_are_refused(text, message):
    with pytest.raises(KeyUnavailable) as caught:
        decode_key(text)
    assert str(caught.value) == message


def test_kek_id_is_stable_short_and_distinct():
    key = b"k" * 32
    assert kek_id_for(key) == kek_id_for(b"k" * 32)
    assert len(kek_id_for(key)) == 16
    assert kek_id_for(key) != kek_id_for(b"j" * 32)
    assert Kek(key).id == kek_id_for(key)
    assert "kkkk" not in repr(Kek(key))


@given(root=keys, purpose=st.text(max_size=40), other=st.text(max_size=40))
def test_subkeys_are_separated_by_purpose(root, purpose, other):
    assert derive_subkey(root, purpose) == derive_subkey(root, purpose)
    if purpose != other:
        assert derive_subkey(root, purpose) != derive_subkey(root, other)


@given(key=keys, other=keys, message=st.binary(max_size=128))
def test_keyed_digests_depend_on_the_key(key, other, message):
    assert keyed_digest(key, message) == keyed_digest(key, message)
    if key != other:
        assert keyed_digest(key, message) != keyed_digest(other, message)


class TestKeyring:
    def test_wrap_then_unwrap(self):
        kek = Kek(new_key())
        keyring = Keyring(kek)
        data_key = new_key()

        kek_id, wrapped = keyring.wrap(data_key, data_key_id="dk-1")

        assert kek_id == kek.id
        assert data_key not in wrapped
        assert Keyring(kek).unwrap(wrapped, kek_id=kek_id, data_key_id="dk-1") == data_key

    def test_wrapped_key_is_bound_to_its_data_key_id(self):
        kek = Kek(new_key())
        kek_id, wrapped = Keyring(kek).wrap(new_key(), data_key_id="dk-1")

        with pytest.raises(DecryptionFailed):
            Keyring(kek).unwrap(wrapped, kek_id=kek_id, data_key_id="dk-2")

    def test_wrapped_key_is_bound_to_its_data_key_id_even_when_cached(self):
        kek = Kek(new_key())
        keyring = Keyring(kek)
        kek_id, wrapped = keyring.wrap(new_key(), data_key_id="dk-1")
        keyring.unwrap(wrapped, kek_id=kek_id, data_key_id="dk-1")

        with pytest.raises(DecryptionFailed):
            keyring.unwrap(wrapped, kek_id=kek_id, data_key_id="dk-2")

    def test_previous_keks_unwrap_but_only_the_current_one_wraps(self):
        old, new = Kek(new_key()), Kek(new_key())
        old_id, wrapped = Keyring(old).wrap(b"d" * 32, data_key_id="dk")

        rotated = Keyring(new, (old,))

        assert rotated.unwrap(wrapped, kek_id=old_id, data_key_id="dk") == b"d" * 32
        assert rotated.wrap(b"d" * 32, data_key_id="dk")[0] == new.id

    def test_a_kek_that_is_not_loaded_is_named_not_guessed(self):
        old_id, wrapped = Keyring(Kek(new_key())).wrap(b"d" * 32, data_key_id="dk")

        with pytest.raises(KeyUnavailable) as caught:
            Keyring(Kek(new_key())).unwrap(wrapped, kek_id=old_id, data_key_id="dk")
        assert str(caught.value) == f"The key-encryption key {old_id} is not loaded."

    def test_a_wrong_kek_under_the_right_id_fails_to_authenticate(self):
        right, wrong = Kek(new_key()), Kek(new_key())
        _, wrapped = Keyring(right).wrap(b"d" * 32, data_key_id="dk")

        with pytest.raises(DecryptionFailed):
            Keyring(wrong).unwrap(wrapped, kek_id=wrong.id, data_key_id="dk")

    def test_without_a_kek_nothing_wraps_or_unwraps(self):
        _, wrapped = Keyring(Kek(b"k" * 32)).wrap(b"d" * 32, data_key_id="dk")
        empty = Keyring(None)

        assert empty.usable is False
        with pytest.raises(KeyUnavailable) as caught:
            empty.wrap(b"d" * 32, data_key_id="dk")
        assert str(caught.value).startswith("No key-encryption key is configured")
        with pytest.raises(KeyUnavailable):
            empty.unwrap(wrapped, kek_id=Kek(b"k" * 32).id, data_key_id="dk")

    def test_forget_drops_the_unwrapped_cache(self):
        kek = Kek(new_key())
        keyring = Keyring(kek)
        kek_id, wrapped = keyring.wrap(b"d" * 32, data_key_id="dk")
        keyring.unwrap(wrapped, kek_id=kek_id, data_key_id="dk")

        keyring.forget()

        assert keyring._unwrapped == {}
