"""The interchange v1 record types Amparo reads and writes: fields, checks and canonical form.

One table of field specifications drives validation on import, the canonical line written on
export and the digest that makes re-imports idempotent, so the three cannot disagree.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from amparo.core.crypto import keyed_digest
from amparo.core.keystore import index_key
from amparo.core.validation import Errors
from amparo.core.vocab import (
    Category,
    CommunicationKind,
    Context,
    DatePrecision,
    DefenderStatus,
    Gender,
    InvestigationStage,
    OrganisationKind,
    Perpetrator,
    Relation,
    ReplyKind,
    Verification,
    Violation,
    codes,
)
from amparo.interchange.mapping import data_for
from amparo.measures.models import MeasureKind, MeasureStatus
from amparo.risk.models import Horizon, RiskLevel

# Dependency order: a record only refers to records of the types before it.
TYPES = (
    "organisation",
    "defender",
    "person",
    "event",
    "incident",
    "assessment",
    "measure",
    "investigation",
    "communication",
    "reply",
)
# Types of the contract that Amparo does not import yet (they come with their own modules).
NOT_YET = ("alert",)

DIGEST_KEY_PURPOSE = "interchange"
MAX_ID_LENGTH = 128


@dataclass(frozen=True)
class Field:
    """One field of a record type.

    kind: str, int, bool, date, code, codes, strs, ref, refs, contacts, consent.
    refs: the record types a reference may point to (in order of preference).
    default: filled in on import when the field is absent; written on export.
    """

    name: str
    kind: str
    required: bool = False
    vocab: frozenset[str] = frozenset()
    refs: tuple[str, ...] = ()
    sensitive: bool = False
    default: Any = None
    max_length: int | None = None


def _f(name: str, kind: str, **options: Any) -> Field:
    return Field(name, kind, **options)


_PLACE = (_f("country", "str", required=True), _f("subdivision", "str"))

SPECS: dict[str, tuple[Field, ...]] = {
    "organisation": (
        _f("id", "str", required=True, max_length=MAX_ID_LENGTH),
        # Sensitive only for community and informal groups: see pseudonymise().
        _f("name", "str", required=True, max_length=300),
        _f("kind", "code", vocab=codes(OrganisationKind), default=OrganisationKind.OTHER.value),
        *_PLACE,
    ),
    "defender": (
        _f("id", "str", required=True, max_length=MAX_ID_LENGTH),
        _f("name", "str", required=True, sensitive=True),
        _f("alias", "str", sensitive=True),
        _f("gender", "code", vocab=codes(Gender), default=Gender.UNKNOWN.value),
        _f("birth_year", "int"),
        _f("categories", "codes", required=True, vocab=codes(Category)),
        *_PLACE,
        _f("locality", "str", sensitive=True),
        _f("organisations", "refs", refs=("organisation",)),
        _f("contacts", "contacts", sensitive=True),
        # No default here: absent means "the import date" on create and "keep" on update, so
        # a file without it digests the same every day.
        _f("registered_on", "date"),
        _f("status", "code", vocab=codes(DefenderStatus), default=DefenderStatus.ACTIVE.value),
        _f("consent", "consent", default={"register": False, "share_with_state": False}),
    ),
    "person": (
        _f("id", "str", required=True, max_length=MAX_ID_LENGTH),
        _f("name", "str", required=True, sensitive=True),
        _f("related_to", "ref", required=True, refs=("defender",)),
        _f("relation", "code", required=True, vocab=codes(Relation)),
        _f("country", "str"),
        _f("subdivision", "str"),
    ),
    "event": (
        _f("id", "str", required=True, max_length=MAX_ID_LENGTH),
        _f("kind", "code", required=True, vocab=codes(Context)),
        _f("title", "str", max_length=300),
        _f("start", "date", required=True),
        _f("end", "date"),
        *_PLACE,
        _f("categories", "codes", vocab=codes(Category)),
        _f("defenders", "refs", refs=("defender",)),
        _f("lead_days", "int"),
        _f("tail_days", "int"),
    ),
    "incident": (
        _f("id", "str", required=True, max_length=MAX_ID_LENGTH),
        _f("date", "date", required=True),
        _f("date_precision", "code", vocab=codes(DatePrecision), default=DatePrecision.DAY.value),
        _f("end_date", "date"),
        _f("reported_on", "date"),
        *_PLACE,
        _f("locality", "str", sensitive=True),
        _f("victims", "refs", refs=("defender", "person")),
        _f("organisations", "refs", refs=("organisation",)),
        _f("violations", "codes", required=True, vocab=codes(Violation)),
        _f("perpetrators", "codes", vocab=codes(Perpetrator), default=[Perpetrator.UNKNOWN.value]),
        _f("perpetrator_detail", "str", sensitive=True),
        _f("context", "codes", vocab=codes(Context)),
        _f("narrative", "str", sensitive=True),
        _f("sources", "strs", sensitive=True),
        _f(
            "verification", "code", vocab=codes(Verification), default=Verification.UNVERIFIED.value
        ),
        # Amparo extension: the incident involved State acquiescence or collusion (DESIGN §5).
        # Written only when true, so files without it stay plain v1.
        _f("state_acquiescence", "bool"),
    ),
    # An approved risk assessment (amparo.risk). Scores and level are plain; notes are the
    # assessment's rationale, sealed under the defender's key.
    "assessment": (
        _f("id", "str", required=True, max_length=MAX_ID_LENGTH),
        _f("defender", "ref", required=True, refs=("defender",)),
        _f("assessed_on", "date", required=True),
        _f("threat", "int"),
        _f("vulnerability", "int"),
        _f("capacity", "int"),
        _f("level", "code", required=True, vocab=codes(RiskLevel)),
        _f("horizon", "code", vocab=codes(Horizon)),
        _f("notes", "str", sensitive=True),
    ),
    # A protective measure (amparo.measures); provider is the delivering entity's slug.
    "measure": (
        _f("id", "str", required=True, max_length=MAX_ID_LENGTH),
        _f("defender", "ref", required=True, refs=("defender",)),
        _f("kind", "code", required=True, vocab=codes(MeasureKind)),
        _f("status", "code", required=True, vocab=codes(MeasureStatus)),
        _f("requested_on", "date", required=True),
        _f("decided_on", "date"),
        _f("implemented_on", "date"),
        _f("ended_on", "date"),
        _f("provider", "str", max_length=64),
    ),
    # The justice follow-up of an incident (amparo.investigations); updated_on dates its stage.
    "investigation": (
        _f("id", "str", required=True, max_length=MAX_ID_LENGTH),
        _f("incident", "ref", required=True, refs=("incident",)),
        _f("stage", "code", vocab=codes(InvestigationStage), default=InvestigationStage.NONE.value),
        _f("updated_on", "date"),
        _f("authority", "str", max_length=200),
    ),
    # A communication to a State (amparo.communications): only sent ones travel.
    "communication": (
        _f("id", "str", required=True, max_length=MAX_ID_LENGTH),
        _f("kind", "code", required=True, vocab=codes(CommunicationKind)),
        _f("reference", "str", max_length=32),
        _f("state", "str", required=True),
        _f("sent_on", "date", required=True),
        _f("mandates", "strs"),
        _f("defenders", "refs", refs=("defender",)),
        _f("incidents", "refs", refs=("incident",)),
        _f("summary", "str", sensitive=True),
    ),
    "reply": (
        _f("id", "str", required=True, max_length=MAX_ID_LENGTH),
        _f("communication", "ref", required=True, refs=("communication",)),
        _f("received_on", "date", required=True),
        _f("kind", "code", required=True, vocab=codes(ReplyKind)),
    ),
}

FIELDS: dict[str, dict[str, Field]] = {
    kind: {spec.name: spec for spec in specs} for kind, specs in SPECS.items()
}

# The references of each type, for the dangling-reference check and pseudonymisation.
REFERENCES: dict[str, tuple[Field, ...]] = {
    kind: tuple(spec for spec in specs if spec.kind in {"ref", "refs"})
    for kind, specs in SPECS.items()
}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FieldErrors(Errors):
    """Errors of one line; the first error of a field is the one that matters."""

    def has(self, field: str) -> bool:
        return field in self.by_field

    def items(self) -> Iterator[tuple[str, str]]:
        for field, messages in self.by_field.items():
            for message in messages:
                yield field, message


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_strs(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _parse_field(spec: Field, value: Any, errors: FieldErrors) -> Any:
    """Check one present, non-null value; returns it in its Python form (dates as dates)."""
    name = spec.name
    if spec.kind in {"str", "code", "ref"}:
        if not isinstance(value, str):
            errors.add(name, "Expected a string.")
            return None
        if spec.max_length and len(value) > spec.max_length:
            errors.add(name, f"Keep it under {spec.max_length} characters.")
        if spec.kind == "code" and value:
            errors.code(name, value, spec.vocab)
        return value
    if spec.kind == "int":
        if not _is_int(value):
            errors.add(name, "Expected a whole number.")
            return None
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            errors.add(name, "Expected true or false.")
            return None
        return value
    if spec.kind == "date":
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            errors.add(name, f"Expected a date in YYYY-MM-DD form, got {value!r}.")
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            errors.add(name, f"Not a calendar date: {value!r}.")
            return None
    if spec.kind in {"codes", "strs", "refs"}:
        if not _is_strs(value):
            errors.add(name, "Expected a list of strings.")
            return None
        if spec.kind == "codes":
            errors.codes(name, value, spec.vocab, at_least_one=False)
        if spec.kind == "refs" and not all(value):
            errors.add(name, "An id cannot be empty.")
        return list(value)
    if spec.kind == "contacts":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            errors.add(name, "Expected an object whose values are strings.")
            return None
        return dict(value)
    if spec.kind == "consent":
        return _parse_consent(value, errors)
    raise ValueError(f"Unknown field kind {spec.kind!r}.")


def _parse_consent(value: Any, errors: FieldErrors) -> dict[str, bool] | None:
    if not isinstance(value, dict):
        errors.add("consent", 'Expected an object {"register": bool, "share_with_state": bool}.')
        return None
    consent = {"register": False, "share_with_state": False}
    for key, flag in value.items():
        if key not in consent:
            errors.add(f"consent.{key}", "Unknown field.")
        elif not isinstance(flag, bool):
            errors.add(f"consent.{key}", "Expected true or false.")
        else:
            consent[key] = flag
    return consent


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def parse_record(
    kind: str, raw: dict[str, Any], *, domain: bool = True
) -> tuple[dict[str, Any], FieldErrors]:
    """Check a record of a known type (without its references); returns it with defaults.

    domain=False skips the services' rules, for a line already checked in full."""
    errors = FieldErrors()
    fields = FIELDS[kind]
    for name in raw:
        if name != "type" and name not in fields:
            errors.add(name, f"Not a field of {kind} records.")
    record: dict[str, Any] = {}
    for spec in SPECS[kind]:
        value = raw.get(spec.name)
        if not _is_empty(value):
            value = _parse_field(spec, value, errors)
        if _is_empty(value) and not errors.has(spec.name):
            if spec.required:
                errors.add(spec.name, "This field is required.")
            value = copy.deepcopy(spec.default)
        record[spec.name] = value
    if domain:
        _domain_check(kind, record, errors)
    return record, errors


