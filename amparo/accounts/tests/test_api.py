"""API authentication (tokens, verified sessions, CSRF), /me, personal tokens, the schema."""

from __future__ import annotations

import datetime

import django_otp
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.accounts.models import ApiToken
from amparo.accounts.services import api_token_create, api_token_revoke, user_deactivate
from amparo.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

API = "/api/v1"
CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"  # 32 characters, as Django's secrets are


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def session_client(user, *, verified=True, csrf_checks=True) -> Client:
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        session = client.session
        session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


# Tokens as credentials ----------------------------------------------------------------------


def test_me_with_a_token(client, coordinator):
    _token, raw = api_token_create(actor=coordinator, name="t")
    response = client.get(f"{API}/me", **bearer(raw))
    assert response.status_code == 200
    assert response.json() == {
        "username": "coordinator",
        "role": "coordinator",
        "entity": {"slug": "desk", "name": "Protection Desk", "kind": "ngo", "country": "CO"},
        "authenticated_via": "token",
    }


def test_me_for_a_user_without_entity(client, auditor):
    _token, raw = api_token_create(actor=auditor, name="t")
    body = client.get(f"{API}/me", **bearer(raw)).json()
    assert (body["role"], body["entity"]) == ("auditor", None)


def test_token_records_its_last_use(client, officer):
    token, raw = api_token_create(actor=officer, name="t")
    assert token.last_used_at is None
    client.get(f"{API}/me", **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer amp_not-a-real-token",
        "Bearer not-even-prefixed",
        "Basic Y29vcmRpbmF0b3I6cGFzc3dvcmQ=",
    ],
)
def test_missing_or_bad_credentials_get_401(client, coordinator, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get(f"{API}/me", **extra)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required."}
    assert response["WWW-Authenticate"] == 'Bearer realm="amparo"'


def test_wrong_scheme_with_a_valid_token_gets_401(client, coordinator):
    _token, raw = api_token_create(actor=coordinator, name="t")
    assert client.get(f"{API}/me", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401


def test_revoked_token_gets_401(client, coordinator):
    token, raw = api_token_create(actor=coordinator, name="t")
    assert client.get(f"{API}/me", **bearer(raw)).status_code == 200
    api_token_revoke(actor=coordinator, token=token)
    assert client.get(f"{API}/me", **bearer(raw)).status_code == 401


def test_expired_token_gets_401(client, coordinator):
    token, raw = api_token_create(actor=coordinator, name="t")
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(f"{API}/me", **bearer(raw)).status_code == 401


def test_deactivated_users_token_gets_401(client, system, coordinator):
    _token, raw = api_token_create(actor=coordinator, name="t")
    user_deactivate(actor=system, user=coordinator)
    assert client.get(f"{API}/me", **bearer(raw)).status_code == 401


def test_inactive_user_with_a_live_token_gets_401(client, coordinator):
    _token, raw = api_token_create(actor=coordinator, name="t")
    type(coordinator).objects.filter(pk=coordinator.pk).update(is_active=False)
    assert client.get(f"{API}/me", **bearer(raw)).status_code == 401


# Sessions -----------------------------------------------------------------------------------


def test_verified_session_reads(coordinator):
    client = session_client(coordinator)
    response = client.get(f"{API}/me")
    assert response.status_code == 200
    assert response.json()["authenticated_via"] == "session"


def test_session_without_second_factor_gets_401(coordinator):
    client = session_client(coordinator, verified=False)
    assert client.get(f"{API}/me").status_code == 401
    before = (ApiToken.objects.count(), AuditEvent.objects.count())
    response = client.post(
        f"{API}/tokens",
        {"name": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )
    assert response.status_code == 401
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before


def test_session_post_needs_the_csrf_token(coordinator):
    client = session_client(coordinator)
    before = (ApiToken.objects.count(), AuditEvent.objects.count())
    response = client.post(f"{API}/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check failed."}
    response = client.post(
        f"{API}/tokens",
        {"name": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN="wrong" * 6 + "xx",
    )
    assert response.status_code == 403
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before


def test_session_write_needs_csrf_on_every_unsafe_method(coordinator):
    token, _raw = api_token_create(actor=coordinator, name="t")
    client = session_client(coordinator)
    response = client.delete(f"{API}/tokens/{token.pk}")
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_session_post_gets_401_not_403():
    client = Client(enforce_csrf_checks=True)
    assert (
        client.post(f"{API}/tokens", {"name": "x"}, content_type="application/json").status_code
        == 401
    )


# Personal tokens ----------------------------------------------------------------------------


def test_create_token_from_a_session_and_use_it(coordinator):
    client = session_client(coordinator)
    before = AuditEvent.objects.count()
    response = client.post(
        f"{API}/tokens",
        {"name": "reporting script", "expires_in_days": 30},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )
    assert response.status_code == 201
    body = response.json()
    raw = body["token"]
    assert raw.startswith("amp_")
    token = ApiToken.objects.get(pk=body["id"])
    assert (body["name"], body["hint"], body["active"]) == ("reporting script", raw[:8], True)
    assert token.digest != raw and raw not in token.digest
    assert token.expires_at - timezone.now() > datetime.timedelta(days=29)
    assert list(AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True)) == [
        "token.create"
    ]
    # The raw token works, and is never shown again.
    assert Client().get(f"{API}/me", **bearer(raw)).json()["username"] == "coordinator"
    listed = client.get(f"{API}/tokens").json()
    assert [t["id"] for t in listed] == [token.pk]
    assert "token" not in listed[0] and "digest" not in listed[0]


def test_a_token_cannot_mint_tokens(client, coordinator):
    _token, raw = api_token_create(actor=coordinator, name="t")
    before = (ApiToken.objects.count(), AuditEvent.objects.count())
    response = client.post(
        f"{API}/tokens", {"name": "successor"}, content_type="application/json", **bearer(raw)
    )
    assert response.status_code == 403
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "expires_in_days": 366},
        {"name": "x", "expires_in_days": None},
        {"name": "x", "user": 1},
    ],
)
def test_create_token_invalid(coordinator, body):
    client = session_client(coordinator)
    before = (ApiToken.objects.count(), AuditEvent.objects.count())
    response = client.post(
        f"{API}/tokens", body, content_type="application/json", HTTP_X_CSRFTOKEN=CSRF_SECRET
    )
    assert response.status_code == 422
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before


