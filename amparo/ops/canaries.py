"""Plaintext canaries: a unique marker in every encrypted field, then a search of everywhere a
plaintext copy could leak (database files, dumps, backups, logs, mail, temporary files, exports).

`fill_every_encrypted_field` covers each EncryptedField of each installed model: the values the
services wrote are kept, and every field still without a canary gets one on an existing row (or
on a row built for the purpose), so a field added later is covered without editing the drill.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from amparo.core.fields import EncryptedField
from amparo.ops.fields import encrypted_fields


def new_canary(label: str) -> str:
    return f"CANARY-{label}-{secrets.token_hex(6)}"


@dataclass
class Canaries:
    """The canary in each field, by "app.Model.field"; `via` says who wrote it."""

    values: dict[str, str] = field(default_factory=dict)
    via: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, canary: str, via: str) -> None:
        self.values[key], self.via[key] = canary, via

    def found_in(self, blob: bytes | str) -> list[str]:
        data = blob.encode() if isinstance(blob, str) else blob
        return sorted(key for key, canary in self.values.items() if canary.encode() in data)


def field_key(model: type[models.Model], name: str) -> str:
    return f"{model._meta.label}.{name}"


def _canary_value(kind: str, canary: str) -> Any:
    return {"text": canary, "json": {"canary": canary}}.get(kind)


def _related_row(model: type[models.Model], anchors: dict[type[models.Model], Any]) -> Any:
    if model in anchors:
        return anchors[model]
    row = model._default_manager.first()
    return row if row is not None else build_row(model, anchors)


def _plain_value(f: models.Field[Any, Any]) -> Any:
    if f.choices:
        return next(iter(dict(f.flatchoices)))
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.IntegerField | models.FloatField | models.DecimalField):
        return 1
    if isinstance(f, models.DateTimeField):
        return timezone.now()
    if isinstance(f, models.DateField):
        return timezone.localdate()
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, models.UUIDField):
        return uuid.uuid4()
    return f"drill-{secrets.token_hex(4)}"[: getattr(f, "max_length", None) or 64]


def build_row(model: type[models.Model], anchors: dict[type[models.Model], Any]) -> Any:
    """A minimal row of a model nothing in the scenario created: required foreign keys point
    at anchor or existing rows, other required fields get a plain value of their type."""
    row = model()
    for f in model._meta.concrete_fields:
        if (
            f.primary_key
            or f.has_default()
            or f.null
            or isinstance(f, EncryptedField)
            or getattr(f, "auto_now", False)
            or getattr(f, "auto_now_add", False)
        ):
            continue
        if f.is_relation:
            setattr(row, f.name, _related_row(f.related_model, anchors))  # type: ignore[arg-type]
        else:
            setattr(row, f.attname, _plain_value(f))
    row.save(force_insert=True)
    return row


def fill_every_encrypted_field(
    canaries: Canaries, anchors: dict[type[models.Model], Any], data_key: Any
) -> None:
    """Give every encrypted field not yet holding a canary one, on a row under a live key."""
    for model, names in encrypted_fields().items():
        todo = [n for n in names if field_key(model, n) not in canaries.values]
        if not todo:
            continue
        with transaction.atomic():
            row = model._default_manager.filter(data_key__wrapped__isnull=False).first()
            if row is None:
                row = build_row(model, {**anchors, type(data_key): data_key})
            for name in todo:
                encrypted: Any = model._meta.get_field(name)
                kind = encrypted.kind
                canary = new_canary(f"{model._meta.model_name}-{name}")
                value = _canary_value(kind, canary)
                if value is None:
                    continue  # int, bool, date kinds cannot hold a marker string
                setattr(row, name, value)
                canaries.add(field_key(model, name), canary, "direct")
            row.save(update_fields=todo)


def every_field() -> list[str]:
    return sorted(field_key(m, n) for m, names in encrypted_fields().items() for n in names)


def files_under(directory: Path) -> Iterable[Path]:
    return (p for p in sorted(directory.rglob("*")) if p.is_file()) if directory.is_dir() else ()


def sqlite_files() -> list[Path]:
    database = Path(connection.settings_dict["NAME"])
    return [p for p in (database, Path(f"{database}-wal")) if p.exists()]


@dataclass
class Scan:
    """Where each canary was found: {location: [field keys]}; positive controls separately."""

    hits: dict[str, list[str]] = field(default_factory=dict)
    scanned: list[str] = field(default_factory=list)

    def check(self, location: str, found: list[str]) -> None:
        self.scanned.append(location)
        if found:
            self.hits[location] = found

    @property
    def total(self) -> int:
        return sum(len(found) for found in self.hits.values())
