"""`amparo report annual --from YYYY-MM-DD --to YYYY-MM-DD --format html|pdf|json --out FILE`.

The operator's system actor reports over every entity; `--as USERNAME` reports as that
coordinator or analyst (their entity, their visibility). `--companion FILE` also writes the
list of public communications and replies, in the same format; `--language es|fr|ar` writes
it in another language. See docs/reports.md.
"""

from __future__ import annotations

import datetime
import getpass
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from amparo.accounts.models import SystemActor, User
from amparo.reports.services import FORMATS, companion_produce, report_produce


def _day(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option}: expected YYYY-MM-DD, got {value!r}.") from error


class Command(BaseCommand):
    help = "Produce the annual report (HTML, PDF or JSON) for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True)
        annual = sub.add_parser("annual", help="the annual report")
        annual.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        annual.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        annual.add_argument("--format", choices=FORMATS, default="pdf")
        annual.add_argument("--out", required=True, help="the file to write")
        annual.add_argument("--companion", help="also write the communications list to FILE")
        annual.add_argument("--as", dest="username", help="report as this user (their scope)")
        annual.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="the report's language (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _day(options["start"], "--from"), _day(options["end"], "--to")
        actor: Any = SystemActor(f"cli:{getpass.getuser()}")
        if options.get("username"):
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {options['username']!r}.")
        began = time.monotonic()
        try:
            with translation.override(options["language"]):
                content, companion = self._produce(actor, start, end, options)
        except PermissionDenied as error:
            raise CommandError("This user may not produce reports.") from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        Path(options["out"]).write_bytes(content)
        self.stdout.write(f"wrote {options['out']} ({len(content)} bytes)")
        if companion is not None:
            Path(options["companion"]).write_bytes(companion)
            self.stdout.write(f"wrote {options['companion']} ({len(companion)} bytes)")
        self.stdout.write(f"in {time.monotonic() - began:.1f} s")

    def _produce(
        self, actor: Any, start: datetime.date, end: datetime.date, options: dict[str, Any]
    ) -> tuple[bytes, bytes | None]:
        content = report_produce(actor=actor, start=start, end=end, fmt=options["format"])
        companion = (
            companion_produce(actor=actor, start=start, end=end, fmt=options["format"])
            if options.get("companion")
            else None
        )
        return content, companion
