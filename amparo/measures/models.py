"""Protective measures: from request to decision, implementation, review and end.

A measure belongs to one case and has one lead entity; its beneficiary is the case's defender,
one of their relatives, or an organisation. Sensitive values (details, reasons, notes, plans)
are encrypted under the defender's data key, so shredding the defender erases them too.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.fields import EncryptedField


class MeasureKind(models.TextChoices):
    POLICE_PROTECTION = "police_protection", _("Police protection")
    BODYGUARD = "bodyguard", _("Bodyguard")
    ARMOURED_VEHICLE = "armoured_vehicle", _("Armoured vehicle")
    COMMUNICATION_EQUIPMENT = "communication_equipment", _("Communication equipment")
    PANIC_BUTTON = "panic_button", _("Panic button")
    SECURITY_INFRASTRUCTURE = "security_infrastructure", _("Security infrastructure")
    RELOCATION_INTERNAL = "relocation_internal", _("Internal relocation")
    RELOCATION_INTERNATIONAL = "relocation_international", _("International relocation")
    TEMPORARY_SHELTER = "temporary_shelter", _("Temporary shelter")
    EMERGENCY_VISA = "emergency_visa", _("Emergency visa")
    CHANGE_OF_IDENTITY = "change_of_identity", _("Change of identity")
    LEGAL_ASSISTANCE = "legal_assistance", _("Legal assistance")
    TRIAL_OBSERVATION = "trial_observation", _("Trial observation")
    PSYCHOSOCIAL_SUPPORT = "psychosocial_support", _("Psychosocial support")
    MEDICAL_SUPPORT = "medical_support", _("Medical support")
    SECURITY_TRAINING = "security_training", _("Security training")
    DIGITAL_SECURITY = "digital_security", _("Digital security")
    EMERGENCY_GRANT = "emergency_grant", _("Emergency grant")
    PROTECTIVE_ACCOMPANIMENT = "protective_accompaniment", _("Protective accompaniment")
    PUBLIC_STATEMENT = "public_statement", _("Public statement")
    INTERIM_MEASURES_REQUEST = "interim_measures_request", _("Interim measures request")
    OTHER = "other", _("Other")


RELOCATION_KINDS = frozenset(
    {
        MeasureKind.RELOCATION_INTERNAL,
        MeasureKind.RELOCATION_INTERNATIONAL,
        MeasureKind.TEMPORARY_SHELTER,
        MeasureKind.EMERGENCY_VISA,
    }
)


class MeasureStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    UNDER_ASSESSMENT = "under_assessment", _("Under assessment")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_PLACE = "in_place", _("In place")
    REFUSED_BY_DEFENDER = "refused_by_defender", _("Refused by the defender")
    UNDER_REVIEW = "under_review", _("Under review")
    ENDED = "ended", _("Ended")


# A measure under review is still protecting the defender.
PROTECTING = frozenset({MeasureStatus.IN_PLACE, MeasureStatus.UNDER_REVIEW})
CLOSED = frozenset({MeasureStatus.REJECTED, MeasureStatus.REFUSED_BY_DEFENDER, MeasureStatus.ENDED})


class Measure(models.Model):
    class Beneficiary(models.TextChoices):
        DEFENDER = "defender", _("Defender")
        PERSON = "person", _("Relative or associate")
        ORGANISATION = "organisation", _("Organisation")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    external_id = models.CharField(max_length=128, unique=True)
    case = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="measures")
    # The case's defender: the beneficiary, or the defender the beneficiary is linked to.
    defender = models.ForeignKey(
        "registry.Defender", on_delete=models.PROTECT, related_name="measures"
    )
    beneficiary_kind = models.CharField(
        max_length=16, choices=Beneficiary.choices, default=Beneficiary.DEFENDER
    )
    beneficiary_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    beneficiary_organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=MeasureKind.choices)
    status = models.CharField(
        max_length=24, choices=MeasureStatus.choices, default=MeasureStatus.REQUESTED
    )
    procedure = models.ForeignKey(
        "risk.Procedure", null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    lead_entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "accounts.Entity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Required when the provider is not (or no longer) trained (A/HRC/13/22 ¶113 f).
    provider_override_reason = EncryptedField(kind="text")
    requested_on = models.DateField()
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    implemented_at = models.DateTimeField(null=True, blank=True)
    review_due_on = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # Area, schedule needs, contact channel for the provider, notes: see DISCLOSABLE_FIELDS.
    details = EncryptedField(kind="json")
    refusal_reason = EncryptedField(kind="text")
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "code"]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["review_due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(
                    beneficiary_person__isnull=False, beneficiary_organisation__isnull=False
                ),
                name="measures_measure_one_beneficiary",
            )
        ]

    def __str__(self) -> str:
        return self.code


class MeasureStatusChange(models.Model):
    """One step of a measure's history: who moved it from what to what, and when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_label = models.CharField(max_length=150)
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    note = EncryptedField(kind="text")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class Relocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    measure = models.OneToOneField(Measure, on_delete=models.CASCADE, related_name="relocation")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    host = EncryptedField(kind="text")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    family_members = models.ManyToManyField("registry.Person", blank=True, related_name="+")
    visa_plan = EncryptedField(kind="text")
    return_plan = EncryptedField(kind="text")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"relocation of {self.measure_id}"


