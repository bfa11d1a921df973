"""What an actor is shown of an investigation. Showing the outcome or notes decrypts, so it is
audited (one `investigation.read` event per investigation shown with them)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from amparo.audit.services import audit_read
from amparo.core.crypto import CryptoError
from amparo.investigations.models import Investigation, InvestigationUpdate
from amparo.investigations.policies import sees_investigation_details


@dataclass
class UpdateView:
    stage: str
    on: datetime.date
    note: str | None
    recorded_by: str


@dataclass
class InvestigationView:
    external_id: str
    incident_code: str
    stage: str
    authority: str
    complaint_filed_on: datetime.date | None
    opened_on: datetime.date | None
    updated_on: datetime.date | None
    closed_on: datetime.date | None
    compensation_awarded: bool | None
    compensation_amount: Decimal | None
    compensation_currency: str
    details_shown: bool
    outcome: str | None = None
    history: list[UpdateView] = field(default_factory=list)


def _open(read: Any) -> str | None:
    try:
        return read() or None
    except CryptoError:
        return None


def present_investigation(
    actor: Any, investigation: Investigation, history: list[InvestigationUpdate], *, via: str
) -> InvestigationView:
    details = sees_investigation_details(actor) and not investigation.data_key.is_shredded
    view = InvestigationView(
        external_id=investigation.external_id,
        incident_code=investigation.incident.code,
        stage=investigation.stage,
        authority=investigation.authority,
        complaint_filed_on=investigation.complaint_filed_on,
        opened_on=investigation.opened_on,
        updated_on=investigation.updated_on,
        closed_on=investigation.closed_on,
        compensation_awarded=investigation.compensation_awarded,
        compensation_amount=investigation.compensation_amount,
        compensation_currency=investigation.compensation_currency,
        details_shown=details,
        outcome=_open(lambda: investigation.outcome) if details else None,
        history=[
            UpdateView(
                stage=row.stage,
                on=row.on,
                note=_open(lambda row=row: row.note) if details else None,
                recorded_by=row.recorded_by.username if row.recorded_by else "",
            )
            for row in history
        ],
    )
    if details:
        audit_read(actor, "investigation", [investigation], fields=["outcome", "note"], via=via)
    return view