def test_token_list_shows_only_ones_own(client, coordinator, officer):
    mine, raw = api_token_create(actor=coordinator, name="mine")
    api_token_create(actor=officer, name="theirs")
    response = client.get(f"{API}/tokens", **bearer(raw))
    assert response.status_code == 200
    assert [(t["id"], t["name"]) for t in response.json()] == [(mine.pk, "mine")]


def test_revoke_own_token(client, coordinator):
    spare, spare_raw = api_token_create(actor=coordinator, name="spare")
    _token, raw = api_token_create(actor=coordinator, name="t")
    before = AuditEvent.objects.count()
    response = client.delete(f"{API}/tokens/{spare.pk}", **bearer(raw))
    assert response.status_code == 204
    spare.refresh_from_db()
    assert spare.revoked_at is not None
    assert client.get(f"{API}/me", **bearer(spare_raw)).status_code == 401
    assert list(AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True)) == [
        "token.revoke"
    ]
    listed = {t["id"]: t["active"] for t in client.get(f"{API}/tokens", **bearer(raw)).json()}
    assert listed[spare.pk] is False


def test_revoke_someone_elses_token_is_404(client, coordinator, officer):
    theirs, theirs_raw = api_token_create(actor=officer, name="theirs")
    _token, raw = api_token_create(actor=coordinator, name="t")
    before = AuditEvent.objects.count()
    assert client.delete(f"{API}/tokens/{theirs.pk}", **bearer(raw)).status_code == 404
    assert client.delete(f"{API}/tokens/999999", **bearer(raw)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client.get(f"{API}/me", **bearer(theirs_raw)).status_code == 200
    assert AuditEvent.objects.count() == before


def test_revoke_with_session_and_csrf(coordinator):
    token, _raw = api_token_create(actor=coordinator, name="t")
    client = session_client(coordinator)
    assert (
        client.delete(f"{API}/tokens/{token.pk}", HTTP_X_CSRFTOKEN=CSRF_SECRET).status_code == 204
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


# The schema ---------------------------------------------------------------------------------

PATHS = [
    "/api/v1/defenders",
    "/api/v1/defenders/search",
    "/api/v1/defenders/duplicates",
    "/api/v1/defenders/{code}",
    "/api/v1/defenders/{code}/timeline",
    "/api/v1/defenders/{code}/persons",
    "/api/v1/cases/{code}",
    "/api/v1/cases/{code}/team",
    "/api/v1/cases/{code}/restricted",
    "/api/v1/organisations",
    "/api/v1/organisations/{external_id}",
    "/api/v1/incidents",
    "/api/v1/incidents/{code}",
    "/api/v1/incidents/{code}/attachments",
    "/api/v1/incidents/{code}/attachments/{attachment_id}",
    "/api/v1/risk/assessments",
    "/api/v1/risk/assessments/{code}",
    "/api/v1/risk/assessments/{code}/submit",
    "/api/v1/risk/assessments/{code}/approve",
    "/api/v1/risk/assessments/{code}/reject",
    "/api/v1/risk/defenders/{code}/assessments",
    "/api/v1/risk/defenders/{code}/procedures",
    "/api/v1/risk/procedures",
    "/api/v1/risk/procedures/{code}",
    "/api/v1/measures",
    "/api/v1/measures/{code}",
    "/api/v1/measures/{code}/history",
    "/api/v1/measures/{code}/transition",
    "/api/v1/measures/{code}/feedback",
    "/api/v1/disclosures",
    "/api/v1/disclosures/{code}",
    "/api/v1/disclosures/{code}/revoke",
    "/api/v1/inbox/disclosures",
    "/api/v1/inbox/disclosures/{code}",
    "/api/v1/inbox/disclosures/{code}/respond",
    "/api/v1/inbox/disclosures/{code}/report",
    "/api/v1/defenders/{code}/consent",
    "/api/v1/tasks",
    "/api/v1/tasks/{task_id}",
    "/api/v1/tasks/{task_id}/complete",
    "/api/v1/tasks/{task_id}/cancel",
    "/api/v1/dashboard",
    "/api/v1/audit/events",
    "/api/v1/audit/verify",
    "/api/v1/me",
    "/api/v1/tokens",
    "/api/v1/tokens/{token_id}",
    "/api/v1/investigations",
    "/api/v1/investigations/figures",
    "/api/v1/investigations/{code}",
    "/api/v1/investigations/{code}/updates",
    "/api/v1/alerts",
    "/api/v1/alerts/{code}",
    "/api/v1/alerts/{code}/acknowledge",
    "/api/v1/alerts/{code}/act",
    "/api/v1/alerts/{code}/dismiss",
    "/api/v1/events/calendar",
    "/api/v1/communications",
    "/api/v1/communications/response-rates",
    "/api/v1/communications/visits",
    "/api/v1/communications/visits/{visit_id}",
    "/api/v1/communications/{communication_id}",
    "/api/v1/communications/{communication_id}/submit",
    "/api/v1/communications/{communication_id}/approve",
    "/api/v1/communications/{communication_id}/return",
    "/api/v1/communications/{communication_id}/withdraw",
    "/api/v1/communications/{communication_id}/replies",
]


def test_openapi_schema(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == sorted(PATHS)
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "VerifiedSessionAuth"}
    # Every operation requires authentication and documents the 401 it may answer.
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"TokenAuth": []}, {"VerifiedSessionAuth": []}], (
                path,
                method,
            )
            assert "401" in operation["responses"], (path, method)
    # Names never travel in URLs: the defender list has no free-text parameter.
    parameters = {p["name"] for p in schema["paths"]["/api/v1/defenders"]["get"]["parameters"]}
    assert not parameters & {"query", "q", "name", "search"}


