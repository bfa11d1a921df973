"""Backups: the encrypted archive refuses tampering, a restore refuses a non-empty target and
proves what it restored; the drill backs up while writes go on and restores (figures)."""

from __future__ import annotations

import io
import os
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from amparo.core.crypto import DecryptionFailed, Kek, Keyring, KeyUnavailable
from amparo.core.keys import get_keyring
from amparo.ops.archive import DecryptingReader, EncryptingWriter
from amparo.ops.backup import BackupError, backup_create, backup_restore, verify_restored
from amparo.ops.figures import report
from amparo.ops.tests.scenario import seed, writes_going_on

POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


def _sealed(keyring: Keyring, payload: bytes) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, keyring, vendor="sqlite")
    writer.write(payload)
    writer.close()
    return out.getvalue()


class TestArchive:
    keyring = Keyring(Kek(b"k" * 32))

    def test_round_trip_over_several_chunks(self):
        payload = os.urandom(3 * (1 << 20) + 17)
        blob = _sealed(self.keyring, payload)
        assert DecryptingReader(io.BytesIO(blob), self.keyring).read() == payload

    def test_any_flipped_byte_of_the_body_is_refused(self):
        blob = bytearray(_sealed(self.keyring, b"backup body" * 100))
        blob[-5] ^= 1
        with pytest.raises(DecryptionFailed):
            DecryptingReader(io.BytesIO(bytes(blob)), self.keyring).read()

    def test_a_dropped_last_chunk_is_refused(self):
        payload = os.urandom(2 * (1 << 20) + 5)
        blob = _sealed(self.keyring, payload)
        cut = blob[: -(5 + 4 + 12 + 16)]  # the final (5-byte) chunk removed
        with pytest.raises(DecryptionFailed, match="truncated"):
            DecryptingReader(io.BytesIO(cut), self.keyring).read()

    def test_another_kek_cannot_open_it(self):
        blob = _sealed(self.keyring, b"x")
        with pytest.raises(KeyUnavailable):
            DecryptingReader(io.BytesIO(blob), Keyring(Kek(b"o" * 32)))

    def test_the_plaintext_is_not_in_the_file(self):
        assert b"backup body" not in _sealed(self.keyring, b"backup body" * 100)


def test_restore_refuses_a_non_empty_data_directory(audit_transactional_db, coordinator, tmp_path):
    seed(coordinator, defenders=1)
    backup = tmp_path / "b.amparo"
    backup_create(out=backup, keyring=get_keyring())
    target = tmp_path / "target"
    (target / "attachments").mkdir(parents=True)
    (target / "attachments" / "someone-else.bin").write_bytes(b"x")
    with pytest.raises(CommandError, match="already holds"):
        call_command("backup", "restore", str(backup), "--data-dir", str(target))
    assert sorted(p.name for p in (target / "attachments").iterdir()) == ["someone-else.bin"]


def test_the_commands_create_and_restore(
    audit_transactional_db, coordinator, tmp_path, empty_database
):
    seed(coordinator, defenders=2)
    backup, target = tmp_path / "b.amparo", tmp_path / "target"
    out = io.StringIO()
    call_command("backup", "create", "--out", str(backup), stdout=out)
    assert out.getvalue().startswith(f"Backup written to {backup}: ")
    assert "2 attachment files" in out.getvalue()
    out = io.StringIO()
    url = empty_database()
    database = ["--database-url", url] if url else []
    call_command("backup", "restore", str(backup), "--data-dir", str(target), *database, stdout=out)
    assert "counts and content hashes equal to the manifest" in out.getvalue()
    assert "2 attachment files equal; audit chain intact" in out.getvalue()
    assert ", 0 failed, 0 shredded." in out.getvalue()


def test_create_never_overwrites(audit_transactional_db, tmp_path):
    existing = tmp_path / "b.amparo"
    existing.write_bytes(b"keep")
    with pytest.raises(BackupError, match="never overwritten"):
        backup_create(out=existing, keyring=get_keyring())
    assert existing.read_bytes() == b"keep"


@pytest.mark.skipif(POSTGRES, reason="alters the restored SQLite file directly")
def test_a_restored_table_that_differs_is_reported(audit_transactional_db, coordinator, tmp_path):
    """Positive control for the restore check: change one restored row, the check names it."""
    seed(coordinator, defenders=1)
    backup = tmp_path / "b.amparo"
    manifest = backup_create(out=backup, keyring=get_keyring()).manifest
    target = tmp_path / "target"
    backup_restore(path=backup, data_dir=target, keyring=get_keyring())
    with sqlite3.connect(target / "amparo.sqlite3") as raw:
        raw.execute("UPDATE registry_defender SET gender = 'x'")
    config = {**settings.DATABASES["default"], "NAME": str(target / "amparo.sqlite3")}
    result = verify_restored(manifest, config, target, get_keyring())
    assert [p.split(":")[0] for p in result.problems] == ["registry_defender"]


@pytest.mark.drill
def test_backup_under_writes_and_restore_drill(
    audit_transactional_db, coordinator, tmp_path, empty_database
):
    seed(coordinator, defenders=8)
    backup = tmp_path / "drill.amparo"
    with writes_going_on(coordinator) as written:
        created = backup_create(out=backup, keyring=get_keyring())
    manifest = created.manifest
    target = tmp_path / "restored"
    restored = backup_restore(
        path=backup, data_dir=target, keyring=get_keyring(), database_url=empty_database()
    )
    report(
        f"backup_restore[{connection.vendor}]",
        backup_bytes=created.bytes,
        backup_seconds=round(created.seconds, 2),
        writes_during_backup=len(written),
        tables=restored.tables,
        rows=restored.rows,
        attachments=restored.attachments,
        audit_events=restored.audit_events,
        restore_seconds=round(restored.seconds, 2),
        sampled_decrypted=restored.decrypted,
        decrypt_failures=restored.decrypt_failures,
        mismatches=len(restored.problems),
    )
    assert restored.problems == []
    assert restored.decrypt_failures == 0
    assert restored.rows == sum(t["rows"] for t in manifest["tables"].values())
    assert restored.attachments == 8
    assert restored.audit_events == manifest["audit"]["events"]
    # Writes went on during the backup, and the backup holds a consistent prefix of them.
    assert written
    in_backup = manifest["tables"]["registry_defender"]["rows"]
    assert 8 <= in_backup <= 8 + len(written)
    assert Path(backup).stat().st_mode & 0o777 == 0o600
