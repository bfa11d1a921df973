"""The hash chain: every edit, deletion, reordering and (with a witness) truncation is caught (T6).

Pure tests drive verify_events with hypothesis; database tests tamper with the real table after
switching off its append-only triggers, which the test transaction's rollback restores.
"""

import datetime
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, IntegrityError, ProgrammingError, connection, transaction
from hypothesis import assume, given
from hypothesis import strategies as st

from amparo.audit.chain import CHAINED_FIELDS, GENESIS, event_hash, verify_events
from amparo.audit.models import AuditEvent
from amparo.audit.selectors import audit_head, audit_verify
from amparo.audit.services import audit_record

T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def build_chain(length):
    events, prev = [], GENESIS
    for seq in range(1, length + 1):
        values = {
            "seq": seq,
            "occurred_at": T0 + datetime.timedelta(seconds=seq, microseconds=seq),
            "actor_id": seq % 3 or None,
            "actor_label": f"user{seq % 3}",
            "actor_role": "coordinator",
            "actor_entity_id": 1,
            "action": f"defender.read.{seq}",
            "object_type": "defender",
            "object_id": f"00000000-0000-0000-0000-{seq:012d}",
            "fields": ["alias", "name"],
            "detail": {"via": "page", "n": seq},
            "request_id": "",
        }
        values["prev_hash"] = prev
        prev = values["hash"] = event_hash(prev, values)
        events.append(values)
    return events


def rehash_from(events, start_index):
    prev = events[start_index - 1]["hash"] if start_index else GENESIS
    for values in events[start_index:]:
        values["prev_hash"] = prev
        prev = values["hash"] = event_hash(prev, values)


def mutated(value):
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return value + 1
    if isinstance(value, datetime.datetime):
        return value + datetime.timedelta(microseconds=1)
    if isinstance(value, str):
        return value[:-1] + ("x" if value[-1:] != "x" else "y")
    if isinstance(value, list):
        return [*value, "extra"]
    if isinstance(value, dict):
        return {**value, "extra": True}
    raise AssertionError(value)


chains = st.integers(min_value=2, max_value=30).map(build_chain)


class TestVerifyEvents:
    @given(length=st.integers(0, 40))
    def test_an_intact_chain_verifies(self, length):
        events = build_chain(length)
        result = verify_events(events)
        assert result.ok is True
        assert result.checked == length
        assert result.head_seq == length
        assert result.head_hash == (events[-1]["hash"] if events else GENESIS)
        assert result.first_bad_seq is None

    @given(events=chains, data=st.data())
    def test_any_single_field_edit_is_detected_at_that_event(self, events, data):
        index = data.draw(st.integers(0, len(events) - 1), label="index")
        name = data.draw(st.sampled_from([*CHAINED_FIELDS, "prev_hash", "hash"]), label="field")
        events[index][name] = mutated(events[index][name])

        result = verify_events(events)

        assert result.ok is False
        assert result.first_bad_seq == index + 1

    @given(events=chains, data=st.data())
    def test_a_single_character_edit_of_any_text_is_detected(self, events, data):
        index = data.draw(st.integers(0, len(events) - 1), label="index")
        name = data.draw(
            st.sampled_from(["actor_label", "action", "object_id", "hash", "prev_hash"]),
            label="field",
        )
        text = events[index][name]
        position = data.draw(st.integers(0, len(text) - 1), label="position")
        replacement = data.draw(st.characters(codec="utf-8"), label="replacement")
        assume(replacement != text[position])
        events[index][name] = text[:position] + replacement + text[position + 1 :]

        result = verify_events(events)

        assert (result.ok, result.first_bad_seq) == (False, index + 1)

    @given(events=chains, data=st.data())
    def test_deleting_any_event_but_the_last_is_detected(self, events, data):
        index = data.draw(st.integers(0, len(events) - 2), label="index")
        del events[index]

        result = verify_events(events)

        assert (result.ok, result.first_bad_seq) == (False, index + 1)
        assert result.problem == f"event {index + 1} is missing (next present is {index + 2})"

    @given(events=chains, data=st.data())
    def test_reordering_is_detected(self, events, data):
        i = data.draw(st.integers(0, len(events) - 2), label="i")
        j = data.draw(st.integers(i + 1, len(events) - 1), label="j")
        events[i], events[j] = events[j], events[i]

        assert verify_events(events).first_bad_seq == i + 1

    @given(events=chains, data=st.data())
    def test_swapping_contents_but_keeping_seq_is_detected(self, events, data):
        i = data.draw(st.integers(0, len(events) - 2), label="i")
        j = data.draw(st.integers(i + 1, len(events) - 1), label="j")
        seq_i, seq_j = events[i]["seq"], events[j]["seq"]
        events[i], events[j] = {**events[j], "seq": seq_i}, {**events[i], "seq": seq_j}

        result = verify_events(events)

        assert (result.ok, result.first_bad_seq) == (False, i + 1)

    @given(events=chains, data=st.data())
    def test_truncation_is_invisible_alone_and_detected_with_a_witness(self, events, data):
        keep = data.draw(st.integers(0, len(events) - 1), label="keep")
        witness = {len(events): events[-1]["hash"]}
        truncated = events[:keep]

        alone = verify_events(truncated)
        witnessed = verify_events(truncated, witness)

        assert (alone.ok, alone.head_seq) == (True, keep)
        assert (witnessed.ok, witnessed.first_bad_seq) == (False, keep + 1)
        assert "truncated" in witnessed.problem

    @given(events=chains, data=st.data())
    def test_a_consistent_rewrite_is_caught_only_by_a_witness(self, events, data):
        index = data.draw(st.integers(0, len(events) - 1), label="index")
        witnessed_seq = data.draw(st.integers(index + 1, len(events)), label="witnessed")
        witness = {witnessed_seq: events[witnessed_seq - 1]["hash"]}
        events[index]["action"] = "nothing.happened"
        rehash_from(events, index)

        assert verify_events(events).ok is True
        result = verify_events(events, witness)
        assert (result.ok, result.first_bad_seq) == (False, witnessed_seq)
        assert result.problem == "it differs from the witnessed checkpoint"

    def test_the_hash_covers_every_chained_field(self):
        (event,) = build_chain(1)
        base = event_hash(GENESIS, event)
        for name in CHAINED_FIELDS:
            assert event_hash(GENESIS, {**event, name: mutated(event[name])}) != base, name
        assert event_hash("1" * 64, event) != base

    def test_timestamps_hash_by_instant_not_by_zone(self):
        (event,) = build_chain(1)
        bogota = datetime.timezone(datetime.timedelta(hours=-5))
        moved = {**event, "occurred_at": event["occurred_at"].astimezone(bogota)}
        assert event_hash(GENESIS, moved) == event_hash(GENESIS, event)


