"""`amparo init`: the data directory, the development keys (--dev only), the schema, the index key.

Safe to run again: it creates only what is missing and never replaces a key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from amparo.core.crypto import CryptoError, Keyring
from amparo.core.devkeys import write_dev_file
from amparo.core.keys import get_keyring, set_keyring
from amparo.core.keystore import index_root_key

DEV_WARNING = """\
*************************************************************************************
  DEVELOPMENT KEYS ONLY. {path} holds the key-encryption key in plaintext
  next to the database: anyone who copies the data directory can read every record.
  Never put real data in this installation. Production takes its key from the
  operator (AMPARO_KEK or AMPARO_KEK_FILE; see docs/keys.md).
*************************************************************************************"""

NO_KEY = (
    "No key-encryption key is configured, so nothing could be encrypted or read.\n"
    "  For a development or demo installation: amparo init --dev\n"
    "  For production: set AMPARO_KEK, or AMPARO_KEK_FILE with AMPARO_KEK_PASSPHRASE or\n"
    "  AMPARO_KEK_PASSPHRASE_FILE (create the file with `amparo keys generate`); see docs/keys.md."
)


def _database_holds_keys() -> bool:
    if "core_datakey" not in connection.introspection.table_names():
        return False
    from amparo.core.models import DataKey

    return DataKey.objects.exists()


def ensure_dev_keys(stderr: Any) -> bool:
    """Write the development key file if it is missing; True when it was created."""
    if settings.PRODUCTION:
        raise CommandError(
            "--dev is refused in production (AMPARO_ENV=production): it would store the "
            "key-encryption key in plaintext next to the database. See docs/keys.md."
        )
    path = Path(settings.AMPARO_DEV_KEY_FILE)
    if path.exists():
        return False
    if _database_holds_keys():
        # A new KEK could not open the existing data keys: the data would look lost.
        raise CommandError(
            f"The database in {settings.AMPARO_DATA_DIR} holds encrypted data but the "
            f"development key file {path.name} is missing. Restore that file from where it "
            "was copied; a new key cannot read the existing records."
        )
    write_dev_file(path)
    stderr.write(DEV_WARNING.format(path=path))
    return True


def pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def configured_keyring() -> Keyring:
    """The process keyring; a broken key configuration becomes a message, not a traceback."""
    try:
        return get_keyring()
    except CryptoError as error:
        raise CommandError(
            f"The key configuration cannot be used: {error} See docs/keys.md."
        ) from None


def check_keys_open_database() -> None:
    """The configured KEK is present and opens this database's index root key."""
    keyring = configured_keyring()
    if not keyring.usable:
        raise CommandError(NO_KEY)
    try:
        index_root_key()
    except CryptoError as error:
        from amparo.core.models import DataKey

        root = DataKey.objects.filter(purpose=DataKey.Purpose.INDEX).first()
        wrapped_by = f" (its keys were wrapped by KEK {root.kek_id})" if root else ""
        raise CommandError(
            f"The configured key-encryption key {keyring.require_current().id} does not open "
            f"this database's keys{wrapped_by}: {error} See docs/keys.md."
        ) from None


class Command(BaseCommand):
    help = (
        "Prepare an installation: data directory, schema, blind-index key. With --dev, also "
        "create development keys (never for real data). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dev",
            action="store_true",
            help="create plaintext development keys in the data directory (refused in production)",
        )

    def handle(self, *args: Any, dev: bool = False, verbosity: int = 1, **options: Any) -> None:
        data_dir = Path(settings.AMPARO_DATA_DIR)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        created_keys = ensure_dev_keys(self.stderr) if dev else False
        set_keyring(None)
        if not configured_keyring().usable:
            raise CommandError(NO_KEY)
        try:
            pending = pending_migrations()
        except DatabaseError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise CommandError(
                f"The database cannot be reached ({error.__class__.__name__}: {first_line}). "
                "Check DATABASE_URL."
            ) from None
        call_command(
            "migrate", interactive=False, verbosity=max(0, verbosity - 1), stdout=self.stdout
        )
        check_keys_open_database()
        if verbosity:
            keyring = get_keyring()
            self.stdout.write(f"Data directory: {data_dir}")
            self.stdout.write(
                f"Database: {connection.vendor}, "
                + (f"{pending} migrations applied" if pending else "schema up to date")
            )
            self.stdout.write(
                f"Key-encryption key: {keyring.require_current().id}"
                + (" (new development key)" if created_keys else "")
            )
            self.stdout.write(
                self.style.SUCCESS("Ready. Start the server with `amparo serve` (a new process).")
            )
