"""Production settings: `check --deploy` is clean, and a missing key or secret stops start-up."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "AMPARO_ENV": "production",
        "AMPARO_DATA_DIR": str(tmp_path),
        "AMPARO_ALLOWED_HOSTS": "amparo.example.org",
    }
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def kek() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_check_deploy_is_clean_with_production_settings(tmp_path, kek):
    result = _run(
        tmp_path,
        AMPARO_SECRET_KEY="s" * 20 + base64.b64encode(os.urandom(40)).decode(),
        AMPARO_KEK=kek,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_run_without_a_kek(tmp_path):
    result = _run(tmp_path, AMPARO_SECRET_KEY="s" * 20 + base64.b64encode(os.urandom(40)).decode())
    assert result.returncode != 0
    assert "amparo.E001" in result.stderr + result.stdout


def test_production_refuses_to_run_without_a_secret_key(tmp_path, kek):
    result = _run(tmp_path, AMPARO_KEK=kek)
    assert result.returncode != 0
    assert "AMPARO_SECRET_KEY must be set" in result.stderr


def test_production_ignores_the_development_key_file(tmp_path):
    from amparo.core.devkeys import write_dev_file

    write_dev_file(tmp_path / "dev-keys.json")
    result = _run(tmp_path, AMPARO_SECRET_KEY="s" * 20 + base64.b64encode(os.urandom(40)).decode())
    assert result.returncode != 0
    assert "amparo.E001" in result.stderr + result.stdout
