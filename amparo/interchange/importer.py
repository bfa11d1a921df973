"""Import interchange JSON Lines: check every line first, then upsert through the services.

Pass 1 reads the file once to check each line on its own (JSON, type, fields, codes, dates,
places, duplicate ids), then once per record type, in dependency order, to check references,
so a record that refers to an invalid one is invalid too. Pass 2 re-reads the file once per type
and writes, all in one transaction. Memory holds the ids seen per type and one byte per line,
never the records.

Upsert on (type, id): the keyed digest of the record's canonical line is stored with the record;
the same digest again means nothing to do (no write, no audit event).

Pass 2 works by batches of lines: one query finds the unchanged ones, one per referenced type
resolves the references, and new organisations, defenders, persons and incidents are checked one
by one by the rules of their service (organisation_prepare, defender_prepare, person_prepare,
incident_prepare) and stored together (the matching *_store_many: blocks of codes and data keys,
one INSERT per table, the audit events chained in one go). Other writes go record by record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from itertools import batched
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q

from amparo.accounts.models import Entity
from amparo.communications.interchange import (
    communication_import,
    communication_import_update,
    reply_import,
    reply_import_update,
)
from amparo.communications.models import Communication, Reply
from amparo.communications.policies import communication_scope, reply_scope
from amparo.core.keystore import index_root_cached
from amparo.core.policy import is_system
from amparo.earlywarning.models import Event
from amparo.earlywarning.policies import event_scope
from amparo.earlywarning.services import event_create, event_update
from amparo.incidents.models import Incident
from amparo.incidents.policies import incident_scope
from amparo.incidents.services import (
    incident_prepare,
    incident_record,
    incident_store_many,
    incident_update,
    visible_links,
)
from amparo.interchange.mapping import data_for
from amparo.interchange.policies import may_import
from amparo.interchange.reader import Line, read_lines
from amparo.interchange.records import (
    NOT_YET,
    REFERENCES,
    TYPES,
    canonical,
    digest_key,
    parse_record,
    record_digest,
    references,
    serialise,
)
from amparo.investigations.interchange import investigation_import, investigation_import_update
from amparo.investigations.models import Investigation
from amparo.investigations.policies import investigation_scope
from amparo.measures.interchange import measure_import, measure_import_update
from amparo.measures.models import Measure
from amparo.measures.policies import measure_scope
from amparo.registry.models import Defender, Organisation, Person
from amparo.registry.policies import defender_scope, organisation_scope, person_scope
from amparo.registry.services import (
    defender_prepare,
    defender_register,
    defender_store_many,
    defender_update,
    organisation_create,
    organisation_prepare,
    organisation_store_many,
    organisation_update,
    person_create,
    person_prepare,
    person_store_many,
    person_update,
)
from amparo.risk.models import RiskAssessment
from amparo.risk.policies import assessment_scope
from amparo.risk.services import assessment_import, assessment_import_update

MODELS: dict[str, type[models.Model]] = {
    "organisation": Organisation,
    "defender": Defender,
    "person": Person,
    "event": Event,
    "incident": Incident,
    "assessment": RiskAssessment,
    "measure": Measure,
    "investigation": Investigation,
    "communication": Communication,
    "reply": Reply,
}
SCOPES: dict[str, Callable[[Any], Q]] = {
    "organisation": organisation_scope,
    "defender": defender_scope,
    "person": person_scope,
    "event": event_scope,
    "incident": incident_scope,
    "assessment": assessment_scope,
    "measure": measure_scope,
    "investigation": investigation_scope,
    "communication": communication_scope,
    "reply": reply_scope,
}
_RELATED: dict[str, tuple[str, ...]] = {
    "defender": ("case", "case__lead_entity", "data_key"),
    "person": ("defender", "defender__case", "defender__data_key", "data_key"),
    "incident": ("case", "data_key"),
    "organisation": ("data_key",),
    "event": ("lead_entity",),
    "assessment": ("defender", "case", "data_key"),
    "measure": ("defender", "case", "data_key", "provider"),
    "investigation": ("incident", "incident__data_key", "incident__case", "data_key"),
    "communication": ("lead_entity", "data_key"),
    "reply": ("communication", "communication__lead_entity", "data_key"),
}
WHOLE_LINE = "(record)"
INVALID = 100
RESOLVED_CACHE_SIZE = 5_000
# Lines parsed and digested together: one query finds which of them are unchanged, one per
# referenced type resolves their references, and new incidents are stored together.
WRITE_BATCH = 500
# After writing at least this many records, PostgreSQL's planner statistics are refreshed
# (ANALYZE): until autovacuum comes round, a freshly filled table is planned as nearly empty.
ANALYZE_AFTER = 10_000
# In the cache of resolved references: an id that names no record of that type.
_NONE = object()
# New records of these types are prepared one by one and stored together, per batch.
BULK_CREATE = ("organisation", "defender", "person", "incident")


class ImportRefused(Exception):
    """The import cannot start (who, where); the message is meant for the operator."""


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: field {self.field}: {self.message}"


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    def summary_lines(self) -> list[str]:
        lines = [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind in TYPES
        ]
        lines.append(f"errors: {len(self.problems)}")
        return lines


class _Unresolved(Exception):
    def __init__(self, types: tuple[str, ...], ref: str) -> None:
        super().__init__(ref)
        self.types, self.ref = types, ref


def lead_entity_for(actor: Any, slug: str | None) -> Entity:
    """The entity new cases, organisations and events belong to."""
    own = getattr(actor, "entity", None)
    if slug:
        entity = Entity.objects.filter(slug=slug).first()
        if entity is None:
            raise ImportRefused(f"No entity has the slug {slug!r}.")
        if not is_system(actor) and (own is None or own.pk != entity.pk):
            raise ImportRefused("You may import only into your own entity.")
        return entity
    if own is not None:
        return own
    entities = list(Entity.objects.order_by("slug")[:2])
    if len(entities) == 1:
        return entities[0]
    if not entities:
        raise ImportRefused("There is no entity yet: create one before importing.")
    raise ImportRefused(
        "There is more than one entity: name the lead entity with --entity SLUG "
        f"(for example --entity {entities[0].slug})."
    )


class Importer:
    def __init__(
        self, *, actor: Any, entity: Entity, skip_invalid: bool = False, dry_run: bool = False
    ) -> None:
        if not may_import(actor):
            raise ImportRefused("Your role may not import records.")
        self.actor, self.entity = actor, entity
        self.skip_invalid, self.dry_run = skip_invalid, dry_run
        self.report = ImportReport()
        # One byte per physical line: 0 = blank or not a record, 1 + the index of its type when
        # valid, INVALID + 1 + that index when invalid (its references are still checked).
        self.kinds = bytearray()
        self.ids: dict[str, dict[str, int]] = {kind: {} for kind in TYPES}
        self._known: dict[tuple[str, str], bool] = {}
        self._resolved: dict[tuple[str, str], Any] = {}
        self._digest_key = b""

    def run(self, path: Path) -> ImportReport:
        self._check_lines(path)
        self._check_references(path)
        if not self.report.problems or self.skip_invalid:
            self._write(path)
            self._refresh_statistics()
        self.report.problems.sort(key=lambda problem: problem.line)
        return self.report

    # Pass 1 -----------------------------------------------------------------------------

    def _problem(self, line: int, field: str, message: str) -> None:
        self.report.problems.append(Problem(line, field, message))

    def _mark(self, line: int, code: int) -> None:
        while len(self.kinds) < line - 1:
            self.kinds.append(0)
        self.kinds.append(code)

    def _lines_of(self, path: Path, kind: str, *, invalid_too: bool = False) -> Any:
        code = TYPES.index(kind) + 1
        codes = {code, INVALID + code} if invalid_too else {code}
        return read_lines(
            path, keep=lambda number: number <= len(self.kinds) and self.kinds[number - 1] in codes
        )

    def _valid(self, line: int) -> bool:
        return 0 < self.kinds[line - 1] < INVALID

    def _invalidate(self, line: int) -> None:
        if self._valid(line):
            self.kinds[line - 1] += INVALID

    def _check_lines(self, path: Path) -> None:
        for line in read_lines(path):
            if line.value is None:
                self._problem(line.number, WHOLE_LINE, line.problem)
                self._mark(line.number, 0)
                continue
            kind = line.value.get("type")
            if kind not in TYPES:
                self._problem(line.number, "type", _type_problem(kind))
                self._mark(line.number, 0)
                continue
            record, errors = parse_record(kind, line.value)
            record_id = record["id"]
            if isinstance(record_id, str) and record_id:
                first = self.ids[kind].get(record_id)
                if first is not None:
                    errors.add("id", f"Duplicate {kind} id {record_id!r}: first on line {first}.")
                else:
                    self.ids[kind][record_id] = line.number
                    if not errors.by_field and self._taken(kind, record_id):
                        errors.add("id", f"This id belongs to a {kind} you may not change.")
            for name, message in errors.items():
                self._problem(line.number, name, message)
            self._mark(line.number, TYPES.index(kind) + 1 + (INVALID if errors.by_field else 0))

    def _taken(self, kind: str, record_id: str) -> bool:
        """An existing record the actor may not see: it can neither be created nor updated."""
        if is_system(self.actor):
            return False
        model = MODELS[kind]
        return (
            model._default_manager.filter(external_id=record_id)
            .exclude(pk__in=model._default_manager.filter(SCOPES[kind](self.actor)).values("pk"))
            .exists()
        )

    def _check_references(self, path: Path) -> None:
        # In dependency order, so the validity of every referenced record is already final.
        for kind in TYPES:
            if not REFERENCES[kind]:
                continue
            for lines in batched(self._lines_of(path, kind, invalid_too=True), WRITE_BATCH):
                self._look_up(kind, lines)
                for line in lines:
                    for spec, ref in references(kind, line.value or {}):
                        message = self._reference_problem(spec.refs, ref)
                        if message:
                            self._problem(line.number, spec.name, message)
                            self._invalidate(line.number)

    def _look_up(self, kind: str, lines: tuple[Line, ...]) -> None:
        """Which references of a batch, not valid in the file, name records the actor may see
        in the database: one query per referenced type."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for line in lines:
            for spec, ref in references(kind, line.value or {}):
                for target in spec.refs:
                    number = self.ids[target].get(ref)
                    if (number is None or not self._valid(number)) and (
                        (target, ref) not in self._known
                    ):
                        wanted[target].add(ref)
        for target, refs in wanted.items():
            found = set(
                MODELS[target]
                ._default_manager.filter(SCOPES[target](self.actor), external_id__in=refs)
                .values_list("external_id", flat=True)
            )
            for ref in refs:
                self._known[(target, ref)] = ref in found

    def _reference_problem(self, types: tuple[str, ...], ref: str) -> str:
        for kind in types:
            line = self.ids[kind].get(ref)
            if line is not None and self._valid(line):
                return ""
        if any(self._in_database(kind, ref) for kind in types):
            return ""
        for kind in types:
            line = self.ids[kind].get(ref)
            if line is not None:
                return f"Refers to {kind} {ref!r}, which is invalid (line {line})."
        return f"Unknown {' or '.join(types)} id {ref!r}."

    def _in_database(self, kind: str, ref: str) -> bool:
        known = self._known.get((kind, ref))
        if known is None:
            known = self._known[(kind, ref)] = (
                MODELS[kind]
                ._default_manager.filter(SCOPES[kind](self.actor), external_id=ref)
                .exists()
            )
        return known

    # Pass 2 -----------------------------------------------------------------------------

    def _write(self, path: Path) -> None:
        with transaction.atomic(), index_root_cached():
            self._digest_key = digest_key()
            failed = False
            for kind in TYPES:
                for lines in batched(self._lines_of(path, kind), WRITE_BATCH):
                    failed = not self._write_batch(kind, lines) or failed
                    if failed and not self.skip_invalid:
                        break
                if failed and not self.skip_invalid:
                    break
            rollback = self.dry_run or (failed and not self.skip_invalid)
            if rollback:
                transaction.set_rollback(True)
            self.report.written = not rollback

    def _refresh_statistics(self) -> None:
        written = sum(self.report.created.values()) + sum(self.report.updated.values())
        if self.report.written and written >= ANALYZE_AFTER and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _write_batch(self, kind: str, lines: tuple[Line, ...]) -> bool:
        """Write a batch of valid lines of one type; unchanged ones cost one query in all."""
        parsed = []
        for line in lines:
            record, _errors = parse_record(kind, line.value or {}, domain=False)
            digest = record_digest(serialise(canonical(kind, record)), self._digest_key)
            parsed.append((line.number, record, digest))
        stored = dict(
            MODELS[kind]
            ._default_manager.filter(external_id__in=[record["id"] for _, record, _ in parsed])
            .values_list("external_id", "digest")
        )
        changed = []
        for number, record, digest in parsed:
            if stored.get(record["id"]) == digest:
                self.report.unchanged[kind] += 1
            else:
                changed.append((number, record, digest))
        self._prefetch(kind, [record for _, record, _ in changed])
        if kind in BULK_CREATE:
            new = [item for item in changed if item[1]["id"] not in stored]
            changed = [item for item in changed if item[1]["id"] in stored]
            if not self._create_together(kind, new) and not self.skip_invalid:
                return False
        written = True
        for number, record, digest in changed:
            if not self._write_record(kind, number, record, digest, exists=record["id"] in stored):
                written = False
                if not self.skip_invalid:
                    break
        return written

    def _create_together(self, kind: str, lines: list[tuple[int, dict[str, Any], str]]) -> bool:
        """Create new records of one type together: each is checked by the rules of its service
        (its prepare step), then the valid ones are stored by one store_many."""
        prepared = (
            self._prepare_incidents(lines)
            if kind == "incident"
            else [
                (number, record, digest, item)
                for number, record, digest in lines
                if (
                    item := self._attempt(
                        kind, number, partial(self._prepare, kind, record, digest)
                    )
                )
                is not None
            ]
        )
        written = len(prepared) == len(lines)
        if not prepared or (not written and not self.skip_invalid):
            return written
        try:
            with transaction.atomic():
                self._store_many(kind, [item for *_, item in prepared])
        except IntegrityError:
            # A record written meanwhile by someone else took an id: one at a time, so the
            # report names the line.
            for number, record, digest, _item in prepared:
                if not self._write_record(kind, number, record, digest, exists=False):
                    written = False
                    if not self.skip_invalid:
                        break
            return written
        self.report.created[kind] += len(prepared)
        return written

    def _prepare(self, kind: str, record: dict[str, Any], digest: str) -> Any:
        data = data_for(kind, record, resolve=self._resolve)
        actor, ext_id = self.actor, record["id"]
        if kind == "organisation":
            return organisation_prepare(
                actor=actor, data=data, entity=self.entity, external_id=ext_id, digest=digest
            )
        if kind == "defender":
            return defender_prepare(
                actor=actor, data=data, entity=self.entity, external_id=ext_id, digest=digest
            )
        defender = self._resolve(("defender",), record["related_to"])
        return person_prepare(
            actor=actor, defender=defender, data=data, external_id=ext_id, digest=digest
        )

    def _store_many(self, kind: str, prepared: list[Any]) -> None:
        if kind == "organisation":
            organisation_store_many(actor=self.actor, prepared=prepared)
        elif kind == "defender":
            defender_store_many(actor=self.actor, prepared=prepared)
        elif kind == "person":
            person_store_many(actor=self.actor, prepared=prepared)
        else:
            incident_store_many(actor=self.actor, prepared=prepared)

    def _prepare_incidents(
        self, lines: list[tuple[int, dict[str, Any], str]]
    ) -> list[tuple[int, dict[str, Any], str, Any]]:
        """Check new incidents by the rules of incident_record (incident_prepare), with the
        visibility of their links looked up for the whole batch."""
        found = []
        for number, record, digest in lines:
            data = self._attempt(
                "incident", number, partial(data_for, "incident", record, resolve=self._resolve)
            )
            if data is not None:
                found.append((number, record, digest, data))
        visible = visible_links(self.actor, [data for *_, data in found])
        prepared = []
        for number, record, digest, data in found:
            item = self._attempt(
                "incident",
                number,
                partial(
                    incident_prepare,
                    actor=self.actor,
                    data=data,
                    entity=self.entity,
                    external_id=record["id"],
                    digest=digest,
                    visible=visible,
                ),
            )
            if item is not None:
                prepared.append((number, record, digest, item))
        return prepared

    def _write_record(
        self, kind: str, number: int, record: dict[str, Any], digest: str, *, exists: bool
    ) -> bool:
        def upsert() -> str:
            with transaction.atomic():
                return self._upsert(kind, record, digest, exists)

        outcome = self._attempt(kind, number, upsert)
        if outcome is not None:
            getattr(self.report, outcome)[kind] += 1
        return outcome is not None

    def _attempt[T](self, kind: str, number: int, action: Callable[[], T]) -> T | None:
        """Run one line's step; a refusal becomes a problem of that line, which is then invalid
        (and None is returned)."""
        try:
            return action()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self._problem(number, name, message)
        except PermissionDenied as exc:
            self._problem(number, "id", str(exc) or "You may not change this record.")
        except _Unresolved as exc:
            spec = next(s for s in REFERENCES[kind] if s.refs == exc.types)
            self._problem(number, spec.name, f"Refers to {exc.ref!r}, which was not written.")
        except IntegrityError:
            self._problem(number, "id", "Conflicts with a record written at the same time.")
        self._invalidate(number)
        return None

    def _prefetch(self, kind: str, records: Iterable[dict[str, Any]]) -> None:
        """Resolve the references of a batch of records: one query per referenced type."""
        needed = {
            (target, ref)
            for record in records
            for spec, ref in references(kind, record)
            for target in spec.refs
        }
        missing = needed - self._resolved.keys()
        if len(self._resolved) + len(missing) > RESOLVED_CACHE_SIZE:
            self._resolved.clear()
            missing = needed
        wanted: dict[str, set[str]] = defaultdict(set)
        for target, ref in missing:
            wanted[target].add(ref)
        for target, refs in wanted.items():
            found = self._in_scope(
                target, MODELS[target]._default_manager.filter(external_id__in=refs)
            )
            for ref in refs:
                self._resolved[(target, ref)] = found.get(ref, _NONE)

    def _in_scope(self, kind: str, rows: Any) -> dict[str, Any]:
        """The records of a queryset the actor may see, by external id; a merged defender's id
        stands for the survivor (docs/duplicates.md)."""
        found = {
            record.external_id: record
            for record in rows.filter(SCOPES[kind](self.actor)).select_related(*_RELATED[kind])
        }
        survivors: set[Any] = {getattr(r, "merged_into_id", None) for r in found.values()}
        survivors.discard(None)
        if kind == "defender" and survivors:
            by_pk = {
                survivor.pk: survivor
                for survivor in Defender.objects.filter(
                    defender_scope(self.actor), pk__in=survivors
                ).select_related(*_RELATED[kind])
            }
            found = {
                ext: by_pk.get(record.merged_into_id) if record.merged_into_id else record
                for ext, record in found.items()
            }
            found = {ext: record for ext, record in found.items() if record is not None}
        return found

    def _resolve(self, types: tuple[str, ...], ref: str) -> Any:
        # Referenced records are written in an earlier type pass and not changed afterwards,
        # so instances can be reused (organisations and defenders are referenced many times).
        for kind in types:
            found = self._resolved.get((kind, ref))
            if found is None:
                found = self._in_scope(
                    kind, MODELS[kind]._default_manager.filter(external_id=ref)
                ).get(ref, _NONE)
                if len(self._resolved) >= RESOLVED_CACHE_SIZE:
                    self._resolved.clear()
                self._resolved[(kind, ref)] = found
            if found is not _NONE:
                return found
        raise _Unresolved(types, ref)

    def _upsert(self, kind: str, record: dict[str, Any], digest: str, exists: bool) -> str:
        """Create or update one record whose digest differs from the stored one (or is new)."""
        model = MODELS[kind]
        existing = (
            model._default_manager.filter(external_id=record["id"])
            .select_related(*_RELATED[kind])
            .first()
            if exists
            else None
        )
        data = data_for(kind, record, resolve=self._resolve)
        actor, ext_id = self.actor, record["id"]
        if existing is None:
            if kind == "organisation":
                organisation_create(
                    actor=actor, data=data, entity=self.entity, external_id=ext_id, digest=digest
                )
            elif kind == "defender":
                defender_register(
                    actor=actor, data=data, entity=self.entity, external_id=ext_id, digest=digest
                )
            elif kind == "person":
                defender = self._resolve(("defender",), record["related_to"])
                person_create(
                    actor=actor, defender=defender, data=data, external_id=ext_id, digest=digest
                )
            elif kind == "event":
                event_create(
                    actor=actor, data=data, entity=self.entity, external_id=ext_id, digest=digest
                )
            elif kind == "incident":
                incident_record(
                    actor=actor, data=data, entity=self.entity, external_id=ext_id, digest=digest
                )
            elif kind == "measure":
                defender = self._resolve(("defender",), record["defender"])
                measure_import(
                    actor=actor, defender=defender, data=data, external_id=ext_id, digest=digest
                )
            elif kind == "communication":
                communication_import(
                    actor=actor, data=data, entity=self.entity, external_id=ext_id, digest=digest
                )
            elif kind == "reply":
                communication = self._resolve(("communication",), record["communication"])
                reply_import(
                    actor=actor,
                    communication=communication,
                    data=data,
                    external_id=ext_id,
                    digest=digest,
                )
            elif kind == "investigation":
                incident = self._resolve(("incident",), record["incident"])
                investigation_import(
                    actor=actor, incident=incident, data=data, external_id=ext_id, digest=digest
                )
            else:
                defender = self._resolve(("defender",), record["defender"])
                assessment_import(
                    actor=actor, defender=defender, data=data, external_id=ext_id, digest=digest
                )
            return "created"
        changed = self._update(kind, existing, record, data, digest)
        if not changed:
            # Same content in another spelling (order of codes, defaults written out): remember
            # the new digest so the next import of this line is skipped outright.
            model._default_manager.filter(pk=existing.pk).update(digest=digest)
            return "unchanged"
        return "updated"

    def _update(
        self, kind: str, existing: Any, record: dict[str, Any], data: Any, digest: str
    ) -> list[str]:
        actor = self.actor
        if kind == "organisation":
            return organisation_update(actor=actor, organisation=existing, data=data, digest=digest)
        if kind == "defender":
            if existing.is_shredded:
                raise PermissionDenied("This defender was shredded; the record cannot change.")
            return defender_update(actor=actor, defender=existing, data=data, digest=digest)
        if kind == "person":
            if existing.defender.external_id != record["related_to"]:
                raise ValidationError(
                    {"related_to": "A person cannot be moved to another defender."}
                )
            return person_update(actor=actor, person=existing, data=data, digest=digest)
        if kind == "event":
            return event_update(actor=actor, event=existing, data=data, digest=digest)
        if kind == "measure":
            if existing.defender.external_id != record["defender"]:
                raise ValidationError(
                    {"defender": "A measure cannot be moved to another defender."}
                )
            return measure_import_update(actor=actor, measure=existing, data=data, digest=digest)
        if kind == "assessment":
            if existing.defender.external_id != record["defender"]:
                raise ValidationError(
                    {"defender": "An assessment cannot be moved to another defender."}
                )
            return assessment_import_update(
                actor=actor, assessment=existing, data=data, digest=digest
            )
        if kind == "communication":
            return communication_import_update(
                actor=actor, communication=existing, data=data, digest=digest
            )
        if kind == "reply":
            if existing.communication.external_id != record["communication"]:
                raise ValidationError(
                    {"communication": "A reply cannot be moved to another communication."}
                )
            return reply_import_update(actor=actor, reply=existing, data=data, digest=digest)
        if kind == "investigation":
            if existing.incident.external_id != record["incident"]:
                raise ValidationError(
                    {"incident": "An investigation cannot be moved to another incident."}
                )
            return investigation_import_update(
                actor=actor, investigation=existing, data=data, digest=digest
            )
        return incident_update(actor=actor, incident=existing, data=data, digest=digest)


def _type_problem(kind: Any) -> str:
    if kind is None:
        return "This field is required."
    if kind in NOT_YET:
        return f"Records of type {kind!r} are not imported yet."
    return f"Unknown record type {kind!r}: expected one of {', '.join(TYPES)}."
