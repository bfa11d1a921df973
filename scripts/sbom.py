"""Write the software bill of materials of this installation as CycloneDX 1.5 JSON.

Every distribution installed in the running environment (Amparo's pinned dependencies and
theirs), with its version, licence as declared, and package URL, so an operator can check a
deployment against advisories. Standard library only: `python scripts/sbom.py [--out FILE]`;
`make verify` writes var/sbom.cdx.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import uuid
from importlib import metadata
from pathlib import Path


def _licence(dist: metadata.Distribution) -> list[dict[str, dict[str, str]]]:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return [{"license": {"name": expression}}]
    classifiers = [
        c.rsplit("::", 1)[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::")
    ]
    if classifiers:
        return [{"license": {"name": name}} for name in classifiers]
    declared = (meta.get("License") or "").strip()
    if declared and len(declared) < 100:
        return [{"license": {"name": declared}}]
    return []


def components() -> list[dict[str, object]]:
    seen: dict[str, dict[str, object]] = {}
    for dist in metadata.distributions():
        name = dist.metadata.get("Name")
        if not name:
            continue
        key = name.lower().replace("_", "-")
        seen[key] = {
            "type": "library",
            "name": name,
            "version": dist.version,
            "purl": f"pkg:pypi/{key}@{dist.version}",
            "licenses": _licence(dist),
        }
    return [seen[key] for key in sorted(seen)]


def sbom() -> dict[str, object]:
    amparo_version = metadata.version("amparo") if _installed("amparo") else "unknown"
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "component": {"type": "application", "name": "amparo", "version": amparo_version},
            "properties": [{"name": "python", "value": sys.version.split()[0]}],
        },
        "components": [c for c in components() if c["name"] != "amparo"],
    }


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write here instead of stdout")
    args = parser.parse_args()
    text = json.dumps(sbom(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        count = len(json.loads(text)["components"])
        sys.stdout.write(f"wrote {args.out}: {count} components\n")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
