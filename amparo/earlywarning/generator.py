"""A synthetic world in interchange JSON Lines, with planted mechanisms and their ground truth.

`generate()` writes organisations, defenders, relatives, calendar events and incidents for a
seed, line by line, and a sidecar `FILE.truth.json` naming every planted mechanism: its kind,
parameters, the defenders and dates it affected and the ids of the incidents it caused. The
early-warning engine's tests and back-tests check that it recovers them. See docs/generator.md.

Incidents are superposed Poisson processes: a background rate per defender (country x category
x a personal frailty), plus, for each mechanism, extra incidents drawn at (multiplier - 1) x the
background rate inside the mechanism's window. So every extra incident has one cause, named in
the truth file; background incidents are in no mechanism's list.

Names and places come from the demo's invented word lists (amparo/demo/synthetic.py).
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from amparo.demo import synthetic as words
from amparo.demo.synthetic import REGIONS, Region

GRAVE = frozenset(
    {
        "killing",
        "attempted_killing",
        "enforced_disappearance",
        "abduction",
        "torture",
        "physical_attack",
        "sexual_violence",
        "arbitrary_detention",
    }
)
ELECTION_CATEGORIES = ("community_leader", "election_monitor", "journalist")
# Default windows of DESIGN §5 (days before start, days after end).
WINDOWS = {
    "election": (180, 60),
    "publication": (7, 30),
    "travel_abroad": (7, 14),
    "judicial_proceeding": (14, 30),
    "un_engagement": (30, 60),
}
COUNTRY_RATE = {"CO": 1.3, "MX": 1.2, "GT": 0.9, "HN": 1.0, "BR": 0.9, "PH": 1.1}
CATEGORY_RATE = {
    "land_environment": 1.3,
    "journalist": 1.2,
    "community_leader": 1.2,
    "indigenous_peoples": 1.2,
    "trade_unionist": 1.1,
    "lawyer": 0.8,
    "judicial_official": 0.8,
    "health_worker": 0.8,
}
PERSONAL_VIOLATIONS = {
    "publication": (
        ("stigmatisation", 4),
        ("digital_attack", 3),
        ("threat", 3),
        ("defamation_suit", 2),
    ),
    "travel_abroad": (
        ("surveillance", 3),
        ("travel_restriction", 2),
        ("threat", 3),
        ("reprisal_un_cooperation", 1),
    ),
    "judicial_proceeding": (
        ("judicial_harassment", 3),
        ("threat", 3),
        ("death_threat", 2),
        ("intimidation", 3),
    ),
    "un_engagement": (("reprisal_un_cooperation", 3), ("stigmatisation", 2), ("threat", 2)),
}
ELECTION_VIOLATIONS = (
    ("threat", 5),
    ("death_threat", 3),
    ("intimidation", 4),
    ("stigmatisation", 3),
    ("harassment", 2),
    ("physical_attack", 1),
    ("killing", 1),
)
CONTAGION_VIOLATIONS = (
    ("threat", 5),
    ("death_threat", 3),
    ("intimidation", 4),
    ("surveillance", 3),
    ("harassment", 2),
    ("physical_attack", 1),
)
BACKGROUND_GRAVE = (("killing", 2), ("attempted_killing", 2), ("abduction", 1))
# The grave share of each mechanism's incidents in the research profile (docs/generator.md,
# "Why these defaults"): when one is drawn, the violation comes from these lists.
ELECTION_GRAVE = (
    ("arbitrary_detention", 3),
    ("physical_attack", 3),
    ("attempted_killing", 1),
    ("killing", 1),
)
PERSONAL_GRAVE = {
    "publication": (("physical_attack", 2), ("arbitrary_detention", 1), ("attempted_killing", 1)),
    "travel_abroad": (("arbitrary_detention", 3), ("physical_attack", 1)),
    "judicial_proceeding": (
        ("arbitrary_detention", 2),
        ("physical_attack", 2),
        ("attempted_killing", 1),
        ("killing", 1),
    ),
    "un_engagement": (("arbitrary_detention", 3), ("physical_attack", 1), ("torture", 1)),
}
CONTAGION_GRAVE = (
    ("physical_attack", 3),
    ("arbitrary_detention", 2),
    ("attempted_killing", 1),
    ("killing", 1),
)
PROFILES = ("research", "legacy")


@dataclass(frozen=True)
class Parameters:
    """Every knob of the world; written to the truth file as `parameters`."""

    defenders: int = 3000
    seed: int = 0
    years: int = 3
    start: str = "2023-01-01"
    incidents_per_defender: float = 4.0  # background mean over the whole period
    background_lethal_share: float = 0.015  # background incidents drawn from BACKGROUND_GRAVE
    relatives_per_defender: float = 1.0
    organisation_share: float = 0.7  # defenders that belong to an organisation
    escalation_share: float = 0.12  # defenders with a planted threat -> grave attack
    escalation_lag_days: tuple[int, int] = (14, 56)
    election_multiplier: float = 2.0
    election_lead_days: int = 180
    election_tail_days: int = 60
    personal_event_share: float = 0.15  # defenders with personal events
    personal_multiplier: float = 6.0
    contagion_alpha_per_day: float = 0.0025  # extra hazard of each member at the attack
    contagion_half_life_days: float = 30.0
    contagion_horizon_days: int = 90
    outbreaks_per_1000: float = 2.0
    outbreak_multiplier: float = 3.0
    outbreak_weeks: tuple[int, int] = (3, 6)
    delay_same_week: float = 0.6  # share reported 0-6 days after
    delay_weeks: float = 0.25  # share reported 7-27 days after
    delay_tail_median_days: float = 45.0  # the rest: log-normal, 28-180 days
    delay_max_days: int = 180
    # Research profile (docs/generator.md, "Why these defaults"); legacy_parameters() turns
    # each off, which gives the previous world byte for byte.
    profile: str = "research"
    # Background heterogeneity over time: each defender's frailty drifts (log-AR(1) per step of
    # frailty_drift_days, stationary sd frailty_drift_sd, mean factor 1), and an incident opens
    # a burst (repeat victimisation) with probability burst_share: rate x burst_multiplier for
    # burst_days after it.
    frailty_drift_sd: float = 0.6
    frailty_drift_rho: float = 0.7
    frailty_drift_days: int = 91
    burst_share: float = 0.2
    burst_multiplier: float = 6.0
    burst_days: int = 45
    # Election violence concentrates near the vote: rate x election_peak_multiplier from
    # election_peak_days before it to election_peak_tail_days after (election_multiplier
    # elsewhere in the window); 0 days = no peak.
    election_peak_days: int = 60
    election_peak_tail_days: int = 30
    election_peak_multiplier: float = 4.0
    # Share of grave violations among each mechanism's incidents; a negative share keeps the
    # legacy violation lists (ELECTION_VIOLATIONS, PERSONAL_VIOLATIONS, CONTAGION_VIOLATIONS).
    election_grave_share: float = 0.25
    personal_grave_share: float = 0.2
    contagion_grave_share: float = 0.15


def legacy_parameters(**values: Any) -> Parameters:
    """The world before the research profile (static frailty, no bursts, mostly non-grave
    mechanisms): its JSON Lines are byte-identical to the earlier generator's."""
    legacy: dict[str, Any] = {
        "profile": "legacy",
        "escalation_share": 0.04,
        "background_lethal_share": 0.03,
        "frailty_drift_sd": 0.0,
        "burst_share": 0.0,
        "election_peak_days": 0,
        "election_peak_tail_days": 0,
        "election_grave_share": -1.0,
        "personal_grave_share": -1.0,
        "contagion_grave_share": -1.0,
    }
    return Parameters(**{**legacy, **values})


