"""The defender portal: self-reports and their intake queue, what reporters add later, their
files, and defenders' answers to check-ins before calendar windows.

Everything a reporter typed is sealed under the report's own data key; only the status, the
receiving entity, dates and codes are plain. The follow-up code is stored as a keyed hash only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.fields import EncryptedField


class SelfReport(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The staff's handle (RPT-2026-000012); never the reporter's follow-up code.
    code = models.CharField(max_length=32, unique=True)
    followup_digest = models.CharField(max_length=64, unique=True)
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    # Whose queue it is in: the intake entity, or the lead entity of the reporter's case.
    entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "registry.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A signed-in defender's own record (their reports go to their case team).
    defender = models.ForeignKey(
        "registry.Defender", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the reporter typed and chose (json): see amparo.portal.services.ReportContent.
    content = EncryptedField(kind="json")
    received_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Written by staff for the reporter, who sees it on the status page.
    reply = EncryptedField(kind="text")
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["entity", "status", "received_at"])]

    def __str__(self) -> str:
        return self.code


class ReportAddition(models.Model):
    """More information the reporter added with their follow-up code (or from their space)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(SelfReport, on_delete=models.CASCADE, related_name="additions")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    text = EncryptedField(kind="text")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return f"addition to {self.report_id}"


class ReportFile(models.Model):
    """A file sent with a report: sealed like an incident attachment, moved onto the incident
    (same SHA-256) when the report is accepted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(SelfReport, on_delete=models.CASCADE, related_name="files")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    filename = EncryptedField(kind="text")
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    attachment = models.OneToOneField(
        "incidents.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return str(self.id)


class CheckIn(models.Model):
    """A defender's answer to "what support do you need?" before a calendar window that concerns
    them; the answer opens a task for their case team."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    defender = models.ForeignKey(
        "registry.Defender", on_delete=models.CASCADE, related_name="check_ins"
    )
    event = models.ForeignKey("earlywarning.Event", on_delete=models.CASCADE, related_name="+")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    answer = EncryptedField(kind="text")
    answered_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.ForeignKey(
        "coordination.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.UniqueConstraint(fields=["defender", "event"], name="portal_checkin_once")
        ]

    def __str__(self) -> str:
        return f"check-in {self.defender_id} {self.event_id}"
