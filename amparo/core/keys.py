"""Where the key-encryption key comes from, in order: AMPARO_KEK, AMPARO_KEK_FILE, dev key file.

Production accepts only the first two. See docs/keys.md for operators.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings

from amparo.core.crypto import (
    Kek,
    Keyring,
    KeyUnavailable,
    decode_key,
    seal,
    unseal,
)
from amparo.core.devkeys import read_dev_file

KEY_FILE_FORMAT = "amparo-kek-file"
_KEY_FILE_AAD = b"amparo|kek-file|v1"
# The fixed KEK of the test environment; it protects nothing but test data.
TEST_KEK = b"amparo-test-kek-never-use-it!!!!"

_keyring: Keyring | None = None


def _passphrase_key(passphrase: bytes, salt: bytes, params: dict[str, int]) -> bytes:
    return hash_secret_raw(
        secret=passphrase,
        salt=salt,
        time_cost=params["time_cost"],
        memory_cost=params["memory_cost"],
        parallelism=params["parallelism"],
        hash_len=32,
        type=Type.ID,
    )


def write_key_file(path: Path, kek: bytes, passphrase: bytes) -> None:
    """Store a KEK encrypted under an Argon2id-derived key from the operator's passphrase."""
    if len(passphrase) < 12:
        raise KeyUnavailable("The passphrase must be at least 12 characters.")
    params = {"time_cost": 3, "memory_cost": 65536, "parallelism": 2}
    salt = os.urandom(16)
    blob = seal(_passphrase_key(passphrase, salt, params), kek, _KEY_FILE_AAD)
    data = {
        "format": KEY_FILE_FORMAT,
        "version": 1,
        "kdf": "argon2id",
        **params,
        "salt": base64.b64encode(salt).decode(),
        "wrapped_kek": base64.b64encode(blob).decode(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)


def read_key_file(path: Path, passphrase: bytes) -> bytes:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise KeyUnavailable("The key file cannot be read.") from None
    if data.get("format") != KEY_FILE_FORMAT or data.get("kdf") != "argon2id":
        raise KeyUnavailable("The key file is not an Amparo key file.")
    wrapping = _passphrase_key(passphrase, base64.b64decode(data["salt"]), data)
    try:
        return unseal(wrapping, base64.b64decode(data["wrapped_kek"]), _KEY_FILE_AAD)
    except Exception:
        raise KeyUnavailable("The passphrase does not open the key file.") from None


def _passphrase_from_env() -> bytes:
    value = os.environ.get("AMPARO_KEK_PASSPHRASE")
    if value:
        return value.encode("utf-8")
    passphrase_file = os.environ.get("AMPARO_KEK_PASSPHRASE_FILE")
    if passphrase_file:
        return Path(passphrase_file).read_text(encoding="utf-8").rstrip("\n").encode("utf-8")
    raise KeyUnavailable(
        "AMPARO_KEK_FILE is set but neither AMPARO_KEK_PASSPHRASE nor "
        "AMPARO_KEK_PASSPHRASE_FILE is."
    )


def _previous_from_env() -> list[Kek]:
    values = os.environ.get("AMPARO_KEK_PREVIOUS", "")
    return [
        Kek(decode_key(v, what="AMPARO_KEK_PREVIOUS key")) for v in values.split(",") if v.strip()
    ]


def load_keyring() -> Keyring:
    """Build the keyring from the configured source; without one, a keyring that refuses."""
    if os.environ.get("AMPARO_KEK"):
        kek = decode_key(os.environ["AMPARO_KEK"], what="AMPARO_KEK")
        return Keyring(Kek(kek), tuple(_previous_from_env()))
    if os.environ.get("AMPARO_KEK_FILE"):
        kek = read_key_file(Path(os.environ["AMPARO_KEK_FILE"]), _passphrase_from_env())
        return Keyring(Kek(kek), tuple(_previous_from_env()))
    if settings.TESTING:
        return Keyring(Kek(TEST_KEK))
    if not settings.PRODUCTION:
        data = read_dev_file(settings.AMPARO_DEV_KEY_FILE)
        if data is not None:
            listed = data.get("previous_keks")
            values = listed if isinstance(listed, list) else []
            previous = tuple(Kek(decode_key(str(v))) for v in values)
            return Keyring(Kek(decode_key(str(data["kek"]))), previous)
    return Keyring(None)


def get_keyring() -> Keyring:
    global _keyring
    if _keyring is None:
        _keyring = load_keyring()
    return _keyring


def set_keyring(keyring: Keyring | None) -> None:
    """Replace the process keyring (after rotation, or in tests); None reloads on next use."""
    global _keyring
    _keyring = keyring
