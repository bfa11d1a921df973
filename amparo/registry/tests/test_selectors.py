"""Registry reads, persona by persona: what may not be seen does not exist (no row, count, hit)."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from amparo.audit.models import AuditEvent
from amparo.conftest import PERSONAS
from amparo.core.policy import sees_identities
from amparo.registry.presenters import present_defenders
from amparo.registry.selectors import (
    DefenderFilters,
    case_get,
    defender_duplicates,
    defender_get,
    defender_list,
    organisation_get,
    organisation_list,
    person_get,
    person_list,
)
from amparo.registry.services import (
    OrganisationData,
    PersonData,
    defender_shred,
    organisation_create,
    person_create,
)

pytestmark = pytest.mark.django_db

KEYS = ("team", "unassigned", "restricted", "foreign")


@pytest.fixture(params=PERSONAS)
def persona(request, world):
    return request.param, request.getfixturevalue(request.param)


def defender_of(world, key):
    return getattr(world, f"{key}_defender")


def codes(world, keys):
    return sorted(defender_of(world, k).code for k in keys)


def test_defender_list(world, persona, visible_defenders):
    name, actor = persona

    listed = defender_list(actor=actor)

    assert sorted(d.code for d in listed) == codes(world, visible_defenders[name])
    assert listed.count() == len(visible_defenders[name])


def test_defender_get(world, persona, visible_defenders):
    name, actor = persona
    for key in KEYS:
        defender = defender_of(world, key)
        if key in visible_defenders[name]:
            assert defender_get(actor=actor, code=defender.code).pk == defender.pk
        else:
            with pytest.raises(Http404):
                defender_get(actor=actor, code=defender.code)
    with pytest.raises(Http404):
        defender_get(actor=actor, code="HRD-2026-999999")


def test_case_get(world, persona, visible_defenders):
    name, actor = persona
    if name == "defender_user":
        pytest.skip("a defender sees their record, not the case file")
    for key in KEYS:
        case = defender_of(world, key).case
        if key in visible_defenders[name]:
            assert case_get(actor=actor, code=case.code).pk == case.pk
        else:
            with pytest.raises(Http404):
                case_get(actor=actor, code=case.code)


def test_a_defender_account_sees_no_case_file(world, defender_user):
    for key in KEYS:
        with pytest.raises(Http404):
            case_get(actor=defender_user, code=defender_of(world, key).case.code)


def expected_hits(name, actor, visible_defenders, key):
    return [key] if key in visible_defenders[name] and sees_identities(actor) else []


def test_search_by_name(world, persona, visible_defenders):
    name, actor = persona
    found = {}
    for key in KEYS:
        query = world.names[key].upper().replace("Í", "I")
        hits = defender_list(actor=actor, filters=DefenderFilters(query=query))
        found[key] = sorted(d.code for d in hits)
    assert found == {
        key: codes(world, expected_hits(name, actor, visible_defenders, key)) for key in KEYS
    }


def test_search_by_phone(world, persona, visible_defenders):
    name, actor = persona
    found = {}
    for key in KEYS:
        phone = defender_of(world, key).contacts["phone"].replace(" ", "-")
        found[key] = [
            d.code for d in defender_list(actor=actor, filters=DefenderFilters(query=phone))
        ]
    assert found == {
        key: codes(world, expected_hits(name, actor, visible_defenders, key)) for key in KEYS
    }


def test_search_by_code_is_open_to_analysts_within_scope(world, persona, visible_defenders):
    name, actor = persona
    found = {
        key: [
            d.code
            for d in defender_list(
                actor=actor, filters=DefenderFilters(query=defender_of(world, key).code.lower())
            )
        ]
        for key in KEYS
    }
    assert found == {
        key: codes(world, [key] if key in visible_defenders[name] else []) for key in KEYS
    }


def test_duplicates(world, persona, visible_defenders):
    name, actor = persona
    found = {
        key: [d.code for d in defender_duplicates(actor=actor, name=f"  {world.names[key]}  ")]
        for key in KEYS
    }
    assert found == {
        key: codes(world, expected_hits(name, actor, visible_defenders, key)) for key in KEYS
    }


def test_duplicates_by_contact_and_alias(world, coordinator):
    team = world.team_defender
    by_phone = defender_duplicates(
        actor=coordinator, name="Nobody", contacts={"mobile": team.contacts["phone"]}
    )
    assert [d.code for d in by_phone] == [team.code]
    by_alias_slot = defender_duplicates(
        actor=coordinator, name="Nobody", alias=world.names["unassigned"]
    )
    assert [d.code for d in by_alias_slot] == [world.unassigned_defender.code]
    assert defender_duplicates(actor=coordinator, name=world.names["team"], exclude=team) == []


def test_duplicates_never_return_a_shredded_record(world, coordinator, system):
    defender_shred(actor=coordinator, defender=world.team_defender)

    assert defender_duplicates(actor=system, name=world.names["team"]) == []
    assert (
        list(defender_list(actor=system, filters=DefenderFilters(query=world.names["team"]))) == []
    )


@pytest.fixture
def relatives(world, system):
    return {
        key: person_create(
            actor=system,
            defender=defender_of(world, key),
            data=PersonData(name=f"Relative of {key}", relation="child"),
        )
        for key in KEYS
    }


def test_persons(world, persona, visible_defenders, relatives):
    name, actor = persona
    for key in KEYS:
        person = relatives[key]
        defender = defender_of(world, key)
        if key in visible_defenders[name]:
            assert [p.pk for p in person_list(actor=actor, defender=defender)] == [person.pk]
            assert person_get(actor=actor, external_id=person.external_id).pk == person.pk
        else:
            assert list(person_list(actor=actor, defender=defender)) == []
            with pytest.raises(Http404):
                person_get(actor=actor, external_id=person.external_id)


VISIBLE_ORGANISATIONS = {
    "coordinator": {"desk"},
    "officer": {"desk"},
    "other_officer": {"desk"},
    "analyst": {"desk"},
    "foreign_coordinator": {"other"},
    "system": {"desk", "other"},
}


def test_organisations(world, persona, system, entity, other_entity):
    name, actor = persona
    created = {
        slug: organisation_create(
            actor=system,
            entity=owner,
            data=OrganisationData(name=f"Org {slug}", kind="ngo", country="CO"),
        )
        for slug, owner in (("desk", entity), ("other", other_entity))
    }
    expected = VISIBLE_ORGANISATIONS.get(name, set())

    assert sorted(o.pk for o in organisation_list(actor=actor)) == sorted(
        created[slug].pk for slug in expected
    )
    for slug, organisation in created.items():
        if slug in expected:
            assert organisation_get(actor=actor, external_id=organisation.external_id).pk == (
                organisation.pk
            )
        else:
            with pytest.raises(Http404):
                organisation_get(actor=actor, external_id=organisation.external_id)


def test_filters_stay_within_scope(world, coordinator, foreign_coordinator):
    mexico = defender_list(actor=coordinator, filters=DefenderFilters(country="MX"))
    assert list(mexico) == []
    colombia = defender_list(
        actor=coordinator, filters=DefenderFilters(country="CO", category="land_environment")
    )
    assert sorted(d.code for d in colombia) == codes(world, {"team", "unassigned"})
    assert [
        d.code
        for d in defender_list(actor=foreign_coordinator, filters=DefenderFilters(country="MX"))
    ] == [world.foreign_defender.code]


def test_presenting_what_the_actor_may_see(world, persona):
    _name, actor = persona
    visible = list(defender_list(actor=actor).order_by("code"))
    events_before = AuditEvent.objects.count()

    views = present_defenders(actor, visible, via="list")

    reads = list(AuditEvent.objects.filter(seq__gt=events_before).order_by("seq"))
    if sees_identities(actor):
        assert [v.name for v in views] == [d.name for d in visible]
        assert all(v.identity_shown for v in views)
        assert [(e.action, e.object_id) for e in reads] == [
            ("defender.read", str(d.pk)) for d in visible
        ]
    else:
        assert [(v.name, v.alias, v.locality, v.contacts) for v in views] == [
            (None, None, None, {})
        ] * len(visible)
        assert reads == []


def test_analyst_sees_pseudonymised_records_and_no_read_is_logged(world, analyst):
    events_before = AuditEvent.objects.count()

    views = present_defenders(analyst, list(defender_list(actor=analyst)), via="list")

    assert len(views) == 2
    assert {v.code for v in views} == set(codes(world, {"team", "unassigned"}))
    assert all(v.name is None and v.contacts == {} and not v.identity_shown for v in views)
    assert AuditEvent.objects.count() == events_before


def test_coordinator_reads_are_logged_once_per_record(world, coordinator):
    events_before = AuditEvent.objects.count()
    defender = defender_get(actor=coordinator, code=world.team_defender.code)

    (view,) = present_defenders(coordinator, [defender], via="page")

    assert view.name == world.names["team"]
    assert list(
        AuditEvent.objects.filter(seq__gt=events_before).values_list(
            "action", "object_id", "actor_id"
        )
    ) == [("defender.read", str(defender.pk), coordinator.pk)]


@pytest.mark.parametrize("query", ["Ana Lucía Mejía", "+57 310 555 0000", "ana@example.org"])
def test_a_search_term_never_reaches_sql(world, coordinator, query):
    with CaptureQueriesContext(connection) as queries:
        list(defender_list(actor=coordinator, filters=DefenderFilters(query=query)))

    assert queries.captured_queries
    for captured in queries.captured_queries:
        assert query.lower() not in captured["sql"].lower()
