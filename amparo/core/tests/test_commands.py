"""The operator commands: init, serve, createuser, audit, keys, shred, totp."""

from __future__ import annotations

import io
import json
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.accounts.models import User
from amparo.audit.models import AuditEvent
from amparo.conftest import run_append_only_sql
from amparo.core.crypto import Kek, Keyring, Shredded, encode_key, new_key
from amparo.core.keys import TEST_KEK, read_key_file, set_keyring
from amparo.core.models import DataKey
from amparo.incidents.models import Incident
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.models import Defender, Person
from amparo.registry.services import DefenderData, PersonData, defender_register, person_create

PASSWORD = "a long enough pass phrase 42"


def run(*args, stdin: str | None = None, monkeypatch=None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def defender(coordinator):
    return defender_register(
        actor=coordinator,
        data=DefenderData(
            name="Tomás Pérez",
            country="CO",
            subdivision="CO-CAU",
            categories=["land_environment"],
            contacts={"phone": "+57 310 555 0101"},
        ),
    )


# init and serve ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestInit:
    def test_dev_writes_a_private_key_file_once_and_warns(self, tmp_path):
        key_file = tmp_path / "dev-keys.json"
        with override_settings(AMPARO_DEV_KEY_FILE=key_file, AMPARO_DATA_DIR=tmp_path):
            out, err = run("init", "--dev")
            first = key_file.read_text()
            run("init", "--dev")
        assert "DEVELOPMENT KEYS ONLY" in err
        assert "Ready" in out
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert key_file.read_text() == first  # idempotent: the key is never replaced
        assert set(json.loads(first)) >= {"kek", "secret_key", "warning"}
        assert json.loads(first)["kek"] not in out + err

    def test_dev_is_refused_in_production(self, tmp_path):
        key_file = tmp_path / "dev-keys.json"
        with (
            override_settings(PRODUCTION=True, AMPARO_DEV_KEY_FILE=key_file),
            pytest.raises(CommandError, match="refused in production"),
        ):
            run("init", "--dev")
        assert not key_file.exists()

    def test_refuses_to_invent_a_key_for_a_database_that_holds_data(self, tmp_path, defender):
        with (
            override_settings(AMPARO_DEV_KEY_FILE=tmp_path / "dev-keys.json"),
            pytest.raises(CommandError, match="holds encrypted data"),
        ):
            run("init", "--dev")
        assert not (tmp_path / "dev-keys.json").exists()

    def test_without_a_key_it_explains_what_to_do(self, restore_keyring, monkeypatch):
        monkeypatch.setattr("amparo.core.management.commands.init.set_keyring", lambda k: None)
        set_keyring(Keyring(None))
        with pytest.raises(CommandError, match="AMPARO_KEK_FILE"):
            run("init")

    def test_healthz_answers_after_init(self, client):
        run("init")
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json()["keys"] == "ok"


@pytest.mark.django_db
class TestServe:
    def test_execs_gunicorn_on_localhost(self, monkeypatch):
        calls = []
        monkeypatch.setattr(os, "execv", lambda path, argv: calls.append(argv))
        monkeypatch.setenv("PORT", "8123")
        out, _ = run("serve", "--workers", "3")
        argv = calls[0]
        assert argv[1:4] == ["-m", "gunicorn", "config.wsgi:application"]
        assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
        assert argv[argv.index("--workers") + 1] == "3"
        # Query strings carry search terms: the access log leaves them out.
        assert "%(U)s" in argv[argv.index("--access-logformat") + 1]
        assert "%(r)s" not in argv[argv.index("--access-logformat") + 1]
        assert "http://127.0.0.1:8123/" in out

    def test_refuses_without_usable_keys(self, restore_keyring, monkeypatch):
        monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("must not start"))
        set_keyring(Keyring(None))
        with pytest.raises(CommandError, match="No key-encryption key"):
            run("serve")

    def test_refuses_a_key_that_does_not_open_the_database(self, restore_keyring, monkeypatch):
        monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("must not start"))
        run("init")  # the index root exists, wrapped by the test KEK
        set_keyring(Keyring(Kek(new_key())))
        with pytest.raises(CommandError, match="does not open"):
            run("serve")


