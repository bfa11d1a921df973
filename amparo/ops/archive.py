"""The encrypted backup file: AES-256-GCM chunks under a per-backup key wrapped by the KEK.

Layout: MAGIC, a 4-byte header length, the header (JSON: format, KEK id, wrapped backup key),
then chunks of [4-byte length][12-byte nonce][ciphertext]. Each chunk's associated data binds
the header's hash, the chunk's index and whether it is the last, so a chunk cannot be moved,
dropped, altered, or the file cut short without the reader refusing it.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import struct
import uuid
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from amparo.core.crypto import DecryptionFailed, Kek, Keyring, KeyUnavailable, new_key, seal, unseal

MAGIC = b"AMPARO-BACKUP\x00"
FORMAT = "amparo-backup"
VERSION = 1
CHUNK_BYTES = 1 << 20


def _wrap_aad(backup_id: str, kek_id: str) -> bytes:
    return f"amparo|backup-key|{backup_id}|kek:{kek_id}".encode()


def _chunk_aad(header_digest: bytes, index: int, final: bool) -> bytes:
    return header_digest + struct.pack(">Q?", index, final)


class EncryptingWriter:
    """A write-only file object: what is written is sealed in chunks into `out`."""

    def __init__(self, out: IO[bytes], keyring: Keyring, *, vendor: str) -> None:
        kek = keyring.require_current()
        backup_id = str(uuid.uuid4())
        self._key = new_key()
        header = json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "backup_id": backup_id,
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                "database": vendor,
                "kek_id": kek.id,
                "wrapped_key": base64.b64encode(
                    seal(kek.key, self._key, _wrap_aad(backup_id, kek.id))
                ).decode(),
            },
            sort_keys=True,
        ).encode()
        out.write(MAGIC + struct.pack(">I", len(header)) + header)
        self._out, self._digest = out, hashlib.sha256(header).digest()
        self._buffer, self._index = bytearray(), 0

    def _emit(self, data: bytes, *, final: bool) -> None:
        nonce = os.urandom(12)
        body = AESGCM(self._key).encrypt(nonce, data, _chunk_aad(self._digest, self._index, final))
        self._out.write(struct.pack(">I", len(body)) + nonce + body)
        self._index += 1

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK_BYTES:
            self._emit(bytes(self._buffer[:CHUNK_BYTES]), final=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def close(self) -> None:
        self._emit(bytes(self._buffer), final=True)
        self._buffer.clear()
        self._out.flush()


def read_header(handle: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise DecryptionFailed("This is not an Amparo backup file.")
    (length,) = struct.unpack(">I", handle.read(4))
    raw = handle.read(length)
    header = json.loads(raw)
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise DecryptionFailed("Unknown backup format or version.")
    return header, raw


class DecryptingReader:
    """A read-only file object over a backup file; raises on any tampering or truncation."""

    def __init__(self, handle: IO[bytes], keyring: Keyring) -> None:
        self.header, raw = read_header(handle)
        kek_id = self.header["kek_id"]
        kek = {k.id: k for k in keyring.loaded}.get(kek_id)
        if kek is None:
            raise KeyUnavailable(
                f"This backup's key is wrapped by KEK {kek_id}, which is not loaded "
                "(set it as AMPARO_KEK or in AMPARO_KEK_PREVIOUS)."
            )
        self._key = _unwrap(kek, self.header)
        self._handle, self._digest = handle, hashlib.sha256(raw).digest()
        self._buffer, self._index, self._done = bytearray(), 0, False

    def _next_chunk(self) -> None:
        prefix = self._handle.read(4)
        if len(prefix) < 4:
            raise DecryptionFailed("The backup file is truncated.")
        (length,) = struct.unpack(">I", prefix)
        nonce, body = self._handle.read(12), self._handle.read(length)
        if len(body) != length:
            raise DecryptionFailed("The backup file is truncated.")
        for final in (False, True):
            try:
                aad = _chunk_aad(self._digest, self._index, final)
                self._buffer += AESGCM(self._key).decrypt(nonce, body, aad)
            except InvalidTag:
                continue
            self._index += 1
            if final:
                if self._handle.read(1):
                    raise DecryptionFailed("The backup file has data after its last chunk.")
                self._done = True
            return
        raise DecryptionFailed(f"Chunk {self._index} of the backup does not authenticate.")

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._next_chunk()
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


def _unwrap(kek: Kek, header: dict[str, Any]) -> bytes:
    wrapped = base64.b64decode(header["wrapped_key"])
    return unseal(kek.key, wrapped, _wrap_aad(header["backup_id"], kek.id))
