"""Files sealed at rest: incident evidence, replies' documents, self-reported files.

The content is encrypted (AES-256-GCM) under the record's data key, bound to the record by the
associated data, and written to a temporary file beside its final path, flushed to disk and
renamed over it, so a crash never leaves a half-written file under the real name. Shredding
the data key makes the file unreadable. What may be sealed is decided before, by
amparo.core.uploads.upload_check.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from amparo.core import crypto
from amparo.core.keystore import data_key_open


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
