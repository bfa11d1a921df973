"""`amparo warn scan|backtest`: run the early-warning engine as of a day, or replay it.

``scan`` evaluates every rule as of the day (default today), seeing only incidents reported on
or before it, and raises the alerts unless ``--dry-run``; as of today it also expires the alerts
past their expiry. ``backtest`` is :func:`amparo.earlywarning.backtest.run_backtest`.
See docs/early-warning.md.
"""

from __future__ import annotations

import datetime
from collections import Counter
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

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "backtest":
            self._backtest(options)
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
