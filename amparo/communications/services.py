"""Writes on communications to States: draft, submit, approve and send (four eyes), withdraw,
publish; replies and their documents; follow-up reminders; country visit requests.

Every write is policy-checked, validated, audited in its own transaction. The reference is
allocated at sending, as the UN writes it (`UA COL 3/2026`): numbers run per State and year
across every kind of letter (UN practice), without gaps or duplicates even under concurrency.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pycountry
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from amparo.accounts.models import Entity, User
from amparo.audit.services import audit_read, audit_record
from amparo.communications.drafting import Draft, compose, concerned_defenders, without_consent
from amparo.communications.models import (
    Communication,
    CommunicationStatus,
    CountryVisit,
    Reply,
    ReplyDocument,
)
from amparo.communications.policies import (
    LETTER_ROLES,
    is_second_person,
    may_approve,
    may_change_visit,
    may_draft,
    may_edit,
    may_follow,
    may_write_visits,
    sees_letter,
)
from amparo.coordination.models import Task
from amparo.coordination.services import task_open, tasks_close_for
from amparo.core.codes import next_code
from amparo.core.keystore import data_key_create, data_key_shred
from amparo.core.models import Counter, DataKey
from amparo.core.policy import deny, role_of
from amparo.core.sealedfiles import seal_to_file, unseal_file
from amparo.core.uploads import upload_check
from amparo.core.validation import Errors
from amparo.core.vocab import CommunicationKind, Gender, ReplyKind, VisitStatus, codes
from amparo.incidents.models import Incident
from amparo.registry.models import Defender

S = CommunicationStatus
COMMUNICATION_PREFIX = "COM"
REPLY_PREFIX = "RPL"
DEFAULT_FOLLOW_UP_DAYS = 60
REFERENCE_RETRIES = 5
REFERENCE = re.compile(r"^(UA|AL|OL|JUA|JAL|JOL) ([A-Z]{3}) ([1-9][0-9]*)/([0-9]{4})$")
MANDATE_MAX_LENGTH = 200


def follow_up_days() -> int:
    """Days a State has to reply before a reminder: the deployment's
    AMPARO_REPLY_FOLLOW_UP_DAYS (a Django setting, or else the environment), default 60."""
    configured = getattr(settings, "AMPARO_REPLY_FOLLOW_UP_DAYS", None)
    if configured is None:
        configured = os.environ.get("AMPARO_REPLY_FOLLOW_UP_DAYS") or DEFAULT_FOLLOW_UP_DAYS
    try:
        days = int(configured)
    except (TypeError, ValueError):
        days = 0
    if days < 1:
        raise ImproperlyConfigured(
            f"AMPARO_REPLY_FOLLOW_UP_DAYS must be a positive number of days, not {configured!r}."
        )
    return days


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def alpha3(state: str) -> str:
    country = pycountry.countries.get(alpha_2=state.upper()) if state else None
    if country is None:
        raise ValueError(f"Unknown ISO 3166-1 alpha-2 code {state!r}.")
    return str(country.alpha_3)


def format_reference(kind: str, state: str, number: int, year: int) -> str:
    return f"{kind} {alpha3(state)} {number}/{year}"


def parse_reference(reference: str) -> tuple[str, str, int, int] | None:
    """("UA", "COL", 3, 2009) from "UA COL 3/2009"; None when it is not written that way."""
    match = REFERENCE.match(reference)
    if match is None:
        return None
    kind, iso3, number, year = match.groups()
    return kind, iso3, int(number), int(year)


@dataclass
class CommunicationData:
    kind: str
    state: str
    mandates: list[str] = field(default_factory=list)
    defenders: list[Defender] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    summary: str = ""
    # The drafter's mark for letters about women defenders in general; the linked defenders'
    # gender sets it too.
    concerns_women_defenders: bool = False

    def validate(self) -> None:
        errors = Errors()
        errors.code("kind", self.kind, codes(CommunicationKind))
        errors.country("state", self.state)
        if not isinstance(self.mandates, list) or not all(
            isinstance(m, str) and m.strip() and len(m) <= MANDATE_MAX_LENGTH for m in self.mandates
        ):
            errors.add("mandates", "Name each mandate in a line of its own (200 characters).")
        elif self.kind.startswith("J") and len(self.mandates) < 2:
            errors.add("mandates", "A joint communication names at least two mandates.")
        if any(d.is_shredded for d in self.defenders):
            errors.add("defenders", "An erased defender cannot be named in a letter.")
        errors.raise_if_any()


def _links(communication: Communication) -> tuple[list[Defender], list[Incident]]:
    defenders = list(communication.defenders.prefetch_related("category_rows"))
    incidents = list(
        communication.incidents.select_related("data_key").prefetch_related(
            "violation_rows", "perpetrator_rows", "victim_defenders"
        )
    )
    return defenders, incidents


def _compose(actor: Any, communication: Communication, data: CommunicationData) -> Draft:
    draft = compose(
        kind=data.kind,
        state=data.state,
        mandates=data.mandates,
        defenders=data.defenders,
        incidents=data.incidents,
    )
    # Composing decrypted what consent allowed: the drafter was shown it through the letter.
    audit_read(actor, "defender", draft.read_defenders, fields=["name"], via="communication")
    audit_read(
        actor, "incident", draft.read_incidents, fields=["locality", "narrative"], via="letter"
    )
    communication.body = draft.body
    communication.disclosed = draft.disclosed
    communication.concerns_women_defenders = data.concerns_women_defenders or draft.concerns_women
    return draft


def _detail(communication: Communication, **extra: Any) -> dict[str, Any]:
    return {
        "external_id": communication.external_id,
        "kind": communication.kind,
        "state": communication.state,
        "status": communication.status,
        **extra,
    }


def communication_draft(
    *, actor: Any, data: CommunicationData, entity: Entity | None = None
) -> Communication:
    """A new draft, its letter composed from the linked records (journey 5)."""
    if not may_draft(actor):
        raise deny()
    data.validate()
    lead = entity or getattr(actor, "entity", None)
    if lead is None:
        raise ValidationError({"entity": "Name the lead entity of the communication."})
    with transaction.atomic():
        external_id = next_code(COMMUNICATION_PREFIX)
        communication = Communication(
            external_id=external_id,
            kind=data.kind,
            state=data.state.upper(),
            status=S.DRAFT,
            mandates=[m.strip() for m in data.mandates],
            lead_entity=lead,
            data_key=data_key_create(),
            drafted_by=_user(actor),
        )
        communication.summary = data.summary.strip() or None
        draft = _compose(actor, communication, data)
        communication.save(force_insert=True)
        communication.defenders.set(data.defenders)
        communication.incidents.set(data.incidents)
        audit_record(
            actor,
            "communication.draft",
            object_type="communication",
            object_id=communication.pk,
            fields=["summary", "body"],
            detail=_detail(
                communication,
                defenders=sorted(d.code for d in data.defenders),
                incidents=sorted(i.code for i in data.incidents),
                withheld=draft.withheld,
            ),
        )
    return communication


def communication_update(
    *,
    actor: Any,
    communication: Communication,
    data: CommunicationData,
    body: str | None = None,
    regenerate: bool = False,
) -> list[str]:
    """Change a draft. The letter is composed again when its links, kind, State or mandates
    change (or on request); otherwise the drafter's text is kept. Returns the changed fields."""
    if not may_edit(actor, communication) or communication.status != S.DRAFT:
        raise deny("Only a draft can be changed.")
    data.validate()
    old_defenders, old_incidents = _links(communication)
    changed = [
        name
        for name, before, after in (
            ("kind", communication.kind, data.kind),
            ("state", communication.state, data.state.upper()),
            ("mandates", communication.mandates, [m.strip() for m in data.mandates]),
            ("defenders", {d.pk for d in old_defenders}, {d.pk for d in data.defenders}),
            ("incidents", {i.pk for i in old_incidents}, {i.pk for i in data.incidents}),
            ("summary", communication.summary or "", data.summary.strip()),
        )
        if before != after
    ]
    recompose = regenerate or bool(set(changed) - {"summary"})
    if body is not None and not recompose and body.strip() != (communication.body or "").strip():
        changed.append("body")
    women = data.concerns_women_defenders or any(
        d.gender == Gender.WOMAN for d in concerned_defenders(data.defenders, data.incidents)
    )
    if women != communication.concerns_women_defenders:
        changed.append("concerns_women_defenders")
    if not changed and not recompose:
        return []
    with transaction.atomic():
        communication.kind, communication.state = data.kind, data.state.upper()
        communication.mandates = [m.strip() for m in data.mandates]
        communication.summary = data.summary.strip() or None
        communication.concerns_women_defenders = women
        if recompose:
            _compose(actor, communication, data)
            changed.append("body")
        elif "body" in changed and body is not None:
            communication.body = body.strip() + "\n"
        communication.save()
        communication.defenders.set(data.defenders)
        communication.incidents.set(data.incidents)
        changed = sorted(set(changed))
        audit_record(
            actor,
            "communication.update",
            object_type="communication",
            object_id=communication.pk,
            fields=changed,
            detail=_detail(communication),
        )
    return changed


