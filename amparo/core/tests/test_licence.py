"""The AGPL asks a network service to offer its users the source: the footer does."""

from __future__ import annotations

import pytest

from amparo.tests.helpers import logged_in


@pytest.mark.django_db
def test_the_footer_offers_the_source_when_configured(coordinator, settings):
    client = logged_in(coordinator)
    assert "Source code" not in client.get("/").content.decode()
    settings.AMPARO_SOURCE_URL = "https://code.example.org/amparo"
    html = client.get("/").content.decode()
    assert '<a href="https://code.example.org/amparo">Source code</a>' in html
