"""Every encrypted field of every installed model, read from the model registry.

The drills enumerate fields from here, so a new EncryptedField is covered without editing them.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

from amparo.core.fields import EncryptedField


def encrypted_fields() -> dict[type[models.Model], list[str]]:
    found: dict[type[models.Model], list[str]] = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if names:
            found[model] = names
    return found