# createuser ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestCreateUser:
    def test_password_from_stdin(self, entity, monkeypatch):
        out, _ = run(
            "createuser",
            "--username",
            "marisol",
            "--role",
            "case_officer",
            "--entity",
            "desk",
            "--password-stdin",
            stdin=PASSWORD + "\n",
            monkeypatch=monkeypatch,
        )
        user = User.objects.get(username="marisol")
        assert user.role == "case_officer" and user.entity == entity
        assert user.check_password(PASSWORD)
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed
        assert device.config_url in out
        assert PASSWORD not in out
        event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
        assert event.actor_role == "system" and event.actor_label.startswith("cli:")

    def test_generates_a_password_and_creates_the_entity(self):
        out, _ = run(
            "createuser",
            "--username",
            "karim",
            "--role",
            "coordinator",
            "--entity",
            "mesa",
            "--create-entity",
            "Mesa de protección",
        )
        user = User.objects.get(username="karim")
        assert user.entity.slug == "mesa"
        password = out.split("secure channel): ")[1].split()[0]
        assert user.check_password(password)
        assert AuditEvent.objects.filter(action="entity.create").count() == 1

    def test_unknown_entity_creates_nothing(self):
        with pytest.raises(CommandError, match="No entity 'nowhere'"):
            run("createuser", "--username", "x", "--role", "analyst", "--entity", "nowhere")
        assert not User.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_weak_password_is_refused(self, entity, monkeypatch):
        with pytest.raises(CommandError, match="password"):
            run(
                "createuser",
                "--username",
                "x",
                "--role",
                "auditor",
                "--password-stdin",
                stdin="short\n",
                monkeypatch=monkeypatch,
            )
        assert not User.objects.filter(username="x").exists()

    def test_defender_account_is_linked_to_the_record(self, defender):
        run("createuser", "--username", "tomas", "--role", "defender", "--defender", defender.code)
        assert User.objects.get(username="tomas").defender == defender


# audit ---------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAudit:
    def test_verify_intact_then_tampered(self, defender):
        out, _ = run("audit", "verify")
        count = AuditEvent.objects.count()
        assert f"intact: {count} events checked" in out
        run_append_only_sql("REVERSE")  # rolled back with the test's transaction
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET action = %s WHERE seq = %s", ["defender.read", 2]
            )
        with pytest.raises(CommandError, match="BROKEN at event 2: its content") as error:
            run("audit", "verify")
        assert error.value.returncode == 1

    def test_head_and_witness_catch_truncation(self, defender, tmp_path):
        head, _ = run("audit", "head")
        seq, digest = head.split()
        assert int(seq) == AuditEvent.objects.count() and len(digest) == 64
        witness = tmp_path / "witness.txt"
        witness.write_text(f"# saved elsewhere\n{head}")
        out, _ = run("audit", "verify", "--witness", str(witness))
        assert "1 witnessed checkpoints" in out
        run_append_only_sql("REVERSE")
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [int(seq)])
        run("audit", "verify")  # a clean cut at the end is invisible to the chain alone
        with pytest.raises(CommandError, match="truncated"):
            run("audit", "verify", "--witness", str(witness))

    def test_a_malformed_witness_file_is_an_error(self, tmp_path):
        witness = tmp_path / "witness.txt"
        witness.write_text("not a checkpoint\n")
        with pytest.raises(CommandError, match="line 1"):
            run("audit", "verify", "--witness", str(witness))


