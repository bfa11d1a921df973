"""What an actor is shown of incidents; presenting decrypts, so it audits the read."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from amparo.audit.services import audit_read
from amparo.core.crypto import CryptoError, Shredded
from amparo.core.policy import sees_identities
from amparo.incidents.models import Attachment, Incident
from amparo.registry.policies import defender_scope, person_scope
from amparo.registry.presenters import organisation_label, present_defenders, present_persons

INCIDENT_SENSITIVE = ["locality", "perpetrator_detail", "narrative", "sources"]
logger = logging.getLogger(__name__)


@dataclass
class VictimRef:
    kind: str  # "defender" or "person"
    ref: str  # defender code or person external id
    label: str | None  # the name, when the actor may see it


@dataclass
class IncidentView:
    code: str
    external_id: str
    case_code: str | None
    date: datetime.date
    date_precision: str
    end_date: datetime.date | None
    reported_on: datetime.date
    country: str
    subdivision: str
    violations: list[str]
    perpetrators: list[str]
    contexts: list[str]
    state_acquiescence: bool
    verification: str
    victims: list[VictimRef]
    hidden_victims: int
    organisations: list[tuple[str, str]]
    sealed: bool  # the key was shredded: the sensitive fields are gone
    details_shown: bool
    locality: str | None = None
    perpetrator_detail: str | None = None
    narrative: str | None = None
    sources: list[str] = field(default_factory=list)
    incident: Incident | None = field(default=None, repr=False)


def _victims(actor: Any, incident: Incident) -> tuple[list[VictimRef], int]:
    from amparo.registry.models import Defender, Person

    visible_defenders = list(
        Defender.objects.filter(defender_scope(actor), incidents=incident)
        .select_related("case", "data_key")
        .prefetch_related("category_rows")
        .order_by("code")
    )
    visible_persons = list(
        Person.objects.filter(person_scope(actor), incidents=incident).select_related("defender")
    )
    total = incident.victim_defenders.count() + incident.victim_persons.count()
    defender_views = present_defenders(actor, visible_defenders, via="incident")
    person_views = present_persons(actor, visible_persons, via="incident")
    refs = [VictimRef("defender", v.code, v.name) for v in defender_views]
    refs += [VictimRef("person", v.external_id, v.name) for v in person_views]
    return refs, total - len(refs)


def present_incidents(
    actor: Any,
    incidents: Sequence[Incident],
    *,
    via: str,
    with_victims: bool = False,
    with_details: bool = True,
) -> list[IncidentView]:
    """with_details=False: for a caller that shows no sensitive field (the list page and its
    download show codes, dates and places only), so nothing is decrypted and no read is recorded:
    an audited read is a field someone was shown."""
    details = with_details and sees_identities(actor)
    views, read = [], []
    for incident in incidents:
        victims, hidden = _victims(actor, incident) if with_victims else ([], 0)
        view = IncidentView(
            code=incident.code,
            external_id=incident.external_id,
            case_code=incident.case.code if incident.case else None,
            date=incident.date,
            date_precision=incident.date_precision,
            end_date=incident.end_date,
            reported_on=incident.reported_on,
            country=incident.country,
            subdivision=incident.subdivision,
            violations=incident.violation_codes,
            perpetrators=incident.perpetrator_codes,
            contexts=incident.context_codes,
            state_acquiescence=incident.state_acquiescence,
            verification=incident.verification,
            victims=victims,
            hidden_victims=hidden,
            organisations=[
                (o.external_id, organisation_label(actor, o)) for o in incident.organisations.all()
            ]
            if with_victims
            else [],
            sealed=incident.data_key.is_shredded,
            details_shown=False,
            incident=incident,
        )
        if details and not view.sealed:
            try:
                # All or nothing: a field shown is a field whose read is audited.
                opened = (
                    incident.locality,
                    incident.perpetrator_detail,
                    incident.narrative,
                    incident.sources or [],
                )
            except Shredded:
                view.sealed = True
            except CryptoError as error:
                # A missing or wrong key, or a ciphertext that does not authenticate: nothing is
                # shown, but it is not "sealed" either; the data may well exist (or be forged).
                logger.warning(
                    "Cannot decrypt incident %s: %s", incident.code, type(error).__name__
                )
            else:
                view.locality, view.perpetrator_detail, view.narrative, view.sources = opened
                view.details_shown = True
                read.append(incident)
        views.append(view)
    audit_read(actor, "incident", read, fields=INCIDENT_SENSITIVE, via=via)
    return views


def present_incident(actor: Any, incident: Incident, *, via: str) -> IncidentView:
    return present_incidents(actor, [incident], via=via, with_victims=True)[0]


@dataclass
class AttachmentView:
    id: str
    incident_code: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime
    filename: str | None  # only for actors who see identities: a file's name can name a victim


def present_attachments(
    actor: Any, attachments: Sequence[Attachment], *, via: str
) -> list[AttachmentView]:
    """Attachment metadata; the file name is decrypted (and its read audited) only for actors
    who see identities."""
    identities = sees_identities(actor)
    views, read = [], []
    for attachment in attachments:
        filename = None
        if identities and not attachment.data_key.is_shredded:
            try:
                filename = attachment.filename
            except CryptoError:
                filename = None
            else:
                read.append(attachment)
        views.append(
            AttachmentView(
                str(attachment.pk),
                attachment.incident.code,
                attachment.content_type,
                attachment.size,
                attachment.sha256,
                attachment.uploaded_at,
                filename,
            )
        )
    audit_read(actor, "attachment", read, fields=["filename"], via=via)
    return views
