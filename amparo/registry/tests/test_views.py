"""Registry pages, persona by persona: exact status codes, no identities where they must not
be, denied writes that leave nothing behind, and search terms that never reach a URL."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from amparo.accounts.models import Role
from amparo.audit.models import AuditEvent
from amparo.registry.models import CaseMember, Defender, Organisation, Person
from amparo.registry.services import (
    DefenderData,
    case_set_restricted,
    defender_register,
    defender_shred,
)
from amparo.tests.helpers import assert_no_inline_script, logged_in

NAME = "Tomás Pérez Gutiérrez"
PHONE = "+57 310 555 0101"


@pytest.fixture
def defender(officer):
    """Registered by the officer, who is therefore on the case team."""
    data = DefenderData(
        name=NAME,
        alias="El Profe",
        country="CO",
        subdivision="CO-CAU",
        categories=["land_environment"],
        locality="Suárez",
        contacts={"phone": PHONE},
        consent_register=True,
    )
    return defender_register(actor=officer, data=data)


def detail_url(defender):
    return reverse("registry:defender_detail", args=[defender.code])


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def valid_registration(**overrides):
    data = {
        "name": "Ana María Restrepo",
        "alias": "",
        "gender": "woman",
        "birth_year": "1984",
        "categories": ["journalist", "women_rights"],
        "country": "CO",
        "subdivision": "CO-ANT",
        "locality": "Medellín",
        "phone": "+57 300 111 2222",
        "email": "",
        "signal": "",
        "status": "active",
        "consent_register": "on",
    }
    data.update(overrides)
    return data


# --- who may open the pages -------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(defender):
    for url in (
        reverse("registry:defender_list"),
        detail_url(defender),
        reverse("registry:defender_create"),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_unverified_session_is_sent_to_login(officer, defender):
    client = Client()
    client.force_login(officer)  # password only: no second factor in this session
    response = client.get(detail_url(defender))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("officer", 200),
        ("other_officer", 200),
        ("analyst", 200),
        ("foreign_coordinator", 200),
        ("liaison", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_list_status_by_persona(request, defender, persona, status):
    response = logged_in(request.getfixturevalue(persona)).get(reverse("registry:defender_list"))
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("officer", 200),
        ("other_officer", 404),
        ("analyst", 200),
        ("foreign_coordinator", 404),
        ("liaison", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_detail_status_by_persona(request, defender, persona, status):
    response = logged_in(request.getfixturevalue(persona)).get(detail_url(defender))
    assert response.status_code == status


@pytest.mark.django_db
def test_list_shows_only_visible_defenders(officer, other_officer, defender):
    seen = logged_in(officer).get(reverse("registry:defender_list")).content.decode()
    unseen = logged_in(other_officer).get(reverse("registry:defender_list")).content.decode()
    assert defender.code in seen and NAME in seen
    assert defender.code not in unseen and NAME not in unseen


@pytest.mark.django_db
def test_analyst_sees_codes_never_identities(analyst, defender):
    client = logged_in(analyst)
    for url in (reverse("registry:defender_list"), detail_url(defender)):
        html = client.get(url).content.decode()
        assert defender.code in html
        for secret in (NAME, "El Profe", "Suárez", PHONE):
            assert secret not in html
    assert not AuditEvent.objects.filter(action="defender.read", actor_id=analyst.pk).exists()


@pytest.mark.django_db
def test_detail_shows_identity_and_records_the_read(officer, defender):
    before = AuditEvent.objects.filter(action="defender.read").count()
    response = logged_in(officer).get(detail_url(defender))
    html = response.content.decode()
    assert NAME in html and PHONE in html and "Suárez" in html
    assert NAME not in title_of(html)
    assert defender.code in title_of(html)
    events = AuditEvent.objects.filter(action="defender.read").order_by("seq")
    assert events.count() == before + 1
    assert events.last().actor_id == officer.pk
    assert events.last().object_id == str(defender.pk)
    assert events.last().detail == {"via": "page"}


@pytest.mark.django_db
def test_restricted_case_is_invisible_outside_its_team(
    system, coordinator, officer, analyst, defender
):
    case_set_restricted(actor=system, case=defender.case, restricted=True)
    assert logged_in(coordinator).get(detail_url(defender)).status_code == 404
    assert logged_in(analyst).get(detail_url(defender)).status_code == 404
    assert logged_in(officer).get(detail_url(defender)).status_code == 200
    html = logged_in(coordinator).get(reverse("registry:defender_list")).content.decode()
    assert defender.code not in html


@pytest.mark.django_db
def test_shredded_defender_shows_a_stub(coordinator, defender):
    defender_shred(actor=coordinator, defender=defender)
    response = logged_in(coordinator).get(detail_url(defender))
    assert response.status_code == 200
    html = response.content.decode()
    assert "erased" in html
    assert NAME not in html


# --- search -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_by_exact_name_is_posted_and_never_in_a_url(officer, defender):
    client = logged_in(officer)
    page = client.get(reverse("registry:defender_list")).content.decode()
    assert re.search(r'<form method="post" action="/defenders/" class="search"', page)
    response = client.post(reverse("registry:defender_list"), {"q": "tomas perez gutierrez"})
    assert response.status_code == 200
    html = response.content.decode()
    assert defender.code in html and NAME in html
    assert response.request["PATH_INFO"] == "/defenders/"
    assert response.request["QUERY_STRING"] == ""
    # No link on the results page carries the search term.
    for href in re.findall(r'href="([^"]*)"', html):
        assert "tomas" not in href.lower() and "perez" not in href.lower()
    assert AuditEvent.objects.filter(action="defender.read", detail={"via": "search"}).exists()


@pytest.mark.django_db
def test_search_by_phone_and_by_code(officer, defender):
    client = logged_in(officer)
    by_phone = client.post(reverse("registry:defender_list"), {"q": "573105550101"})
    assert defender.code in by_phone.content.decode()
    by_code = client.post(reverse("registry:defender_list"), {"q": defender.code})
    assert defender.code in by_code.content.decode()


@pytest.mark.django_db
def test_search_in_the_query_string_is_ignored(officer, defender):
    html = logged_in(officer).get(reverse("registry:defender_list"), {"q": NAME}).content.decode()
    assert "Search results" not in html


@pytest.mark.django_db
def test_search_finds_nothing_outside_scope(other_officer, analyst, defender):
    html = (
        logged_in(other_officer)
        .post(reverse("registry:defender_list"), {"q": NAME})
        .content.decode()
    )
    assert defender.code not in html
    html = logged_in(analyst).post(reverse("registry:defender_list"), {"q": NAME}).content.decode()
    assert defender.code not in html


@pytest.mark.django_db
def test_filters_use_codes_in_the_query_string(officer, defender):
    client = logged_in(officer)
    url = reverse("registry:defender_list")
    assert defender.code in client.get(url, {"country": "CO"}).content.decode()
    assert defender.code in client.get(url, {"category": "land_environment"}).content.decode()
    assert defender.code not in client.get(url, {"category": "journalist"}).content.decode()
    assert defender.code not in client.get(url, {"subdivision": "CO-ANT"}).content.decode()
    assert defender.code not in client.get(url, {"status": "relocated"}).content.decode()


@pytest.mark.django_db
def test_list_is_paginated(settings, officer):
    settings.AMPARO_PAGE_SIZE = 2
    for n in range(3):
        defender_register(
            actor=officer,
            data=DefenderData(name=f"Person {n}", country="CO", categories=["journalist"]),
        )
    client = logged_in(officer)
    first = client.get(reverse("registry:defender_list")).content.decode()
    second = client.get(reverse("registry:defender_list"), {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count('class="code" href="/defenders/HRD-') == 2
    assert second.count('class="code" href="/defenders/HRD-') == 1


# --- registration -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_register_a_defender(officer):
    client = logged_in(officer)
    assert client.get(reverse("registry:defender_create")).status_code == 200
    response = client.post(reverse("registry:defender_create"), valid_registration())
    defender = Defender.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(defender)
    assert defender.name == "Ana María Restrepo"
    assert defender.category_codes == ["journalist", "women_rights"]
    assert defender.subdivision == "CO-ANT"
    assert defender.contacts == {"phone": "+57 300 111 2222"}
    assert CaseMember.objects.filter(case=defender.case, user=officer).exists()
    assert (
        AuditEvent.objects.filter(action="defender.create", object_id=str(defender.pk)).count() == 1
    )


@pytest.mark.django_db
def test_bad_form_keeps_what_was_typed(officer):
    response = logged_in(officer).post(
        reverse("registry:defender_create"), valid_registration(categories=[], locality="Bello")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Ana María Restrepo"' in html
    assert 'value="Bello"' in html
    assert "errorlist" in html
    assert Defender.objects.count() == 0


@pytest.mark.django_db
def test_subdivision_of_another_country_is_refused(officer):
    response = logged_in(officer).post(
        reverse("registry:defender_create"), valid_registration(subdivision="MX-CHP")
    )
    assert response.status_code == 200
    assert Defender.objects.count() == 0
    assert '<option value="CO-ANT">' in response.content.decode()


@pytest.mark.django_db
def test_duplicate_warning_then_register_anyway(officer, defender):
    client = logged_in(officer)
    again = valid_registration(name="TOMAS PEREZ GUTIERREZ", phone="")
    response = client.post(reverse("registry:defender_create"), again)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Possible duplicates" in html and defender.code in html
    assert 'name="register_anyway"' in html
    assert Defender.objects.count() == 1
    response = client.post(reverse("registry:defender_create"), {**again, "register_anyway": "on"})
    assert response.status_code == 302
    assert Defender.objects.count() == 2


@pytest.mark.django_db
def test_analyst_may_not_register(analyst):
    client = logged_in(analyst)
    events = AuditEvent.objects.count()
    assert client.get(reverse("registry:defender_create")).status_code == 403
    assert client.post(reverse("registry:defender_create"), valid_registration()).status_code == 403
    assert Defender.objects.count() == 0
    assert AuditEvent.objects.count() == events


# --- editing, case team, restriction, relatives --------------------------------------------


@pytest.mark.django_db
def test_edit_prefills_and_saves(officer, defender):
    client = logged_in(officer)
    url = reverse("registry:defender_edit", args=[defender.code])
    html = client.get(url).content.decode()
    assert f'value="{NAME}"' in html
    response = client.post(
        url, valid_registration(name=NAME, status="relocated", categories=["land_environment"])
    )
    assert response.status_code == 302
    defender.refresh_from_db()
    assert defender.status == "relocated"
    assert defender.contacts == {"phone": "+57 300 111 2222"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"), [("analyst", 403), ("other_officer", 404), ("auditor", 403)]
)
def test_edit_denied(request, defender, persona, status):
    client = logged_in(request.getfixturevalue(persona))
    url = reverse("registry:defender_edit", args=[defender.code])
    events = AuditEvent.objects.count()
    assert client.get(url).status_code == status
    assert client.post(url, valid_registration(status="deceased")).status_code == status
    defender.refresh_from_db()
    assert defender.status == "active"
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_coordinator_sets_the_team(coordinator, officer, other_officer, defender):
    client = logged_in(coordinator)
    html = client.get(detail_url(defender)).content.decode()
    assert "Save the team" in html
    response = client.post(
        reverse("registry:defender_team", args=[defender.code]),
        {"members": [officer.pk, other_officer.pk]},
    )
    assert response.status_code == 302
    assert set(CaseMember.objects.filter(case=defender.case).values_list("user_id", flat=True)) == {
        officer.pk,
        other_officer.pk,
    }
    assert logged_in(other_officer).get(detail_url(defender)).status_code == 200
    assert AuditEvent.objects.filter(action="case.team").count() == 1


@pytest.mark.django_db
def test_officer_may_not_set_the_team(officer, other_officer, defender):
    client = logged_in(officer)
    assert "Save the team" not in client.get(detail_url(defender)).content.decode()
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("registry:defender_team", args=[defender.code]),
        {"members": [officer.pk, other_officer.pk]},
    )
    assert response.status_code == 403
    assert not CaseMember.objects.filter(user=other_officer).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_team_member_from_another_entity_is_refused(coordinator, foreign_coordinator, defender):
    response = logged_in(coordinator).post(
        reverse("registry:defender_team", args=[defender.code]),
        {"members": [foreign_coordinator.pk]},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not CaseMember.objects.filter(user=foreign_coordinator).exists()


@pytest.mark.django_db
def test_coordinator_restricts_the_case(coordinator, analyst, defender):
    client = logged_in(coordinator)
    url = reverse("registry:defender_restricted", args=[defender.code])
    assert client.post(url, {"restricted": "on"}).status_code == 302
    defender.case.refresh_from_db()
    assert defender.case.restricted is True
    assert client.get(detail_url(defender)).status_code == 200  # the restrictor joins the team
    assert logged_in(analyst).get(detail_url(defender)).status_code == 404
    assert client.post(url, {}).status_code == 302
    defender.case.refresh_from_db()
    assert defender.case.restricted is False


@pytest.mark.django_db
def test_officer_may_not_restrict(officer, defender):
    events = AuditEvent.objects.count()
    response = logged_in(officer).post(
        reverse("registry:defender_restricted", args=[defender.code]), {"restricted": "on"}
    )
    assert response.status_code == 403
    defender.case.refresh_from_db()
    assert defender.case.restricted is False
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_add_a_relative(officer, analyst, defender):
    url = reverse("registry:person_create", args=[defender.code])
    response = logged_in(officer).post(
        url,
        {
            "relative-name": "Lucía Pérez",
            "relative-relation": "child",
            "relative-country": "CO",
            "relative-subdivision": "",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.name == "Lucía Pérez"
    assert "Lucía Pérez" in logged_in(officer).get(detail_url(defender)).content.decode()
    analyst_html = logged_in(analyst).get(detail_url(defender)).content.decode()
    assert person.external_id in analyst_html and "Lucía Pérez" not in analyst_html


@pytest.mark.django_db
def test_relative_form_errors_keep_input_and_analyst_is_refused(officer, analyst, defender):
    url = reverse("registry:person_create", args=[defender.code])
    response = logged_in(officer).post(
        url, {"relative-name": "Lucía Pérez", "relative-relation": "cousin"}
    )
    assert response.status_code == 200
    assert 'value="Lucía Pérez"' in response.content.decode()
    events = AuditEvent.objects.count()
    response = logged_in(analyst).post(url, {"relative-name": "X", "relative-relation": "child"})
    assert response.status_code == 403
    assert Person.objects.count() == 0
    assert AuditEvent.objects.count() == events


# --- organisations and the subdivision helper --------------------------------------------------


@pytest.mark.django_db
def test_organisations_list_and_create(officer, analyst, auditor):
    client = logged_in(officer)
    assert client.get(reverse("registry:organisation_list")).status_code == 200
    response = client.post(
        reverse("registry:organisation_create"),
        {
            "name": "Vereda La Esperanza",
            "kind": "community",
            "country": "CO",
            "subdivision": "CO-CAU",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.name == ""  # a community's name is sealed
    assert (
        "Vereda La Esperanza" in client.get(reverse("registry:organisation_list")).content.decode()
    )
    analyst_html = logged_in(analyst).get(reverse("registry:organisation_list")).content.decode()
    assert "Vereda La Esperanza" not in analyst_html
    assert organisation.external_id in analyst_html
    assert logged_in(analyst).get(reverse("registry:organisation_create")).status_code == 403
    assert logged_in(auditor).get(reverse("registry:organisation_list")).status_code == 403


@pytest.mark.django_db
def test_subdivision_options(officer):
    response = logged_in(officer).get(reverse("registry:subdivisions"), {"country": "CO"})
    assert response.status_code == 200
    assert '<option value="CO-CAU">Cauca</option>' in response.content.decode()
    empty = logged_in(officer).get(reverse("registry:subdivisions"), {"country": "ZZ"})
    assert '<option value="CO-' not in empty.content.decode()


# --- page hygiene -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_have_csp_and_no_inline_script(officer, defender):
    client = logged_in(officer)
    for url in (
        reverse("home"),
        reverse("registry:defender_list"),
        detail_url(defender),
        reverse("registry:defender_create"),
        reverse("registry:defender_edit", args=[defender.code]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        csp = response["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert response["Cache-Control"] == "no-store"
        html = response.content.decode()
        assert_no_inline_script(html)
        assert NAME not in title_of(html)
        assert "/static/django_htmx/htmx-2.min.js" in html


@pytest.mark.django_db
def test_role_of_the_user_is_in_the_header(coordinator):
    html = logged_in(coordinator).get(reverse("registry:defender_list")).content.decode()
    assert "coordinator" in html and "Protection Desk" in html
    assert str(Role.COORDINATOR.label) in html


@pytest.mark.django_db
def test_subdivision_options_for_a_prefixed_select(officer):
    response = logged_in(officer).get(reverse("registry:subdivisions"), {"relative-country": "GT"})
    assert '<option value="GT-' in response.content.decode()


@pytest.mark.django_db
def test_home_search_posts_to_the_list(officer, defender):
    html = logged_in(officer).get(reverse("home")).content.decode()
    assert '<form method="post" action="/defenders/" class="search"' in html


@pytest.mark.django_db
def test_analyst_searches_by_code(analyst, defender):
    client = logged_in(analyst)
    assert "Defender code" in client.get(reverse("registry:defender_list")).content.decode()
    html = client.post(reverse("registry:defender_list"), {"q": defender.code}).content.decode()
    assert defender.code in html and NAME not in html