def _domain_check(kind: str, record: dict[str, Any], errors: FieldErrors) -> None:
    """The rules the services enforce (places, ranges, date order), run before any write and
    reported only for fields that have no error yet. It needs the required fields and dates."""
    fields = FIELDS[kind]
    if any(
        fields[name].required or fields[name].kind == "date"
        for name in errors.by_field
        if name in fields
    ):
        return
    try:
        data_for(kind, record, resolve=None).validate()
    except ValidationError as exc:
        already = set(errors.by_field)
        for field, messages in exc.message_dict.items():
            if field not in already:
                for message in messages:
                    errors.add(field, message)


def references(kind: str, raw: dict[str, Any]) -> Iterator[tuple[Field, str]]:
    """Each (field, referenced id) of a record, parsed or not (values of a wrong type and
    empty ids are skipped: they are reported as such)."""
    for spec in REFERENCES[kind]:
        value = raw.get(spec.name)
        for ref in [value] if isinstance(value, str) else value if isinstance(value, list) else []:
            if isinstance(ref, str) and ref:
                yield spec, ref


def _plain(spec: Field, value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if spec.kind in {"codes", "refs"}:
        return sorted(set(value))
    if spec.kind == "contacts":
        return dict(sorted(value.items()))
    return value


def canonical(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record as Amparo writes it: fields in contract order, lists of codes and ids sorted,
    empty optional fields left out, defaults written, `state_acquiescence` only when true."""
    out: dict[str, Any] = {"type": kind}
    for spec in SPECS[kind]:
        value = record.get(spec.name)
        if kind == "incident" and spec.name == "reported_on" and value is None:
            value = record["date"]
        if kind == "event" and spec.name == "end" and value is None:
            value = record["start"]
        if _is_empty(value) or (spec.kind == "bool" and value is False):
            continue
        out[spec.name] = _plain(spec, value)
    return out


def serialise(line: dict[str, Any]) -> str:
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def digest_key() -> bytes:
    return index_key(DIGEST_KEY_PURPOSE)


def record_digest(line: str, key: bytes | None = None) -> str:
    """The keyed digest stored with an imported record (keyed: it says nothing about content)."""
    return keyed_digest(key or digest_key(), line.encode("utf-8"))


def sensitive_fields(kind: str, record: dict[str, Any]) -> set[str]:
    names = {spec.name for spec in SPECS[kind] if spec.sensitive}
    if kind == "organisation" and record.get("kind") in {"community", "informal"}:
        names.add("name")
    return names
