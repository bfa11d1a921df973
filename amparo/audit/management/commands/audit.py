"""`amparo audit verify | head`: check the hash chain, and hand its head to an outside witness.

A witness file is a list of `seq hash` lines saved earlier from `amparo audit head` somewhere
the operator does not control alone; verifying against it also catches a rewritten or
truncated log, which the chain alone cannot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.audit.selectors import audit_head, audit_verify


def read_witness(path: Path) -> dict[int, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CommandError(f"Cannot read the witness file {path}: {error.strerror}.") from None
    witness: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 64:
            raise CommandError(
                f"{path}, line {number}: expected `seq hash`, as `audit head` prints."
            )
        witness[int(parts[0])] = parts[1].lower()
    return witness


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chain (verify) or print its head for a witness (head)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = actions.add_parser("verify", help="recompute the whole chain; exit 1 if broken")
        verify.add_argument(
            "--witness",
            metavar="FILE",
            help="also check against `seq hash` lines saved earlier from `audit head`",
        )
        actions.add_parser("head", help="print `seq hash` of the last event, for a witness")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "head":
            seq, digest = audit_head()
            self.stdout.write(f"{seq} {digest}" if seq else "0 (the audit log is empty)")
            return
        witness = read_witness(Path(options["witness"])) if options.get("witness") else None
        result = audit_verify(witness)
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at event {result.first_bad_seq}: {result.problem}. "
                f"{result.checked} events before it verified; last good event "
                f"{result.head_seq} {result.head_hash}.",
                returncode=1,
            )
        against = f" and {len(witness)} witnessed checkpoints" if witness else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.checked} events checked{against}; "
                f"head {result.head_seq} {result.head_hash or '-'}"
            )
        )
