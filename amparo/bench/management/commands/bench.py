"""`amparo bench`: generate a world, then measure import, early-warning scan, annual report,
web pages and export on SQLite (and PostgreSQL when DATABASE_URL names one), each against the
limit of the same machine in the same run. See docs/performance.md."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.bench import report_table
from amparo.bench.children import StepFailed, amparo_argv, run_child, run_timed
from amparo.bench.database import postgres_url, scratch_postgres, server_version
from amparo.bench.fixtures import ENTITY_SLUG
from amparo.bench.machine import describe_machine, load_average
from amparo.bench.web import measure_web
from amparo.bench.world import (
    QUICK_SCALE,
    STAGE_SHARES,
    Stages,
    defenders_for,
    period_of,
    split_stages,
)


class Command(BaseCommand):
    help = "Measure Amparo at national scale (100,000 defenders; --quick: a tenth)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quick", action="store_true", help=f"scale {QUICK_SCALE}")
        parser.add_argument("--scale", type=float, help="share of the full 100,000 defenders")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", help="write every figure to this file")
        parser.add_argument("--web-seconds", type=float, help="duration of each load run")
        parser.add_argument("--scratch", help="scratch directory (default: a new one in /tmp)")
        parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
        parser.add_argument(
            "--profile", action="store_true", help="profile the second import stage (pyinstrument)"
        )
        parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
        parser.add_argument(
            "--web-only",
            action="store_true",
            help="only the web step, on the SQLite database that a run with --keep left in "
            "--scratch (to compare the pages before and after a change on the same rows)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"] or (QUICK_SCALE if options["quick"] else 1.0)
        if not 0 < scale <= 1:
            raise CommandError("--scale must be in (0, 1].")
        web_seconds = options["web_seconds"] or (10.0 if scale <= QUICK_SCALE else 30.0)
        if options["web_only"]:
            self.web_only(options, scale, web_seconds)
            return
        scratch = Path(options["scratch"] or tempfile.mkdtemp(prefix="amparo-bench-", dir="/tmp"))
        scratch.mkdir(parents=True, exist_ok=True)
        run = Run(scratch=scratch, scale=scale, seed=options["seed"], write=self.stdout.write)
        figures: dict[str, Any] = {
            "scale": scale,
            "defenders": defenders_for(scale),
            "seed": options["seed"],
            "started_at": _now(),
            "load_average_start": load_average(),
            "machine": describe_machine(),
            "databases": {},
        }
        try:
            figures["generate"], stages = run.world()
            figures["incidents"] = sum(stages.incidents)
            figures["stages"] = {
                "incidents": stages.cumulative_incidents,
                "other_records": stages.other_records,
            }
            figures["databases"]["sqlite"] = run.database(
                "sqlite", {}, stages, web_seconds, profile=options["profile"]
            )
            url = None if options["sqlite_only"] else postgres_url()
            if url:
                name = f"amparo_bench_{os.getpid()}"
                with scratch_postgres(url, name) as bench_url:
                    figures["machine"]["postgresql"] = server_version(bench_url)
                    figures["databases"]["postgresql"] = run.database(
                        "postgresql", {"DATABASE_URL": bench_url}, stages, web_seconds
                    )
        except StepFailed as error:
            raise CommandError(f"{error}\n(scratch kept in {scratch})") from None
        finally:
            figures["finished_at"] = _now()
            figures["load_average_end"] = load_average()
            if options["json"]:
                Path(options["json"]).write_text(json.dumps(figures, indent=1))
        self.stdout.write(report_table.render(figures))
        if not options["keep"]:
            shutil.rmtree(scratch, ignore_errors=True)

    def web_only(self, options: dict[str, Any], scale: float, web_seconds: float) -> None:
        if not options["scratch"] or not (Path(options["scratch"]) / "sqlite").is_dir():
            raise CommandError(
                "--web-only needs --scratch: the directory of a run made with --keep."
            )
        scratch = Path(options["scratch"])
        run = Run(scratch=scratch, scale=scale, seed=options["seed"], write=self.stdout.write)
        figures: dict[str, Any] = {
            "scale": scale,
            "defenders": defenders_for(scale),
            "seed": options["seed"],
            "web_only": True,
            "started_at": _now(),
            "load_average_start": load_average(),
            "machine": describe_machine(),
            "databases": {},
        }
        env = {**run.base_env, "AMPARO_DATA_DIR": str(scratch / "sqlite")}
        try:
            web: dict[str, Any] = {"load_average_start": load_average()}
            web |= run.web("sqlite", env, scratch / "sqlite" / "out", web_seconds)
            web["load_average_end"] = load_average()
            figures["databases"]["sqlite"] = web
        except StepFailed as error:
            raise CommandError(str(error)) from None
        finally:
            figures["finished_at"] = _now()
            figures["load_average_end"] = load_average()
            if options["json"]:
                Path(options["json"]).write_text(json.dumps(figures, indent=1))
        self.stdout.write(report_table.render(figures))


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


class Run:
    def __init__(self, *, scratch: Path, scale: float, seed: int, write: Any) -> None:
        self.scratch, self.scale, self.seed, self.write = scratch, scale, seed, write
        self.log = scratch / "bench.log"
        self.base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.base_env["AMPARO_ENV"] = "development"
        self.period: tuple[str, str] = ("", "")

    def world(self) -> tuple[dict[str, Any], Stages]:
        defenders = defenders_for(self.scale)
        world = self.scratch / f"world-{defenders}-{self.seed}.jsonl"
        self.write(f"generating {defenders} defenders into {world}")
        env = {**self.base_env, "AMPARO_DATA_DIR": str(self.scratch / "generate")}
        step = run_child(
            amparo_argv(
                "generate",
                "--defenders",
                str(defenders),
                "--seed",
                str(self.seed),
                "--out",
                str(world),
            ),
            env=env,
            log=self.log,
        )
        self.period = period_of(world)
        stages = split_stages(world, self.scratch)
        return {"seconds": round(step.seconds, 2), "peak_rss_mib": step.peak_rss_mib}, stages

    def database(
        self,
        vendor: str,
        extra_env: dict[str, str],
        stages: Stages,
        web_seconds: float,
        *,
        profile: bool = False,
    ) -> dict[str, Any]:
        data_dir = self.scratch / vendor
        env = {**self.base_env, **extra_env, "AMPARO_DATA_DIR": str(data_dir)}
        out = data_dir / "out"
        out.mkdir(parents=True, exist_ok=True)
        start, end = self.period
        self.write(f"[{vendor}] init")
        run_child(amparo_argv("init", "--dev"), env=env, log=self.log)
        run_child(
            amparo_argv("bench_step", "--result", str(out / "prepare.json"), "prepare"),
            env=env,
            log=self.log,
        )
        figures: dict[str, Any] = {"load_average_start": load_average()}
        imports, scans, exports = [], [], []
        for number, (path, share) in enumerate(zip(stages.files, STAGE_SHARES, strict=True)):
            incidents = stages.incidents[number]
            self.write(f"[{vendor}] import stage {number + 1}: {path.name}")
            step = run_timed(
                ["import", str(path), "--entity", ENTITY_SLUG],
                env=env,
                log=self.log,
                result=out / f"import-{number + 1}.json",
                # The middle stage, so that the rate of the last one is not the profiler's.
                profile=out / "profile-import.txt" if profile and number == 1 else None,
            )
            imports.append(_import_row(number, path, incidents, step))
            self.write(f"[{vendor}] scan after stage {number + 1}")
            step = run_timed(
                ["warn", "scan", "--as-of", end, "--dry-run"],
                env=env,
                log=self.log,
                result=out / f"scan-{number + 1}.json",
            )
            scans.append(
                {
                    "share": share,
                    "incidents": stages.cumulative_incidents[number],
                    "seconds": step.inner["seconds"],
                    "peak_rss_mib": step.peak_rss_mib,
                }
            )
            exports += self.exports(env, out, number, stages.cumulative_incidents[number])
        figures["import"] = self.import_figures(env, out, stages, imports)
        figures["scan"] = {
            "as_of": end,
            "stages": scans,
            "growth_100_over_10": _ratio(scans[-1]["seconds"], scans[0]["seconds"]),
        }
        figures["export"] = {"runs": exports}
        figures["report"] = self.report(env, out, start, end)
        figures |= self.web(vendor, env, out, web_seconds)
        figures["load_average_end"] = load_average()
        return figures

    def web(
        self, vendor: str, env: dict[str, str], out: Path, web_seconds: float
    ) -> dict[str, Any]:
        self.write(f"[{vendor}] web, {web_seconds:.0f} s per run")
        run_child(
            amparo_argv("bench_step", "--result", str(out / "web-setup.json"), "web-setup"),
            env=env,
            log=self.log,
        )
        fixture = json.loads((out / "web-setup.json").read_text())
        return {"web": measure_web(env=env, fixture=fixture, seconds=web_seconds, log=self.log)}

    def import_figures(
        self, env: dict[str, str], out: Path, stages: Stages, imports: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The last stage holds only incidents: its rate is the importer's incident rate, and
        the raw bulk insert of the same file is its limit."""
        step = run_child(
            amparo_argv(
                "bench_step",
                "--file",
                str(stages.files[-1]),
                "--result",
                str(out / "raw.json"),
                "raw",
            ),
            env=env,
            log=self.log,
        )
        raw = json.loads((out / "raw.json").read_text())
        raw["peak_rss_mib"] = step.peak_rss_mib
        rate = imports[-1]["incidents_per_second"]
        return {
            "stages": imports,
            "incidents_per_second": rate,
            "raw": raw,
            "ratio_to_raw": _ratio(rate, raw["rows_per_second"]),
        }

    def exports(
        self, env: dict[str, str], out: Path, number: int, incidents: int
    ) -> list[dict[str, Any]]:
        rows = []
        for fmt in ("jsonl", "csv"):
            target = out / f"export-{number + 1}.{fmt}"
            step = run_timed(
                ["export", "--format", fmt, "--types", "incident", "--out", str(target)],
                env=env,
                log=self.log,
                result=out / f"export-{number + 1}-{fmt}.json",
            )
            seconds = step.inner["seconds"]
            rows.append(
                {
                    "format": fmt,
                    "rows": incidents,
                    "seconds": seconds,
                    "rows_per_second": round(incidents / seconds) if seconds else None,
                    "peak_rss_mib": step.peak_rss_mib,
                    "bytes": target.stat().st_size,
                }
            )
            target.unlink()
        return rows

    def report(self, env: dict[str, str], out: Path, start: str, end: str) -> dict[str, Any]:
        report = run_timed(
            [
                "report",
                "annual",
                "--from",
                start,
                "--to",
                end,
                "--format",
                "json",
                "--out",
                str(out / "report.json"),
            ],
            env=env,
            log=self.log,
            result=out / "report-time.json",
        )
        duck = run_child(
            amparo_argv(
                "bench_step",
                "--from",
                start,
                "--to",
                end,
                "--result",
                str(out / "duckdb.json"),
                "duckdb",
            ),
            env=env,
            log=self.log,
        )
        duckdb = json.loads((out / "duckdb.json").read_text())
        duckdb["peak_rss_mib"] = duck.peak_rss_mib
        seconds = report.inner["seconds"]
        return {
            "seconds": seconds,
            "peak_rss_mib": report.peak_rss_mib,
            "duckdb": duckdb,
            "ratio_to_duckdb": _ratio(seconds, duckdb["seconds"]),
        }


def _import_row(number: int, path: Path, incidents: int, step: Any) -> dict[str, Any]:
    seconds = step.inner["seconds"]
    with path.open(encoding="utf-8") as lines:
        records = sum(1 for _ in lines)
    return {
        "stage": number + 1,
        "records": records,
        "incidents": incidents,
        "seconds": seconds,
        "records_per_second": round(records / seconds) if seconds else None,
        "incidents_per_second": round(incidents / seconds) if seconds else None,
        "peak_rss_mib": step.peak_rss_mib,
    }


def _ratio(part: float | None, whole: float | None) -> float | None:
    if not part or not whole:
        return None
    return float(f"{part / whole:.3g}")  # three significant digits: 0.000221, 20.5
