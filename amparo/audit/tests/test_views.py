"""The auditor's pages: who read a defender's file, and whether the chain is intact."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from amparo.audit.chain import VerifyResult
from amparo.registry.services import DefenderData, defender_register
from amparo.tests.helpers import assert_no_inline_script, logged_in

NAME = "Tomás Pérez Gutiérrez"


@pytest.fixture
def defender(officer):
    return defender_register(
        actor=officer,
        data=DefenderData(
            name=NAME,
            country="CO",
            categories=["land_environment"],
            contacts={"phone": "+57 310 555 0101"},
        ),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("auditor", 200),
        ("coordinator", 403),
        ("officer", 403),
        ("analyst", 403),
        ("liaison", 403),
        ("admin_user", 403),
    ],
)
def test_audit_pages_are_for_auditors(request, persona, status):
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(reverse("audit:event_list")).status_code == status
    assert client.get(reverse("audit:verify")).status_code == status


@pytest.mark.django_db
def test_anonymous_goes_to_login():
    response = Client().get(reverse("audit:event_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_who_read_the_file(auditor, coordinator, officer, other_officer, defender):
    """Journey 8: every read of one defender's record, by whom, and nothing sensitive."""
    url = reverse("registry:defender_detail", args=[defender.code])
    logged_in(officer).get(url)
    logged_in(coordinator).get(url)
    logged_in(other_officer).get(url)  # not on the case: 404, and no read happened
    response = logged_in(auditor).get(
        reverse("audit:event_list"), {"subject": defender.code, "action": "defender.read"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 events" in html
    assert ">officer <" in html and ">coordinator <" in html
    assert "other_officer" not in html
    assert NAME not in html and "555" not in html
    assert_no_inline_script(html)


@pytest.mark.django_db
def test_filter_by_actor_and_date(auditor, officer, defender):
    client = logged_in(auditor)
    html = client.get(reverse("audit:event_list"), {"actor": "officer"}).content.decode()
    assert "defender.create" in html
    html = client.get(reverse("audit:event_list"), {"actor": "nobody-at-all"}).content.decode()
    assert "0 events" in html
    html = client.get(
        reverse("audit:event_list"), {"since": "2000-01-01", "until": "2000-01-31"}
    ).content.decode()
    assert "0 events" in html


@pytest.mark.django_db
def test_invalid_filter_shows_nothing(auditor, defender):
    response = logged_in(auditor).get(reverse("audit:event_list"), {"subject": "a b'c"})
    assert response.status_code == 200
    assert "0 events" in response.content.decode()


@pytest.mark.django_db
def test_verify_intact_chain(auditor, defender):
    response = logged_in(auditor).get(reverse("audit:verify"))
    assert response.status_code == 200
    assert "The chain is intact." in response.content.decode()


@pytest.mark.django_db
def test_verify_reports_the_first_bad_event(monkeypatch, auditor):
    broken = VerifyResult(False, 41, 41, "ab" * 32, 42, "its content does not match its hash")
    monkeypatch.setattr("amparo.audit.views.audit_verify", lambda: broken)
    html = logged_in(auditor).get(reverse("audit:verify")).content.decode()
    assert "The chain is broken." in html
    assert "#42" in html and "its content does not match its hash" in html