def parameters_for(profile: str, **values: Any) -> Parameters:
    if profile == "legacy":
        return legacy_parameters(**values)
    if profile != "research":
        raise ValueError(f"unknown profile {profile!r}")
    return Parameters(**values)


@dataclass
class _Defender:
    id: str
    country: str
    subdivision: str
    categories: tuple[str, ...]
    organisation: str | None
    relatives: int
    rate: float  # background incidents per day
    drift: list[float] = field(default_factory=list)  # frailty factor per drift step


@dataclass
class Counts:
    organisations: int = 0
    defenders: int = 0
    persons: int = 0
    events: int = 0
    incidents: int = 0
    by_mechanism: dict[str, int] = field(default_factory=dict)


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int | float]]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


Draw = Callable[[random.Random], str]


def _violations(
    share: float, grave: Sequence[tuple[str, int]], ordinary: Sequence[tuple[str, int]]
) -> Draw:
    """A violation drawn from `ordinary` (a negative share: the legacy draw, grave ones
    included), or grave with probability `share` and otherwise a non-grave one."""
    if share < 0:
        return lambda rng: _pick(rng, ordinary)
    mild = [v for v in ordinary if v[0] not in GRAVE]

    def draw(rng: random.Random) -> str:
        return _pick(rng, grave) if rng.random() < share else _pick(rng, mild)

    return draw


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


