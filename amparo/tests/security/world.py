"""The security suite's world: one object of each kind per relation to the personas.

Relations (DESIGN §2): "team" (entity's case, the officer on its team), "unassigned" (entity's
case, no team), "restricted" (entity's restricted case, the officer on it, the coordinator off
it), "foreign" (the other entity's case), "shredded" (an erased defender of the entity) and
"ghost" (a well-formed reference to nothing: what a hidden object must be indistinguishable
from). Every sensitive value is a canary, so a leak is a plain substring search.

Every kind of object a route addresses has real objects, made through the services by their
legitimate authors: what hangs off a case (assessment, measure, task, procedure, alert, incident
attachment, investigation, self-report and its file) in every relation; what belongs to an
entity (letters with their replies' documents, visit requests, organisations, calendar events,
merges) as the entity's ("team", or "unassigned" for a merge of two unassigned records) and the
other entity's ("foreign"); letters also about the restricted and the erased defender's case.
Amparo archives nothing (no archived relation): a record is erased (shredded) or it is live.
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
# never values); communications staff see the codes of the cases linked to their letters (the
# team case and the erased defender's).
SEES_CODES = {
    "auditor": set(RELATIONS),
    "comms_officer": {"team", "shredded"},
    "liaison": {"foreign"},
}
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
REASON = "REASON-CANARY-{} threatened at home"
EVIDENCE = "EVIDENCE-CANARY-{} photograph of the note"
OUTCOME = "OUTCOME-CANARY-{} the prosecutor's finding"
# A letter's reply, its document and a visit request belong to an entity, not to a case: they
# are canaries of the other entity only (its staff alone may read them).
REPLY = "REPLY-CANARY-{} the State's answer"
DOCUMENT = "DOCUMENT-CANARY-{} scanned reply"
VISIT = "VISIT-CANARY-{} notes on the request"
ORGANISATION = "ORGANISATION-CANARY-{} Colectivo"


Ref = str | dict[str, str]


@dataclass
class SecurityWorld:
    users: dict[str, Any]
    # kind -> relation -> URL argument (code, id, uuid), or one per argument name for an
    # object addressed by several (an incident's attachment: code and attachment_id)
    refs: dict[str, dict[str, Ref]] = field(default_factory=dict)
    # relation -> every sensitive value of that relation's defender and incident
    canaries: dict[str, list[str]] = field(default_factory=dict)
    # relation -> codes naming its objects (defender, case, incident, ...)
    codes: dict[str, list[str]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def ref(self, kind: str, relation: str) -> Ref | None:
        if relation == GHOST:
            return GHOSTS.get(kind, "ZZZ-0000-000000")
        return self.refs.get(kind, {}).get(relation)

    def add(self, kind: str, relation: str, value: Any, code: str | None = None) -> None:
        ref = {k: str(v) for k, v in value.items()} if isinstance(value, dict) else str(value)
        self.refs.setdefault(kind, {})[relation] = ref
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


GHOSTS: dict[str, Ref] = {
    "defender": "HRD-2026-999999",
    "case": "CASE-2026-999999",
    "incident": "INC-2026-999999",
    "assessment": "RA-2026-999999",
    "procedure": "PROC-2026-999999",
    "measure": "MSR-2026-999999",
    "disclosure": "DSC-2026-999999",
    "alert": "ALR-2026-999999",
    "task": str(uuid.UUID(int=1)),
    "communication": str(uuid.UUID(int=2)),
    "visit": str(uuid.UUID(int=3)),
    "document": str(uuid.UUID(int=4)),
    "attachment": {"code": "INC-2026-999999", "attachment_id": str(uuid.UUID(int=5))},
    "merge": str(uuid.UUID(int=6)),
    "pair": {"first": "HRD-2026-999998", "second": "HRD-2026-999999"},
    "incident_pair": {"first": "INC-2026-999998", "second": "INC-2026-999999"},
    "report": "RPT-2026-999999",
    "report_file": {"code": "RPT-2026-999999", "file_id": str(uuid.UUID(int=7))},
    "event": str(uuid.UUID(int=8)),
    "organisation": "ORG-ffffffffffff",
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
            REASON.format(relation),
            EVIDENCE.format(relation),
            OUTCOME.format(relation),
        ]
        if relation == "foreign":
            world.canaries[relation] += [REPLY.format(relation), DOCUMENT.format(relation)]
            world.canaries[relation] += [VISIT.format(relation), ORGANISATION.format(relation)]
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
    # Every relation, the shredded one included: its objects are made before the erasure.
    for relation in RELATIONS:
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
        _case_objects(world, users, relation, author, defender, incidents[relation])
    _disclosure(world, users, defenders, other_entity)
    _communication(world, users, entity, other_entity, defenders, incidents)
    _self_reports(world, users, defenders)
    _registry_objects(world, users, defenders, incidents)
    _foreign_token(world, users)
    _calendar_events(world, users, defenders)


def _case_objects(
    world: SecurityWorld,
    users: dict[str, Any],
    relation: str,
    author: Any,
    defender: Any,
    incident: Any,
) -> None:
    """A procedure, an alert, an attachment and an investigation on the relation's case."""
    import io

    from amparo.earlywarning.candidates import AlertCandidate
    from amparo.earlywarning.pipeline import alerts_raise
    from amparo.incidents.services import attachment_add
    from amparo.investigations.services import InvestigationChange, investigation_record
    from amparo.risk.procedures import procedure_open

    procedure = _attempt(
        world,
        f"procedure/{relation}",
        procedure_open,
        actor=author,
        defender=defender,
        kind="ordinary",
        reason=REASON.format(relation),
    )
    if procedure is not None:
        world.add("procedure", relation, procedure.code, procedure.code)
    today = datetime.datetime.now(datetime.UTC).date()
    alerts = _attempt(
        world,
        f"alert/{relation}",
        alerts_raise,
        actor=users["system"],
        candidates=[
            AlertCandidate(
                kind="escalation",
                level="warning",
                raised_on=today,
                expires_on=today + datetime.timedelta(days=30),
                defender_ids=(str(defender.pk),),
                dedupe_key=f"security-suite-{relation}",
                reason="Recent threats (security suite)",
                country=defender.country,
            )
        ],
    )
    if alerts:
        world.add("alert", relation, alerts[0].code, alerts[0].code)
    attachment = _attempt(
        world,
        f"attachment/{relation}",
        attachment_add,
        actor=author,
        incident=incident,
        upload=io.BytesIO(EVIDENCE.format(relation).encode()),
        filename="evidence.txt",
        content_type="text/plain",
    )
    if attachment is not None:
        world.add("attachment", relation, {"code": incident.code, "attachment_id": attachment.pk})
    investigation = _attempt(
        world,
        f"investigation/{relation}",
        investigation_record,
        actor=author,
        incident=incident,
        change=InvestigationChange(
            stage="complaint_filed",
            on=incident.date,
            authority="Fiscalía",
            note=OUTCOME.format(relation),
            outcome=OUTCOME.format(relation),
        ),
    )
    if investigation is not None:
        # The API addresses an investigation by its incident's code.
        world.add("investigation", relation, incident.code)


