"""The admin site: configuration only, admin role only, behind the second factor, audited."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.accounts.models import Entity
from amparo.audit.models import AuditEvent


def _login(client, user, *, verified=True):
    client.force_login(user)
    if verified:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
        session.save()


@pytest.mark.django_db
def test_admin_changes_an_entity_through_the_audited_service(client, admin_user, entity):
    _login(client, admin_user)
    before = AuditEvent.objects.count()
    response = client.post(
        f"/admin/accounts/entity/{entity.pk}/change/",
        {"name": "Protection Desk (Cauca)", "kind": "ngo", "country": "CO"},
    )
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.name == "Protection Desk (Cauca)"
    events = list(AuditEvent.objects.filter(seq__gt=before).values_list("action", "fields"))
    assert events == [("entity.update", ["name"])]


@pytest.mark.django_db
def test_admin_without_second_factor_is_sent_to_login(client, admin_user, entity):
    _login(client, admin_user, verified=False)
    response = client.get("/admin/accounts/entity/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_other_roles_cannot_use_the_admin(client, coordinator, entity):
    _login(client, coordinator)
    before = AuditEvent.objects.count()
    response = client.post(
        f"/admin/accounts/entity/{entity.pk}/change/",
        {"name": "Renamed", "kind": "ngo", "country": "CO"},
    )
    assert response.status_code == 302
    assert Entity.objects.get(pk=entity.pk).name == "Protection Desk"
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/registry/defender/",
        "/admin/incidents/incident/",
        "/admin/audit/auditevent/",
        "/admin/core/datakey/",
    ],
)
def test_admin_holds_no_case_content(client, admin_user, path):
    _login(client, admin_user)
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_admin_deactivates_a_user_and_revokes_their_tokens(client, admin_user, officer):
    from amparo.accounts.models import ApiToken
    from amparo.accounts.services import api_token_create

    api_token_create(actor=officer, name="laptop")
    _login(client, admin_user)
    response = client.post(
        f"/admin/accounts/user/{officer.pk}/change/",
        {"role": "case_officer", "entity": officer.entity_id, "is_active": ""},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_active is False
    assert ApiToken.objects.get(user=officer).revoked_at is not None
    assert (
        AuditEvent.objects.filter(action="user.deactivate", object_id=str(officer.pk)).count() == 1
    )


@pytest.mark.django_db
def test_admin_sets_an_entitys_review_intervals_through_the_service(client, admin_user, entity):
    from amparo.risk.models import ReviewPolicy

    _login(client, admin_user)
    values = {
        "entity": entity.pk,
        "extreme_days": 15,
        "high_days": 60,
        "medium_days": 180,
        "low_days": 365,
        "urgent_decide_hours": 2,
        "urgent_in_place_hours": 8,
        "ordinary_study_days": 20,
        "reevaluation_days": 5,
    }
    response = client.post("/admin/risk/reviewpolicy/add/", values)
    assert response.status_code == 302
    policy = ReviewPolicy.objects.get(entity=entity)
    assert (policy.extreme_days, policy.urgent_decide_hours, policy.reevaluation_days) == (15, 2, 5)
    event = AuditEvent.objects.get(action="review_policy.update")
    assert sorted(event.fields) == sorted(
        [
            "extreme_days",
            "high_days",
            "urgent_decide_hours",
            "urgent_in_place_hours",
            "ordinary_study_days",
            "reevaluation_days",
        ]
    )
