"""Forget me (journey 10) reaches what is sealed under keys of its own: after a shred, nothing
the defender sent from their space (a report waiting or decided, its additions and files) and
no letter about them alone can be decrypted from the live database."""

from __future__ import annotations

import io

import pytest

from amparo.audit.models import AuditEvent
from amparo.communications.models import Communication
from amparo.communications.tests.conftest import draft
from amparo.coordination.models import Task
from amparo.core.crypto import Shredded
from amparo.core.models import DataKey
from amparo.core.sealedfiles import unseal_file
from amparo.ops.fields import encrypted_fields
from amparo.portal.models import ReportFile, SelfReport
from amparo.portal.services import (
    Upload,
    report_accept,
    report_add,
    report_file_path,
    report_find,
    report_submit,
)
from amparo.registry.services import defender_shred

from .conftest import CANARY
from .test_intake import _content
from .test_self_report import PNG

pytestmark = pytest.mark.django_db

ADDED = "ADDITION-CANARY the same car came back"


@pytest.fixture
def waiting(world, defender_user):
    """A report the defender sent from their space, with more added later and a file."""
    photo = Upload("threat.png", io.BytesIO(PNG))
    report, code = report_submit(actor=defender_user, content=_content(), uploads=[photo])
    report_add(actor=defender_user, report=report, text=ADDED)
    return report, code


def _plaintexts() -> list[str]:
    """Every encrypted value the live database still opens, as text."""
    values = []
    for model, names in encrypted_fields().items():
        for row in model._default_manager.select_related("data_key").iterator():
            for name in names:
                if row.__dict__[name] is None:
                    continue
                try:
                    values.append(str(getattr(row, name)))
                except Shredded:
                    continue
    return values


def test_a_waiting_report_is_erased_with_the_defender(
    world, coordinator, waiting, django_capture_on_commit_callbacks
):
    report, code = waiting
    path = report_file_path(report.files.get())
    assert path.exists() and any(CANARY in value for value in _plaintexts())

    with django_capture_on_commit_callbacks(execute=True):
        defender_shred(actor=coordinator, defender=world.team_defender)

    fresh = SelfReport.objects.get(pk=report.pk)
    for read in (
        lambda: fresh.content,
        lambda: fresh.additions.get().text,
        lambda: ReportFile.objects.get(report=fresh).filename,
    ):
        with pytest.raises(Shredded):
            read()
    assert DataKey.objects.get(pk=report.data_key_id).wrapped is None
    assert not path.exists()
    assert not any(CANARY in v or ADDED in v for v in _plaintexts())
    # Closed, its review done, and the reporter's code now opens nothing.
    assert fresh.status == SelfReport.Status.REJECTED and fresh.reply is None
    assert not Task.objects.filter(subject_id=str(report.pk), status=Task.Status.OPEN).exists()
    assert report_find(code) is None
    event = AuditEvent.objects.get(action="defender.shred")
    assert event.detail == {"code": world.team_defender.code, "reports": 1}


def test_a_report_accepted_into_the_case_is_erased_too(world, coordinator, waiting):
    report, _code = waiting
    report_accept(actor=coordinator, report=report, defender=world.team_defender)

    defender_shred(actor=coordinator, defender=world.team_defender)

    fresh = SelfReport.objects.get(pk=report.pk)
    with pytest.raises(Shredded):
        _ = fresh.content
    assert not any(CANARY in v or ADDED in v for v in _plaintexts())
    attachment = fresh.files.get().attachment
    with pytest.raises(Shredded):
        _ = attachment.filename


def test_another_defenders_report_is_left_alone(world, coordinator, defender_user, waiting):
    other, other_code = report_submit(actor=None, content=_content(what_happened="Not theirs"))

    defender_shred(actor=coordinator, defender=world.unassigned_defender)

    assert SelfReport.objects.get(pk=other.pk).content["what_happened"] == "Not theirs"
    report, code = waiting
    assert SelfReport.objects.get(pk=report.pk).content["what_happened"] == CANARY
    assert report_find(code) == report and report_find(other_code) == other
    assert report.status == SelfReport.Status.RECEIVED
    assert unseal_file(
        report_file_path(report.files.get()), report.data_key, _file_aad(report.files.get())
    )


def _file_aad(report_file):
    return f"amparo|report-file|{report_file.pk}|{report_file.data_key_id}".encode()


def test_a_letter_about_them_alone_is_erased_one_about_others_stays(
    world, coordinator, comms_officer
):
    alone = draft(comms_officer, defenders=[world.team_defender], summary="ALONE-CANARY")
    shared = draft(
        comms_officer,
        defenders=[world.team_defender, world.unassigned_defender],
        summary="SHARED-CANARY",
    )

    defender_shred(actor=coordinator, defender=world.team_defender)

    with pytest.raises(Shredded):
        _ = Communication.objects.get(pk=alone.pk).summary
    assert Communication.objects.get(pk=shared.pk).summary == "SHARED-CANARY"
    event = AuditEvent.objects.get(action="defender.shred")
    assert event.detail["letters"] == 1


def test_the_erasure_page_counts_the_reports_and_letters_that_go(
    world, coordinator, comms_officer, waiting
):
    from amparo.registry.selectors import shred_impact

    draft(comms_officer, defenders=[world.team_defender], summary="ALONE-CANARY")
    draft(
        comms_officer,
        defenders=[world.team_defender, world.unassigned_defender],
        summary="SHARED-CANARY",
    )
    before = shred_impact(world.team_defender)
    assert (before["self_reports"], before["letters"]) == (1, 1)
    # What the shred erased is counted, and nothing of it is left to count afterwards.
    defender_shred(actor=coordinator, defender=world.team_defender)
    event = AuditEvent.objects.get(action="defender.shred")
    assert (event.detail["reports"], event.detail["letters"]) == (1, 1)
    after = shred_impact(world.team_defender)
    assert (after["self_reports"], after["letters"]) == (0, 0)
