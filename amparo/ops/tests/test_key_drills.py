"""Drills: KEK rotation while writes go on (everything opens with the new KEK alone, nothing
with the old one), and a shred (unreadable live; readable from an older backup only until the
documented horizon)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from amparo.core.crypto import (
    CryptoError,
    DecryptionFailed,
    Kek,
    Keyring,
    Shredded,
    encode_key,
    new_key,
    unseal,
)
from amparo.core.keys import get_keyring, set_keyring
from amparo.core.models import DataKey
from amparo.ops.backup import backup_create, backup_restore
from amparo.ops.fields import encrypted_fields
from amparo.ops.figures import report
from amparo.ops.tests.scenario import seed, writes_going_on
from amparo.registry.models import Defender, Person
from amparo.registry.selectors import erasure_complete_on
from amparo.registry.services import defender_shred

pytestmark = pytest.mark.drill
DOCS = Path(__file__).resolve().parents[3] / "docs"


def _decrypt_everything() -> tuple[int, int, int]:
    """Read every stored encrypted value of every row: (decrypted, failed, shredded)."""
    ok = failed = shredded = 0
    for model, names in encrypted_fields().items():
        for row in model._default_manager.select_related("data_key").iterator():
            for name in names:
                if row.__dict__[name] is None:
                    continue  # NULL: nothing stored, nothing to decrypt
                try:
                    getattr(row, name)
                except Shredded:
                    shredded += 1
                except CryptoError:
                    failed += 1
                else:
                    ok += 1
    return ok, failed, shredded


def _opens_with(kek: Kek) -> int:
    """How many live data keys this KEK's bytes unwrap, whatever id they are filed under."""
    opened = 0
    for data_key in DataKey.objects.filter(wrapped__isnull=False):
        aad = f"amparo|data-key|{data_key.id}|kek:{data_key.kek_id}".encode()
        try:
            unseal(kek.key, bytes(data_key.wrapped), aad)
        except DecryptionFailed:
            continue
        opened += 1
    return opened


def test_kek_rotation_under_writes(
    audit_transactional_db, coordinator, monkeypatch, restore_keyring
):
    seed(coordinator, defenders=5)
    old = get_keyring().require_current()
    new = Kek(new_key())
    # Step 2 of docs/keys.md: every process runs with the new KEK, the old one as previous.
    set_keyring(Keyring(new, (old,)))
    monkeypatch.setenv("AMPARO_KEK", encode_key(new.key))
    monkeypatch.setenv("AMPARO_KEK_PREVIOUS", encode_key(old.key))
    under_old = DataKey.objects.filter(kek_id=old.id, wrapped__isnull=False).count()
    out = io.StringIO()
    with writes_going_on(coordinator) as written:
        call_command("keys", "rotate", stdout=out)  # step 3: rewrap what is still under the old
    # Step 4: the old KEK is removed; everything must open with the new one alone.
    set_keyring(Keyring(new))
    live = DataKey.objects.filter(wrapped__isnull=False)
    ok, failed, shredded = _decrypt_everything()
    with_old = _opens_with(old)
    report(
        f"kek_rotation[{connection.vendor}]",
        data_keys=live.count(),
        rewrapped=under_old,
        writes_during_rotation=len(written),
        under_new_kek=live.filter(kek_id=new.id).count(),
        values_decrypted=ok,
        decrypt_failures=failed,
        data_keys_opened_by_old_kek=with_old,
    )
    assert f"{under_old} data keys rewrapped" in out.getvalue()
    assert written
    assert live.exclude(kek_id=new.id).count() == 0
    assert failed == 0 and shredded == 0 and ok > 0
    assert with_old == 0
    # Positive control: the check above can fail: with only the old KEK, nothing opens.
    set_keyring(Keyring(old))
    assert _decrypt_everything()[0] == 0


