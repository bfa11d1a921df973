"""Tasks with owners and due dates: re-evaluations, reviews, escalations, check-ins.

Task titles are never sensitive: they name the work and the record code, not people.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    class Kind(models.TextChoices):
        REEVALUATION = "reevaluation", _("Risk re-evaluation")
        RISK_STUDY = "risk_study", _("Risk study")
        REVIEW = "review", _("Scheduled risk review")
        MEASURE_DECISION = "measure_decision", _("Decide on a measure")
        MEASURE_IMPLEMENTATION = "measure_implementation", _("Put a measure in place")
        MEASURE_REVIEW = "measure_review", _("Review a measure")
        ESCALATION = "escalation", _("Escalation: a deadline passed")
        DISCLOSURE = "disclosure", _("Answer a disclosure")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    case = models.ForeignKey(
        "registry.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    # Who must act: a named user, or (when empty) the coordinators of the entity.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    # The record the task is about, by type and primary key (e.g. "assessment", "<uuid>").
    subject_type = models.CharField(max_length=32, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return self.title
