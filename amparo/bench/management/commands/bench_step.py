"""`amparo bench_step`: one step of `amparo bench`, run in a child process so that its time and
peak memory are its own. Each writes its figures as JSON to --result."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from amparo.bench import fixtures, limits


class Command(BaseCommand):
    help = "One step of `amparo bench` (internal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("step", choices=["timed", "prepare", "web-setup", "raw", "duckdb"])
        parser.add_argument("--result", required=True, help="write the figures here (JSON)")
        parser.add_argument("--profile", help="timed: write a pyinstrument (or cProfile) profile")
        parser.add_argument("--file", help="raw: the JSON Lines file")
        parser.add_argument("--from", dest="start", help="duckdb: first day")
        parser.add_argument("--to", dest="end", help="duckdb: last day")
        parser.add_argument("argv", nargs=argparse.REMAINDER, help="timed: -- COMMAND ARGS")

    def handle(self, *args: Any, **options: Any) -> None:
        step = options["step"]
        result: dict[str, Any]
        if step == "timed":
            argv = [a for a in options["argv"] if a != "--"]
            result = _timed(argv, options["profile"])
        elif step == "prepare":
            result = fixtures.prepare()
        elif step == "web-setup":
            result = fixtures.web_setup()
        elif step == "raw":
            result = limits.raw_insert(Path(options["file"]))
        else:
            result = limits.duckdb_report(
                options["start"], options["end"], Path(options["result"]).parent
            )
        Path(options["result"]).write_text(json.dumps(result, indent=1))


def _timed(argv: list[str], profile: str | None) -> dict[str, Any]:
    """Run an amparo command in this process and time only the command itself."""
    started = time.perf_counter()
    if profile:
        _profiled(argv, Path(profile))
    else:
        call_command(*argv)
    return {"seconds": round(time.perf_counter() - started, 3)}


def _profiled(argv: list[str], target: Path) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(call_command, *argv)
        with target.open("w") as out:
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        return
    sampler = Profiler(interval=0.005)
    sampler.start()
    try:
        call_command(*argv)
    finally:
        sampler.stop()
        target.write_text(sampler.output_text(unicode=True, color=False, show_all=False))
