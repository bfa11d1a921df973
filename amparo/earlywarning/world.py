"""The whole world in memory, for back-tests: every incident, defender, membership and event
read once, then the engine's own rules (engine.scan_store) run against it for each as-of day.

``World.scan(day)`` gives exactly what ``engine.scan_as_of(day)`` gives on the same database
(tested in tests/test_world.py): the store keeps only incidents with ``reported_on <= day`` in
every slice, and the registry answers the same questions from dictionaries. Like the engine's
past scans it reads memberships, relatives and status as they are now.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amparo.earlywarning.candidates import AlertCandidate
from amparo.earlywarning.config import EngineConfig, config_current
from amparo.earlywarning.engine import (
    LIVE_STATUSES,
    EventFacts,
    IncidentFacts,
    IncidentStore,
    event_facts,
    incident_facts,
    scan_store,
)
from amparo.earlywarning.models import Event
from amparo.earlywarning.regional import ALL_CATEGORIES
from amparo.incidents.models import Incident
from amparo.registry.models import Defender


@dataclass(frozen=True)
class DefenderFacts:
    country: str
    subdivision: str
    categories: frozenset[str]
    live: bool


class MemoryRegistry:
    """The registry questions of engine.Registry answered from dictionaries."""

    def __init__(
        self, defenders: dict[str, DefenderFacts], memberships: Iterable[tuple[str, str]]
    ) -> None:
        self.defenders = defenders
        self.orgs_of: dict[str, set[str]] = defaultdict(set)
        self.members: dict[str, set[str]] = defaultdict(set)
        for defender_id, org_id in memberships:
            self.orgs_of[defender_id].add(org_id)
            self.members[org_id].add(defender_id)
        self._places: dict[tuple[str, str, str], list[str]] = {}
        self._scopes: dict[EventFacts, list[str]] = {}

    @classmethod
    def load(cls) -> MemoryRegistry:
        categories: dict[str, set[str]] = defaultdict(set)
        for pk, code in Defender.objects.values_list("pk", "category_rows__code"):
            if code:
                categories[str(pk)].add(code)
        defenders = {
            str(pk): DefenderFacts(
                country,
                subdivision,
                frozenset(categories[str(pk)]),
                status in LIVE_STATUSES and shredded_at is None,
            )
            for pk, country, subdivision, status, shredded_at in Defender.objects.values_list(
                "pk", "country", "subdivision", "status", "shredded_at"
            )
        }
        through = Defender.organisations.through
        memberships = [
            (str(d), str(o))
            for d, o in through.objects.values_list("defender_id", "organisation_id")
        ]
        return cls(defenders, memberships)

    def live(self, defender_ids: set[str]) -> set[str]:
        return {d for d in defender_ids if d in self.defenders and self.defenders[d].live}

    def org_members(self, victims: Iterable[str]) -> dict[str, set[str]]:
        out = {}
        for victim in victims:
            orgs = self.orgs_of.get(victim)
            if orgs:
                out[victim] = set().union(*(self.members[o] for o in orgs)) - {victim}
        return out

    def event_scope(self, event: EventFacts) -> list[str]:
        if event not in self._scopes:
            wanted = set(event.categories)
            pool = event.defenders if event.defenders else self.defenders
            self._scopes[event] = sorted(
                d
                for d in pool
                if (facts := self.defenders.get(d)) is not None
                and facts.live
                and facts.country == event.country
                and (not event.subdivision or facts.subdivision == event.subdivision)
                and (not wanted or facts.categories & wanted)
            )
        return self._scopes[event]

    def live_count(self) -> int:
        return sum(1 for facts in self.defenders.values() if facts.live)

    def place_defenders(self, country: str, subdivision: str, category: str) -> list[str]:
        key = (country, subdivision, category)
        if key not in self._places:
            self._places[key] = sorted(
                d
                for d, facts in self.defenders.items()
                if facts.live
                and facts.country == country
                and (not subdivision or facts.subdivision == subdivision)
                and (category == ALL_CATEGORIES or category in facts.categories)
            )
        return self._places[key]


class World:
    """Every incident, event and registry fact, loaded once (reads only)."""

    def __init__(
        self, store: IncidentStore, registry: MemoryRegistry, events: list[EventFacts]
    ) -> None:
        self.store = store
        self.registry = registry
        self.events = events

    @classmethod
    def load(cls) -> World:
        store = IncidentStore(incident_facts(Incident.objects.all()))
        events = event_facts(Event.objects.all())
        return cls(store, MemoryRegistry.load(), events)

    def scan(
        self, as_of: datetime.date, *, config: EngineConfig | None = None
    ) -> list[AlertCandidate]:
        """engine.scan_as_of(as_of) computed in memory."""
        config = config or config_current()
        return scan_store(as_of, config, self.store, self.registry, events=self.events)

    def scanner(
        self, config: EngineConfig | None = None
    ) -> Callable[[datetime.date], list[AlertCandidate]]:
        """A scan function of the day only, for backtest.replay."""
        config = config or config_current()
        return lambda day: self.scan(day, config=config)


@dataclass(frozen=True)
class Roster:
    """Who is monitored from when, and how to name them in a report."""

    registered_on: dict[str, datetime.date]
    gender: dict[str, str]
    external: dict[str, str]


def from_interchange(path: str | Path) -> tuple[World, Roster]:
    """A world straight from an interchange JSON Lines file (e.g. `amparo generate`), without
    a database: for tuning runs and the mechanism tests. Ids are the file's ids (incident ids
    stand in for codes), so evidence differs in naming from an imported world, not in
    substance."""
    defenders: dict[str, DefenderFacts] = {}
    memberships: list[tuple[str, str]] = []
    relative_of: dict[str, str] = {}
    registered: dict[str, datetime.date] = {}
    gender: dict[str, str] = {}
    events: list[EventFacts] = []
    raw: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            kind = record["type"]
            if kind == "defender":
                pk = record["id"]
                defenders[pk] = DefenderFacts(
                    record["country"],
                    record.get("subdivision", ""),
                    frozenset(record.get("categories", ())),
                    record.get("status", "active") in LIVE_STATUSES,
                )
                memberships += [(pk, org) for org in record.get("organisations", ())]
                registered[pk] = datetime.date.fromisoformat(record["registered_on"])
                gender[pk] = record.get("gender", "unknown")
            elif kind == "person":
                relative_of[record["id"]] = record["related_to"]
            elif kind == "event":
                events.append(_event_facts(record))
            elif kind == "incident":
                raw.append(record)
    facts = []
    for record in raw:
        victims = sorted(v for v in record.get("victims", ()) if v in defenders)
        facts.append(
            IncidentFacts(
                id=record["id"],
                code=record["id"],
                date=datetime.date.fromisoformat(record["date"]),
                reported_on=datetime.date.fromisoformat(record["reported_on"]),
                country=record["country"],
                subdivision=record.get("subdivision", ""),
                violations=frozenset(record.get("violations", ())),
                perpetrators=frozenset(record.get("perpetrators", ())),
                contexts=frozenset(record.get("context", ())),
                victims=tuple(victims),
                relatives_of=tuple(
                    sorted({relative_of[v] for v in record.get("victims", ()) if v in relative_of})
                ),
                categories=tuple(sorted({c for v in victims for c in defenders[v].categories})),
            )
        )
    world = World(IncidentStore(facts), MemoryRegistry(defenders, memberships), events)
    return world, Roster(registered, gender, {pk: pk for pk in defenders})


def _event_facts(record: dict[str, Any]) -> EventFacts:
    start = datetime.date.fromisoformat(record["start"])
    return EventFacts(
        id=record["id"],
        kind=record["kind"],
        start=start,
        end=datetime.date.fromisoformat(record["end"]) if record.get("end") else start,
        country=record["country"],
        subdivision=record.get("subdivision", ""),
        categories=tuple(sorted(record.get("categories", ()))),
        defenders=tuple(sorted(record.get("defenders", ()))),
        lead_days=record.get("lead_days"),
        tail_days=record.get("tail_days"),
    )
