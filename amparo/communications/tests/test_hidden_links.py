"""A letter's linked records the reader may not see appear in no list and no count (DESIGN §2):
a case officer is shown the records of their own cases and nothing about the others."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amparo.communications.selectors import linked_summaries
from amparo.communications.tests.conftest import draft
from amparo.communications.tests.test_api import call
from amparo.registry.services import case_set_team
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(comms_officer, coordinator, letters, other_officer):
    """About Tomás and Rosa; Tomás's case moves to another officer's team."""
    case_set_team(actor=coordinator, case=letters.tomas.case, members=[other_officer])
    return draft(
        comms_officer,
        defenders=[letters.tomas, letters.rosa],
        incidents=[letters.threat, letters.surveillance],
    )


def test_the_case_officer_gets_only_what_they_see(officer, letter, letters):
    codes = [summary.code for summary in linked_summaries(officer, letter)]
    assert codes == [letters.rosa.code, letters.surveillance.code]


def test_letter_staff_get_every_linked_record(comms_officer, letter, letters):
    codes = [summary.code for summary in linked_summaries(comms_officer, letter)]
    assert codes == [
        letters.tomas.code,
        letters.rosa.code,
        letters.threat.code,
        letters.surveillance.code,
    ]


def test_the_page_gives_no_count_of_the_others(officer, letter, letters):
    url = reverse("communications:communication_detail", args=[letter.pk])
    html = logged_in(officer).get(url).content.decode()
    assert letters.rosa.code in html and letters.surveillance.code in html
    assert letters.tomas.code not in html and letters.threat.code not in html
    assert "you may not see" not in html
    assert "2 other" not in html


def test_the_api_gives_no_count_of_the_others(client, officer, letter, letters):
    body = call(client, "get", f"/communications/{letter.pk}", officer).json()
    assert [row["code"] for row in body["linked"]] == [letters.rosa.code, letters.surveillance.code]
    assert "hidden_links" not in body
