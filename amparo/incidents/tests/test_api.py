"""The incidents API: listing, recording, changing, and evidence attachments, per persona."""

from __future__ import annotations

import datetime
import hashlib
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amparo.accounts.services import api_token_create
from amparo.audit.models import AuditEvent
from amparo.core.tests.samples import image
from amparo.incidents.models import Attachment, Incident
from amparo.incidents.services import IncidentData, attachment_add, incident_record
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    case_set_restricted,
    case_set_team,
    defender_register,
    organisation_create,
    person_create,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def bearer(user) -> dict[str, str]:
    """Headers with a personal token of the user (created once per test: creating is audited)."""
    if not hasattr(user, "_test_headers"):
        _token, raw = api_token_create(actor=user, name="t")
        user._test_headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    return user._test_headers


def call(client, method, path, user=None, body=None):
    headers = bearer(user) if user is not None else {}
    send = getattr(client, method)
    if body is None:
        return send(f"{API}{path}", **headers)
    return send(f"{API}{path}", body, content_type="application/json", **headers)


def persona(request, name):
    user = request.getfixturevalue(name)
    bearer(user)
    return user


def _defender(actor, name, *, country="CO", categories=("journalist",), gender="unknown"):
    return defender_register(
        actor=actor,
        data=DefenderData(name=name, country=country, categories=list(categories), gender=gender),
    )


def _incident(actor, *, victims=(), persons=(), day, violations, **extra):
    return incident_record(
        actor=actor,
        data=IncidentData(
            date=day,
            country=extra.pop("country", "CO"),
            violations=list(violations),
            victim_defenders=list(victims),
            victim_persons=list(persons),
            **extra,
        ),
    )


@pytest.fixture
def inc(system, coordinator, officer, foreign_coordinator):
    team = _defender(
        coordinator, "Ana Lucía Mejía", categories=["land_environment"], gender="woman"
    )
    case_set_team(actor=coordinator, case=team.case, members=[officer])
    relative = person_create(
        actor=coordinator, defender=team, data=PersonData(name="Jorge Mejía", relation="child")
    )
    unassigned = _defender(coordinator, "Bernardo Quintero", gender="man")
    restricted = _defender(coordinator, "Carmen Rosa Pérez", gender="woman")
    case_set_team(actor=coordinator, case=restricted.case, members=[officer])
    case_set_restricted(actor=system, case=restricted.case, restricted=True)
    foreign = _defender(foreign_coordinator, "Diego Hernández", country="MX")
    organisation = organisation_create(
        actor=coordinator,
        data=OrganisationData(name="Tierra Viva", kind="ngo", country="CO"),
        external_id="ORG-TV",
    )
    threat = _incident(
        coordinator,
        victims=[team],
        day=datetime.date(2026, 5, 10),
        violations=["death_threat"],
        perpetrators=["police"],
        contexts=["publication"],
        subdivision="CO-CAU",
        locality="Toribío",
        narrative="A letter under the door after the article.",
        perpetrator_detail="Two officers of the local station",
        sources=["phone call with Ana"],
        verification="corroborated",
    )
    harassment = _incident(
        coordinator, victims=[unassigned], day=datetime.date(2026, 6, 1), violations=["harassment"]
    )
    hidden = _incident(
        officer, victims=[restricted], day=datetime.date(2026, 6, 15), violations=["surveillance"]
    )
    shared = _incident(
        officer,
        victims=[team, restricted],
        day=datetime.date(2026, 7, 1),
        violations=["raid"],
    )
    abroad = _incident(
        foreign_coordinator,
        victims=[foreign],
        day=datetime.date(2026, 4, 1),
        violations=["threat"],
        country="MX",
    )
    return SimpleNamespace(
        team=team,
        relative=relative,
        unassigned=unassigned,
        restricted=restricted,
        foreign=foreign,
        organisation=organisation,
        threat=threat,
        harassment=harassment,
        hidden=hidden,
        shared=shared,
        abroad=abroad,
    )


# Reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/incidents"),
        ("post", "/incidents"),
        ("get", "/incidents/INC-2026-000001"),
        ("patch", "/incidents/INC-2026-000001"),
        ("get", "/incidents/INC-2026-000001/attachments"),
        ("post", "/incidents/INC-2026-000001/attachments"),
    ],
)
def test_anonymous_gets_401(client, inc, method, path):
    response = call(client, method, path, body={} if method != "get" else None)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("who", "which", "status", "details"),
    [
        ("coordinator", "threat", 200, True),
        ("officer", "threat", 200, True),
        ("analyst", "threat", 200, False),
        ("other_officer", "threat", 404, None),
        ("foreign_coordinator", "threat", 404, None),
        ("liaison", "threat", 404, None),
        ("auditor", "threat", 404, None),
        ("admin_user", "threat", 404, None),
        ("coordinator", "hidden", 404, None),
        ("officer", "hidden", 200, True),
        ("analyst", "hidden", 404, None),
        ("coordinator", "abroad", 404, None),
        ("foreign_coordinator", "abroad", 200, True),
    ],
)
def test_incident_detail_persona_matrix(client, request, inc, who, which, status, details):
    incident = getattr(inc, which)
    response = call(client, "get", f"/incidents/{incident.code}", persona(request, who))
    assert response.status_code == status
    if status != 200:
        assert response.json() == {"detail": "Not found."}
        return
    body = response.json()
    assert body["code"] == incident.code
    assert body["details_shown"] is details
    if details:
        assert body["narrative"] == Incident.objects.get(pk=incident.pk).narrative
    else:
        for field in ("narrative", "locality", "perpetrator_detail", "sources", "external_id"):
            assert body[field] is None
        assert all(victim["name"] is None for victim in body["victims"])


def test_incident_detail_full_record(client, coordinator, inc):
    response = call(client, "get", f"/incidents/{inc.threat.code}", coordinator)
    assert response.json() == {
        "code": inc.threat.code,
        "external_id": inc.threat.code,
        "case": inc.team.case.code,
        "date": "2026-05-10",
        "date_precision": "day",
        "end_date": None,
        "reported_on": "2026-05-10",
        "country": "CO",
        "subdivision": "CO-CAU",
        "violations": ["death_threat"],
        "perpetrators": ["police"],
        "context": ["publication"],
        "state_acquiescence": False,
        "verification": "corroborated",
        "sealed": False,
        "details_shown": True,
        "locality": "Toribío",
        "perpetrator_detail": "Two officers of the local station",
        "narrative": "A letter under the door after the article.",
        "sources": ["phone call with Ana"],
        "victims": [{"kind": "defender", "id": inc.team.code, "name": "Ana Lucía Mejía"}],
        "organisations": [],
    }


def test_victims_on_invisible_records_are_not_mentioned(client, coordinator, officer, inc):
    body = call(client, "get", f"/incidents/{inc.shared.code}", coordinator).json()
    assert body["victims"] == [{"kind": "defender", "id": inc.team.code, "name": "Ana Lucía Mejía"}]
    assert "hidden_victims" not in body
    assert inc.restricted.code not in str(body)
    body = call(client, "get", f"/incidents/{inc.shared.code}", officer).json()
    assert [v["id"] for v in body["victims"]] == [inc.team.code, inc.restricted.code]


def test_incident_read_is_audited(client, coordinator, inc):
    bearer(coordinator)
    before = AuditEvent.objects.count()
    call(client, "get", f"/incidents/{inc.threat.code}", coordinator)
    actions = list(
        AuditEvent.objects.filter(seq__gt=before).values_list("action", "object_id", "detail")
    )
    assert ("incident.read", str(inc.threat.pk), {"via": "api"}) in actions
    assert ("defender.read", str(inc.team.pk), {"via": "incident"}) in actions


@pytest.mark.parametrize(
    ("who", "keys"),
    [
        ("coordinator", ["shared", "harassment", "threat"]),
        ("officer", ["shared", "hidden", "threat"]),
        ("analyst", ["shared", "harassment", "threat"]),
        ("other_officer", []),
        ("foreign_coordinator", ["abroad"]),
        ("liaison", []),
        ("auditor", []),
        ("admin_user", []),
    ],
)
def test_incident_list_persona_matrix(client, request, inc, who, keys):
    response = call(client, "get", "/incidents", persona(request, who))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(keys)
    assert [i["code"] for i in body["items"]] == [getattr(inc, k).code for k in keys]


