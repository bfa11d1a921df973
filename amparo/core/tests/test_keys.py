"""Where the KEK comes from: environment, passphrase-protected key file, never a silent default."""

import base64
import json
import stat

import pytest

from amparo.core.crypto import Kek, KeyUnavailable, encode_key, new_key
from amparo.core.keys import TEST_KEK, load_keyring, read_key_file, write_key_file

PASSPHRASE = b"correct horse battery staple"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in (
        "AMPARO_KEK",
        "AMPARO_KEK_FILE",
        "AMPARO_KEK_PREVIOUS",
        "AMPARO_KEK_PASSPHRASE",
        "AMPARO_KEK_PASSPHRASE_FILE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_the_test_environment_uses_the_fixed_test_kek():
    keyring = load_keyring()
    assert keyring.current == Kek(TEST_KEK)
    assert keyring.loaded == (Kek(TEST_KEK),)


def test_kek_from_the_environment_with_previous_keys(monkeypatch):
    current, old1, old2 = new_key(), new_key(), new_key()
    monkeypatch.setenv("AMPARO_KEK", encode_key(current))
    monkeypatch.setenv("AMPARO_KEK_PREVIOUS", f"{encode_key(old1)}, {encode_key(old2)},")

    keyring = load_keyring()

    assert keyring.current == Kek(current)
    assert {k.id for k in keyring.loaded} == {Kek(current).id, Kek(old1).id, Kek(old2).id}


@pytest.mark.parametrize("value", ["not-a-key", encode_key(b"short"), "   "])
def test_a_bad_kek_in_the_environment_fails_loudly(monkeypatch, value):
    monkeypatch.setenv("AMPARO_KEK", value)

    with pytest.raises(KeyUnavailable) as caught:
        load_keyring()
    assert str(caught.value) in {
        "The AMPARO_KEK is not valid base64.",
        "The AMPARO_KEK must be 32 bytes.",
    }


def test_production_without_a_kek_gets_a_keyring_that_refuses(settings):
    settings.TESTING = False
    settings.PRODUCTION = True

    keyring = load_keyring()

    assert keyring.usable is False
    with pytest.raises(KeyUnavailable):
        keyring.require_current()


class TestKeyFile:
    def test_round_trip_and_file_mode(self, tmp_path):
        kek = new_key()
        path = tmp_path / "kek.json"

        write_key_file(path, kek, PASSPHRASE)

        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert read_key_file(path, PASSPHRASE) == kek
        text = path.read_text()
        assert encode_key(kek) not in text
        assert base64.b64encode(kek).decode() not in text
        assert kek not in path.read_bytes()
        assert json.loads(text)["kdf"] == "argon2id"

    def test_wrong_passphrase(self, tmp_path):
        path = tmp_path / "kek.json"
        write_key_file(path, new_key(), PASSPHRASE)

        with pytest.raises(KeyUnavailable) as caught:
            read_key_file(path, b"wrong horse battery staple")
        assert str(caught.value) == "The passphrase does not open the key file."

    def test_tampered_file(self, tmp_path):
        path = tmp_path / "kek.json"
        write_key_file(path, new_key(), PASSPHRASE)
        data = json.loads(path.read_text())
        blob = bytearray(base64.b64decode(data["wrapped_kek"]))
        blob[-1] ^= 1
        data["wrapped_kek"] = base64.b64encode(bytes(blob)).decode()
        path.write_text(json.dumps(data))

        with pytest.raises(KeyUnavailable):
            read_key_file(path, PASSPHRASE)

    def test_refuses_a_short_passphrase_and_an_existing_file(self, tmp_path):
        path = tmp_path / "kek.json"
        with pytest.raises(KeyUnavailable):
            write_key_file(path, new_key(), b"short")
        assert not path.exists()
        write_key_file(path, new_key(), PASSPHRASE)
        with pytest.raises(FileExistsError):
            write_key_file(path, new_key(), PASSPHRASE)

    def test_not_a_key_file(self, tmp_path):
        path = tmp_path / "kek.json"
        path.write_text('{"format": "something-else"}')
        with pytest.raises(KeyUnavailable):
            read_key_file(path, PASSPHRASE)
        with pytest.raises(KeyUnavailable):
            read_key_file(tmp_path / "missing.json", PASSPHRASE)

    def test_loaded_from_the_environment(self, tmp_path, monkeypatch):
        kek = new_key()
        path = tmp_path / "kek.json"
        write_key_file(path, kek, PASSPHRASE)
        passphrase_file = tmp_path / "passphrase"
        passphrase_file.write_text(PASSPHRASE.decode() + "\n")
        monkeypatch.setenv("AMPARO_KEK_FILE", str(path))

        with pytest.raises(KeyUnavailable):
            load_keyring()

        monkeypatch.setenv("AMPARO_KEK_PASSPHRASE_FILE", str(passphrase_file))
        assert load_keyring().current == Kek(kek)
