"""Sign-in pages: password then TOTP, enrolment, lockout, sign-out, timeouts and API tokens."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.accounts.models import ApiToken
from amparo.accounts.services import api_token_create, totp_device_reset
from amparo.audit.models import AuditEvent
from amparo.tests.helpers import PASSWORD, assert_no_inline_script, logged_in

LOGIN = "/accounts/login/"
VERIFY = "/accounts/verify/"
ENROL = "/accounts/enrol/"


def code_for(device: TOTPDevice) -> str:
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return f"{value:0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 10**device.digits:0{device.digits}d}"


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_login_page(officer):
    response = Client().get(LOGIN)
    assert response.status_code == 200
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert_no_inline_script(response.content.decode())


@pytest.mark.django_db
def test_password_then_totp(officer):
    client = Client()
    response = client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert "_auth_user_id" not in client.session  # nobody is signed in before the second factor
    assert not is_signed_in(client)
    device = TOTPDevice.objects.get(user=officer)
    response = client.post(VERIFY, {"otp_token": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_signed_in(client)
    assert client.session["auth_at"] <= time.time()
    assert "last_seen" in client.session
    event = AuditEvent.objects.filter(action="auth.login").get()
    assert event.actor_id == officer.pk


@pytest.mark.django_db
def test_session_key_changes_at_each_step(officer):
    client = Client()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    middle = client.session.session_key
    client.post(VERIFY, {"otp_token": code_for(TOTPDevice.objects.get(user=officer))})
    after = client.session.session_key
    assert len({before, middle, after}) == 3


@pytest.mark.django_db
def test_wrong_password_and_unknown_user_answer_identically(officer):
    # Same length usernames, so the only difference would be the answer itself.
    wrong_password = Client().post(LOGIN, {"username": "officer", "password": "not it at all"})
    unknown_user = Client().post(LOGIN, {"username": "nobody1", "password": "not it at all"})
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert without_csrf(unknown_user.content.decode()).replace("nobody1", "officer") == (
        without_csrf(wrong_password.content.decode())
    )
    assert "The username or password is not correct." in unknown_user.content.decode()


@pytest.mark.django_db
def test_failed_logins_are_audited_without_the_typed_username(officer):
    Client().post(LOGIN, {"username": "officer", "password": "not it at all"})
    Client().post(LOGIN, {"username": "ghost-account", "password": "not it at all"})
    known, unknown = AuditEvent.objects.filter(action="auth.login_failed").order_by("seq")
    assert known.actor_id == officer.pk and known.actor_label == "officer"
    assert unknown.actor_id is None and unknown.actor_label == "anonymous"
    for event in AuditEvent.objects.all():
        assert "ghost-account" not in repr(
            (event.actor_label, event.object_id, event.fields, event.detail)
        )


@pytest.mark.django_db
def test_lockout_after_the_configured_failures(officer):
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert client.post(LOGIN, {"username": "officer", "password": "wrong"}).status_code == 200
    assert client.post(LOGIN, {"username": "officer", "password": "wrong"}).status_code == 429
    locked = client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert PASSWORD not in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_is_per_username(officer, coordinator):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "officer", "password": "wrong"})
    response = client.post(LOGIN, {"username": "coordinator", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_wrong_totp_code(officer):
    client = Client()
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    device = TOTPDevice.objects.get(user=officer)
    response = client.post(VERIFY, {"otp_token": wrong_code_for(device)})
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert not is_signed_in(client)
    event = AuditEvent.objects.get(action="auth.otp_failed")
    assert event.actor_id == officer.pk
    assert not AuditEvent.objects.filter(action="auth.login").exists()


@pytest.mark.django_db
def test_verify_without_password_step_goes_back_to_login(officer):
    response = Client().post(VERIFY, {"otp_token": "123456"})
    assert response.status_code == 302
    assert response["Location"] == LOGIN


@pytest.mark.django_db
def test_password_step_expires(officer):
    client = Client()
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    session = client.session
    session["amparo_pending_at"] = time.time() - 3600
    session.save()
    device = TOTPDevice.objects.get(user=officer)
    response = client.post(VERIFY, {"otp_token": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_next_is_followed_when_safe(officer):
    client = Client()
    response = client.get(reverse("registry:defender_list"))
    assert response["Location"] == f"{LOGIN}?next=/defenders/"
    client.post(LOGIN, {"username": "officer", "password": PASSWORD, "next": "/defenders/"})
    response = client.post(VERIFY, {"otp_token": code_for(TOTPDevice.objects.get(user=officer))})
    assert response["Location"] == "/defenders/"


@pytest.mark.django_db
def test_next_to_another_site_is_ignored(officer):
    client = Client()
    client.post(
        LOGIN, {"username": "officer", "password": PASSWORD, "next": "https://evil.example/phish"}
    )
    response = client.post(VERIFY, {"otp_token": code_for(TOTPDevice.objects.get(user=officer))})
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_enrolment_after_reset(system, officer):
    device = totp_device_reset(actor=system, user=officer)
    client = Client()
    response = client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    assert response["Location"] == ENROL
    assert client.get(VERIFY)["Location"] == ENROL
    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert_no_inline_script(html)
    import base64

    assert base64.b32encode(device.bin_key).decode().rstrip("=") in html
    response = client.post(ENROL, {"otp_token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert is_signed_in(client)
    assert AuditEvent.objects.filter(action="user.totp_enrol", actor_id=officer.pk).exists()


@pytest.mark.django_db
def test_enrol_is_refused_when_a_device_is_confirmed(officer):
    client = Client()
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    response = client.get(ENROL)
    assert response.status_code == 302
    assert response["Location"] == VERIFY


@pytest.mark.django_db
def test_enrol_without_any_device(officer):
    TOTPDevice.objects.filter(user=officer).delete()
    client = Client()
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    assert client.get(ENROL).status_code == 403
    assert not TOTPDevice.objects.filter(user=officer).exists()


@pytest.mark.django_db
def test_logout_is_post_only(officer):
    client = logged_in(officer)
    assert client.get("/accounts/logout/").status_code == 405
    assert is_signed_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not is_signed_in(client)
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=officer.pk).exists()


@pytest.mark.django_db
def test_idle_session_times_out(officer):
    client = logged_in(officer)
    session = client.session
    session["last_seen"] = time.time() - settings.AMPARO_SESSION_IDLE_SECONDS - 60
    session["auth_at"] = time.time() - settings.AMPARO_SESSION_IDLE_SECONDS - 60
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    login_page = client.get(response["Location"]).content.decode()
    assert "Your session timed out" in login_page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["coordinator", "officer", "analyst", "auditor", "admin_user", "liaison"]
)
def test_home_for_every_role(request, persona):
    response = logged_in(request.getfixturevalue(persona)).get(reverse("home"))
    assert response.status_code == 200
    assert_no_inline_script(response.content.decode())


@pytest.mark.django_db
def test_api_tokens_page(officer, coordinator):
    client = logged_in(officer)
    assert client.get("/accounts/tokens/").status_code == 200
    response = client.post("/accounts/tokens/", {"name": "spreadsheet", "expires_in_days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=officer)
    raw = re.search(r"(amp_[A-Za-z0-9_-]+)", response.content.decode()).group(1)
    assert raw.startswith(token.hint)
    assert raw not in client.get("/accounts/tokens/").content.decode()  # shown once
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="token.revoke", actor_id=officer.pk).count() == 1


@pytest.mark.django_db
def test_someone_elses_token_is_not_found(officer, coordinator):
    token, _raw = api_token_create(actor=coordinator, name="theirs")
    response = logged_in(officer).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_tokens_page_needs_a_verified_session(officer):
    client = Client()
    client.force_login(officer)
    assert client.get("/accounts/tokens/").status_code == 302


@pytest.mark.django_db
def test_guessing_codes_locks_out_too(officer):
    client = Client()
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    device = TOTPDevice.objects.get(user=officer)
    statuses = [
        client.post(VERIFY, {"otp_token": wrong_code_for(device)}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert (
        AuditEvent.objects.filter(action="auth.otp_failed").count() == settings.AXES_FAILURE_LIMIT
    )
    again = Client().post(LOGIN, {"username": "officer", "password": PASSWORD})
    assert again.status_code == 429
    assert not is_signed_in(client)
