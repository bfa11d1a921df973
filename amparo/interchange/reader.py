"""Read a JSON Lines file one line at a time: (line number, object or the reason it is not one)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Line:
    number: int
    value: dict[str, Any] | None = None
    problem: str = ""


def read_lines(path: Path, keep: Callable[[int], bool] | None = None) -> Iterator[Line]:
    """Every non-blank line, decoded and parsed; with keep, only the line numbers it accepts are
    parsed (the others are skipped unparsed), so later passes pay only for what they use."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip() or (keep is not None and not keep(number)):
                continue
            yield parse_line(number, raw)


def parse_line(number: int, raw: bytes) -> Line:
    try:
        # A byte-order mark is tolerated at the start of the file (spreadsheet tools add one).
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        return Line(number, problem=f"Not valid UTF-8 (byte {exc.start + 1}).")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Line(number, problem=f"Not valid JSON: {exc.msg} (column {exc.colno}).")
    if not isinstance(value, dict):
        return Line(number, problem="Expected a JSON object.")
    return Line(number, value=value)
