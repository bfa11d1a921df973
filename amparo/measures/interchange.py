"""The interchange `measure` record (interchange.md): import through these services, export
through measure_record. Kept here so the interchange package only wires the type in.

Dates are calendar days: on import a decision, implementation or end is stamped at the start
of that day (local time), so export gives the same day back. A provider is named by its entity
slug; an imported provider that is not trained gets a recorded override saying the source
system assigned it (the training gate of ¶113 f is then visible, not bypassed silently).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import Entity
from amparo.audit.services import audit_record
from amparo.core.codes import next_code
from amparo.core.policy import deny
from amparo.core.validation import Errors
from amparo.core.vocab import codes
from amparo.measures.models import Measure, MeasureKind, MeasureStatus, MeasureStatusChange
from amparo.measures.policies import may_request_measure, may_work_measure
from amparo.measures.services import MEASURE_PREFIX, provider_trained
from amparo.registry.models import Defender

IMPORTED_OVERRIDE = "Imported record: the provider was assigned by the source system."
IMPORT_NOTE = "Imported"


@dataclass
class MeasureImportData:
    kind: str
    status: str
    requested_on: datetime.date
    decided_on: datetime.date | None = None
    implemented_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    provider: str = ""

    def validate(self) -> None:
        errors = Errors()
        errors.code("kind", self.kind, codes(MeasureKind))
        errors.code("status", self.status, codes(MeasureStatus))
        errors.not_future("requested_on", self.requested_on)
        previous = ("requested_on", self.requested_on)
        for name in ("decided_on", "implemented_on", "ended_on"):
            value = getattr(self, name)
            if value is None:
                continue
            if previous[1] is not None and value < previous[1]:
                errors.add(name, f"This date is before {previous[0]}.")
            previous = (name, value)
        if self.provider and not Entity.objects.filter(slug=self.provider).exists():
            errors.add("provider", f"Unknown entity {self.provider!r}.")
        errors.raise_if_any()


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _at_or_none(day: datetime.date | None) -> datetime.datetime | None:
    return None if day is None else _at(day)


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _apply(measure: Measure, data: MeasureImportData) -> None:
    measure.kind, measure.status = data.kind, data.status
    measure.requested_on = data.requested_on
    measure.requested_at = _at(data.requested_on)
    measure.decided_at = _at_or_none(data.decided_on)
    measure.implemented_at = _at_or_none(data.implemented_on)
    measure.ended_at = _at_or_none(data.ended_on)
    provider = Entity.objects.filter(slug=data.provider).first() if data.provider else None
    measure.provider = provider
    untrained = provider is not None and not provider_trained(provider)
    measure.provider_override_reason = IMPORTED_OVERRIDE if untrained else None


def measure_import(
    *, actor: Any, defender: Defender, data: MeasureImportData, external_id: str, digest: str = ""
) -> Measure:
    """Create a measure as another system recorded it, status and dates included."""
    if not may_request_measure(actor, defender):
        raise deny()
    data.validate()
    with transaction.atomic():
        measure = Measure(
            code=next_code(MEASURE_PREFIX),
            external_id=external_id,
            case=defender.case,
            defender=defender,
            data_key=defender.data_key,
            lead_entity=defender.case.lead_entity,
            digest=digest,
        )
        _apply(measure, data)
        measure.save(force_insert=True)
        row = MeasureStatusChange(
            measure=measure,
            from_status="",
            to_status=data.status,
            at=measure.requested_at,
            by_label=getattr(actor, "audit_label", "") or "import",
            data_key=measure.data_key,
        )
        row.note = IMPORT_NOTE
        row.save(force_insert=True)
        audit_record(
            actor,
            "measure.import",
            object_type="measure",
            object_id=measure.pk,
            fields=["kind", "status", "requested_on", "decided_on", "implemented_on", "ended_on"]
            + (["provider"] if data.provider else []),
            detail={"code": measure.code, "kind": data.kind, "status": data.status},
        )
    return measure


def measure_import_update(
    *, actor: Any, measure: Measure, data: MeasureImportData, digest: str | None = None
) -> list[str]:
    """Apply a changed interchange record; returns the names of the fields that changed."""
    if not may_work_measure(actor, measure):
        raise deny()
    data.validate()
    current = measure_import_data(measure)
    changed = [
        name
        for name in current.__dataclass_fields__
        if getattr(current, name) != getattr(data, name)
    ]
    if not changed:
        return []
    with transaction.atomic():
        before = measure.status
        _apply(measure, data)
        if digest is not None:
            measure.digest = digest
        measure.save()
        if before != data.status:
            row = MeasureStatusChange(
                measure=measure,
                from_status=before,
                to_status=data.status,
                at=timezone.now(),
                by_label=getattr(actor, "audit_label", "") or "import",
                data_key=measure.data_key,
            )
            row.note = IMPORT_NOTE
            row.save(force_insert=True)
        audit_record(
            actor, "measure.update", object_type="measure", object_id=measure.pk, fields=changed
        )
    return changed


def measure_import_data(measure: Measure) -> MeasureImportData:
    return MeasureImportData(
        kind=measure.kind,
        status=measure.status,
        requested_on=measure.requested_on,
        decided_on=_day(measure.decided_at),
        implemented_on=_day(measure.implemented_at),
        ended_on=_day(measure.ended_at),
        provider=measure.provider.slug if measure.provider else "",
    )


def measure_record(measure: Measure, ref: Any) -> dict[str, Any]:
    """The interchange record of a measure (nothing in it is sensitive)."""
    data = measure_import_data(measure)
    return {
        "id": ref("measure", measure.external_id),
        "defender": ref("defender", measure.defender.external_id),
        "kind": data.kind,
        "status": data.status,
        "requested_on": data.requested_on,
        "decided_on": data.decided_on,
        "implemented_on": data.implemented_on,
        "ended_on": data.ended_on,
        "provider": data.provider,
    }