def _transition(
    actor: Any, communication: Communication, to_status: str, action: str, **fields: Any
) -> Communication:
    with transaction.atomic():
        before = communication.status
        communication.status = to_status
        for name, value in fields.items():
            setattr(communication, name, value)
        communication.save(update_fields=["status", "updated_at", *fields])
        audit_record(
            actor,
            action,
            object_type="communication",
            object_id=communication.pk,
            fields=["status", *fields],
            detail=_detail(communication, previous=before),
        )
    return communication


def communication_submit(*, actor: Any, communication: Communication) -> Communication:
    """Ask a second person to approve the letter."""
    if not may_edit(actor, communication) or communication.status != S.DRAFT:
        raise deny("Only a draft can be submitted for approval.")
    return _transition(
        actor,
        communication,
        S.AWAITING_APPROVAL,
        "communication.submit",
        submitted_by=_user(actor),
    )


def communication_return(*, actor: Any, communication: Communication) -> Communication:
    """The approver sends the letter back to its drafter, unchanged."""
    if not may_approve(actor, communication):
        raise deny()
    return _transition(actor, communication, S.DRAFT, "communication.return", submitted_by=None)


def communication_withdraw(*, actor: Any, communication: Communication) -> Communication:
    """Abandon a letter that was not sent (sent letters stay on record)."""
    if not may_edit(actor, communication):
        raise deny("Only a letter that was not sent can be withdrawn.")
    return _transition(actor, communication, S.WITHDRAWN, "communication.withdraw")


