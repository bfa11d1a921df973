"""Consultation and coordination: the defender's consent per purpose, and tasks with owners
and due dates (re-evaluations, reviews, escalations, check-ins).

Task titles are never sensitive: they name the work and the record code, not people.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amparo.core.fields import EncryptedField


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
        constraints = [
            # task_open reuses the open task about a subject; this makes a race fail loudly.
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id"],
                condition=Q(status="open") & ~Q(subject_type=""),
                name="coordination_task_one_open_per_subject",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ConsentPurpose(models.TextChoices):
    REGISTER = "register", _("Being registered")
    SHARE_WITH_STATE = "share_with_state", _("Sharing with State authorities")
    SHARE_WITH_ENTITY = "share_with_entity", _("Sharing with a named entity")


class ConsentSource(models.TextChoices):
    DEFENDER_IN_PERSON = "defender_in_person", _("The defender, in person")
    DEFENDER_IN_WRITING = "defender_in_writing", _("The defender, in writing")
    PORTAL = "portal", _("The defender, through the portal")
    OFFICER_ON_BEHALF = "officer_on_behalf", _("An officer, on the defender's behalf")


class ConsentRecord(models.Model):
    """One statement of the defender's consent (or its withdrawal) for one purpose.

    Append-only: a change is a new record that supersedes the previous one for the same purpose
    (and entity), so the history is never rewritten. The current consent is the record that
    nothing supersedes; Defender.consent_register / consent_share_with_state mirror it.
    """

    defender = models.ForeignKey(
        "registry.Defender", on_delete=models.CASCADE, related_name="consent_records"
    )
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    # Only for share_with_entity: the entity the defender agreed (or refused) to share with.
    entity = models.ForeignKey(
        "accounts.Entity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted = models.BooleanField()
    source = models.CharField(max_length=32, choices=ConsentSource.choices)
    note = EncryptedField(kind="text")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["defender", "purpose"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose="share_with_entity", entity__isnull=False)
                | (~Q(purpose="share_with_entity") & Q(entity__isnull=True)),
                name="coordination_consent_entity_iff_named",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {'granted' if self.granted else 'withheld'}"
