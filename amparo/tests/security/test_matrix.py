"""T1, the authorization matrix: every route x method x persona x relation, against the table.

Figures are printed (run with -s to see them): cells tested, leaks (must be 0), unexpected
denials (must be 0), 5xx (must be 0), and responses missing a security header (T17, must be 0).
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
    from amparo.conftest import _user

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
    # The defender's own account, on the team defender (created after the world exists).
    from amparo.accounts.models import Role
    from amparo.accounts.services import api_token_create
    from amparo.registry.models import Defender
    from amparo.tests.helpers import login

    team = Defender.objects.get(code=world.refs["defender"]["team"])
    defender_user = _user(system, "defender", Role.DEFENDER, None)
    defender_user.defender = team
    defender_user.save(update_fields=["defender"])
    users["defender_user"] = defender_user
    login(world.clients["defender_user"], defender_user)
    world.tokens["defender_user"] = api_token_create(actor=defender_user, name="suite")[1]
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
        sys.stdout.write("\n" + figures.summary() + "\n")
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
    )
    assert figures.verdicts["leak"] == 0
    assert figures.verdicts["error"] == 0
    assert figures.verdicts["denied-unexpectedly"] == 0
    assert not figures.missing_headers


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
