"""Communications to States, their replies, and requests for country visits.

A communication is a letter of one or more special-procedure mandates to a State about
defenders and incidents: an urgent appeal (UA), an allegation letter (AL) or another letter
(OL), or their joint forms. It is drafted, approved by a second person (four eyes) and sent;
only then does it receive its reference as the UN writes it (`UA COL 3/2009`: kind, the State's
ISO 3166-1 alpha-3 code, a running number per State and year, the year). It stays confidential
until the day it is published. The summary and the letter's text are sensitive: they are
encrypted under the communication's own data key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.fields import EncryptedField
from amparo.core.vocab import CommunicationKind, ReplyKind, VisitStatus


class CommunicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    SENT = "sent", _("Sent")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Communication(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The interchange id; drafts made in the pages get a generated one.
    external_id = models.CharField(max_length=128, unique=True)
    kind = models.CharField(max_length=3, choices=CommunicationKind.choices)
    state = models.CharField(max_length=2)  # ISO 3166-1 alpha-2 of the addressed State
    status = models.CharField(
        max_length=20, choices=CommunicationStatus.choices, default=CommunicationStatus.DRAFT
    )
    # Set when sent: "UA COL 3/2009". Number and year are kept apart to allocate the next one.
    reference = models.CharField(max_length=32, blank=True)
    ref_number = models.PositiveIntegerField(null=True, blank=True)
    ref_year = models.PositiveIntegerField(null=True, blank=True)
    mandates = models.JSONField(default=list, blank=True)  # e.g. ["SR HRDs", "SR FoE"]
    lead_entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    defenders = models.ManyToManyField(
        "registry.Defender", blank=True, related_name="communications"
    )
    incidents = models.ManyToManyField(
        "incidents.Incident", blank=True, related_name="communications"
    )
    summary = EncryptedField(kind="text")
    body = EncryptedField(kind="text")  # the letter as drafted and sent
    # Which fields of which records the letter discloses: [{"record": code, "fields": [...]}].
    # Record codes and field names only, never values.
    disclosed = models.JSONField(default=list, blank=True)
    # Counted in the report's figure on women defenders (set from the linked defenders'
    # gender when drafting, or by the drafter for letters about women defenders in general).
    concerns_women_defenders = models.BooleanField(default=False)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    # When a reply is due; a reminder is raised after it while no reply has arrived.
    follow_up_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)  # confidential until then
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Keyed digest of the last imported interchange record: re-importing it is a no-op.
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-sent_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "ref_year", "ref_number"], name="communication_reference_unique"
            )
        ]
        indexes = [
            models.Index(fields=["state", "sent_on"]),
            models.Index(fields=["status", "follow_up_on"]),
        ]

    def __str__(self) -> str:
        return self.reference or f"draft {self.external_id}"


class Reply(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = models.CharField(max_length=128, unique=True)
    communication = models.ForeignKey(
        Communication, on_delete=models.PROTECT, related_name="replies"
    )
    received_on = models.DateField()
    kind = models.CharField(max_length=16, choices=ReplyKind.choices)
    # The communication's data key, so that shredding it erases the replies too.
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    summary = EncryptedField(kind="text")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["received_on", "created_at"]

    def __str__(self) -> str:
        return f"reply {self.external_id}"


class ReplyDocument(models.Model):
    """The State's reply as received: stored encrypted like incident evidence, its SHA-256
    taken at intake; sealed under the communication's data key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="documents")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    filename = EncryptedField(kind="text")
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return str(self.id)


class CountryVisit(models.Model):
    """A request by the mandate to visit a State, renewed over the years until answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state = models.CharField(max_length=2)
    status = models.CharField(
        max_length=16, choices=VisitStatus.choices, default=VisitStatus.REQUESTED
    )
    years_requested = models.JSONField(default=list)  # e.g. [2005, 2008, 2009]
    first_requested_on = models.DateField()
    accepted_on = models.DateField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    declined_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)  # not sensitive: the public record of the request
    lead_entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_requested_on", "state"]
        indexes = [models.Index(fields=["status", "first_requested_on"])]

    def __str__(self) -> str:
        return f"visit {self.state}"
