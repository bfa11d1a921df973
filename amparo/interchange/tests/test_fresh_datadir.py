"""Export → import into a fresh data directory (new database, new keys) → export: same lines.

This runs the real `amparo` command in subprocesses, each data directory with its own
development KEK, so nothing is shared between the two installations but the file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from amparo.interchange.records import TYPES
from amparo.interchange.tests.helpers import generated_records, write_jsonl

ROOT = Path(__file__).resolve().parents[3]


def amparo(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "AMPARO_KEK", "AMPARO_KEK_FILE", "DJANGO_SETTINGS_MODULE"}
        and not key.startswith("AMPARO_")
    }
    env.update({"AMPARO_ENV": "development", "AMPARO_DATA_DIR": str(data_dir)})
    result = subprocess.run(
        [sys.executable, "-m", "amparo.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_round_trip_through_a_fresh_installation(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", generated_records(seed=3))
    first, second = tmp_path / "first", tmp_path / "second"
    exported_first, exported_second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    for data_dir in (first, second):
        amparo(data_dir, "init", "--dev")
        amparo(
            data_dir,
            "createuser",
            "--username",
            "ops",
            "--role",
            "coordinator",
            "--create-entity",
            "Desk",
        )

    amparo(first, "import", str(source))
    amparo(first, "export", "--format", "jsonl", "--out", str(exported_first))
    amparo(second, "import", str(exported_first))
    amparo(second, "export", "--format", "jsonl", "--out", str(exported_second))

    lines = exported_first.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(source.read_text(encoding="utf-8").splitlines())
    assert exported_second.read_text(encoding="utf-8") == exported_first.read_text(encoding="utf-8")
    keys = [(d / "dev-keys.json").read_text() for d in (first, second)]
    assert keys[0] != keys[1]

    # A second import of the same file into the second installation changes nothing.
    output = amparo(second, "import", str(exported_first))
    summary = dict(re.findall(r"^(\w+): 0 created, 0 updated, (\d+) unchanged$", output, re.M))
    # One summary line per record type the importer knows.
    assert set(summary) == set(TYPES)
    assert sum(int(n) for n in summary.values()) == len(lines)
