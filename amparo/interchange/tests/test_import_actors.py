"""Importing as a user applies their policies; a crash mid-import leaves nothing behind."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amparo.audit.models import AuditEvent
from amparo.interchange.tests.helpers import (
    run_import,
    run_import_failing,
    sample_records,
    snapshot,
    write_jsonl,
)
from amparo.registry.models import CaseMember, Defender


@pytest.mark.django_db
def test_officer_import_opens_cases_on_their_team(officer, tmp_path):
    run_import(write_jsonl(tmp_path / "in.jsonl", sample_records()), "--as", "officer")
    defender = Defender.objects.get()
    assert CaseMember.objects.filter(case=defender.case, user=officer).exists()
    assert set(
        AuditEvent.objects.filter(action="defender.create").values_list("actor_label", flat=True)
    ) == {"officer"}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["analyst", "liaison", "auditor"])
def test_roles_without_write_rights_may_not_import(persona, request, tmp_path, entity):
    user = request.getfixturevalue(persona)
    path = write_jsonl(tmp_path / "in.jsonl", sample_records())
    with pytest.raises(CommandError, match="may not import"):
        call_command("import", str(path), "--as", user.username, "--entity", "desk")


@pytest.mark.django_db
def test_users_import_into_their_own_entity_only(coordinator, other_entity, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", sample_records())
    with pytest.raises(CommandError, match="only into your own entity"):
        call_command("import", str(path), "--as", "coordinator", "--entity", "other")


@pytest.mark.django_db
def test_an_id_of_a_record_the_user_cannot_see_is_refused(world, coordinator, tmp_path):
    restricted = world.restricted_defender
    path = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {
                "type": "defender",
                "id": restricted.external_id,
                "name": "Someone else",
                "categories": ["lawyer"],
                "country": "CO",
            },
            {
                "type": "person",
                "id": "rel-1",
                "name": "Luis",
                "relation": "child",
                "related_to": restricted.external_id,
            },
        ],
    )
    before = snapshot()
    run = run_import_failing(path, "--as", "coordinator")
    assert run.errors == [
        "line 1: field id: This id belongs to a defender you may not change.",
        f"line 2: field related_to: Refers to defender {restricted.external_id!r}, which is "
        "invalid (line 1).",
    ]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_reference_to_a_hidden_record_is_unknown(world, coordinator, tmp_path):
    restricted = world.restricted_defender
    path = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {
                "type": "person",
                "id": "rel-1",
                "name": "Luis",
                "relation": "child",
                "related_to": restricted.external_id,
            },
        ],
    )
    run = run_import_failing(path, "--as", "coordinator")
    assert run.errors == [
        f"line 1: field related_to: Unknown defender id {restricted.external_id!r}."
    ]


@pytest.mark.django_db
def test_a_crash_mid_import_leaves_the_database_as_it_was(entity, tmp_path, monkeypatch):
    from amparo.interchange import importer

    def crash(**kwargs):
        raise RuntimeError("disk on fire")

    # New incidents are stored in bulk, changed ones one at a time: both paths crash.
    monkeypatch.setattr(importer, "incident_record", crash)
    monkeypatch.setattr(importer, "incident_store_many", crash)
    before = snapshot()
    path = write_jsonl(tmp_path / "in.jsonl", sample_records())
    with pytest.raises(RuntimeError, match="disk on fire"):
        call_command("import", str(path), stdout=StringIO(), stderr=StringIO())
    assert snapshot() == before
