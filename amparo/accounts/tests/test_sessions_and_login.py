"""Sessions end when they should (timeouts, sign-out, deactivation); sign-in refuses replayed
codes and floods before hashing, by pair, address and username, without locking others out."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterator
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.accounts.hashers import FastArgon2PasswordHasher
from amparo.accounts.models import ApiToken, User
from amparo.accounts.services import api_token_create, user_deactivate
from amparo.accounts.tests.test_views import LOGIN, VERIFY, code_for, is_signed_in
from amparo.accounts.views import client_address
from amparo.audit.models import AuditEvent
from amparo.tests.helpers import PASSWORD, login

SESSION_COOKIE = settings.SESSION_COOKIE_NAME
CSRF_TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def signed_in(user: User, address: str = "127.0.0.1") -> Client:
    """A client that went through both steps, as a person would."""
    client = Client(REMOTE_ADDR=address)
    assert client.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 302
    device = TOTPDevice.objects.get(user=user)
    assert client.post(VERIFY, {"otp_token": code_for(device)}).status_code == 302
    assert is_signed_in(client)
    return client


def without_tokens(page: bytes) -> str:
    return CSRF_TOKEN.sub("", page.decode())


def wrong_password(username: str, address: str) -> int:
    answer = Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": "wrong"})
    return answer.status_code


def later(seconds: int = 60) -> None:
    """Let time pass for the failures recorded so far (past any back-off of a few seconds)."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - datetime.timedelta(seconds=seconds)
    )


def failing(username: str, address: str, times: int) -> list[int]:
    """Wrong passwords at a person's pace (a minute apart)."""
    statuses = []
    for _ in range(times):
        statuses.append(wrong_password(username, address))
        later()
    return statuses


@pytest.fixture
def hashes() -> Iterator[list[str]]:
    """Every password hashing the sign-in does: verify (known user) or encode (unknown user)."""
    calls: list[str] = []
    verify, encode = FastArgon2PasswordHasher.verify, FastArgon2PasswordHasher.encode

    def counted_verify(self, password, encoded):  # type: ignore[no-untyped-def]
        calls.append("verify")
        return verify(self, password, encoded)

    def counted_encode(self, password, salt):  # type: ignore[no-untyped-def]
        calls.append("encode")
        return encode(self, password, salt)

    with (
        mock.patch.object(FastArgon2PasswordHasher, "verify", counted_verify),
        mock.patch.object(FastArgon2PasswordHasher, "encode", counted_encode),
    ):
        yield calls


# --- Timeouts, sign-out, rotation ---------------------------------------------------------------


