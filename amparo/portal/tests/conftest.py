"""Fixtures of the portal tests: the intake entity, a clean rate-limit cache, a report form."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _portal_settings(settings, tmp_path):
    settings.AMPARO_INTAKE_ENTITY = "desk"
    settings.AMPARO_ATTACHMENTS_DIR = tmp_path / "attachments"
    cache.clear()
    yield
    cache.clear()


YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)
CANARY = "SELFREPORT-CANARY a man on a motorbike photographed my house"


def report_post(**overrides):
    data = {
        "what_happened": CANARY,
        "occurred_on": YESTERDAY.isoformat(),
        "country": "CO",
        "subdivision": "CO-CAU",
        "targeted": "self",
        "violations": ["surveillance", "threat"],
        "contact": "",
        "person_name": "",
        "place_detail": "",
        "perpetrator": "",
        "more": "",
    }
    data.update(overrides)
    return data
