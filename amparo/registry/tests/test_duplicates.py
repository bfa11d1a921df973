"""Candidate duplicates: exact scores on invented names, visibility, decisions, the CLI."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from amparo.audit.models import AuditEvent
from amparo.interchange.tests.helpers import run_import, write_jsonl
from amparo.registry.duplicates import (
    defender_candidates,
    incident_candidates,
    jaro_winkler,
    name_similarity,
)
from amparo.registry.merge import duplicate_decide
from amparo.registry.models import Defender, DuplicateDecision
from amparo.registry.services import DefenderData, defender_register
from amparo.registry.tests.test_merge import SOURCE_COL, SOURCE_GW

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("José Pérez", "jose  PEREZ", 1.0),  # accents, case, spacing
        ("Pérez José", "José Pérez", 1.0),  # word order
        ("Tomás Pérez Quintero", "Tomas Quintero Perez", 1.0),
        ("Tomás Pérez Quintero", "Tomas Perez", 1.0),  # a second surname dropped
        ("María Fernanda López", "Maria Fernanda Lopes", 0.973),  # one typo
        ("Jhon Jairo Vélez", "John Jairo Velez", 0.975),  # transposed letters
        ("Yolanda Perea", "Yolanda Pereira", 0.971),
        ("Carlos", "Carla", 0.893),  # single words: compared whole
        ("Ana Gómez", "Luis Rojas", 0.489),
        ("", "Luis Rojas", 0.0),
    ],
)
def test_name_similarity(a, b, expected):
    assert name_similarity(a, b) == expected
    assert name_similarity(b, a) == expected


def test_jaro_winkler_matches_the_published_examples():
    assert round(jaro_winkler("martha", "marhta"), 4) == 0.9611
    assert round(jaro_winkler("dwayne", "duane"), 4) == 0.84
    assert round(jaro_winkler("dixon", "dicksonx"), 4) == 0.8133


def _register(actor, name, **fields):
    data = DefenderData(
        name=name,
        country=fields.pop("country", "CO"),
        categories=["community_leader"],
        **fields,
    )
    return defender_register(actor=actor, data=data)


def _pairs(candidates):
    return [(c.codes, c.score, [str(r) for r in c.reasons]) for c in candidates]


def test_exact_scores(coordinator):
    a = _register(coordinator, "José Pérez", subdivision="CO-CAU", birth_year=1970)
    b = _register(coordinator, "Pérez José", subdivision="CO-CAU", birth_year=1970)
    c = _register(coordinator, "María Fernanda López", subdivision="CO-CAU", gender="woman")
    d = _register(coordinator, "Maria Fernanda Lopes", subdivision="CO-CAU", gender="woman")
    e = _register(coordinator, "josé  PÉREZ", gender="man", birth_year=1971)
    _register(coordinator, "Ana Gómez")
    _register(coordinator, "Luis Rojas", country="MX")

    found = _pairs(defender_candidates(actor=coordinator))

    assert found == [
        ((a.code, b.code), 70, ["same_words", "same_subdivision:CO-CAU", "same_birth_year"]),
        ((c.code, d.code), 59, ["similar_name:0.97", "same_subdivision:CO-CAU"]),
        ((a.code, e.code), 50, ["exact_name", "same_country:CO", "birth_year_differs"]),
    ]
    event = AuditEvent.objects.get(action="defender.duplicates_scan")
    assert event.detail == {"compared": 7, "candidates": 3}
    assert event.fields == ["alias", "name"]


def test_a_coordinator_never_sees_a_pair_with_a_hidden_record(
    coordinator, foreign_coordinator, system, world
):
    # Each world defender gets a near twin in the coordinator's entity, visible to them.
    twins = {
        key: _register(coordinator, name.replace("í", "i").replace("é", "e"))
        for key, name in world.names.items()
    }
    # ... and the foreign entity registers its own twin of a visible one.
    _register(foreign_coordinator, world.names["unassigned"], country="MX")

    mine = defender_candidates(actor=coordinator)

    assert sorted(c.codes for c in mine) == sorted(
        tuple(sorted((getattr(world, f"{key}_defender").code, twins[key].code)))
        for key in ("team", "unassigned")
    )
    # The restricted twin and the foreign one match too, for those who may see them.
    everything = {c.codes for c in defender_candidates(actor=system)}
    restricted = tuple(sorted((world.restricted_defender.code, twins["restricted"].code)))
    assert restricted in everything
    foreign = defender_candidates(actor=foreign_coordinator)
    assert [c.codes for c in foreign] == []
    # The counts in the audit trail are of visible records only.
    event = AuditEvent.objects.filter(action="defender.duplicates_scan", actor_id=coordinator.pk)
    assert event.get().detail == {"compared": 6, "candidates": 2}


@pytest.mark.parametrize("persona", ["officer", "analyst", "liaison", "auditor", "admin_user"])
def test_only_coordinators_review_duplicates(request, persona, world):
    actor = request.getfixturevalue(persona)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        defender_candidates(actor=actor)
    with pytest.raises(PermissionDenied):
        incident_candidates(actor=actor)
    with pytest.raises(PermissionDenied):
        duplicate_decide(
            actor=actor,
            kind="defender",
            first=world.team_defender,
            second=world.unassigned_defender,
            decision="not_duplicate",
        )
    assert AuditEvent.objects.count() == events
    assert not DuplicateDecision.objects.exists()


def test_not_a_duplicate_is_remembered_and_later_goes_last(coordinator):
    a = _register(coordinator, "José Pérez", subdivision="CO-CAU")
    b = _register(coordinator, "Jose Perez", subdivision="CO-CAU")
    c = _register(coordinator, "Rosa Elena Tascón")
    d = _register(coordinator, "Rosa Helena Tascon")
    assert [x.codes for x in defender_candidates(actor=coordinator)] == [
        (a.code, b.code),
        (c.code, d.code),
    ]

    duplicate_decide(actor=coordinator, kind="defender", first=b, second=a, decision="later")
    ranked = defender_candidates(actor=coordinator)
    assert [(x.codes, x.deferred) for x in ranked] == [
        ((c.code, d.code), False),
        ((a.code, b.code), True),
    ]

    duplicate_decide(
        actor=coordinator, kind="defender", first=c, second=d, decision="not_duplicate"
    )
    assert [x.codes for x in defender_candidates(actor=coordinator)] == [(a.code, b.code)]
    decision = DuplicateDecision.objects.get(decision="not_duplicate")
    assert (decision.first_id, decision.second_id) == (c.pk, d.pk)
    event = AuditEvent.objects.get(action="defender.duplicate_decide", detail__decision="later")
    assert event.detail == {"pair": [a.code, b.code], "decision": "later"}


def _sources(tmp_path):
    run_import(write_jsonl(tmp_path / "gw.jsonl", SOURCE_GW), "--entity", "desk")
    run_import(write_jsonl(tmp_path / "col.jsonl", SOURCE_COL), "--entity", "desk")
    return Defender.objects.get(external_id="gw:1"), Defender.objects.get(external_id="col:1")


def test_the_same_killing_from_two_sources_is_a_candidate(coordinator, entity, tmp_path):
    gw, col = _sources(tmp_path)
    from amparo.incidents.models import Incident

    codes = {i.external_id: i.code for i in Incident.objects.all()}

    defenders = _pairs(defender_candidates(actor=coordinator))
    incidents = _pairs(incident_candidates(actor=coordinator))

    # Dates: gw 2016-08-29, col 2016-05-10 (threat, both victims) and 2016-06-28 (killing).
    assert defenders == [
        (
            tuple(sorted((gw.code, col.code))),
            95,
            ["same_words", "same_date", "same_subdivision:CO-CAU", "same_organisation"],
        )
    ]
    pair = (codes["gw:inc-1"], codes["col:inc-1"])
    assert incidents == [
        (
            tuple(sorted(pair)),
            80,
            [
                "exact_victim_name",
                "date_within:62 d",
                "same_subdivision:CO-CAU",
                "same_violation:killing",
            ],
        )
    ]
    # The threat before the killing, same victim, scores 50 and is left out.
    event = AuditEvent.objects.get(action="incident.duplicates_scan")
    assert event.detail == {"compared": 3, "candidates": 1}


def test_the_cli_prints_codes_and_reasons_never_names(coordinator, entity, tmp_path):
    gw, col = _sources(tmp_path)
    out, err = StringIO(), StringIO()

    call_command(
        "duplicates", "scan", "--as", "coordinator", "--kind", "defender", stdout=out, stderr=err
    )

    first, second = sorted((gw.code, col.code))
    assert out.getvalue() == (
        f"defender\t{first}\t{second}\t95\t"
        "same_words, same_date, same_subdivision:CO-CAU, same_organisation\n"
    )
    assert err.getvalue().startswith("defender: 1 candidate pairs (")
    for name in ("Tomás", "Tomas", "Quintero", "Pérez", "Perez"):
        assert name not in out.getvalue() + err.getvalue()


def test_an_incident_on_a_restricted_case_never_pairs_for_those_off_its_team(
    coordinator, system, world
):
    import datetime

    from amparo.incidents.services import IncidentData, incident_record

    twin = _register(coordinator, "Carmen Rosa Perez")
    day = datetime.date(2025, 3, 1)
    hidden = incident_record(
        actor=system,
        data=IncidentData(
            date=day,
            country="CO",
            violations=["threat"],
            victim_defenders=[world.restricted_defender],
        ),
    )
    seen = incident_record(
        actor=system,
        data=IncidentData(date=day, country="CO", violations=["threat"], victim_defenders=[twin]),
    )

    assert incident_candidates(actor=coordinator) == []
    event = AuditEvent.objects.get(action="incident.duplicates_scan", actor_id=coordinator.pk)
    assert event.detail == {"compared": 1, "candidates": 0}
    assert [c.codes for c in incident_candidates(actor=system)] == [
        tuple(sorted((hidden.code, seen.code)))
    ]
