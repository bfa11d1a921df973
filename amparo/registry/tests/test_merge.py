"""Merging two defenders: everything moves, undo restores it exactly, confirm is final, re-imports
of either source change nothing, denied or failed merges leave no trace."""

from __future__ import annotations

import io
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from amparo.audit.models import AuditEvent
from amparo.incidents.models import Attachment, Incident
from amparo.incidents.services import attachment_add, attachment_read
from amparo.interchange.tests.helpers import run_import, write_jsonl
from amparo.measures.models import Measure
from amparo.registry import merge as merge_module
from amparo.registry.merge import (
    MergeError,
    defender_merge,
    defender_merge_confirm,
    defender_merge_undo,
)
from amparo.registry.models import Defender, DefenderMerge, Person
from amparo.risk.models import RiskAssessment

pytestmark = pytest.mark.django_db

SOURCE_GW = [
    {"type": "organisation", "id": "org-a", "name": "Asociación Campesina", "kind": "ngo",
     "country": "CO"},
    {"type": "defender", "id": "gw:1", "name": "Tomás Pérez Quintero", "gender": "man",
     "categories": ["land_environment"], "country": "CO", "subdivision": "CO-CAU",
     "organisations": ["org-a"], "registered_on": "2016-09-01"},
    {"type": "incident", "id": "gw:inc-1", "date": "2016-08-29", "country": "CO",
     "subdivision": "CO-CAU", "victims": ["gw:1"], "violations": ["killing"]},
    {"type": "assessment", "id": "gw:ra-1", "defender": "gw:1", "assessed_on": "2016-05-01",
     "level": "high", "horizon": "short"},
    {"type": "event", "id": "gw:ev-1", "kind": "election", "title": "Local elections",
     "start": "2016-10-02", "end": "2016-10-02", "country": "CO", "defenders": ["gw:1"]},
]  # fmt: skip
SOURCE_COL = [
    {"type": "defender", "id": "col:1", "name": "Tomas Quintero Perez", "gender": "man",
     "categories": ["community_leader"], "country": "CO", "subdivision": "CO-CAU",
     "organisations": ["org-a"], "registered_on": "2017-11-01",
     "contacts": {"phone": "+57 310 555 0199"}},
    {"type": "person", "id": "col:rel-1", "name": "Ana María Ulcué", "related_to": "col:1",
     "relation": "spouse", "country": "CO"},
    {"type": "incident", "id": "col:inc-1", "date": "2016-06-28", "country": "CO",
     "subdivision": "CO-CAU", "victims": ["col:1", "col:rel-1"], "violations": ["killing"],
     "narrative": "Killed on the road to Almaguer."},
    {"type": "incident", "id": "col:inc-2", "date": "2016-05-10", "country": "CO",
     "subdivision": "CO-CAU", "victims": ["col:1", "gw:1"], "violations": ["death_threat"]},
    {"type": "assessment", "id": "col:ra-1", "defender": "col:1", "assessed_on": "2016-06-01",
     "level": "extreme", "horizon": "short"},
    {"type": "measure", "id": "col:m-1", "defender": "col:1", "kind": "legal_assistance",
     "status": "requested", "requested_on": "2016-06-02"},
]  # fmt: skip

# Rows that legitimately differ after an undo: the log of the merge and the audit trail.
NOT_SNAPSHOTTED = {"audit.auditevent", "registry.defendermerge"}


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (but the merge log and audit trail), as stored."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in NOT_SNAPSHOTTED or not model._meta.managed:
            continue
        pk = model._meta.pk.attname
        rows[label] = sorted(model._base_manager.values(), key=lambda row: str(row[pk]))
    return rows


@pytest.fixture
def sources(tmp_path, entity):
    gw = write_jsonl(tmp_path / "gw.jsonl", SOURCE_GW)
    col = write_jsonl(tmp_path / "col.jsonl", SOURCE_COL)
    run_import(gw, "--entity", "desk")
    run_import(col, "--entity", "desk")
    return gw, col


@pytest.fixture
def pair(sources):
    return Defender.objects.get(external_id="gw:1"), Defender.objects.get(external_id="col:1")


def _victims(external_id: str) -> list[str]:
    incident = Incident.objects.get(external_id=external_id)
    return sorted(d.external_id for d in incident.victim_defenders.all())