def _disclosure(
    world: SecurityWorld, users: dict[str, Any], defenders: dict[str, Any], other_entity: Any
) -> None:
    """The other entity discloses its case to the liaison's entity ("foreign"); the entity
    discloses its team case to the other entity ("team"). A lead entity cannot disclose to
    itself."""
    from amparo.measures.models import Measure
    from amparo.measures.services import DisclosureData, disclosure_create

    for relation, actor, to_entity in (
        ("foreign", users["foreign_coordinator"], users["liaison"].entity),
        ("team", users["coordinator"], other_entity),
    ):
        defender = defenders[relation]
        disclosure = _attempt(
            world,
            f"disclosure/{relation}",
            disclosure_create,
            actor=actor,
            defender=defender,
            data=DisclosureData(
                to_entity=to_entity,
                fields=["defender_code", "measure_kind"],
                measure=Measure.objects.filter(defender=defender).first(),
                override_reason="Security suite",
            ),
        )
        if disclosure is not None:
            # Its code is not a secret of the case: the receiving entity's task names it.
            world.add("disclosure", relation, disclosure.code)


def _letter(
    world: SecurityWorld,
    label: str,
    actor: Any,
    defenders: list[Any],
    incidents: list[Any],
    entity: Any = None,
) -> Any:
    from amparo.communications.services import CommunicationData, communication_draft

    return _attempt(
        world,
        label,
        communication_draft,
        actor=actor,
        entity=entity,
        data=CommunicationData(
            kind="UA",
            state="MX" if label.endswith("foreign") else "CO",
            mandates=["Special Rapporteur on the situation of human rights defenders"],
            defenders=defenders,
            incidents=incidents,
        ),
    )


