"""Candidate duplicates among the defenders and incidents an actor may see, scored with reasons.

Only records in the actor's scope are read, and only their names are decrypted (in memory, for
comparison; never shown or logged here): a hidden record can neither appear in a pair nor change
a count. Pairs come from blocks (a shared name blind index, or a shared word prefix in the same
country) so the work grows with the size of the blocks, not with the square of the registry.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

from django.db.models import Prefetch

from amparo.audit.services import audit_record
from amparo.core.blind import normalise_name
from amparo.core.crypto import CryptoError
from amparo.core.policy import deny
from amparo.core.vocab import Gender
from amparo.incidents.models import Incident
from amparo.incidents.policies import incident_scope
from amparo.registry.models import BlindIndex, Defender, DuplicateDecision
from amparo.registry.policies import defender_scope, may_review_duplicates

# Two dates this many days apart or fewer are "close" (sources disagree by weeks: the Almaguer
# killing is 2016-06-28 in one file and 2016-08-29 in another).
DATE_WINDOW_DAYS = 90
# Below this similarity two names are not worth a coordinator's time.
MIN_NAME_SIMILARITY = 0.85
MIN_DEFENDER_SCORE = 50
MIN_INCIDENT_SCORE = 60
# A block larger than this says little (a very common word): its pairs come from other blocks.
MAX_BLOCK = 400
# Particles that join names; as blocking keys they would put half the registry in one block.
_PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos", "van", "von", "el", "al"}
)

REASON_LABELS = {
    "exact_name": "Same name (exact, ignoring accents and case)",
    "same_words": "Same words in another order",
    "similar_name": "Similar name",
    "same_victim": "Same victim",
    "exact_victim_name": "Victims with the same name",
    "similar_victim_name": "Victims with similar names",
    "same_date": "Same date",
    "date_within": "Dates close",
    "same_subdivision": "Same subdivision",
    "other_subdivision": "Different subdivisions",
    "same_country": "Same country",
    "same_organisation": "Same organisation",
    "same_violation": "Same violation",
    "other_violations": "No violation in common",
    "same_birth_year": "Same birth year",
    "birth_year_differs": "Different birth years",
    "gender_differs": "Different genders",
}


@dataclass(frozen=True)
class Reason:
    code: str
    points: int
    detail: str = ""

    @property
    def label(self) -> str:
        text = REASON_LABELS[self.code]
        return f"{text} ({self.detail})" if self.detail else text

    def __str__(self) -> str:
        return f"{self.code}:{self.detail}" if self.detail else self.code


@dataclass
class Candidate:
    """A pair in a fixed order (by code), its score out of 100 and the reasons for it."""

    kind: str
    first: Any
    second: Any
    score: int
    reasons: list[Reason]
    deferred: bool = False

    @property
    def codes(self) -> tuple[str, str]:
        return self.first.code, self.second.code


# Name similarity ---------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def jaro_winkler(a: str, b: str) -> float:
    """Jaro–Winkler similarity of two strings, 0 (nothing alike) to 1 (equal)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    reach = max(max(len(a), len(b)) // 2 - 1, 0)
    matched_b = [False] * len(b)
    a_matches = []
    for i, ch in enumerate(a):
        for j in range(max(0, i - reach), min(len(b), i + reach + 1)):
            if not matched_b[j] and b[j] == ch:
                matched_b[j] = True
                a_matches.append(ch)
                break
    m = len(a_matches)
    if m == 0:
        return 0.0
    b_matches = [ch for ch, hit in zip(b, matched_b, strict=True) if hit]
    transpositions = sum(x != y for x, y in zip(a_matches, b_matches, strict=True)) / 2
    jaro = (m / len(a) + m / len(b) + (m - transpositions) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def name_tokens(name: str) -> list[str]:
    return normalise_name(name).split()


def name_similarity(a: str, b: str) -> float:
    """How alike two names are, 0 to 1, rounded to 3 places; accents, case and word order do not
    matter. With two words or more on each side, each word of the shorter name is matched to its
    closest word of the longer one (so a dropped second surname costs nothing); otherwise the
    sorted names are compared whole."""
    return _token_similarity(tuple(name_tokens(a)), tuple(name_tokens(b)))


@lru_cache(maxsize=100_000)
def _token_similarity(ta: tuple[str, ...], tb: tuple[str, ...]) -> float:
    if not ta or not tb:
        return 0.0
    if sorted(ta) == sorted(tb):
        return 1.0
    # In a fixed order, so that the similarity of (a, b) is that of (b, a).
    short, long = sorted((ta, tb), key=lambda tokens: (len(tokens), tokens))
    if len(short) >= 2:
        value = sum(max(jaro_winkler(t, u) for u in long) for t in short) / len(short)
    else:
        value = jaro_winkler(" ".join(sorted(ta)), " ".join(sorted(tb)))
    return round(value, 3)


def _name_reason(
    names_a: Sequence[tuple[str, ...]], names_b: Sequence[tuple[str, ...]], shared_index: bool
) -> Reason | None:
    """The best of exact (same normalised name or blind index), same words, or similar."""
    if shared_index or any(a == b for a in names_a for b in names_b):
        return Reason("exact_name", 60)
    if any(sorted(a) == sorted(b) for a in names_a for b in names_b):
        return Reason("same_words", 55)
    best = max((_token_similarity(a, b) for a in names_a for b in names_b), default=0.0)
    if best >= MIN_NAME_SIMILARITY:
        return Reason("similar_name", round(50 * best), f"{best:.2f}")
    return None


def _date_reason(dates_a: Iterable[datetime.date], dates_b: Iterable[datetime.date], window: int):
    gaps = [abs((a - b).days) for a in dates_a for b in dates_b]
    if not gaps:
        return None
    gap = min(gaps)
    if gap == 0:
        return Reason("same_date", 20)
    if gap <= window:
        return Reason("date_within", 10, f"{gap} d")
    return None


def _place_reasons(country_a: str, sub_a: str, country_b: str, sub_b: str) -> list[Reason]:
    if country_a != country_b:
        return []
    if sub_a and sub_b:
        if sub_a == sub_b:
            return [Reason("same_subdivision", 10, sub_a)]
        return [Reason("other_subdivision", -10)]
    return [Reason("same_country", 5, country_a)]


def _total(reasons: list[Reason]) -> int:
    return max(0, min(100, sum(r.points for r in reasons)))


# Defenders ---------------------------------------------------------------------------------


@dataclass
class _DefenderProfile:
    defender: Defender
    names: list[tuple[str, ...]]
    digests: set[str] = field(default_factory=set)
    dates: set[datetime.date] = field(default_factory=set)
    organisations: set[Any] = field(default_factory=set)


def _decrypted_names(defender: Defender) -> list[tuple[str, ...]]:
    try:
        values = [defender.name or "", defender.alias or ""]
    except CryptoError:
        return []
    names = [tuple(name_tokens(v)) for v in values if v]
    return [n for n in dict.fromkeys(names) if n]


def _defender_profiles(actor: Any) -> list[_DefenderProfile]:
    defenders = list(
        Defender.objects.filter(defender_scope(actor), merged_into__isnull=True)
        .filter(shredded_at__isnull=True)
        .select_related("data_key", "case")
        .prefetch_related(Prefetch("organisations"))
        .order_by("code")
    )
    ids = [d.pk for d in defenders]
    digests: dict[Any, set[str]] = defaultdict(set)
    for defender_id, digest in BlindIndex.objects.filter(
        defender_id__in=ids, purpose="defender.name", person__isnull=True
    ).values_list("defender_id", "digest"):
        digests[defender_id].add(digest)
    # Only incidents the actor may see give dates, or a date could reveal a hidden incident.
    dates: dict[Any, set[datetime.date]] = defaultdict(set)
    through = Incident.victim_defenders.through
    # Sets joined in Python: SQLite plans the scope's subqueries inside an IN poorly.
    visible = set(Incident.objects.filter(incident_scope(actor)).values_list("pk", flat=True))
    for defender_id, incident_id, day in through.objects.filter(defender_id__in=ids).values_list(
        "defender_id", "incident_id", "incident__date"
    ):
        if incident_id in visible:
            dates[defender_id].add(day)
    profiles = []
    for defender in defenders:
        names = _decrypted_names(defender)
        if names:
            profiles.append(
                _DefenderProfile(
                    defender,
                    names,
                    digests[defender.pk],
                    dates[defender.pk],
                    {o.pk for o in defender.organisations.all()},
                )
            )
    return profiles


def _blocking_keys(profile: _DefenderProfile) -> set[tuple[str, ...]]:
    country = profile.defender.country
    keys = {("tok", country, token[:4]) for name in profile.names for token in name}
    return {k for k in keys if k[2] not in _PARTICLES and len(k[2]) >= 2}


def _candidate_pairs(profiles: list[_DefenderProfile]) -> set[tuple[int, int]]:
    """Pairs sharing a name blind index, or enough word prefixes in the same country: two, or
    one when either name has a single word."""
    by_digest: dict[str, list[int]] = defaultdict(list)
    by_key: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, profile in enumerate(profiles):
        for digest in profile.digests:
            by_digest[digest].append(i)
        for key in _blocking_keys(profile):
            by_key[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in by_digest.values():
        pairs.update(combinations(members, 2))
    shared: Counter[tuple[int, int]] = Counter()
    for members in by_key.values():
        if len(members) <= MAX_BLOCK:
            shared.update(combinations(members, 2))
    one_word = [min(len(n) for n in p.names) < 2 for p in profiles]
    pairs.update(
        pair
        for pair, count in shared.items()
        if count >= 2 or one_word[pair[0]] or one_word[pair[1]]
    )
    return pairs


def score_defender_pair(
    a: _DefenderProfile, b: _DefenderProfile, *, window: int = DATE_WINDOW_DAYS
) -> tuple[int, list[Reason]] | None:
    name = _name_reason(a.names, b.names, bool(a.digests & b.digests))
    if name is None:
        return None
    da, db = a.defender, b.defender
    reasons = [name]
    date = _date_reason(a.dates, b.dates, window)
    if date:
        reasons.append(date)
    reasons += _place_reasons(da.country, da.subdivision, db.country, db.subdivision)
    if a.organisations & b.organisations:
        reasons.append(Reason("same_organisation", 10))
    if da.birth_year and db.birth_year:
        if da.birth_year == db.birth_year:
            reasons.append(Reason("same_birth_year", 5))
        else:
            reasons.append(Reason("birth_year_differs", -15))
    known = {da.gender, db.gender} - {Gender.UNKNOWN, ""}
    if len(known) == 2:
        reasons.append(Reason("gender_differs", -15))
    return _total(reasons), reasons


def _decisions(kind: str) -> dict[tuple[uuid.UUID, uuid.UUID], str]:
    return {
        (first, second): decision
        for first, second, decision in DuplicateDecision.objects.filter(kind=kind).values_list(
            "first_id", "second_id", "decision"
        )
    }


def pair_key(a: Any, b: Any) -> tuple[Any, Any]:
    """The stored order of a pair: by code."""
    return (a, b) if a.code <= b.code else (b, a)


def _ranked(candidates: list[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (c.deferred, -c.score, c.codes))


def defender_candidates(
    *, actor: Any, window: int = DATE_WINDOW_DAYS, audit: bool = True
) -> list[Candidate]:
    """Candidate duplicate defenders the actor may see, best first; pairs decided "not a
    duplicate" are left out and those put off "later" come last."""
    if not may_review_duplicates(actor):
        raise deny()
    profiles = _defender_profiles(actor)
    decisions = _decisions(DuplicateDecision.Kind.DEFENDER)
    candidates = []
    for i, j in _candidate_pairs(profiles):
        scored = score_defender_pair(profiles[i], profiles[j], window=window)
        if scored is None or scored[0] < MIN_DEFENDER_SCORE:
            continue
        first, second = pair_key(profiles[i].defender, profiles[j].defender)
        decision = decisions.get((first.pk, second.pk))
        if decision == DuplicateDecision.Decision.NOT_DUPLICATE:
            continue
        candidates.append(
            Candidate(
                "defender",
                first,
                second,
                scored[0],
                scored[1],
                decision == DuplicateDecision.Decision.LATER,
            )
        )
    if audit:
        # The names were decrypted to be compared, not shown: one event says so, with counts.
        audit_record(
            actor,
            "defender.duplicates_scan",
            object_type="defender",
            fields=["name", "alias"],
            detail={"compared": len(profiles), "candidates": len(candidates)},
        )
    return _ranked(candidates)


def defender_pair_score(
    *, actor: Any, first: Defender, second: Defender, window: int = DATE_WINDOW_DAYS
) -> tuple[int, list[Reason]]:
    """The score of one pair the caller already fetched through the selectors (so both are
    visible); (0, []) when the names are not alike."""
    profiles = {p.defender.pk: p for p in _profiles_of(actor, [first, second])}
    if len(profiles) < 2:
        return 0, []
    return score_defender_pair(profiles[first.pk], profiles[second.pk], window=window) or (0, [])


def _profiles_of(actor: Any, defenders: list[Defender]) -> list[_DefenderProfile]:
    visible = Incident.objects.filter(incident_scope(actor)).values("pk")
    profiles = []
    for defender in defenders:
        names = _decrypted_names(defender) if not defender.is_shredded else []
        if not names:
            continue
        digests = set(
            defender.blind_indexes.filter(purpose="defender.name", person__isnull=True).values_list(
                "digest", flat=True
            )
        )
        dates = set(defender.incidents.filter(pk__in=visible).values_list("date", flat=True))
        organisations = set(defender.organisations.values_list("pk", flat=True))
        profiles.append(_DefenderProfile(defender, names, digests, dates, organisations))
    return profiles


# Incidents ---------------------------------------------------------------------------------


@dataclass
class _IncidentProfile:
    incident: Incident
    victims: set[Any]
    victim_names: list[tuple[str, ...]]
    violations: set[str]


def _incident_profiles(actor: Any) -> tuple[list[_IncidentProfile], list[_DefenderProfile]]:
    """The visible incidents with a visible victim, and those victims' profiles."""
    incidents = list(
        Incident.objects.filter(incident_scope(actor))
        .prefetch_related("violation_rows")
        .order_by("date", "code")
    )
    through = Incident.victim_defenders.through
    defenders = {
        d.pk: d
        for d in Defender.objects.filter(
            defender_scope(actor), shredded_at__isnull=True
        ).select_related("data_key")
    }
    # Joined in Python, like the dates above: only visible victims of visible incidents.
    visible = {i.pk for i in incidents}
    victims: dict[Any, set[Any]] = defaultdict(set)
    for incident_id, defender_id in through.objects.values_list("incident_id", "defender_id"):
        if incident_id in visible and defender_id in defenders:
            victims[incident_id].add(defender_id)
    victim_ids = set().union(*victims.values()) if victims else set()
    digests: dict[Any, set[str]] = defaultdict(set)
    for defender_id, digest in BlindIndex.objects.filter(
        defender_id__in=victim_ids, purpose="defender.name", person__isnull=True
    ).values_list("defender_id", "digest"):
        digests[defender_id].add(digest)
    people = {
        pk: _DefenderProfile(defenders[pk], _decrypted_names(defenders[pk]), digests[pk])
        for pk in victim_ids
    }
    profiles = []
    for incident in incidents:
        ids = victims.get(incident.pk, set())
        if ids:
            profiles.append(
                _IncidentProfile(
                    incident,
                    ids,
                    [n for pk in sorted(ids, key=str) for n in people[pk].names],
                    {row.code for row in incident.violation_rows.all()},
                )
            )
    return profiles, [p for p in people.values() if p.names]


def _incident_pairs(
    profiles: list[_IncidentProfile], people: list[_DefenderProfile], window: int
) -> set[tuple[int, int]]:
    """Incidents of the same victim, or of victims with alike names, in the same country and
    no more than `window` days apart."""
    of_victim: dict[Any, list[int]] = defaultdict(list)
    for index, profile in enumerate(profiles):
        for victim in profile.victims:
            of_victim[victim].append(index)
    alike = [(p.defender.pk, p.defender.pk) for p in people]
    for i, j in _candidate_pairs(people):
        one, other = people[i], people[j]
        if _name_reason(one.names, other.names, bool(one.digests & other.digests)):
            alike.append((one.defender.pk, other.defender.pk))
    pairs = set()
    for u, v in alike:
        for i in of_victim.get(u, []):
            for j in of_victim.get(v, []):
                a, b = profiles[i].incident, profiles[j].incident
                if i != j and a.country == b.country and abs((a.date - b.date).days) <= window:
                    pairs.add((min(i, j), max(i, j)))
    return pairs


def score_incident_pair(
    a: _IncidentProfile, b: _IncidentProfile, *, window: int = DATE_WINDOW_DAYS
) -> tuple[int, list[Reason]] | None:
    if a.victims & b.victims:
        victim = Reason("same_victim", 50)
    else:
        name = _name_reason(a.victim_names, b.victim_names, False)
        if name is None:
            return None
        points = 45 if name.code != "similar_name" else round(40 * float(name.detail))
        code = "similar_victim_name" if name.code == "similar_name" else "exact_victim_name"
        victim = Reason(code, points, name.detail)
    ia, ib = a.incident, b.incident
    reasons = [victim]
    date = _date_reason([ia.date], [ib.date], window)
    if date:
        reasons.append(date)
    reasons += _place_reasons(ia.country, ia.subdivision, ib.country, ib.subdivision)
    shared = sorted(a.violations & b.violations)
    if shared:
        reasons.append(Reason("same_violation", 15, ", ".join(shared)))
    else:
        # A threat and then a killing of the same person are two incidents, the usual sequence.
        reasons.append(Reason("other_violations", -20))
    return _total(reasons), reasons


def incident_candidates(
    *, actor: Any, window: int = DATE_WINDOW_DAYS, audit: bool = True
) -> list[Candidate]:
    """Candidate duplicate incidents the actor may see: in the same country, no more than
    `window` days apart, with the same or a similarly named victim."""
    if not may_review_duplicates(actor):
        raise deny()
    profiles, people = _incident_profiles(actor)
    decisions = _decisions(DuplicateDecision.Kind.INCIDENT)
    candidates = []
    for i, j in _incident_pairs(profiles, people, window):
        scored = score_incident_pair(profiles[i], profiles[j], window=window)
        if scored is None or scored[0] < MIN_INCIDENT_SCORE:
            continue
        first, second = pair_key(profiles[i].incident, profiles[j].incident)
        decision = decisions.get((first.pk, second.pk))
        if decision == DuplicateDecision.Decision.NOT_DUPLICATE:
            continue
        deferred = decision == DuplicateDecision.Decision.LATER
        candidates.append(Candidate("incident", first, second, scored[0], scored[1], deferred))
    if audit:
        audit_record(
            actor,
            "incident.duplicates_scan",
            object_type="incident",
            fields=["victim_names"],
            detail={"compared": len(profiles), "candidates": len(candidates)},
        )
    return _ranked(candidates)
