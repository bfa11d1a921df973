"""Envelope encryption: AES-256-GCM ciphertexts under data keys wrapped by the key-encryption key.

Fail closed: a missing key, a wrong key, a shredded key or a ciphertext moved to another row or
column raises; nothing here ever returns ciphertext as if it were plaintext, or an empty value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CIPHERTEXT_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32


class CryptoError(Exception):
    """Base class; messages never contain key material or plaintext."""


class KeyUnavailable(CryptoError):
    """No key-encryption key is configured, or the one that wrapped a data key is not loaded."""


class DecryptionFailed(CryptoError):
    """The ciphertext is corrupt, was moved, or the key is wrong."""


class Shredded(CryptoError):
    """The data key was destroyed on purpose: the data is gone."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str, *, what: str = "key") -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise KeyUnavailable(f"The {what} is not valid base64.") from None
    if len(key) != KEY_BYTES:
        raise KeyUnavailable(f"The {what} must be {KEY_BYTES} bytes.")
    return key


def kek_id_for(key: bytes) -> str:
    """A short public identifier of a KEK (not a hash an attacker can use to test guesses)."""
    return hashlib.sha256(b"amparo-kek-id\x00" + key).hexdigest()[:16]


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return bytes([CIPHERTEXT_VERSION]) + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[0] != CIPHERTEXT_VERSION:
        raise DecryptionFailed("The ciphertext is malformed.")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except InvalidTag:
        raise DecryptionFailed("The ciphertext does not authenticate.") from None


def derive_subkey(root: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode("utf-8")
    ).derive(root)


def keyed_digest(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Kek:
    key: bytes = field(repr=False)

    @property
    def id(self) -> str:
        return kek_id_for(self.key)


def _wrap_aad(data_key_id: str, kek_id: str) -> bytes:
    return f"amparo|data-key|{data_key_id}|kek:{kek_id}".encode()


class Keyring:
    """The KEKs this process holds: the current one wraps, any of them unwraps."""

    def __init__(self, current: Kek | None, previous: tuple[Kek, ...] = ()) -> None:
        self.current = current
        self._by_id = {k.id: k for k in (*previous, *([current] if current else []))}
        self._unwrapped: dict[tuple[str, str, bytes], bytes] = {}
        # Keys derived from unwrapped data keys (blind-index keys), scoped to this keyring.
        self.derived: dict[tuple[bytes, str], bytes] = {}

    @property
    def usable(self) -> bool:
        return self.current is not None

    @property
    def loaded(self) -> tuple[Kek, ...]:
        """Every KEK this keyring can unwrap with, the current one included."""
        return tuple(self._by_id.values())

    def require_current(self) -> Kek:
        if self.current is None:
            raise KeyUnavailable(
                "No key-encryption key is configured: set AMPARO_KEK or AMPARO_KEK_FILE "
                "(see docs/keys.md)."
            )
        return self.current

    def wrap(self, data_key: bytes, *, data_key_id: str) -> tuple[str, bytes]:
        kek = self.require_current()
        return kek.id, seal(kek.key, data_key, _wrap_aad(data_key_id, kek.id))

    def unwrap(self, wrapped: bytes, *, kek_id: str, data_key_id: str) -> bytes:
        # Cached by the wrapped bytes themselves: once a key is shredded its row no longer
        # holds them, so no process can keep decrypting from a stale cache entry. The ids are
        # part of the cache key so that a cache hit is bound exactly as an unwrap is.
        cache_key = (kek_id, data_key_id, wrapped)
        cached = self._unwrapped.get(cache_key)
        if cached is not None:
            return cached
        kek = self._by_id.get(kek_id)
        if kek is None:
            self.require_current()
            raise KeyUnavailable(f"The key-encryption key {kek_id} is not loaded.")
        data_key = unseal(kek.key, wrapped, _wrap_aad(data_key_id, kek_id))
        if len(self._unwrapped) > 50_000:
            self._unwrapped.clear()
        self._unwrapped[cache_key] = data_key
        return data_key

    def forget(self) -> None:
        self._unwrapped.clear()
        self.derived.clear()
