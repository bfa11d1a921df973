"""The trigger calendar: events that open a window of expected vulnerability (DESIGN §4)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.vocab import DEFAULT_WINDOWS, Context


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = models.CharField(max_length=128, unique=True)
    kind = models.CharField(max_length=32, choices=Context.choices)
    title = models.CharField(max_length=300, blank=True)
    start = models.DateField()
    end = models.DateField()
    country = models.CharField(max_length=2)
    subdivision = models.CharField(max_length=8, blank=True)
    # Defender categories exposed; empty means every category.
    categories = models.JSONField(default=list, blank=True)
    # Named defenders for personal events (travel, publication); empty means everyone in scope.
    defenders = models.ManyToManyField("registry.Defender", blank=True, related_name="events")
    lead_days = models.PositiveIntegerField(null=True, blank=True)
    tail_days = models.PositiveIntegerField(null=True, blank=True)
    lead_entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["start", "external_id"]
        indexes = [models.Index(fields=["country", "start"])]

    def __str__(self) -> str:
        return self.external_id

    @property
    def effective_lead_days(self) -> int:
        return (
            self.lead_days if self.lead_days is not None else DEFAULT_WINDOWS[self.kind].lead_days
        )

    @property
    def effective_tail_days(self) -> int:
        return (
            self.tail_days if self.tail_days is not None else DEFAULT_WINDOWS[self.kind].tail_days
        )


class AlertKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar window")
    ESCALATION = "escalation", _("Individual escalation")
    NETWORK = "network", _("Network effect")
    REGIONAL = "regional", _("Regional spike")
    REVIEW_DUE = "review_due", _("Risk review overdue")
    UNPROTECTED = "unprotected", _("High or extreme risk, no measure in place")


class AlertLevel(models.TextChoices):
    WATCH = "watch", _("Watch")
    WARNING = "warning", _("Warning")
    URGENT = "urgent", _("Urgent")


class Alert(models.Model):
    """One alert of the pipeline (DESIGN §4): why, whom it covers, what to do, until when.

    reason and evidence hold codes, counts and statistics, never names or narratives."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ACTED = "acted", _("Acted on")
        DISMISSED = "dismissed", _("Dismissed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    level = models.CharField(max_length=16, choices=AlertLevel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # Same kind and same cause (e.g. "calendar:<event id>", "escalation:<defender id>"):
    # an overlapping alert is merged into the open one instead of repeated.
    dedupe_key = models.CharField(max_length=200)
    raised_on = models.DateField()
    expires_on = models.DateField()
    sla_due_at = models.DateTimeField()
    lead_entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    country = models.CharField(max_length=2, blank=True)
    subdivision = models.CharField(max_length=8, blank=True)
    categories = models.JSONField(default=list, blank=True)
    defenders = models.ManyToManyField("registry.Defender", blank=True, related_name="alerts")
    reason = models.CharField(max_length=500)
    evidence = models.JSONField(default=dict, blank=True)
    recommended_measures = models.JSONField(default=list, blank=True)
    measures = models.ManyToManyField("measures.Measure", blank=True, related_name="alerts")
    dismissed_reason = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_on", "code"]
        indexes = [
            models.Index(fields=["status", "level", "sla_due_at"]),
            models.Index(fields=["dedupe_key", "status"]),
            models.Index(fields=["raised_on"]),
        ]

    def __str__(self) -> str:
        return self.code


class AlertConfig(models.Model):
    """Every threshold, window and weight of the engine, versioned: the latest row is in force."""

    version = models.PositiveIntegerField(unique=True)
    values = models.JSONField(default=dict)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"alert configuration v{self.version}"


class ScheduledScan(models.Model):
    """A day for which `amparo worker` enqueued the daily scan: the unique day makes it once
    per day, even when the worker restarts or two workers race."""

    day = models.DateField(unique=True)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"daily scan of {self.day}"
