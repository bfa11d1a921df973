"""The registry: cases, the defenders they protect, their relatives and their organisations.

A case is the unit of access: it has one lead entity, a named team, and may be restricted so
that only its team knows it exists. Identity fields are encrypted under the defender's data key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.fields import EncryptedField
from amparo.core.vocab import (
    SENSITIVE_ORGANISATION_KINDS,
    Category,
    DefenderStatus,
    Gender,
    OrganisationKind,
    Relation,
    code_list,
)


class Case(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        COLLECTIVE = "collective", _("Collective")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    lead_entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    restricted = models.BooleanField(default=False)
    opened_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "code"]

    def __str__(self) -> str:
        return self.code


class CaseMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="registry_casemember_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.case_id}"


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = models.CharField(max_length=128, unique=True)
    kind = models.CharField(
        max_length=32, choices=OrganisationKind.choices, default=OrganisationKind.OTHER
    )
    # Plain name for public organisations; sealed_name when the kind makes the name sensitive.
    name = models.CharField(max_length=300, blank=True)
    data_key = models.ForeignKey(
        "core.DataKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sealed_name = EncryptedField(kind="text")
    country = models.CharField(max_length=2)
    subdivision = models.CharField(max_length=8, blank=True)
    lead_entity = models.ForeignKey("accounts.Entity", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["external_id"]
        indexes = [models.Index(fields=["country", "subdivision"])]

    def __str__(self) -> str:
        return self.external_id

    @property
    def name_is_sensitive(self) -> bool:
        return self.kind in SENSITIVE_ORGANISATION_KINDS

    @property
    def display_name(self) -> str:
        return (self.sealed_name or "") if self.name_is_sensitive else self.name


class Defender(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    external_id = models.CharField(max_length=128, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="defenders")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    name = EncryptedField(kind="text")
    alias = EncryptedField(kind="text")
    locality = EncryptedField(kind="text")
    contacts = EncryptedField(kind="json")
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2)
    subdivision = models.CharField(max_length=8, blank=True)
    status = models.CharField(
        max_length=16, choices=DefenderStatus.choices, default=DefenderStatus.ACTIVE
    )
    registered_on = models.DateField()
    consent_register = models.BooleanField(default=False)
    consent_share_with_state = models.BooleanField(default=False)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="members")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    shredded_at = models.DateTimeField(null=True, blank=True)
    # Derived from the latest approved risk assessment (amparo.risk), kept here for lists,
    # filters and early warning; only the risk services write them.
    risk_level = models.CharField(max_length=16, blank=True)
    risk_assessed_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    # Keyed digest of the last imported interchange record: re-importing it is a no-op.
    digest = models.CharField(max_length=64, blank=True)
    # Set when this record was merged into another (amparo.registry.merge): the row stays, with
    # its code and external id, so old links and re-imports find the survivor.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed"
    )

    class Meta:
        ordering = ["-registered_on", "code"]
        indexes = [
            models.Index(fields=["country", "subdivision"]),
            models.Index(fields=["status"]),
            models.Index(fields=["gender"]),
            models.Index(fields=["registered_on"]),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None

    @property
    def category_codes(self) -> list[str]:
        return code_list(self, "category_rows")


class DefenderCategory(models.Model):
    defender = models.ForeignKey(Defender, on_delete=models.CASCADE, related_name="category_rows")
    code = models.CharField(max_length=32, choices=Category.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["defender", "code"], name="registry_category_unique")
        ]
        indexes = [models.Index(fields=["code", "defender"])]

    def __str__(self) -> str:
        return self.code


class Person(models.Model):
    """A relative or associate of a defender; sealed under the defender's data key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = models.CharField(max_length=128, unique=True)
    defender = models.ForeignKey(Defender, on_delete=models.CASCADE, related_name="persons")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    name = EncryptedField(kind="text")
    relation = models.CharField(max_length=16, choices=Relation.choices)
    country = models.CharField(max_length=2, blank=True)
    subdivision = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["external_id"]

    def __str__(self) -> str:
        return self.external_id


class BlindIndex(models.Model):
    """Exact-match lookup keys (names, phones, e-mails) for defenders and their relatives."""

    defender = models.ForeignKey(Defender, on_delete=models.CASCADE, related_name="blind_indexes")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="blind_indexes"
    )
    purpose = models.CharField(max_length=32)
    digest = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["purpose", "digest"])]

    def __str__(self) -> str:
        return self.purpose


class DuplicateDecision(models.Model):
    """A coordinator's answer about a candidate pair: not a duplicate (never proposed again) or
    later (proposed after the undecided ones). The pair is stored in a fixed order."""

    class Kind(models.TextChoices):
        DEFENDER = "defender", _("Defenders")
        INCIDENT = "incident", _("Incidents")

    class Decision(models.TextChoices):
        NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
        LATER = "later", _("Later")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    first_id = models.UUIDField()
    second_id = models.UUIDField()
    decision = models.CharField(max_length=16, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "first_id", "second_id"], name="registry_duplicate_pair_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} pair: {self.decision}"


class DefenderMerge(models.Model):
    """One merge of a defender (absorbed) into another (survivor) and exactly what it moved, so
    that it can be undone until it is confirmed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Merged, not yet confirmed")
        CONFIRMED = "confirmed", _("Confirmed")
        UNDONE = "undone", _("Undone")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survivor = models.ForeignKey(Defender, on_delete=models.PROTECT, related_name="merges_kept")
    absorbed = models.ForeignKey(Defender, on_delete=models.PROTECT, related_name="merges_absorbed")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # The moves, in order, with the values needed to put each back (ids and codes only).
    moves = models.JSONField(default=list)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["absorbed"],
                condition=models.Q(status__in=["pending", "confirmed"]),
                name="registry_merge_one_live_per_absorbed",
            )
        ]

    def __str__(self) -> str:
        return f"merge {self.pk}"
