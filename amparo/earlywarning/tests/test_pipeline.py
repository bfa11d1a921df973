"""The alert pipeline: create, merge, split per entity, tasks, audit, expiry."""

from __future__ import annotations

import datetime

import pytest

from amparo.audit.models import AuditEvent
from amparo.coordination.models import Task
from amparo.earlywarning.candidates import AlertCandidate
from amparo.earlywarning.models import Alert
from amparo.earlywarning.pipeline import alerts_expire, alerts_raise
from amparo.registry.services import DefenderData, defender_register

D = datetime.date
NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
EXPIRES = D(2026, 6, 30)


def _register(actor, name):
    return defender_register(
        actor=actor, data=DefenderData(name=name, country="CO", categories=["journalist"])
    )


def _candidate(defenders, level="warning", expires=EXPIRES, key="calendar:e1", **extra):
    return AlertCandidate(
        kind="calendar",
        level=level,
        raised_on=D(2026, 6, 1),
        expires_on=expires,
        defender_ids=tuple(sorted(str(d.pk) for d in defenders)),
        dedupe_key=key,
        reason="Calendar window of a demonstration event opens on 2026-06-13.",
        evidence=extra.pop("evidence", {"rule": "calendar"}),
        recommended_measures=("security_training",),
        **extra,
    )


@pytest.mark.django_db
def test_raise_creates_an_alert_a_task_and_an_audit_row(system, coordinator, entity):
    ana = _register(coordinator, "Ana")
    (alert,) = alerts_raise(actor=system, candidates=[_candidate([ana])], now=NOW)
    assert alert.code.startswith("ALR-") and len(alert.code) == len("ALR-2026-000001")
    assert (alert.kind, alert.level, alert.status, alert.lead_entity) == (
        "calendar",
        "warning",
        "open",
        entity,
    )
    assert alert.sla_due_at == NOW + datetime.timedelta(hours=72)
    assert list(alert.defenders.all()) == [ana]
    task = Task.objects.get(subject_type="alert", subject_id=str(alert.pk))
    assert (task.kind, task.entity, task.case, task.due_at) == (
        "other",
        entity,
        ana.case,
        alert.sla_due_at,
    )
    assert AuditEvent.objects.filter(action="alert.raise", object_id=str(alert.pk)).count() == 1


@pytest.mark.django_db
def test_same_cause_merges_instead_of_repeating(system, coordinator):
    ana, ben = _register(coordinator, "Ana"), _register(coordinator, "Ben")
    (first,) = alerts_raise(actor=system, candidates=[_candidate([ana], level="watch")], now=NOW)
    assert alerts_raise(actor=system, candidates=[_candidate([ana], level="watch")], now=NOW) == []
    later = NOW + datetime.timedelta(hours=1)
    (merged,) = alerts_raise(
        actor=system,
        candidates=[_candidate([ana, ben], level="urgent", expires=D(2026, 7, 9))],
        now=later,
    )
    assert merged.pk == first.pk
    assert Alert.objects.count() == 1
    merged.refresh_from_db()
    assert (merged.level, merged.expires_on) == ("urgent", D(2026, 7, 9))
    assert merged.sla_due_at == later + datetime.timedelta(hours=24)
    assert set(merged.defenders.all()) == {ana, ben}
    # A lower level never lowers the alert.
    alerts_raise(actor=system, candidates=[_candidate([ana], level="watch")], now=later)
    merged.refresh_from_db()
    assert merged.level == "urgent"
    assert Task.objects.filter(subject_type="alert").count() == 1
    assert AuditEvent.objects.filter(action="alert.merge").count() == 1


@pytest.mark.django_db
def test_defenders_of_several_entities_get_one_alert_each(
    system, coordinator, foreign_coordinator, entity, other_entity
):
    ana, zoe = _register(coordinator, "Ana"), _register(foreign_coordinator, "Zoe")
    alerts = alerts_raise(actor=system, candidates=[_candidate([ana, zoe])], now=NOW)
    assert {(a.lead_entity, tuple(a.defenders.all())) for a in alerts} == {
        (entity, (ana,)),
        (other_entity, (zoe,)),
    }
    assert {a.dedupe_key for a in alerts} == {"calendar:e1"}


@pytest.mark.django_db
def test_expire_closes_the_alert_and_its_task(system, coordinator):
    ana = _register(coordinator, "Ana")
    (alert,) = alerts_raise(actor=system, candidates=[_candidate([ana])], now=NOW)
    assert alerts_expire(actor=system, today=D(2026, 6, 30)) == 0
    assert alerts_expire(actor=system, today=D(2026, 7, 1)) == 1
    alert.refresh_from_db()
    assert (alert.status, alert.dismissed_reason) == ("dismissed", "expired")
    assert Task.objects.get(subject_id=str(alert.pk)).status == "done"
    # After expiry the same cause raises a fresh alert.
    fresh = _candidate([ana], expires=D(2026, 8, 1))
    (second,) = alerts_raise(actor=system, candidates=[fresh], now=NOW)
    assert second.pk != alert.pk


