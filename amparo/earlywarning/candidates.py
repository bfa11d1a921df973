"""What a rule proposes before it becomes an Alert: plain data, so that scans can run as of any
past day without writing (back-tests) and so that tests can compare results exactly."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AlertCandidate:
    kind: str  # AlertKind value
    level: str  # AlertLevel value
    raised_on: datetime.date  # the as-of day that raised it
    expires_on: datetime.date  # last day it is active unless closed earlier
    defender_ids: tuple[str, ...]  # Defender primary keys (str), sorted
    dedupe_key: str  # kind + cause: overlapping candidates with the same key merge
    reason: str  # human-readable, never sensitive
    country: str = ""
    subdivision: str = ""
    categories: tuple[str, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)  # rule, statistic, window, record ids
    recommended_measures: tuple[str, ...] = ()  # measure kind codes
