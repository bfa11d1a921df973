"""An incident's page names the victims the reader may see and gives no count of the others
(DESIGN §2: what a user may not see appears in no list, count or search)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from amparo.incidents.services import IncidentData, incident_record
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def test_the_page_counts_no_hidden_victim(world, system, coordinator):
    incident = incident_record(
        actor=system,
        data=IncidentData(
            date=datetime.date(2026, 3, 1),
            country="CO",
            violations=["threat"],
            victim_defenders=[
                world.team_defender,
                world.restricted_defender,
                world.foreign_defender,
            ],
        ),
    )
    url = reverse("incidents:incident_detail", args=[incident.code])
    html = logged_in(coordinator).get(url).content.decode()
    assert world.team_defender.code in html
    assert world.restricted_defender.code not in html
    assert world.foreign_defender.code not in html
    assert "you may not see" not in html
    assert "2 other" not in html
