"""`amparo import FILE`: load interchange JSON Lines (see amparo/interchange/README.md)."""

from __future__ import annotations

import datetime
import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.interchange.commands import actor_for
from amparo.interchange.importer import Importer, ImportRefused, lead_entity_for
from amparo.interchange.policies import may_import
from amparo.interchange.sources import SOURCES, Options, run_source


class Command(BaseCommand):
    help = (
        "Import organisations, defenders, persons, events and incidents from an interchange "
        "JSON Lines file. Every line is checked before anything is written; the write is one "
        "transaction; records already imported unchanged are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A JSON Lines file in the interchange format.")
        parser.add_argument(
            "--from",
            dest="source",
            choices=sorted(SOURCES),
            help="Read FILE as this third-party source instead (docs/importers.md).",
        )
        parser.add_argument("--kind", default="", help="ical: event kind when CATEGORIES lack one.")
        parser.add_argument("--country", default="", help="ical: country when events lack one.")
        parser.add_argument("--until", help="ical: last day of recurring events (YYYY-MM-DD).")
        parser.add_argument("--entity", help="Slug of the lead entity of new records.")
        parser.add_argument(
            "--as", dest="as_user", metavar="USERNAME", help="Import with this user's rights."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Report invalid lines, skip them and write the rest.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, then write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        actor = actor_for(options["as_user"], default_label=f"cli:{getpass.getuser()}")
        if not may_import(actor):
            raise CommandError("Your role may not import records.")
        try:
            entity = lead_entity_for(actor, options["entity"])
            importer = Importer(
                actor=actor,
                entity=entity,
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None
        if options["source"]:
            self._import_source(importer, path, options)
            return
        report = importer.run(path)
        for problem in report.problems:
            self.stderr.write(str(problem))
        for line in report.summary_lines():
            self.stdout.write(line)
        if report.problems and not options["skip_invalid"]:
            raise CommandError(
                f"{len(report.problems)} error(s); nothing was written. Fix the file, or "
                "pass --skip-invalid to write the valid lines."
            )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")

    def _import_source(self, importer: Importer, path: Path, options: dict[str, Any]) -> None:
        try:
            until = datetime.date.fromisoformat(options["until"]) if options["until"] else None
        except ValueError:
            raise CommandError(f"--until: expected YYYY-MM-DD, got {options['until']!r}.") from None
        report = run_source(
            SOURCES[options["source"]],
            path,
            importer=importer,
            options=Options(kind=options["kind"], country=options["country"], until=until),
        )
        for problem in report.problems:
            self.stderr.write(str(problem))
        for line in report.summary_lines():
            self.stdout.write(line)
        if report.problems and not options["skip_invalid"]:
            raise CommandError(
                f"{len(report.problems)} error(s); nothing was written. Pass --skip-invalid to "
                "write the rows that can be imported."
            )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
