"""The load drill: a seeded caseload served as production serves it, many clients at once.

A scratch installation (SQLite in its own directory, or a throw-away PostgreSQL database when
DATABASE_URL names a server) gets a generated world of a few hundred defenders with their
incidents, imported the way an operator imports (`amparo generate`, `amparo import`), and
early-warning alerts from a scan. `amparo serve` runs it (gunicorn, the default workers). The
bench's signed-in case officer (password and TOTP session, API token) is the client: 50
closed-loop clients for 60 seconds, spread over the main pages and API endpoints, each page
with its own clients. Any answer but 200, and any connection error, is an error.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amparo.bench.load import Target, run_load
from amparo.bench.machine import load_average
from amparo.bench.web import BARE, check_answers
from amparo.bench.web import targets as bench_targets
from amparo.bench.world import period_of, split_stages
from amparo.core.management.commands.serve import default_workers
from amparo.ops.server import Server, amparo, free_port, scratch_installation

CLIENTS = 50
SECONDS = 60.0
DEFENDERS = 300
WORLD_SEED = 7
# The world's first two import stages: every record but incidents, and 30 % of the incidents.
STAGES_LOADED = 2


@dataclass
class LoadResult:
    database: str
    clients: int
    seconds: float
    elapsed_seconds: float
    workers: int
    defenders: int
    incidents: int
    requests: int
    errors: int
    error_kinds: list[str]
    requests_per_second: float
    by_page: dict[str, dict[str, Any]]
    setup_seconds: float
    load_average_before: list[float]
    load_average_after: list[float]
    worker_timeouts: int
    server_log_hits: int

    def figures(self) -> dict[str, Any]:
        """Flat figures for `make verify`'s table: one line per page."""
        figures = {name: value for name, value in vars(self).items() if name != "by_page"}
        for page, row in self.by_page.items():
            figures[f"page {page}"] = (
                f"{row['clients']} clients, {row['requests']} requests, {row['errors']} errors, "
                f"p50/p95/p99 {row['p50_ms']}/{row['p95_ms']}/{row['p99_ms']} ms, "
                f"{row['throughput_rps']} req/s"
            )
        return figures


def load_drill(workdir: Path, *, clients: int = CLIENTS, seconds: float = SECONDS) -> LoadResult:
    """Seed, serve and load; on SQLite or, with DATABASE_URL, on a throw-away PostgreSQL base."""
    with scratch_installation(workdir) as (env, database):
        started = time.monotonic()
        fixture = seed_caseload(workdir, env)
        setup_seconds = time.monotonic() - started
        workers = default_workers()
        log = workdir / "server.log"
        server = Server(env, free_port(), log, workers=workers)
        try:
            server.wait_ready()
            targets = drill_targets(server, fixture)
            for target in targets:
                check_answers(server.port, target)
            before = load_average()
            rows = _load_all(server.port, targets, clients=clients, seconds=seconds)
            after = load_average()
        finally:
            server.stop()
    server_log = log.read_text(encoding="utf-8", errors="replace")
    elapsed = max(row["seconds"] for row in rows.values())
    requests = sum(row["requests"] for row in rows.values())
    return LoadResult(
        database=database,
        clients=sum(row["clients"] for row in rows.values()),
        seconds=seconds,
        elapsed_seconds=elapsed,
        workers=workers,
        defenders=DEFENDERS,
        incidents=fixture["incidents"],
        requests=requests,
        errors=sum(row["errors"] for row in rows.values()),
        error_kinds=sorted({kind for row in rows.values() for kind in row["error_kinds"]}),
        requests_per_second=round(requests / elapsed, 1),
        by_page=rows,
        setup_seconds=round(setup_seconds, 1),
        load_average_before=before,
        load_average_after=after,
        worker_timeouts=server_log.count("WORKER TIMEOUT"),
        # The name searched for travels in a POST body: it must not reach the access log.
        server_log_hits=server_log.count(fixture["defender_name"]),
    )


# One process for the steps after `init` (each new process costs seconds of start-up here).
SEED = """
import json, sys
from django.core.management import call_command
from amparo.bench import fixtures
fixtures.prepare()
for stage in stages:
    call_command("import", stage, entity=fixtures.ENTITY_SLUG, stdout=sys.stderr)
call_command("warn", "scan", "--as-of", as_of, stdout=sys.stderr)
print(json.dumps(fixtures.web_setup()))
"""


def seed_caseload(workdir: Path, env: dict[str, str]) -> dict[str, Any]:
    """Generate a world, import it as the bench does, raise alerts, sign the officer in."""
    world = workdir / "world.jsonl"
    _step(
        env,
        "generate",
        "--defenders",
        str(DEFENDERS),
        "--seed",
        str(WORLD_SEED),
        "--out",
        str(world),
    )
    stages = split_stages(world, workdir)
    _step(env, "init", "--dev")
    files = [str(path) for path in stages.files[:STAGES_LOADED]]
    # JSON strings and lists are Python literals: the script gets the day and the files.
    given = f"as_of, stages = {json.dumps(period_of(world)[1])}, {json.dumps(files)}\n"
    seeded = _step(env, "shell", "-c", given + SEED)
    fixture: dict[str, Any] = json.loads(seeded.strip().splitlines()[-1])
    fixture["incidents"] = sum(stages.incidents[:STAGES_LOADED])
    return fixture


def drill_targets(server: Server, fixture: dict[str, Any]) -> list[Target]:
    """The bench's pages (not its bare view) and the rest of the main pages and endpoints."""
    bench = {target.name: target for target in bench_targets(fixture) if target.name != BARE}
    page = bench["defender_list"].headers  # the session and CSRF cookies
    api = bench["api_incidents"].headers  # the bearer token
    status, listing = server.request("GET", "/api/v1/incidents?limit=1", fixture["token"])
    if status != 200 or not listing["items"]:
        raise RuntimeError(f"the officer's incident list answered {status} or was empty")
    incident = listing["items"][0]["code"]
    return [
        Target("home", "GET", "/", page),
        bench["defender_list"],
        bench["defender_page"],
        bench["incident_list"],
        Target("incident_page", "GET", f"/incidents/{incident}/", page),
        Target("alert_list", "GET", "/alerts/", page),
        bench["name_search"],
        Target("api_defenders", "GET", "/api/v1/defenders", api),
        bench["api_incidents"],
    ]


def _load_all(
    port: int, targets: list[Target], *, clients: int, seconds: float
) -> dict[str, dict[str, Any]]:
    """All pages at once, the clients shared out among them (the first pages get the rest)."""
    if clients < len(targets):
        raise ValueError(f"at least {len(targets)} clients: one for each page")
    share, rest = divmod(clients, len(targets))
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        runs = {
            target.name: pool.submit(
                run_load,
                host="127.0.0.1",
                port=port,
                target=target,
                clients=share + (1 if n < rest else 0),
                seconds=seconds,
            )
            for n, target in enumerate(targets)
        }
        return {name: run.result() for name, run in runs.items()}


def _step(env: dict[str, str], *args: str) -> str:
    done = amparo(env, *args)
    if done.returncode != 0:
        # The command's own last line: Amparo's messages carry no record content.
        tail = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise RuntimeError(f"amparo {args[0]} failed ({done.returncode}): {tail}")
    return done.stdout