@pytest.mark.django_db
def test_recording_an_incident_scans_the_affected_defenders(
    coordinator, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from amparo.incidents.services import IncidentData, incident_record

    ana = _register(coordinator, "Ana")
    with django_capture_on_commit_callbacks(execute=True):
        incident_record(
            actor=coordinator,
            data=IncidentData(
                date=timezone.localdate(),
                country="CO",
                violations=["death_threat"],
                victim_defenders=[ana],
            ),
        )
    alert = Alert.objects.get()
    assert (alert.kind, alert.level, list(alert.defenders.all())) == ("escalation", "urgent", [ana])
    assert AuditEvent.objects.get(action="alert.raise").actor_label == "system:early-warning"


@pytest.mark.django_db
def test_a_failing_incremental_scan_never_fails_the_write(
    coordinator, django_capture_on_commit_callbacks, caplog
):
    from unittest import mock

    from django.utils import timezone

    from amparo.incidents.models import Incident
    from amparo.incidents.services import IncidentData, incident_record

    ana = _register(coordinator, "Ana")
    with (
        mock.patch("amparo.earlywarning.engine.scan_as_of", side_effect=RuntimeError("Ana")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        incident_record(
            actor=coordinator,
            data=IncidentData(
                date=timezone.localdate(),
                country="CO",
                violations=["threat"],
                victim_defenders=[ana],
            ),
        )
    assert Incident.objects.count() == 1
    assert not Alert.objects.exists()
    assert "RuntimeError" in caplog.text and "Ana" not in caplog.text


@pytest.mark.django_db
def test_one_transaction_one_incremental_scan(coordinator, django_capture_on_commit_callbacks):
    from unittest import mock

    from django.db import transaction
    from django.utils import timezone

    from amparo.earlywarning import engine
    from amparo.incidents.services import IncidentData, incident_record

    ana, ben = _register(coordinator, "Ana"), _register(coordinator, "Ben")
    with (
        mock.patch.object(engine, "scan_as_of", wraps=engine.scan_as_of) as scan,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        for victim in (ana, ben):
            incident_record(
                actor=coordinator,
                data=IncidentData(
                    date=timezone.localdate(),
                    country="CO",
                    violations=["death_threat"],
                    victim_defenders=[victim],
                ),
            )
    assert scan.call_count == 1
    assert sorted(scan.call_args.kwargs["defender_ids"]) == sorted([str(ana.pk), str(ben.pk)])
    assert Alert.objects.filter(kind="escalation", level="urgent").count() == 2


@pytest.mark.django_db
def test_the_incremental_scan_reaches_relatives_colleagues_and_attacked_organisations(
    coordinator,
):
    """Who an incident affects, for a whole transaction at once: its victims, the defenders
    whose relatives it hit, the members of their organisations and of the organisations
    attacked; nobody else."""
    from django.utils import timezone

    from amparo.earlywarning.pipeline import _affected_by_incidents
    from amparo.incidents.services import IncidentData, incident_record
    from amparo.registry.services import (
        OrganisationData,
        PersonData,
        organisation_create,
        person_create,
    )

    union = organisation_create(
        actor=coordinator, data=OrganisationData(name="Sindicato", kind="union", country="CO")
    )
    radio = organisation_create(
        actor=coordinator, data=OrganisationData(name="Radio", kind="media", country="CO")
    )

    def member(name, *organisations):
        return defender_register(
            actor=coordinator,
            data=DefenderData(
                name=name,
                country="CO",
                categories=["journalist"],
                organisations=list(organisations),
            ),
        )

    ana, ben, carla, dora = (
        member("Ana", union),
        member("Ben", union),
        member("Carla"),
        member("Dora", radio),
    )
    eva, _outsider = member("Eva"), member("Fausto")
    carla_son = person_create(
        actor=coordinator, defender=carla, data=PersonData(name="Hijo", relation="child")
    )
    day = timezone.localdate()
    first = incident_record(
        actor=coordinator,
        data=IncidentData(date=day, country="CO", violations=["threat"], victim_defenders=[ana]),
    )
    second = incident_record(
        actor=coordinator,
        data=IncidentData(
            date=day,
            country="CO",
            violations=["threat"],
            victim_persons=[carla_son],
            organisations=[radio],
        ),
    )
    third = incident_record(
        actor=coordinator,
        data=IncidentData(date=day, country="CO", violations=["threat"], victim_defenders=[eva]),
    )

    found = _affected_by_incidents([first.pk, second.pk, third.pk])

    assert found == {str(d.pk) for d in (ana, ben, carla, dora, eva)}
    assert _affected_by_incidents([]) == set()
