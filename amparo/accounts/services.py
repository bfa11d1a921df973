"""Writes on users, second factors and API tokens; each one audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.accounts.models import ENTITY_ROLES, ApiToken, Entity, Role, User, hash_token
from amparo.audit.services import audit_record


def entity_create(
    *, actor: Any, slug: str, name: str, kind: str = "ngo", country: str = ""
) -> Entity:
    with transaction.atomic():
        entity = Entity.objects.create(slug=slug, name=name, kind=kind, country=country)
        audit_record(
            actor,
            "entity.create",
            object_type="entity",
            object_id=entity.pk,
            fields=["slug", "name", "kind", "country"],
        )
    return entity


def user_create(
    *,
    actor: Any,
    username: str,
    role: str,
    password: str,
    entity: Entity | None = None,
    defender: Any = None,
    validate: bool = True,
) -> tuple[User, TOTPDevice]:
    """Create a user with a confirmed TOTP device; returns both (the device holds the secret)."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if role in ENTITY_ROLES and entity is None:
        raise ValidationError({"entity": f"A {role} must belong to an entity."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "This username is taken."})
    user = User(username=username, role=role, entity=entity, defender=defender)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.is_staff = role == Role.ADMIN
    user.is_superuser = False
    with transaction.atomic():
        user.save()
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        audit_record(
            actor,
            "user.create",
            object_type="user",
            object_id=user.pk,
            fields=["username", "role", "entity"],
            detail={"role": role},
        )
    return user, device


def totp_device_reset(*, actor: Any, user: User) -> TOTPDevice:
    """Replace the user's second factor with a new, unconfirmed one (enrolment at next login)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
        audit_record(actor, "user.totp_reset", object_type="user", object_id=user.pk)
    return device


def totp_device_confirm(*, user: User, device: TOTPDevice) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(user, "user.totp_enrol", object_type="user", object_id=user.pk)


def api_token_create(
    *, actor: User, name: str, expires_in_days: int | None = 90
) -> tuple[ApiToken, str]:
    """Create a personal token for the actor; the raw token is returned once and never stored."""
    raw = ApiToken.generate()
    expires_at = (
        timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
    )
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name[:100], digest=hash_token(raw), hint=raw[:8], expires_at=expires_at
        )
        audit_record(actor, "token.create", object_type="api_token", object_id=token.pk)
    return token, raw


def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor, "token.revoke", object_type="api_token", object_id=token.pk)


def user_sessions_end(*, user: User) -> int:
    """Delete every server-side session signed in as the user; returns how many."""
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def user_deactivate(*, actor: Any, user: User) -> None:
    """Disable an account and end every session and token it holds (counted in the event)."""
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        sessions = user_sessions_end(user=user)
        audit_record(
            actor,
            "user.deactivate",
            object_type="user",
            object_id=user.pk,
            fields=["is_active"],
            detail={"sessions_ended": sessions, "tokens_revoked": tokens},
        )


_UNCHANGED: Any = object()


def entity_update(
    *,
    actor: Any,
    entity: Entity,
    name: str,
    kind: str,
    country: str,
    training_status: str = _UNCHANGED,
    trained_until: datetime.date | None = _UNCHANGED,
) -> list[str]:
    """Change an entity; the training fields (providers, ¶113 f) change only when given."""
    wanted: dict[str, Any] = {"name": name, "kind": kind, "country": country}
    if training_status is not _UNCHANGED:
        choices = Entity._meta.get_field("training_status").choices or []
        statuses = {code for code, _label in choices}
        if training_status not in statuses:
            raise ValidationError({"training_status": f"Unknown code {training_status!r}."})
        wanted["training_status"] = training_status
    if trained_until is not _UNCHANGED:
        wanted["trained_until"] = trained_until
    changed = [field for field, value in wanted.items() if getattr(entity, field) != value]
    if not changed:
        return []
    with transaction.atomic():
        for field in changed:
            setattr(entity, field, wanted[field])
        entity.save(update_fields=changed)
        audit_record(
            actor, "entity.update", object_type="entity", object_id=entity.pk, fields=changed
        )
    return changed


def user_language_set(*, user: User, language: str) -> None:
    """Store the interface language the user chose (empty: follow the browser)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": f"Unknown language {language!r}."})
    if user.language == language:
        return
    with transaction.atomic():
        user.language = language
        user.save(update_fields=["language"])
        audit_record(
            user, "user.language", object_type="user", object_id=user.pk, fields=["language"]
        )


def user_update(
    *, actor: Any, user: User, role: str, entity: Entity | None, is_active: bool
) -> list[str]:
    """Change a user's role, entity or active flag (deactivation also ends sessions/tokens)."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if role in ENTITY_ROLES and entity is None:
        raise ValidationError({"entity": f"A {role} must belong to an entity."})
    changed = [
        field
        for field, value in (("role", role), ("entity", entity))
        if getattr(user, field) != value
    ]
    if changed:
        with transaction.atomic():
            user.role, user.entity = role, entity
            user.is_staff = role == Role.ADMIN
            user.save(update_fields=[*changed, "is_staff"])
            audit_record(
                actor,
                "user.update",
                object_type="user",
                object_id=user.pk,
                fields=changed,
                detail={"role": role},
            )
    if user.is_active and not is_active:
        user_deactivate(actor=actor, user=user)
        changed.append("is_active")
    elif not user.is_active and is_active:
        with transaction.atomic():
            user.is_active = True
            user.save(update_fields=["is_active"])
            audit_record(actor, "user.activate", object_type="user", object_id=user.pk)
        changed.append("is_active")
    return changed
