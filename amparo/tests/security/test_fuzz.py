"""T3, API fuzzing: schemathesis generates requests from /api/v1/openapi.json for every
operation and sends them to the WSGI app in process, with the API tokens of several roles.

Figures (printed; run with -s): operations, cases, 5xx (must be 0), schema violations (must
be 0), accepted invalid input. AMPARO_FUZZ_EXAMPLES sets the examples per operation, role and
mode (default 4, so the suite stays quick on two cores; CI's deep run uses 100).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.db import transaction  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from amparo.accounts.services import api_token_create  # noqa: E402
from amparo.ops.figures import report  # noqa: E402

EXAMPLES = int(os.environ.get("AMPARO_FUZZ_EXAMPLES", "4"))
ROLES = ("coordinator", "officer", "analyst", "liaison", "auditor")
CHECKS = {
    GenerationMode.POSITIVE: (not_a_server_error, response_schema_conformance),
    GenerationMode.NEGATIVE: (not_a_server_error, response_schema_conformance),
}


@pytest.fixture
def keep_connection():
    """Django's WSGI handler closes the connection after each request; the test's transaction
    lives on it, so (as django.test.Client does) keep it open while fuzzing."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema() -> Any:
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def _fuzz(operation: Any, mode: Any, token: str, figures: Counter[str], failures: list[str]):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        try:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
        except Exception as exc:
            figures["not_a_server_error"] += 1
            failures.append(f"call raised: {case.method} {case.formatted_path}: {exc}"[:400])
            return
        figures["cases"] += 1
        figures[f"status {response.status_code // 100}xx"] += 1
        if 200 <= response.status_code < 300 and mode == GenerationMode.POSITIVE:
            _refused_without_credentials(case, figures, failures)
        for check in CHECKS[mode]:
            try:
                case.validate_response(response, checks=[check])
            except Exception as exc:
                figures[check.__name__] += 1
                failures.append(
                    f"{check.__name__}: {case.method} {case.formatted_path} "
                    f"({mode.value}) -> {response.status_code}: {str(exc)[:300]}"
                )

    run()


INVALID_TOKEN = "Bearer amparo_" + "0" * 40


def _refused_without_credentials(case: Any, figures: Counter[str], failures: list[str]) -> None:
    """An operation that answered 2xx with the token is sent again with no credentials and with
    an invalid token: both must answer 401 (the schema declares bearer auth on every operation)."""
    kept = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    for label, header in (("no credentials", None), ("invalid token", INVALID_TOKEN)):
        case.headers = {**kept, **({"Authorization": header} if header else {})}
        response = case.call()
        figures["auth_probes"] += 1
        if response.status_code != 401:
            figures["auth_not_enforced"] += 1
            failures.append(
                f"auth: {case.method} {case.formatted_path} with {label} -> {response.status_code}"
            )


