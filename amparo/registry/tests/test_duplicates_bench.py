# ruff: noqa: T201
"""How long a duplicate scan takes on 3,000 defenders and 3,000 incidents.

Runs only with AMPARO_BENCH=1:
`AMPARO_BENCH=1 .venv/bin/pytest amparo/registry/tests/test_duplicates_bench.py -s`
(a benchmark reports its figures: print is allowed here).
"""

from __future__ import annotations

import datetime
import os
import random
import time

import pytest

from amparo.core.blind import blind_index
from amparo.core.keystore import data_key_create
from amparo.incidents.models import Incident, IncidentViolation
from amparo.registry.duplicates import defender_candidates, incident_candidates
from amparo.registry.models import BlindIndex, Case, Defender

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("AMPARO_BENCH"), reason="set AMPARO_BENCH=1"),
]

FIRST = [
    "Ana",
    "Luis",
    "Marta",
    "Jorge",
    "Rosa",
    "Iván",
    "Lucía",
    "Pedro",
    "Nidia",
    "Óscar",
    "José",
    "María",
    "Carlos",
    "Yolanda",
    "Jhon",
    "Edwin",
    "Luz",
    "Fabián",
    "Sandra",
    "Hernán",
]
LAST = [
    "Pérez",
    "Gómez",
    "Quintero",
    "Rojas",
    "Mejía",
    "Díaz",
    "Tascón",
    "Ulcué",
    "Yule",
    "Vélez",
    "Perea",
    "Ramírez",
    "Guzmán",
    "Cárdenas",
    "Mosquera",
    "Ipia",
    "Campo",
    "Lemus",
    "Sánchez",
    "Tróchez",
    "Valencia",
    "Zapata",
    "Noscué",
    "Pito",
    "Dagua",
]
SUBDIVISIONS = ["CO-CAU", "CO-ANT", "CO-NAR", "CO-CHO", "CO-VAC", "CO-PUT", "CO-COR", ""]


def _variant(rng: random.Random, name: str) -> str:
    words = name.split()
    choice = rng.randrange(3)
    if choice == 0:
        return " ".join(reversed(words))
    if choice == 1:
        return name.replace("é", "e").replace("í", "i").replace("á", "a").lower()
    i = rng.randrange(len(words))
    word = words[i]
    j = rng.randrange(1, len(word))
    words[i] = word[:j] + word[j + 1 :] if len(word) > 3 else word
    return " ".join(words)


def _defenders(entity, names, rng):
    """Stored directly, as registration would store them (sealed name, name blind index), but
    without a case, consent records and audit events each: the scan reads none of those."""
    case = Case.objects.create(
        code="CASE-BENCH", lead_entity=entity, opened_on=datetime.date.today()
    )
    defenders = []
    for n, name in enumerate(names):
        defender = Defender(
            code=f"HRD-B-{n:06d}",
            external_id=f"bench:{n}",
            case=case,
            data_key=data_key_create(),
            country="CO",
            subdivision=rng.choice(SUBDIVISIONS),
            registered_on=datetime.date(2020, 1, 1),
        )
        defender.name = name
        defenders.append(defender)
    Defender.objects.bulk_create(defenders)
    BlindIndex.objects.bulk_create(
        BlindIndex(defender=d, purpose="defender.name", digest=blind_index("defender.name", name))
        for d, name in zip(defenders, names, strict=True)
    )
    return defenders


SYLLABLES = [
    "ma",
    "ri",
    "lo",
    "pe",
    "qui",
    "te",
    "ro",
    "ca",
    "mu",
    "yu",
    "la",
    "dos",
    "gon",
    "za",
    "ve",
    "nu",
    "ba",
    "tro",
    "chez",
    "ran",
    "mez",
    "li",
    "ta",
    "sa",
]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


@pytest.mark.parametrize("vocabulary", ["narrow", "wide"])
def test_scan_3000(coordinator, vocabulary):
    """narrow: 20 first names and 25 surnames, so thousands of people share a name (the worst
    case for blocking); wide: surnames made of syllables, closer to a real registry."""
    rng = random.Random(11)
    if vocabulary == "narrow":
        names = [f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}" for _ in range(2850)]
    else:
        names = [f"{rng.choice(FIRST)} {_word(rng)} {_word(rng)}" for _ in range(2850)]
    names += [_variant(rng, rng.choice(names)) for _ in range(150)]
    started = time.perf_counter()
    defenders = _defenders(coordinator.entity, names, rng)
    print(f"\nstored {len(defenders)} defenders in {time.perf_counter() - started:.1f} s")
    incidents = []
    for n, defender in enumerate(defenders):
        day = datetime.date(2016, 1, 1) + datetime.timedelta(days=rng.randrange(700))
        incidents.append(
            Incident(
                code=f"INC-B-{n:06d}",
                external_id=f"bench:{n}",
                case=defender.case,
                lead_entity=coordinator.entity,
                data_key=defender.data_key,
                date=day,
                reported_on=day,
                country="CO",
                subdivision=defender.subdivision,
            )
        )
    Incident.objects.bulk_create(incidents)
    through = Incident.victim_defenders.through
    through.objects.bulk_create(
        through(incident_id=i.pk, defender_id=d.pk)
        for i, d in zip(incidents, defenders, strict=True)
    )
    IncidentViolation.objects.bulk_create(
        IncidentViolation(incident=i, code=rng.choice(["killing", "threat"])) for i in incidents
    )

    for label, scan in (("defenders", defender_candidates), ("incidents", incident_candidates)):
        started = time.perf_counter()
        if os.environ.get("AMPARO_BENCH_PROFILE"):
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                scan(actor=coordinator)
            stats = pstats.Stats(profile).sort_stats("cumulative")
            stats.print_stats(40)
        found = scan(actor=coordinator)
        elapsed = time.perf_counter() - started
        print(f"{vocabulary} {label}: {len(found)} candidate pairs in {elapsed:.2f} s")
        assert elapsed < 30
