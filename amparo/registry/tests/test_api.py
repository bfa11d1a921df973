"""The registry API: defenders, relatives, cases and organisations, persona by persona."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from amparo.accounts.services import api_token_create
from amparo.audit.models import AuditEvent
from amparo.registry.models import Case, CaseMember, Defender, Organisation, Person
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


def call(client, method, path, user=None, body=None, **extra):
    headers = bearer(user) if user is not None else {}
    send = getattr(client, method)
    if body is None:
        return send(f"{API}{path}", **headers, **extra)
    return send(f"{API}{path}", body, content_type="application/json", **headers, **extra)


@pytest.fixture
def reg(system, coordinator, officer, foreign_coordinator):
    """Four defenders: on the officer's team, unassigned, restricted (officer's team, the
    coordinator is not on it), and in another entity."""
    organisation = organisation_create(
        actor=coordinator,
        data=OrganisationData(name="Tierra Viva", kind="ngo", country="CO"),
        external_id="ORG-TV",
    )
    team = defender_register(
        actor=coordinator,
        data=DefenderData(
            name="Ana Lucía Mejía",
            alias="La Profe",
            country="CO",
            subdivision="CO-CAU",
            categories=["land_environment", "women_rights"],
            gender="woman",
            birth_year=1980,
            locality="Toribío",
            contacts={"phone": "+57 310 555 0101", "email": "ana@example.org"},
            organisations=[organisation],
            registered_on=datetime.date(2026, 3, 1),
            consent_register=True,
        ),
    )
    case_set_team(actor=coordinator, case=team.case, members=[officer])
    unassigned = defender_register(
        actor=coordinator,
        data=DefenderData(
            name="Bernardo Quintero",
            country="CO",
            subdivision="CO-ANT",
            categories=["journalist"],
            gender="man",
            registered_on=datetime.date(2026, 5, 1),
        ),
    )
    restricted = defender_register(
        actor=coordinator,
        data=DefenderData(
            name="Carmen Rosa Pérez",
            country="CO",
            categories=["journalist"],
            gender="woman",
            registered_on=datetime.date(2026, 4, 1),
        ),
    )
    case_set_team(actor=coordinator, case=restricted.case, members=[officer])
    case_set_restricted(actor=system, case=restricted.case, restricted=True)
    foreign = defender_register(
        actor=foreign_coordinator,
        data=DefenderData(
            name="Diego Hernández",
            country="MX",
            categories=["journalist"],
            registered_on=datetime.date(2026, 2, 1),
        ),
    )
    relative = person_create(
        actor=coordinator,
        defender=team,
        data=PersonData(name="Jorge Mejía", relation="child", country="CO"),
    )
    return SimpleNamespace(
        team=team,
        unassigned=unassigned,
        restricted=restricted,
        foreign=foreign,
        organisation=organisation,
        relative=relative,
    )


def persona(request, name):
    return request.getfixturevalue(name)


# Authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/defenders"),
        ("post", "/defenders"),
        ("post", "/defenders/search"),
        ("post", "/defenders/duplicates"),
        ("get", "/defenders/HRD-2026-000001"),
        ("patch", "/defenders/HRD-2026-000001"),
        ("get", "/defenders/HRD-2026-000001/timeline"),
        ("get", "/defenders/HRD-2026-000001/persons"),
        ("post", "/defenders/HRD-2026-000001/persons"),
        ("get", "/cases/CASE-2026-000001"),
        ("put", "/cases/CASE-2026-000001/team"),
        ("put", "/cases/CASE-2026-000001/restricted"),
        ("get", "/organisations"),
        ("post", "/organisations"),
        ("get", "/organisations/ORG-TV"),
    ],
)
def test_anonymous_gets_401_everywhere(client, reg, method, path):
    before = AuditEvent.objects.count()
    response = call(client, method, path, body={} if method != "get" else None)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required."}
    assert AuditEvent.objects.count() == before


# Reading defenders --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "which", "status", "named"),
    [
        ("coordinator", "team", 200, True),
        ("coordinator", "unassigned", 200, True),
        ("coordinator", "restricted", 404, None),
        ("coordinator", "foreign", 404, None),
        ("officer", "team", 200, True),
        ("officer", "restricted", 200, True),
        ("officer", "unassigned", 404, None),
        ("other_officer", "team", 404, None),
        ("other_officer", "restricted", 404, None),
        ("foreign_coordinator", "team", 404, None),
        ("foreign_coordinator", "foreign", 200, True),
        ("analyst", "team", 200, False),
        ("analyst", "restricted", 404, None),
        ("analyst", "foreign", 404, None),
        ("liaison", "team", 404, None),
        ("auditor", "team", 404, None),
        ("admin_user", "team", 404, None),
    ],
)
def test_defender_detail_persona_matrix(client, request, reg, who, which, status, named):
    defender = getattr(reg, which)
    response = call(client, "get", f"/defenders/{defender.code}", persona(request, who))
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"detail": "Not found."}
        return
    body = response.json()
    assert body["code"] == defender.code
    assert body["case"] == defender.case.code
    if named:
        assert body["name"] == Defender.objects.get(pk=defender.pk).name
        assert body["identity_shown"] is True
    else:
        assert body["identity_shown"] is False
        for field in ("name", "alias", "locality", "contacts", "external_id"):
            assert body[field] is None


def test_defender_detail_full_record(client, coordinator, reg):
    response = call(client, "get", f"/defenders/{reg.team.code}", coordinator)
    assert response.status_code == 200
    assert response.json() == {
        "code": reg.team.code,
        "external_id": reg.team.code,
        "case": reg.team.case.code,
        "restricted": False,
        "name": "Ana Lucía Mejía",
        "alias": "La Profe",
        "gender": "woman",
        "birth_year": 1980,
        "categories": ["land_environment", "women_rights"],
        "country": "CO",
        "subdivision": "CO-CAU",
        "locality": "Toribío",
        "organisations": ["ORG-TV"],
        "contacts": {"email": "ana@example.org", "phone": "+57 310 555 0101"},
        "registered_on": "2026-03-01",
        "status": "active",
        "consent": {"register": True, "share_with_state": False},
        "risk_level": None,
        "next_review_on": None,
        "shredded": False,
        "identity_shown": True,
        "merged_into": None,
    }


def test_defender_detail_carries_the_approved_risk_level(client, coordinator, officer, reg):
    from amparo.registry.services import case_set_team
    from amparo.risk.services import assessment_approve, assessment_create
    from amparo.risk.tests.factories import NOW, make_data

    case_set_team(actor=coordinator, case=reg.team.case, members=[officer])
    assessment = assessment_create(
        actor=officer, defender=reg.team, data=make_data(), submit=True, now=NOW
    )
    assessment_approve(actor=coordinator, assessment=assessment, now=NOW)
    body = call(client, "get", f"/defenders/{reg.team.code}", coordinator).json()
    assert (body["risk_level"], body["next_review_on"]) == ("high", "2027-02-17")


def test_identity_read_is_audited_once_per_record(client, coordinator, reg):
    headers = bearer(coordinator)
    before = AuditEvent.objects.count()
    response = client.get(f"{API}/defenders/{reg.team.code}", **headers)
    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(seq__gt=before))
    assert [(e.action, e.object_id, e.detail) for e in events] == [
        ("defender.read", str(reg.team.pk), {"via": "api"})
    ]
    assert events[0].actor_label == "coordinator"


def test_analyst_reads_leave_no_identity_read_event(client, analyst, reg):
    headers = bearer(analyst)
    before = AuditEvent.objects.count()
    assert client.get(f"{API}/defenders/{reg.team.code}", **headers).status_code == 200
    assert client.get(f"{API}/defenders", **headers).status_code == 200
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        ("coordinator", ["team", "unassigned"]),
        ("officer", ["team", "restricted"]),
        ("other_officer", []),
        ("foreign_coordinator", ["foreign"]),
        ("analyst", ["team", "unassigned"]),
        ("liaison", []),
        ("auditor", []),
        ("admin_user", []),
    ],
)
def test_defender_list_shows_only_visible_records(client, request, reg, who, codes):
    response = call(client, "get", "/defenders", persona(request, who))
    assert response.status_code == 200
    body = response.json()
    expected = sorted(getattr(reg, key).code for key in codes)
    assert body["count"] == len(codes)
    assert sorted(item["code"] for item in body["items"]) == expected
    assert (body["limit"], body["offset"]) == (50, 0)


def test_analyst_list_is_pseudonymised(client, analyst, reg):
    items = call(client, "get", "/defenders", analyst).json()["items"]
    assert len(items) == 2
    assert all(item["name"] is None and item["contacts"] is None for item in items)
    assert all(item["identity_shown"] is False for item in items)


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("country=CO", ["team", "unassigned"]),
        ("country=co", ["team", "unassigned"]),
        ("subdivision=CO-CAU", ["team"]),
        ("category=journalist", ["unassigned"]),
        ("gender=woman", ["team"]),
        ("status=active", ["team", "unassigned"]),
        ("status=deceased", []),
        ("registered_from=2026-04-01", ["unassigned"]),
        ("registered_to=2026-04-01", ["team"]),
        ("organisation=ORG-TV", ["team"]),
        ("violation=threat", []),
    ],
)
def test_defender_list_filters(client, coordinator, reg, query, keys):
    response = call(client, "get", f"/defenders?{query}", coordinator)
    assert response.status_code == 200
    assert sorted(i["code"] for i in response.json()["items"]) == sorted(
        getattr(reg, k).code for k in keys
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("query=Ana", "query"),
        ("name=Ana+Luc%C3%ADa", "name"),
        ("category=astronaut", "category"),
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("offset=-1", "offset"),
        ("registered_from=yesterday", "registered_from"),
    ],
)
def test_defender_list_refuses_bad_and_unknown_parameters(client, coordinator, reg, query, field):
    response = call(client, "get", f"/defenders?{query}", coordinator)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == [field]


def test_defender_list_pagination(client, coordinator, reg):
    first = call(client, "get", "/defenders?limit=1", coordinator).json()
    second = call(client, "get", "/defenders?limit=1&offset=1", coordinator).json()
    assert (first["count"], second["count"]) == (2, 2)
    # Newest registration first.
    assert [i["code"] for i in first["items"]] == [reg.unassigned.code]
    assert [i["code"] for i in second["items"]] == [reg.team.code]


# Search and duplicates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "query", "keys"),
    [
        ("coordinator", "ana lucia mejia", ["team"]),
        ("coordinator", "LA PROFE", ["team"]),
        ("coordinator", "573105550101", ["team"]),
        ("coordinator", "ANA@example.org", ["team"]),
        ("coordinator", "carmen rosa perez", []),
        ("coordinator", "diego hernandez", []),
        ("officer", "carmen rosa perez", ["restricted"]),
        ("other_officer", "ana lucia mejia", []),
        ("analyst", "ana lucia mejia", []),
        ("analyst", "{team}", ["team"]),
        ("analyst", "{restricted}", []),
        ("liaison", "{team}", []),
    ],
)
def test_search_by_exact_code_name_phone_or_email(client, request, reg, who, query, keys):
    query = query.format(**{key: getattr(reg, key).code for key in ("team", "restricted")})
    response = call(client, "post", "/defenders/search", persona(request, who), {"query": query})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(keys)
    assert [i["code"] for i in body["items"]] == [getattr(reg, k).code for k in keys]


def test_search_needs_a_query(client, coordinator, reg):
    response = call(client, "post", "/defenders/search", coordinator, {"query": ""})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "query"


@pytest.mark.parametrize(
    ("who", "body", "keys"),
    [
        ("coordinator", {"name": "ANA  LUCIA MEJIA"}, ["team"]),
        ("coordinator", {"name": "Nobody", "contacts": {"phone": "0057 310 555 0101"}}, ["team"]),
        ("coordinator", {"name": "Carmen Rosa Perez"}, []),
        ("officer", {"name": "Carmen Rosa Perez"}, ["restricted"]),
        ("analyst", {"name": "Ana Lucia Mejia"}, []),
        ("foreign_coordinator", {"name": "Ana Lucia Mejia"}, []),
    ],
)
def test_duplicates(client, request, reg, who, body, keys):
    response = call(client, "post", "/defenders/duplicates", persona(request, who), body)
    assert response.status_code == 200
    assert [i["code"] for i in response.json()] == [getattr(reg, k).code for k in keys]


# Registering defenders ----------------------------------------------------------------------

NEW_DEFENDER = {
    "name": "Elena Martínez",
    "alias": "Nena",
    "gender": "woman",
    "birth_year": 1990,
    "categories": ["trade_unionist"],
    "country": "co",
    "subdivision": "co-vac",
    "locality": "Buenaventura",
    "contacts": {"phone": "+57 320 000 0000"},
    "organisations": ["ORG-TV"],
    "registered_on": "2026-06-01",
    "consent": {"register": True, "share_with_state": True},
}


@pytest.mark.parametrize("who", ["coordinator", "officer"])
def test_register_defender(client, request, reg, who):
    user = persona(request, who)
    response = call(client, "post", "/defenders", user, NEW_DEFENDER)
    assert response.status_code == 201
    body = response.json()
    defender = Defender.objects.get(code=body["code"])
    assert body["name"] == defender.name == "Elena Martínez"
    assert (body["country"], body["subdivision"]) == ("CO", "CO-VAC")
    assert body["organisations"] == ["ORG-TV"]
    assert body["consent"] == {"register": True, "share_with_state": True}
    assert body["registered_on"] == "2026-06-01"
    assert defender.case.lead_entity == user.entity
    assert AuditEvent.objects.filter(action="defender.create", object_id=str(defender.pk)).count()
    # An officer who registers someone is on the new case's team, so sees the record.
    assert call(client, "get", f"/defenders/{body['code']}", user).status_code == 200


@pytest.mark.parametrize("who", ["analyst", "liaison", "auditor", "admin_user"])
def test_register_defender_refused(client, request, reg, who):
    bearer(persona(request, who))
    before = (Defender.objects.count(), Case.objects.count(), AuditEvent.objects.count())
    response = call(client, "post", "/defenders", persona(request, who), NEW_DEFENDER)
    assert response.status_code == 403
    assert (Defender.objects.count(), Case.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "HRD-1999-000001"}, "code"),
        ({"case": "CASE-2026-000001"}, "case"),
        ({"external_id": "mine"}, "external_id"),
        ({"categories": []}, "categories"),
        ({"categories": ["astronaut"]}, "categories.0"),
        ({"country": "ZZ"}, "country"),
        ({"subdivision": "MX-CMX"}, "subdivision"),
        ({"birth_year": 1700}, "birth_year"),
        ({"registered_on": "2999-01-01"}, "registered_on"),
        ({"organisations": ["ORG-NOPE"]}, "organisations"),
        ({"name": ""}, "name"),
    ],
)
def test_register_defender_invalid(client, coordinator, reg, change, field):
    bearer(coordinator)
    before = (Defender.objects.count(), Case.objects.count(), AuditEvent.objects.count())
    response = call(client, "post", "/defenders", coordinator, {**NEW_DEFENDER, **change})
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]]
    assert (Defender.objects.count(), Case.objects.count(), AuditEvent.objects.count()) == before


def test_register_with_another_entitys_organisation_is_unknown(
    client, coordinator, foreign_coordinator, reg
):
    organisation_create(
        actor=foreign_coordinator,
        data=OrganisationData(name="Red MX", kind="network", country="MX"),
        external_id="ORG-MX",
    )
    bearer(coordinator)
    before = (Defender.objects.count(), AuditEvent.objects.count())
    response = call(
        client, "post", "/defenders", coordinator, {**NEW_DEFENDER, "organisations": ["ORG-MX"]}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": "organisations", "message": "Unknown organisation 'ORG-MX'."}]
    }
    assert (Defender.objects.count(), AuditEvent.objects.count()) == before


# Changing defenders -------------------------------------------------------------------------


def test_patch_defender(client, coordinator, reg):
    headers = bearer(coordinator)
    before = AuditEvent.objects.count()
    response = client.patch(
        f"{API}/defenders/{reg.team.code}",
        {"alias": "Profe Ana", "status": "relocated", "consent": {"share_with_state": True}},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["alias"], body["status"]) == ("Profe Ana", "relocated")
    assert body["consent"] == {"register": True, "share_with_state": True}
    # Untouched fields keep their values.
    assert (body["name"], body["locality"], body["organisations"]) == (
        "Ana Lucía Mejía",
        "Toribío",
        ["ORG-TV"],
    )
    defender = Defender.objects.get(pk=reg.team.pk)
    assert (defender.alias, defender.status, defender.consent_share_with_state) == (
        "Profe Ana",
        "relocated",
        True,
    )
    update = AuditEvent.objects.get(seq__gt=before, action="defender.update")
    assert sorted(update.fields) == ["alias", "consent_share_with_state", "status"]


def test_patch_defender_by_team_officer(client, officer, reg):
    response = call(client, "patch", f"/defenders/{reg.team.code}", officer, {"birth_year": 1981})
    assert response.status_code == 200
    assert Defender.objects.get(pk=reg.team.pk).birth_year == 1981


def test_patch_can_clear_organisations_and_set_new_name(client, coordinator, reg):
    response = call(
        client,
        "patch",
        f"/defenders/{reg.team.code}",
        coordinator,
        {"organisations": [], "name": "Ana L. Mejía"},
    )
    assert response.status_code == 200
    assert response.json()["organisations"] == []
    found = call(client, "post", "/defenders/search", coordinator, {"query": "ana l mejia"})
    assert [i["code"] for i in found.json()["items"]] == [reg.team.code]


@pytest.mark.parametrize(
    ("who", "which", "status"),
    [
        ("analyst", "team", 403),
        ("other_officer", "team", 404),
        ("foreign_coordinator", "team", 404),
        ("coordinator", "restricted", 404),
        ("coordinator", "foreign", 404),
        ("liaison", "team", 404),
        ("auditor", "team", 404),
        ("admin_user", "team", 404),
    ],
)
def test_patch_defender_refused(client, request, reg, who, which, status):
    defender = getattr(reg, which)
    headers = bearer(persona(request, who))
    before = AuditEvent.objects.count()
    response = client.patch(
        f"{API}/defenders/{defender.code}",
        {"status": "inactive"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == status
    assert Defender.objects.get(pk=defender.pk).status == "active"
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "HRD-1999-000001"}, "code"),
        ({"case": "CASE-2026-000099"}, "case"),
        ({"external_id": "x"}, "external_id"),
        ({"created_by": 1}, "created_by"),
        ({"data_key": None}, "data_key"),
        ({"status": "vanished"}, "status"),
        ({"name": None}, "name"),
        ({"country": "ZZ"}, "country"),
        ({"registered_on": None}, "registered_on"),
        ({"organisations": ["ORG-NOPE"]}, "organisations"),
        ({"organisations": None}, "organisations"),
        ({"categories": []}, "categories"),
        ({"gender": None}, "gender"),
    ],
)
def test_patch_defender_mass_assignment_and_invalid_values(client, coordinator, reg, change, field):
    headers = bearer(coordinator)
    before = AuditEvent.objects.count()
    snapshot = Defender.objects.filter(pk=reg.team.pk).values().get()
    response = client.patch(
        f"{API}/defenders/{reg.team.code}",
        {**change},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]]
    assert Defender.objects.filter(pk=reg.team.pk).values().get() == snapshot
    # Not even the read of the current values that the refused change needed is recorded.
    assert AuditEvent.objects.count() == before


# Timeline and relatives ---------------------------------------------------------------------


def test_timeline(client, coordinator, other_officer, reg):
    response = call(client, "get", f"/defenders/{reg.team.code}/timeline", coordinator)
    assert response.status_code == 200
    assert response.json() == [
        {
            "on": "2026-03-01",
            "kind": "registration",
            "title": "Registered",
            "ref": reg.team.code,
            "detail": "",
        }
    ]
    assert (
        call(client, "get", f"/defenders/{reg.team.code}/timeline", other_officer).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("who", "status", "name"),
    [
        ("coordinator", 200, "Jorge Mejía"),
        ("officer", 200, "Jorge Mejía"),
        ("analyst", 200, None),
        ("other_officer", 404, None),
        ("foreign_coordinator", 404, None),
        ("liaison", 404, None),
    ],
)
def test_person_list(client, request, reg, who, status, name):
    response = call(client, "get", f"/defenders/{reg.team.code}/persons", persona(request, who))
    assert response.status_code == status
    if status == 200:
        assert response.json() == [
            {
                "id": reg.relative.external_id,
                "related_to": reg.team.code,
                "relation": "child",
                "country": "CO",
                "subdivision": "",
                "name": name,
            }
        ]


def test_person_create(client, officer, reg):
    response = call(
        client,
        "post",
        f"/defenders/{reg.team.code}/persons",
        officer,
        {"name": "Lucía Mejía", "relation": "sibling", "country": "co"},
    )
    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get(external_id=body["id"])
    assert (body["name"], body["relation"], body["country"], body["related_to"]) == (
        "Lucía Mejía",
        "sibling",
        "CO",
        reg.team.code,
    )
    assert person.defender_id == reg.team.pk
    assert AuditEvent.objects.filter(action="person.create", object_id=str(person.pk)).exists()


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("analyst", {"name": "X Y", "relation": "child"}, 403),
        ("other_officer", {"name": "X Y", "relation": "child"}, 404),
        ("foreign_coordinator", {"name": "X Y", "relation": "child"}, 404),
        ("coordinator", {"name": "X Y", "relation": "cousin"}, 422),
        ("coordinator", {"name": "X Y", "relation": "child", "defender": "other"}, 422),
        ("coordinator", {"name": "", "relation": "child"}, 422),
    ],
)
def test_person_create_refused(client, request, reg, who, body, status):
    headers = bearer(persona(request, who))
    before = (Person.objects.count(), AuditEvent.objects.count())
    response = client.post(
        f"{API}/defenders/{reg.team.code}/persons", body, content_type="application/json", **headers
    )
    assert response.status_code == status
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


# Cases --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "which", "status", "team"),
    [
        ("coordinator", "team", 200, ["officer"]),
        ("officer", "team", 200, ["officer"]),
        ("analyst", "team", 200, None),
        ("coordinator", "restricted", 404, None),
        ("officer", "restricted", 200, ["officer"]),
        ("other_officer", "team", 404, None),
        ("foreign_coordinator", "team", 404, None),
        ("liaison", "team", 404, None),
        ("auditor", "team", 404, None),
        ("admin_user", "team", 404, None),
    ],
)
def test_case_detail(client, request, reg, who, which, status, team):
    case = getattr(reg, which).case
    response = call(client, "get", f"/cases/{case.code}", persona(request, who))
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["code"] == case.code
        assert body["lead_entity"] == "desk"
        assert body["team"] == team
        assert body["defenders"] == [getattr(reg, which).code]


def test_case_set_team(client, coordinator, officer, other_officer, reg):
    headers = bearer(coordinator)
    before = AuditEvent.objects.count()
    response = client.put(
        f"{API}/cases/{reg.unassigned.case.code}/team",
        {"members": ["officer", "other_officer"]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    assert response.json()["team"] == ["officer", "other_officer"]
    assert sorted(
        CaseMember.objects.filter(case=reg.unassigned.case).values_list("user__username", flat=True)
    ) == ["officer", "other_officer"]
    assert list(AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True)) == [
        "case.team"
    ]


@pytest.mark.parametrize(
    ("who", "members", "status"),
    [
        ("officer", ["officer", "other_officer"], 403),
        ("analyst", ["officer"], 403),
        ("other_officer", ["other_officer"], 404),
        ("foreign_coordinator", ["foreign_coordinator"], 404),
        ("coordinator", ["foreign_coordinator"], 422),
        ("coordinator", ["analyst"], 422),
        ("coordinator", ["nobody-by-this-name"], 422),
    ],
)
def test_case_set_team_refused(
    client, request, reg, analyst, foreign_coordinator, other_officer, who, members, status
):
    headers = bearer(persona(request, who))
    before = (CaseMember.objects.count(), AuditEvent.objects.count())
    response = client.put(
        f"{API}/cases/{reg.team.case.code}/team",
        {"members": members},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == status
    if status == 422:
        # The same answer for a foreigner, a wrong role and nobody: no account enumeration.
        assert response.json() == {
            "detail": [{"field": "members", "message": f"Unknown user {members[0]!r}."}]
        }
    assert (CaseMember.objects.count(), AuditEvent.objects.count()) == before


def test_case_restrict_hides_it_from_the_rest_of_the_entity(client, coordinator, analyst, reg):
    code = reg.unassigned.case.code
    response = call(client, "put", f"/cases/{code}/restricted", coordinator, {"restricted": True})
    assert response.status_code == 200
    assert (response.json()["restricted"], response.json()["team"]) == (True, ["coordinator"])
    assert Case.objects.get(code=code).restricted is True
    assert call(client, "get", f"/defenders/{reg.unassigned.code}", analyst).status_code == 404
    assert call(client, "get", "/defenders", analyst).json()["count"] == 1


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("analyst", 403), ("liaison", 404)])
def test_case_restrict_refused(client, request, reg, who, status):
    headers = bearer(persona(request, who))
    before = AuditEvent.objects.count()
    response = client.put(
        f"{API}/cases/{reg.team.case.code}/restricted",
        {"restricted": True},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == status
    assert Case.objects.get(pk=reg.team.case.pk).restricted is False
    assert AuditEvent.objects.count() == before


# Organisations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "ids"),
    [
        ("coordinator", ["ORG-TV"]),
        ("officer", ["ORG-TV"]),
        ("analyst", ["ORG-TV"]),
        ("foreign_coordinator", []),
        ("liaison", []),
        ("auditor", []),
        ("admin_user", []),
    ],
)
def test_organisation_list(client, request, reg, who, ids):
    response = call(client, "get", "/organisations", persona(request, who))
    assert response.status_code == 200
    assert response.json()["count"] == len(ids)
    assert [o["id"] for o in response.json()["items"]] == ids


def test_organisation_create_and_sensitive_names(client, coordinator, analyst, reg):
    response = call(
        client,
        "post",
        "/organisations",
        coordinator,
        {"name": "Vereda La Esperanza", "kind": "community", "country": "CO"},
    )
    assert response.status_code == 201
    body = response.json()
    organisation = Organisation.objects.get(external_id=body["id"])
    assert (body["name"], body["name_sensitive"], organisation.name) == (
        "Vereda La Esperanza",
        True,
        "",
    )
    assert organisation.sealed_name == "Vereda La Esperanza"
    seen = call(client, "get", f"/organisations/{body['id']}", analyst).json()
    assert (seen["name"], seen["kind"]) == (None, "community")
    public = call(client, "get", "/organisations/ORG-TV", analyst).json()
    assert public["name"] == "Tierra Viva"
    assert call(client, "get", "/organisations?kind=community", coordinator).json()["count"] == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("foreign_coordinator", 404), ("liaison", 404), ("admin_user", 404), ("coordinator", 200)],
)
def test_organisation_detail(client, request, reg, who, status):
    response = call(client, "get", "/organisations/ORG-TV", persona(request, who))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("analyst", {"name": "N", "kind": "ngo", "country": "CO"}, 403),
        ("liaison", {"name": "N", "kind": "ngo", "country": "CO"}, 403),
        ("admin_user", {"name": "N", "kind": "ngo", "country": "CO"}, 403),
        ("coordinator", {"name": "N", "kind": "cartel", "country": "CO"}, 422),
        ("coordinator", {"name": "N", "kind": "ngo", "country": "CO", "id": "ORG-TV"}, 422),
        ("coordinator", {"name": "N", "kind": "ngo", "country": "CO", "subdivision": "X"}, 422),
    ],
)
def test_organisation_create_refused(client, request, reg, who, body, status):
    headers = bearer(persona(request, who))
    before = (Organisation.objects.count(), AuditEvent.objects.count())
    response = client.post(f"{API}/organisations", body, content_type="application/json", **headers)
    assert response.status_code == status
    assert (Organisation.objects.count(), AuditEvent.objects.count()) == before


def test_violation_filter_counts_only_visible_incidents(client, coordinator, officer, reg):
    from amparo.incidents.services import IncidentData, incident_record

    # Recorded under the restricted case (its first victim): the coordinator cannot see it.
    incident_record(
        actor=officer,
        data=IncidentData(
            date=datetime.date(2026, 7, 1),
            country="CO",
            violations=["raid"],
            victim_defenders=[reg.restricted, reg.team],
        ),
    )
    assert call(client, "get", "/defenders?violation=raid", coordinator).json()["count"] == 0
    seen = call(client, "get", "/defenders?violation=raid", officer).json()["items"]
    assert sorted(i["code"] for i in seen) == sorted([reg.team.code, reg.restricted.code])


# Shredded records and missing keys ----------------------------------------------------------


def test_shredded_defender_is_a_stub_that_cannot_change(client, coordinator, reg):
    from amparo.registry.services import defender_shred

    defender_shred(actor=coordinator, defender=reg.team)
    response = call(client, "get", f"/defenders/{reg.team.code}", coordinator)
    assert response.status_code == 200
    body = response.json()
    assert (body["shredded"], body["identity_shown"], body["name"], body["contacts"]) == (
        True,
        False,
        None,
        None,
    )
    before = AuditEvent.objects.count()
    response = call(client, "patch", f"/defenders/{reg.team.code}", coordinator, {"alias": "x"})
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before
    persons = call(client, "get", f"/defenders/{reg.team.code}/persons", coordinator).json()
    assert [p["name"] for p in persons] == [None]


def test_missing_key_fails_closed_with_503(client, coordinator, reg, restore_keyring):
    from amparo.core.crypto import Keyring
    from amparo.core.keys import set_keyring

    headers = bearer(coordinator)
    set_keyring(Keyring(None))
    # The presenter shows a record it cannot decrypt without its identity...
    response = client.get(f"{API}/defenders/{reg.team.code}", **headers)
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["identity_shown"]) == (None, False)
    # ...and anything else that needs a key answers 503, without plaintext or a trace.
    response = client.post(
        f"{API}/defenders/search",
        {"query": "Ana Lucía Mejía"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 503
    assert response.json() == {"detail": "Encrypted data is unavailable."}


# Sessions -----------------------------------------------------------------------------------


def _session(user, *, verified=True):
    import django_otp
    from django.conf import settings
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    if verified:
        session = client.session
        session[django_otp.DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
        session.save()
    client.cookies[settings.CSRF_COOKIE_NAME] = "abcdefghijklmnopqrstuvwxyzABCDEF"
    return client


def test_session_registers_with_csrf_and_not_without(coordinator, reg):
    client = _session(coordinator)
    before = (Defender.objects.count(), AuditEvent.objects.count())
    url = f"{API}/defenders"
    response = client.post(url, NEW_DEFENDER, content_type="application/json")
    assert response.status_code == 403
    assert (Defender.objects.count(), AuditEvent.objects.count()) == before
    response = client.post(
        url,
        NEW_DEFENDER,
        content_type="application/json",
        HTTP_X_CSRFTOKEN="abcdefghijklmnopqrstuvwxyzABCDEF",
    )
    assert response.status_code == 201
    assert Defender.objects.count() == before[0] + 1


def test_unverified_session_reads_nothing(coordinator, reg):
    client = _session(coordinator, verified=False)
    assert client.get(f"{API}/defenders").status_code == 401
    assert client.get(f"{API}/defenders/{reg.team.code}").status_code == 401
    assert _session(coordinator).get(f"{API}/defenders").json()["count"] == 2
