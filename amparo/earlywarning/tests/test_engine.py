"""The engine's four rule families on small hand-built fixtures, and the as-of invariance."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from amparo.earlywarning.config import config_from_values
from amparo.earlywarning.engine import (
    calendar_candidates,
    escalation_candidates,
    incidents_as_of,
    network_candidates,
    scan_as_of,
)
from amparo.earlywarning.services import EventData, event_create
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    defender_register,
    organisation_create,
    person_create,
)

D = datetime.date
AS_OF = D(2026, 6, 1)
# The rules' mechanics are tested on fixed settings (the first defaults), not on the tuned
# defaults of config.py, which the back-test may move.
CONFIG = config_from_values(
    {
        "escalation_clock": "incident",
        "escalation_days": 90,
        "death_threat_days": 0,
        "escalation_expiry_days": 30,
        "escalation_level_by_finding": {
            "death_threat": "urgent",
            "threat_after_exposure": "warning",
            "threat": "off",
            "grave_attack": "off",
            "repeated_incidents": "warning",
            "relative_targeted": "warning",
            "hazard": "off",
        },
        "calendar_peak_days": {"election": []},
        "network_min_victims": 1,
        "repeat_count": 2,
        "repeat_days": 60,
        "network_half_life_days": 30.0,
        "network_threshold": 0.5,
        "network_warning_threshold": 1.0,
        "network_link_weights": {
            "organisation": 0.8,
            "relative": 1.0,
            "co_victim": 1.0,
            "perpetrator": 0.6,
        },
        "network_grave_weight": 1.0,
        "network_threat_weight": 0.6,
        "regional": {},
        "regional_expiry_days": 14,
    }
)


@pytest.fixture
def people(coordinator):
    org = organisation_create(
        actor=coordinator, data=OrganisationData(name="Union", country="CO", kind="union")
    )

    def register(name, subdivision="CO-ANT", categories=("trade_unionist",), orgs=()):
        return defender_register(
            actor=coordinator,
            data=DefenderData(
                name=name,
                country="CO",
                subdivision=subdivision,
                categories=list(categories),
                organisations=list(orgs),
                registered_on=D(2026, 1, 1),
            ),
        )

    ana = register("Ana", orgs=[org])
    ben = register("Ben", orgs=[org])
    cruz = register("Cruz", subdivision="CO-CAU", categories=("journalist",))
    dora = register("Dora", subdivision="CO-CAU", categories=("journalist",))
    return {"ana": ana, "ben": ben, "cruz": cruz, "dora": dora, "org": org}


def _incident(actor, victims, violations, date, reported_on=None, **extra):
    return incident_record(
        actor=actor,
        data=IncidentData(
            date=date,
            reported_on=reported_on or date,
            country="CO",
            subdivision=extra.pop("subdivision", "CO-ANT"),
            violations=violations,
            victim_defenders=victims,
            **extra,
        ),
    )


def _ids(*defenders):
    return tuple(sorted(str(d.pk) for d in defenders))


@pytest.mark.django_db
def test_calendar_covers_the_scope_before_the_window_opens(coordinator, people):
    # Demonstration on 20 June: window opens 13 June (lead 7), closes 27 June (tail 7).
    event = event_create(
        actor=coordinator,
        data=EventData(
            kind="demonstration",
            start=D(2026, 6, 20),
            country="CO",
            subdivision="CO-CAU",
            categories=["journalist"],
        ),
    )
    (candidate,) = calendar_candidates(AS_OF, CONFIG)
    assert candidate.defender_ids == _ids(people["cruz"], people["dora"])
    assert (candidate.kind, candidate.level, candidate.dedupe_key) == (
        "calendar",
        "warning",
        f"calendar:{event.pk}",
    )
    assert candidate.expires_on == D(2026, 6, 27)
    assert candidate.evidence["window"] == ["2026-06-13", "2026-06-27"]
    # Fifteen days before the window opens is beyond the 14-day notice.
    assert calendar_candidates(D(2026, 5, 29), CONFIG) == []
    assert calendar_candidates(D(2026, 5, 30), CONFIG) != []
    assert calendar_candidates(D(2026, 6, 28), CONFIG) == []


@pytest.mark.django_db
def test_calendar_named_defenders_and_event_window_override(coordinator, people):
    event_create(
        actor=coordinator,
        data=EventData(
            kind="publication",
            start=D(2026, 7, 1),
            country="CO",
            defenders=[people["ana"]],
            lead_days=0,
            tail_days=2,
        ),
    )
    (candidate,) = calendar_candidates(D(2026, 6, 17), CONFIG)
    assert candidate.defender_ids == _ids(people["ana"])
    assert candidate.expires_on == D(2026, 7, 3)
    assert calendar_candidates(D(2026, 6, 16), CONFIG) == []


@pytest.mark.django_db
def test_escalation_rules(coordinator, people):
    ana, cruz, dora = people["ana"], people["cruz"], people["dora"]
    _incident(coordinator, [ana], ["death_threat"], D(2026, 5, 20))
    _incident(
        coordinator,
        [cruz],
        ["threat"],
        D(2026, 5, 1),
        subdivision="CO-CAU",
        contexts=["publication"],
    )
    _incident(coordinator, [dora], ["harassment"], D(2026, 4, 10), subdivision="CO-CAU")
    _incident(coordinator, [dora], ["surveillance"], D(2026, 5, 10), subdivision="CO-CAU")
    # Too old: outside the 90-day look-back.
    _incident(coordinator, [people["ben"]], ["death_threat"], D(2026, 2, 1))
    found = {
        c.defender_ids[0]: (c.level, [f["rule"] for f in c.evidence["findings"]])
        for c in escalation_candidates(AS_OF, CONFIG, incidents_as_of(AS_OF))
    }
    assert found == {
        str(ana.pk): ("urgent", ["death_threat"]),
        str(cruz.pk): ("warning", ["threat_after_exposure"]),
        str(dora.pk): ("warning", ["repeated_incidents"]),
    }


@pytest.mark.django_db
def test_incident_against_a_relative_escalates_the_defender(coordinator, people):
    ben = people["ben"]
    relative = person_create(
        actor=coordinator, defender=ben, data=PersonData(name="Son", relation="child")
    )
    incident_record(
        actor=coordinator,
        case=ben.case,
        data=IncidentData(
            date=D(2026, 5, 25), country="CO", violations=["threat"], victim_persons=[relative]
        ),
    )
    candidates = escalation_candidates(AS_OF, CONFIG, incidents_as_of(AS_OF))
    assert [(c.defender_ids, c.level, c.dedupe_key) for c in candidates] == [
        (_ids(ben), "warning", f"escalation:{ben.pk}")
    ]
    network = network_candidates(AS_OF, CONFIG, incidents_as_of(AS_OF))
    assert [(c.defender_ids, c.evidence["links"][0]["link"]) for c in network] == [
        (_ids(ben), "relative")
    ]


@pytest.mark.django_db
def test_network_reaches_colleagues_and_decays(coordinator, people):
    ana, ben = people["ana"], people["ben"]
    _incident(coordinator, [ana], ["physical_attack"], D(2026, 5, 31))
    (candidate,) = network_candidates(AS_OF, CONFIG, incidents_as_of(AS_OF))
    # organisation link 0.8 x grave 1.0 x 0.5 ** (1 / 30)
    assert candidate.defender_ids == _ids(ben)
    assert candidate.level == "watch"
    assert candidate.evidence["weight"] == round(0.8 * 0.5 ** (1 / 30), 4)
    assert candidate.dedupe_key == f"network:{ben.pk}"
    # Expires when the weight falls under 0.5: 30 * log2(0.8 * 0.5**(1/30) / 0.5) days.
    assert candidate.expires_on == AS_OF + datetime.timedelta(days=20)
    # Thirty days later the weight (~0.39) is under the threshold.
    assert network_candidates(D(2026, 6, 30), CONFIG, incidents_as_of(D(2026, 6, 30))) == []


@pytest.mark.django_db
def test_network_same_perpetrator_same_subdivision(coordinator, people):
    cruz, dora = people["cruz"], people["dora"]
    _incident(
        coordinator,
        [cruz],
        ["harassment"],
        D(2026, 3, 1),
        subdivision="CO-CAU",
        perpetrators=["paramilitary"],
    )
    _incident(
        coordinator,
        [dora],
        ["threat"],
        D(2026, 5, 30),
        subdivision="CO-CAU",
        perpetrators=["paramilitary"],
    )
    # Unknown perpetrators link nobody.
    _incident(coordinator, [people["ana"]], ["killing"], D(2026, 5, 30), subdivision="CO-CAU")
    # Perpetrator 0.6 x threat 0.6 x decay(2 days) is under the default threshold of 0.5.
    candidates = network_candidates(AS_OF, CONFIG, incidents_as_of(AS_OF))
    assert [c.defender_ids for c in candidates] == [_ids(people["ben"])]
    weak = dataclasses.replace(CONFIG, network_threshold=0.3)
    found = {
        c.defender_ids: [link["link"] for link in c.evidence["links"]]
        for c in network_candidates(AS_OF, weak, incidents_as_of(AS_OF))
    }
    assert found == {_ids(people["ben"]): ["organisation"], _ids(cruz): ["perpetrator"]}


@pytest.mark.django_db
def test_scan_is_sorted_and_invariant_to_later_reports(coordinator, people):
    ana, ben, dora = people["ana"], people["ben"], people["dora"]
    event_create(
        actor=coordinator, data=EventData(kind="election", start=D(2026, 10, 1), country="CO")
    )
    _incident(coordinator, [ana], ["death_threat"], D(2026, 5, 20))
    _incident(coordinator, [dora], ["threat"], D(2026, 5, 2), subdivision="CO-CAU")
    before = scan_as_of(AS_OF, config=CONFIG)
    assert before == sorted(before, key=lambda c: (c.kind, c.dedupe_key, c.defender_ids))
    assert {c.kind for c in before} == {"calendar", "escalation"}
    # Reported after the as-of day, even if dated before it: invisible to the scan of AS_OF.
    _incident(coordinator, [ben], ["killing"], D(2026, 5, 28), reported_on=D(2026, 6, 2))
    _incident(coordinator, [dora], ["death_threat"], D(2026, 6, 3))
    assert scan_as_of(AS_OF, config=CONFIG) == before
    assert scan_as_of(D(2026, 6, 3), config=CONFIG) != before


@pytest.mark.django_db
def test_scan_limited_to_defenders(coordinator, people):
    ana, dora = people["ana"], people["dora"]
    _incident(coordinator, [ana], ["death_threat"], D(2026, 5, 20))
    _incident(coordinator, [dora], ["death_threat"], D(2026, 5, 20), subdivision="CO-CAU")
    limited = scan_as_of(AS_OF, config=CONFIG, defender_ids=[str(dora.pk)])
    assert [(c.kind, c.defender_ids) for c in limited] == [("escalation", _ids(dora))]


@pytest.mark.django_db
def test_inactive_and_shredded_defenders_are_not_covered(coordinator, people, system):
    from amparo.registry.services import defender_shred

    ana = people["ana"]
    _incident(coordinator, [ana], ["death_threat"], D(2026, 5, 20))
    defender_shred(actor=system, defender=ana)
    assert escalation_candidates(AS_OF, CONFIG, incidents_as_of(AS_OF)) == []


@pytest.mark.django_db
def test_escalation_on_the_report_clock_and_findings_by_level(coordinator, people):
    ana, ben = people["ana"], people["ben"]
    # Dated 100 days before AS_OF, reported 10 days before: out of a 90-day look-back by date.
    _incident(coordinator, [ana], ["threat"], D(2026, 2, 21), reported_on=D(2026, 5, 22))
    _incident(coordinator, [ben], ["physical_attack"], D(2026, 5, 20))
    by_date = dataclasses.replace(
        CONFIG,
        escalation_level_by_finding={
            **CONFIG.escalation_level_by_finding,
            "threat": "warning",
            "grave_attack": "watch",
        },
    )
    found = {
        c.defender_ids[0]: (c.level, [f["rule"] for f in c.evidence["findings"]])
        for c in escalation_candidates(AS_OF, by_date, incidents_as_of(AS_OF))
    }
    assert found == {str(ben.pk): ("watch", ["grave_attack"])}
    by_report = dataclasses.replace(by_date, escalation_clock="report")
    found = {
        c.defender_ids[0]: (c.level, [f["rule"] for f in c.evidence["findings"]])
        for c in escalation_candidates(AS_OF, by_report, incidents_as_of(AS_OF))
    }
    assert found == {
        str(ana.pk): ("warning", ["threat"]),
        str(ben.pk): ("watch", ["grave_attack"]),
    }
    # The database scan reads the late-reported threat too (reported within the look-back).
    scanned = scan_as_of(AS_OF, config=by_report)
    assert sorted(c.defender_ids for c in scanned if c.kind == "escalation") == sorted(
        [_ids(ana), _ids(ben)]
    )


@pytest.mark.django_db
def test_hazard_score_raises_a_warning_and_holds_threats_of_quiet_defenders_at_watch(
    coordinator, people
):
    ana, cruz = people["ana"], people["cruz"]
    # Ana: a threat 10 days ago and a harassment 300 days ago.
    _incident(coordinator, [ana], ["threat"], D(2026, 5, 22))
    _incident(coordinator, [ana], ["harassment"], D(2025, 8, 5))
    # Cruz: one threat yesterday and nothing else.
    _incident(coordinator, [cruz], ["threat"], D(2026, 5, 31), subdivision="CO-CAU")
    hazard = dataclasses.replace(
        CONFIG,
        escalation_days=30,
        escalation_level_by_finding={
            **CONFIG.escalation_level_by_finding,
            "threat": "warning",
            "hazard": "warning",
        },
        hazard_half_life_days=30.0,
        hazard_weights={"grave": 1.0, "threat": 2.0, "other": 1.0},
        hazard_threshold=2.5,
        hazard_warning_floor=2.2,
    )
    found = {
        c.defender_ids[0]: (c.level, [f["rule"] for f in c.evidence["findings"]], c.evidence)
        for c in escalation_candidates(AS_OF, hazard, incidents_as_of(AS_OF))
    }
    ana_score = 2.0 * 0.5 ** (10 / 30) + 1.0 * 0.5 ** (300 / 30)
    cruz_score = 2.0 * 0.5 ** (1 / 30)
    assert found[str(ana.pk)][2]["hazard_score"] == round(ana_score, 4)
    assert found[str(cruz.pk)][2]["hazard_score"] == round(cruz_score, 4)
    # Neither reaches the threshold of 2.5; Ana's 1.59 is under the floor of 2.2, and so is
    # Cruz's 1.95: both threats are held at watch.
    assert found[str(ana.pk)][:2] == ("watch", ["threat"])
    assert found[str(cruz.pk)][:2] == ("watch", ["threat"])
    # A lower threshold raises the hazard finding at warning for both.
    lower = dataclasses.replace(hazard, hazard_threshold=1.5, hazard_warning_floor=0.0)
    found_lower = {
        c.defender_ids[0]: (c.level, sorted(f["rule"] for f in c.evidence["findings"]))
        for c in escalation_candidates(AS_OF, lower, incidents_as_of(AS_OF))
    }
    assert found_lower == {
        str(ana.pk): ("warning", ["hazard", "threat"]),
        str(cruz.pk): ("warning", ["hazard", "threat"]),
    }


@pytest.mark.django_db
def test_network_needs_two_members_attacked_when_configured(coordinator, people):
    ana, ben = people["ana"], people["ben"]
    two = dataclasses.replace(CONFIG, network_min_victims=2)
    _incident(coordinator, [ana], ["physical_attack"], D(2026, 5, 31))
    assert network_candidates(AS_OF, two, incidents_as_of(AS_OF)) == []
    _incident(coordinator, [ben], ["arbitrary_detention"], D(2026, 5, 25))
    found = {c.defender_ids for c in network_candidates(AS_OF, two, incidents_as_of(AS_OF))}
    assert found == {_ids(ana), _ids(ben)}


@pytest.mark.django_db
def test_election_peak_is_a_warning_inside_the_watch_window(coordinator, people):
    event_create(
        actor=coordinator,
        data=EventData(kind="election", start=D(2026, 9, 1), country="CO"),
    )
    peak = dataclasses.replace(CONFIG, calendar_peak_days={"election": [60, 30]})
    found = {(c.dedupe_key.split(":")[0], c.level) for c in calendar_candidates(AS_OF, peak)}
    # Window opens 180 days before (watch); the peak opens 2 July, beyond the 14-day notice.
    assert found == {("calendar", "watch")}
    later = D(2026, 6, 20)
    found = {
        (c.dedupe_key.split(":")[0], c.level, c.expires_on)
        for c in calendar_candidates(later, peak)
    }
    assert found == {
        ("calendar", "watch", D(2026, 10, 31)),
        ("calendar-peak", "warning", D(2026, 10, 1)),
    }


@pytest.mark.django_db
def test_death_threats_have_their_own_look_back(coordinator, people):
    ana, ben = people["ana"], people["ben"]
    # A death threat 20 days ago, a plain threat 20 days ago: a 14-day look-back sees neither.
    _incident(coordinator, [ana], ["death_threat"], D(2026, 5, 12))
    _incident(coordinator, [ben], ["threat"], D(2026, 5, 12))
    short = dataclasses.replace(
        CONFIG,
        escalation_days=14,
        death_threat_days=0,
        escalation_level_by_finding={**CONFIG.escalation_level_by_finding, "threat": "warning"},
    )
    assert escalation_candidates(AS_OF, short, incidents_as_of(AS_OF)) == []
    longer = dataclasses.replace(short, death_threat_days=30)
    found = {
        c.defender_ids[0]: (c.level, [f["rule"] for f in c.evidence["findings"]])
        for c in escalation_candidates(AS_OF, longer, incidents_as_of(AS_OF))
    }
    assert found == {str(ana.pk): ("urgent", ["death_threat"])}


@pytest.mark.django_db
def test_warning_budget_ranks_the_registry_and_holds_the_other_warnings_at_watch(
    coordinator, people
):
    ana, ben, cruz, dora = people["ana"], people["ben"], people["cruz"], people["dora"]
    # Ana: a threat 10 days ago and a harassment 300 days ago (hazard 1.59); Cruz: a threat
    # yesterday (hazard 1.95); Dora: a death threat (urgent, outside the ranking).
    _incident(coordinator, [ana], ["threat"], D(2026, 5, 22))
    _incident(coordinator, [ana], ["harassment"], D(2025, 8, 5))
    _incident(coordinator, [cruz], ["threat"], D(2026, 5, 31), subdivision="CO-CAU")
    _incident(coordinator, [dora], ["death_threat"], D(2026, 5, 30), subdivision="CO-CAU")
    rules = dataclasses.replace(
        CONFIG,
        escalation_days=30,
        escalation_level_by_finding={**CONFIG.escalation_level_by_finding, "threat": "warning"},
        network_threat_weight=0.0,
        regional_groups=[],
    )

    def levels(config, **kwargs):
        found: dict[str, set[tuple[str, str]]] = {}
        for c in scan_as_of(AS_OF, config=config, **kwargs):
            for d in c.defender_ids:
                found.setdefault(d, set()).add((c.dedupe_key.split(":")[0], c.level))
        return found

    # Budget off: the rules' own levels.
    assert levels(rules) == {
        str(ana.pk): {("escalation", "warning")},
        str(cruz.pk): {("escalation", "warning")},
        str(dora.pk): {("escalation", "urgent")},
    }
    # Half of the 4 live defenders = 2 places, less Dora (urgent): 1 rank warning, to Cruz
    # (score 2 x 1 threat + 1.95 hazard against Ana's 2 + 1.59); Ana's threat is held at watch.
    weights = dict.fromkeys(rules.warning_rank_weights, 0.0) | {"hazard": 1.0, "threat": 2.0}
    budget = dataclasses.replace(rules, warning_budget=0.5, warning_rank_weights=weights)
    assert levels(budget) == {
        str(ana.pk): {("escalation", "watch")},
        str(cruz.pk): {("escalation", "watch"), ("escalation-rank", "warning")},
        str(dora.pk): {("escalation", "urgent")},
    }
    rank = next(
        c for c in scan_as_of(AS_OF, config=budget) if c.dedupe_key.startswith("escalation-rank")
    )
    assert rank.evidence == {
        "rule": "rank",
        "score": round(2.0 + 2.0 * 0.5 ** (1 / 30), 4),
        "position": 1,
        "places": 1,
    }
    assert rank.expires_on == AS_OF + datetime.timedelta(days=1)
    # A budget of 1 place in all is taken by Dora's urgent: no rank warning.
    assert "escalation-rank" not in {
        k for v in levels(dataclasses.replace(rules, warning_budget=0.25)).values() for k, _ in v
    }
    # The incremental scan cannot rank the registry: it keeps the rules' levels.
    assert levels(budget, defender_ids=[str(ana.pk), str(ben.pk)]) == {
        str(ana.pk): {("escalation", "warning")}
    }
