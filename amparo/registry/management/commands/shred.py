"""`amparo shred CODE --yes`: crypto-shred a defender (destroy their data key), for good."""

from __future__ import annotations

import getpass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from amparo.accounts.models import SystemActor
from amparo.registry.models import Defender
from amparo.registry.selectors import erasure_complete_on, shred_impact
from amparo.registry.services import defender_shred


class Command(BaseCommand):
    help = (
        "Destroy a defender's data key: their identity, relatives and the incidents sealed "
        "under it become unreadable for good. The pseudonymous stub stays for counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", metavar="DEFENDER_CODE", help="e.g. HRD-2026-000123")
        parser.add_argument("--yes", action="store_true", help="confirm; there is no undo")

    def handle(self, *args: Any, code: str, yes: bool, **options: Any) -> None:
        defender = Defender.objects.select_related("data_key", "case").filter(code=code).first()
        if defender is None:
            raise CommandError(f"No defender {code}.")
        if defender.is_shredded:
            self.stdout.write(f"{code} was shredded already on {defender.shredded_at:%Y-%m-%d}.")
            return
        impact = shred_impact(defender)
        if not yes:
            raise CommandError(
                f"This destroys {code}'s data key for good: their identity, "
                f"{impact['persons']} relatives or associates, {impact['incidents']} incidents, "
                f"{impact['attachments']} attachments, {impact['self_reports']} self-reports and "
                f"{impact['letters']} letters about them alone become unreadable. Run again "
                "with --yes to do it."
            )
        defender_shred(actor=SystemActor(f"cli:{getpass.getuser()}"), defender=defender)
        self.stdout.write(self.style.SUCCESS(f"Shredded {code}."))
        self.stdout.write(
            f"Now unreadable: name, alias, locality and contacts; {impact['persons']} "
            f"relatives or associates; {impact['incidents']} incidents (narrative, locality, "
            f"perpetrator detail, sources), {impact['attachments']} attachment files, "
            f"{impact['self_reports']} self-reports and {impact['letters']} letters. Case "
            f"{defender.case.code} and the pseudonymous counts remain."
        )
        days = settings.AMPARO_BACKUP_RETENTION_DAYS
        until = erasure_complete_on(timezone.localdate())
        self.stdout.write(
            f"Backups taken before now still hold the wrapped key and can restore this record "
            f"until they expire: with a {days}-day retention (AMPARO_BACKUP_RETENTION_DAYS), "
            f"erasure is complete on {until:%Y-%m-%d}. See docs/keys.md (Shredding)."
        )
