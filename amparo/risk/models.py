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


class Horizon(models.TextChoices):
    SHORT = "short", _("Short term")
    LONG = "long", _("Long term")


class Participation(models.TextChoices):
    """Whether and how the defender took part in their own assessment (A/HRC/13/22 ¶113 a)."""

    NONE = "none", _("Not involved")
    INFORMED = "informed", _("Informed of the result")
    CONSULTED = "consulted", _("Consulted")
    PARTICIPATED = "participated", _("Took part in the assessment")


class ColombianCriterion(models.TextChoices):
    """Constitutional Court criteria: the eight of an extraordinary risk, then grave and
    imminent for an extreme one (research/anchors-early-warning.md §1.2)."""

    SPECIFIC = "specific", _("Specific and individualisable")
    CONCRETE = "concrete", _("Concrete")
    PRESENT = "present", _("Present, not remote or hypothetical")
    IMPORTANT = "important", _("Important: threatens protected goods")
    SERIOUS = "serious", _("Serious: likely to materialise")
    CLEAR = "clear", _("Clear and discernible")
    EXCEPTIONAL = "exceptional", _("Exceptional: not borne by people in general")
    DISPROPORTIONATE = "disproportionate", _("Disproportionate to the benefits of the activity")
    GRAVE = "grave", _("Grave")
    IMMINENT = "imminent", _("Imminent: may materialise at any moment")


class GenderFactor(models.TextChoices):
    SEXUAL_VIOLENCE = "sexual_violence_threat", _("Threats of sexual violence")
    CHILDREN = "threats_to_children", _("Threats against children or the family")
    STIGMA = "gendered_stigmatisation", _("Gendered stigmatisation or defamation")
    LGBTI = "lgbti_hostility", _("Hostility because of sexual orientation or gender identity")
    CARE = "caregiving_burden", _("Caregiving burden limits protective options")
    COMMUNITY = "community_pressure", _("Pressure from within the community or family")
    PREGNANCY = "pregnancy_health", _("Pregnancy or reproductive health")
    ECONOMIC = "economic_dependence", _("Economic dependence on an aggressor")
    OTHER = "other", _("Other gender-specific factor")


class Vulnerability(models.TextChoices):
    """The vulnerability checklist (after the PI–FLD manual's combined checklist)."""

    LOCATION = "location", _("Isolated or hostile location")
    ROUTINES = "routines", _("Predictable routines and travel")
    PREMISES = "premises", _("Insecure home or office")
    COMMUNICATIONS = "communications", _("Unreliable or exposed communications")
    DIGITAL = "digital", _("Weak digital security")
    LEGAL = "legal", _("Legal exposure (charges, irregular status)")
    ISOLATION = "isolation", _("Few networks or allies")
    VISIBILITY = "visibility", _("High exposure of the work")
    FAMILY = "family", _("Relatives exposed")
    RESOURCES = "resources", _("Lack of money or means")


class Capacity(models.TextChoices):
    """The capacity checklist: the same topics seen from the protective side."""

    SECURITY_PLAN = "security_plan", _("A security plan that is followed")
    NETWORKS = "networks", _("Protection networks and allies")
    LEGAL_SUPPORT = "legal_support", _("Access to legal support")
    COMMUNICATIONS = "communications", _("Reliable means of communication")
    DIGITAL = "digital", _("Good digital practices")
    SAFE_PLACE = "safe_place", _("A safe place to go")
    ATTENTION = "attention", _("National or international attention")
    AUTHORITIES = "authorities", _("Responsive authorities")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    RESOURCES = "resources", _("Resources for emergencies")


class RiskAssessment(models.Model):
    """One immutable version of a defender's risk assessment.

    A draft may be changed by its authors; once submitted only its status moves (approved or
    rejected, by a coordinator who is not its author). The defender's current level is the
    latest approved version. Scores, levels and the rule are plain (analysis uses them); the
    instrument, the rationale and every note are sealed under the defender's data key.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    external_id = models.CharField(max_length=128, unique=True)
    defender = models.ForeignKey(
        "registry.Defender", on_delete=models.PROTECT, related_name="risk_assessments"
    )
    case = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="+")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    procedure = models.ForeignKey(
        "risk.Procedure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
    )
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Null only for imported records whose source gave the level without the scores.
    threat = models.PositiveSmallIntegerField(null=True, blank=True)
    vulnerability = models.PositiveSmallIntegerField(null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    colombian_criteria = models.JSONField(default=list, blank=True)
    computed_level = models.CharField(max_length=16, choices=RiskLevel.choices)
    level_rule = models.TextField()
    level = models.CharField(max_length=16, choices=RiskLevel.choices)
    # Required when level differs from computed_level.
    level_justification = EncryptedField(kind="text")
    horizon = models.CharField(max_length=8, choices=Horizon.choices, default=Horizon.SHORT)
    gender_factors = models.JSONField(default=list, blank=True)
    participation = models.CharField(
        max_length=16, choices=Participation.choices, default=Participation.NONE
    )
    participation_note = EncryptedField(kind="text")
    # {"threats": [{facts, pattern, objective, author, feasibility}],
    #  "vulnerabilities": [{code, score, evidence}], "capacities": [{code, score, evidence}]}
    instrument = EncryptedField(kind="json")
    rationale = EncryptedField(kind="text")
    is_reevaluation = models.BooleanField(default=False)
    reevaluation_reason = EncryptedField(kind="text")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = EncryptedField(kind="text")
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_review_on = models.DateField(null=True, blank=True)
    # Keyed digest of the last imported interchange record: re-importing it is a no-op.
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["defender", "version"], name="risk_assessment_version_unique"
            )
        ]
        indexes = [models.Index(fields=["status", "defender"])]

    def __str__(self) -> str:
        return self.code

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class RelativeRisk(models.Model):
    """The risk of a relative or associate, assessed with the defender's assessment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.CASCADE, related_name="relative_risks"
    )
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=16, choices=RiskLevel.choices)
    note = EncryptedField(kind="text")

    class Meta:
        ordering = ["person__external_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "person"], name="risk_relative_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.level}"


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
    # A new incident against the defender, a relative or their organisation: re-evaluate within.
    reevaluation_days = models.PositiveIntegerField(default=7)

    def __str__(self) -> str:
        return f"review policy of {self.entity_id}"
