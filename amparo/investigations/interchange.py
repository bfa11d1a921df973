"""The interchange `investigation` record (interchange.md): import through these services,
export through investigation_interchange_record. Nothing in the record is sensitive.

On import a stage is dated `updated_on`, or the import day when the line has none (a later
day makes the impunity figures err on the side of "not investigated yet", never the other).
Re-importing the same line changes nothing; a line with another stage appends it to the
history, as a page update would.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from amparo.audit.services import audit_record
from amparo.core.policy import deny, is_system
from amparo.core.validation import Errors
from amparo.core.vocab import InvestigationStage, codes
from amparo.incidents.models import Incident
from amparo.investigations.models import Investigation
from amparo.investigations.policies import investigation_scope, may_record_investigation
from amparo.investigations.services import (
    MAX_AUTHORITY,
    InvestigationChange,
    investigation_record,
)


@dataclass
class InvestigationImportData:
    stage: str
    updated_on: datetime.date | None = None
    authority: str = ""

    def validate(self) -> None:
        errors = Errors()
        errors.code("stage", self.stage, codes(InvestigationStage))
        errors.not_future("updated_on", self.updated_on)
        if len(self.authority) > MAX_AUTHORITY:
            errors.add("authority", f"Keep it under {MAX_AUTHORITY} characters.")
        errors.raise_if_any()


def _change(current: Investigation | None, data: InvestigationImportData) -> InvestigationChange:
    return InvestigationChange(
        stage=data.stage,
        on=data.updated_on or timezone.localdate(),
        authority=data.authority,
        compensation_awarded=current.compensation_awarded if current else None,
        compensation_amount=current.compensation_amount if current else None,
        compensation_currency=current.compensation_currency if current else "",
    )


def investigation_import(
    *,
    actor: Any,
    incident: Incident,
    data: InvestigationImportData,
    external_id: str,
    digest: str = "",
) -> Investigation:
    data.validate()
    existing = Investigation.objects.filter(incident=incident).first()
    if existing is not None:
        raise ValidationError(
            {"incident": f"This incident already has an investigation ({existing.external_id})."}
        )
    investigation, _changed = investigation_record(
        actor=actor,
        incident=incident,
        change=_change(None, data),
        external_id=external_id,
        digest=digest,
    )
    return investigation


def investigation_import_update(
    *,
    actor: Any,
    investigation: Investigation,
    data: InvestigationImportData,
    digest: str | None = None,
) -> list[str]:
    """Apply a changed line: a new stage is appended to the history; a new day for the same
    stage only corrects updated_on (audited)."""
    incident = investigation.incident
    if not may_record_investigation(actor, incident):
        raise deny()
    data.validate()
    if investigation.stage != data.stage or investigation.authority != data.authority:
        _investigation, changed = investigation_record(
            actor=actor,
            incident=incident,
            change=_change(investigation, data),
            digest=digest,
        )
        return changed
    if data.updated_on is None or data.updated_on == investigation.updated_on:
        return []
    with transaction.atomic():
        investigation.updated_on = data.updated_on
        if digest is not None:
            investigation.digest = digest
        investigation.save(update_fields=["updated_on", "digest", "updated_at"])
        audit_record(
            actor,
            "investigation.update",
            object_type="investigation",
            object_id=investigation.pk,
            fields=["updated_on"],
            detail={"incident": incident.code},
        )
    return ["updated_on"]


def exportable_investigations(actor: Any) -> QuerySet[Investigation]:
    """The investigations an export writes: those the actor may read whose incident is
    exported too (an incident is left out of an export when every victim and organisation of
    it is hidden from the actor, and an investigation of it would not import)."""
    from amparo.registry.models import Defender, Organisation, Person
    from amparo.registry.policies import defender_scope, organisation_scope, person_scope

    investigations = Investigation.objects.filter(investigation_scope(actor))
    if not is_system(actor):
        investigations = investigations.filter(
            Q(incident__victim_defenders__in=Defender.objects.filter(defender_scope(actor)))
            | Q(incident__victim_persons__in=Person.objects.filter(person_scope(actor)))
            | Q(incident__organisations__in=Organisation.objects.filter(organisation_scope(actor)))
        ).distinct()
    return investigations.select_related("incident").order_by("external_id")


def investigation_interchange_record(investigation: Investigation, ref: Any) -> dict[str, Any]:
    return {
        "id": ref("investigation", investigation.external_id),
        "incident": ref("incident", investigation.incident.external_id),
        "stage": investigation.stage,
        "updated_on": investigation.updated_on,
        "authority": investigation.authority,
    }
