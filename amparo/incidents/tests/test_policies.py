"""Incidents, persona by persona: who sees which, who may document them, what a denial leaves."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from amparo.audit.models import AuditEvent
from amparo.conftest import PERSONAS
from amparo.core.policy import sees_identities
from amparo.incidents.models import Attachment, Incident
from amparo.incidents.policies import may_record_incident
from amparo.incidents.presenters import present_incident, present_incidents
from amparo.incidents.selectors import (
    IncidentFilters,
    incident_get,
    incident_list,
    incidents_concerning,
)
from amparo.incidents.services import IncidentData, attachment_add, incident_record, incident_update
from amparo.registry.services import (
    OrganisationData,
    PersonData,
    organisation_create,
    person_create,
)

pytestmark = pytest.mark.django_db

INCIDENTS = ("team", "unassigned", "restricted", "foreign", "org_by_officer", "org_by_coordinator")
VISIBLE = {
    "coordinator": {"team", "unassigned", "org_by_officer", "org_by_coordinator"},
    "officer": {"team", "restricted", "org_by_officer"},
    "foreign_coordinator": {"foreign"},
    "analyst": {"team", "unassigned", "org_by_officer", "org_by_coordinator"},
    "defender_user": {"team"},
    "system": set(INCIDENTS),
}
MAY_CHANGE = {
    "coordinator": {"team", "unassigned", "org_by_officer", "org_by_coordinator"},
    "officer": {"team", "restricted", "org_by_officer"},
    "foreign_coordinator": {"foreign"},
    "system": set(INCIDENTS),
}


@pytest.fixture
def incidents(world, system, coordinator, officer, foreign_coordinator, entity):
    community = organisation_create(
        actor=system,
        entity=entity,
        data=OrganisationData(name="Consejo Comunitario", kind="community", country="CO"),
    )

    def record(actor, victims=(), organisations=()):
        return incident_record(
            actor=actor,
            data=IncidentData(
                date=datetime.date(2026, 3, 1),
                country="CO",
                violations=["threat"],
                victim_defenders=list(victims),
                organisations=list(organisations),
                narrative=f"Narrative by {actor}",
                locality="Vereda",
            ),
        )

    return {
        "team": record(coordinator, [world.team_defender]),
        "unassigned": record(coordinator, [world.unassigned_defender]),
        "restricted": record(system, [world.restricted_defender]),
        "foreign": record(foreign_coordinator, [world.foreign_defender]),
        "org_by_officer": record(officer, organisations=[community]),
        "org_by_coordinator": record(coordinator, organisations=[community]),
    }


@pytest.fixture(params=PERSONAS)
def persona(request, incidents):
    return request.param, request.getfixturevalue(request.param)


def codes(incidents, keys):
    return sorted(incidents[k].code for k in keys)


def test_incident_list(incidents, persona):
    name, actor = persona

    listed = incident_list(actor=actor)

    assert sorted(i.code for i in listed) == codes(incidents, VISIBLE.get(name, set()))
    assert listed.count() == len(VISIBLE.get(name, set()))


def test_incident_get(incidents, persona):
    name, actor = persona
    for key, incident in incidents.items():
        if key in VISIBLE.get(name, set()):
            assert incident_get(actor=actor, code=incident.code).pk == incident.pk
        else:
            with pytest.raises(Http404):
                incident_get(actor=actor, code=incident.code)


def test_filtering_by_an_invisible_defender_finds_nothing(
    world, incidents, persona, visible_defenders
):
    name, actor = persona
    for key in ("team", "unassigned", "restricted", "foreign"):
        defender = getattr(world, f"{key}_defender")
        hits = [
            i.code
            for i in incident_list(actor=actor, filters=IncidentFilters(defender=defender.code))
        ]
        assert hits == ([incidents[key].code] if key in VISIBLE.get(name, set()) else []), key


def test_incidents_concerning_stay_within_scope(world, incidents, officer):
    assert [i.code for i in incidents_concerning(actor=officer, defender=world.team_defender)] == [
        incidents["team"].code
    ]
    assert list(incidents_concerning(actor=officer, defender=world.unassigned_defender)) == []


def attempt(write):
    before = (
        Incident.objects.count(),
        Attachment.objects.count(),
        AuditEvent.objects.count(),
        sorted((str(pk), str(u)) for pk, u in Incident.objects.values_list("pk", "updated_at")),
    )
    try:
        write()
    except PermissionDenied:
        after = (
            Incident.objects.count(),
            Attachment.objects.count(),
            AuditEvent.objects.count(),
            sorted((str(pk), str(u)) for pk, u in Incident.objects.values_list("pk", "updated_at")),
        )
        assert after == before
        return "denied"
    return "done"


def same_data(incident, **changes):
    incident = Incident.objects.get(pk=incident.pk)
    values = {
        "date": incident.date,
        "country": incident.country,
        "violations": ["threat"],
        "victim_defenders": list(incident.victim_defenders.all()),
        "organisations": list(incident.organisations.all()),
        "narrative": incident.narrative or "",
        "locality": incident.locality or "",
    }
    return incident, IncidentData(**{**values, **changes})


def test_incident_update(incidents, persona):
    name, actor = persona

    def write(key):
        incident, data = same_data(incidents[key], verification="corroborated")
        incident_update(actor=actor, incident=incident, data=data)

    outcome = {key: attempt(lambda key=key: write(key)) for key in INCIDENTS}

    assert outcome == {
        key: "done" if key in MAY_CHANGE.get(name, set()) else "denied" for key in INCIDENTS
    }


def test_attachment_add(incidents, persona, settings):
    name, actor = persona

    def write(key):
        attachment_add(
            actor=actor,
            incident=Incident.objects.get(pk=incidents[key].pk),
            upload=io.BytesIO(b"evidence"),
            filename="acta.pdf",
            content_type="application/pdf",
        )

    outcome = {key: attempt(lambda key=key: write(key)) for key in INCIDENTS}

    assert outcome == {
        key: "done" if key in MAY_CHANGE.get(name, set()) else "denied" for key in INCIDENTS
    }
    stored = sorted(p.name for p in settings.AMPARO_ATTACHMENTS_DIR.glob("*"))
    expected_ids = Attachment.objects.filter(
        incident__in=[incidents[k] for k in INCIDENTS]
    ).values_list("pk", flat=True)
    assert set(stored) >= {f"{pk}.bin" for pk in expected_ids}


@pytest.mark.parametrize(
    ("persona_name", "may"),
    [
        ("coordinator", True),
        ("officer", True),
        ("other_officer", True),
        ("analyst", False),
        ("liaison", False),
        ("auditor", False),
        ("admin_user", False),
        ("anonymous", False),
        ("inactive_coordinator", False),
        ("system", True),
    ],
)
def test_who_may_record_an_incident_without_a_case(request, persona_name, may, entity):
    actor = request.getfixturevalue(persona_name)
    assert may_record_incident(actor, None) is may


def test_presenting(incidents, persona):
    _name, actor = persona
    visible = list(incident_list(actor=actor).order_by("code"))
    mark = AuditEvent.objects.count()

    views = present_incidents(actor, visible, via="list")

    events = list(AuditEvent.objects.filter(seq__gt=mark).values_list("action", "object_id"))
    if sees_identities(actor):
        assert [v.narrative for v in views] == [i.narrative for i in visible]
        assert events == [("incident.read", str(i.pk)) for i in visible]
    else:
        assert [(v.narrative, v.locality, v.details_shown) for v in views] == [
            (None, None, False)
        ] * len(visible)
        assert events == []


def test_victims_the_actor_may_not_see_are_counted_not_named(world, system, coordinator):
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
    mark = AuditEvent.objects.count()

    view = present_incident(
        coordinator, incident_get(actor=coordinator, code=incident.code), via="page"
    )

    assert [(v.ref, v.label) for v in view.victims] == [
        (world.team_defender.code, world.names["team"])
    ]
    assert view.hidden_victims == 2
    assert list(AuditEvent.objects.filter(seq__gt=mark).values_list("action", "object_id")) == [
        ("defender.read", str(world.team_defender.pk)),
        ("incident.read", str(incident.pk)),
    ]


class TestLinkingOnlyWhatTheActorSees:
    """Services do not trust their callers to have resolved victims through the selectors."""

    def snapshot(self):
        return (Incident.objects.count(), AuditEvent.objects.count())

    def test_an_invisible_victim_is_unknown(self, world, officer):
        before = self.snapshot()

        with pytest.raises(ValidationError) as caught:
            incident_record(
                actor=officer,
                data=IncidentData(
                    date=datetime.date(2026, 3, 1),
                    country="CO",
                    violations=["threat"],
                    victim_defenders=[world.team_defender, world.unassigned_defender],
                ),
            )

        assert caught.value.message_dict == {"victims": ["Unknown victim."]}
        assert self.snapshot() == before

    def test_an_invisible_relative_or_organisation_is_unknown(
        self, world, system, officer, other_entity
    ):
        relative = person_create(
            actor=system,
            defender=world.foreign_defender,
            data=PersonData(name="Rosa", relation="parent"),
        )
        foreign_org = organisation_create(
            actor=system,
            entity=other_entity,
            data=OrganisationData(name="Colectivo", kind="informal", country="MX"),
        )
        before = self.snapshot()

        with pytest.raises(ValidationError) as caught:
            incident_record(
                actor=officer,
                data=IncidentData(
                    date=datetime.date(2026, 3, 1),
                    country="CO",
                    violations=["threat"],
                    victim_defenders=[world.team_defender],
                    victim_persons=[relative],
                    organisations=[foreign_org],
                ),
            )

        assert caught.value.message_dict == {
            "victims": ["Unknown victim."],
            "organisations": ["Unknown organisation."],
        }
        assert self.snapshot() == before

    def test_hidden_victims_already_linked_may_stay_but_none_may_be_added(
        self, world, system, coordinator
    ):
        incident = incident_record(
            actor=system,
            data=IncidentData(
                date=datetime.date(2026, 3, 1),
                country="CO",
                violations=["threat"],
                victim_defenders=[world.team_defender, world.restricted_defender],
            ),
        )
        kept = [world.team_defender, world.restricted_defender]

        changed = incident_update(
            actor=coordinator,
            incident=Incident.objects.get(pk=incident.pk),
            data=IncidentData(
                date=datetime.date(2026, 3, 1),
                country="CO",
                violations=["threat"],
                victim_defenders=kept,
                verification="corroborated",
            ),
        )
        assert changed == ["verification"]

        before = self.snapshot()
        with pytest.raises(ValidationError):
            incident_update(
                actor=coordinator,
                incident=Incident.objects.get(pk=incident.pk),
                data=IncidentData(
                    date=datetime.date(2026, 3, 1),
                    country="CO",
                    violations=["threat"],
                    victim_defenders=[*kept, world.foreign_defender],
                    verification="corroborated",
                ),
            )
        assert self.snapshot() == before
