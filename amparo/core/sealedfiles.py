"""Files sealed at rest: incident evidence, replies' documents, self-reported files.

The content is encrypted (AES-256-GCM) under the record's data key, bound to the record by the
associated data, and written to a temporary file beside its final path, flushed to disk and
renamed over it, so a crash never leaves a half-written file under the real name. Shredding
the data key makes the file unreadable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from amparo.core import crypto
from amparo.core.keystore import data_key_open
from amparo.core.validation import Errors


def read_upload(upload: IO[bytes], filename: str, *, field: str) -> bytes:
    """The uploaded content, refused (on `field`) when larger than AMPARO_MAX_ATTACHMENT_BYTES
    or nameless; never more than the limit plus one byte is read."""
    content = upload.read(settings.AMPARO_MAX_ATTACHMENT_BYTES + 1)
    errors = Errors()
    if len(content) > settings.AMPARO_MAX_ATTACHMENT_BYTES:
        errors.add(field, "The file is larger than the limit.")
    if not filename.strip():
        errors.add(field, "The file has no name.")
    errors.raise_if_any()
    return content


def seal_to_file(path: Path, data_key: Any, content: bytes, aad: bytes) -> None:
    sealed = crypto.seal(data_key_open(data_key), content, aad)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
        handle.write(sealed)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)


def unseal_file(path: Path, data_key: Any, aad: bytes) -> bytes:
    return crypto.unseal(data_key_open(data_key), path.read_bytes(), aad)
