"""`amparo warn scan|backtest|study-*`: run the early-warning engine as of a day, or replay it.

``scan`` evaluates every rule as of the day (default today), seeing only incidents reported on
or before it, and raises the alerts unless ``--dry-run``; as of today it also expires the alerts
past their expiry. ``backtest`` is :func:`amparo.earlywarning.backtest.run_backtest`.
``study-regional`` and ``study-elections`` are the real-data studies of
:mod:`amparo.earlywarning.studies` (docs/early-warning-realdata.md). See docs/early-warning.md.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from amparo.accounts.models import SystemActor


def _day(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option}: expected YYYY-MM-DD, got {value!r}.") from error


class Command(BaseCommand):
    help = "Run the early-warning engine (scan) or replay it over past days (backtest)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="evaluate the rules as of a day and raise alerts")
        scan.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        scan.add_argument("--dry-run", action="store_true", help="print, raise nothing")
        backtest = sub.add_parser("backtest", help="replay the engine day by day and score it")
        backtest.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
        backtest.add_argument("--end", required=True, help="last day, YYYY-MM-DD")
        backtest.add_argument("--alerts", help="write the alerts as JSON Lines to FILE")
        backtest.add_argument("--json", help="write the metrics as JSON to FILE")
        regional = sub.add_parser("study-regional", help="detectors on real killings (docs)")
        regional.add_argument("--global-witness", required=True, metavar="FILE")
        regional.add_argument("--json", help="write the results as JSON to FILE")
        regional.add_argument(
            "--no-farrington", action="store_true", help="skip Farrington (a minute of GLM fits)"
        )
        elections = sub.add_parser("study-elections", help="election window from real data")
        elections.add_argument("--deco", required=True, metavar="FILE")
        elections.add_argument("--parlgov", metavar="FILE")
        elections.add_argument(
            "--elections", action="append", default=[], metavar="ICS", help="iCalendar of elections"
        )
        elections.add_argument("--json", help="write the results as JSON to FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "backtest":
            self._backtest(options)
        elif options["action"].startswith("study-"):
            self._study(options)
        else:
            self._scan(options)

    def _scan(self, options: dict[str, Any]) -> None:
        from amparo.earlywarning.engine import scan_as_of
        from amparo.earlywarning.pipeline import alerts_expire, alerts_raise

        today = timezone.localdate()
        as_of = _day(options["as_of"], "--as-of") if options.get("as_of") else today
        if as_of > today:
            raise CommandError("--as-of is in the future.")
        candidates = scan_as_of(as_of)
        self.stdout.write(f"as of {as_of}: {len(candidates)} candidates")
        counts = Counter((c.kind, c.level) for c in candidates)
        for (kind, level), number in sorted(counts.items()):
            self.stdout.write(f"  {kind} {level}: {number}")
        if options["dry_run"]:
            self.stdout.write("dry run: no alert raised")
            return
        actor = SystemActor("cli:warn-scan")
        alerts = alerts_raise(actor=actor, candidates=candidates)
        self.stdout.write(f"alerts raised or updated: {len(alerts)}")
        if as_of == today:
            self.stdout.write(f"alerts expired: {alerts_expire(actor=actor, today=today)}")

    def _backtest(self, options: dict[str, Any]) -> None:
        from amparo.earlywarning.backtest import run_backtest

        start, end = _day(options["start"], "--start"), _day(options["end"], "--end")
        if end < start:
            raise CommandError("--end is before --start.")
        run_backtest(
            start=start,
            end=end,
            alerts_path=options.get("alerts"),
            json_path=options.get("json"),
            stdout=cast(IO[str], self.stdout),
        )

    def _study(self, options: dict[str, Any]) -> None:
        from amparo.earlywarning import studies

        paths = [options.get(name) for name in ("global_witness", "deco", "parlgov")]
        paths += options.get("elections") or []
        for path in filter(None, paths):
            if not Path(path).is_file():
                raise CommandError(f"No such file: {path}")
        results: Any
        if options["action"] == "study-regional":
            lines, results = studies.run_regional(
                Path(options["global_witness"]), farrington=not options["no_farrington"]
            )
        else:
            if not options["parlgov"] and not options["elections"]:
                raise CommandError("Give --parlgov FILE and/or --elections ICS.")
            lines, results = studies.run_elections(
                Path(options["deco"]),
                Path(options["parlgov"]) if options["parlgov"] else None,
                [Path(path) for path in options["elections"]],
            )
        for line in lines:
            self.stdout.write(line)
        if options.get("json"):
            Path(options["json"]).write_text(json.dumps(studies.as_json(results), indent=1))
