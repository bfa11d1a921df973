"""Investigation writes: stages, the history, dates, validation, and denied writes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amparo.audit.models import AuditEvent
from amparo.investigations.models import Investigation, InvestigationUpdate
from amparo.investigations.services import InvestigationChange, investigation_record

from .conftest import OUTCOME_CANARY

pytestmark = pytest.mark.django_db
D = datetime.date


def test_stages_are_appended_to_the_history_with_their_days(officer, team_incident):
    investigation, changed = investigation_record(
        actor=officer,
        incident=team_incident,
        change=InvestigationChange(
            stage="complaint_filed", on=D(2025, 1, 20), authority="Fiscalía"
        ),
    )
    assert sorted(changed) == [
        "authority",
        "compensation_amount",
        "compensation_awarded",
        "compensation_currency",
        "stage",
    ]
    assert investigation.external_id == team_incident.external_id
    investigation_record(
        actor=officer,
        incident=team_incident,
        change=InvestigationChange(
            stage="investigation_opened", on=D(2025, 3, 1), authority="Fiscalía", note="radicado"
        ),
    )
    investigation_record(
        actor=officer,
        incident=team_incident,
        change=InvestigationChange(
            stage="convicted", on=D(2025, 11, 2), authority="Fiscalía", outcome=OUTCOME_CANARY
        ),
    )
    investigation.refresh_from_db()
    assert investigation.stage == "convicted"
    assert investigation.complaint_filed_on == D(2025, 1, 20)
    assert investigation.opened_on == D(2025, 3, 1)
    assert investigation.updated_on == D(2025, 11, 2)
    assert investigation.closed_on == D(2025, 11, 2)
    assert investigation.outcome == OUTCOME_CANARY
    history = list(investigation.updates.values_list("stage", "on"))
    assert history == [
        ("complaint_filed", D(2025, 1, 20)),
        ("investigation_opened", D(2025, 3, 1)),
        ("convicted", D(2025, 11, 2)),
    ]
    assert investigation.updates.get(stage="investigation_opened").note == "radicado"
    actions = list(
        AuditEvent.objects.filter(object_type="investigation")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["investigation.create", "investigation.update", "investigation.update"]
    # The outcome is never in the audit trail, only its field name.
    assert OUTCOME_CANARY not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_the_same_update_twice_changes_nothing(officer, team_incident):
    change = InvestigationChange(stage="complaint_filed", on=D(2025, 1, 20))
    investigation_record(actor=officer, incident=team_incident, change=change)
    before = AuditEvent.objects.count()
    _investigation, changed = investigation_record(
        actor=officer,
        incident=team_incident,
        change=InvestigationChange(stage="complaint_filed", on=D(2025, 1, 25)),
    )
    assert changed == []
    assert AuditEvent.objects.count() == before
    assert InvestigationUpdate.objects.count() == 1


def test_reopening_clears_the_closing_day(officer, team_incident):
    for stage, day in (
        ("closed_without_result", D(2025, 4, 1)),
        ("investigation_opened", D(2025, 6, 1)),
    ):
        investigation_record(
            actor=officer, incident=team_incident, change=InvestigationChange(stage=stage, on=day)
        )
    investigation = Investigation.objects.get()
    assert investigation.closed_on is None
    assert investigation.opened_on == D(2025, 4, 1)  # closing without result was investigated


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (InvestigationChange(stage="sentenced", on=D(2025, 2, 1)), "stage"),
        (InvestigationChange(stage="charged", on=D(2024, 12, 31)), "on"),
        (InvestigationChange(stage="charged", on=D(2099, 1, 1)), "on"),
        (
            InvestigationChange(
                stage="charged",
                on=D(2025, 2, 1),
                compensation_amount=-1,
                compensation_currency="COP",
            ),
            "compensation_amount",
        ),
        (
            InvestigationChange(
                stage="charged",
                on=D(2025, 2, 1),
                compensation_amount=10,
                compensation_currency="pesos",
            ),
            "compensation_currency",
        ),
    ],
)
def test_invalid_updates_write_nothing(officer, team_incident, change, field):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        investigation_record(actor=officer, incident=team_incident, change=change)
    assert field in error.value.message_dict
    assert Investigation.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_an_update_cannot_go_back_in_time(officer, team_incident):
    investigation_record(
        actor=officer,
        incident=team_incident,
        change=InvestigationChange(stage="charged", on=D(2025, 5, 1)),
    )
    with pytest.raises(ValidationError) as error:
        investigation_record(
            actor=officer,
            incident=team_incident,
            change=InvestigationChange(stage="trial", on=D(2025, 4, 30)),
        )
    assert "on" in error.value.message_dict
    assert InvestigationUpdate.objects.count() == 1


@pytest.mark.parametrize(
    "persona",
    ["analyst", "other_officer", "foreign_coordinator", "liaison", "auditor", "admin_user"],
)
def test_denied_writes_change_nothing(request, persona, team_incident):
    actor = request.getfixturevalue(persona)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        investigation_record(
            actor=actor,
            incident=team_incident,
            change=InvestigationChange(stage="charged", on=D(2025, 5, 1)),
        )
    assert Investigation.objects.count() == 0
    assert InvestigationUpdate.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_coordinator_records_on_an_unassigned_case_but_not_a_restricted_one(
    coordinator, unassigned_incident, restricted_incident
):
    investigation_record(
        actor=coordinator,
        incident=unassigned_incident,
        change=InvestigationChange(stage="complaint_filed", on=D(2025, 2, 2)),
    )
    with pytest.raises(PermissionDenied):
        investigation_record(
            actor=coordinator,
            incident=restricted_incident,
            change=InvestigationChange(stage="complaint_filed", on=D(2025, 3, 2)),
        )
    assert list(Investigation.objects.values_list("incident", flat=True)) == [
        unassigned_incident.pk
    ]