class InterimMeasureRequest(models.Model):
    """Interim or precautionary measures requested from a regional or UN body."""

    class Body(models.TextChoices):
        IACHR = "iachr", _("Inter-American Commission on Human Rights")
        ACHPR = "achpr", _("African Commission on Human and Peoples' Rights")
        ECHR_RULE39 = "echr_rule39", _("European Court of Human Rights (Rule 39)")
        UN_HRC = "un_hrc", _("UN Human Rights Committee")
        UN_CAT = "un_cat", _("UN Committee against Torture")
        OTHER = "other", _("Other")

    class Compliance(models.TextChoices):
        FULL = "full", _("Full")
        PARTIAL = "partial", _("Partial")
        NONE = "none", _("None")
        UNKNOWN = "unknown", _("Unknown")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    measure = models.OneToOneField(Measure, on_delete=models.CASCADE, related_name="interim")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    body = models.CharField(max_length=16, choices=Body.choices)
    requested_on = models.DateField()
    granted = models.BooleanField(null=True, blank=True)
    granted_on = models.DateField(null=True, blank=True)
    state_compliance = models.CharField(
        max_length=16, choices=Compliance.choices, default=Compliance.UNKNOWN
    )
    reference = models.CharField(max_length=64, blank=True)
    notes = EncryptedField(kind="text")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.body} {self.reference}".strip()


class Rating(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class MeasureFeedback(models.Model):
    """The defender's word on a measure (does it work, do they trust the provider), or the
    provider's liaison reporting on its implementation."""

    class Source(models.TextChoices):
        DEFENDER = "defender", _("The defender")
        PROVIDER = "provider", _("The provider's liaison")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="feedback")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.DEFENDER)
    works = models.CharField(max_length=8, choices=Rating.choices)
    trusts_provider = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    comment = EncryptedField(kind="text")
    given_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-created_at"]

    def __str__(self) -> str:
        return f"feedback on {self.measure_id}"


class SafetyPlan(models.Model):
    """One per defender, readable by the defender (and later edited in the portal)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    defender = models.OneToOneField(
        "registry.Defender", on_delete=models.CASCADE, related_name="safety_plan"
    )
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    text = EncryptedField(kind="text")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"safety plan of {self.defender_id}"


class Disclosure(models.Model):
    """What one entity shares with another about a case (and usually one measure of it): only
    whitelisted fields, on the defender's consent or a coordinator's recorded override."""

    class Basis(models.TextChoices):
        CONSENT = "consent", _("The defender's consent")
        OVERRIDE = "override", _("Coordinator override")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        REVOKED = "revoked", _("Revoked")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    case = models.ForeignKey("registry.Case", on_delete=models.PROTECT, related_name="+")
    defender = models.ForeignKey("registry.Defender", on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    from_entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    to_entity = models.ForeignKey(
        "accounts.Entity", on_delete=models.PROTECT, related_name="disclosures_received"
    )
    # Names of whitelisted fields only (measures.disclosure.DISCLOSABLE_FIELDS), never values.
    fields = models.JSONField(default=list)
    basis = models.CharField(max_length=16, choices=Basis.choices)
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    override_reason = EncryptedField(kind="text")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    response_reason = EncryptedField(kind="text")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["to_entity", "status"])]

    def __str__(self) -> str:
        return self.code
