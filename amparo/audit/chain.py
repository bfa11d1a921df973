"""Hashing and verification of the audit chain: hash = SHA-256(prev_hash ‖ canonical event)."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "actor_role",
    "actor_entity_id",
    "action",
    "object_type",
    "object_id",
    "fields",
    "detail",
    "request_id",
)


def _timestamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, values: dict[str, Any]) -> str:
    body = {name: values[name] for name in CHAINED_FIELDS}
    body["occurred_at"] = _timestamp(values["occurred_at"])
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(prev_hash.encode("ascii") + canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str = ""


def verify_events(
    events: Iterable[dict[str, Any]], witness: dict[int, str] | None = None
) -> VerifyResult:
    """Walk the events in seq order; the first gap, reordering or altered event fails."""
    witness = witness or {}
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    for values in events:
        seq = values["seq"]
        if seq != expected_seq:
            return VerifyResult(
                False,
                checked,
                expected_seq - 1,
                prev_hash,
                expected_seq,
                f"event {expected_seq} is missing (next present is {seq})",
            )
        if values["prev_hash"] != prev_hash:
            return VerifyResult(
                False, checked, seq - 1, prev_hash, seq, "its link to the previous event is broken"
            )
        recomputed = event_hash(prev_hash, values)
        if values["hash"] != recomputed:
            return VerifyResult(
                False, checked, seq - 1, prev_hash, seq, "its content does not match its hash"
            )
        if seq in witness and witness[seq] != recomputed:
            return VerifyResult(
                False, checked, seq - 1, prev_hash, seq, "it differs from the witnessed checkpoint"
            )
        prev_hash, expected_seq, checked = recomputed, seq + 1, checked + 1
    head_seq = expected_seq - 1
    missing = [seq for seq in witness if seq > head_seq]
    if missing:
        return VerifyResult(
            False,
            checked,
            head_seq,
            prev_hash,
            head_seq + 1,
            f"the log ends at {head_seq} but a witness saw event {min(missing)}: it was truncated",
        )
    return VerifyResult(True, checked, head_seq, prev_hash)