# keys ----------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestKeys:
    def test_rotate_rewraps_every_data_key(self, defender, restore_keyring, monkeypatch):
        # The defender's relatives are sealed under the defender's key.
        person_create(
            actor=_system(),
            defender=defender,
            data=PersonData(name="Rosa Pérez", relation="spouse"),
        )
        new = new_key()
        monkeypatch.setenv("AMPARO_NEW_KEK", encode_key(new))
        live = DataKey.objects.filter(wrapped__isnull=False)
        before = live.count()
        out, _ = run("keys", "rotate", "--new-kek-env", "AMPARO_NEW_KEK")
        assert set(live.values_list("kek_id", flat=True)) == {Kek(new).id}
        assert f"{before} data keys rewrapped" in out
        assert "AMPARO_KEK_PREVIOUS" in out
        assert encode_key(new) not in out
        # Only the new KEK now: everything still opens.
        set_keyring(Keyring(Kek(new)))
        fresh = Defender.objects.get(pk=defender.pk)
        assert fresh.name == "Tomás Pérez"
        assert Person.objects.get(defender=fresh).name == "Rosa Pérez"
        event = AuditEvent.objects.get(action="keys.rotate")
        assert event.detail["rewrapped"] == before
        assert event.detail["from"] == [Kek(TEST_KEK).id] and event.detail["to"] == Kek(new).id
        # And the old KEK alone no longer opens them.
        set_keyring(Keyring(Kek(TEST_KEK)))
        with pytest.raises(Exception, match="not loaded"):
            _ = Defender.objects.get(pk=defender.pk).name

    def test_rotate_without_a_new_key_outside_development_only_finishes(self, defender):
        out, _ = run("keys", "rotate")
        assert "Rewrapping 0 data keys" in out

    def test_generate_then_rotate_from_the_key_file(
        self, defender, restore_keyring, tmp_path, monkeypatch
    ):
        key_file = tmp_path / "kek.json"
        out, _ = run(
            "keys",
            "generate",
            "--out",
            str(key_file),
            "--passphrase-stdin",
            stdin=PASSWORD + "\n",
            monkeypatch=monkeypatch,
        )
        kek = read_key_file(key_file, PASSWORD.encode())
        assert Kek(kek).id in out
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        with pytest.raises(CommandError, match="never overwritten"):
            run(
                "keys",
                "generate",
                "--out",
                str(key_file),
                "--passphrase-stdin",
                stdin=PASSWORD + "\n",
                monkeypatch=monkeypatch,
            )
        run(
            "keys",
            "rotate",
            "--new-key-file",
            str(key_file),
            "--passphrase-stdin",
            stdin=PASSWORD + "\n",
            monkeypatch=monkeypatch,
        )
        assert set(DataKey.objects.values_list("kek_id", flat=True)) == {Kek(kek).id}

    def test_generate_refuses_a_short_passphrase(self, tmp_path, monkeypatch):
        with pytest.raises(CommandError, match="at least 12"):
            run(
                "keys",
                "generate",
                "--out",
                str(tmp_path / "k.json"),
                "--passphrase-stdin",
                stdin="short\n",
                monkeypatch=monkeypatch,
            )

    def test_status(self, defender):
        out, _ = run("keys", "status")
        assert f"Key-encryption key: {Kek(TEST_KEK).id} (source: test)" in out
        assert "current" in out and "Shredded data keys: 0" in out

    def test_status_fails_when_a_kek_is_missing(self, defender, restore_keyring):
        set_keyring(Keyring(Kek(new_key())))
        with pytest.raises(CommandError, match="not loaded"):
            run("keys", "status")


def _system():
    from amparo.accounts.models import SystemActor

    return SystemActor("test:system")


# shred ---------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestShred:
    def test_needs_yes_then_destroys_the_key(self, defender):
        incident = incident_record(
            actor=_system(),
            data=IncidentData(
                date=defender.registered_on,
                country="CO",
                violations=["death_threat"],
                victim_defenders=[defender],
                narrative="A note on the door.",
            ),
        )
        with pytest.raises(CommandError, match="--yes"):
            run("shred", defender.code)
        assert Defender.objects.get(pk=defender.pk).name == "Tomás Pérez"
        out, _ = run("shred", defender.code, "--yes")
        assert "1 incidents" in out and "Backups" in out and "expire" in out
        fresh = Defender.objects.get(pk=defender.pk)
        assert fresh.is_shredded
        with pytest.raises(Shredded):
            _ = fresh.name
        with pytest.raises(Shredded):
            _ = Incident.objects.get(pk=incident.pk).narrative
        assert (
            AuditEvent.objects.filter(action="defender.shred", object_id=str(defender.pk)).count()
            == 1
        )
        out, _ = run("shred", defender.code, "--yes")
        assert "shredded already" in out

    def test_unknown_code(self, db):
        with pytest.raises(CommandError, match="No defender"):
            run("shred", "HRD-2026-999999", "--yes")


# totp ----------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestTotp:
    def test_prints_a_code_the_device_accepts(self, officer):
        out, _ = run("totp", "officer")
        assert TOTPDevice.objects.get(user=officer).verify_token(out.strip())

    def test_refused_in_production(self, officer):
        with (
            override_settings(PRODUCTION=True),
            pytest.raises(CommandError, match="refused in production"),
        ):
            run("totp", "officer")