def _sealed_under_keys_of_their_own(system: Any, coordinator: Any, victim: Any) -> list[str]:
    """What the victim sent from their space (a report still waiting, with a file) and a letter
    about them alone: each sealed under its own key, not theirs. Returns the canaries."""
    from amparo.accounts.models import Role
    from amparo.accounts.services import user_create
    from amparo.communications.services import CommunicationData, communication_draft
    from amparo.portal.services import ReportContent, Upload, report_submit

    user, _device = user_create(
        actor=system,
        username="victim",
        role=Role.DEFENDER,
        entity=None,
        defender=victim,
        password="correct horse battery staple",
        validate=False,
    )
    comms, _device = user_create(
        actor=system,
        username="comms",
        role=Role.COMMUNICATIONS_OFFICER,
        entity=coordinator.entity,
        password="correct horse battery staple",
        validate=False,
    )
    canaries = ["SHRED-REPORT-CANARY", "SHRED-FILE-CANARY", "SHRED-LETTER-CANARY"]
    content = ReportContent(
        what_happened=canaries[0],
        occurred_on=datetime.date(2026, 3, 1),
        country="CO",
        violations=["threat"],
    )
    upload = Upload(f"{canaries[1]}.txt", io.BytesIO(canaries[1].encode()))
    report_submit(actor=user, content=content, uploads=[upload])
    communication_draft(
        actor=comms,
        data=CommunicationData(
            kind="UA",
            state="CO",
            mandates=["Special Rapporteur on the situation of human rights defenders"],
            defenders=[victim],
            summary=canaries[2],
        ),
    )
    return canaries


def _live_values_naming(canaries: list[str]) -> int:
    """How many stored values (encrypted fields, sealed report files) still open and carry
    one of the canaries."""
    from amparo.portal.models import ReportFile
    from amparo.portal.services import report_file_read

    found = 0
    for model, names in encrypted_fields().items():
        for row in model._default_manager.select_related("data_key").iterator():
            for name in names:
                if row.__dict__[name] is None:
                    continue
                try:
                    value = str(getattr(row, name))
                except CryptoError:
                    continue
                found += any(canary in value for canary in canaries)
    for report_file in ReportFile.objects.select_related("data_key"):
        try:
            content = report_file_read(report_file).decode(errors="replace")
        except (CryptoError, OSError):
            continue
        found += any(canary in content for canary in canaries)
    return found


def test_shred_and_the_backup_horizon(
    audit_transactional_db, system, coordinator, tmp_path, empty_database
):
    victim, *_others = seed(coordinator, defenders=3)
    own_keys = _sealed_under_keys_of_their_own(system, coordinator, victim)
    before_shred_named = _live_values_naming(own_keys)
    before = tmp_path / "before-shred.amparo"
    backup_create(out=before, keyring=get_keyring())
    defender_shred(actor=coordinator, defender=victim)
    after_shred_named = _live_values_naming(own_keys)

    fresh = Defender.objects.get(pk=victim.pk)
    relative = Person.objects.get(defender=victim)
    unreadable = 0
    for read in (
        lambda: fresh.name,
        lambda: fresh.contacts,
        lambda: relative.name,
        *(lambda i=i: i.narrative for i in fresh.incidents.all()),
    ):
        try:
            read()
        except Shredded:
            unreadable += 1
    readable_live = 0 if unreadable else 1

    restored = backup_restore(
        path=before,
        data_dir=tmp_path / "older",
        keyring=get_keyring(),
        database_url=empty_database(),
    )
    after = tmp_path / "after-shred.amparo"
    backup_create(out=after, keyring=get_keyring())
    restored_after = backup_restore(
        path=after,
        data_dir=tmp_path / "newer",
        keyring=get_keyring(),
        database_url=empty_database(),
    )

    today = timezone.localdate()
    horizon = erasure_complete_on(today)
    days = settings.AMPARO_BACKUP_RETENTION_DAYS
    report(
        f"shred[{connection.vendor}]",
        shredded_values_unreadable_live=unreadable,
        shredded_values_readable_live=readable_live,
        own_key_values_readable_before=before_shred_named,
        own_key_values_readable_live=after_shred_named,
        pre_shred_backup_shredded_values=restored.shredded,
        post_shred_backup_shredded_values=restored_after.shredded,
        retention_days=days,
        erasure_complete_on=horizon.isoformat(),
    )
    assert unreadable == 4
    # Their self-report, its file and the letter about them alone: readable before, not after.
    assert before_shred_named == 4 and after_shred_named == 0
    # The older backup still opens the record (no shredded value in it): the documented horizon.
    assert restored.shredded == 0 and restored.decrypt_failures == 0
    assert restored_after.shredded > 0 and restored_after.decrypt_failures == 0
    assert days == 35
    assert horizon == today + datetime.timedelta(days=35)
    keys_doc = (DOCS / "keys.md").read_text()
    backup_doc = (DOCS / "backup.md").read_text()
    assert "`AMPARO_BACKUP_RETENTION_DAYS`" in keys_doc and "(default 35)" in keys_doc
    assert "AMPARO_BACKUP_RETENTION_DAYS" in backup_doc and "35 days" in backup_doc
