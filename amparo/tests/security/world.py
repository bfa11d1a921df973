"""The security suite's world: one object of each kind per relation to the personas.

Relations (DESIGN §2): "team" (entity's case, the officer on its team), "unassigned" (entity's
case, no team), "restricted" (entity's restricted case, the officer on it, the coordinator off
it), "foreign" (the other entity's case), "shredded" (an erased defender of the entity) and
"ghost" (a well-formed reference to nothing: what a hidden object must be indistinguishable
from). Every sensitive value is a canary, so a leak is a plain substring search.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from amparo.accounts.services import api_token_create
from amparo.tests.helpers import login

RELATIONS = ("team", "unassigned", "restricted", "foreign", "shredded")
GHOST = "ghost"
CASE_RELATIONS = ("team", "unassigned", "restricted", "foreign")

# Personas that make HTTP requests (the "system" actor has no session or token).
HTTP_PERSONAS = (
    "coordinator",
    "officer",
    "other_officer",
    "foreign_coordinator",
    "analyst",
    "liaison",
    "comms_officer",
    "auditor",
    "admin_user",
    "defender_user",
    "inactive_coordinator",
    "anonymous",
)

# Which relations each persona may know exist (conftest.VISIBLE_DEFENDERS, plus the erased
# defender's stub, which stays visible where its case was).
VISIBLE = {
    "coordinator": {"team", "unassigned", "shredded"},
    "officer": {"team", "restricted"},
    "other_officer": set(),
    "foreign_coordinator": {"foreign"},
    "analyst": {"team", "unassigned", "shredded"},
    "liaison": set(),
    "comms_officer": set(),
    "auditor": set(),
    "admin_user": set(),
    "defender_user": {"team"},
    "inactive_coordinator": set(),
    "anonymous": set(),
}
# Personas who see codes beyond their cases: the auditor reviews access (events carry codes,
# never values); communications staff see the codes of the cases linked to their letters.
SEES_CODES = {"auditor": set(RELATIONS), "comms_officer": {"team"}, "liaison": {"foreign"}}
# Personas that may ever read a name, contact, locality or narrative.
SEES_IDENTITIES = {"coordinator", "officer", "foreign_coordinator", "defender_user"}

NAMES = {
    "team": "Canario Ana Lucía Mejía",
    "unassigned": "Canario Bernardo Quintero",
    "restricted": "Canario Carmen Rosa Pérez",
    "foreign": "Canario Diego Hernández",
    "shredded": "Canario Elena Borrada",
}
NARRATIVE = "NARRATIVE-CANARY-{} men on motorbikes"
LOCALITY = "Vereda Canary{}"
PERPETRATOR = "PERPETRATOR-CANARY-{}"
PHONE = "+57 310 444 {:04d}"
SOURCE = "SOURCE-CANARY-{} a neighbour"
DETAILS = "DETAILS-CANARY-{} private note"
RATIONALE = "RATIONALE-CANARY-{} why this level"


@dataclass
class SecurityWorld:
    users: dict[str, Any]
    # kind -> relation -> URL argument (code, id, uuid)
    refs: dict[str, dict[str, str]] = field(default_factory=dict)
    # relation -> every sensitive value of that relation's defender and incident
    canaries: dict[str, list[str]] = field(default_factory=dict)
    # relation -> codes naming its objects (defender, case, incident, ...)
    codes: dict[str, list[str]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def ref(self, kind: str, relation: str) -> str | None:
        if relation == GHOST:
            return GHOSTS.get(kind, "ZZZ-0000-000000")
        return self.refs.get(kind, {}).get(relation)

    def add(self, kind: str, relation: str, value: Any, code: str | None = None) -> None:
        self.refs.setdefault(kind, {})[relation] = str(value)
        if code:
            self.codes.setdefault(relation, []).append(code)

    def forbidden_strings(self, persona: str) -> list[str]:
        """What must never appear in any answer to this persona."""
        visible = VISIBLE[persona]
        strings: list[str] = []
        for relation in RELATIONS:
            if relation not in visible or persona not in SEES_IDENTITIES or relation == "shredded":
                strings.extend(self.canaries.get(relation, []))
            if relation not in visible and relation not in SEES_CODES.get(persona, set()):
                strings.extend(self.codes.get(relation, []))
        return strings


GHOSTS = {
    "defender": "HRD-2026-999999",
    "case": "CASE-2026-999999",
    "incident": "INC-2026-999999",
    "assessment": "RA-2026-999999",
    "procedure": "PRC-2026-999999",
    "measure": "MSR-2026-999999",
    "disclosure": "DSC-2026-999999",
    "alert": "ALR-2026-999999",
    "task": str(uuid.UUID(int=1)),
    "communication": str(uuid.UUID(int=2)),
    "visit": str(uuid.UUID(int=3)),
    "document": str(uuid.UUID(int=4)),
    "attachment": str(uuid.UUID(int=5)),
    "merge": str(uuid.UUID(int=6)),
    "report": "RPT-2026-999999",
    "report_file": str(uuid.UUID(int=7)),
    "event": str(uuid.UUID(int=8)),
    "organisation": "ORG-999999",
    "token": "999999",
    "procedure_action": "close",
}


def _register(actor: Any, relation: str, country: str) -> Any:
    from amparo.registry.services import DefenderData, defender_register

    index = RELATIONS.index(relation)
    return defender_register(
        actor=actor,
        data=DefenderData(
            name=NAMES[relation],
            alias=f"ALIAS-CANARY-{relation}",
            country=country,
            locality=LOCALITY.format(relation),
            categories=["land_environment"],
            contacts={"phone": PHONE.format(index)},
        ),
    )


def _incident(actor: Any, defender: Any, relation: str, country: str) -> Any:
    from amparo.incidents.services import IncidentData, incident_record

    return incident_record(
        actor=actor,
        data=IncidentData(
            date=datetime.date(2026, 3, 1 + RELATIONS.index(relation)),
            country=country,
            violations=["death_threat"],
            perpetrators=["unknown"],
            perpetrator_detail=PERPETRATOR.format(relation),
            locality=LOCALITY.format(relation),
            victim_defenders=[defender],
            narrative=NARRATIVE.format(relation),
            sources=[SOURCE.format(relation)],
        ),
    )


def build_world(users: dict[str, Any], entity: Any, other_entity: Any) -> SecurityWorld:
    """Create the objects (as their legitimate authors) and the personas' clients and tokens."""
    from amparo.registry.services import case_set_restricted, case_set_team, defender_shred

    world = SecurityWorld(users=users)
    coordinator, officer = users["coordinator"], users["officer"]
    foreign = users["foreign_coordinator"]
    system = users["system"]
    authors = {
        "team": coordinator,
        "unassigned": coordinator,
        "restricted": officer,
        "foreign": foreign,
        "shredded": coordinator,
    }
    countries = {relation: "MX" if relation == "foreign" else "CO" for relation in RELATIONS}
    defenders: dict[str, Any] = {}
    incidents: dict[str, Any] = {}
    for relation in RELATIONS:
        registrar = foreign if relation == "foreign" else coordinator
        defender = _register(registrar, relation, countries[relation])
        if relation in ("team", "restricted"):
            case_set_team(actor=coordinator, case=defender.case, members=[officer])
        if relation == "restricted":
            case_set_restricted(actor=system, case=defender.case, restricted=True)
        defenders[relation] = defender
        incident = _incident(authors[relation], defender, relation, countries[relation])
        incidents[relation] = incident
        world.add("defender", relation, defender.code, defender.code)
        world.add("case", relation, defender.case.code, defender.case.code)
        world.add("incident", relation, incident.code, incident.code)
        world.canaries[relation] = [
            NAMES[relation],
            f"ALIAS-CANARY-{relation}",
            LOCALITY.format(relation),
            PHONE.format(RELATIONS.index(relation)),
            NARRATIVE.format(relation),
            PERPETRATOR.format(relation),
            SOURCE.format(relation),
            DETAILS.format(relation),
            RATIONALE.format(relation),
        ]
    _domain_objects(world, users, entity, other_entity, defenders, incidents, authors)
    defender_shred(actor=coordinator, defender=defenders["shredded"])
    _clients(world, users)
    return world


