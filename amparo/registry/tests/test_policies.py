"""Registry writes, persona by persona: a denied write raises and leaves no row and no event."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amparo.accounts.models import Role
from amparo.audit.models import AuditEvent
from amparo.conftest import PERSONAS
from amparo.core.models import DataKey
from amparo.core.policy import case_visible_q, has_role, role_of, sees_identities
from amparo.incidents.models import Incident
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.models import BlindIndex, Case, CaseMember, Defender, Organisation, Person
from amparo.registry.policies import (
    may_change_defender,
    may_manage_case,
    may_register_defender,
    may_work_case,
)
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    case_set_restricted,
    case_set_team,
    defender_register,
    defender_shred,
    defender_update,
    organisation_create,
    person_create,
    person_update,
)

pytestmark = pytest.mark.django_db

KEYS = ("team", "unassigned", "restricted", "foreign")
ALL = set(KEYS)
# Document and change what belongs to a case: the lead entity's coordinators (unless restricted
# and off the team) and the team's officers.
MAY_WORK = {
    "coordinator": {"team", "unassigned"},
    "officer": {"team", "restricted"},
    "foreign_coordinator": {"foreign"},
    "system": ALL,
}
# Assign the team, restrict, shred: coordinators only.
MAY_MANAGE = {
    "coordinator": {"team", "unassigned"},
    "foreign_coordinator": {"foreign"},
    "system": ALL,
}


@pytest.fixture(params=PERSONAS)
def persona(request, world):
    return request.param, request.getfixturevalue(request.param)


def state():
    """Everything a write could touch."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (
                Case,
                CaseMember,
                Defender,
                Person,
                Organisation,
                BlindIndex,
                Incident,
                DataKey,
                AuditEvent,
            )
        },
        "defenders": sorted(
            (str(pk), str(updated), str(shredded))
            for pk, updated, shredded in Defender.objects.values_list(
                "pk", "updated_at", "shredded_at"
            )
        ),
        "cases": sorted(
            (str(pk), restricted) for pk, restricted in Case.objects.values_list("pk", "restricted")
        ),
        "members": sorted(
            (str(c), u) for c, u in CaseMember.objects.values_list("case_id", "user_id")
        ),
        "keys": sorted(
            str(pk)
            for pk in DataKey.objects.filter(wrapped__isnull=False).values_list("pk", flat=True)
        ),
    }


def attempt(write):
    """Run a write; "done" with the actions it recorded, or "denied" having changed nothing."""
    before = state()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    try:
        write()
    except PermissionDenied:
        assert state() == before
        return "denied"
    return tuple(AuditEvent.objects.filter(seq__gt=last).values_list("action", flat=True))


def outcomes(world, write):
    return {key: attempt(lambda key=key: write(getattr(world, f"{key}_defender"))) for key in KEYS}


def expected(allowed, name, done):
    return {key: done(key) if key in allowed.get(name, set()) else "denied" for key in KEYS}


def fresh(defender):
    return Defender.objects.get(pk=defender.pk)


def test_defender_update(world, persona):
    name, actor = persona

    def write(defender):
        defender = fresh(defender)
        data = DefenderData(
            name="Changed Name",
            country=defender.country,
            categories=["land_environment"],
            contacts=defender.contacts,
            status="relocated",
        )
        defender_update(actor=actor, defender=defender, data=data)

    assert outcomes(world, write) == expected(MAY_WORK, name, lambda key: ("defender.update",))


def test_person_create(world, persona):
    name, actor = persona

    def write(defender):
        person_create(
            actor=actor, defender=fresh(defender), data=PersonData(name="Hijo", relation="child")
        )

    assert outcomes(world, write) == expected(MAY_WORK, name, lambda key: ("person.create",))


def test_register_into_an_existing_case(world, persona):
    name, actor = persona

    def write(defender):
        defender_register(
            actor=actor,
            case=defender.case,
            data=DefenderData(name="Otra", country="CO", categories=["other"]),
        )

    assert outcomes(world, write) == expected(MAY_WORK, name, lambda key: ("defender.create",))


def test_incident_record(world, persona):
    name, actor = persona

    def write(defender):
        incident_record(
            actor=actor,
            data=IncidentData(
                # Recent: a new fact, which opens a re-evaluation task (amparo.risk).
                date=datetime.date.today() - datetime.timedelta(days=3),
                country="CO",
                violations=["threat"],
                victim_defenders=[fresh(defender)],
            ),
        )

    # A new incident also opens a re-evaluation task for the victim (amparo.risk).
    assert outcomes(world, write) == expected(
        MAY_WORK, name, lambda key: ("incident.create", "task.create")
    )


def test_case_set_team(world, persona, officer, other_officer, foreign_coordinator):
    name, actor = persona

    def write(defender):
        members = (
            [foreign_coordinator]
            if defender.case.lead_entity_id == (foreign_coordinator.entity_id)
            else [officer, other_officer]
        )
        case_set_team(actor=actor, case=defender.case, members=members)

    assert outcomes(world, write) == expected(MAY_MANAGE, name, lambda key: ("case.team",))


