"""`make verify`: run the verification drills (amparo/ops/tests, marker `drill`), the security
suite (amparo/tests/security: authorization matrix, field rules, headers, API fuzzing) and the
static analysis (bandit: no high-severity finding; the SBOM in var/sbom.cdx.json), and print
their figures as a table, also written as JSON (var/verify.json by default).

    python scripts/verify.py [--json FILE] [--postgres URL]

With --postgres (or VERIFY_DATABASE_URL) the drills run a second time on that PostgreSQL
server (those that start a server on a throw-away database they create there). Exit status:
non-zero when any drill or security test failed, or bandit found a high-severity issue.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRILLS = "amparo/ops/tests"
SECURITY = "amparo/tests/security"


def run_drills(figures: Path, database_url: str | None) -> tuple[int, float]:
    env = {**os.environ, "AMPARO_VERIFY_FIGURES": str(figures)}
    argv = [sys.executable, "-m", "pytest", DRILLS, "-m", "drill", "-q"]
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    started = time.monotonic()
    done = subprocess.run(argv, env=env, cwd=ROOT, check=False)  # noqa: S603 - fixed argv
    return done.returncode, time.monotonic() - started


def run_security_suite(figures: Path) -> tuple[int, float]:
    """The security suite on SQLite (its own test database), figures into the same file."""
    env = {**os.environ, "AMPARO_VERIFY_FIGURES": str(figures)}
    env.pop("DATABASE_URL", None)
    argv = [sys.executable, "-m", "pytest", SECURITY, "-q", "-s"]
    started = time.monotonic()
    done = subprocess.run(argv, env=env, cwd=ROOT, check=False)  # noqa: S603 - fixed argv
    return done.returncode, time.monotonic() - started


def static_analysis(sbom_path: Path) -> dict[str, object]:
    """bandit over the code (high-severity findings fail the run; ruff's security rules run in
    `make lint`), and the software bill of materials (scripts/sbom.py) of this installation."""
    bandit = [sys.executable, "-m", "bandit", "-q", "-r", "amparo", "config", "scripts"]
    done = subprocess.run(  # noqa: S603 - fixed argv
        [*bandit, "-x", "*/tests/*,amparo/conftest.py", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    results = json.loads(done.stdout or "{}").get("results", [])
    by_severity = {level: 0 for level in ("HIGH", "MEDIUM", "LOW")}
    for finding in results:
        by_severity[finding["issue_severity"]] = by_severity.get(finding["issue_severity"], 0) + 1
    sbom = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, str(ROOT / "scripts" / "sbom.py"), "--out", str(sbom_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    components = len(json.loads(sbom_path.read_text())["components"]) if sbom.returncode == 0 else 0
    return {
        "part": "static analysis",
        "bandit_high": by_severity["HIGH"],
        "bandit_medium": by_severity["MEDIUM"],
        "bandit_low": by_severity["LOW"],
        "sbom": str(sbom_path.relative_to(ROOT)) if sbom.returncode == 0 else "FAILED",
        "sbom_components": components,
    }


def table(parts: list[dict[str, object]]) -> str:
    lines = ["", "Verification figures", "=" * 20]
    for part in parts:
        lines.append(f"{part['part']}")
        for name, value in part.items():
            if name != "part":
                lines.append(f"  {name:<40} {value}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "var" / "verify.json"), help="output file")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("VERIFY_DATABASE_URL") or None,
        help="also run the drills on this PostgreSQL server",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="amparo-verify-") as tmp:
        figures = Path(tmp) / "figures.jsonl"
        figures.touch()
        runs = [("sqlite", *run_drills(figures, None))]
        if options.postgres:
            runs.append(("postgresql", *run_drills(figures, options.postgres)))
        runs.append(("security suite (sqlite)", *run_security_suite(figures)))
        parts = [json.loads(line) for line in figures.read_text().splitlines() if line.strip()]
    static = static_analysis(ROOT / "var" / "sbom.cdx.json")
    parts.append(static)
    passed = all(code == 0 for _name, code, _seconds in runs)
    passed = passed and static["bandit_high"] == 0 and static["sbom_components"] != 0
    result = {
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "passed": passed,
        "runs": [
            {"database": name, "exit_status": code, "seconds": round(seconds, 1)}
            for name, code, seconds in runs
        ],
        "parts": parts,
    }
    out = Path(options.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(table(parts) + "\n")
    for name, code, seconds in runs:
        what = name if name.startswith("security") else f"drills on {name}"
        sys.stdout.write(f"\n{what}: {'passed' if code == 0 else 'FAILED'} ({seconds:.0f} s)")
    sys.stdout.write(f"\nFigures written to {out}\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
