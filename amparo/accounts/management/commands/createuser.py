"""`amparo createuser`: an account with a role, an entity and a confirmed TOTP second factor.

Non-interactive: the password comes from standard input or is generated and shown once.
"""

from __future__ import annotations

import base64
import getpass
import secrets
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from amparo.accounts.models import Entity, Role, SystemActor
from amparo.accounts.services import entity_create, user_create


def totp_secret(device: Any) -> str:
    """The base32 secret an authenticator app takes (what the otpauth URI carries)."""
    return base64.b32encode(bytes(device.bin_key)).decode("ascii").rstrip("=")


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Create a user with a role and a TOTP second factor (prints the enrolment secret)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--entity", metavar="SLUG", help="the entity the user belongs to")
        parser.add_argument(
            "--create-entity",
            metavar="NAME",
            help="create the entity first (slug from --entity, else from the name)",
        )
        parser.add_argument(
            "--entity-kind",
            default=Entity.Kind.NGO,
            choices=Entity.Kind.values,
            help="kind of the entity created by --create-entity (default ngo)",
        )
        parser.add_argument(
            "--defender", metavar="CODE", help="for the defender role: the registry record (HRD-…)"
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input; else generate one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = SystemActor(f"cli:{getpass.getuser()}")
        generated = not options["password_stdin"]
        if generated:
            password = secrets.token_urlsafe(18)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("Expected the password on the first line of standard input.")
        defender = self._defender(options.get("defender"), options["role"])
        try:
            with transaction.atomic():
                entity = self._entity(actor, options)
                user, device = user_create(
                    actor=actor,
                    username=options["username"],
                    role=options["role"],
                    password=password,
                    entity=entity,
                    defender=defender,
                )
        except ValidationError as error:
            raise CommandError(_messages(error)) from None
        where = f" in {entity.slug}" if entity else ""
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({user.role}{where})."))
        if generated:
            self.stdout.write(f"Password (shown once; give it over a secure channel): {password}")
        self.stdout.write(f"TOTP secret: {totp_secret(device)}")
        self.stdout.write(f"TOTP URI:    {device.config_url}")
        self.stdout.write(
            "Add either to an authenticator app; the login asks for its 6-digit code."
        )

    def _entity(self, actor: SystemActor, options: dict[str, Any]) -> Entity | None:
        slug, name = options.get("entity"), options.get("create_entity")
        if name:
            slug = slug or slugify(name)[:64]
            if Entity.objects.filter(slug=slug).exists():
                raise CommandError(f"The entity {slug!r} exists already; drop --create-entity.")
            return entity_create(actor=actor, slug=slug, name=name, kind=options["entity_kind"])
        if not slug:
            return None
        entity = Entity.objects.filter(slug=slug).first()
        if entity is None:
            known = ", ".join(Entity.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(
                f'No entity {slug!r} (known: {known}). Add --create-entity "Name" to create it.'
            )
        return entity

    def _defender(self, code: str | None, role: str) -> Any:
        if role != Role.DEFENDER:
            if code:
                raise CommandError("--defender is only for the defender role.")
            return None
        if not code:
            raise CommandError("A defender account needs --defender CODE (their registry record).")
        from amparo.registry.models import Defender

        defender = Defender.objects.filter(code=code, shredded_at__isnull=True).first()
        if defender is None:
            raise CommandError(f"No defender {code}.")
        return defender