def test_case_set_restricted(world, persona):
    name, actor = persona

    def write(defender):
        case = Case.objects.get(pk=defender.case_id)
        case_set_restricted(actor=actor, case=case, restricted=not case.restricted)

    assert outcomes(world, write) == expected(
        MAY_MANAGE,
        name,
        lambda key: ("case.unrestrict",) if key == "restricted" else ("case.restrict",),
    )


def test_defender_shred(world, persona):
    name, actor = persona

    def write(defender):
        defender_shred(actor=actor, defender=fresh(defender))

    assert outcomes(world, write) == expected(MAY_MANAGE, name, lambda key: ("defender.shred",))


REGISTERS = {"coordinator", "officer", "other_officer", "foreign_coordinator", "system"}


def test_register_a_new_case(world, persona, entity):
    name, actor = persona
    data = DefenderData(name="Nueva", country="CO", categories=["other"])

    outcome = attempt(
        lambda: defender_register(
            actor=actor, data=data, entity=entity if name == "system" else None
        )
    )

    assert outcome == (("case.create", "defender.create") if name in REGISTERS else "denied")


def test_organisation_create(world, persona, entity):
    name, actor = persona
    data = OrganisationData(name="Colectivo", kind="informal", country="CO")

    outcome = attempt(
        lambda: organisation_create(
            actor=actor, data=data, entity=entity if name == "system" else None
        )
    )

    assert outcome == (("organisation.create",) if name in REGISTERS else "denied")


def test_an_officer_registering_joins_the_new_case(officer):
    defender = defender_register(
        actor=officer, data=DefenderData(name="Nueva", country="CO", categories=["other"])
    )

    assert list(defender.case.members.values_list("user_id", flat=True)) == [officer.pk]
    assert may_work_case(officer, defender.case) is True


def test_restricting_keeps_the_restricting_coordinator_on_the_team(world, coordinator):
    case = world.unassigned_case

    case_set_restricted(actor=coordinator, case=case, restricted=True)

    assert sorted(case.members.values_list("user__username", flat=True)) == ["coordinator"]
    assert may_work_case(coordinator, Case.objects.get(pk=case.pk)) is True


@pytest.mark.parametrize("member", ["analyst", "liaison", "foreign_coordinator", "auditor"])
def test_the_team_holds_only_coordinators_and_officers_of_the_lead_entity(
    world, coordinator, request, member
):
    user = request.getfixturevalue(member)
    before = state()

    with pytest.raises(ValidationError) as caught:
        case_set_team(actor=coordinator, case=world.team_case, members=[user])

    assert list(caught.value.message_dict) == ["members"]
    assert state() == before


def test_a_shredded_defender_cannot_be_changed(world, coordinator, system):
    defender_shred(actor=coordinator, defender=world.team_defender)
    shredded = fresh(world.team_defender)

    for actor in (coordinator, system):
        assert may_change_defender(actor, shredded) is False
        outcome = attempt(
            lambda actor=actor: person_create(
                actor=actor, defender=shredded, data=PersonData(name="X", relation="child")
            )
        )
        assert outcome == "denied"


def test_person_update_follows_the_defender(world, officer, other_officer, analyst):
    person = person_create(
        actor=officer, defender=world.team_defender, data=PersonData(name="Rosa", relation="parent")
    )
    for actor in (other_officer, analyst):
        assert (
            attempt(
                lambda actor=actor: person_update(
                    actor=actor, person=person, data=PersonData(name="Rosa", relation="child")
                )
            )
            == "denied"
        )
    assert attempt(
        lambda: person_update(
            actor=officer, person=person, data=PersonData(name="Rosa", relation="child")
        )
    ) == ("person.update",)


class TestPolicyPrimitives:
    def test_roles(self, coordinator, inactive_coordinator, anonymous_user, system):
        assert role_of(coordinator) == Role.COORDINATOR
        assert role_of(inactive_coordinator) == "anonymous"
        assert role_of(anonymous_user) == "anonymous"
        assert role_of(None) == "anonymous"
        assert role_of(system) == "system"
        assert has_role(coordinator, Role.COORDINATOR, Role.CASE_OFFICER) is True
        assert has_role(inactive_coordinator, Role.COORDINATOR) is False

    @pytest.mark.parametrize(
        ("persona", "sees"),
        [
            ("coordinator", True),
            ("officer", True),
            ("analyst", False),
            ("liaison", False),
            ("auditor", False),
            ("admin_user", False),
            ("anonymous", False),
            ("inactive_coordinator", False),
            ("system", True),
        ],
    )
    def test_who_sees_identities(self, request, persona, sees):
        assert sees_identities(request.getfixturevalue(persona)) is sees

    def test_nobody_outside_the_matrix_is_let_in(self, world, liaison, auditor, admin_user):
        for actor in (liaison, auditor, admin_user, None):
            assert list(Case.objects.filter(case_visible_q(actor))) == []
            assert may_register_defender(actor) is False
            for case in (world.team_case, world.unassigned_case, world.restricted_case):
                assert may_work_case(actor, case) is False
                assert may_manage_case(actor, case) is False
