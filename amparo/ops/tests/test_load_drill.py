"""Drill: 50 clients for a minute over the main pages and endpoints, without one error, on SQLite
and on PostgreSQL (with DATABASE_URL: a throw-away database on that server). Figures in make
verify. AMPARO_LOAD_CLIENTS and AMPARO_LOAD_SECONDS shorten a trial run; make verify uses the
issue's 50 clients and 60 seconds."""

from __future__ import annotations

import os

import pytest

from amparo.ops.figures import report
from amparo.ops.load import CLIENTS, SECONDS, load_drill

pytestmark = pytest.mark.drill

PAGES = {
    "home",
    "defender_list",
    "defender_page",
    "incident_list",
    "incident_page",
    "alert_list",
    "name_search",
    "api_defenders",
    "api_incidents",
}


def test_every_page_answers_every_client_under_load(tmp_path):
    clients = int(os.environ.get("AMPARO_LOAD_CLIENTS", CLIENTS))
    seconds = float(os.environ.get("AMPARO_LOAD_SECONDS", SECONDS))
    result = load_drill(tmp_path, clients=clients, seconds=seconds)
    report(f"load[{result.database}]", **result.figures())
    assert result.errors == 0, result.error_kinds
    assert result.clients == clients
    assert result.elapsed_seconds >= seconds
    assert set(result.by_page) == PAGES
    assert all(row["requests"] > 0 and row["errors"] == 0 for row in result.by_page.values())
    assert result.requests == sum(row["requests"] for row in result.by_page.values())
    assert result.incidents > 0
    assert result.worker_timeouts == 0
    assert result.server_log_hits == 0
