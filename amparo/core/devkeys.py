"""The development key file: a KEK and secret key in plaintext, for demos and development only."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from amparo.core.crypto import encode_key, new_key

WARNING = (
    "DEVELOPMENT ONLY. This file holds the key-encryption key in plaintext next to the "
    "database: anyone who copies this directory can read every record. Never use it with "
    "real data; production takes its key from the operator (docs/keys.md)."
)
_PLACEHOLDER_SECRET = "development-placeholder-secret-run-amparo-init-dev"  # noqa: S105


def read_dev_file(path: Path) -> dict[str, object] | None:
    try:
        data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return data


def read_dev_secret_key(path: Path) -> str:
    data = read_dev_file(path)
    if data is None:
        return _PLACEHOLDER_SECRET
    return str(data["secret_key"])


def write_dev_file(
    path: Path, *, kek: bytes | None = None, previous: list[str] | None = None
) -> None:
    """Create (or rewrite with a new KEK) the development key file, readable by its owner only."""
    current = read_dev_file(path) or {}
    data = {
        "warning": WARNING,
        "secret_key": current.get("secret_key") or secrets.token_urlsafe(50),
        "kek": encode_key(kek if kek is not None else new_key()),
        "previous_keks": previous if previous is not None else current.get("previous_keks", []),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
