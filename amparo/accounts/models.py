"""Users, the roles of DESIGN §2, the entities they belong to, and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CASE_OFFICER = "case_officer", _("Case officer")
    ANALYST = "analyst", _("Analyst")
    COMMUNICATIONS_OFFICER = "communications_officer", _("Communications officer")
    LIAISON = "liaison", _("Liaison")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")
    DEFENDER = "defender", _("Defender")


# Roles that work on case content and therefore must belong to an entity.
ENTITY_ROLES = {Role.COORDINATOR, Role.CASE_OFFICER, Role.ANALYST, Role.LIAISON}


class Entity(models.Model):
    """An organisation of the protection system: users, cases and disclosures belong to one."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry or protection unit")
        POLICE = "police", _("Police")
        OMBUDSMAN = "ombudsman", _("Ombudsman / NHRI")
        NGO = "ngo", _("NGO")
        UN = "un", _("UN or regional mandate")
        PROVIDER = "provider", _("Protection provider")
        OTHER = "other", _("Other")

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NGO)
    country = models.CharField(max_length=2, blank=True)
    # Protection providers must be trained before protection is outsourced to them (¶113 f).
    training_status = models.CharField(
        max_length=16,
        choices=[
            ("none", _("Not trained")),
            ("in_progress", _("Training in progress")),
            ("certified", _("Trained and certified")),
            ("expired", _("Certification expired")),
        ],
        default="none",
    )
    trained_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices)
    entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.PROTECT)
    # For the defender role: the registry record this account speaks for.
    defender = models.OneToOneField(
        "registry.Defender", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The interface language the user chose; empty: the browser's (Accept-Language) decides.
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )

    REQUIRED_FIELDS = ["role"]

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def audit_label(self) -> str:
        return self.username

    @property
    def is_system(self) -> bool:
        return False


class SystemActor:
    """Who acts when an operator runs a command: full access, audited under its label."""

    role = "system"
    pk = None
    id = None
    entity = None
    entity_id = None
    defender_id = None
    is_authenticated = True
    is_active = True
    is_system = True

    def __init__(self, label: str) -> None:
        self.audit_label = label
        self.username = label

    def __str__(self) -> str:
        return self.audit_label


TOKEN_PREFIX = "amp_"  # noqa: S105  (a public prefix, not a secret)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A personal access token: shown once, stored as a SHA-256 digest, revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
