"""The figures each verification drill reports, collected for `make verify`'s table and JSON."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

FIGURES_ENV = "AMPARO_VERIFY_FIGURES"


def report(part: str, **figures: Any) -> None:
    """Print one drill's figures and, under `make verify`, append them to its figures file."""
    line = ", ".join(f"{name}={value}" for name, value in figures.items())
    sys.stderr.write(f"[verify] {part}: {line}\n")
    path = os.environ.get(FIGURES_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"part": part, **figures}, default=str) + "\n")