def _attempt(world: SecurityWorld, label: str, service: Any, **arguments: Any) -> Any:
    try:
        return service(**arguments)
    except Exception as exc:
        world.missing.append(f"{label}: {type(exc).__name__}: {exc}")
        return None


def _domain_objects(
    world: SecurityWorld,
    users: dict[str, Any],
    entity: Any,
    other_entity: Any,
    defenders: dict[str, Any],
    incidents: dict[str, Any],
    authors: dict[str, Any],
) -> None:
    from amparo.coordination.services import task_open
    from amparo.measures.services import MeasureData, measure_request
    from amparo.risk.services import AssessmentData, assessment_create

    now = datetime.datetime(2026, 11, 29, 8, 0, tzinfo=datetime.UTC)
    for relation in CASE_RELATIONS:
        author, defender = authors[relation], defenders[relation]
        assessment = _attempt(
            world,
            f"assessment/{relation}",
            assessment_create,
            actor=author,
            defender=defender,
            data=AssessmentData(
                threat=3, vulnerability=3, capacity=2, rationale=RATIONALE.format(relation)
            ),
        )
        if assessment is not None:
            world.add("assessment", relation, assessment.code, assessment.code)
        measure = _attempt(
            world,
            f"measure/{relation}",
            measure_request,
            actor=author,
            defender=defender,
            data=MeasureData(kind="panic_button", details={"notes": DETAILS.format(relation)}),
        )
        if measure is not None:
            world.add("measure", relation, measure.code, measure.code)
        task = _attempt(
            world,
            f"task/{relation}",
            task_open,
            actor=users["system"],
            kind="review",
            title=f"Review {defender.case.code}",
            entity=other_entity if relation == "foreign" else entity,
            case=defender.case,
            due_at=now,
        )
        if task is not None:
            world.add("task", relation, task.pk)
    _disclosure(world, users, defenders)
    _communication(world, users, defenders, incidents)


