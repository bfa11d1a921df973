"""The web step: serve Amparo as production does (`amparo serve`, gunicorn workers) and load
its main pages at several concurrencies, then the bare view as the limit."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from amparo.bench.children import amparo_argv, process_tree_peak_rss_mib
from amparo.bench.load import Target, run_load, wait_until_up
from amparo.core.management.commands.serve import default_workers

HOST = "127.0.0.1"
PORTS = range(8200, 8250)
CONCURRENCY = (10, 50)
BARE = "bare_view"


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8200-8249")


def targets(fixture: dict[str, Any]) -> list[Target]:
    """The pages a case officer uses most, and the bare view (no session: the floor)."""
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret
    cookie = f"{fixture['session_cookie']}={fixture['session']}; csrftoken={csrf}"
    page = {"Cookie": cookie}
    search_body = urlencode({"q": fixture["defender_name"], "csrfmiddlewaretoken": csrf}).encode()
    return [
        Target("defender_list", "GET", f"/defenders/?country={fixture['country']}", page),
        Target("defender_page", "GET", f"/defenders/{fixture['defender_code']}/", page),
        Target("incident_list", "GET", "/incidents/", page),
        Target(
            "name_search",
            "POST",
            "/defenders/",
            {**page, "Content-Type": "application/x-www-form-urlencoded"},
            search_body,
        ),
        Target(
            "api_incidents",
            "GET",
            "/api/v1/incidents",
            {"Authorization": f"Bearer {fixture['token']}"},
        ),
        Target(BARE, "GET", "/bench/bare", {}),
    ]


def measure_web(
    *, env: dict[str, str], fixture: dict[str, Any], seconds: float, log: Path
) -> dict[str, Any]:
    port = free_port()
    workers = default_workers()
    server_env = {**env, "AMPARO_BENCH": "true", "WEB_CONCURRENCY": str(workers)}
    with log.open("ab") as out:
        server = subprocess.Popen(  # noqa: S603
            amparo_argv("serve", "--port", str(port)),
            env=server_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_server(server, port)
        results = []
        for target in targets(fixture):
            check_answers(port, target)
            for clients in CONCURRENCY:
                figures = run_load(
                    host=HOST, port=port, target=target, clients=clients, seconds=seconds
                )
                results.append({"page": target.name, **figures})
        peak = process_tree_peak_rss_mib(server.pid)
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    bare = {r["clients"]: r["throughput_rps"] for r in results if r["page"] == BARE}
    for row in results:
        if row["page"] != BARE and bare.get(row["clients"]):
            row["throughput_over_bare"] = round(row["throughput_rps"] / bare[row["clients"]], 3)
    return {
        "workers": workers,
        "seconds_per_run": seconds,
        "caseload": fixture["caseload"],
        "results": results,
        "server_peak_rss_mib": peak,
    }


def _wait_for_server(server: subprocess.Popen[bytes], port: int, timeout: float = 300) -> None:
    """Workers booting under nice on a loaded machine took more than a minute to answer; a
    server that exits (a pending migration, a port taken) is an error at once, not a wait."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"amparo serve exited with {server.returncode} (see the bench log)")
        try:
            wait_until_up(HOST, port, "/healthz", timeout=5)
            return
        except TimeoutError:
            if time.monotonic() > deadline:
                raise


def check_answers(port: int, target: Target) -> None:
    """One request before the load: a page that does not answer 200 is a bench error, not a
    figure."""
    figures = run_load(host=HOST, port=port, target=target, clients=1, seconds=0.01)
    if figures["errors"]:
        raise RuntimeError(f"{target.name} answered {figures['error_kinds']} before the load")
