"""The in-memory world gives exactly what the database scan gives, day by day; the incremental
scan reads only what can change its defenders and still gives the daily scan's answer."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from amparo.earlywarning.config import EngineConfig, config_from_values
from amparo.earlywarning.engine import scan_as_of
from amparo.earlywarning.generator import Parameters, generate
from amparo.earlywarning.world import World
from amparo.incidents.models import Incident

pytestmark = pytest.mark.django_db

D = datetime.date
CONFIG = EngineConfig()
# Every rule wide open (the first defaults): same-perpetrator links, threats propagating,
# country and all-category regional cells, the incident-date clock.
WIDE = config_from_values(
    {
        "escalation_clock": "incident",
        "escalation_days": 90,
        "escalation_level_by_finding": {"repeated_incidents": "warning", "grave_attack": "watch"},
        "network_threat_weight": 0.6,
        "network_link_weights": {"perpetrator": 0.6},
        "regional": {"country_level": True, "all_categories": True, "budget": 10},
    }
)


@pytest.fixture
def imported(tmp_path: Path, entity, capsys) -> World:
    path = tmp_path / "world.jsonl"
    generate(Parameters(defenders=80, seed=11, years=2, start="2023-01-01"), str(path))
    call_command("import", str(path))
    assert "errors: 0" in capsys.readouterr().out
    return World.load()


def test_memory_scan_equals_database_scan_day_by_day(imported: World) -> None:
    days = [D(2023, 3, 1), D(2023, 9, 14), D(2024, 2, 5), D(2024, 6, 30), D(2024, 12, 20)]
    for config in (CONFIG, WIDE):
        kinds = set()
        for day in days:
            # Later-reported incidents exist (dated on or before the day, reported after it).
            assert Incident.objects.filter(date__lte=day, reported_on__gt=day).exists()
            expected = scan_as_of(day, config=config)
            assert imported.scan(day, config=config) == expected
            kinds |= {c.kind for c in expected}
        assert kinds >= {"calendar", "escalation", "network"}
    assert "regional" in kinds  # WIDE


def test_memory_scan_equals_database_scan_with_the_warning_budget(imported: World) -> None:
    budget = config_from_values({"warning_budget": 0.1})
    ranked = 0
    for day in (D(2023, 9, 14), D(2024, 6, 30)):
        expected = scan_as_of(day, config=budget)
        assert imported.scan(day, config=budget) == expected
        ranked += sum(c.dedupe_key.startswith("escalation-rank:") for c in expected)
        assert all(c.level != "warning" or c.evidence["rule"] == "rank" for c in expected)
    assert ranked > 0


@pytest.mark.parametrize("config", [WIDE, CONFIG], ids=["wide", "defaults"])
def test_incremental_scan_equals_the_daily_scan_for_its_defenders(
    imported: World, config: EngineConfig
) -> None:
    day = D(2024, 6, 30)
    full = [c for c in scan_as_of(day, config=config) if c.kind != "regional"]
    linked = sorted(
        {d for c in full if c.kind in {"network", "escalation"} for d in c.defender_ids}
    )
    assert len(linked) >= 5
    for start in range(0, len(linked), 5):
        wanted = linked[start : start + 5]
        expected = [c for c in full if set(wanted) & set(c.defender_ids)]
        assert scan_as_of(day, config=config, defender_ids=wanted) == expected
    links = {link["link"] for c in full if c.kind == "network" for link in c.evidence["links"]}
    if config is WIDE:
        assert {"organisation", "perpetrator"} <= links


def test_the_daily_scans_regional_counts_equal_the_binned_facts(imported: World) -> None:
    """The daily scan counts the regional cells from narrow queries (regional_counts); the
    back-test bins the incidents' facts: the same counts in the same cells, day by day, for a
    configuration with and without country and all-category cells."""
    from amparo.earlywarning.engine import IncidentStore, incident_facts, regional_counts
    from amparo.earlywarning.regional import RegionalConfig

    narrow = config_from_values({"regional": {"country_level": False, "all_categories": False}})
    uncategorised = 0
    for config in (WIDE, CONFIG, narrow):
        settings = RegionalConfig(**config.regional)
        for day in (D(2023, 9, 14), D(2024, 6, 30), D(2024, 12, 20)):
            since = day - datetime.timedelta(weeks=settings.history_weeks + 3)
            counted = regional_counts(day, since, config).weekly(day)
            store = IncidentStore(incident_facts(Incident.objects.all()))
            binned = store.binner(settings, config.grave_violations).weekly(day)
            assert counted.first_week == binned.first_week
            assert counted.cells == binned.cells
            assert counted.counts.tolist() == binned.counts.tolist()
            assert counted.counts.sum() > 0
            uncategorised += sum(
                1 for _place, cat, _g in counted.cells if cat == settings.uncategorised
            )
    assert uncategorised > 0
