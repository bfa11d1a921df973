"""The justice follow-up of incidents: has anyone investigated, charged, convicted?

One investigation per incident carries its current stage; every change of stage is a row of its
history, with the day it happened, so the figures on impunity ("grave incidents with no
investigation after 3, 6 and 12 months") can be computed as of any day. Notes and the outcome's
details are sensitive and encrypted under the incident's data key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from amparo.core.fields import EncryptedField
from amparo.core.vocab import InvestigationStage


class Investigation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = models.CharField(max_length=128, unique=True)
    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.PROTECT, related_name="investigation"
    )
    # The incident's data key: shredding the incident's defender erases the outcome too.
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(
        max_length=24, choices=InvestigationStage.choices, default=InvestigationStage.NONE
    )
    authority = models.CharField(max_length=200, blank=True)  # e.g. "Fiscalía General"
    complaint_filed_on = models.DateField(null=True, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    updated_on = models.DateField(null=True, blank=True)  # the latest change of stage
    closed_on = models.DateField(null=True, blank=True)
    outcome = EncryptedField(kind="text")  # sentence, reasons for closure: sensitive
    compensation_awarded = models.BooleanField(null=True, blank=True)  # None: not known
    compensation_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    compensation_currency = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The keyed digest of the interchange line last imported (idempotent re-imports).
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["stage"])]

    def __str__(self) -> str:
        return f"investigation {self.external_id}"


class InvestigationUpdate(models.Model):
    """One change of stage, as of the day it happened; the history is append-only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="updates"
    )
    stage = models.CharField(max_length=24, choices=InvestigationStage.choices)
    on = models.DateField()
    # The investigation's (that is, the incident's) data key.
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    note = EncryptedField(kind="text")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "created_at"]
        indexes = [models.Index(fields=["investigation", "on"])]

    def __str__(self) -> str:
        return f"{self.stage} on {self.on}"
