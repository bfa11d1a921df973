"""The trigger calendar: events that open a window of expected vulnerability (DESIGN §4)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

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
