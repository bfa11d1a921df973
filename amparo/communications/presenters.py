"""What an actor is shown of a communication and its replies. Presenting decrypts the summary,
the letter and the replies' text for the lead entity's letter staff only, and audits the read."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from amparo.audit.services import audit_read
from amparo.communications.models import Communication, Reply
from amparo.communications.policies import sees_letter
from amparo.core.crypto import CryptoError

logger = logging.getLogger(__name__)


@dataclass
class CommunicationView:
    id: str
    external_id: str
    kind: str
    kind_label: str
    state: str
    status: str
    status_label: str
    reference: str
    mandates: list[str]
    lead_entity: str
    sent_on: datetime.date | None
    follow_up_on: datetime.date | None
    published_on: datetime.date | None
    concerns_women_defenders: bool
    disclosed: list[dict[str, Any]]
    drafted_by: str
    submitted_by: str
    approved_by: str
    approved_at: datetime.datetime | None
    created_at: datetime.datetime
    letter_shown: bool
    summary: str | None = None
    body: str | None = None
    communication: Communication | None = field(default=None, repr=False)

    @property
    def confidential(self) -> bool:
        return self.published_on is None or self.published_on > timezone.localdate()


def _name(user: Any) -> str:
    return getattr(user, "username", "") if user is not None else ""


def present_communications(
    actor: Any, communications: Sequence[Communication], *, via: str, with_letter: bool = True
) -> list[CommunicationView]:
    views, read = [], []
    for communication in communications:
        view = CommunicationView(
            id=str(communication.pk),
            external_id=communication.external_id,
            kind=communication.kind,
            kind_label=communication.get_kind_display(),
            state=communication.state,
            status=communication.status,
            status_label=communication.get_status_display(),
            reference=communication.reference,
            mandates=list(communication.mandates or []),
            lead_entity=communication.lead_entity.name,
            sent_on=communication.sent_on,
            follow_up_on=communication.follow_up_on,
            published_on=communication.published_on,
            concerns_women_defenders=communication.concerns_women_defenders,
            disclosed=list(communication.disclosed or []),
            drafted_by=_name(communication.drafted_by),
            submitted_by=_name(communication.submitted_by),
            approved_by=_name(communication.approved_by),
            approved_at=communication.approved_at,
            created_at=communication.created_at,
            letter_shown=False,
            communication=communication,
        )
        if (
            with_letter
            and sees_letter(actor, communication)
            and not communication.data_key.is_shredded
        ):
            try:
                opened = (communication.summary, communication.body)
            except CryptoError as error:
                logger.warning(
                    "Cannot decrypt communication %s: %s", communication.pk, type(error).__name__
                )
            else:
                view.summary, view.body = opened
                view.letter_shown = True
                read.append(communication)
        views.append(view)
    audit_read(actor, "communication", read, fields=["summary", "body"], via=via)
    return views


def present_communication(
    actor: Any, communication: Communication, *, via: str
) -> CommunicationView:
    return present_communications(actor, [communication], via=via)[0]


@dataclass
class DocumentView:
    id: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime
    filename: str | None


@dataclass
class ReplyView:
    external_id: str
    received_on: datetime.date
    kind: str
    kind_label: str
    summary: str | None
    documents: list[DocumentView]


def present_replies(
    actor: Any, communication: Communication, replies: Sequence[Reply], *, via: str
) -> list[ReplyView]:
    readable = sees_letter(actor, communication) and not communication.data_key.is_shredded
    views, read = [], []
    for reply in replies:
        summary = None
        documents = []
        opened = False
        if readable:
            try:
                summary = reply.summary
                documents = [
                    DocumentView(
                        str(d.pk), d.content_type, d.size, d.sha256, d.uploaded_at, d.filename
                    )
                    for d in reply.documents.all()
                ]
            except CryptoError as error:
                logger.warning("Cannot decrypt reply %s: %s", reply.pk, type(error).__name__)
            else:
                opened = True
        if not opened:
            documents = [
                DocumentView(str(d.pk), d.content_type, d.size, d.sha256, d.uploaded_at, None)
                for d in reply.documents.all()
            ]
        else:
            read.append(reply)
        views.append(
            ReplyView(
                reply.external_id,
                reply.received_on,
                reply.kind,
                reply.get_kind_display(),
                summary,
                documents,
            )
        )
    audit_read(actor, "reply", read, fields=["summary", "documents.filename"], via=via)
    return views
