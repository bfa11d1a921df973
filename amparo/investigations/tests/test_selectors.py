"""Impunity figures as of a day, from the history, and who sees which investigation."""

import datetime

import pytest
from django.http import Http404

from amparo.investigations.selectors import (
    add_months,
    convictions_per_incident,
    impunity_by_country,
    impunity_by_perpetrator_group,
    investigation_for,
    investigation_get,
    stage_counts,
    uninvestigated_after,
)
from amparo.investigations.services import InvestigationChange, investigation_record

from .conftest import record_incident

pytestmark = pytest.mark.django_db
D = datetime.date


def _update(actor, incident, stage, on):
    investigation_record(
        actor=actor, incident=incident, change=InvestigationChange(stage=stage, on=on)
    )


@pytest.fixture
def history(world, coordinator, system):
    """Four grave incidents and one minor one, on the team defender's case:

    a (2025-01-10, police): opened 2025-02-01 (within 3 months), convicted 2025-12-01
    b (2025-01-20, armed_group): complaint only 2025-01-25, opened 2025-06-15 (5 months later)
    c (2025-02-01, unknown): never investigated
    d (2025-03-01, police + paramilitary): opened 2026-02-15 (after 11.5 months)
    e (2025-01-15, threat, minor): convicted — not counted (not grave)
    """
    defender = world.team_defender
    a = record_incident(coordinator, defender, date=D(2025, 1, 10), perpetrators=["police"])
    b = record_incident(coordinator, defender, date=D(2025, 1, 20), perpetrators=["armed_group"])
    c = record_incident(coordinator, defender, date=D(2025, 2, 1), perpetrators=["unknown"])
    d = record_incident(
        coordinator, defender, date=D(2025, 3, 1), perpetrators=["police", "paramilitary"]
    )
    e = record_incident(
        coordinator, defender, date=D(2025, 1, 15), violations=["threat"], country="CO"
    )
    _update(coordinator, a, "investigation_opened", D(2025, 2, 1))
    _update(coordinator, a, "convicted", D(2025, 12, 1))
    _update(coordinator, b, "complaint_filed", D(2025, 1, 25))
    _update(coordinator, b, "investigation_opened", D(2025, 6, 15))
    _update(coordinator, d, "investigation_opened", D(2026, 2, 15))
    _update(coordinator, e, "convicted", D(2025, 6, 1))
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)
    assert add_months(D(2025, 3, 1), 12) == D(2026, 3, 1)


def test_uninvestigated_after_3_6_12_months_as_of_a_day(history, coordinator):
    figures = uninvestigated_after(actor=coordinator, as_of=D(2026, 3, 31))
    # 3 months: a, b, c, d all reached their mark; b (opened 5 months in), c and d were not.
    assert figures[3] == {"grave_incidents": 4, "without_investigation": 3, "percent": 75.0}
    # 6 months: b was opened in time; c and d were not.
    assert figures[6] == {"grave_incidents": 4, "without_investigation": 2, "percent": 50.0}
    # 12 months: d's mark is 2026-03-01 and it was opened on 2026-02-15.
    assert figures[12] == {"grave_incidents": 4, "without_investigation": 1, "percent": 25.0}


def test_the_history_is_read_as_of_the_day(history, coordinator):
    # On 2025-07-31: 6-month marks passed for a (07-10) and b (07-20) only; 12-month for none.
    figures = uninvestigated_after(actor=coordinator, as_of=D(2025, 7, 31))
    assert figures[6] == {"grave_incidents": 2, "without_investigation": 0, "percent": 0.0}
    assert figures[12] == {"grave_incidents": 0, "without_investigation": 0, "percent": None}
    # A cohort restricted to marks on or after a day.
    since = uninvestigated_after(
        actor=coordinator, as_of=D(2025, 7, 31), months=[3], since=D(2025, 4, 15)
    )
    assert since[3] == {"grave_incidents": 3, "without_investigation": 3, "percent": 100.0}


