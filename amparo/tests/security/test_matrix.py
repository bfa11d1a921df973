"""T1, the authorization matrix: every route x method x persona x relation, against the table.

Figures are printed (run with -s to see them): cells tested, leaks (must be 0), unexpected
denials (must be 0), 5xx (must be 0), and responses missing a security header (T17, must be 0).
Issue 9: accepted writes that changed a table with no audit event of their actor, and answers
showing a canary with no read event of their actor (both must be 0); a refused write writes no
table and records only the declared refusal events.
"""

from __future__ import annotations

import sys

import pytest

from amparo.ops.figures import report
from amparo.tests.security.matrix import Figures, Matrix
from amparo.tests.security.routes import api_operations, api_routes, page_routes
from amparo.tests.security.table import OPERATIONS, PAGES
from amparo.tests.security.world import HTTP_PERSONAS, build_world

PAGE_METHODS = ("GET", "POST")


def test_every_page_route_is_in_the_matrix():
    undeclared = [r.pattern for r in page_routes() if r.pattern not in PAGES]
    assert not undeclared, f"new route(s) not in the authorization matrix: {undeclared}"
    stale = set(PAGES) - {r.pattern for r in page_routes()}
    assert not stale, f"the matrix declares routes that no longer exist: {sorted(stale)}"


def test_every_api_operation_is_in_the_matrix():
    operations = {op.operation for op in api_operations()}
    undeclared = sorted(operations - set(OPERATIONS))
    assert not undeclared, f"new API operation(s) not in the authorization matrix: {undeclared}"
    assert not set(OPERATIONS) - operations, "the matrix declares operations that do not exist"
    # Every API URL pattern the resolver knows is an operation of the schema (or the schema).
    names = {r.name.removeprefix("api:") for r in api_routes()} - {"openapi-json", "api-root"}
    assert names <= operations, f"API routes outside the schema: {sorted(names - operations)}"


@pytest.fixture
def security_world(
    system,
    entity,
    other_entity,
    coordinator,
    officer,
    other_officer,
    foreign_coordinator,
    analyst,
    liaison,
    comms_officer,
    auditor,
    admin_user,
    inactive_coordinator,
):
    users = {
        "system": system,
        "coordinator": coordinator,
        "officer": officer,
        "other_officer": other_officer,
        "foreign_coordinator": foreign_coordinator,
        "analyst": analyst,
        "liaison": liaison,
        "comms_officer": comms_officer,
        "auditor": auditor,
        "admin_user": admin_user,
        "inactive_coordinator": inactive_coordinator,
        "anonymous": None,
    }
    world = build_world(users, entity, other_entity)
    # The defender persona's account (the team defender's) is made by the world.
    return world


@pytest.mark.django_db
def test_authorization_matrix(security_world, settings, capsys):
    settings.AMPARO_INTAKE_ENTITY = "desk"  # the portal takes reports without an account
    figures = Figures()
    matrix = Matrix(security_world, figures)
    for route in page_routes():
        if route.pattern not in PAGES:
            continue  # test_every_page_route_is_in_the_matrix names it
        rule = PAGES[route.pattern]
        methods = [m for m in PAGE_METHODS if (rule.get if m == "GET" else rule.post) is not None]
        for _ in matrix.cells(
            route.pattern,
            rule,
            methods,
            lambda relation, route=route, rule=rule: matrix.page_url(route, rule, relation),
            False,
            HTTP_PERSONAS,
        ):
            pass
    for operation in api_operations():
        if operation.operation not in OPERATIONS:
            continue
        rule = OPERATIONS[operation.operation]
        for _ in matrix.cells(
            f"{operation.method} {operation.path}",
            rule,
            [operation.method],
            lambda relation, op=operation, rule=rule: matrix.api_url(op, rule, relation),
            True,
            HTTP_PERSONAS,
        ):
            pass
    with capsys.disabled():
        sys.stdout.write("\n" + figures.summary() + "\n" + figures.hidden_summary() + "\n")
        for missing in security_world.missing:
            sys.stdout.write(f"  object the world could not create: {missing}\n")
        for cell in figures.problems:
            sys.stdout.write(
                f"  {cell.verdict:20} {cell.method:6} {cell.route:60} {cell.persona:20} "
                f"{cell.relation:10} {cell.status} {cell.detail}\n"
            )
    report(
        "authorization matrix (T1, T2 reads, T17)",
        routes=len(figures.routes),
        cells=figures.cells,
        leaks=figures.verdicts["leak"],
        unexpected_denials=figures.verdicts["denied-unexpectedly"],
        server_errors=figures.verdicts["error"],
        missing_headers=sum(figures.missing_headers.values()),
        hidden_objects=sum(len(relations) for relations in figures.hidden.values()),
        hidden_object_cells=sum(figures.hidden_cells.values()),
        hidden_objects_by_kind={kind: len(figures.hidden[kind]) for kind in sorted(figures.hidden)},
        writes_audited=figures.writes_audited,
        writes_without_event=len(figures.writes_without_event),
        sensitive_reads_audited=figures.sensitive_reads_audited,
        sensitive_reads_without_event=len(figures.sensitive_reads_without_event),
    )
    assert figures.verdicts["leak"] == 0
    assert figures.verdicts["error"] == 0
    assert figures.verdicts["denied-unexpectedly"] == 0
    assert not figures.missing_headers
    # Issue 9: every accepted write that changed a table left an event naming its actor, and
    # every answer showing sensitive fields a read event (the cells are listed above).
    assert not figures.writes_without_event
    assert not figures.sensitive_reads_without_event
    assert figures.writes_audited > 0 and figures.sensitive_reads_audited > 0
    assert figures.verdicts["unaudited"] == 0
    # Every kind is tested against real hidden objects too, not only a reference to nothing.
    assert not security_world.missing, "objects the world could not create (see above)"
    ghost_only = sorted(figures.ghost_only - set(figures.hidden))
    assert not ghost_only, f"kinds with no real object in world.py: {ghost_only}"


def test_authorization_doc_is_the_table():
    import os
    from pathlib import Path

    from amparo.tests.security.table import render_markdown

    doc = Path(__file__).resolve().parents[3] / "docs" / "authorization.md"
    text = render_markdown(
        [r.pattern for r in page_routes() if r.pattern in PAGES],
        [
            (op.method, op.path, op.operation)
            for op in api_operations()
            if op.operation in OPERATIONS
        ],
    )
    if os.environ.get("AMPARO_WRITE_AUTHZ_DOC"):
        doc.write_text(text, encoding="utf-8")
    assert doc.read_text(encoding="utf-8") == text, "docs/authorization.md is stale"


def test_a_hidden_objects_answer_is_compared_without_its_reference_and_tokens():
    from amparo.tests.security.matrix import shape

    def page(code: str, nonce: str, token: str, text: str = "Not found.") -> str:
        return (
            f'<script nonce="{nonce}"></script><form action="/defenders/{code}/">'
            f'<input name="csrfmiddlewaretoken" value="{token}"></form><p>{text}</p>'
        )

    hidden = page("HRD-2026-000004", "q1w2e3r4t5y6", "a" * 64)
    ghost = page("HRD-2026-999999", "z9x8c7v6b5n4", "b" * 64)
    assert shape(hidden, "/defenders/HRD-2026-000004/") == shape(
        ghost, "/defenders/HRD-2026-999999/"
    )
    told = page("HRD-2026-000004", "q1w2e3r4t5y6", "a" * 64, text="Restricted case.")
    assert shape(told, "/defenders/HRD-2026-000004/") != shape(ghost, "/defenders/HRD-2026-999999/")