def test_merge_moves_every_link_to_the_survivor(coordinator, pair):
    survivor, absorbed = pair
    absorbed_case = absorbed.case

    merge = defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)

    assert _victims("col:inc-1") == ["gw:1"]
    assert _victims("col:inc-2") == ["gw:1"]  # both were victims: one link remains
    assert _victims("gw:inc-1") == ["gw:1"]
    assert Person.objects.get(external_id="col:rel-1").defender == survivor
    assert Measure.objects.get(external_id="col:m-1").defender == survivor
    versions = RiskAssessment.objects.filter(defender=survivor).order_by("version")
    assert [(a.external_id, a.version) for a in versions] == [("gw:ra-1", 1), ("col:ra-1", 2)]
    survivor.refresh_from_db()
    assert survivor.category_codes == ["community_leader", "land_environment"]
    assert survivor.risk_level == "extreme"
    assert str(survivor.risk_assessed_on) == "2016-06-01"
    assert [o.external_id for o in survivor.organisations.all()] == ["org-a"]
    # The absorbed record's individual case hands over what it governed.
    assert set(Incident.objects.filter(case=absorbed_case)) == set()
    assert Incident.objects.get(external_id="col:inc-1").case == survivor.case
    absorbed.refresh_from_db()
    assert absorbed.merged_into == survivor
    assert absorbed.external_id == "col:1" and absorbed.shredded_at is None
    assert merge.status == DefenderMerge.Status.PENDING
    event = AuditEvent.objects.get(action="defender.merge")
    assert event.detail["survivor"] == survivor.code
    assert event.detail["absorbed"] == absorbed.code
    # Rows changed per table (a row whose defender and case both moved counts twice).
    assert event.detail["moved"] == {
        "registry.person": 1,
        "registry.blindindex": 1,
        "incidents.incident_victim_defenders": 1,
        "incidents.incident_victim_defenders (dropped)": 1,
        "registry.defender_organisations (dropped)": 1,
        "risk.riskassessment": 2,
        "measures.measure": 2,
        "registry.defendercategory": 1,
        "incidents.incident": 2,
        "coordination.task": 1,
    }


def test_undo_restores_every_row_exactly(coordinator, pair):
    survivor, absorbed = pair
    before = snapshot()
    merge = defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)
    assert snapshot() != before

    defender_merge_undo(actor=coordinator, merge=merge)

    assert snapshot() == before
    merge.refresh_from_db()
    assert merge.status == DefenderMerge.Status.UNDONE
    assert AuditEvent.objects.filter(action="defender.merge_undo").count() == 1
    with pytest.raises(MergeError):
        defender_merge_undo(actor=coordinator, merge=merge)


def test_reimporting_either_source_after_a_merge_changes_nothing(coordinator, pair, sources):
    survivor, absorbed = pair
    merge = defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)
    for confirmed in (False, True):
        before, events = snapshot(), AuditEvent.objects.count()
        for source in sources:
            run = run_import(source, "--entity", "desk")
            assert " 0 created, 0 updated" in run.stdout
            assert "created, 0 updated" in run.stdout
        assert snapshot() == before
        assert AuditEvent.objects.exclude(action__startswith="import").count() == events
        if not confirmed:
            defender_merge_confirm(actor=coordinator, merge=merge)