def test_no_interactive_docs_page(client):
    assert client.get(f"{API}/docs").status_code == 404


# Responses conform to the schema ------------------------------------------------------------


def _schema_errors(schema, value, root, where="$"):
    """The ways a JSON value breaks an OpenAPI (JSON Schema) description, strictly: an object
    may hold no property that its schema does not declare."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _schema_errors(root["components"]["schemas"][name], value, root, where)
    if "anyOf" in schema:
        options = [_schema_errors(option, value, root, where) for option in schema["anyOf"]]
        return [] if any(not errors for errors in options) else [f"{where}: matches no anyOf"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in enum"]
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if kind is not None and not checks[kind](value):
        return [f"{where}: {value!r} is not {kind}"]
    errors = []
    if kind == "string" and schema.get("format") == "date":
        datetime.date.fromisoformat(value)
    if kind == "string" and schema.get("format") == "date-time":
        datetime.datetime.fromisoformat(value)
    if kind == "array":
        for index, item in enumerate(value):
            errors += _schema_errors(schema.get("items", {}), item, root, f"{where}[{index}]")
    if kind == "object":
        properties = schema.get("properties")
        errors += [f"{where}.{k}: missing" for k in schema.get("required", []) if k not in value]
        if properties is not None:
            errors += [f"{where}.{k}: undeclared" for k in value if k not in properties]
            for key, item in value.items():
                if key in properties:
                    errors += _schema_errors(properties[key], item, root, f"{where}.{key}")
        elif isinstance(schema.get("additionalProperties"), dict):
            for key, item in value.items():
                errors += _schema_errors(
                    schema["additionalProperties"], item, root, f"{where}.{key}"
                )
    return errors


def _operation(schema, method, path):
    """(template, operation) of the documented operation that answers METHOD /api/v1{path}."""
    import re

    for template, operations in schema["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, API + path.split("?")[0]) and method in operations:
            return template, operations[method]
    raise AssertionError(f"{method.upper()} {path} is not in the schema")


def test_every_response_conforms_to_the_schema(
    client, coordinator, analyst, auditor, other_officer
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    schema = client.get(f"{API}/openapi.json").json()
    tokens = {
        user.username: bearer(api_token_create(actor=user, name="t")[1])
        for user in (coordinator, analyst, auditor, other_officer)
    }
    seen = set()

    def check(method, path, who=None, body=None, status=200, **extra):
        headers = tokens[who] if who else {}
        send = getattr(client, method)
        if body is None:
            response = send(f"{API}{path}", **headers, **extra)
        elif extra.pop("multipart", False):
            response = send(f"{API}{path}", body, **headers)
        else:
            response = send(f"{API}{path}", body, content_type="application/json", **headers)
        assert response.status_code == status, (method, path, response.content)
        template, operation = _operation(schema, method, path)
        answer = operation["responses"].get(str(status))
        assert answer is not None, f"{method.upper()} {path} does not document {status}"
        seen.add((method, template, status))
        if status == 204:
            return None
        content = answer["content"]
        if response["Content-Type"] == "application/octet-stream":
            assert "application/octet-stream" in content
            return response.content
        errors = _schema_errors(content["application/json"]["schema"], response.json(), schema)
        assert errors == [], (method, path, status, errors)
        return response.json()

    organisation = check(
        "post",
        "/organisations",
        "coordinator",
        {"name": "Tierra Viva", "kind": "ngo", "country": "CO"},
        status=201,
    )
    defender = check(
        "post",
        "/defenders",
        "coordinator",
        {
            "name": "Ana Mejía",
            "categories": ["journalist"],
            "country": "CO",
            "organisations": [organisation["id"]],
            "contacts": {"phone": "+57 1"},
        },
        status=201,
    )
    code, case = defender["code"], defender["case"]
    person = check(
        "post",
        f"/defenders/{code}/persons",
        "coordinator",
        {"name": "Jorge", "relation": "child"},
        status=201,
    )
    incident = check(
        "post",
        "/incidents",
        "coordinator",
        {
            # Recent, so that it counts as a new fact and opens a re-evaluation task.
            "date": datetime.date.today().isoformat(),
            "country": "CO",
            "violations": ["threat"],
            "victims": [code, person["id"]],
            "organisations": [organisation["id"]],
        },
        status=201,
    )["code"]
    attachment = check(
        "post",
        f"/incidents/{incident}/attachments",
        "coordinator",
        {"file": SimpleUploadedFile("a.txt", b"abc", "text/plain")},
        status=201,
        multipart=True,
    )
    for who in ("coordinator", "analyst"):
        check("get", "/defenders?limit=5", who)
        check("post", "/defenders/search", who, {"query": code})
        check("post", "/defenders/duplicates", who, {"name": "Ana Mejía"})
        check("get", f"/defenders/{code}", who)
        check("get", f"/defenders/{code}/timeline", who)
        check("get", f"/defenders/{code}/persons", who)
        check("get", f"/cases/{case}", who)
        check("get", "/organisations", who)
        check("get", f"/organisations/{organisation['id']}", who)
        check("get", "/incidents", who)
        check("get", f"/incidents/{incident}", who)
        check("get", f"/incidents/{incident}/attachments", who)
        check("get", "/me", who)
        check("get", "/tokens", who)
    check("patch", f"/defenders/{code}", "coordinator", {"alias": "A"})
    check("patch", f"/incidents/{incident}", "coordinator", {"verification": "verified"})
    # Investigations: the case team records; analysts get the figures only.
    stage = {"stage": "complaint_filed", "on": datetime.date.today().isoformat()}
    check("post", f"/investigations/{incident}/updates", "coordinator", stage, status=201)
    check("get", "/investigations", "coordinator")
    check("get", f"/investigations/{incident}", "coordinator")
    check("get", f"/investigations/{incident}", "analyst", status=403)
    check("get", "/investigations/figures", "analyst")
    check("put", f"/cases/{case}/team", "coordinator", {"members": ["coordinator"]})
    check("put", f"/cases/{case}/restricted", "coordinator", {"restricted": False})
    check("get", f"/incidents/{incident}/attachments/{attachment['id']}", "coordinator")
    check("get", "/audit/events?limit=3", "auditor")
    check("get", "/audit/verify", "auditor")
    token_id = check("get", "/tokens", "other_officer")[0]["id"]
    # Errors, in their documented shapes.
    check("get", "/defenders", status=401)
    check("get", f"/defenders/{code}", "other_officer", status=404)
    check("get", f"/incidents/{incident}", "other_officer", status=404)
    check("get", f"/cases/{case}", "other_officer", status=404)
    check("get", "/organisations/ORG-NONE", "coordinator", status=404)
    check(
        "post",
        "/defenders",
        "analyst",
        {"name": "X", "categories": ["other"], "country": "CO"},
        status=403,
    )
    check("patch", f"/defenders/{code}", "analyst", {"alias": "B"}, status=403)
    check("patch", f"/defenders/{code}", "coordinator", {"code": "X"}, status=422)
    check("patch", f"/incidents/{incident}", "coordinator", {"case": "X"}, status=422)
    check(
        "post",
        "/incidents",
        "coordinator",
        {"date": "2026-05-01", "country": "CO", "violations": ["threat"], "victims": ["HRD-0"]},
        status=422,
    )
    check("get", "/defenders?query=Ana", "coordinator", status=422)
    check("get", f"/incidents/{incident}/attachments/{attachment['id']}", "analyst", status=403)
    check("get", "/audit/events", "coordinator", status=403)
    check("post", "/tokens", "coordinator", {"name": "x"}, status=403)
    check("delete", f"/tokens/{token_id}", "coordinator", status=404)
    check("delete", f"/tokens/{token_id}", "other_officer", status=204)
    # Coordination: consent, the re-evaluation tasks the incident opened, the dashboard.
    check("get", f"/defenders/{code}/consent", "coordinator")
    check(
        "post",
        f"/defenders/{code}/consent",
        "coordinator",
        {"purpose": "share_with_state", "granted": True, "source": "defender_in_writing"},
        status=201,
    )
    task_ids = [t["id"] for t in check("get", "/tasks?status=open", "coordinator")["items"]]
    assert len(task_ids) >= 1
    check("get", f"/tasks/{task_ids[0]}", "coordinator")
    check("post", f"/tasks/{task_ids[0]}/complete", "coordinator")
    # Cancelling the last one (a no-op when it is the task just completed).
    check("post", f"/tasks/{task_ids[-1]}/cancel", "coordinator")
    check("get", "/dashboard", "coordinator")
    check("get", "/dashboard", "analyst")
    # Risk: a draft, submitted; its author may not approve or reject it (four eyes).
    scores = {"threat": 0, "vulnerability": 1, "capacity": 1}
    assessment = check(
        "post", f"/risk/defenders/{code}/assessments", "coordinator", scores, status=201
    )["code"]
    check("post", f"/risk/defenders/{code}/assessments", "coordinator", {"threat": 9}, status=422)
    check("post", f"/risk/assessments/{assessment}/submit", "coordinator")
    check("post", f"/risk/assessments/{assessment}/approve", "coordinator", status=403)
    check(
        "post", f"/risk/assessments/{assessment}/reject", "coordinator", {"reason": "x"}, status=403
    )
    procedure = check(
        "post",
        f"/risk/defenders/{code}/procedures",
        "coordinator",
        {"kind": "urgent", "reason": "Imminent"},
        status=201,
    )["code"]
    for who in ("coordinator", "analyst"):
        check("get", "/risk/assessments?limit=5", who)
        check("get", f"/risk/assessments/{assessment}", who)
        check("get", "/risk/procedures", who)
        check("get", f"/risk/procedures/{procedure}", who)
    check("get", "/risk/assessments/RA-NONE", "coordinator", status=404)
    # Measures and disclosures; the police liaison's inbox holds the whitelisted fields only.
    from amparo.accounts.models import SystemActor
    from amparo.accounts.services import entity_create
    from amparo.conftest import _user

    police = entity_create(
        actor=SystemActor("test"), slug="police-api", name="Police", kind="police", country="CO"
    )
    liaison_user = _user(SystemActor("test"), "police_liaison", "liaison", police)
    tokens["police_liaison"] = bearer(api_token_create(actor=liaison_user, name="t")[1])
    measure = check(
        "post",
        "/measures",
        "coordinator",
        {
            "defender": code,
            "kind": "police_protection",
            "provider": "police-api",
            "provider_override_reason": "The State's unit",
            "details": {"area": "Centro"},
        },
        status=201,
    )["code"]
    check("post", "/measures", "coordinator", {"defender": code, "kind": "nope"}, status=422)
    for who in ("coordinator", "analyst"):
        check("get", "/measures?limit=5", who)
        check("get", f"/measures/{measure}", who)
        check("get", f"/measures/{measure}/history", who)
    check("get", "/measures/MSR-NONE", "coordinator", status=404)
    step = f"/measures/{measure}/transition"
    check("post", step, "analyst", {"to_status": "approved"}, status=403)
    check("post", step, "coordinator", {"to_status": "approved"})
    check("post", f"/measures/{measure}/feedback", "coordinator", {"works": "yes"}, status=201)
    disclosure = check(
        "post",
        "/disclosures",
        "coordinator",
        {
            "measure": measure,
            "to_entity": "police-api",
            "fields": ["defender_code", "area"],
            "override_reason": "Imminent danger",
        },
        status=201,
    )["code"]
    check("get", "/disclosures", "coordinator")
    check("get", f"/disclosures/{disclosure}", "coordinator")
    check("get", "/disclosures", "police_liaison", status=403)
    check("get", "/inbox/disclosures", "police_liaison")
    check("get", f"/inbox/disclosures/{disclosure}", "police_liaison")
    inbox = f"/inbox/disclosures/{disclosure}"
    check("post", f"{inbox}/respond", "police_liaison", {"accept": True})
    check("post", f"{inbox}/report", "police_liaison", {"in_place": True, "works": "yes"})
    check("post", f"/disclosures/{disclosure}/revoke", "coordinator")
    # Alerts: built directly (the engine is not under test here), then worked.
    from amparo.earlywarning.models import Alert, Event
    from amparo.registry.models import Defender

    today = datetime.date.today()
    for alert_code in ("ALR-API-1", "ALR-API-2"):
        Alert.objects.create(
            code=alert_code,
            kind="escalation",
            level="warning",
            dedupe_key=alert_code,
            raised_on=today,
            expires_on=today + datetime.timedelta(days=30),
            sla_due_at=timezone.now() + datetime.timedelta(hours=24),
            lead_entity=coordinator.entity,
            reason="Repeated threats",
            evidence={"incidents": 2},
        ).defenders.set([Defender.objects.get(code=code)])
    Event.objects.create(
        external_id="EV-API",
        kind="election",
        start=today + datetime.timedelta(days=30),
        end=today + datetime.timedelta(days=31),
        country="CO",
        lead_entity=coordinator.entity,
    )
    for who in ("coordinator", "analyst"):
        check("get", "/alerts?level=warning", who)
        check("get", "/alerts/ALR-API-1", who)
        check("get", "/events/calendar", who)
    check("get", "/alerts?name=x", "coordinator", status=422)
    check("get", "/alerts/ALR-NONE", "coordinator", status=404)
    check("post", "/alerts/ALR-API-1/acknowledge", "analyst", status=403)
    check("post", "/alerts/ALR-API-1/acknowledge", "coordinator")
    check("post", "/alerts/ALR-API-1/act", "coordinator", {"measures": [measure]})
    check("post", "/alerts/ALR-API-2/dismiss", "coordinator", {"reason_code": "nope"}, status=422)
    check("post", "/alerts/ALR-API-2/dismiss", "coordinator", {"reason_code": "duplicate"})
    # Communications: drafted by a communications officer, approved by a second person.
    comms_user = _user(
        SystemActor("test"), "comms_api", "communications_officer", coordinator.entity
    )
    tokens["comms_api"] = bearer(api_token_create(actor=comms_user, name="t")[1])
    about = {"kind": "UA", "state": "CO", "mandates": ["SR HRDs"], "defenders": [code]}
    letter = check("post", "/communications", "comms_api", about, status=201)["uuid"]
    check("post", "/communications", "comms_api", {"kind": "UA"}, status=422)
    check("get", "/communications?state=CO", "comms_api")
    check("get", f"/communications/{letter}", "coordinator")
    check("get", f"/communications/{letter}", "analyst", status=404)
    check("post", f"/communications/{letter}/submit", "comms_api")
    check("post", f"/communications/{letter}/approve", "comms_api", {}, status=403)
    check("post", f"/communications/{letter}/return", "coordinator")
    check("post", f"/communications/{letter}/submit", "comms_api")
    check("post", f"/communications/{letter}/approve", "coordinator", {})
    reply = {"received_on": today.isoformat(), "kind": "partial"}
    check("post", f"/communications/{letter}/replies", "comms_api", reply, status=201)
    check("get", "/communications/response-rates", "analyst")
    withdrawn = check("post", "/communications", "comms_api", about, status=201)["uuid"]
    check("post", f"/communications/{withdrawn}/withdraw", "comms_api")
    visit = {"state": "MX", "years_requested": [2019], "first_requested_on": "2019-02-01"}
    visit_id = check("post", "/communications/visits", "comms_api", visit, status=201)["id"]
    visit["status"] = "pending"
    check("put", f"/communications/visits/{visit_id}", "comms_api", visit)
    check("get", "/communications/visits?outstanding=true", "analyst")
    documented = {
        (method, template)
        for template, operations in schema["paths"].items()
        for method in operations
    }
    assert documented == {(method, template) for method, template, _status in seen}
