"""`amparo backup create --out FILE | restore FILE --data-dir DIR [--database-url URL]`.

See docs/backup.md: what a backup holds, how it is encrypted, and how keys are kept apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.core.crypto import CryptoError
from amparo.core.management.commands.init import configured_keyring
from amparo.ops.backup import BackupError, backup_create, backup_restore


class Command(BaseCommand):
    help = "Create an encrypted, consistent backup, or restore one into an empty target."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="write an encrypted backup (never overwrites)")
        create.add_argument("--out", required=True, help="backup file to create")
        restore = actions.add_parser(
            "restore", help="restore into an empty data directory (and database) and verify it"
        )
        restore.add_argument("file", help="backup file")
        restore.add_argument(
            "--data-dir", required=True, help="empty data directory for the restore"
        )
        restore.add_argument(
            "--database-url",
            help="PostgreSQL backups: an empty database to restore into",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        keyring = configured_keyring()
        try:
            if action == "create":
                self.create(Path(options["out"]), keyring)
            else:
                self.restore(options, keyring)
        except (BackupError, CryptoError) as error:
            raise CommandError(str(error)) from None

    def create(self, out: Path, keyring: Any) -> None:
        result = backup_create(out=out, keyring=keyring)
        tables = result.manifest["tables"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {out}: {result.bytes} bytes in {result.seconds:.2f} s; "
                f"{len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows, "
                f"{len(result.manifest['attachments'])} attachment files, audit head "
                f"{result.manifest['audit']['head_seq']}; encrypted for KEK "
                f"{result.manifest['kek_id']}."
            )
        )

    def restore(self, options: dict[str, Any], keyring: Any) -> None:
        result = backup_restore(
            path=Path(options["file"]),
            data_dir=Path(options["data_dir"]),
            keyring=keyring,
            database_url=options.get("database_url"),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored in {result.seconds:.2f} s and verified: {result.tables} tables, "
                f"{result.rows} rows, counts and content hashes equal to the manifest; "
                f"{result.attachments} attachment files equal; audit chain intact "
                f"({result.audit_events} events); {result.decrypted} sampled values decrypted, "
                f"{result.decrypt_failures} failed, {result.shredded} shredded."
            )
        )