@pytest.mark.django_db
def test_idle_timeout_by_the_clock(officer):
    client = signed_in(officer)
    start = time.time()
    with mock.patch("time.time", return_value=start + settings.AMPARO_SESSION_IDLE_SECONDS - 90):
        assert client.get(reverse("home")).status_code == 200
    idle = start + 2 * settings.AMPARO_SESSION_IDLE_SECONDS
    with mock.patch("time.time", return_value=idle):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_absolute_timeout_despite_activity(officer):
    client = signed_in(officer)
    start, step = time.time(), settings.AMPARO_SESSION_IDLE_SECONDS // 2
    # Active every half idle period, for the whole lifetime and one minute past it.
    moments = [start + n * step for n in range(1, settings.SESSION_COOKIE_AGE // step)]
    moments.append(start + settings.SESSION_COOKIE_AGE + 60)
    statuses = []
    for moment in moments:
        with mock.patch("time.time", return_value=moment):
            statuses.append(client.get(reverse("home")).status_code)
    assert statuses == [200] * (len(moments) - 1) + [302]
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_logout_deletes_the_session_on_the_server(officer):
    client = signed_in(officer)
    key = client.cookies[SESSION_COOKIE].value
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[SESSION_COOKIE] = key
    assert not is_signed_in(replay)


@pytest.mark.django_db
def test_sign_in_never_keeps_the_session_key_it_started_with(officer):
    client = Client()
    client.get(LOGIN)
    client.session.save()
    planted = client.session.session_key
    client.post(LOGIN, {"username": "officer", "password": PASSWORD})
    client.post(VERIFY, {"otp_token": code_for(TOTPDevice.objects.get(user=officer))})
    assert is_signed_in(client)
    assert client.session.session_key != planted
    assert not Session.objects.filter(session_key=planted).exists()


# --- Deactivation -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deactivation_ends_every_session_of_that_user_and_only_theirs(system, officer, coordinator):
    # One code signs in once (see the replay test): the other sessions are made directly.
    laptop, phone, colleague = signed_in(officer), login(Client(), officer), signed_in(coordinator)
    api_token_create(actor=officer, name="laptop")
    api_token_create(actor=coordinator, name="theirs")
    user_deactivate(actor=system, user=officer)
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert is_signed_in(colleague)
    mine = [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
    assert [s.get_decoded()["_auth_user_id"] for s in mine] == [str(coordinator.pk)]
    assert ApiToken.objects.get(user=coordinator).revoked_at is None
    event = AuditEvent.objects.get(action="user.deactivate")
    assert event.object_id == str(officer.pk)
    assert event.detail == {"sessions_ended": 2, "tokens_revoked": 1}


@pytest.mark.django_db
def test_admin_action_deactivates_and_ends_sessions(admin_user, officer, coordinator):
    officer_client, colleague = signed_in(officer), signed_in(coordinator)
    admin = login(Client(), admin_user)
    response = admin.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [officer.pk]}
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_active is False
    assert not is_signed_in(officer_client)
    assert is_signed_in(colleague)
    assert AuditEvent.objects.filter(action="user.deactivate").count() == 1


@pytest.mark.django_db
def test_a_user_made_inactive_outside_the_services_cannot_use_a_session(officer):
    client = signed_in(officer)
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert not is_signed_in(client)


# --- Second factor ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_code_used_for_one_sign_in_is_refused_for_the_next(officer):
    device = TOTPDevice.objects.get(user=officer)
    code = code_for(device)
    first = Client()
    first.post(LOGIN, {"username": "officer", "password": PASSWORD})
    assert first.post(VERIFY, {"otp_token": code}).status_code == 302
    second = Client()
    assert second.post(LOGIN, {"username": "officer", "password": PASSWORD}).status_code == 302
    replay = second.post(VERIFY, {"otp_token": code})
    assert replay.status_code == 200
    assert "That code is not valid." in replay.content.decode()
    assert not is_signed_in(second)
    assert AuditEvent.objects.filter(action="auth.login").count() == 1
    assert AuditEvent.objects.filter(action="auth.otp_failed").count() == 1


# --- Client address -----------------------------------------------------------------------------


def test_x_forwarded_for_is_ignored_unless_proxies_are_configured(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4"
    )
    assert client_address(request) == "192.0.2.1"
    settings.AMPARO_TRUSTED_PROXIES = 1
    assert client_address(request) == "198.51.100.4"
    settings.AMPARO_TRUSTED_PROXIES = 2
    assert client_address(request) == "203.0.113.9"
    settings.AMPARO_TRUSTED_PROXIES = 3
    assert client_address(request) == "192.0.2.1"
    forged = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="me, you")
    settings.AMPARO_TRUSTED_PROXIES = 1
    assert client_address(forged) == "192.0.2.1"


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_escape_the_lockout(officer):
    statuses = [
        Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        .post(LOGIN, {"username": "officer", "password": "wrong"})
        .status_code
        for n in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429, 429]


# --- Refused before hashing ---------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_and_known_usernames_cost_one_hash_each(officer, hashes):
    assert wrong_password("officer", "192.0.2.1") == 200
    assert hashes == ["verify"]
    assert wrong_password("nobody1", "192.0.2.1") == 200
    assert hashes == ["verify", "encode"]


@pytest.mark.django_db
def test_a_locked_pair_is_refused_before_hashing_known_or_not(officer, hashes):
    for username in ("officer", "nobody1"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            wrong_password(username, "192.0.2.1")
    hashed = len(hashes)
    assert hashed == 2 * settings.AXES_FAILURE_LIMIT
    known = Client(REMOTE_ADDR="192.0.2.1").post(LOGIN, {"username": "officer", "password": "x"})
    unknown = Client(REMOTE_ADDR="192.0.2.1").post(LOGIN, {"username": "nobody1", "password": "x"})
    assert known.status_code == unknown.status_code == 429
    assert without_tokens(known.content) == without_tokens(unknown.content)
    assert len(hashes) == hashed


@pytest.mark.django_db
def test_an_address_over_its_limit_is_refused_for_every_username(settings, officer, hashes):
    settings.AMPARO_LOGIN_ADDRESS_FAILURE_LIMIT = 4
    assert [failing(f"guess{n}", "192.0.2.1", 1)[0] for n in range(4)] == [200] * 4
    hashed = len(hashes)
    refused = Client(REMOTE_ADDR="192.0.2.1")
    assert refused.post(LOGIN, {"username": "officer", "password": PASSWORD}).status_code == 429
    assert "_auth_user_id" not in refused.session
    assert len(hashes) == hashed
    elsewhere = Client(REMOTE_ADDR="192.0.2.2")
    assert elsewhere.post(LOGIN, {"username": "officer", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_from_half_the_limit_an_address_backs_off(settings, officer, hashes):
    settings.AMPARO_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    # Four failures are free; then 1 s must pass after the next, then 2 s.
    assert [wrong_password(f"guess{n}", "192.0.2.1") for n in range(4)] == [200] * 4
    assert wrong_password("guess4", "192.0.2.1") == 429
    assert hashes.count("encode") == 4
    later(1)
    assert wrong_password("guess4", "192.0.2.1") == 200
    later(1)
    assert wrong_password("guess5", "192.0.2.1") == 429
    later(1)
    assert wrong_password("guess5", "192.0.2.1") == 200
    assert hashes.count("encode") == 6
    assert wrong_password("guess6", "192.0.2.2") == 200  # another address is not held back


@pytest.mark.django_db
def test_a_username_over_its_limit_stays_open_where_its_owner_signs_in(
    settings, officer, coordinator, hashes
):
    signed_in(officer, "192.0.2.10").post("/accounts/logout/")
    settings.AMPARO_LOGIN_USERNAME_FAILURE_LIMIT = 3
    assert [failing("officer", f"198.51.100.{n}", 1)[0] for n in range(3)] == [200] * 3
    hashed = len(hashes)
    assert wrong_password("officer", "198.51.100.99") == 429
    new_place = Client(REMOTE_ADDR="198.51.100.98")
    assert new_place.post(LOGIN, {"username": "officer", "password": PASSWORD}).status_code == 429
    assert len(hashes) == hashed
    usual_place = Client(REMOTE_ADDR="192.0.2.10")
    assert usual_place.post(LOGIN, {"username": "officer", "password": PASSWORD}).status_code == 302
    colleague = Client(REMOTE_ADDR="198.51.100.97")
    assert (
        colleague.post(LOGIN, {"username": "coordinator", "password": PASSWORD}).status_code == 302
    )
