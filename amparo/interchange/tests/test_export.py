"""Export: visibility, pseudonymisation, who may export, the file it writes and its audit event."""

from __future__ import annotations

import json
import stat
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amparo.audit.models import AuditEvent
from amparo.interchange.tests.helpers import (
    SENSITIVE_VALUES,
    run_export,
    run_import,
    sample_records,
    write_jsonl,
)
from amparo.registry.models import Defender


@pytest.fixture
def imported(entity, tmp_path):
    run_import(write_jsonl(tmp_path / "in.jsonl", sample_records()))


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.django_db
def test_pseudonymised_export_has_no_sensitive_value_and_no_real_id(imported, tmp_path):
    text = run_export("--pseudonymise")

    for value in [*SENSITIVE_VALUES, "hrd-1", "rel-1", "inc-1", "org-1", "ev-1"]:
        assert value not in text, value
    records = _lines(text)
    by_type = {r["type"]: r for r in records}
    defender, incident = by_type["defender"], by_type["incident"]
    assert defender["id"].startswith("d-") and len(defender["id"]) == 18
    assert defender["name"] == defender["id"]
    assert not {"alias", "locality", "contacts"} & set(defender)
    assert not {"locality", "perpetrator_detail", "narrative", "sources"} & set(incident)
    assert defender["id"] in incident["victims"]
    assert by_type["person"]["related_to"] == defender["id"]
    # A union's name is public; a community's is not.
    names = {r["kind"]: r["name"] for r in records if r["type"] == "organisation"}
    assert names["union"] == "Sindicato Nacional"
    assert names["community"].startswith("o-")
    # Stable: the same pseudonyms every time.
    assert run_export("--pseudonymise") == text


@pytest.mark.django_db
def test_a_pseudonymised_export_is_importable(imported, tmp_path):
    text = run_export("--pseudonymise")
    run = run_import(write_jsonl(tmp_path / "pseudo.jsonl", text.splitlines()))
    assert run.errors == []
    assert "defender: 1 created" in run.stdout


