"""`amparo keys generate | rotate | status`: the key-encryption key's life cycle (docs/keys.md).

No key material is ever printed: only KEK ids, which identify a key without revealing it.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count

from amparo.accounts.models import SystemActor
from amparo.audit.services import audit_record
from amparo.core.crypto import (
    CryptoError,
    Kek,
    Keyring,
    KeyUnavailable,
    decode_key,
    encode_key,
    new_key,
)
from amparo.core.devkeys import write_dev_file
from amparo.core.keys import get_keyring, read_key_file, set_keyring, write_key_file
from amparo.core.keystore import rewrap_all
from amparo.core.models import DataKey


def kek_source() -> str:
    """Where the process's KEK comes from, in the order amparo.core.keys.load_keyring uses."""
    if os.environ.get("AMPARO_KEK"):
        return "AMPARO_KEK"
    if os.environ.get("AMPARO_KEK_FILE"):
        return "AMPARO_KEK_FILE"
    if settings.TESTING:
        return "test"
    if not settings.PRODUCTION and Path(settings.AMPARO_DEV_KEY_FILE).exists():
        return "development key file"
    return "none"


def read_secret_line(what: str) -> bytes:
    """The first line of standard input, for passphrases: never an argument (ps shows those)."""
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise CommandError(f"Expected the {what} on the first line of standard input.")
    return line.encode("utf-8")


def system_actor() -> SystemActor:
    return SystemActor(f"cli:{getpass.getuser()}")