class _World:
    def __init__(self, params: Parameters, out: IO[str]) -> None:
        self.p = params
        self.out = out
        self.start = datetime.date.fromisoformat(params.start)
        self.days = 365 * params.years
        self.end = self.start + datetime.timedelta(days=self.days - 1)
        self.counts = Counts()
        self.mechanisms: list[dict[str, Any]] = []
        self.defenders: list[_Defender] = []
        self.members: dict[str, list[int]] = {}
        self.grave: list[tuple[int, int, str]] = []  # (defender index, day, incident id)
        self.background_made: list[tuple[int, int, str]] = []  # (defender index, day, id)
        self.delays = [0, 0, 0]

    def rng(self, phase: str) -> random.Random:
        # Seeded per phase: adding draws to one phase leaves the others' worlds unchanged.
        return random.Random(f"amparo-generator:{self.p.seed}:{phase}")  # noqa: S311 - synthetic data

    def day(self, offset: int) -> datetime.date:
        return self.start + datetime.timedelta(days=offset)

    # --- registry -----------------------------------------------------------------------------

    def organisations(self) -> list[tuple[str, str, str, str]]:
        rng = self.rng("organisations")
        count = max(2, round(self.p.defenders / 15))
        kinds = (("community", 4), ("union", 2), ("media", 2), ("ngo", 3), ("informal", 1))
        out = []
        for n in range(1, count + 1):
            region = rng.choices(REGIONS, [r.weight for r in REGIONS])[0]
            kind = _pick(rng, kinds)
            subdivision = _pick(rng, region.subdivisions)
            place = rng.choice(words.LOCALITY_WORDS[region.language][1])
            pattern = rng.choice(words.ORGANISATION_PATTERNS[kind][region.language])
            org_id = f"o-{n:05d}"
            record = {
                "type": "organisation",
                "id": org_id,
                "name": pattern.format(place=place),
                "kind": kind,
                "country": region.country,
                "subdivision": subdivision,
            }
            self.out.write(_line(record))
            out.append((org_id, kind, region.country, subdivision))
        self.counts.organisations = count
        return out

    def defender_lines(self, organisations: list[tuple[str, str, str, str]]) -> None:
        rng = self.rng("defenders")
        p = self.p
        by_country: dict[str, list[tuple[str, str, str, str]]] = {}
        for org in organisations:
            by_country.setdefault(org[2], []).append(org)
        per_day = p.incidents_per_defender / self.days
        for n in range(1, p.defenders + 1):
            region: Region = rng.choices(REGIONS, [r.weight for r in REGIONS])[0]
            gender = _pick(rng, (("woman", 50), ("man", 46), ("non_binary", 2), ("unknown", 2)))
            lang = region.language
            if gender in {"woman", "man"}:
                first = rng.choice(words.FIRST_NAMES[lang][gender])
            else:
                first = rng.choice(words.NON_BINARY_NAMES[lang])
            name = f"{first} {rng.choice(words.SURNAMES[lang])} {rng.choice(words.SURNAMES[lang])}"
            cats = [*region.categories, ("election_monitor", 2)]
            categories = {_pick(rng, cats)}
            if rng.random() < 0.3:
                categories.add(_pick(rng, cats))
            subdivision = _pick(rng, region.subdivisions)
            organisation = None
            if rng.random() < p.organisation_share and region.country in by_country:
                options = by_country[region.country]
                wanted = {words.ORGANISATION_FOR_CATEGORY.get(c) for c in categories}
                fitting = [o for o in options if o[1] in wanted and o[3] == subdivision]
                fitting = fitting or [o for o in options if o[3] == subdivision] or options
                organisation = rng.choice(fitting)[0]
            relatives = _poisson(rng, p.relatives_per_defender)
            frailty = rng.gammavariate(2.0, 0.5)
            rate = per_day * COUNTRY_RATE.get(region.country, 1.0) * frailty
            rate *= max(CATEGORY_RATE.get(c, 1.0) for c in categories)
            defender_id = f"d-{n:06d}"
            record: dict[str, Any] = {
                "type": "defender",
                "id": defender_id,
                "name": name,
                "gender": gender,
                "birth_year": rng.randint(1950, 2003),
                "categories": sorted(categories),
                "country": region.country,
                "subdivision": subdivision,
            }
            if rng.random() < 0.6:
                prefix, places = words.LOCALITY_WORDS[lang]
                record["locality"] = f"{rng.choice(prefix)} {rng.choice(places)}"
            if organisation:
                record["organisations"] = [organisation]
                self.members.setdefault(organisation, []).append(n - 1)
            record["registered_on"] = self.p.start
            record["status"] = "active"
            record["consent"] = {"register": True, "share_with_state": rng.random() < 0.6}
            self.out.write(_line(record))
            self.defenders.append(
                _Defender(
                    defender_id,
                    region.country,
                    subdivision,
                    tuple(sorted(categories)),
                    organisation,
                    relatives,
                    rate,
                )
            )
        self.counts.defenders = p.defenders

    def person_lines(self) -> None:
        rng = self.rng("persons")
        for d in self.defenders:
            lang = words.REGION_BY_COUNTRY[d.country].language
            for k in range(1, d.relatives + 1):
                relation = _pick(rng, words.RELATIONS)
                gender = rng.choice(("woman", "man"))
                first = rng.choice(words.FIRST_NAMES[lang][gender])
                record = {
                    "type": "person",
                    "id": f"p-{d.id[2:]}-{k}",
                    "name": f"{first} {rng.choice(words.SURNAMES[lang])}",
                    "related_to": d.id,
                    "relation": relation,
                    "country": d.country,
                    "subdivision": d.subdivision,
                }
                self.out.write(_line(record))
                self.counts.persons += 1

    # --- calendar -----------------------------------------------------------------------------

    def elections(self) -> list[dict[str, Any]]:
        rng = self.rng("elections")
        out = []
        for region in REGIONS:
            offset = rng.randint(200, 500)
            k = 0
            while offset <= self.days - 30:
                k += 1
                event = {
                    "type": "event",
                    "id": f"e-election-{region.country}-{k}",
                    "kind": "election",
                    "title": f"General election {self.day(offset).year}",
                    "start": self.day(offset).isoformat(),
                    "end": self.day(offset).isoformat(),
                    "country": region.country,
                    "categories": list(ELECTION_CATEGORIES),
                    "lead_days": self.p.election_lead_days,
                    "tail_days": self.p.election_tail_days,
                }
                self.out.write(_line(event))
                self.counts.events += 1
                out.append(event | {"_offset": offset})
                offset += rng.randint(700, 900)
        return out

    def personal_events(self) -> list[tuple[int, str, str, int, int]]:
        """(defender index, kind, event id, start offset, end offset)."""
        rng = self.rng("personal")
        kinds = (
            ("publication", 4),
            ("travel_abroad", 3),
            ("judicial_proceeding", 3),
            ("un_engagement", 1),
        )
        out = []
        n = 0
        for index, d in enumerate(self.defenders):
            if rng.random() >= self.p.personal_event_share:
                continue
            for _ in range(rng.choice((1, 1, 2))):
                kind = _pick(rng, kinds)
                begin = rng.randint(30, self.days - 60)
                length = rng.randint(5, 20) if kind == "travel_abroad" else 0
                n += 1
                event_id = f"e-{n:06d}"
                record = {
                    "type": "event",
                    "id": event_id,
                    "kind": kind,
                    "title": kind.replace("_", " ").capitalize(),
                    "start": self.day(begin).isoformat(),
                    "end": self.day(begin + length).isoformat(),
                    "country": d.country,
                    "subdivision": d.subdivision,
                    "defenders": [d.id],
                }
                self.out.write(_line(record))
                self.counts.events += 1
                out.append((index, kind, event_id, begin, begin + length))
        return out

    # --- incidents ----------------------------------------------------------------------------

    def incident(
        self,
        rng: random.Random,
        index: int,
        offset: int,
        violation: str,
        mechanism: str,
        *,
        context: str | None = None,
        perpetrator: str | None = None,
        victim_relative: bool = False,
    ) -> str | None:
        """Write one incident on defender `index` at day `offset`; returns its id (None when the
        day falls outside the period)."""
        if not 0 <= offset < self.days:
            return None
        d = self.defenders[index]
        self.counts.incidents += 1
        self.counts.by_mechanism[mechanism] = self.counts.by_mechanism.get(mechanism, 0) + 1
        incident_id = f"i-{self.counts.incidents:07d}"
        region = words.REGION_BY_COUNTRY[d.country]
        perpetrator = perpetrator or _pick(rng, region.perpetrators)
        date = self.day(offset)
        precision = "day"
        if mechanism == "background" and violation not in GRAVE and rng.random() < 0.03:
            precision, date = "month", date.replace(day=1)
        delay = self.delay(rng)
        victims = [d.id]
        if victim_relative and d.relatives:
            victims = [f"p-{d.id[2:]}-{rng.randint(1, d.relatives)}"]
            if rng.random() < 0.5:
                victims.append(d.id)
        record: dict[str, Any] = {
            "type": "incident",
            "id": incident_id,
            "date": date.isoformat(),
            "date_precision": precision,
        }
        if violation == "arbitrary_detention":
            record["end_date"] = (date + datetime.timedelta(days=rng.randint(1, 30))).isoformat()
        record["reported_on"] = (date + datetime.timedelta(days=delay)).isoformat()
        record["country"] = d.country
        record["subdivision"] = d.subdivision
        record["victims"] = sorted(victims)
        if d.organisation and violation in {"raid", "stigmatisation"} and rng.random() < 0.5:
            record["organisations"] = [d.organisation]
        record["violations"] = [violation]
        record["perpetrators"] = [perpetrator]
        if context:
            record["context"] = [context]
        template = words.NARRATIVES.get(
            violation,
            f"The defender reported an incident ({violation.replace('_', ' ')}) "
            "linked to {activity}.",
        )
        record["narrative"] = template.format(
            channel=rng.choice(words.CHANNELS), activity=rng.choice(words.ACTIVITIES)
        )
        record["sources"] = [rng.choice(words.SOURCES)]
        record["verification"] = _pick(
            rng, (("unverified", 5), ("corroborated", 3), ("verified", 2))
        )
        self.out.write(_line(record))
        if violation in GRAVE and mechanism != "organisational_contagion" and d.organisation:
            self.grave.append((index, offset, incident_id))
        return incident_id

    def delay(self, rng: random.Random) -> int:
        p = self.p
        u = rng.random()
        if u < p.delay_same_week:
            self.delays[0] += 1
            return rng.randint(0, 6)
        if u < p.delay_same_week + p.delay_weeks:
            self.delays[1] += 1
            return rng.randint(7, 27)
        self.delays[2] += 1
        days = round(math.exp(rng.gauss(math.log(p.delay_tail_median_days), 0.6)))
        return min(p.delay_max_days, max(28, days))

    def background_violation(self, rng: random.Random) -> str:
        if rng.random() < self.p.background_lethal_share:
            return _pick(rng, BACKGROUND_GRAVE)
        return _pick(rng, words.COMMON_VIOLATIONS)

    def background(self) -> None:
        rng = self.rng("background")
        if self.p.frailty_drift_sd > 0:
            self.drifting_background(rng)
            return
        for index, d in enumerate(self.defenders):
            for _ in range(_poisson(rng, d.rate * self.days)):
                self.background_incident(rng, index, functools.partial(rng.randrange, self.days))

    def background_incident(self, rng: random.Random, index: int, day: Callable[[], int]) -> None:
        """One background incident on defender `index`, on the day `day()` draws."""
        violation = self.background_violation(rng)
        context = _pick(rng, words.CONTEXTS) if rng.random() < 0.3 else None
        offset = day()
        made = self.incident(
            rng,
            index,
            offset,
            violation,
            "background",
            context=context,
            victim_relative=rng.random() < 0.05,
        )
        if made:
            self.background_made.append((index, offset, made))

    def drift_factors(self, rng: random.Random) -> list[float]:
        """A log-AR(1) frailty multiplier per step, stationary sd frailty_drift_sd, mean 1."""
        p = self.p
        steps = -(-self.days // p.frailty_drift_days)
        sd, rho = p.frailty_drift_sd, p.frailty_drift_rho
        level = rng.gauss(0.0, sd)
        factors = []
        for _ in range(steps):
            factors.append(math.exp(level - sd * sd / 2))
            level = rho * level + rng.gauss(0.0, sd * math.sqrt(1 - rho * rho))
        return factors

    def drifting_background(self, rng: random.Random) -> None:
        drift_rng = self.rng("frailty-drift")
        step = self.p.frailty_drift_days
        for index, d in enumerate(self.defenders):
            d.drift = self.drift_factors(drift_rng)
            for k, factor in enumerate(d.drift):
                first, last = k * step, min(self.days, (k + 1) * step) - 1
                for _ in range(_poisson(rng, d.rate * factor * (last - first + 1))):
                    self.background_incident(
                        rng, index, functools.partial(rng.randint, first, last)
                    )

    def bursts(self) -> None:
        """Repeat victimisation: a background incident raises its defender's rate for a while
        (one generation: a burst's own incidents open none)."""
        p = self.p
        if p.burst_share <= 0:
            return
        rng = self.rng("bursts")
        for index, offset, trigger in self.background_made:
            if rng.random() >= p.burst_share:
                continue
            ids = self._extra(
                rng,
                index,
                offset + 1,
                offset + p.burst_days,
                p.burst_multiplier,
                self.background_violation,
                "repeat_victimisation",
            )
            self.mechanisms.append(
                {
                    "kind": "repeat_victimisation",
                    "parameters": {
                        "trigger_incident": trigger,
                        "multiplier": p.burst_multiplier,
                        "days": p.burst_days,
                    },
                    "defenders": [self.defenders[index].id],
                    "start": self.day(min(self.days - 1, offset + 1)).isoformat(),
                    "end": self.day(min(self.days - 1, offset + p.burst_days)).isoformat(),
                    "incidents": ids,
                }
            )

    def _extra(
        self,
        rng: random.Random,
        index: int,
        first: int,
        last: int,
        multiplier: float,
        violation: Draw,
        mechanism: str,
        context: str | None = None,
    ) -> list[str]:
        """Extra incidents on one defender at (multiplier - 1) x their rate in [first, last]."""
        first, last = max(0, first), min(self.days - 1, last)
        if last < first:
            return []
        mean = self.defenders[index].rate * (multiplier - 1) * (last - first + 1)
        ids = []
        for _ in range(_poisson(rng, mean)):
            made = self.incident(
                rng,
                index,
                rng.randint(first, last),
                violation(rng),
                mechanism,
                context=context,
            )
            if made:
                ids.append(made)
        return ids

    def escalations(self) -> None:
        rng = self.rng("escalation")
        low, high = self.p.escalation_lag_days
        for index, d in enumerate(self.defenders):
            if rng.random() >= self.p.escalation_share:
                continue
            t0 = rng.randint(0, self.days - high - 1)
            lag = rng.randint(low, high)
            perpetrator = _pick(rng, words.REGION_BY_COUNTRY[d.country].perpetrators)
            threat_days = [t0]
            if rng.random() < 0.5:
                threat_days.append(t0 + rng.randint(1, lag - 1))
            precursors = []
            for t in threat_days:
                violation = _pick(rng, (("death_threat", 3), ("threat", 2)))
                made = self.incident(
                    rng, index, t, violation, "threat_escalation", perpetrator=perpetrator
                )
                if made:
                    precursors.append(made)
            attack = _pick(rng, words.ESCALATIONS)
            outcome = self.incident(
                rng, index, t0 + lag, attack, "threat_escalation", perpetrator=perpetrator
            )
            self.mechanisms.append(
                {
                    "kind": "threat_escalation",
                    "parameters": {"lag_days": lag, "perpetrator": perpetrator, "attack": attack},
                    "defenders": [d.id],
                    "start": self.day(t0).isoformat(),
                    "end": self.day(t0 + lag).isoformat(),
                    "precursors": precursors,
                    "outcomes": [outcome],
                    "incidents": [*precursors, outcome],
                }
            )

    def election_effects(self, elections: list[dict[str, Any]]) -> None:
        rng = self.rng("election-effects")
        p = self.p
        lead, tail = p.election_lead_days, p.election_tail_days
        violation = _violations(p.election_grave_share, ELECTION_GRAVE, ELECTION_VIOLATIONS)
        for event in elections:
            first, last = event["_offset"] - lead, event["_offset"] + tail
            # (first, last, multiplier) pieces: the whole window, or a peak around the vote.
            pieces = [(first, last, p.election_multiplier)]
            if p.election_peak_days or p.election_peak_tail_days:
                peak_first = event["_offset"] - p.election_peak_days
                peak_last = event["_offset"] + p.election_peak_tail_days
                pieces = [
                    (first, peak_first - 1, p.election_multiplier),
                    (peak_first, peak_last, p.election_peak_multiplier),
                    (peak_last + 1, last, p.election_multiplier),
                ]
            exposed, ids = [], []
            for index, d in enumerate(self.defenders):
                if d.country != event["country"] or not set(d.categories) & set(
                    ELECTION_CATEGORIES
                ):
                    continue
                exposed.append(d.id)
                for piece_first, piece_last, multiplier in pieces:
                    ids += self._extra(
                        rng,
                        index,
                        piece_first,
                        piece_last,
                        multiplier,
                        violation,
                        "election_season",
                        "election",
                    )
            self.mechanisms.append(
                {
                    "kind": "election_season",
                    "parameters": {
                        "event": event["id"],
                        "multiplier": p.election_multiplier,
                        "peak": [p.election_peak_days, p.election_peak_tail_days],
                        "peak_multiplier": p.election_peak_multiplier,
                        "grave_share": p.election_grave_share,
                        "lead_days": lead,
                        "tail_days": tail,
                        "country": event["country"],
                        "categories": list(ELECTION_CATEGORIES),
                    },
                    "defenders": exposed,
                    "start": self.day(max(0, first)).isoformat(),
                    "end": self.day(min(self.days - 1, last)).isoformat(),
                    "incidents": ids,
                }
            )

    def personal_effects(self, events: list[tuple[int, str, str, int, int]]) -> None:
        rng = self.rng("personal-effects")
        share = self.p.personal_grave_share
        draws = {
            kind: _violations(share, PERSONAL_GRAVE[kind], PERSONAL_VIOLATIONS[kind])
            for kind in PERSONAL_VIOLATIONS
        }
        for index, kind, event_id, begin, finish in events:
            lead, tail = WINDOWS[kind]
            ids = self._extra(
                rng,
                index,
                begin - lead,
                finish + tail,
                self.p.personal_multiplier,
                draws[kind],
                "personal_event",
                kind,
            )
            self.mechanisms.append(
                {
                    "kind": "personal_event",
                    "parameters": {
                        "event": event_id,
                        "event_kind": kind,
                        "multiplier": self.p.personal_multiplier,
                        "lead_days": lead,
                        "tail_days": tail,
                    },
                    "defenders": [self.defenders[index].id],
                    "start": self.day(max(0, begin - lead)).isoformat(),
                    "end": self.day(min(self.days - 1, finish + tail)).isoformat(),
                    "incidents": ids,
                }
            )

    def outbreaks(self) -> None:
        rng = self.rng("outbreaks")
        cells: dict[tuple[str, str], list[int]] = {}
        for index, d in enumerate(self.defenders):
            for category in d.categories:
                cells.setdefault((d.subdivision, category), []).append(index)
        keys = sorted(cells)
        count = max(1, round(self.p.defenders * self.p.outbreaks_per_1000 / 1000))
        # Among the 3 x count most populous cells, so an outbreak is more than a handful.
        big = sorted(keys, key=lambda k: (-len(cells[k]), k))[: 3 * count]
        chosen = rng.sample(big, min(count, len(big))) if len(big) > count else big[:count]
        for subdivision, category in chosen:
            members = cells[(subdivision, category)]
            weeks = rng.randint(*self.p.outbreak_weeks)
            first = rng.randint(60, self.days - 7 * weeks - 1)
            last = first + 7 * weeks - 1
            ids: list[str] = []
            for index in members:
                ids += self._extra(
                    rng,
                    index,
                    first,
                    last,
                    self.p.outbreak_multiplier,
                    lambda rng: _pick(rng, words.COMMON_VIOLATIONS),
                    "regional_outbreak",
                )
            if not ids:  # a planted outbreak is never empty
                index = rng.choice(members)
                made = self.incident(
                    rng,
                    index,
                    rng.randint(first, last),
                    _pick(rng, words.COMMON_VIOLATIONS),
                    "regional_outbreak",
                )
                ids = [made] if made else []
            weekly = sum(self.defenders[i].rate for i in members) * 7
            self.mechanisms.append(
                {
                    "kind": "regional_outbreak",
                    "parameters": {
                        "subdivision": subdivision,
                        "category": category,
                        "multiplier": self.p.outbreak_multiplier,
                        "weeks": weeks,
                        "baseline_weekly_rate": round(weekly, 4),
                    },
                    "defenders": [self.defenders[i].id for i in members],
                    "start": self.day(first).isoformat(),
                    "end": self.day(last).isoformat(),
                    "incidents": ids,
                }
            )

    def contagion(self) -> None:
        rng = self.rng("contagion")
        p = self.p
        beta = math.log(2) / p.contagion_half_life_days
        horizon = p.contagion_horizon_days
        mass = p.contagion_alpha_per_day / beta * (1 - math.exp(-beta * horizon))
        violation = _violations(p.contagion_grave_share, CONTAGION_GRAVE, CONTAGION_VIOLATIONS)
        for index, offset, trigger in sorted(self.grave, key=lambda g: g[2]):
            d = self.defenders[index]
            assert d.organisation is not None
            others = [i for i in self.members[d.organisation] if i != index]
            ids = []
            for other in others:
                for _ in range(_poisson(rng, mass)):
                    # Lag from the exponential kernel truncated at the horizon.
                    u = rng.random() * (1 - math.exp(-beta * horizon))
                    lag = 1 + int(-math.log(1 - u) / beta)
                    made = self.incident(
                        rng,
                        other,
                        offset + lag,
                        violation(rng),
                        "organisational_contagion",
                    )
                    if made:
                        ids.append(made)
            self.mechanisms.append(
                {
                    "kind": "organisational_contagion",
                    "parameters": {
                        "organisation": d.organisation,
                        "trigger_incident": trigger,
                        "trigger_defender": d.id,
                        "alpha_per_day": p.contagion_alpha_per_day,
                        "half_life_days": p.contagion_half_life_days,
                        "horizon_days": horizon,
                    },
                    "defenders": [self.defenders[i].id for i in others],
                    "start": self.day(offset).isoformat(),
                    "end": self.day(min(self.days - 1, offset + horizon)).isoformat(),
                    "incidents": ids,
                }
            )

    def delay_truth(self) -> dict[str, Any]:
        p = self.p
        return {
            "kind": "reporting_delay",
            "parameters": {
                "same_week_share": p.delay_same_week,
                "same_week_days": [0, 6],
                "weeks_share": p.delay_weeks,
                "weeks_days": [7, 27],
                "tail_share": round(1 - p.delay_same_week - p.delay_weeks, 6),
                "tail_days": [28, p.delay_max_days],
                "tail_lognormal_median_days": p.delay_tail_median_days,
                "tail_lognormal_sigma": 0.6,
            },
            "observed": {
                "same_week": self.delays[0],
                "weeks": self.delays[1],
                "tail": self.delays[2],
            },
            "defenders": [],
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "incidents": [],
        }


def truth_path(path: str) -> str:
    return f"{path}.truth.json"


def generate(
    params: Parameters, path: str, progress: Callable[[str], None] | None = None
) -> Counts:
    """Write the world to `path` and its ground truth to `path.truth.json`; returns the counts.

    Both files are written under a temporary name and renamed when complete."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as out:
        world = _World(params, out)
        organisations = world.organisations()
        world.defender_lines(organisations)
        world.person_lines()
        elections = world.elections()
        personal = world.personal_events()
        world.background()
        world.escalations()
        world.election_effects(elections)
        world.personal_effects(personal)
        world.outbreaks()
        world.bursts()
        world.contagion()
        if progress:
            progress(f"{world.counts.incidents} incidents")
    truth = {
        "format": "amparo-generator-truth/1",
        "parameters": asdict(params),
        "period": {"start": world.start.isoformat(), "end": world.end.isoformat()},
        "counts": asdict(world.counts),
        "mechanisms": [
            {"id": f"m-{n:06d}", **m}
            for n, m in enumerate([*world.mechanisms, world.delay_truth()], start=1)
        ],
    }
    truth_tmp = f"{truth_path(path)}.tmp"
    with open(truth_tmp, "w", encoding="utf-8", newline="\n") as out:
        json.dump(truth, out, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        out.write("\n")
    os.replace(tmp, path)
    os.replace(truth_tmp, truth_path(path))
    return world.counts
