"""The first page leads each role somewhere useful."""

from __future__ import annotations

import pytest

from amparo.tests.helpers import logged_in


@pytest.mark.django_db
def test_a_defender_is_led_to_their_space(defender_user):
    html = logged_in(defender_user).get("/").content.decode()
    assert 'href="/portal/me/"' in html
    assert "Your role has no case pages here" not in html


@pytest.mark.django_db
def test_a_communications_officer_is_led_to_the_letters(comms_officer):
    html = logged_in(comms_officer).get("/").content.decode()
    assert 'class="button" href="/communications/"' in html
    assert "Your role has no case pages here" not in html