@pytest.mark.django_db
def test_schemathesis_fuzzing(
    keep_connection, world, coordinator, officer, analyst, liaison, auditor, capsys
):
    users = {
        "coordinator": coordinator,
        "officer": officer,
        "analyst": analyst,
        "liaison": liaison,
        "auditor": auditor,
    }
    tokens = {role: api_token_create(actor=users[role], name="fuzz")[1] for role in ROLES}
    schema = _schema()
    figures: Counter[str] = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for index, mode in enumerate((GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):
            # Each operation is fuzzed positively and negatively, as a rotating pair of roles.
            role = ROLES[(operations.index(operation) + index) % len(ROLES)]
            _fuzz(operation, mode, tokens[role], figures, failures)
    with capsys.disabled():
        sys.stdout.write(
            f"\nschemathesis: operations {len(operations)}, cases {figures['cases']}, "
            f"5xx {figures['not_a_server_error']}, schema violations "
            f"{figures['response_schema_conformance']}, credentials probes "
            f"{figures['auth_probes']} (not enforced: {figures['auth_not_enforced']})\n"
        )
        for failure in failures[:60]:
            sys.stdout.write(f"  {failure}\n")
    report(
        "API fuzzing (T3, schemathesis)",
        operations=len(operations),
        cases=figures["cases"],
        server_errors=figures["not_a_server_error"],
        schema_violations=figures["response_schema_conformance"],
        credentials_probes=figures["auth_probes"],
        credentials_not_enforced=figures["auth_not_enforced"],
        **{k.replace(" ", "_"): v for k, v in sorted(figures.items()) if k.startswith("status")},
    )
    assert figures["not_a_server_error"] == 0
    assert figures["response_schema_conformance"] == 0
    assert figures["auth_probes"] > 0
    assert figures["auth_not_enforced"] == 0


def _run_workflow(workflow: Any) -> None:
    workflow.run(
        settings=settings(
            max_examples=max(EXAMPLES * 5, 10),
            stateful_step_count=6,
            phases=[Phase.generate],  # report, do not shrink: replays see a changed database
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


@pytest.mark.django_db
def test_schemathesis_stateful(keep_connection, world, coordinator, officer, capsys):
    """The stateful phase: sequences of calls along the links schemathesis infers from the
    schema (list -> detail -> change), as a coordinator (who can change) and an officer."""
    tokens = [api_token_create(actor=user, name="fuzz")[1] for user in (coordinator, officer)]
    figures: Counter[str] = Counter()
    failures: list[str] = []

    class Workflow(_schema().as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            self.calls += 1  # alternate the roles within a scenario, the same way each replay
            token = tokens[self.calls % len(tokens)]
            return {"headers": {"Authorization": f"Bearer {token}"}}

        # Each scenario starts from the same database (a savepoint rolled back at its end), so
        # a replayed scenario sees the answers it saw the first time.
        def setup(self) -> None:
            self.calls = 0
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

        def step(self, input: Any) -> Any:
            try:
                return super().step(input)
            except Exception as exc:
                failures.append(
                    f"step raised: {input.case.method} {input.case.formatted_path}: {exc!r}"[:600]
                )
                raise

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            figures["cases"] += 1
            for check in (not_a_server_error, response_schema_conformance):
                try:
                    case.validate_response(response, checks=[check])
                except Exception as exc:
                    figures[check.__name__] += 1
                    failures.append(f"{check.__name__}: {case.method} {case.formatted_path}: {exc}")

    try:
        _run_workflow(Workflow)
    finally:
        for failure in failures[:10]:
            sys.stdout.write(f"  {failure}\n")
    with capsys.disabled():
        sys.stdout.write(
            f"\nschemathesis stateful: steps {figures['cases']}, "
            f"5xx {figures['not_a_server_error']}, schema violations "
            f"{figures['response_schema_conformance']}\n"
        )
        for failure in failures[:30]:
            sys.stdout.write(f"  {failure[:400]}\n")
    report(
        "API fuzzing, stateful (T3, schemathesis)",
        steps=figures["cases"],
        server_errors=figures["not_a_server_error"],
        schema_violations=figures["response_schema_conformance"],
    )
    assert figures["not_a_server_error"] == 0
    assert figures["response_schema_conformance"] == 0


@pytest.mark.django_db
def test_an_offset_beyond_sql_integers_is_refused_not_a_500(client, coordinator):
    """Found by the fuzzer: ?offset=197974278183457381145487867904 was a 500 (SQLite cannot
    bind it); the page parameters now bound it, so it is a 422."""
    token = api_token_create(actor=coordinator, name="fuzz")[1]
    response = client.get(
        "/api/v1/defenders?offset=197974278183457381145487867904",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "offset"


@pytest.mark.django_db
def test_a_nul_character_is_refused_not_a_500(client, coordinator):
    """Found by the fuzzer on PostgreSQL (text cannot hold NUL): POST /communications with
    "\\u0000" in a defender code was a 500; every API input now refuses NUL with a 422."""
    token = api_token_create(actor=coordinator, name="fuzz")[1]
    response = client.post(
        "/api/v1/defenders/search",
        json.dumps({"name": "Ana\u0000"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "query"