def test_analyst_list_has_no_details(client, analyst, inc):
    items = call(client, "get", "/incidents", analyst).json()["items"]
    assert {(i["narrative"], i["locality"], i["details_shown"]) for i in items} == {
        (None, None, False)
    }


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("violation=death_threat", ["threat"]),
        ("perpetrator=police", ["threat"]),
        ("context=publication", ["threat"]),
        ("verification=corroborated", ["threat"]),
        ("subdivision=CO-CAU", ["threat"]),
        ("country=co", ["shared", "harassment", "threat"]),
        ("category=journalist", ["harassment"]),
        ("gender=woman", ["shared", "threat"]),
        ("date_from=2026-06-01", ["shared", "harassment"]),
        ("date_to=2026-05-31", ["threat"]),
        ("defender={team}", ["shared", "threat"]),
        ("defender={restricted}", []),
        ("limit=1&offset=2", ["threat"]),
    ],
)
def test_incident_list_filters(client, coordinator, inc, query, keys):
    query = query.format(team=inc.team.code, restricted=inc.restricted.code)
    response = call(client, "get", f"/incidents?{query}", coordinator)
    assert response.status_code == 200
    assert [i["code"] for i in response.json()["items"]] == [getattr(inc, k).code for k in keys]


@pytest.mark.parametrize("query", ["violation=genocide", "narrative=letter", "date_from=may"])
def test_incident_list_refuses_bad_parameters(client, coordinator, inc, query):
    assert call(client, "get", f"/incidents?{query}", coordinator).status_code == 422


# Recording ----------------------------------------------------------------------------------


def _new(**change):
    body = {
        "date": "2026-08-01",
        "country": "CO",
        "violations": ["threat"],
        "perpetrators": ["armed_group"],
        "context": ["demonstration"],
        "narrative": "Pamphlet naming the leaders.",
        "sources": ["pamphlet"],
    }
    body.update(change)
    return body


def test_record_incident(client, coordinator, inc):
    response = call(
        client,
        "post",
        "/incidents",
        coordinator,
        _new(victims=[inc.team.code, inc.relative.external_id], organisations=["ORG-TV"]),
    )
    assert response.status_code == 201
    body = response.json()
    incident = Incident.objects.get(code=body["code"])
    assert body["case"] == inc.team.case.code
    assert body["victims"] == [
        {"kind": "defender", "id": inc.team.code, "name": "Ana Lucía Mejía"},
        {"kind": "person", "id": inc.relative.external_id, "name": "Jorge Mejía"},
    ]
    assert body["organisations"] == [{"id": "ORG-TV", "name": "Tierra Viva"}]
    assert (body["violations"], body["perpetrators"], body["context"]) == (
        ["threat"],
        ["armed_group"],
        ["demonstration"],
    )
    assert incident.narrative == "Pamphlet naming the leaders."
    assert AuditEvent.objects.filter(action="incident.create", object_id=str(incident.pk)).exists()


def test_officer_records_against_a_relative(client, officer, inc):
    response = call(client, "post", "/incidents", officer, _new(victims=[inc.relative.external_id]))
    assert response.status_code == 201
    assert response.json()["case"] == inc.team.case.code


def test_record_against_an_organisation_only(client, coordinator, inc):
    response = call(client, "post", "/incidents", coordinator, _new(organisations=["ORG-TV"]))
    assert response.status_code == 201
    assert response.json()["case"] is None


@pytest.mark.parametrize("who", ["analyst", "liaison", "auditor", "admin_user"])
def test_record_incident_refused_by_role(client, request, inc, who):
    user = persona(request, who)
    before = (Incident.objects.count(), AuditEvent.objects.count())
    response = call(client, "post", "/incidents", user, _new(victims=[inc.team.code]))
    assert response.status_code == 403
    assert (Incident.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("who", "victim"),
    [
        ("coordinator", "restricted"),  # exists, restricted, coordinator not on the team
        ("coordinator", "foreign"),  # exists in another entity
        ("coordinator", "HRD-2099-999999"),  # does not exist
        ("other_officer", "team"),  # exists, not on the officer's team
        ("foreign_coordinator", "relative"),
    ],
)
def test_invisible_victims_are_unknown(client, request, inc, who, victim):
    user = persona(request, who)
    ref = getattr(inc, victim).code if victim in ("restricted", "foreign", "team") else victim
    if victim == "relative":
        ref = inc.relative.external_id
    before = (Incident.objects.count(), AuditEvent.objects.count())
    response = call(client, "post", "/incidents", user, _new(victims=[ref]))
    assert response.status_code == 422
    # The same answer whether the record exists or not.
    assert response.json() == {
        "detail": [{"field": "victims", "message": f"Unknown victim {ref!r}."}]
    }
    assert (Incident.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "INC-1999-000001"}, "code"),
        ({"case": "CASE-2026-000001"}, "case"),
        ({"lead_entity": 1}, "lead_entity"),
        ({"violations": []}, "violations"),
        ({"violations": ["genocide"]}, "violations.0"),
        ({"date": "2999-01-01"}, "date"),
        ({"end_date": "2026-01-01"}, "end_date"),
        ({"reported_on": "2026-01-01"}, "reported_on"),
        ({"country": "ZZ"}, "country"),
        ({"victims": []}, "victims"),
        ({"organisations": ["ORG-NOPE"]}, "organisations"),
        ({"verification": "rumour"}, "verification"),
    ],
)
def test_record_incident_invalid(client, coordinator, inc, change, field):
    bearer(coordinator)
    before = (Incident.objects.count(), AuditEvent.objects.count())
    body = _new(victims=[inc.team.code])
    body.update(change)
    response = call(client, "post", "/incidents", coordinator, body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]]
    assert (Incident.objects.count(), AuditEvent.objects.count()) == before


