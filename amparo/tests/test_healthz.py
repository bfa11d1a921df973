"""/healthz: 200 only when the database answers and the loaded KEK opens the stored keys."""

from __future__ import annotations

import pytest

from amparo.core.crypto import Kek, Keyring, new_key
from amparo.core.keys import set_keyring
from amparo.core.keystore import index_root_key


@pytest.fixture
def restore_keyring():
    yield
    set_keyring(None)


@pytest.mark.django_db
def test_healthy(client):
    index_root_key()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "keys": "ok"}


@pytest.mark.django_db
def test_no_kek_is_unhealthy(client, restore_keyring):
    set_keyring(Keyring(None))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "keys": "unavailable"}


@pytest.mark.django_db
def test_wrong_kek_is_unhealthy(client, restore_keyring):
    index_root_key()
    set_keyring(Keyring(Kek(new_key())))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["keys"] == "unavailable"