def _sent_with_document(world: SecurityWorld, relation: str, drafter: Any, approver: Any) -> Any:
    """A letter sent (four eyes), its reply and the reply's document. It links no case:
    sending needs the linked defenders' consent to share, which is not the point here."""
    import io

    from amparo.communications.services import (
        ReplyData,
        communication_approve_send,
        communication_submit,
        reply_document_add,
        reply_record,
    )

    letter = _letter(world, f"sent letter/{relation}", drafter, [], [])
    if letter is None:
        return None
    sent = _attempt(
        world,
        f"sent letter/{relation}",
        lambda: communication_approve_send(
            actor=approver,
            communication=communication_submit(actor=drafter, communication=letter),
        ),
    )
    reply = _attempt(
        world,
        f"reply/{relation}",
        reply_record,
        actor=drafter,
        communication=letter,
        data=ReplyData(
            received_on=datetime.datetime.now(datetime.UTC).date(),
            kind="partial",
            summary=REPLY.format(relation),
        ),
    )
    if sent is None or reply is None:
        return None
    document = _attempt(
        world,
        f"document/{relation}",
        reply_document_add,
        actor=drafter,
        reply=reply,
        upload=io.BytesIO(DOCUMENT.format(relation).encode()),
        filename="reply.txt",
        content_type="text/plain",
    )
    if document is not None:
        world.add("document", relation, document.pk)
    return letter


def _communication(
    world: SecurityWorld,
    users: dict[str, Any],
    entity: Any,
    other_entity: Any,
    defenders: dict[str, Any],
    incidents: dict[str, Any],
) -> None:
    """Letters: the entity's draft on the team case; the other entity's letter, sent and
    answered; a letter linking the restricted case (drafted before it was restricted would be
    the product's path; the system drafts it here) and one linking the erased defender."""
    from amparo.accounts.models import Role
    from amparo.accounts.services import user_create

    comms, coordinator = users["comms_officer"], users["coordinator"]
    drafts = {
        "team": _letter(
            world, "communication/team", comms, [defenders["team"]], [incidents["team"]]
        ),
        "restricted": _letter(
            world,
            "communication/restricted",
            users["system"],
            [defenders["restricted"]],
            [incidents["restricted"]],
            entity=entity,
        ),
        "shredded": _letter(
            world,
            "communication/shredded",
            comms,
            [defenders["shredded"]],
            [incidents["shredded"]],
        ),
    }
    # The other entity's second pair of eyes for its letters.
    foreign_comms, _device = user_create(
        actor=users["system"],
        username="foreign_comms",
        role=Role.COMMUNICATIONS_OFFICER,
        entity=other_entity,
        password="correct horse battery staple",
        validate=False,
    )
    drafts["foreign"] = _sent_with_document(
        world, "foreign", users["foreign_coordinator"], foreign_comms
    )
    _sent_with_document(world, "team", comms, coordinator)
    for relation, letter in drafts.items():
        if letter is not None:
            world.add("communication", relation, letter.pk)
    _letter_follow_up(world, users, entity, drafts["team"])
    _visits(world, users)


def _letter_follow_up(
    world: SecurityWorld, users: dict[str, Any], entity: Any, letter: Any
) -> None:
    """The team letter's follow-up task (no case, the entity's, as replies_remind opens it):
    it stands for the "unassigned" task, so that a communications officer's tasks are exercised
    (table.TASK); the unassigned case's own task stays in the lists."""
    from amparo.coordination.services import task_open

    if letter is None:
        return
    task = _attempt(
        world,
        "task/letter follow-up",
        task_open,
        actor=users["system"],
        kind="other",
        title="Follow up a letter: no reply yet",
        entity=entity,
        due_at=datetime.datetime(2026, 11, 29, 8, 0, tzinfo=datetime.UTC),
        subject_type="communication",
        subject_id=str(letter.pk),
    )
    if task is not None:
        world.add("task", "unassigned", task.pk)


def _visits(world: SecurityWorld, users: dict[str, Any]) -> None:
    from amparo.communications.services import VisitData, visit_save

    for relation, actor, state in (
        ("team", users["comms_officer"], "CO"),
        ("foreign", users["foreign_coordinator"], "MX"),
    ):
        visit = _attempt(
            world,
            f"visit/{relation}",
            visit_save,
            actor=actor,
            data=VisitData(
                state=state,
                years_requested=[2026],
                first_requested_on=datetime.date(2026, 1, 10),
                notes=VISIT.format(relation),
            ),
        )
        if visit is not None:
            world.add("visit", relation, visit.pk)


