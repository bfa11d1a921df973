"""New organisations, defenders and relatives are imported in bulk (*_prepare, then *_store_many
per batch) with every guarantee of their one-record services: codes, cases, data keys, blind
indexes, consent records, audit chain, refusals by line."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.audit.models import AuditEvent
from amparo.audit.selectors import audit_verify
from amparo.coordination.models import ConsentPurpose, ConsentRecord, ConsentSource
from amparo.core.models import DataKey
from amparo.core.vocab import SENSITIVE_ORGANISATION_KINDS
from amparo.interchange import importer
from amparo.interchange.tests.helpers import (
    generated_records,
    run_import,
    run_import_failing,
    snapshot,
    write_jsonl,
)
from amparo.registry.models import BlindIndex, Case, Defender, Organisation, Person
from amparo.registry.selectors import DefenderFilters, defender_list

REGISTRY = ("organisation", "defender", "person")


def _registry(seed: int, scale: int = 1) -> list[dict[str, Any]]:
    return [r for r in generated_records(seed=seed, scale=scale) if r["type"] in REGISTRY]


def _of(records: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in records if r["type"] == kind]


@pytest.mark.django_db
def test_registry_records_across_batches_get_codes_cases_keys_and_consent(
    entity, tmp_path, monkeypatch
):
    monkeypatch.setattr(importer, "WRITE_BATCH", 25)
    records = _registry(seed=3, scale=2)
    organisations, defenders, persons = (_of(records, kind) for kind in REGISTRY)

    run = run_import(write_jsonl(tmp_path / "in.jsonl", records))

    assert f"organisation: {len(organisations)} created, 0 updated" in run.stdout
    assert f"defender: {len(defenders)} created, 0 updated" in run.stdout
    assert f"person: {len(persons)} created, 0 updated" in run.stdout
    year = datetime.datetime.now(datetime.UTC).year
    stored = {d.external_id: d for d in Defender.objects.select_related("case", "data_key")}
    # Codes follow the file's order, as one-by-one registration gave them; one case each.
    assert [stored[r["id"]].code for r in defenders] == [
        f"{settings.AMPARO_CODE_PREFIX}-{year}-{n:06d}" for n in range(1, len(defenders) + 1)
    ]
    assert [stored[r["id"]].case.code for r in defenders] == [
        f"CASE-{year}-{n:06d}" for n in range(1, len(defenders) + 1)
    ]
    assert Case.objects.count() == len(defenders)
    assert len({d.data_key_id for d in stored.values()}) == len(defenders)
    assert all(d.data_key.wrapped for d in stored.values())
    for record in defenders:
        defender = stored[record["id"]]
        assert defender.name == record["name"]
        assert defender.contacts == record.get("contacts", {})
        assert defender.category_codes == sorted(set(record["categories"]))
        assert {o.external_id for o in defender.organisations.all()} == set(
            record.get("organisations", [])
        )
        assert defender.digest
        consents = ConsentRecord.objects.filter(defender=defender)
        expected = {ConsentPurpose.REGISTER} | (
            {ConsentPurpose.SHARE_WITH_STATE} if record["consent"]["share_with_state"] else set()
        )
        assert {c.purpose for c in consents} == expected
        assert all(
            c.granted and c.source == ConsentSource.OFFICER_ON_BEHALF and c.supersedes_id is None
            for c in consents
        )
        assert defender.consent_share_with_state == record["consent"]["share_with_state"]
    for record in persons:
        person = Person.objects.select_related("defender").get(external_id=record["id"])
        assert person.defender.external_id == record["related_to"]
        assert person.data_key_id == person.defender.data_key_id
        assert person.name == record["name"]
    for record in organisations:
        organisation = Organisation.objects.get(external_id=record["id"])
        assert organisation.display_name == record["name"]
        sealed = record["kind"] in SENSITIVE_ORGANISATION_KINDS
        assert (organisation.data_key_id is not None) == sealed
        assert organisation.name == ("" if sealed else record["name"])
    assert DataKey.objects.filter(purpose=DataKey.Purpose.SUBJECT).count() == len(defenders) + sum(
        r["kind"] in SENSITIVE_ORGANISATION_KINDS for r in organisations
    )
    counts = {
        action: AuditEvent.objects.filter(action=action).count()
        for action in (
            "organisation.create",
            "case.create",
            "defender.create",
            "person.create",
            "consent.record",
        )
    }
    assert counts == {
        "organisation.create": len(organisations),
        "case.create": len(defenders),
        "defender.create": len(defenders),
        "person.create": len(persons),
        "consent.record": ConsentRecord.objects.count(),
    }
    assert set(
        AuditEvent.objects.filter(action="defender.create").values_list("object_id", flat=True)
    ) == {str(d.pk) for d in stored.values()}
    result = audit_verify()
    assert result.ok
    assert result.checked == AuditEvent.objects.count()


@pytest.mark.django_db
def test_bulk_imported_names_and_phones_are_found_by_exact_search(entity, tmp_path, system):
    records = _registry(seed=4)
    run_import(write_jsonl(tmp_path / "in.jsonl", records))

    for record in _of(records, "defender"):
        found = defender_list(actor=system, filters=DefenderFilters(query=record["name"].upper()))
        assert record["id"] in {d.external_id for d in found}
        phone = record.get("contacts", {}).get("phone")
        if phone:
            found = defender_list(actor=system, filters=DefenderFilters(query=phone))
            assert [d.external_id for d in found] == [record["id"]]
    assert BlindIndex.objects.filter(purpose="person.name").count() == len(_of(records, "person"))


@pytest.mark.django_db
def test_registry_queries_do_not_grow_with_the_number_of_records(entity, tmp_path):
    def queries_for(scale: int, name: str) -> int:
        path = write_jsonl(tmp_path / name, _registry(seed=5 + scale, scale=scale))
        for model in (Person, Defender, Organisation):
            model.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            run_import(path)
        return len(queries)

    # 20 organisations, 60 defenders and 40 relatives, then four times as many, in one batch.
    small, large = queries_for(1, "small.jsonl"), queries_for(4, "large.jsonl")

    # One record at a time this took 2,981 and 6,019 queries (SQLite); in bulk the count is
    # that of the batch, whatever its size (71 and 62).
    assert large < 80
    assert large <= small + 5


@pytest.mark.django_db
def test_a_refused_relative_names_its_line_and_nothing_is_written(entity, tmp_path, system):
    from amparo.registry.services import defender_shred

    records = _registry(seed=5)
    persons = _of(records, "person")
    run_import(write_jsonl(tmp_path / "first.jsonl", [r for r in records if r not in persons]))
    shredded = persons[3]["related_to"]
    defender_shred(actor=system, defender=Defender.objects.get(external_id=shredded))
    refused = [n for n, r in enumerate(persons, start=1) if r["related_to"] == shredded]
    before = snapshot()
    consents = ConsentRecord.objects.count()

    run = run_import_failing(write_jsonl(tmp_path / "persons.jsonl", persons))

    assert run.errors == [f"line {n}: field id: You may not do this." for n in refused]
    assert snapshot() == before
    assert ConsentRecord.objects.count() == consents
    assert BlindIndex.objects.filter(purpose="person.name").count() == 0
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_refused_defender_in_a_batch_leaves_no_code_key_or_case(entity, tmp_path, monkeypatch):
    """A refusal at the prepare step (here the policy, for the eighth defender) rolls the whole
    import back: no organisation, code, data key, case, consent record or audit event."""
    from amparo.registry import services

    records = _registry(seed=6)
    calls: list[Any] = []

    def refuse_the_eighth(actor: Any) -> bool:
        calls.append(actor)
        return len(calls) != 8

    monkeypatch.setattr(services, "may_register_defender", refuse_the_eighth)
    before, keys = snapshot(), DataKey.objects.count()

    run = run_import_failing(write_jsonl(tmp_path / "in.jsonl", records))

    eighth = records.index(_of(records, "defender")[7]) + 1
    assert run.errors == [f"line {eighth}: field id: You may not do this."]
    assert len(calls) == len(_of(records, "defender"))
    assert snapshot() == before
    assert DataKey.objects.count() == keys
    assert ConsentRecord.objects.count() == 0
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_conflict_in_the_bulk_store_falls_back_to_one_at_a_time(entity, tmp_path, monkeypatch):
    from django.db import IntegrityError

    records = _registry(seed=5)
    defenders = _of(records, "defender")
    calls = []

    def conflicting_store(**kwargs: Any) -> None:
        calls.append(len(kwargs["prepared"]))
        raise IntegrityError("simulated")

    monkeypatch.setattr(importer, "defender_store_many", conflicting_store)
    run = run_import(write_jsonl(tmp_path / "in.jsonl", records))

    assert calls == [len(defenders)]
    assert f"defender: {len(defenders)} created, 0 updated, 0 unchanged" in run.stdout
    assert Defender.objects.count() == len(defenders)
    assert AuditEvent.objects.filter(action="defender.create").count() == len(defenders)
    assert audit_verify().ok