class Command(BaseCommand):
    help = "Generate, rotate and inspect the key-encryption key (KEK). See docs/keys.md."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        generate = actions.add_parser(
            "generate", help="write a new KEK to a passphrase-protected key file"
        )
        generate.add_argument("--out", required=True, help="key file to create (must not exist)")
        generate.add_argument(
            "--passphrase-stdin",
            action="store_true",
            help="read the passphrase (12+ characters) from the first line of standard input",
        )
        rotate = actions.add_parser(
            "rotate", help="rewrap every data key under a new (or the current) KEK"
        )
        rotate.add_argument("--new-key-file", help="take the new KEK from this key file")
        rotate.add_argument(
            "--passphrase-stdin",
            action="store_true",
            help="the new key file's passphrase, from the first line of standard input",
        )
        rotate.add_argument(
            "--new-kek-env",
            metavar="VAR",
            help="take the new KEK (base64, 32 bytes) from this environment variable",
        )
        actions.add_parser("status", help="which KEK is in use and how many data keys it wraps")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        {"generate": self.generate, "rotate": self.rotate, "status": self.status}[
            options["action"]
        ](**options)

    # generate ------------------------------------------------------------------------------

    def generate(self, *, out: str, passphrase_stdin: bool, **options: Any) -> None:
        if not passphrase_stdin:
            raise CommandError(
                "Give --passphrase-stdin and pipe the passphrase in (it is never an argument)."
            )
        path = Path(out)
        if path.exists():
            raise CommandError(f"{path} exists already; a key file is never overwritten.")
        kek = new_key()
        try:
            write_key_file(path, kek, read_secret_line("passphrase"))
        except KeyUnavailable as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        self.stdout.write(f"Wrote a new key-encryption key, id {Kek(kek).id}, to {path}.")
        self.stdout.write(
            "Use it with AMPARO_KEK_FILE and AMPARO_KEK_PASSPHRASE_FILE (or a secrets manager "
            "setting AMPARO_KEK_PASSPHRASE).\nKeep a copy of the file and the passphrase apart "
            "and offline: without both, the data cannot be read by anyone."
        )

    # rotate --------------------------------------------------------------------------------

    def _new_kek_from_options(self, options: dict[str, Any], *, development: bool) -> bytes | None:
        if options.get("new_key_file") and options.get("new_kek_env"):
            raise CommandError("Give either --new-key-file or --new-kek-env, not both.")
        if options.get("new_key_file"):
            if not options.get("passphrase_stdin"):
                raise CommandError("--new-key-file needs --passphrase-stdin.")
            try:
                return read_key_file(Path(options["new_key_file"]), read_secret_line("passphrase"))
            except KeyUnavailable as error:
                raise CommandError(str(error)) from None
        if options.get("new_kek_env"):
            name = options["new_kek_env"]
            value = os.environ.get(name)
            if not value:
                raise CommandError(f"The environment variable {name} is not set.")
            try:
                return decode_key(value, what=name)
            except KeyUnavailable as error:
                raise CommandError(str(error)) from None
        return new_key() if development else None

    def rotate(self, **options: Any) -> None:
        source = kek_source()
        development = source == "development key file"
        try:
            old = get_keyring()
            old_current = old.require_current()
        except CryptoError as error:
            raise CommandError(str(error)) from None
        new_kek = self._new_kek_from_options(options, development=development)
        if new_kek is None:
            # Production without a new key: finish a rotation whose configuration was already
            # switched (new KEK current, old one in AMPARO_KEK_PREVIOUS).
            self._rewrap(old, old_current, source)
            return
        new = Kek(new_kek)
        if new.id == old_current.id:
            raise CommandError("The new key-encryption key is the one in use already.")
        previous = tuple(k for k in old.loaded if k.id != new.id)
        if development:
            # Written before rewrapping, so an interruption leaves a file that opens every key.
            write_dev_file(
                Path(settings.AMPARO_DEV_KEY_FILE),
                kek=new_kek,
                previous=[encode_key(k.key) for k in previous],
            )
        keyring = Keyring(new, previous)
        set_keyring(keyring)
        self._rewrap(keyring, new, source)
        if development:
            write_dev_file(Path(settings.AMPARO_DEV_KEY_FILE), kek=new_kek, previous=[])
            set_keyring(Keyring(new))
            self.stdout.write(
                "The development key file now holds only the new key. Restart `amparo serve`."
            )
        else:
            self.stdout.write(
                "Now switch the configuration of every Amparo process to the new key "
                "(AMPARO_KEK or AMPARO_KEK_FILE), keep the old one as AMPARO_KEK_PREVIOUS until "
                "all processes run with the new key and `amparo keys status` shows nothing "
                "under the old id, then remove it (docs/keys.md)."
            )

    def _rewrap(self, keyring: Keyring, new: Kek, source: str) -> None:
        live = DataKey.objects.filter(wrapped__isnull=False)
        todo = live.exclude(kek_id=new.id).count()
        old_ids = sorted(set(live.exclude(kek_id=new.id).values_list("kek_id", flat=True)))
        self.stdout.write(f"Rewrapping {todo} data keys under KEK {new.id}…")
        done = 0
        try:
            for done in rewrap_all():
                if self.verbosity > 1:
                    self.stdout.write(f"  {done} rewrapped")
        except CryptoError as error:
            raise CommandError(
                f"Rewrapping stopped after {done} keys: {error} Nothing is lost: keys not yet "
                "rewrapped are still under their old KEK; fix the key configuration and run "
                "`amparo keys rotate` again."
            ) from None
        left = live.exclude(kek_id=new.id).count()
        if left:
            raise CommandError(f"{left} data keys are still under another KEK; run it again.")
        with transaction.atomic():
            audit_record(
                system_actor(),
                "keys.rotate",
                object_type="kek",
                object_id=new.id,
                detail={"from": old_ids, "to": new.id, "rewrapped": done, "source": source},
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Rotated: {done} data keys rewrapped from {', '.join(old_ids) or '-'} to {new.id}."
            )
        )
        keyring.forget()

    # status --------------------------------------------------------------------------------

    def status(self, **options: Any) -> None:
        source = kek_source()
        try:
            keyring = get_keyring()
        except CryptoError as error:
            raise CommandError(f"The key configuration is broken: {error}") from None
        loaded = {k.id for k in keyring.loaded}
        current = keyring.current.id if keyring.current else None
        self.stdout.write(f"Key-encryption key: {current or 'NONE'} (source: {source})")
        others = sorted(loaded - {current})
        if others:
            self.stdout.write(f"Previous keys loaded: {', '.join(others)}")
        counts = (
            DataKey.objects.filter(wrapped__isnull=False)
            .values_list("kek_id")
            .annotate(n=Count("id"))
            .order_by("kek_id")
        )
        unreadable = 0
        self.stdout.write("Data keys by KEK:")
        for kek_id, n in counts:
            note = (
                "current" if kek_id == current else "loaded" if kek_id in loaded else "NOT LOADED"
            )
            if kek_id not in loaded:
                unreadable += n
            self.stdout.write(f"  {kek_id}  {n:>8}  {note}")
        shredded = DataKey.objects.filter(wrapped__isnull=True).count()
        self.stdout.write(f"Shredded data keys: {shredded}")
        if current is None:
            raise CommandError("No key-encryption key is configured (docs/keys.md).")
        if unreadable:
            raise CommandError(
                f"{unreadable} data keys are wrapped by a KEK that is not loaded: set it in "
                "AMPARO_KEK_PREVIOUS and run `amparo keys rotate`."
            )