def consent_missing(communication: Communication) -> list[str]:
    defenders, incidents = _links(communication)
    return without_consent(defenders, incidents)


def allocate_reference(communication: Communication, year: int) -> None:
    """The next number of the State and year: one above the highest taken (imports included).
    A row lock on a counter serialises senders on PostgreSQL; the unique constraint catches
    what slips through elsewhere, and the caller retries."""
    name = f"communication-{communication.state}-{year}"
    Counter.objects.get_or_create(name=name)
    Counter.objects.select_for_update().get(name=name)
    highest = Communication.objects.filter(state=communication.state, ref_year=year).aggregate(
        highest=Max("ref_number")
    )["highest"]
    number = (highest or 0) + 1
    Counter.objects.filter(name=name).update(value=number)
    communication.ref_number, communication.ref_year = number, year
    communication.reference = format_reference(
        communication.kind, communication.state, number, year
    )


def communication_approve_send(
    *,
    actor: Any,
    communication: Communication,
    sent_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Communication:
    """Four eyes: a second person approves, and the letter is sent with its reference."""
    if not sees_letter(actor, communication) or role_of(actor) not in LETTER_ROLES:
        raise deny()
    if communication.status == S.AWAITING_APPROVAL and not is_second_person(actor, communication):
        raise deny("The drafter or the submitter of a letter may not approve it.")
    if not may_approve(actor, communication):
        raise deny("Only a letter awaiting approval can be approved.")
    missing = consent_missing(communication)
    if missing:
        raise ValidationError(
            {
                "defenders": "No consent to share with State authorities: "
                + ", ".join(missing)
                + ". Record their consent or unlink them before sending."
            }
        )
    now = now or timezone.now()
    sent_on = sent_on or timezone.localdate(now)
    if sent_on > timezone.localdate(now):
        raise ValidationError({"sent_on": "A letter cannot be sent in the future."})
    for attempt in range(REFERENCE_RETRIES):
        try:
            with transaction.atomic():
                locked = Communication.objects.select_for_update().get(pk=communication.pk)
                if locked.status != S.AWAITING_APPROVAL:
                    raise deny("The letter is no longer awaiting approval.")
                allocate_reference(communication, sent_on.year)
                communication.status = S.SENT
                communication.approved_by = _user(actor)
                communication.approved_at = now
                communication.sent_on = sent_on
                communication.follow_up_on = sent_on + datetime.timedelta(days=follow_up_days())
                communication.save()
                audit_record(
                    actor,
                    "communication.send",
                    object_type="communication",
                    object_id=communication.pk,
                    fields=["status", "reference", "sent_on", "follow_up_on"],
                    detail=_detail(communication, reference=communication.reference),
                )
            return communication
        except IntegrityError:
            communication.reference, communication.ref_number = "", None
            communication.ref_year = None
            if attempt == REFERENCE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def communication_publish(
    *, actor: Any, communication: Communication, published_on: datetime.date
) -> Communication:
    """The day the communication was made public: it is confidential until then."""
    if not may_follow(actor, communication):
        raise deny()
    if communication.sent_on and published_on < communication.sent_on:
        raise ValidationError({"published_on": "Published before it was sent."})
    with transaction.atomic():
        communication.published_on = published_on
        communication.save(update_fields=["published_on", "updated_at"])
        audit_record(
            actor,
            "communication.publish",
            object_type="communication",
            object_id=communication.pk,
            fields=["published_on"],
            detail=_detail(communication, reference=communication.reference),
        )
    return communication


# Replies -----------------------------------------------------------------------------------


@dataclass
class ReplyData:
    received_on: datetime.date
    kind: str
    summary: str = ""

    def validate(self, communication: Communication) -> None:
        errors = Errors()
        errors.code("kind", self.kind, codes(ReplyKind))
        errors.not_future("received_on", self.received_on)
        if communication.sent_on and self.received_on < communication.sent_on:
            errors.add("received_on", "Received before the communication was sent.")
        errors.raise_if_any()


def reply_record(
    *,
    actor: Any,
    communication: Communication,
    data: ReplyData,
    external_id: str | None = None,
    digest: str = "",
) -> Reply:
    """The State's reply: the follow-up reminder about the communication is closed."""
    if not may_follow(actor, communication):
        raise deny()
    data.validate(communication)
    with transaction.atomic():
        reply = Reply(
            external_id=external_id or next_code(REPLY_PREFIX),
            communication=communication,
            received_on=data.received_on,
            kind=data.kind,
            data_key=communication.data_key,
            recorded_by=_user(actor),
            digest=digest,
        )
        reply.summary = data.summary.strip() or None
        reply.save(force_insert=True)
        audit_record(
            actor,
            "reply.create",
            object_type="reply",
            object_id=reply.pk,
            fields=["received_on", "kind", *(["summary"] if data.summary.strip() else [])],
            detail={"communication": communication.reference, "kind": reply.kind},
        )
        tasks_close_for(actor=actor, subject_type="communication", subject_id=communication.pk)
    return reply


def reply_update(*, actor: Any, reply: Reply, data: ReplyData, digest: str = "") -> list[str]:
    """Change a recorded reply (imports); the summary is kept when data has none."""
    communication = reply.communication
    if not may_follow(actor, communication):
        raise deny()
    data.validate(communication)
    changed = [
        name for name in ("received_on", "kind") if getattr(reply, name) != getattr(data, name)
    ]
    if data.summary.strip() and data.summary.strip() != (reply.summary or ""):
        changed.append("summary")
    with transaction.atomic():
        reply.received_on, reply.kind, reply.digest = data.received_on, data.kind, digest
        if "summary" in changed:
            reply.summary = data.summary.strip()
        reply.save()
        if changed:
            audit_record(
                actor,
                "reply.update",
                object_type="reply",
                object_id=reply.pk,
                fields=changed,
                detail={"communication": communication.reference},
            )
    return changed


def _document_aad(document: ReplyDocument) -> bytes:
    return f"amparo|reply-document|{document.pk}|{document.data_key_id}".encode()


def document_path(document: ReplyDocument) -> Path:
    return Path(settings.AMPARO_ATTACHMENTS_DIR) / "replies" / f"{document.pk}.bin"


def reply_document_add(
    *, actor: Any, reply: Reply, upload: IO[bytes], filename: str, content_type: str
) -> ReplyDocument:
    """Check the file, hash the original, encrypt it under the communication's key, store it
    (as incident evidence is stored: amparo.incidents.services.attachment_add). The declared
    `content_type` is not trusted: the stored type is the one found in the content."""
    if not may_follow(actor, reply.communication):
        raise deny()
    checked = upload_check(upload, filename, field="document")
    document = ReplyDocument(
        reply=reply,
        data_key=reply.data_key,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=_user(actor),
    )
    document.filename = os.path.basename(filename)[:255]
    path = document_path(document)
    seal_to_file(path, reply.data_key, checked.content, _document_aad(document))
    try:
        with transaction.atomic():
            document.save(force_insert=True)
            audit_record(
                actor,
                "reply_document.create",
                object_type="reply_document",
                object_id=document.pk,
                fields=["filename", "content"],
                detail={
                    "reply": reply.external_id,
                    "sha256": document.sha256,
                    "size": document.size,
                },
            )
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return document


def reply_document_read(*, actor: Any, document: ReplyDocument) -> bytes:
    """Decrypt a reply's document for the lead entity's letter staff; the read is audited."""
    if not sees_letter(actor, document.reply.communication):
        raise deny()
    content = unseal_file(document_path(document), document.data_key, _document_aad(document))
    audit_record(
        actor,
        "reply_document.read",
        object_type="reply_document",
        object_id=document.pk,
        fields=["filename", "content"],
        detail={"reply": document.reply.external_id},
    )
    return content


# Follow-up reminders -----------------------------------------------------------------------


def follow_up_title(communication: Communication) -> str:
    return f"Follow up communication {communication.reference}: no reply yet"


def replies_remind(*, actor: Any, now: datetime.datetime | None = None) -> list[Communication]:
    """Open a follow-up task for every sent communication past its follow-up day without a
    reply; idempotent (one open task per communication). Returns those newly reminded."""
    today = timezone.localdate(now or timezone.now())
    overdue = Communication.objects.filter(
        status=S.SENT, follow_up_on__lte=today, replies__isnull=True
    ).select_related("drafted_by", "lead_entity")
    reminded = []
    for communication in overdue.order_by("follow_up_on", "reference"):
        open_task = Task.objects.filter(
            subject_type="communication",
            subject_id=str(communication.pk),
            status=Task.Status.OPEN,
        ).exists()
        if open_task:
            continue
        drafter = communication.drafted_by
        with transaction.atomic():
            task_open(
                actor=actor,
                kind=Task.Kind.OTHER,
                title=follow_up_title(communication),
                entity=communication.lead_entity,
                owner=drafter if drafter is not None and drafter.is_active else None,
                due_at=now or timezone.now(),
                subject_type="communication",
                subject_id=str(communication.pk),
            )
            audit_record(
                actor,
                "communication.reminder",
                object_type="communication",
                object_id=communication.pk,
                detail={"reference": communication.reference},
            )
        reminded.append(communication)
    return reminded


def letters_erase(*, defender: Defender) -> int:
    """Part of erasing a defender (amparo.registry.services.defender_shred calls it inside its
    transaction): a letter sealed under its own key, with its replies and their documents, is
    about the people it links; once every linked defender is erased and every linked incident
    is sealed under an erased key, its key is destroyed too. A letter that also concerns a
    living record stays. Returns how many letters were erased."""
    from amparo.communications.selectors import letters_about_only

    found = letters_about_only(defender)
    for letter in found:
        keys = {letter.data_key_id}
        keys.update(letter.replies.values_list("data_key_id", flat=True))
        keys.update(
            ReplyDocument.objects.filter(reply__communication=letter).values_list(
                "data_key_id", flat=True
            )
        )
        for data_key in DataKey.objects.filter(pk__in=keys, wrapped__isnull=False):
            data_key_shred(data_key)
    return len(found)


# Country visits ----------------------------------------------------------------------------


@dataclass
class VisitData:
    state: str
    years_requested: list[int]
    first_requested_on: datetime.date
    status: str = VisitStatus.REQUESTED
    accepted_on: datetime.date | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    declined_on: datetime.date | None = None
    notes: str = ""

    def validate(self) -> None:
        errors = Errors()
        errors.country("state", self.state)
        errors.code("status", self.status, codes(VisitStatus))
        years = self.years_requested
        if not years or not all(isinstance(y, int) and 1945 <= y <= 2100 for y in years):
            errors.add("years_requested", "Give the years the visit was requested (e.g. 2009).")
        elif self.first_requested_on.year not in years:
            errors.add("first_requested_on", "The first request's year is not among the years.")
        errors.not_future("first_requested_on", self.first_requested_on)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors.add("ends_on", "The visit ends before it starts.")
        if self.status == VisitStatus.DECLINED and self.declined_on is None:
            errors.add("declined_on", "Give the day the State declined.")
        if self.status in {VisitStatus.SCHEDULED, VisitStatus.CONDUCTED} and not self.starts_on:
            errors.add("starts_on", "Give the dates of the visit.")
        errors.raise_if_any()


VISIT_FIELDS = (
    "state",
    "status",
    "years_requested",
    "first_requested_on",
    "accepted_on",
    "starts_on",
    "ends_on",
    "declined_on",
    "notes",
)


def visit_save(
    *,
    actor: Any,
    data: VisitData,
    visit: CountryVisit | None = None,
    entity: Entity | None = None,
) -> CountryVisit:
    """Record a visit request, or change one (status, renewed years, dates)."""
    if visit is None and not may_write_visits(actor):
        raise deny()
    if visit is not None and not may_change_visit(actor, visit):
        raise deny()
    data.validate()
    values = {
        "state": data.state.upper(),
        "status": data.status,
        "years_requested": sorted(set(data.years_requested)),
        "first_requested_on": data.first_requested_on,
        "accepted_on": data.accepted_on,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "declined_on": data.declined_on,
        "notes": data.notes.strip(),
    }
    with transaction.atomic():
        if visit is None:
            lead = entity or getattr(actor, "entity", None)
            if lead is None:
                raise ValidationError({"entity": "Name the lead entity of the request."})
            visit = CountryVisit.objects.create(lead_entity=lead, **values)
            changed = list(VISIT_FIELDS)
            action = "visit.create"
        else:
            changed = [n for n in VISIT_FIELDS if getattr(visit, n) != values[n]]
            if not changed:
                return visit
            for name in changed:
                setattr(visit, name, values[name])
            visit.save()
            action = "visit.update"
        audit_record(
            actor,
            action,
            object_type="country_visit",
            object_id=visit.pk,
            fields=changed,
            detail={"state": visit.state, "status": visit.status},
        )
    return visit


def visit_delete(*, actor: Any, visit: CountryVisit) -> None:
    """Remove a request recorded by mistake (the audit log keeps that it existed)."""
    if not may_change_visit(actor, visit):
        raise deny()
    with transaction.atomic():
        audit_record(
            actor,
            "visit.delete",
            object_type="country_visit",
            object_id=visit.pk,
            detail={"state": visit.state, "status": visit.status},
        )
        visit.delete()
