"""Risk assessment and the two procedures (urgent and ordinary) that drive protective work."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.fields import EncryptedField


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High (extraordinary)")
    EXTREME = "extreme", _("Extreme (extraordinary, grave and imminent)")


RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2, RiskLevel.EXTREME: 3}


class Procedure(models.Model):
    """An urgent (imminent danger) or ordinary route opened for a defender's case, with its
    deadlines. Measures decided under it count against those deadlines."""

    class Kind(models.TextChoices):
        URGENT = "urgent", _("Urgent (imminent danger)")
        ORDINARY = "ordinary", _("Ordinary (risk study)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Measures decided")
        IN_PLACE = "in_place", _("Measures in place")
        STUDIED = "studied", _("Risk study done")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    case = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="procedures")
    defender = models.ForeignKey(
        "registry.Defender", on_delete=models.PROTECT, related_name="procedures"
    )
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    reason = EncryptedField(kind="text")
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Urgent: decide_by and in_place_by (hours); ordinary: study_by (days).
    decide_by = models.DateTimeField(null=True, blank=True)
    in_place_by = models.DateTimeField(null=True, blank=True)
    study_by = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    in_place_at = models.DateTimeField(null=True, blank=True)
    studied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.code


class ReviewPolicy(models.Model):
    """Per-entity deadlines: review intervals by level (DESIGN §5) and procedure deadlines."""

    entity = models.OneToOneField(
        "accounts.Entity", on_delete=models.CASCADE, related_name="review_policy"
    )
    extreme_days = models.PositiveIntegerField(default=30)
    high_days = models.PositiveIntegerField(default=90)
    medium_days = models.PositiveIntegerField(default=180)
    low_days = models.PositiveIntegerField(default=365)
    urgent_decide_hours = models.PositiveIntegerField(default=3)
    urgent_in_place_hours = models.PositiveIntegerField(default=12)
    ordinary_study_days = models.PositiveIntegerField(default=30)

    def __str__(self) -> str:
        return f"review policy of {self.entity_id}"
