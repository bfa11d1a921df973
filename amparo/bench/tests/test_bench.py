"""The bench's parts: stages, percentiles, the load client, the limits, the signed-in officer."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from amparo.accounts.models import Role
from amparo.accounts.services import user_create
from amparo.bench import fixtures, limits, report_table
from amparo.bench.load import Target, percentile, run_load
from amparo.bench.views import bare_view
from amparo.bench.world import split_stages, stage_of
from amparo.registry.services import DefenderData, defender_register


def test_stages_take_ten_twenty_and_seventy_percent():
    stages = [stage_of(n) for n in range(1000)]
    assert [stages.count(s) for s in (0, 1, 2)] == [100, 200, 700]


def test_split_puts_every_other_record_in_the_first_stage(tmp_path):
    world = tmp_path / "world.jsonl"
    lines = [{"type": "defender", "id": "d-1"}] + [
        {"type": "incident", "id": f"i-{n}"} for n in range(20)
    ]
    world.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))
    stages = split_stages(world, tmp_path)
    assert stages.incidents == (2, 4, 14)
    assert stages.other_records == 1
    assert stages.cumulative_incidents == [2, 6, 20]
    assert '"defender"' in stages.files[0].read_text()


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([], 0.5) is None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status = 500 if self.path == "/fail" else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_load_client_counts_answers_and_errors(local_server):
    ok = run_load(
        host="127.0.0.1",
        port=local_server,
        target=Target("ok", "GET", "/", {}),
        clients=3,
        seconds=0.3,
    )
    assert ok["requests"] > 0 and ok["errors"] == 0
    assert ok["p50_ms"] <= ok["p95_ms"] <= ok["p99_ms"]
    failing = run_load(
        host="127.0.0.1",
        port=local_server,
        target=Target("fail", "GET", "/fail", {}),
        clients=2,
        seconds=0.2,
    )
    assert failing["requests"] == 0 and failing["errors"] > 0
    assert failing["error_kinds"] == ["500"]


def test_bare_view_is_not_routed_without_the_bench_setting(rf, client):
    assert bare_view(rf.get("/bench/bare")).content == b"ok"
    assert client.get("/bench/bare").status_code == 404


@pytest.mark.django_db
def test_raw_insert_writes_every_incident_and_drops_its_table(tmp_path):
    path = tmp_path / "stage.jsonl"
    path.write_text(
        "".join(
            json.dumps({"type": "incident", "id": f"i-{n}", "date": "2025-01-01"}) + "\n"
            for n in range(25)
        )
    )
    figures = limits.raw_insert(path)
    assert figures["rows"] == 25
    from django.db import connection

    assert limits.RAW_TABLE not in connection.introspection.table_names()


@pytest.mark.django_db
def test_web_setup_signs_in_an_officer_with_a_caseload(system):
    fixtures.prepare()
    from amparo.accounts.models import Entity

    entity = Entity.objects.get(slug=fixtures.ENTITY_SLUG)
    coordinator, _ = user_create(
        actor=system,
        username="bench-coordinator",
        role=Role.COORDINATOR,
        entity=entity,
        password="correct horse battery staple",
        validate=False,
    )
    for name in ("Ana Pérez", "Luis Gómez"):
        defender_register(
            actor=coordinator, data=DefenderData(name=name, country="CO", categories=["journalist"])
        )
    setup = fixtures.web_setup(caseload=5)
    assert setup["caseload"] == 2
    assert setup["defender_name"] in {"Ana Pérez", "Luis Gómez"}
    client = Client()
    client.cookies[setup["session_cookie"]] = setup["session"]
    assert client.get("/defenders/").status_code == 200
    api = Client(headers={"Authorization": f"Bearer {setup['token']}"})
    assert api.get("/api/v1/incidents").status_code == 200


def test_table_renders_every_step():
    figures = {
        "scale": 0.01,
        "defenders": 1000,
        "incidents": 10,
        "machine": {"cores": 2},
        "load_average_start": [1.0],
        "load_average_end": [1.0],
        "databases": {
            "sqlite": {
                "import": {
                    "stages": [{"stage": 3, "records_per_second": 5, "peak_rss_mib": 90.0}],
                    "incidents_per_second": 5,
                    "raw": {"rows_per_second": 50},
                    "ratio_to_raw": 0.1,
                },
                "scan": {
                    "stages": [{"share": 1.0, "incidents": 10, "seconds": 0.5, "peak_rss_mib": 1}],
                    "growth_100_over_10": 2.0,
                },
                "report": {
                    "seconds": 0.2,
                    "duckdb": {"seconds": 0.1},
                    "ratio_to_duckdb": 2.0,
                    "peak_rss_mib": 1.0,
                },
                "web": {
                    "workers": 2,
                    "server_peak_rss_mib": 200.0,
                    "results": [
                        {
                            "page": "bare_view",
                            "clients": 10,
                            "throughput_rps": 100.0,
                            "p50_ms": 1.0,
                            "p95_ms": 2.0,
                            "p99_ms": 3.0,
                            "errors": 0,
                        }
                    ],
                },
                "export": {
                    "runs": [
                        {"format": "csv", "rows": 10, "rows_per_second": 100, "peak_rss_mib": 1}
                    ]
                },
            }
        },
    }
    text = report_table.render(figures)
    for step in ("import", "scan", "report", "web", "export"):
        assert f"sqlite    {step}" in text