def _self_reports(world: SecurityWorld, users: dict[str, Any], defenders: dict[str, Any]) -> None:
    """A self-report, with a file, from each defender's own account (it names their case)."""
    import io

    from amparo.accounts.models import Role
    from amparo.accounts.services import user_create
    from amparo.portal.models import ReportFile
    from amparo.portal.services import ReportContent, Upload, report_submit

    for relation in ("team", "restricted", "foreign", "shredded"):
        defender = defenders[relation]
        # The team defender's account is the defender persona's.
        account, _device = user_create(
            actor=users["system"],
            username="defender" if relation == "team" else f"reporter_{relation}",
            role=Role.DEFENDER,
            defender=defender,
            password="correct horse battery staple",
            validate=False,
        )
        submitted = _attempt(
            world,
            f"report/{relation}",
            report_submit,
            actor=account,
            content=ReportContent(
                what_happened=NARRATIVE.format(relation),
                occurred_on=datetime.date(2026, 3, 10),
                country=defender.country,
                violations=["threat"],
                person_name=NAMES[relation],
                perpetrator=PERPETRATOR.format(relation),
            ),
            uploads=[
                Upload(name="note.txt", handle=io.BytesIO(EVIDENCE.format(relation).encode()))
            ],
        )
        if relation == "team":
            users["defender_user"] = account
        if submitted is None:
            continue
        report = submitted[0]
        world.add("report", relation, report.code, report.code)
        report_file = ReportFile.objects.filter(report=report).first()
        if report_file is not None:
            world.add("report_file", relation, {"code": report.code, "file_id": report_file.pk})


def _registry_objects(
    world: SecurityWorld,
    users: dict[str, Any],
    defenders: dict[str, Any],
    incidents: dict[str, Any],
) -> None:
    """Organisations, merges of two records, candidate pairs, and another user's API token.

    A pair is seen by whoever sees both records: "unassigned" (the team and the unassigned
    case), "restricted" (the team and the restricted case), "foreign" (two of the other
    entity's records), "shredded" (the team and the erased defender)."""
    from amparo.registry.merge import defender_merge
    from amparo.registry.services import OrganisationData, organisation_create

    for relation, actor, country in (
        ("team", users["coordinator"], "CO"),
        ("foreign", users["foreign_coordinator"], "MX"),
    ):
        organisation = _attempt(
            world,
            f"organisation/{relation}",
            organisation_create,
            actor=actor,
            data=OrganisationData(name=ORGANISATION.format(relation), kind="ngo", country=country),
        )
        if organisation is not None:
            world.add("organisation", relation, organisation.external_id)
    survivors: dict[str, Any] = {}
    for relation, actor, country in (
        ("unassigned", users["coordinator"], "CO"),
        ("foreign", users["foreign_coordinator"], "MX"),
    ):
        survivor = _register(actor, relation, country)
        absorbed = _register(actor, relation, country)
        second_incident = _incident(actor, survivor, relation, country)
        world.codes[relation] += [survivor.code, absorbed.code, second_incident.code]
        merge = _attempt(
            world,
            f"merge/{relation}",
            defender_merge,
            actor=actor,
            survivor=survivor,
            absorbed=absorbed,
        )
        if merge is not None:
            world.add("merge", relation, merge.pk)
        survivors[relation] = (survivor, second_incident)
    for relation, (first, second) in {
        "unassigned": ("team", "unassigned"),
        "restricted": ("team", "restricted"),
        "shredded": ("team", "shredded"),
    }.items():
        pair = {"first": defenders[first].code, "second": defenders[second].code}
        world.add("pair", relation, pair)
        pair = {"first": incidents[first].code, "second": incidents[second].code}
        world.add("incident_pair", relation, pair)
    survivor, second_incident = survivors["foreign"]
    world.add("pair", "foreign", {"first": defenders["foreign"].code, "second": survivor.code})
    pair = {"first": incidents["foreign"].code, "second": second_incident.code}
    world.add("incident_pair", "foreign", pair)


def _foreign_token(world: SecurityWorld, users: dict[str, Any]) -> None:
    """A token of a user no persona is: revoking it must answer as revoking none."""
    from amparo.accounts.models import User

    owner = User.objects.get(username="foreign_comms")
    token, _raw = api_token_create(actor=owner, name="another user's token")
    world.add("token", "foreign", token.pk)


def _calendar_events(
    world: SecurityWorld, users: dict[str, Any], defenders: dict[str, Any]
) -> None:
    """A demonstration ahead for the team defender (their check-in is open) and one of the
    other entity's calendar, about its defender."""
    from amparo.earlywarning.services import EventData, event_create

    start = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=5)
    for relation, actor in (
        ("team", users["coordinator"]),
        ("foreign", users["foreign_coordinator"]),
    ):
        defender = defenders[relation]
        event = _attempt(
            world,
            f"event/{relation}",
            event_create,
            actor=actor,
            data=EventData(
                kind="demonstration",
                start=start,
                country=defender.country,
                title="March (security suite)",
                defenders=[defender],
            ),
        )
        if event is not None:
            world.add("event", relation, event.pk)


def _clients(world: SecurityWorld, users: dict[str, Any]) -> None:
    for persona in HTTP_PERSONAS:
        user = users.get(persona)
        # A server error is a verdict of its cell, not the end of the run.
        client = Client(raise_request_exception=False)
        if user is not None:
            login(client, user)
            _token, raw = api_token_create(actor=user, name="security suite")
            world.tokens[persona] = raw
        world.clients[persona] = client
