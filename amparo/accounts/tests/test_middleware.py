"""The session timeout middleware stores last_seen at most once a minute: a page view within
the minute does not write the session (no UPDATE, no COMMIT), and the idle timeout still holds."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amparo.accounts.middleware import LAST_SEEN_RESOLUTION_SECONDS
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def _stored(client) -> tuple[str, object]:
    row = Session.objects.get(session_key=client.session.session_key)
    return row.session_data, row.expire_date


def _set_last_seen(client, seconds_ago: float) -> float:
    """What a sign-in leaves (auth_at and last_seen), last_seen moved back."""
    session = client.session
    session["auth_at"] = time.time() - seconds_ago
    session["last_seen"] = time.time() - seconds_ago
    session.save()
    return session["last_seen"]


def test_a_page_view_within_the_minute_does_not_write_the_session(officer):
    client = logged_in(officer)
    last_seen = _set_last_seen(client, 5)
    before = _stored(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert _stored(client) == before
    assert client.session["last_seen"] == last_seen
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_a_page_view_after_the_minute_stores_last_seen(officer):
    client = logged_in(officer)
    last_seen = _set_last_seen(client, LAST_SEEN_RESOLUTION_SECONDS + 5)
    started = time.time()
    assert client.get(reverse("home")).status_code == 200
    assert client.session["last_seen"] > last_seen
    assert client.session["last_seen"] >= started


def test_the_idle_timeout_still_signs_out(officer):
    client = logged_in(officer)
    _set_last_seen(client, settings.AMPARO_SESSION_IDLE_SECONDS + 1)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.session["timed_out"] is True
