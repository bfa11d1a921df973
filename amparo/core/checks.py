"""System checks: production refuses to run without an operator-supplied key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from amparo.core.crypto import CryptoError


@register(deploy=True)
def check_keys(app_configs: Any, **kwargs: Any) -> list[Error]:
    from amparo.core.keys import load_keyring

    try:
        keyring = load_keyring()
    except CryptoError as error:
        return [Error(str(error), id="amparo.E001")]
    if settings.PRODUCTION and not keyring.usable:
        return [
            Error(
                "No key-encryption key: set AMPARO_KEK or AMPARO_KEK_FILE (docs/keys.md).",
                id="amparo.E001",
            )
        ]
    return []