def _disclosure(world: SecurityWorld, users: dict[str, Any], defenders: dict[str, Any]) -> None:
    from amparo.measures.models import Measure
    from amparo.measures.services import DisclosureData, disclosure_create

    # The other entity discloses its case to the liaison's entity (the lead entity cannot
    # disclose to itself).
    defender = defenders["foreign"]
    disclosure = _attempt(
        world,
        "disclosure/foreign",
        disclosure_create,
        actor=users["foreign_coordinator"],
        defender=defender,
        data=DisclosureData(
            to_entity=users["liaison"].entity,
            fields=["defender_code", "measure_kind"],
            measure=Measure.objects.filter(defender=defender).first(),
            override_reason="Security suite",
        ),
    )
    if disclosure is not None:
        # Its code is not a secret of the case: the receiving entity's task names it.
        world.add("disclosure", "foreign", disclosure.code)


def _communication(
    world: SecurityWorld,
    users: dict[str, Any],
    defenders: dict[str, Any],
    incidents: dict[str, Any],
) -> None:
    from amparo.communications.services import CommunicationData, communication_draft

    communication = _attempt(
        world,
        "communication/team",
        communication_draft,
        actor=users["comms_officer"],
        data=CommunicationData(
            kind="UA",
            state="CO",
            mandates=["Special Rapporteur on the situation of human rights defenders"],
            defenders=[defenders["team"]],
            incidents=[incidents["team"]],
        ),
    )
    if communication is not None:
        world.add("communication", "team", communication.pk)


def _clients(world: SecurityWorld, users: dict[str, Any]) -> None:
    for persona in HTTP_PERSONAS:
        user = users.get(persona)
        client = Client()
        if user is not None:
            login(client, user)
            _token, raw = api_token_create(actor=user, name="security suite")
            world.tokens[persona] = raw
        world.clients[persona] = client
