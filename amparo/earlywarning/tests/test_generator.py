"""The synthetic world generator: determinism, scale, planted mechanisms, delays, import."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from amparo.earlywarning.generator import (
    ELECTION_CATEGORIES,
    GRAVE,
    Parameters,
    generate,
    legacy_parameters,
    truth_path,
)

KINDS = {
    "threat_escalation",
    "election_season",
    "personal_event",
    "organisational_contagion",
    "regional_outbreak",
    "repeat_victimisation",
    "reporting_delay",
}


def _make(tmp_path: Path, name: str = "world.jsonl", **options: Any) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / name
    generate(Parameters(**{"defenders": 60, "seed": 7, **options}), str(path))
    return path, json.loads(Path(truth_path(str(path))).read_text(encoding="utf-8"))


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    path, truth = _make(tmp_path_factory.mktemp("gen"), defenders=400, seed=3)
    return _records(path), truth


def test_same_seed_same_bytes_and_truth(tmp_path: Path) -> None:
    a, _ = _make(tmp_path, "a.jsonl")
    b, _ = _make(tmp_path, "b.jsonl")
    assert a.read_bytes() == b.read_bytes()
    assert Path(truth_path(str(a))).read_bytes() == Path(truth_path(str(b))).read_bytes()


def test_different_seeds_differ(tmp_path: Path) -> None:
    a, _ = _make(tmp_path, "a.jsonl", seed=1)
    b, _ = _make(tmp_path, "b.jsonl", seed=2)
    assert a.read_bytes() != b.read_bytes()


def test_counts_scale_with_n(tmp_path: Path) -> None:
    small = Counter(r["type"] for r in _records(_make(tmp_path, "s.jsonl", defenders=100)[0]))
    large = Counter(r["type"] for r in _records(_make(tmp_path, "l.jsonl", defenders=400)[0]))
    assert small["defender"] == 100 and large["defender"] == 400
    for kind in ("organisation", "person", "incident"):
        assert 2.5 < large[kind] / small[kind] < 5.5, kind
    # About 10 incidents per defender over three years (7 in the legacy world), about one
    # organisation per 15.
    assert 7 < large["incident"] / 400 < 13
    assert large["organisation"] == round(400 / 15)


def test_world_shape(world: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    records, _ = world
    defenders = [r for r in records if r["type"] == "defender"]
    women = sum(r["gender"] == "woman" for r in defenders) / len(defenders)
    assert 0.4 < women < 0.6
    assert len({r["country"] for r in defenders}) >= 4
    assert all(r["subdivision"].startswith(r["country"] + "-") for r in defenders)
    elections = [r for r in records if r["type"] == "event" and r["kind"] == "election"]
    assert {r["country"] for r in elections} == {r["country"] for r in defenders}
    personal = [r for r in records if r["type"] == "event" and r.get("defenders")]
    assert {r["kind"] for r in personal} >= {"publication", "travel_abroad", "judicial_proceeding"}


def test_every_mechanism_in_truth_with_existing_ids(
    world: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    records, truth = world
    incidents = {r["id"]: r for r in records if r["type"] == "incident"}
    defender_ids = {r["id"] for r in records if r["type"] == "defender"}
    mechanisms = truth["mechanisms"]
    assert {m["kind"] for m in mechanisms} == KINDS
    caused: Counter[str] = Counter()
    for m in mechanisms:
        assert set(m["defenders"]) <= defender_ids
        for incident_id in m["incidents"]:
            incident = incidents[incident_id]
            assert m["start"] <= incident["date"] <= m["end"], (m["id"], incident_id)
            if m["defenders"]:
                assert set(incident["victims"]) & set(m["defenders"])
            caused[m["kind"]] += 1
    for kind in KINDS - {"reporting_delay"}:
        assert caused[kind] > 0, kind
    # An incident is caused by at most one mechanism.
    every = [i for m in mechanisms for i in m["incidents"]]
    assert len(every) == len(set(every))
    assert truth["counts"]["incidents"] == len(incidents)
    assert sum(truth["counts"]["by_mechanism"].values()) == len(incidents)


def test_escalations_end_in_a_grave_attack_two_to_eight_weeks_later(
    world: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    records, truth = world
    incidents = {r["id"]: r for r in records if r["type"] == "incident"}
    escalations = [m for m in truth["mechanisms"] if m["kind"] == "threat_escalation"]
    assert escalations
    for m in escalations:
        first = incidents[m["precursors"][0]]
        attack = incidents[m["outcomes"][0]]
        assert set(first["violations"]) <= {"threat", "death_threat"}
        assert set(attack["violations"]) <= GRAVE
        lag = datetime.date.fromisoformat(attack["date"]) - datetime.date.fromisoformat(
            first["date"]
        )
        assert 14 <= lag.days <= 56


def test_contagion_follows_a_grave_attack_on_a_fellow_member(
    world: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    records, truth = world
    incidents = {r["id"]: r for r in records if r["type"] == "incident"}
    orgs = {r["id"]: set(r.get("organisations", [])) for r in records if r["type"] == "defender"}
    for m in (m for m in truth["mechanisms"] if m["kind"] == "organisational_contagion"):
        trigger = incidents[m["parameters"]["trigger_incident"]]
        assert set(trigger["violations"]) & GRAVE
        for incident_id in m["incidents"]:
            incident = incidents[incident_id]
            assert incident["date"] > trigger["date"]
            assert m["parameters"]["organisation"] in orgs[incident["victims"][0]]


def test_election_windows_have_higher_rates_for_exposed_categories(
    world: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    """Computed from the file alone: incidents per exposed defender-day, inside vs outside."""
    records, truth = world
    period_start = datetime.date.fromisoformat(truth["period"]["start"])
    days = 365 * truth["parameters"]["years"]
    exposed = {
        r["id"]: r["country"]
        for r in records
        if r["type"] == "defender" and set(r["categories"]) & set(ELECTION_CATEGORIES)
    }
    windows: dict[str, list[tuple[int, int]]] = {}
    for r in records:
        if r["type"] == "event" and r["kind"] == "election":
            day = (datetime.date.fromisoformat(r["start"]) - period_start).days
            first, last = max(0, day - r["lead_days"]), min(days - 1, day + r["tail_days"])
            windows.setdefault(r["country"], []).append((first, last))
    inside_days = outside_days = 0
    for country in exposed.values():
        covered = {d for first, last in windows.get(country, []) for d in range(first, last + 1)}
        inside_days += len(covered)
        outside_days += days - len(covered)
    inside = outside = 0
    for r in records:
        if r["type"] != "incident" or r["victims"][0] not in exposed:
            continue
        day = (datetime.date.fromisoformat(r["date"]) - period_start).days
        if any(first <= day <= last for first, last in windows.get(r["country"], [])):
            inside += 1
        else:
            outside += 1
    ratio = (inside / inside_days) / (outside / outside_days)
    assert ratio > 1.5, ratio


def test_reporting_delays_as_designed(world: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    records, truth = world
    delays = [
        (
            datetime.date.fromisoformat(r["reported_on"]) - datetime.date.fromisoformat(r["date"])
        ).days
        for r in records
        if r["type"] == "incident" and r["date_precision"] == "day"
    ]
    n = len(delays)
    assert min(delays) >= 0 and max(delays) <= 180
    assert 0.55 < sum(d <= 6 for d in delays) / n < 0.65
    assert 0.20 < sum(7 <= d <= 27 for d in delays) / n < 0.30
    assert 0.11 < sum(d >= 28 for d in delays) / n < 0.19
    delay = next(m for m in truth["mechanisms"] if m["kind"] == "reporting_delay")
    assert sum(delay["observed"].values()) == truth["counts"]["incidents"]


def test_file_imports_cleanly(
    tmp_path: Path, entity: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from amparo.incidents.models import Incident
    from amparo.registry.models import Defender

    path, truth = _make(tmp_path)
    call_command("import", str(path))  # the only entity leads the new cases
    out, err = capsys.readouterr()
    assert err == ""
    assert "errors: 0" in out, out
    assert Defender.objects.count() == 60
    assert Incident.objects.count() == truth["counts"]["incidents"]


def test_command_writes_both_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.jsonl"
    call_command("generate", "--defenders", "30", "--seed", "5", "--out", str(out))
    assert out.exists() and Path(truth_path(str(out))).exists()
    assert "incidents" in capsys.readouterr().out


def test_command_refuses_a_future_period(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    future = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError):
        call_command("generate", "--out", str(tmp_path / "x.jsonl"), "--start", future)


def test_legacy_profile_plants_no_bursts_and_mostly_background_grave_attacks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "legacy.jsonl"
    generate(legacy_parameters(defenders=400, seed=3), str(path))
    truth = json.loads(Path(truth_path(str(path))).read_text(encoding="utf-8"))
    assert truth["parameters"]["profile"] == "legacy"
    assert {m["kind"] for m in truth["mechanisms"]} == KINDS - {"repeat_victimisation"}
    incidents = [r for r in _records(path) if r["type"] == "incident"]
    assert 5 < len(incidents) / 400 < 9
    shares = _grave_shares(incidents, truth)
    assert shares["background"] > 0.8, shares


def _grave_shares(incidents: list[dict[str, Any]], truth: dict[str, Any]) -> dict[str, float]:
    cause = {i: m["kind"] for m in truth["mechanisms"] for i in m["incidents"]}
    grave = [r["id"] for r in incidents if set(r["violations"]) & GRAVE]
    counts = Counter(cause.get(i, "background") for i in grave)
    return {kind: n / len(grave) for kind, n in counts.items()}


def test_research_profile_gives_the_named_mechanisms_a_share_of_grave_attacks(
    world: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    """Elections, personal events, threats and attacks on colleagues cause grave attacks too
    (docs/generator.md, "Why these defaults"); half of the lethal ones follow a planted threat
    or another mechanism, not the background alone."""
    records, truth = world
    incidents = [r for r in records if r["type"] == "incident"]
    shares = _grave_shares(incidents, truth)
    for kind in (
        "threat_escalation",
        "election_season",
        "personal_event",
        "organisational_contagion",
        "repeat_victimisation",
    ):
        assert shares.get(kind, 0) > 0.01, (kind, shares)
    assert shares["background"] < 0.65, shares
    cause = {i: m["kind"] for m in truth["mechanisms"] for i in m["incidents"]}
    lethal = [r["id"] for r in incidents if set(r["violations"]) & {"killing", "attempted_killing"}]
    escalated = sum(cause.get(i) == "threat_escalation" for i in lethal)
    assert escalated / len(lethal) > 0.2


def test_background_rates_drift_and_burst(
    world: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    """A burst follows its trigger on the same defender within burst_days; a defender's yearly
    background counts vary more than a static Poisson rate would allow."""
    records, truth = world
    incidents = {r["id"]: r for r in records if r["type"] == "incident"}
    days = truth["parameters"]["burst_days"]
    bursts = [m for m in truth["mechanisms"] if m["kind"] == "repeat_victimisation"]
    assert bursts
    for m in bursts:
        trigger = incidents[m["parameters"]["trigger_incident"]]
        start = datetime.date.fromisoformat(trigger["date"])
        for incident_id in m["incidents"]:
            incident = incidents[incident_id]
            lag = (datetime.date.fromisoformat(incident["date"]) - start).days
            # A trigger known only to the month is dated the 1st: up to 30 days earlier.
            slack = 30 if trigger["date_precision"] == "month" else 0
            assert 1 <= lag <= days + slack
            assert m["defenders"][0] in incident["victims"]
    caused = {i for m in truth["mechanisms"] for i in m["incidents"]}
    by_year: Counter[tuple[str, str]] = Counter()
    for r in incidents.values():
        if r["id"] not in caused:
            for victim in r["victims"]:
                by_year[(victim, r["date"][:4])] += 1
    # Within a defender, the change from one year to the next: Poisson at a static rate
    # gives a variance of the difference equal to the sum of the means.
    diffs = [
        by_year[(d, "2024")] - by_year[(d, "2023")]
        for d in {d for d, _ in by_year}
        if d.startswith("d-")
    ]
    means = [by_year[(d, "2024")] + by_year[(d, "2023")] for d in {d for d, _ in by_year}]
    variance = sum(x * x for x in diffs) / len(diffs)
    assert variance > 1.2 * sum(means) / len(means)


def test_command_generates_the_legacy_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "legacy.jsonl"
    call_command(
        "generate", "--defenders", "30", "--seed", "5", "--out", str(out), "--profile", "legacy"
    )
    truth = json.loads(Path(truth_path(str(out))).read_text(encoding="utf-8"))
    assert truth["parameters"]["profile"] == "legacy"
    assert truth["parameters"]["escalation_share"] == 0.04
