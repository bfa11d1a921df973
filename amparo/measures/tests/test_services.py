"""Measure services: the transition table, the provider training gate, refusals and
replacements, relocations, interim requests, feedback, safety plans; denied writes leave
nothing behind."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amparo.audit.models import AuditEvent
from amparo.coordination.models import Task
from amparo.measures.models import (
    InterimMeasureRequest,
    Measure,
    MeasureFeedback,
    MeasureStatus,
    MeasureStatusChange,
    Relocation,
    SafetyPlan,
)
from amparo.measures.services import (
    TRANSITIONS,
    FeedbackData,
    InterimData,
    MeasureData,
    RelocationData,
    feedback_record,
    interim_request_save,
    measure_assign_provider,
    measure_replace,
    measure_request,
    measure_transition,
    relocation_save,
    safety_plan_save,
)
from amparo.registry.services import PersonData, person_create

from .conftest import CANARY_REFUSAL

pytestmark = pytest.mark.django_db
S = MeasureStatus
ALL = list(S.values)

# Every pair of the transition table: allowed ones and refused ones.
ALLOWED = {
    "requested": {"under_assessment", "approved", "rejected", "refused_by_defender"},
    "under_assessment": {"approved", "rejected", "refused_by_defender"},
    "approved": {"in_place", "refused_by_defender", "ended"},
    "in_place": {"under_review", "refused_by_defender", "ended"},
    "under_review": {"in_place", "refused_by_defender", "ended"},
    "rejected": set(),
    "refused_by_defender": set(),
    "ended": set(),
}
# How to reach each status from "requested".
PATHS = {
    "requested": [],
    "under_assessment": ["under_assessment"],
    "approved": ["approved"],
    "rejected": ["rejected"],
    "in_place": ["approved", "in_place"],
    "under_review": ["approved", "in_place", "under_review"],
    "ended": ["approved", "ended"],
    "refused_by_defender": ["refused_by_defender"],
}


def test_the_table_is_the_documented_one():
    assert {k: set(v) for k, v in TRANSITIONS.items()} == ALLOWED


def _measure(actor, defender, kind="police_protection", **extra):
    return measure_request(actor=actor, defender=defender, data=MeasureData(kind=kind, **extra))


def _walk(actor, measure, path):
    for step in path:
        measure_transition(actor=actor, measure=measure, to_status=step, reason="because")
    return measure


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", ALL)
def test_every_transition(coordinator, lucia, start, target):
    measure = _walk(coordinator, _measure(coordinator, lucia), PATHS[start])
    assert measure.status == start
    rows = MeasureStatusChange.objects.filter(measure=measure).count()
    if target in ALLOWED[start]:
        measure_transition(actor=coordinator, measure=measure, to_status=target, reason="why")
        measure.refresh_from_db()
        assert measure.status == target
        last = measure.history.order_by("-at", "-pk").first()
        assert (last.from_status, last.to_status) == (start, target)
    else:
        events = AuditEvent.objects.count()
        with pytest.raises(ValidationError):
            measure_transition(actor=coordinator, measure=measure, to_status=target, reason="why")
        measure.refresh_from_db()
        assert measure.status == start
        assert MeasureStatusChange.objects.filter(measure=measure).count() == rows
        assert AuditEvent.objects.count() == events


def test_dates_are_set_by_the_transitions(coordinator, lucia):
    t0 = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)
    measure = measure_request(
        actor=coordinator, defender=lucia, data=MeasureData(kind="panic_button"), now=t0
    )
    assert measure.requested_at == t0
    measure_transition(
        actor=coordinator,
        measure=measure,
        to_status="approved",
        now=t0 + datetime.timedelta(hours=2),
    )
    measure_transition(
        actor=coordinator,
        measure=measure,
        to_status="in_place",
        now=t0 + datetime.timedelta(hours=5),
    )
    measure.refresh_from_db()
    assert measure.decided_at == t0 + datetime.timedelta(hours=2)
    assert measure.implemented_at == t0 + datetime.timedelta(hours=5)
    # No risk level yet: the medium interval (180 days).
    assert measure.review_due_on == datetime.date(2026, 3, 1) + datetime.timedelta(days=180)
    measure_transition(
        actor=coordinator, measure=measure, to_status="ended", now=t0 + datetime.timedelta(days=9)
    )
    measure.refresh_from_db()
    assert measure.ended_at == t0 + datetime.timedelta(days=9)


def test_refusal_needs_a_reason_and_keeps_it_encrypted(coordinator, lucia):
    measure = _walk(coordinator, _measure(coordinator, lucia), ["approved"])
    with pytest.raises(ValidationError) as error:
        measure_transition(actor=coordinator, measure=measure, to_status="refused_by_defender")
    assert "reason" in error.value.message_dict
    measure_transition(
        actor=coordinator, measure=measure, to_status="refused_by_defender", reason=CANARY_REFUSAL
    )
    fresh = Measure.objects.get(pk=measure.pk)
    assert fresh.refusal_reason == CANARY_REFUSAL
    raw = Measure.objects.filter(pk=measure.pk).values_list("refusal_reason", flat=True)[0]
    assert CANARY_REFUSAL.encode() not in bytes(raw)


def test_decisions_are_for_coordinators(officer, coordinator, lucia):
    measure = _measure(officer, lucia)
    for target in ("approved", "rejected"):
        events = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            measure_transition(actor=officer, measure=measure, to_status=target)
        assert AuditEvent.objects.count() == events
    measure_transition(actor=officer, measure=measure, to_status="under_assessment")
    measure_transition(actor=coordinator, measure=measure, to_status="approved")
    measure_transition(actor=officer, measure=measure, to_status="in_place")
    assert measure.status == "in_place"


@pytest.mark.parametrize(
    "persona",
    ["other_officer", "foreign_coordinator", "analyst", "liaison", "auditor", "admin_user"],
)
def test_outsiders_may_not_request_or_move(request, persona, coordinator, lucia):
    actor = request.getfixturevalue(persona)
    measure = _measure(coordinator, lucia)
    counts = (
        Measure.objects.count(),
        MeasureStatusChange.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(PermissionDenied):
        _measure(actor, lucia)
    with pytest.raises(PermissionDenied):
        measure_transition(actor=actor, measure=measure, to_status="under_assessment")
    with pytest.raises(PermissionDenied):
        feedback_record(actor=actor, measure=measure, data=FeedbackData(works="yes"))
    assert counts == (
        Measure.objects.count(),
        MeasureStatusChange.objects.count(),
        AuditEvent.objects.count(),
    )
    assert not MeasureFeedback.objects.exists()


def test_request_audits_and_opens_a_decision_task(officer, lucia):
    measure = _measure(officer, lucia, details={"area": "Cali", "schedule_needs": "nights"})
    assert measure.code.startswith("MSR-")
    event = AuditEvent.objects.filter(action="measure.create").get()
    assert event.object_id == str(measure.pk)
    assert "Cali" not in str(event.detail) and "details" in event.fields
    task = Task.objects.get(subject_type="measure", subject_id=str(measure.pk))
    assert task.kind == Task.Kind.MEASURE_DECISION and task.status == "open"
    assert measure.lead_entity_id == lucia.case.lead_entity_id
    assert measure.data_key_id == lucia.data_key_id


def test_approval_closes_the_decision_task_and_opens_implementation(coordinator, lucia):
    measure = _walk(coordinator, _measure(coordinator, lucia), ["approved"])
    kinds = dict(Task.objects.filter(subject_id=str(measure.pk)).values_list("kind", "status"))
    assert kinds == {"measure_decision": "done", "measure_implementation": "open"}
    _walk(coordinator, measure, ["in_place"])
    assert not Task.objects.filter(subject_id=str(measure.pk), status="open").exists()


# --- provider training gate --------------------------------------------------------------


def test_an_untrained_provider_needs_a_recorded_override(coordinator, lucia, police):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        _measure(coordinator, lucia, provider=police)
    assert "provider" in error.value.message_dict
    assert not Measure.objects.exists() and AuditEvent.objects.count() == events
    measure = _measure(
        coordinator, lucia, provider=police, provider_override_reason="Only unit in the area"
    )
    assert Measure.objects.get(pk=measure.pk).provider_override_reason == "Only unit in the area"
    event = AuditEvent.objects.filter(action="measure.create").get()
    assert event.detail["provider_override"] is True


def test_an_expired_certification_counts_as_untrained(coordinator, lucia, expired_provider):
    with pytest.raises(ValidationError):
        _measure(coordinator, lucia, kind="bodyguard", provider=expired_provider)


def test_a_trained_provider_needs_no_override(coordinator, lucia, trained_ngo):
    measure = _measure(
        coordinator,
        lucia,
        kind="protective_accompaniment",
        provider=trained_ngo,
        provider_override_reason="ignored",
    )
    assert Measure.objects.get(pk=measure.pk).provider_override_reason is None


def test_assigning_a_provider_later_follows_the_same_gate(coordinator, lucia, police, trained_ngo):
    measure = _measure(coordinator, lucia)
    with pytest.raises(ValidationError):
        measure_assign_provider(actor=coordinator, measure=measure, provider=police)
    measure.refresh_from_db()
    assert measure.provider is None
    measure_assign_provider(
        actor=coordinator, measure=measure, provider=police, override_reason="State duty"
    )
    measure_assign_provider(actor=coordinator, measure=measure, provider=trained_ngo)
    fresh = Measure.objects.get(pk=measure.pk)
    assert fresh.provider == trained_ngo and fresh.provider_override_reason is None


# --- validation ---------------------------------------------------------------------------


def test_validation(coordinator, lucia, world):
    with pytest.raises(ValidationError) as error:
        _measure(coordinator, lucia, kind="teleportation")
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _measure(coordinator, lucia, cost=Decimal("10"), currency="")
    assert "currency" in error.value.message_dict
    stranger = person_create(
        actor=coordinator,
        defender=world.team_defender,
        data=PersonData(name="Someone", relation="child"),
    )
    with pytest.raises(ValidationError) as error:
        _measure(coordinator, lucia, beneficiary_person=stranger)
    assert "beneficiary" in error.value.message_dict


def test_a_relative_can_be_the_beneficiary(coordinator, lucia):
    son = person_create(
        actor=coordinator, defender=lucia, data=PersonData(name="Hijo", relation="child")
    )
    measure = _measure(coordinator, lucia, kind="psychosocial_support", beneficiary_person=son)
    assert measure.beneficiary_kind == "person" and measure.defender == lucia


# --- replacement, relocation, interim, feedback, safety plan --------------------------------


def test_replacement_links_both_measures(coordinator, lucia, trained_ngo):
    police_measure = _walk(coordinator, _measure(coordinator, lucia), ["approved"])
    with pytest.raises(ValidationError):
        measure_replace(
            actor=coordinator, measure=police_measure, data=MeasureData(kind="bodyguard")
        )
    measure_transition(
        actor=coordinator,
        measure=police_measure,
        to_status="refused_by_defender",
        reason=CANARY_REFUSAL,
    )
    replacement = measure_replace(
        actor=coordinator,
        measure=police_measure,
        data=MeasureData(kind="protective_accompaniment", provider=trained_ngo),
    )
    police_measure.refresh_from_db()
    assert police_measure.replaced_by == replacement
    assert replacement.status == "requested" and replacement.provider == trained_ngo
    with pytest.raises(ValidationError):
        measure_replace(
            actor=coordinator, measure=police_measure, data=MeasureData(kind="bodyguard")
        )


def test_relocation(coordinator, lucia, world):
    measure = _measure(coordinator, lucia, kind="relocation_internal")
    son = person_create(
        actor=coordinator, defender=lucia, data=PersonData(name="Hijo", relation="child")
    )
    stranger = person_create(
        actor=coordinator, defender=world.team_defender, data=PersonData(name="X", relation="child")
    )
    data = RelocationData(
        host="Casa de acogida Sur",
        starts_on=datetime.date(2026, 1, 10),
        ends_on=datetime.date(2026, 4, 10),
        family_members=[son],
        visa_plan="none needed",
        return_plan="after the trial",
    )
    relocation_save(actor=coordinator, measure=measure, data=data)
    saved = Relocation.objects.get(measure=measure)
    assert saved.host == "Casa de acogida Sur" and list(saved.family_members.all()) == [son]
    with pytest.raises(ValidationError):
        relocation_save(
            actor=coordinator,
            measure=measure,
            data=RelocationData(family_members=[stranger]),
        )
    with pytest.raises(ValidationError):
        relocation_save(
            actor=coordinator,
            measure=measure,
            data=RelocationData(
                starts_on=datetime.date(2026, 2, 1), ends_on=datetime.date(2026, 1, 1)
            ),
        )


def test_interim_request(coordinator, lucia):
    other = _measure(coordinator, lucia)
    with pytest.raises(ValidationError):
        interim_request_save(
            actor=coordinator,
            measure=other,
            data=InterimData(body="iachr", requested_on=datetime.date(2026, 1, 5)),
        )
    measure = _measure(coordinator, lucia, kind="interim_measures_request")
    interim_request_save(
        actor=coordinator,
        measure=measure,
        data=InterimData(
            body="iachr",
            requested_on=datetime.date(2026, 1, 5),
            granted=True,
            granted_on=datetime.date(2026, 2, 1),
            state_compliance="partial",
            reference="MC 123-26",
            notes="sensitive",
        ),
    )
    saved = InterimMeasureRequest.objects.get(measure=measure)
    assert (saved.granted, saved.state_compliance, saved.notes) == (True, "partial", "sensitive")
    with pytest.raises(ValidationError) as error:
        interim_request_save(
            actor=coordinator,
            measure=measure,
            data=InterimData(
                body="un_cat",
                requested_on=datetime.date(2026, 1, 5),
                granted=False,
                granted_on=datetime.date(2026, 1, 6),
            ),
        )
    assert "granted_on" in error.value.message_dict


def test_feedback(officer, lucia):
    measure = _measure(officer, lucia)
    feedback_record(
        actor=officer,
        measure=measure,
        data=FeedbackData(works="partly", trusts_provider="no", comment="they arrive late"),
    )
    saved = MeasureFeedback.objects.get()
    assert (saved.works, saved.trusts_provider, saved.comment) == (
        "partly",
        "no",
        "they arrive late",
    )
    with pytest.raises(ValidationError):
        feedback_record(actor=officer, measure=measure, data=FeedbackData(works="maybe"))


def test_safety_plan_versions(officer, analyst, lucia):
    safety_plan_save(actor=officer, defender=lucia, text="Plan one")
    plan = safety_plan_save(actor=officer, defender=lucia, text="Plan two")
    assert (plan.version, SafetyPlan.objects.get().text) == (2, "Plan two")
    with pytest.raises(PermissionDenied):
        safety_plan_save(actor=analyst, defender=lucia, text="x")
    with pytest.raises(ValidationError):
        safety_plan_save(actor=officer, defender=lucia, text="  ")


def test_shredded_defender_measures_are_frozen(coordinator, lucia):
    from amparo.registry.services import defender_shred

    measure = _measure(coordinator, lucia)
    defender_shred(actor=coordinator, defender=lucia)
    measure.refresh_from_db()
    with pytest.raises(PermissionDenied):
        measure_transition(actor=coordinator, measure=measure, to_status="approved")


def test_entity_training_fields_change_through_the_audited_service(system, police):
    from amparo.accounts.services import entity_update

    changed = entity_update(
        actor=system,
        entity=police,
        name=police.name,
        kind=police.kind,
        country=police.country,
        training_status="certified",
        trained_until=datetime.date(2030, 1, 1),
    )
    assert changed == ["training_status", "trained_until"]
    event = AuditEvent.objects.filter(action="entity.update").last()
    assert event.fields == ["trained_until", "training_status"]
    with pytest.raises(ValidationError):
        entity_update(
            actor=system,
            entity=police,
            name=police.name,
            kind=police.kind,
            country=police.country,
            training_status="expert",
        )
    # Without the training arguments nothing about training changes.
    assert entity_update(actor=system, entity=police, name="Police", kind="police", country="CO")
    police.refresh_from_db()
    assert police.training_status == "certified"
