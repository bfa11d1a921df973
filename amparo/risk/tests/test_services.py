"""Assessment lifecycle: versions, four eyes, downgrades, reviews, re-evaluation tasks."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amparo.audit.models import AuditEvent
from amparo.coordination.models import Task
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.models import Defender
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    defender_register,
    organisation_create,
    person_create,
)
from amparo.risk.models import RelativeRisk, RiskAssessment
from amparo.risk.services import (
    RelativeLevel,
    ThreatAnalysis,
    assessment_approve,
    assessment_create,
    assessment_reject,
    assessment_submit,
    assessment_update,
    review_policy_set,
)
from amparo.risk.tests.factories import NOW, make_data

pytestmark = pytest.mark.django_db


def _approved(actor, approver, defender, now=NOW, **overrides):
    assessment = assessment_create(
        actor=actor, defender=defender, data=make_data(**overrides), submit=True, now=now
    )
    assessment_approve(actor=approver, assessment=assessment, now=now)
    return assessment


def test_draft_submit_approve_sets_the_current_level(world, officer, coordinator):
    defender = world.team_defender
    assessment = assessment_create(actor=officer, defender=defender, data=make_data(), now=NOW)
    assert (assessment.status, assessment.version, assessment.code[:3]) == ("draft", 1, "RA-")
    assert assessment.level == "high"
    assert assessment.level_rule.startswith("T 3 × V 3 ÷ C 1 = 9.0 ≥ 6 → high")
    assessment_submit(actor=officer, assessment=assessment, now=NOW)
    assessment_approve(actor=coordinator, assessment=assessment, now=NOW)
    assessment.refresh_from_db()
    defender.refresh_from_db()
    assert assessment.status == "approved"
    assert assessment.decided_at == NOW and assessment.decided_by == coordinator
    assert assessment.next_review_on == datetime.date(2026, 11, 19) + datetime.timedelta(days=90)
    assert (defender.risk_level, defender.risk_assessed_on, defender.next_review_on) == (
        "high",
        datetime.date(2026, 11, 19),
        datetime.date(2027, 2, 17),
    )
    actions = list(
        AuditEvent.objects.filter(object_id=str(assessment.pk)).values_list("action", flat=True)
    )
    assert actions == ["assessment.create", "assessment.submit", "assessment.approve"]
    review = Task.objects.get(kind="review", subject_id=str(defender.pk))
    assert review.status == "open" and review.due_at.date() == datetime.date(2027, 2, 17)
    approval = Task.objects.get(subject_type="assessment", subject_id=str(assessment.pk))
    assert approval.status == "done"


def test_versions_number_per_defender_and_supersede(world, officer, coordinator):
    first = _approved(officer, coordinator, world.team_defender)
    second = _approved(officer, coordinator, world.team_defender, threat=4, vulnerability=4)
    other = assessment_create(
        actor=coordinator, defender=world.unassigned_defender, data=make_data(), now=NOW
    )
    second.refresh_from_db()
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert second.supersedes_id == first.pk
    assert Defender.objects.get(pk=world.team_defender.pk).risk_level == "extreme"
    # Only one open review task per defender: the first was completed by the second approval.
    reviews = Task.objects.filter(kind="review", subject_id=str(world.team_defender.pk))
    assert sorted(reviews.values_list("status", flat=True)) == ["done", "open"]


def test_submitted_assessment_is_immutable(world, officer):
    assessment = assessment_create(
        actor=officer, defender=world.team_defender, data=make_data(), submit=True, now=NOW
    )
    with pytest.raises(PermissionDenied):
        assessment_update(actor=officer, assessment=assessment, data=make_data(threat=0))
    with pytest.raises(PermissionDenied):
        assessment_submit(actor=officer, assessment=assessment)


def test_draft_can_change(world, officer):
    assessment = assessment_create(actor=officer, defender=world.team_defender, data=make_data())
    assessment_update(actor=officer, assessment=assessment, data=make_data(threat=1))
    assessment.refresh_from_db()
    assert (assessment.threat, assessment.level) == (1, "medium")


def test_four_eyes(world, coordinator, second_coordinator, officer, foreign_coordinator):
    assessment = assessment_create(
        actor=coordinator, defender=world.team_defender, data=make_data(), submit=True, now=NOW
    )
    before = AuditEvent.objects.count()
    for actor in (coordinator, officer, foreign_coordinator):
        with pytest.raises(PermissionDenied):
            assessment_approve(actor=actor, assessment=assessment, now=NOW)
    assert AuditEvent.objects.count() == before
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert Defender.objects.get(pk=world.team_defender.pk).risk_level == ""
    assessment_approve(actor=second_coordinator, assessment=assessment, now=NOW)
    assessment.refresh_from_db()
    assert assessment.status == "approved"


def test_a_draft_cannot_be_approved(world, officer, coordinator):
    assessment = assessment_create(actor=officer, defender=world.team_defender, data=make_data())
    with pytest.raises(PermissionDenied):
        assessment_approve(actor=coordinator, assessment=assessment)


def test_reject_needs_a_reason_and_keeps_the_level(world, officer, coordinator):
    assessment = assessment_create(
        actor=officer, defender=world.team_defender, data=make_data(), submit=True
    )
    with pytest.raises(ValidationError):
        assessment_reject(actor=coordinator, assessment=assessment, reason=" ")
    assessment_reject(actor=coordinator, assessment=assessment, reason="Evidence too thin", now=NOW)
    assessment.refresh_from_db()
    assert assessment.status == "rejected" and assessment.decision_note == "Evidence too thin"
    assert Defender.objects.get(pk=world.team_defender.pk).risk_level == ""
    with pytest.raises(PermissionDenied):
        assessment_approve(actor=coordinator, assessment=assessment)


def test_downgrade_refused_without_reevaluation(world, officer, coordinator):
    _approved(officer, coordinator, world.team_defender)  # high
    lower = make_data(threat=1)  # medium
    with pytest.raises(ValidationError) as refused:
        assessment_create(
            actor=officer, defender=world.team_defender, data=lower, submit=True, now=NOW
        )
    assert "reevaluation_reason" in refused.value.message_dict
    assert RiskAssessment.objects.filter(defender=world.team_defender).count() == 1
    # A draft may exist, but cannot be put forward.
    draft = assessment_create(actor=officer, defender=world.team_defender, data=lower)
    with pytest.raises(ValidationError):
        assessment_submit(actor=officer, assessment=draft)


def test_downgrade_refused_at_approval_when_the_level_rose_meanwhile(world, officer, coordinator):
    medium = assessment_create(
        actor=officer, defender=world.team_defender, data=make_data(threat=1), submit=True
    )
    _approved(officer, coordinator, world.team_defender)  # high, approved first
    with pytest.raises(ValidationError):
        assessment_approve(actor=coordinator, assessment=medium)
    medium.refresh_from_db()
    assert medium.status == "submitted"


def test_downgrade_accepted_with_reevaluation(world, officer, coordinator):
    _approved(officer, coordinator, world.team_defender)
    lower = make_data(
        threat=1, is_reevaluation=True, reevaluation_reason="The group demobilised in October"
    )
    assessment = _approved(officer, coordinator, world.team_defender, **lower.__dict__)
    assessment.refresh_from_db()
    assert assessment.status == "approved" and assessment.level == "medium"
    assert assessment.reevaluation_reason == "The group demobilised in October"
    event = AuditEvent.objects.get(action="assessment.approve", object_id=str(assessment.pk))
    assert event.detail["downgrade"] is True and event.detail["previous_level"] == "high"
    defender = Defender.objects.get(pk=world.team_defender.pk)
    assert defender.risk_level == "medium"
    assert defender.next_review_on == datetime.date(2026, 11, 19) + datetime.timedelta(days=180)


def test_final_level_other_than_computed_needs_justification(world, officer):
    with pytest.raises(ValidationError) as refused:
        assessment_create(
            actor=officer, defender=world.team_defender, data=make_data(level="extreme")
        )
    assert "level_justification" in refused.value.message_dict
    assessment = assessment_create(
        actor=officer,
        defender=world.team_defender,
        data=make_data(level="extreme", level_justification="Imminent: attack announced"),
    )
    assert (assessment.computed_level, assessment.level) == ("high", "extreme")


def test_submission_needs_the_five_steps(world, officer):
    incomplete = make_data(threats=[ThreatAnalysis(facts="A call", feasibility="")])
    with pytest.raises(ValidationError) as refused:
        assessment_create(actor=officer, defender=world.team_defender, data=incomplete, submit=True)
    assert "threats" in refused.value.message_dict
    with pytest.raises(ValidationError):
        assessment_create(
            actor=officer, defender=world.team_defender, data=make_data(threats=[]), submit=True
        )


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("threat", {"threat": 5}),
        ("capacity", {"capacity": 0}),
        ("colombian_criteria", {"colombian_criteria": ["likely"]}),
        ("gender_factors", {"gender_factors": ["nope"]}),
        ("horizon", {"horizon": "medium"}),
        ("participation", {"participation": "maybe"}),
        ("level", {"level": "critical"}),
        ("reevaluation_reason", {"is_reevaluation": True}),
        ("assessed_on", {"assessed_on": datetime.date(2100, 1, 1)}),
    ],
)
def test_validation(world, officer, field, overrides):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        assessment_create(actor=officer, defender=world.team_defender, data=make_data(**overrides))
    assert field in refused.value.message_dict
    assert not RiskAssessment.objects.exists()
    assert AuditEvent.objects.count() == before


def test_relatives_levels(world, officer, coordinator):
    child = person_create(
        actor=officer,
        defender=world.team_defender,
        data=PersonData(name="Luisa Mejía", relation="child"),
    )
    assessment = assessment_create(
        actor=officer,
        defender=world.team_defender,
        data=make_data(relatives=[RelativeLevel(child, "high", "Followed from school")]),
    )
    row = RelativeRisk.objects.get(assessment=assessment)
    assert (row.person_id, row.level, row.note) == (child.pk, "high", "Followed from school")
    stranger = person_create(
        actor=coordinator,
        defender=world.unassigned_defender,
        data=PersonData(name="Other", relation="sibling"),
    )
    with pytest.raises(ValidationError):
        assessment_create(
            actor=officer,
            defender=world.team_defender,
            data=make_data(relatives=[RelativeLevel(stranger, "low")]),
        )


@pytest.mark.parametrize(
    "persona",
    ["other_officer", "analyst", "liaison", "auditor", "admin_user", "foreign_coordinator"],
)
def test_who_may_not_assess(request, world, persona):
    actor = request.getfixturevalue(persona)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        assessment_create(actor=actor, defender=world.team_defender, data=make_data())
    assert not RiskAssessment.objects.exists()
    assert AuditEvent.objects.count() == before


def test_review_interval_follows_the_entity_policy(
    world, officer, coordinator, second_coordinator, entity, system
):
    review_policy_set(actor=coordinator, entity=entity, high_days=60)
    assessment = _approved(officer, second_coordinator, world.team_defender)
    assessment.refresh_from_db()
    assert assessment.next_review_on == datetime.date(2026, 11, 19) + datetime.timedelta(days=60)
    with pytest.raises(PermissionDenied):
        review_policy_set(actor=officer, entity=entity, high_days=1)
    with pytest.raises(ValidationError):
        review_policy_set(actor=system, entity=entity, high_days=0)


@pytest.mark.parametrize(
    ("level", "overrides", "days"),
    [
        ("low", {"threat": 1, "vulnerability": 1, "capacity": 1}, 365),
        ("medium", {"threat": 2, "vulnerability": 1, "capacity": 1}, 180),
        ("high", {}, 90),
        ("extreme", {"threat": 4, "vulnerability": 4}, 30),
    ],
)
def test_default_review_intervals(world, officer, coordinator, level, overrides, days):
    assessment = _approved(officer, coordinator, world.team_defender, **overrides)
    assessment.refresh_from_db()
    assert assessment.level == level
    assert assessment.next_review_on == datetime.date(2026, 11, 19) + datetime.timedelta(days=days)


# Re-evaluation on new facts ------------------------------------------------------------------


def _incident(actor, reported_days_ago=2, **victims):
    from amparo.risk import clock

    day = clock.now().date() - datetime.timedelta(days=reported_days_ago)
    return incident_record(
        actor=actor,
        data=IncidentData(date=day, country="CO", violations=["death_threat"], **victims),
    )


def test_incident_opens_reevaluation_tasks_for_the_right_defenders(
    world, coordinator, officer, fixed_clock
):
    organisation = organisation_create(
        actor=coordinator,
        data=OrganisationData(name="Asociación Campesina", kind="ngo", country="CO"),
    )
    member = defender_register(
        actor=coordinator,
        data=DefenderData(
            name="Miembro",
            country="CO",
            categories=["land_environment"],
            organisations=[organisation],
        ),
    )
    bystander = world.unassigned_defender
    relative = person_create(
        actor=coordinator,
        defender=world.team_defender,
        data=PersonData(name="Hijo", relation="child"),
    )
    # The victim defender is also a member of the organisation: still one task.
    world.restricted_defender.organisations.add(organisation)
    incident = _incident(
        officer,
        victim_defenders=[world.restricted_defender],
        victim_persons=[relative],
        organisations=[],
    )
    tasks = Task.objects.filter(kind="reevaluation")
    assert sorted(tasks.values_list("subject_id", flat=True)) == sorted(
        [str(world.restricted_defender.pk), str(world.team_defender.pk)]
    )
    incident2 = _incident(
        coordinator, victim_defenders=[world.team_defender], organisations=[organisation]
    )
    subjects = sorted(Task.objects.filter(kind="reevaluation").values_list("subject_id", flat=True))
    assert subjects == sorted(
        str(d.pk) for d in (world.restricted_defender, world.team_defender, member)
    )
    assert str(bystander.pk) not in subjects
    task = Task.objects.get(kind="reevaluation", subject_id=str(member.pk))
    assert task.due_at == fixed_clock["now"] + datetime.timedelta(days=7)
    assert incident2.code in task.title and incident.code not in task.title
    assert AuditEvent.objects.filter(action="task.create", detail__kind="reevaluation").count() == 3


def test_an_incident_reported_long_ago_is_no_new_fact(world, officer, fixed_clock):
    from amparo.risk.services import SUPERVENING_DAYS

    before = AuditEvent.objects.count()
    _incident(
        officer, reported_days_ago=SUPERVENING_DAYS + 1, victim_defenders=[world.team_defender]
    )
    assert Task.objects.filter(kind="reevaluation").count() == 0
    assert list(AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True)) == [
        "incident.create"
    ]
    _incident(officer, reported_days_ago=SUPERVENING_DAYS, victim_defenders=[world.team_defender])
    assert Task.objects.filter(kind="reevaluation").count() == 1


def test_approval_completes_the_reevaluation(world, officer, coordinator):
    _incident(officer, victim_defenders=[world.team_defender])
    task = Task.objects.get(kind="reevaluation")
    _approved(officer, coordinator, world.team_defender)
    task.refresh_from_db()
    assert task.status == "done"
