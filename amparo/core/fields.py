"""Encrypted model fields: AES-256-GCM under the row's data key, bound to table, column and row.

Reading the attribute decrypts (and raises if it cannot); assigning stores plaintext that is
encrypted on save. The column holds ciphertext only: lookups, ordering and QuerySet.update() on
these fields are refused, so plaintext can never reach SQL. Search goes through blind indexes.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from amparo.core import crypto
from amparo.core.keystore import data_key_open

_ALLOWED_LOOKUPS = frozenset({"exact", "in", "isnull"})


class _Ciphertext(bytes):
    """Bytes read from the column, not yet decrypted."""


class _Opened:
    """A decrypted value together with the ciphertext it came from (saved back unchanged)."""

    __slots__ = ("blob", "value")

    def __init__(self, value: Any, blob: bytes) -> None:
        self.value, self.blob = value, blob


def _encode(kind: str, value: Any) -> bytes:
    if kind == "text":
        if not isinstance(value, str):
            raise TypeError("This encrypted field holds text.")
        return value.encode("utf-8")
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("This encrypted field holds an integer.")
        return str(value).encode()
    if kind == "bool":
        if not isinstance(value, bool):
            raise TypeError("This encrypted field holds a boolean.")
        return b"1" if value else b"0"
    if kind == "date":
        # A datetime is a date too, but its ISO form would not decode as one: refuse it.
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise TypeError("This encrypted field holds a date.")
        return value.isoformat().encode()
    raise ValueError(f"Unknown encrypted field kind {kind!r}.")


def _decode(kind: str, raw: bytes) -> Any:
    if kind == "text":
        return raw.decode("utf-8")
    if kind == "json":
        return json.loads(raw)
    if kind == "int":
        return int(raw)
    if kind == "bool":
        return raw == b"1"
    if kind == "date":
        return datetime.date.fromisoformat(raw.decode())
    raise ValueError(f"Unknown encrypted field kind {kind!r}.")


class EncryptedAttribute(DeferredAttribute):
    """A data descriptor (unlike DeferredAttribute), so every read passes through __get__."""

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, _Ciphertext):
            field: EncryptedField = self.field  # type: ignore[assignment]
            opened = _Opened(field.decrypt(instance, value), bytes(value))
            instance.__dict__[field.attname] = opened
            return opened.value
        if isinstance(value, _Opened):
            return value.value
        return value


class EncryptedField(models.BinaryField):
    """A sensitive value of one kind: text, json, int, bool or date. NULL means absent."""

    descriptor_class = EncryptedAttribute
    # For django-stubs: the attribute holds the decrypted value of the field's kind.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def __init__(self, *args: Any, kind: str = "text", key_field: str = "data_key", **kwargs: Any):
        if kind not in {"text", "json", "int", "bool", "date"}:
            raise ValueError(f"Unknown encrypted field kind {kind!r}.")
        self.kind, self.key_field = kind, key_field
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if self.key_field != "data_key":
            kwargs["key_field"] = self.key_field
        kwargs.pop("editable", None)
        kwargs.pop("blank", None)
        return name, "amparo.core.fields.EncryptedField", args, kwargs

    def associated_data(self, instance: models.Model, data_key_id: Any) -> bytes:
        table = instance._meta.db_table
        return f"amparo|{table}|{self.column}|{instance.pk}|{data_key_id}".encode()

    def _data_key(self, instance: models.Model) -> Any:
        data_key = getattr(instance, self.key_field)
        if data_key is None:
            raise crypto.KeyUnavailable("This record has no data key.")
        return data_key

    def encrypt(self, instance: models.Model, value: Any) -> bytes:
        data_key = self._data_key(instance)
        aad = self.associated_data(instance, data_key.pk)
        return crypto.seal(data_key_open(data_key), _encode(self.kind, value), aad)

    def decrypt(self, instance: models.Model, blob: bytes) -> Any:
        data_key = self._data_key(instance)
        aad = self.associated_data(instance, data_key.pk)
        return _decode(self.kind, crypto.unseal(data_key_open(data_key), blob, aad))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else _Ciphertext(bytes(value))

    def to_python(self, value: Any) -> Any:
        return value

    def clean(self, value: Any, model_instance: Any) -> Any:
        return value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return None
        if isinstance(value, _Ciphertext):
            return bytes(value)
        if isinstance(value, _Opened):
            return value.blob
        blob = self.encrypt(model_instance, value)
        model_instance.__dict__[self.attname] = _Opened(value, blob)
        return blob

    def get_lookup(self, lookup_name: str) -> Any:
        # Pattern and case-insensitive lookups (icontains, iexact, startswith, ...) skip
        # get_prep_value and would send their plaintext argument to SQL: only the lookups that
        # pass through it (and so refuse plaintext) are offered.
        if lookup_name not in _ALLOWED_LOOKUPS:
            return None
        return super().get_lookup(lookup_name)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, bytes | memoryview):
            return value
        raise TypeError(
            "Encrypted fields are written only through save() or bulk_create(); "
            "they cannot be filtered, ordered or updated in SQL."
        )

    def value_to_string(self, obj: Any) -> str:
        raise TypeError("Encrypted fields are not serialised; use the interchange export.")
