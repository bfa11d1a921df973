"""The letter as drafted from the linked records, and the exact fields it discloses.

A defender's identifying details (name, categories, gender, subdivision) go into a letter only
with their consent to share with State authorities (coordination.consent_allows). An incident's
coded facts (date, country, violations, perpetrator types) always go in; its subdivision and
locality, and its narrative, only when every defender it was committed against consents.
Contacts never go in. `disclosed` lists, per record code, the field names the letter took from
that record: never values, so it can be shown and audited without revealing anything.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string

from amparo.coordination.models import ConsentPurpose
from amparo.coordination.selectors import consent_allows
from amparo.core.places import country_name, subdivision_name
from amparo.core.vocab import (
    Category,
    CommunicationKind,
    DatePrecision,
    Gender,
    Perpetrator,
    Violation,
)
from amparo.incidents.models import Incident
from amparo.registry.models import Defender

URGENT_KINDS = frozenset({CommunicationKind.UA, CommunicationKind.JUA})
ALLEGATION_KINDS = frozenset({CommunicationKind.AL, CommunicationKind.JAL})
# What the letter reads from each kind of record, in the order the page lists them.
DEFENDER_FIELDS_WITH_CONSENT = ["name", "gender", "categories", "subdivision"]
INCIDENT_CODED_FIELDS = ["date", "country", "violations", "perpetrators"]
INCIDENT_CONSENTED_FIELDS = ["subdivision", "locality", "narrative"]


def shares_with_state(defender: Defender) -> bool:
    return consent_allows(defender, ConsentPurpose.SHARE_WITH_STATE)


def concerned_defenders(
    defenders: Sequence[Defender], incidents: Sequence[Incident]
) -> list[Defender]:
    """The defenders a letter speaks about: those linked, and the victims of linked incidents."""
    found: dict[Any, Defender] = {d.pk: d for d in defenders}
    for incident in incidents:
        for defender in incident.victim_defenders.all():
            found.setdefault(defender.pk, defender)
    return sorted(found.values(), key=lambda d: d.code)


def without_consent(defenders: Sequence[Defender], incidents: Sequence[Incident]) -> list[str]:
    """Codes of the concerned defenders who have not consented to sharing with the State."""
    return [d.code for d in concerned_defenders(defenders, incidents) if not shares_with_state(d)]


def _label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _join(words: Sequence[str]) -> str:
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def date_text(day: datetime.date, precision: str) -> str:
    if precision == DatePrecision.YEAR:
        return f"in {day.year}"
    if precision == DatePrecision.MONTH:
        return f"in {day:%B} {day.year}"
    return f"on {day.day} {day:%B} {day.year}"


@dataclass
class DefenderFacts:
    code: str
    consented: bool
    name: str = ""
    gender: str = ""
    categories: list[str] = field(default_factory=list)
    subdivision: str = ""
    fields: list[str] = field(default_factory=list)

    @property
    def phrase(self) -> str:
        if not self.consented:
            return "a human rights defender whose identity is withheld"
        who = (
            "a woman human rights defender"
            if self.gender == Gender.WOMAN
            else ("a human rights defender")
        )
        work = _join([_label(Category, c).lower() for c in self.categories])
        place = f" in {self.subdivision}" if self.subdivision else ""
        return f"{self.name}, {who}{f' ({work})' if work else ''}{place}"


@dataclass
class IncidentFacts:
    code: str
    consented: bool
    when: str
    place: str
    violations: str
    perpetrators: str
    victims: str
    narrative: str = ""
    fields: list[str] = field(default_factory=list)


@dataclass
class Draft:
    body: str
    disclosed: list[dict[str, Any]]
    withheld: list[str]  # codes of defenders whose details were left out for want of consent
    concerns_women: bool
    defenders: list[DefenderFacts] = field(default_factory=list)
    incidents: list[IncidentFacts] = field(default_factory=list)
    # Records whose sensitive fields were decrypted to compose the letter (for audit_read).
    read_defenders: list[Defender] = field(default_factory=list)
    read_incidents: list[Incident] = field(default_factory=list)


def _defender_facts(defender: Defender) -> DefenderFacts:
    if not shares_with_state(defender):
        return DefenderFacts(defender.code, consented=False)
    return DefenderFacts(
        defender.code,
        consented=True,
        name=defender.name or defender.code,
        gender=defender.gender,
        categories=defender.category_codes,
        subdivision=subdivision_name(defender.subdivision) if defender.subdivision else "",
        fields=[
            name
            for name in DEFENDER_FIELDS_WITH_CONSENT
            if name in {"name", "gender", "categories"} or defender.subdivision
        ],
    )


def _incident_facts(incident: Incident, named: dict[Any, DefenderFacts]) -> IncidentFacts:
    victims = list(incident.victim_defenders.all())
    consented = bool(victims) and all(shares_with_state(v) for v in victims)
    phrases = []
    for victim in victims:
        # Only linked defenders are named (their record lists the name as disclosed).
        facts = named.get(victim.pk)
        phrases.append(facts.name if facts and facts.consented else "a human rights defender")
    if incident.victim_persons.exists():
        phrases.append("relatives or associates of the defender")
    fields = list(INCIDENT_CODED_FIELDS)
    place = country_name(incident.country)
    narrative = ""
    if consented:
        parts = [incident.locality or "", subdivision_name(incident.subdivision)]
        place = ", ".join(p for p in [*parts, place] if p)
        if incident.subdivision:
            fields.append("subdivision")
        if incident.locality:
            fields.append("locality")
        narrative = (incident.narrative or "").strip()
        if narrative:
            fields.append("narrative")
    return IncidentFacts(
        code=incident.code,
        consented=consented,
        when=date_text(incident.date, incident.date_precision),
        place=place,
        violations=_join([_label(Violation, c).lower() for c in incident.violation_codes]),
        perpetrators=_join([_label(Perpetrator, c).lower() for c in incident.perpetrator_codes]),
        victims=_join(phrases) or "a human rights organisation",
        narrative=narrative,
        fields=fields,
    )


def compose(
    *,
    kind: str,
    state: str,
    mandates: Sequence[str],
    defenders: Sequence[Defender],
    incidents: Sequence[Incident],
) -> Draft:
    """Build the letter from the records (decrypting what consent lets it use)."""
    ordered_defenders = sorted(defenders, key=lambda d: d.code)
    defender_facts = [_defender_facts(d) for d in ordered_defenders]
    named = {d.pk: facts for d, facts in zip(ordered_defenders, defender_facts, strict=True)}
    ordered_incidents = sorted(incidents, key=lambda i: (i.date, i.code))
    incident_facts = [_incident_facts(i, named) for i in ordered_incidents]
    context = {
        "kind": kind,
        "urgent": kind in URGENT_KINDS,
        "allegation": kind in ALLEGATION_KINDS,
        "joint": kind.startswith("J"),
        "state_name": country_name(state),
        "mandates": _join(list(mandates)) or "the Special Rapporteur",
        "signatories": list(mandates) or ["Special Rapporteur"],
        "defenders": defender_facts,
        "incidents": incident_facts,
    }
    body = render_to_string("communications/letter_body.txt", context).strip() + "\n"
    fields_of: list[tuple[str, list[str]]] = [(f.code, f.fields) for f in defender_facts]
    fields_of += [(f.code, f.fields) for f in incident_facts]
    disclosed = [{"record": code, "fields": names} for code, names in fields_of if names]
    concerned = concerned_defenders(defenders, incidents)
    return Draft(
        body=body,
        disclosed=disclosed,
        withheld=[d.code for d in concerned if not shares_with_state(d)],
        concerns_women=any(d.gender == Gender.WOMAN for d in concerned),
        defenders=defender_facts,
        incidents=incident_facts,
        read_defenders=[d for d in ordered_defenders if named[d.pk].consented],
        read_incidents=[
            i for i, facts in zip(ordered_incidents, incident_facts, strict=True) if facts.consented
        ],
    )