# Changing -----------------------------------------------------------------------------------


def test_patch_incident(client, officer, inc):
    bearer(officer)
    before = AuditEvent.objects.count()
    response = call(
        client,
        "patch",
        f"/incidents/{inc.threat.code}",
        officer,
        {"verification": "verified", "narrative": "Letter and a phone call."},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["verification"], body["narrative"]) == ("verified", "Letter and a phone call.")
    assert (body["locality"], body["violations"]) == ("Toribío", ["death_threat"])
    incident = Incident.objects.get(pk=inc.threat.pk)
    assert (incident.verification, incident.narrative) == ("verified", "Letter and a phone call.")
    update = AuditEvent.objects.get(seq__gt=before, action="incident.update")
    assert sorted(update.fields) == ["narrative", "verification"]


def test_patch_keeps_victims_the_actor_cannot_see(client, coordinator, inc):
    response = call(
        client,
        "patch",
        f"/incidents/{inc.shared.code}",
        coordinator,
        {"victims": [inc.team.code, inc.unassigned.code]},
    )
    assert response.status_code == 200
    assert [v["id"] for v in response.json()["victims"]] == [inc.team.code, inc.unassigned.code]
    assert set(Incident.objects.get(pk=inc.shared.pk).victim_defenders.all()) == {
        inc.team,
        inc.unassigned,
        inc.restricted,
    }


@pytest.mark.parametrize(
    ("who", "which", "status"),
    [
        ("analyst", "threat", 403),
        ("other_officer", "threat", 404),
        ("foreign_coordinator", "threat", 404),
        ("coordinator", "hidden", 404),
        ("liaison", "threat", 404),
        ("auditor", "threat", 404),
        ("admin_user", "threat", 404),
    ],
)
def test_patch_incident_refused(client, request, inc, who, which, status):
    user = persona(request, who)
    incident = getattr(inc, which)
    before = AuditEvent.objects.count()
    response = call(
        client, "patch", f"/incidents/{incident.code}", user, {"verification": "verified"}
    )
    assert response.status_code == status
    assert Incident.objects.get(pk=incident.pk).verification == incident.verification
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "INC-1999-000001"}, "code"),
        ({"case": "CASE-2026-000002"}, "case"),
        ({"lead_entity": 2}, "lead_entity"),
        ({"created_by": 1}, "created_by"),
        ({"violations": []}, "violations"),
        ({"date": None}, "date"),
        ({"victims": None}, "victims"),
        ({"victims": [], "organisations": []}, "victims"),
        ({"victims": ["HRD-2099-999999"]}, "victims"),
        ({"end_date": "2026-01-01"}, "end_date"),
    ],
)
def test_patch_incident_mass_assignment_and_invalid(client, coordinator, inc, change, field):
    bearer(coordinator)
    before = AuditEvent.objects.count()
    snapshot = Incident.objects.filter(pk=inc.threat.pk).values().get()
    response = call(client, "patch", f"/incidents/{inc.threat.code}", coordinator, change)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]]
    assert Incident.objects.filter(pk=inc.threat.pk).values().get() == snapshot
    assert list(Incident.objects.get(pk=inc.threat.pk).victim_defenders.all()) == [inc.team]
    assert AuditEvent.objects.count() == before


# Attachments --------------------------------------------------------------------------------

CONTENT = b"%PDF-1.4 threat letter scan"