@pytest.mark.django_db
def test_analysts_are_refused_identities(imported, analyst):
    with pytest.raises(CommandError, match="Analysts may export pseudonymised records only"):
        call_command("export", "--as", "analyst", stdout=StringIO())
    assert not AuditEvent.objects.filter(action="export.run").exists()

    text = run_export("--as", "analyst", "--pseudonymise")
    assert "Tomás Pérez Quintero" not in text
    assert len(text.splitlines()) == 6


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["liaison", "auditor", "admin_user"])
def test_other_roles_may_not_export(imported, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(CommandError, match="Your role may not export records"):
        call_command("export", "--as", user.username, "--pseudonymise", stdout=StringIO())


@pytest.mark.django_db
def test_export_respects_visibility(world, coordinator, officer, foreign_coordinator):
    def exported_names(username: str) -> set[str]:
        text = run_export("--as", username, "--types", "defender")
        return {r["name"] for r in _lines(text)}

    names = world.names
    assert exported_names("coordinator") == {names["team"], names["unassigned"]}
    assert exported_names("officer") == {names["team"], names["restricted"]}
    assert exported_names("foreign_coordinator") == {names["foreign"]}
    assert len(exported_names_system := {r["name"] for r in _lines(run_export())}) == 4
    assert names["restricted"] in exported_names_system


@pytest.mark.django_db
def test_references_to_hidden_records_are_left_out(world, coordinator, system, tmp_path):
    """An incident a coordinator sees must not name a defender of a restricted case."""
    from amparo.incidents.services import IncidentData, incident_record

    incident_record(
        actor=system,
        data=IncidentData(
            date=world.team_defender.registered_on,
            country="CO",
            violations=["threat"],
            victim_defenders=[world.team_defender, world.restricted_defender],
        ),
    )
    text = run_export("--as", "coordinator", "--types", "incident")
    (incident,) = _lines(text)
    assert incident["victims"] == [world.team_defender.external_id]
    assert world.restricted_defender.external_id not in text


@pytest.mark.django_db
def test_export_is_audited_without_values(imported):
    run_export("--types", "defender,incident", "--pseudonymise")
    event = AuditEvent.objects.filter(action="export.run").get()
    assert event.detail == {
        "types": ["defender", "incident"],
        "counts": {"defender": 1, "incident": 1},
        "pseudonymised": True,
        "format": "jsonl",
        "completed": True,
    }
    assert event.actor_label.startswith("cli:")


@pytest.mark.django_db
def test_out_file_is_private(imported, tmp_path):
    out = tmp_path / "export.jsonl"
    call_command("export", "--out", str(out), stderr=StringIO())
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8") == run_export()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.django_db
def test_other_formats_are_refused(imported):
    with pytest.raises(CommandError, match="invalid choice: 'pdf'"):
        call_command("export", "--format", "pdf")
    assert not AuditEvent.objects.filter(action="export.run").exists()


@pytest.mark.django_db
def test_unknown_types_are_refused(imported):
    with pytest.raises(CommandError, match="Unknown record type 'alert'"):
        call_command("export", "--types", "defender,alert")


@pytest.mark.django_db
def test_types_come_out_in_dependency_order(imported):
    text = run_export("--types", "incident,organisation")
    assert [r["type"] for r in _lines(text)] == ["organisation", "organisation", "incident"]


@pytest.mark.django_db
def test_a_shredded_defender_is_exported_as_a_stub(imported, system, tmp_path):
    from amparo.registry.services import defender_shred

    defender = Defender.objects.get(external_id="hrd-1")
    defender_shred(actor=system, defender=defender)
    text = run_export()

    for value in SENSITIVE_VALUES:
        if value not in {"Colectivo Tierra Libre"}:  # the organisation has its own key
            assert value not in text, value
    by_type = {r["type"]: r for r in _lines(text)}
    assert by_type["defender"]["name"] == defender.code
    assert by_type["person"]["name"] == "rel-1"
    assert "narrative" not in by_type["incident"]
    # The stub file still imports.
    from amparo.interchange.tests.helpers import delete_domain_rows

    delete_domain_rows()
    run = run_import(write_jsonl(tmp_path / "stub.jsonl", text.splitlines()))
    assert run.errors == []
    assert run_export() == text


@pytest.mark.django_db
def test_a_pseudonymised_export_decrypts_nothing(imported, monkeypatch):
    from amparo.core.fields import EncryptedField

    def refuse(self, instance, blob):
        raise AssertionError(f"decrypted {self.name}")

    monkeypatch.setattr(EncryptedField, "decrypt", refuse)
    assert len(run_export("--pseudonymise").splitlines()) == 6


@pytest.mark.django_db
def test_a_personal_event_of_hidden_defenders_is_left_out(world, coordinator, officer):
    from amparo.earlywarning.services import EventData, event_create

    def personal(defenders, title):
        data = EventData(
            kind="travel_abroad",
            start=world.team_defender.registered_on,
            country="CO",
            title=title,
            defenders=defenders,
        )
        return event_create(actor=officer, data=data)

    personal([world.restricted_defender], "restricted travel")
    personal([world.team_defender, world.restricted_defender], "joint travel")
    events = _lines(run_export("--as", "coordinator", "--types", "event"))
    assert [(e["title"], e["defenders"]) for e in events] == [
        ("joint travel", [world.team_defender.external_id])
    ]
    assert len(_lines(run_export("--as", "officer", "--types", "event"))) == 2


def test_the_commands_are_registered_under_their_names():
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    assert commands["import"] == commands["export"] == "amparo.interchange"
    assert load_command_class("amparo.interchange", "import").help.startswith("Import")


@pytest.mark.django_db
def test_a_failed_export_leaves_no_file_and_is_audited(imported, tmp_path, monkeypatch):
    from amparo.interchange import mapping

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mapping, "incident_record", crash)
    out = tmp_path / "export.jsonl"
    with pytest.raises(RuntimeError, match="disk full"):
        call_command("export", "--out", str(out), stderr=StringIO())
    assert list(tmp_path.iterdir()) == [tmp_path / "in.jsonl"]
    event = AuditEvent.objects.filter(action="export.run").get()
    assert event.detail["completed"] is False
    assert event.detail["counts"]["defender"] == 1
