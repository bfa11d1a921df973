"""Incidents: who did what to whom, when and where, verified how, with evidence attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from amparo.core.fields import EncryptedField
from amparo.core.vocab import (
    Context,
    DatePrecision,
    Perpetrator,
    Verification,
    Violation,
    code_list,
)


class Incident(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    external_id = models.CharField(max_length=128, unique=True)
    # The case the incident was documented under governs who sees it; incidents against
    # organisations only may have none, and then the lead entity's coordinators see them.
    case = models.ForeignKey(
        "registry.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    lead_entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    date_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    end_date = models.DateField(null=True, blank=True)
    reported_on = models.DateField()
    country = models.CharField(max_length=2)
    subdivision = models.CharField(max_length=8, blank=True)
    locality = EncryptedField(kind="text")
    victim_defenders = models.ManyToManyField(
        "registry.Defender", blank=True, related_name="incidents"
    )
    victim_persons = models.ManyToManyField("registry.Person", blank=True, related_name="incidents")
    organisations = models.ManyToManyField(
        "registry.Organisation", blank=True, related_name="incidents"
    )
    perpetrator_detail = EncryptedField(kind="text")
    state_acquiescence = models.BooleanField(default=False)
    narrative = EncryptedField(kind="text")
    sources = EncryptedField(kind="json")
    verification = models.CharField(
        max_length=16, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-date", "-code"]
        indexes = [
            # The lists' order (-date, -code): read backwards, the index gives it without a sort.
            models.Index(fields=["date", "code"]),
            models.Index(fields=["reported_on"]),
            # Covers the annual report's scans (known in a period, by country, the ids): the
            # primary key is a UUID, not SQLite's rowid, so it is a column of the index.
            models.Index(fields=["date", "reported_on", "country", "id"]),
            models.Index(fields=["country", "subdivision", "date"]),
            models.Index(fields=["verification"]),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def violation_codes(self) -> list[str]:
        return code_list(self, "violation_rows")

    @property
    def perpetrator_codes(self) -> list[str]:
        return code_list(self, "perpetrator_rows")

    @property
    def context_codes(self) -> list[str]:
        return code_list(self, "context_rows")


class IncidentViolation(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="violation_rows")
    code = models.CharField(max_length=32, choices=Violation.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "code"], name="incidents_violation_unique")
        ]
        indexes = [models.Index(fields=["code", "incident"])]

    def __str__(self) -> str:
        return self.code


class IncidentPerpetrator(models.Model):
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="perpetrator_rows"
    )
    code = models.CharField(max_length=32, choices=Perpetrator.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "code"], name="incidents_perpetrator_unique"
            )
        ]
        indexes = [models.Index(fields=["code", "incident"])]

    def __str__(self) -> str:
        return self.code


class IncidentContext(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="context_rows")
    code = models.CharField(max_length=32, choices=Context.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "code"], name="incidents_context_unique")
        ]
        indexes = [models.Index(fields=["code", "incident"])]

    def __str__(self) -> str:
        return self.code


class Attachment(models.Model):
    """Evidence: the file is stored encrypted; its SHA-256 at intake anchors chain of custody."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    filename = EncryptedField(kind="text")
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    # The shared copy (images only): re-encoded without metadata, sealed beside the original;
    # empty when the file has none and the original is what is served.
    shared_sha256 = models.CharField(max_length=64, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def has_shared_copy(self) -> bool:
        return bool(self.shared_sha256)
