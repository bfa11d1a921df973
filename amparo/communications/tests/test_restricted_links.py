"""A letter about a restricted case exists only for those who see that case (DESIGN §2)."""

from __future__ import annotations

import pytest
from django.http import Http404

from amparo.communications.selectors import communication_get, communication_list
from amparo.communications.tests.conftest import draft
from amparo.registry.services import case_set_restricted, case_set_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted_letter(system, coordinator, letters):
    """Drafted by the coordinator, then Tomás's case is restricted to its team (the officer)."""
    letter = draft(coordinator, defenders=[letters.tomas], incidents=[letters.threat])
    case_set_restricted(actor=system, case=letters.tomas.case, restricted=True)
    return letter


def test_letter_staff_off_the_team_do_not_see_it(
    restricted_letter, letters, coordinator, comms_officer
):
    other = draft(comms_officer, defenders=[letters.rosa], incidents=[letters.surveillance])
    for actor in (coordinator, comms_officer):
        with pytest.raises(Http404):
            communication_get(actor=actor, pk=restricted_letter.pk)
        assert list(communication_list(actor=actor)) == [other]


def test_a_letter_linking_only_its_incident_is_hidden_too(system, coordinator, letters):
    letter = draft(coordinator, incidents=[letters.threat])
    case_set_restricted(actor=system, case=letters.tomas.case, restricted=True)
    with pytest.raises(Http404):
        communication_get(actor=coordinator, pk=letter.pk)


def test_the_case_team_still_sees_it(restricted_letter, letters, system, coordinator, officer):
    assert communication_get(actor=officer, pk=restricted_letter.pk) == restricted_letter
    case_set_team(actor=system, case=letters.tomas.case, members=[officer, coordinator])
    assert communication_get(actor=coordinator, pk=restricted_letter.pk) == restricted_letter