@pytest.fixture
def evidence(inc, officer):
    return attachment_add(
        actor=officer,
        incident=inc.threat,
        upload=SimpleUploadedFile("carta-a-ana.pdf", CONTENT),
        filename="carta-a-ana.pdf",
        content_type="application/pdf",
    )


def test_upload_attachment(client, officer, inc):
    photo = image("JPEG")  # a real one: an image that does not decode is refused
    response = client.post(
        f"{API}/incidents/{inc.threat.code}/attachments",
        {"file": SimpleUploadedFile("photo.jpg", photo, "text/plain")},
        **bearer(officer),
    )
    assert response.status_code == 201
    body = response.json()
    attachment = Attachment.objects.get(pk=body["id"])
    assert (body["filename"], body["content_type"], body["size"]) == (
        "photo.jpg",
        "image/jpeg",  # by content, whatever was declared
        len(photo),
    )
    assert body["sha256"] == hashlib.sha256(photo).hexdigest() == attachment.sha256
    assert body["incident"] == inc.threat.code
    assert AuditEvent.objects.filter(action="attachment.create", object_id=body["id"]).exists()


@pytest.mark.parametrize(
    ("who", "which", "status"),
    [
        ("analyst", "threat", 403),
        ("other_officer", "threat", 404),
        ("coordinator", "hidden", 404),
        ("liaison", "threat", 404),
    ],
)
def test_upload_attachment_refused(client, request, inc, who, which, status):
    user = persona(request, who)
    before = (Attachment.objects.count(), AuditEvent.objects.count())
    response = client.post(
        f"{API}/incidents/{getattr(inc, which).code}/attachments",
        {"file": SimpleUploadedFile("x.txt", b"x", "text/plain")},
        **bearer(user),
    )
    assert response.status_code == status
    assert (Attachment.objects.count(), AuditEvent.objects.count()) == before


def test_upload_without_a_file(client, coordinator, inc):
    response = client.post(
        f"{API}/incidents/{inc.threat.code}/attachments", {}, **bearer(coordinator)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"


@pytest.mark.parametrize(
    ("who", "status", "filename"),
    [
        ("coordinator", 200, "carta-a-ana.pdf"),
        ("officer", 200, "carta-a-ana.pdf"),
        ("analyst", 200, None),
        ("other_officer", 404, None),
        ("foreign_coordinator", 404, None),
        ("auditor", 404, None),
    ],
)
def test_attachment_list(client, request, inc, evidence, who, status, filename):
    response = call(
        client, "get", f"/incidents/{inc.threat.code}/attachments", persona(request, who)
    )
    assert response.status_code == status
    if status == 200:
        assert response.json() == [
            {
                "id": str(evidence.pk),
                "incident": inc.threat.code,
                "content_type": "application/pdf",
                "size": len(CONTENT),
                "sha256": hashlib.sha256(CONTENT).hexdigest(),
                "uploaded_at": response.json()[0]["uploaded_at"],
                "filename": filename,
            }
        ]


def test_attachment_download(client, coordinator, inc, evidence):
    bearer(coordinator)
    before = AuditEvent.objects.count()
    response = call(
        client, "get", f"/incidents/{inc.threat.code}/attachments/{evidence.pk}", coordinator
    )
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "carta" not in response["Content-Disposition"]
    assert list(AuditEvent.objects.filter(seq__gt=before).values_list("action", "object_id")) == [
        ("attachment.read", str(evidence.pk))
    ]


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("analyst", "{threat}/attachments/{id}", 403),
        ("other_officer", "{threat}/attachments/{id}", 404),
        ("foreign_coordinator", "{threat}/attachments/{id}", 404),
        ("liaison", "{threat}/attachments/{id}", 404),
        ("coordinator", "{harassment}/attachments/{id}", 404),  # another incident's file
        ("coordinator", "{threat}/attachments/00000000-0000-0000-0000-000000000000", 404),
        ("coordinator", "{threat}/attachments/not-a-uuid", 404),
    ],
)
def test_attachment_download_refused(client, request, inc, evidence, who, path, status):
    user = persona(request, who)
    before = AuditEvent.objects.count()
    path = path.format(threat=inc.threat.code, harassment=inc.harassment.code, id=evidence.pk)
    response = call(client, "get", f"/incidents/{path}", user)
    assert response.status_code == status
    assert AuditEvent.objects.count() == before