def test_convictions_per_incident_as_of(history, coordinator):
    assert convictions_per_incident(actor=coordinator, as_of=D(2025, 11, 30)) == {
        "grave_incidents": 4,
        "convicted": 0,
        "per_incident": 0.0,
    }
    assert convictions_per_incident(actor=coordinator, as_of=D(2026, 1, 1)) == {
        "grave_incidents": 4,
        "convicted": 1,
        "per_incident": 0.25,
    }


def test_impunity_by_perpetrator_group(history, coordinator):
    rows = impunity_by_perpetrator_group(actor=coordinator, as_of=D(2026, 3, 31))
    assert rows == [
        {
            "key": "state",
            "grave_incidents": 2,
            "investigated": 2,
            "convicted": 1,
            "impunity_percent": 50.0,
        },
        {
            "key": "non_state",
            "grave_incidents": 2,
            "investigated": 2,
            "convicted": 0,
            "impunity_percent": 100.0,
        },
        {
            "key": "unknown",
            "grave_incidents": 1,
            "investigated": 0,
            "convicted": 0,
            "impunity_percent": 100.0,
        },
    ]
    # Before d was opened and before a's conviction.
    early = {
        row["key"]: row
        for row in impunity_by_perpetrator_group(actor=coordinator, as_of=D(2025, 5, 1))
    }
    assert early["state"]["investigated"] == 1
    assert early["non_state"]["investigated"] == 0


def test_impunity_by_country_and_stage_counts(history, coordinator):
    assert impunity_by_country(actor=coordinator, as_of=D(2026, 3, 31)) == [
        {
            "key": "CO",
            "grave_incidents": 4,
            "investigated": 3,
            "convicted": 1,
            "impunity_percent": 75.0,
        }
    ]
    counts = stage_counts(actor=coordinator, as_of=D(2025, 5, 1))
    assert {k: v for k, v in counts.items() if v} == {
        "investigation_opened": 1,
        "complaint_filed": 1,
        "none": 2,
    }


def test_figures_count_only_what_the_actor_may_know(history, analyst, other_officer, liaison):
    assert convictions_per_incident(actor=analyst, as_of=D(2026, 3, 31))["grave_incidents"] == 4
    assert (
        convictions_per_incident(actor=other_officer, as_of=D(2026, 3, 31))["grave_incidents"] == 0
    )
    assert convictions_per_incident(actor=liaison, as_of=D(2026, 3, 31))["grave_incidents"] == 0


def test_unreported_incidents_are_not_seen_before_their_reporting_day(world, coordinator):
    from amparo.incidents.services import IncidentData, incident_record

    incident_record(
        actor=coordinator,
        data=IncidentData(
            date=D(2025, 1, 1),
            reported_on=D(2025, 9, 1),
            country="CO",
            violations=["killing"],
            victim_defenders=[world.team_defender],
        ),
    )
    assert convictions_per_incident(actor=coordinator, as_of=D(2025, 8, 31))["grave_incidents"] == 0
    assert convictions_per_incident(actor=coordinator, as_of=D(2025, 9, 1))["grave_incidents"] == 1


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("coordinator", {"team", "unassigned"}),
        ("officer", {"team", "restricted"}),
        ("other_officer", set()),
        ("foreign_coordinator", {"foreign"}),
        ("analyst", set()),  # aggregates only
        ("liaison", set()),
        ("auditor", set()),
        ("admin_user", set()),
        ("defender_user", {"team"}),
        ("system", {"team", "unassigned", "restricted", "foreign"}),
    ],
)
def test_who_sees_which_investigation(
    request,
    persona,
    sees,
    system,
    team_incident,
    unassigned_incident,
    restricted_incident,
    foreign_incident,
):
    incidents = {
        "team": team_incident,
        "unassigned": unassigned_incident,
        "restricted": restricted_incident,
        "foreign": foreign_incident,
    }
    for incident in incidents.values():
        _update(system, incident, "complaint_filed", incident.date)
    actor = request.getfixturevalue(persona)
    seen = set()
    for key, incident in incidents.items():
        if investigation_for(actor=actor, incident=incident) is not None:
            seen.add(key)
            assert investigation_get(actor=actor, incident_code=incident.code).incident == incident
        else:
            with pytest.raises(Http404):
                investigation_get(actor=actor, incident_code=incident.code)
    assert seen == sees