def test_confirm_reseals_what_moved_and_shreds_the_absorbed_identity(
    coordinator, pair, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.AMPARO_ATTACHMENTS_DIR = str(tmp_path / "files")
    survivor, absorbed = pair
    incident = Incident.objects.get(external_id="col:inc-1")
    attachment = attachment_add(
        actor=coordinator,
        incident=incident,
        upload=io.BytesIO(b"photo bytes"),
        filename="photo.jpg",
        content_type="image/jpeg",
    )
    merge = defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        defender_merge_confirm(actor=coordinator, merge=merge)
        # Until the commit the evidence files are the originals, staged copies beside them.
        assert len(list((tmp_path / "files").glob("*.merge"))) == 1

    assert len(callbacks) == 1
    absorbed = Defender.objects.get(pk=absorbed.pk)
    assert absorbed.is_shredded and absorbed.data_key.is_shredded
    assert absorbed.digest != ""  # re-imports of its source line stay no-ops
    person = Person.objects.get(external_id="col:rel-1")
    assert person.data_key_id == survivor.data_key_id and person.name == "Ana María Ulcué"
    incident = Incident.objects.get(external_id="col:inc-1")
    assert incident.data_key_id == survivor.data_key_id
    assert incident.narrative == "Killed on the road to Almaguer."
    attachment = Attachment.objects.get(pk=attachment.pk)
    assert attachment.filename == "photo.jpg"
    assert attachment_read(actor=coordinator, attachment=attachment) == b"photo bytes"
    assert not list((tmp_path / "files").glob("*.merge"))
    assert survivor.blind_indexes.filter(purpose="defender.phone").count() == 1
    merge.refresh_from_db()
    assert merge.status == DefenderMerge.Status.CONFIRMED
    event = AuditEvent.objects.get(action="defender.merge_confirm")
    assert event.detail["files"] == 1
    with pytest.raises(MergeError):
        defender_merge_undo(actor=coordinator, merge=merge)


@pytest.mark.parametrize("persona", ["officer", "analyst", "foreign_coordinator"])
def test_denied_merges_change_nothing(request, persona, pair):
    survivor, absorbed = pair
    actor = request.getfixturevalue(persona)
    before, events = snapshot(), AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        defender_merge(actor=actor, survivor=survivor, absorbed=absorbed)

    assert snapshot() == before
    assert AuditEvent.objects.count() == events
    assert not DefenderMerge.objects.exists()


def test_a_restricted_case_off_the_coordinators_team_cannot_be_merged(coordinator, world):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        defender_merge(
            actor=coordinator, survivor=world.team_defender, absorbed=world.restricted_defender
        )
    assert snapshot() == before


def test_undo_and_confirm_are_denied_to_others(coordinator, officer, pair):
    merge = defender_merge(actor=coordinator, survivor=pair[0], absorbed=pair[1])
    before, events = snapshot(), AuditEvent.objects.count()
    for service in (defender_merge_undo, defender_merge_confirm):
        with pytest.raises(PermissionDenied):
            service(actor=officer, merge=merge)
    assert snapshot() == before and AuditEvent.objects.count() == events


def test_a_failure_part_way_leaves_the_database_as_it_was(coordinator, pair):
    survivor, absorbed = pair
    before, events = snapshot(), AuditEvent.objects.count()

    with (
        mock.patch.object(merge_module, "_move_case", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)

    assert snapshot() == before
    assert AuditEvent.objects.count() == events
    assert not DefenderMerge.objects.exists()


def test_a_failed_confirm_leaves_the_merge_pending_and_undoable(coordinator, pair):
    survivor, absorbed = pair
    before = snapshot()
    merge = defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)
    merged = snapshot()

    with (
        mock.patch.object(merge_module, "data_key_shred", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        defender_merge_confirm(actor=coordinator, merge=merge)

    assert snapshot() == merged
    defender_merge_undo(actor=coordinator, merge=merge)
    assert snapshot() == before


def test_a_defender_in_a_pending_merge_cannot_be_shredded_or_merged_again(coordinator, pair, world):
    from amparo.registry.policies import may_shred_defender

    survivor, absorbed = pair
    defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)
    assert not may_shred_defender(coordinator, survivor)
    assert not may_shred_defender(coordinator, absorbed)
    with pytest.raises(MergeError):
        defender_merge(actor=coordinator, survivor=world.unassigned_defender, absorbed=survivor)


def test_a_new_record_citing_the_absorbed_id_links_to_the_survivor(coordinator, pair, tmp_path):
    survivor, absorbed = pair
    defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)
    later = {
        "type": "incident",
        "id": "col:inc-9",
        "date": "2017-01-15",
        "country": "CO",
        "victims": ["col:1"],
        "violations": ["threat"],
    }

    run_import(write_jsonl(tmp_path / "later.jsonl", [later]), "--entity", "desk")

    assert _victims("col:inc-9") == ["gw:1"]


def test_a_registration_under_the_absorbed_spelling_warns_about_the_survivor(coordinator, pair):
    from amparo.registry.selectors import defender_duplicates, defender_list

    survivor, absorbed = pair
    merge = defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)
    for confirm in (False, True):
        found = defender_duplicates(actor=coordinator, name="Tomas Quintero Perez")
        assert found == [survivor]
        found = defender_duplicates(actor=coordinator, name="", contacts={"phone": "+573105550199"})
        assert found == [survivor]
        assert list(defender_list(actor=coordinator)) == [survivor]
        if not confirm:
            defender_merge_confirm(actor=coordinator, merge=merge)
