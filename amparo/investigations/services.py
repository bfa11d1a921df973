"""Writes on investigations: every change of stage is appended to the history with its day.

Policy-checked, validated, audited, one transaction each. The investigation of an incident is
created by its first update; its external id is the incident's (one investigation per
incident), unless an interchange file named it otherwise.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from amparo.accounts.models import User
from amparo.audit.services import audit_record
from amparo.core.policy import deny
from amparo.core.validation import Errors
from amparo.core.vocab import INVESTIGATED_STAGES, InvestigationStage, codes
from amparo.incidents.models import Incident
from amparo.investigations.models import Investigation, InvestigationUpdate
from amparo.investigations.policies import may_record_investigation

Stage = InvestigationStage
# Stages that end the proceedings: the investigation's closed_on is the day it reached one.
CLOSING_STAGES = frozenset({Stage.CONVICTED, Stage.ACQUITTED, Stage.CLOSED_WITHOUT_RESULT})
MAX_AUTHORITY = 200


@dataclass
class InvestigationChange:
    """The state an update leaves the investigation in. outcome None keeps the stored one
    (so that an update need not decrypt it); every other field is set as given."""

    stage: str
    on: datetime.date
    authority: str = ""
    note: str = ""
    outcome: str | None = None
    compensation_awarded: bool | None = None
    compensation_amount: Decimal | None = None
    compensation_currency: str = ""

    def validate(self, incident: Incident, last_on: datetime.date | None) -> None:
        errors = Errors()
        errors.code("stage", self.stage, codes(InvestigationStage))
        errors.not_future("on", self.on)
        if self.on < incident.date:
            errors.add("on", "An investigation cannot change before the incident happened.")
        elif last_on is not None and self.on < last_on:
            errors.add("on", f"The last change was recorded on {last_on}: give a later day.")
        if len(self.authority) > MAX_AUTHORITY:
            errors.add("authority", f"Keep it under {MAX_AUTHORITY} characters.")
        if self.compensation_amount is not None:
            if self.compensation_amount < 0:
                errors.add("compensation_amount", "An amount cannot be negative.")
            currency = self.compensation_currency
            if not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
                errors.add("compensation_currency", "Give the ISO 4217 code (COP, USD, …).")
        errors.raise_if_any()


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def _last_on(investigation: Investigation | None) -> datetime.date | None:
    if investigation is None or investigation.pk is None:
        return None
    return (
        InvestigationUpdate.objects.filter(investigation=investigation)
        .order_by("-on")
        .values_list("on", flat=True)
        .first()
    )


def _apply_stage(investigation: Investigation, stage: str, on: datetime.date) -> None:
    investigation.stage = stage
    investigation.updated_on = on
    if stage == Stage.COMPLAINT_FILED and investigation.complaint_filed_on is None:
        investigation.complaint_filed_on = on
    if stage in INVESTIGATED_STAGES and investigation.opened_on is None:
        investigation.opened_on = on
    investigation.closed_on = (investigation.closed_on or on) if stage in CLOSING_STAGES else None


_PLAIN = ("authority", "compensation_awarded", "compensation_amount", "compensation_currency")


def investigation_record(
    *,
    actor: Any,
    incident: Incident,
    change: InvestigationChange,
    external_id: str | None = None,
    digest: str | None = None,
) -> tuple[Investigation, list[str]]:
    """Record an update of the incident's investigation (creating it on the first); returns it
    with the names of the fields that changed (empty: nothing was written)."""
    if not may_record_investigation(actor, incident):
        raise deny()
    investigation = Investigation.objects.filter(incident=incident).first()
    change.validate(incident, _last_on(investigation))
    new = investigation is None
    if investigation is None:
        investigation = Investigation(
            external_id=external_id or incident.external_id,
            incident=incident,
            data_key=incident.data_key,
        )
    stage_changed = new or investigation.stage != change.stage
    changed = [
        name for name in _PLAIN if new or getattr(investigation, name) != getattr(change, name)
    ]
    if stage_changed:
        changed.append("stage")
    if change.outcome is not None and (new or change.outcome != (investigation.outcome or "")):
        changed.append("outcome")
    if change.note:
        changed.append("note")
    if not changed:
        return investigation, []
    with transaction.atomic():
        for name in _PLAIN:
            setattr(investigation, name, getattr(change, name))
        if stage_changed:
            _apply_stage(investigation, change.stage, change.on)
        if "outcome" in changed:
            investigation.outcome = change.outcome or None
        if digest is not None:
            investigation.digest = digest
        investigation.save(force_insert=new)
        if stage_changed or change.note:
            update = InvestigationUpdate(
                investigation=investigation,
                stage=change.stage,
                on=change.on,
                data_key=investigation.data_key,
                recorded_by=_user(actor),
            )
            update.note = change.note or None
            update.save(force_insert=True)
        audit_record(
            actor,
            "investigation.create" if new else "investigation.update",
            object_type="investigation",
            object_id=investigation.pk,
            fields=changed,
            detail={"incident": incident.code, "stage": investigation.stage, "on": str(change.on)},
        )
    return investigation, changed