# --- The table in the database ----------------------------------------------------------------


def triggers_present():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'audit_auditevent' ORDER BY name"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D' ORDER BY tgname"
            )
        return [row[0] for row in cursor.fetchall()]


EXPECTED_TRIGGERS = {
    "sqlite": ["audit_event_no_delete", "audit_event_no_update"],
    "postgresql": ["audit_event_no_change", "audit_event_no_truncate"],
}
# What each database raises when a trigger refuses the statement.
REFUSAL = {"sqlite": IntegrityError, "postgresql": ProgrammingError}


@contextmanager
def triggers_off():
    """Switch the append-only triggers off, as an attacker with DDL rights would."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        else:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    yield


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def chain(db, system):
    """Ten events after whatever the fixtures wrote."""
    for n in range(10):
        audit_record(
            system,
            "test.event",
            object_type="thing",
            object_id=n,
            fields=["a", "b"],
            detail={"n": n, "note": "ñandú ✓"},
        )
    return AuditEvent.objects.count()


@pytest.mark.django_db
class TestAppendOnlyTable:
    def test_triggers_are_installed(self):
        assert triggers_present() == EXPECTED_TRIGGERS[connection.vendor]

    def test_orm_update_is_refused(self, chain):
        with pytest.raises(REFUSAL[connection.vendor]), transaction.atomic():
            AuditEvent.objects.filter(seq=3).update(action="nothing.happened")
        assert AuditEvent.objects.get(seq=3).action == "test.event" or chain < 10

    def test_orm_delete_is_refused(self, chain):
        with pytest.raises(REFUSAL[connection.vendor]), transaction.atomic():
            AuditEvent.objects.filter(seq=chain).delete()
        assert AuditEvent.objects.count() == chain

    def test_save_of_a_loaded_event_is_refused(self, chain):
        event = AuditEvent.objects.get(seq=chain)
        event.detail = {"n": -1}
        with pytest.raises(REFUSAL[connection.vendor]), transaction.atomic():
            event.save()
        assert AuditEvent.objects.get(seq=chain).detail == {"n": 9, "note": "ñandú ✓"}

    def test_raw_sql_update_and_delete_are_refused(self, chain):
        with pytest.raises(DatabaseError), transaction.atomic():
            sql("UPDATE audit_auditevent SET action = 'x'")
        with pytest.raises(DatabaseError), transaction.atomic():
            sql("DELETE FROM audit_auditevent")
        assert AuditEvent.objects.count() == chain
        assert audit_verify().ok is True

    def test_truncate_is_refused_on_postgresql(self, chain):
        if connection.vendor != "postgresql":
            pytest.skip("SQLite has no TRUNCATE; DELETE is covered above")
        with pytest.raises(ProgrammingError), transaction.atomic():
            sql("TRUNCATE audit_auditevent")
        assert AuditEvent.objects.count() == chain

    def test_rolling_back_restores_dropped_triggers(self, chain):
        # The tamper tests below rely on this: DDL is transactional on SQLite and PostgreSQL.
        with pytest.raises(RuntimeError), transaction.atomic():
            with triggers_off():
                assert triggers_present() == []
                AuditEvent.objects.filter(seq=1).update(action="nothing.happened")
            raise RuntimeError
        assert triggers_present() == EXPECTED_TRIGGERS[connection.vendor]
        assert AuditEvent.objects.get(seq=1).action != "nothing.happened"
        with pytest.raises(REFUSAL[connection.vendor]), transaction.atomic():
            AuditEvent.objects.filter(seq=1).update(action="nothing.happened")


@pytest.mark.django_db
class TestTamperDetection:
    def test_a_clean_chain_verifies(self, chain):
        result = audit_verify()
        assert (result.ok, result.checked, result.head_seq) == (True, chain, chain)
        assert result.head_hash == AuditEvent.objects.get(seq=chain).hash
        assert audit_head() == (chain, result.head_hash)

    def test_an_empty_log_verifies(self, db):
        assert AuditEvent.objects.count() == 0
        result = audit_verify()
        assert (result.ok, result.checked, result.head_seq, result.head_hash) == (
            True,
            0,
            0,
            GENESIS,
        )

    @pytest.mark.parametrize(
        ("column", "value"),
        [
            ("action", "'nothing.happened'"),
            ("object_id", "'other'"),
            ("actor_label", "'x'"),
            ("actor_id", "999"),
            ("detail", "'{\"n\": 99}'"),
            ("fields", "'[]'"),
            ("request_id", "'r'"),
            ("actor_role", "'admin'"),
        ],
    )
    def test_an_altered_field(self, chain, column, value):
        with triggers_off():
            sql(
                f"UPDATE audit_auditevent SET {column} = {value} WHERE seq = %s",  # noqa: S608
                [chain - 4],
            )

        result = audit_verify()

        assert (result.ok, result.first_bad_seq) == (False, chain - 4)
        assert result.problem == "its content does not match its hash"
        assert result.head_seq == chain - 5

    def test_an_altered_timestamp(self, chain):
        event = AuditEvent.objects.get(seq=chain - 2)
        with triggers_off():
            AuditEvent.objects.filter(seq=chain - 2).update(
                occurred_at=event.occurred_at - datetime.timedelta(seconds=1)
            )

        assert audit_verify().first_bad_seq == chain - 2

    def test_a_deleted_middle_event(self, chain):
        with triggers_off():
            sql("DELETE FROM audit_auditevent WHERE seq = %s", [chain - 5])

        result = audit_verify()

        assert (result.ok, result.first_bad_seq) == (False, chain - 5)
        assert result.problem == f"event {chain - 5} is missing (next present is {chain - 4})"

    def test_two_events_swapped(self, chain):
        first, second = chain - 6, chain - 2
        rows = {e.seq: e for e in AuditEvent.objects.filter(seq__in=[first, second])}
        columns = [f.attname for f in AuditEvent._meta.fields if f.attname != "seq"]
        with triggers_off():
            # Through a free seq so the unique hash constraint holds at every step.
            AuditEvent.objects.filter(seq=first).update(hash="swap-in-progress")
            AuditEvent.objects.filter(seq=second).update(
                **{c: getattr(rows[first], c) for c in columns}
            )
            AuditEvent.objects.filter(seq=first).update(
                **{c: getattr(rows[second], c) for c in columns}
            )

        result = audit_verify()

        assert (result.ok, result.first_bad_seq) == (False, first)
        assert AuditEvent.objects.get(seq=first).hash == rows[second].hash

    def test_a_truncated_tail_needs_a_witness(self, chain):
        witness = dict([audit_head()])
        with triggers_off():
            sql("DELETE FROM audit_auditevent WHERE seq > %s", [chain - 3])

        assert audit_verify().ok is True
        result = audit_verify(witness)
        assert (result.ok, result.first_bad_seq, result.head_seq) == (False, chain - 2, chain - 3)
        assert result.problem == (
            f"the log ends at {chain - 3} but a witness saw event {chain}: it was truncated"
        )

    def test_a_rewritten_chain_is_caught_by_the_witness(self, chain):
        witness = dict([audit_head()])
        events = list(AuditEvent.objects.order_by("seq").values(*CHAINED_FIELDS, "hash"))
        events[chain - 4]["action"] = "nothing.happened"
        rehash_from(events, chain - 4)
        with triggers_off():
            for values in events[chain - 4 :]:
                AuditEvent.objects.filter(seq=values["seq"]).update(
                    action=values["action"], hash=f"tmp-{values['seq']}"
                )
            for values in events[chain - 4 :]:
                AuditEvent.objects.filter(seq=values["seq"]).update(
                    prev_hash=values["prev_hash"], hash=values["hash"]
                )

        assert audit_verify().ok is True
        result = audit_verify(witness)
        assert (result.ok, result.first_bad_seq) == (False, chain)

    def test_a_forged_event_appended_with_a_wrong_link(self, chain):
        head_seq, _head_hash = audit_head()
        values = {
            "seq": head_seq + 1,
            "occurred_at": T0,
            "actor_id": None,
            "actor_label": "x",
            "actor_role": "system",
            "actor_entity_id": None,
            "action": "forged",
            "object_type": "",
            "object_id": "",
            "fields": [],
            "detail": {},
            "request_id": "",
        }
        AuditEvent.objects.create(**values, prev_hash=GENESIS, hash=event_hash(GENESIS, values))

        result = audit_verify()

        assert (result.ok, result.first_bad_seq) == (False, head_seq + 1)
        assert result.problem == "its link to the previous event is broken"
