"""The synthetic demo data set: planned from a seeded RNG, then written through the services.

Everything goes through the same services as the pages and the API, so the demo's records are
encrypted, indexed and audited like real ones. Planning is pure (same seed and day, same data);
writing happens in one transaction, so a demo is either fully loaded or not at all.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import Entity, Role, SystemActor, User
from amparo.accounts.services import entity_create, user_create
from amparo.core.vocab import GRAVE_VIOLATIONS
from amparo.demo import synthetic as words
from amparo.demo.communications_demo import load_communications_demo
from amparo.demo.coordination_demo import load_coordination_demo
from amparo.demo.investigations_demo import load_investigations_demo
from amparo.demo.measures_demo import load_measures_demo
from amparo.demo.risk_demo import load_risk_demo
from amparo.demo.synthetic import REGIONS, Region
from amparo.earlywarning.services import EventData, event_create
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.models import Case, Defender, Organisation, Person
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    case_open,
    case_set_restricted,
    case_set_team,
    defender_register,
    organisation_create,
    person_create,
)

DEMO_SEED = 20091230  # the day A/HRC/13/22 was published
DEMO_PASSWORD = "amparo-demo-2026"  # noqa: S105 - printed on purpose: demo accounts only
MARKER_ENTITY = "demo-desk-co"
ENTITIES = (
    ("demo-desk-co", "Demo NGO protection desk (Colombia)", Entity.Kind.NGO, "CO"),
    (
        "demo-mechanism-mx",
        "Demo national protection mechanism (Mexico)",
        Entity.Kind.MINISTRY,
        "MX",
    ),
    ("demo-network", "Demo regional defenders network", Entity.Kind.NGO, ""),
    ("demo-police-co", "Demo police protection unit (Colombia)", Entity.Kind.POLICE, "CO"),
)
# (username, role, entity slug): one per role of DESIGN §2, plus a coordinator per entity.
DEMO_USERS: tuple[tuple[str, str, str | None], ...] = (
    ("coordinator", Role.COORDINATOR, "demo-desk-co"),
    ("officer", Role.CASE_OFFICER, "demo-desk-co"),
    ("officer2", Role.CASE_OFFICER, "demo-desk-co"),
    ("analyst", Role.ANALYST, "demo-desk-co"),
    ("comms", Role.COMMUNICATIONS_OFFICER, "demo-desk-co"),
    ("liaison", Role.LIAISON, "demo-police-co"),
    ("auditor", Role.AUDITOR, None),
    ("admin", Role.ADMIN, None),
    ("defender", Role.DEFENDER, None),
    ("coordinator_mx", Role.COORDINATOR, "demo-mechanism-mx"),
    ("coordinator_net", Role.COORDINATOR, "demo-network"),
)
HISTORY_DAYS = 3 * 365


@dataclass(frozen=True)
class DemoSize:
    defenders: int = 300
    incidents: int = 3000

    @property
    def organisations(self) -> int:
        return max(6, self.defenders // 7)


@dataclass
class OrganisationPlan:
    region: Region
    kind: str
    name: str
    subdivision: str
    collective: bool = False


@dataclass
class DefenderPlan:
    region: Region
    name: str
    gender: str
    birth_year: int
    subdivision: str
    locality: str
    categories: list[str]
    contacts: dict[str, str]
    registered_on: datetime.date
    alias: str = ""
    organisations: list[int] = field(default_factory=list)
    relatives: list[tuple[str, str]] = field(default_factory=list)
    status: str = "active"
    consent_share_with_state: bool = False
    collective: int | None = None  # index of the organisation whose collective case it joins
    on_officer_team: bool = False  # a journey persona: the `officer` account works the case


@dataclass
class IncidentPlan:
    date: datetime.date
    reported_on: datetime.date
    country: str
    subdivision: str
    violations: list[str]
    perpetrators: list[str]
    contexts: list[str]
    defender: int | None = None
    co_victims: list[int] = field(default_factory=list)
    relative: int | None = None  # index into the defender's relatives
    organisation: int | None = None
    date_precision: str = "day"
    locality: str = ""
    narrative: str = ""
    perpetrator_detail: str = ""
    sources: list[str] = field(default_factory=list)
    verification: str = "unverified"
    state_acquiescence: bool = False


@dataclass
class DemoPlan:
    organisations: list[OrganisationPlan]
    defenders: list[DefenderPlan]
    incidents: list[IncidentPlan]


def weighted[T](rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class Planner:
    """Draws the whole data set from one RNG; touches no database."""

    def __init__(self, rng: random.Random, today: datetime.date, size: DemoSize) -> None:
        self.rng, self.today, self.size = rng, today, size
        self.elections = [
            (country, datetime.date.fromisoformat(start))
            for kind, country, start, _title, _cats in words.CALENDAR
            if kind == "election"
        ]

    # people and places ---------------------------------------------------------------------

    def person_name(self, language: str, gender: str) -> str:
        rng = self.rng
        pool = words.FIRST_NAMES[language]
        if gender == "non_binary":
            first = rng.choice(words.NON_BINARY_NAMES[language])
        else:
            first = rng.choice(pool["woman" if gender == "woman" else "man"])
            if rng.random() < 0.25 and language == "es":
                first += " " + rng.choice(pool["woman" if gender == "woman" else "man"])
        surnames = words.SURNAMES[language]
        last = rng.choice(surnames)
        if language == "es":
            last += " " + rng.choice(surnames)
        return f"{first} {last}"

    def locality(self, language: str) -> str:
        prefixes, places = words.LOCALITY_WORDS[language]
        return f"{self.rng.choice(prefixes)} {self.rng.choice(places)}"

    def phone(self, region: Region) -> str:
        return "".join(
            str(self.rng.randrange(10)) if part == "{d}" else part
            for part in region.phone.replace("{d}", "\0{d}\0").split("\0")
        )

    def past_date(self, days: int = HISTORY_DAYS) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randrange(days))

    # organisations and defenders -----------------------------------------------------------

    def organisations(self) -> list[OrganisationPlan]:
        colombia = words.REGION_BY_COUNTRY["CO"]
        plans = [
            OrganisationPlan(colombia, kind, name, subdivision)
            for kind, name, _country, subdivision in words.JOURNEY_ORGANISATIONS
        ]
        kinds = list(words.ORGANISATION_PATTERNS)
        for index in range(max(0, self.size.organisations - len(plans))):
            region = weighted(self.rng, [(r, r.weight) for r in REGIONS])
            kind = kinds[index % len(kinds)]
            pattern = self.rng.choice(words.ORGANISATION_PATTERNS[kind][region.language])
            place = self.rng.choice(words.LOCALITY_WORDS[region.language][1])
            plans.append(
                OrganisationPlan(
                    region=region,
                    kind=kind,
                    name=pattern.format(place=place),
                    subdivision=weighted(self.rng, region.subdivisions),
                    collective=kind in {"community", "indigenous_authority"}
                    and self.rng.random() < 0.5,
                )
            )
        return plans

    def journey_defenders(self) -> list[DefenderPlan]:
        colombia = words.REGION_BY_COUNTRY["CO"]
        return [
            DefenderPlan(
                region=colombia,
                name=name,
                gender=gender,
                birth_year=self.rng.randint(1965, 1995),
                subdivision=subdivision,
                locality=self.locality("es"),
                categories=sorted(categories),
                contacts={"phone": self.phone(colombia)},
                registered_on=self.past_date(),
                organisations=[] if organisation is None else [organisation],
                consent_share_with_state=consents,
                on_officer_team=True,
            )
            for name, gender, subdivision, categories, organisation, consents in (
                words.JOURNEY_DEFENDERS[: self.size.defenders]
            )
        ]

    def defenders(self, organisations: list[OrganisationPlan]) -> list[DefenderPlan]:
        rng = self.rng
        plans = self.journey_defenders()
        for _ in range(self.size.defenders - len(plans)):
            region = weighted(rng, [(r, r.weight) for r in REGIONS])
            gender = weighted(rng, [("woman", 45), ("man", 47), ("non_binary", 3), ("unknown", 5)])
            subdivision = weighted(rng, region.subdivisions)
            categories = [weighted(rng, region.categories)]
            if subdivision == "CO-CAU" and rng.random() < 0.5:
                categories = ["indigenous_peoples", "land_environment"]
            if gender == "non_binary" or rng.random() < 0.03:
                categories.append("lgbti_rights")
            if gender == "woman" and rng.random() < 0.3:
                categories.append("women_rights")
            if rng.random() < 0.2:
                categories.append(weighted(rng, region.categories))
            categories = sorted(set(categories))
            name = self.person_name(region.language, gender if gender != "unknown" else "man")
            contacts = {"phone": self.phone(region)}
            if rng.random() < 0.4:
                contacts["signal"] = self.phone(region)
            if rng.random() < 0.5:
                handle = name.split()[0].lower().encode("ascii", "ignore").decode() or "contact"
                contacts["email"] = f"{handle}.{rng.randrange(100, 999)}@example.org"
            plan = DefenderPlan(
                region=region,
                name=name,
                gender=gender,
                birth_year=rng.randint(1952, 2003),
                subdivision=subdivision,
                locality=self.locality(region.language),
                categories=categories,
                contacts=contacts,
                registered_on=self.past_date(),
                alias=rng.choice(words.ALIASES) if rng.random() < 0.15 else "",
                consent_share_with_state=rng.random() < 0.6,
                status="relocated" if rng.random() < 0.05 else "active",
            )
            plan.organisations = self._memberships(plan, organisations)
            for _ in range(weighted(rng, [(0, 55), (1, 30), (2, 15)])):
                relation = weighted(rng, words.RELATIONS)
                relative_gender = rng.choice(["woman", "man"])
                plan.relatives.append(
                    (self.person_name(region.language, relative_gender), relation)
                )
            plans.append(plan)
        for plan in plans:
            for index in plan.organisations:
                if organisations[index].collective and plan.collective is None:
                    plan.collective = index
        return plans

    def _memberships(self, plan: DefenderPlan, organisations: list[OrganisationPlan]) -> list[int]:
        rng = self.rng
        local = [i for i, o in enumerate(organisations) if o.region is plan.region]
        if not local or rng.random() < 0.3:
            return []
        wanted = {words.ORGANISATION_FOR_CATEGORY.get(c) for c in plan.categories}
        fitting = [i for i in local if organisations[i].kind in wanted]
        chosen = {rng.choice(fitting or local)}
        if rng.random() < 0.2:
            chosen.add(rng.choice(local))
        return sorted(chosen)

    # incidents -----------------------------------------------------------------------------

    def rate(self, country: str, date: datetime.date) -> float:
        """Relative incident rate: higher in the months around an election in that country."""
        for election_country, day in self.elections:
            if election_country == country and -120 <= (date - day).days <= 30:
                return 2.0
        return 1.0

    def incident_date(self, country: str) -> datetime.date:
        while True:
            date = self.past_date()
            if self.rng.random() * 2.0 < self.rate(country, date):
                return date

    def narrative(self, violation: str) -> str:
        template = words.NARRATIVES.get(violation, words.DEFAULT_NARRATIVE)
        return template.format(
            channel=self.rng.choice(words.CHANNELS), activity=self.rng.choice(words.ACTIVITIES)
        )

    def in_election_window(self, country: str, date: datetime.date) -> bool:
        return self.rate(country, date) > 1.0

    def incidents(
        self, defenders: list[DefenderPlan], organisations: list[OrganisationPlan]
    ) -> list[IncidentPlan]:
        rng, total = self.rng, self.size.incidents
        exposed = self._spike_exposed(defenders)
        spike = min(total, max(3, total // 250)) if exposed else 0
        on_organisations = round(total * 0.05) if organisations else 0
        on_relatives = round(total * 0.05)
        on_defenders = max(0, total - spike - on_organisations - on_relatives)
        weights = [min(rng.paretovariate(1.3), 20.0) for _ in defenders]
        by_defender: dict[int, list[IncidentPlan]] = defaultdict(list)
        for index in rng.choices(range(len(defenders)), weights=weights, k=on_defenders):
            by_defender[index].append(self._defender_incident(defenders, index))
        incidents = self._escalate(defenders, by_defender)
        with_relatives = [i for i, d in enumerate(defenders) if d.relatives]
        for _ in range(on_relatives if with_relatives else 0):
            index = rng.choice(with_relatives)
            plan = self._defender_incident(defenders, index)
            plan.relative = rng.randrange(len(defenders[index].relatives))
            plan.narrative = plan.narrative.replace("The defender", "A relative of the defender", 1)
            incidents.append(plan)
        for _ in range(on_organisations):
            incidents.append(self._organisation_incident(organisations))
        incidents.extend(self._quiet_spike(defenders, exposed, spike))
        incidents.sort(key=lambda plan: (plan.date, plan.reported_on))
        return incidents

    def _defender_incident(self, defenders: list[DefenderPlan], index: int) -> IncidentPlan:
        defender = defenders[index]
        date = self.incident_date(defender.region.country)
        violations = [weighted(self.rng, words.COMMON_VIOLATIONS)]
        if self.rng.random() < 0.25:
            second = weighted(self.rng, words.COMMON_VIOLATIONS)
            if second not in GRAVE_VIOLATIONS:
                violations.append(second)
        plan = self._incident(defender.region, defender.subdivision, date, violations)
        plan.defender = index
        plan.locality = defender.locality if self.rng.random() < 0.6 else ""
        if defender.collective is not None and self.rng.random() < 0.3:
            plan.co_victims = [
                i
                for i, other in enumerate(defenders)
                if other.collective == defender.collective and i != index
            ][:3]
        return plan

    def _incident(
        self, region: Region, subdivision: str, date: datetime.date, violations: list[str]
    ) -> IncidentPlan:
        rng = self.rng
        perpetrators = sorted(
            {weighted(rng, region.perpetrators) for _ in range(rng.choice([1, 1, 1, 2]))}
        )
        if len(perpetrators) > 1 and "unknown" in perpetrators:
            perpetrators.remove("unknown")
        contexts = []
        if self.in_election_window(region.country, date) and rng.random() < 0.5:
            contexts.append("election")
        elif rng.random() < 0.65:
            contexts.append(weighted(rng, words.CONTEXTS))
        precision = weighted(rng, [("day", 92), ("month", 6), ("year", 2)])
        if precision == "year" and (self.today - date.replace(month=1, day=1)).days > HISTORY_DAYS:
            precision = "month"
        if precision == "month":
            date = date.replace(day=1)
        elif precision == "year":
            date = date.replace(month=1, day=1)
        reported_on = min(self.today, date + datetime.timedelta(days=int(rng.expovariate(1 / 6))))
        age = (self.today - date).days
        verification = weighted(
            rng,
            [("unverified", 20), ("corroborated", 40), ("verified", 40)]
            if age > 365
            else [("unverified", 50), ("corroborated", 35), ("verified", 15)],
        )
        known = [p for p in perpetrators if p in words.PERPETRATOR_DETAILS]
        return IncidentPlan(
            date=date,
            reported_on=reported_on,
            country=region.country,
            subdivision=subdivision if rng.random() < 0.95 else "",
            violations=violations,
            perpetrators=perpetrators,
            contexts=contexts,
            date_precision=precision,
            narrative=self.narrative(violations[0]),
            perpetrator_detail=words.PERPETRATOR_DETAILS[known[0]]
            if known and rng.random() < 0.6
            else "",
            sources=rng.sample(words.SOURCES, rng.choice([1, 1, 2, 3])),
            verification=verification,
            state_acquiescence=bool(
                {"paramilitary", "armed_group", "private_security", "vigilante_group"}
                & set(perpetrators)
            )
            and rng.random() < 0.15,
        )

    def _escalate(
        self, defenders: list[DefenderPlan], by_defender: dict[int, list[IncidentPlan]]
    ) -> list[IncidentPlan]:
        """Threats precede killings: for a few defenders with a history, the story ends in a
        grave attack after a run of threats."""
        incidents: list[IncidentPlan] = []
        for index in sorted(by_defender):
            story = sorted(by_defender[index], key=lambda plan: plan.date)
            if (
                len(story) >= 3
                and self.rng.random() < 0.25
                and not defenders[index].on_officer_team
            ):
                for plan in story[-3:-1]:
                    plan.violations = [self.rng.choice(["death_threat", "threat"])]
                    plan.narrative = self.narrative(plan.violations[0])
                last = story[-1]
                last.violations = [weighted(self.rng, words.ESCALATIONS)]
                last.date_precision = "day"
                last.narrative = self.narrative(last.violations[0])
                if last.violations == ["killing"]:
                    defenders[index].status = "deceased"
            incidents.extend(story)
        return incidents

    def _organisation_incident(self, organisations: list[OrganisationPlan]) -> IncidentPlan:
        index = self.rng.randrange(len(organisations))
        organisation = organisations[index]
        violation = self.rng.choice(
            [
                "raid",
                "stigmatisation",
                "association_restriction",
                "surveillance",
                "property_damage",
                "digital_attack",
            ]
        )
        date = self.incident_date(organisation.region.country)
        plan = self._incident(organisation.region, organisation.subdivision, date, [violation])
        plan.organisation = index
        plan.narrative = plan.narrative.replace("The defender's", "The organisation's").replace(
            "The defender", "The organisation"
        )
        return plan

    @staticmethod
    def _spike_exposed(defenders: list[DefenderPlan]) -> list[int]:
        return [
            i
            for i, d in enumerate(defenders)
            if d.subdivision == "CO-CAU"
            and {"indigenous_peoples", "land_environment"} & set(d.categories)
        ]

    def _quiet_spike(
        self, defenders: list[DefenderPlan], exposed: list[int], count: int
    ) -> list[IncidentPlan]:
        """Journey 4: threats against indigenous land defenders in Cauca triple in three weeks."""
        exposed = [i for i in exposed if defenders[i].status != "deceased"] or exposed
        plans = []
        for _ in range(count):
            index = self.rng.choice(exposed)
            date = self.today - datetime.timedelta(days=self.rng.randrange(21))
            violation = self.rng.choice(["threat", "intimidation", "death_threat"])
            plan = self._incident(defenders[index].region, "CO-CAU", date, [violation])
            plan.subdivision, plan.date_precision, plan.defender = "CO-CAU", "day", index
            plan.date = date
            plan.reported_on = min(self.today, date + datetime.timedelta(days=1))
            plans.append(plan)
        return plans

    def plan(self) -> DemoPlan:
        organisations = self.organisations()
        defenders = self.defenders(organisations)
        incidents = self.incidents(defenders, organisations)
        return DemoPlan(organisations, defenders, incidents)


@dataclass
class DemoResult:
    loaded: bool
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_loaded() -> bool:
    return Entity.objects.filter(slug=MARKER_ENTITY).exists()


class Writer:
    """Writes a plan through the services, as the system actor."""

    def __init__(
        self,
        plan: DemoPlan,
        today: datetime.date,
        rng: random.Random,
        progress: Callable[[str], None],
    ) -> None:
        self.plan, self.today, self.rng, self.progress = plan, today, rng, progress
        self.actor = SystemActor("cli:demo")
        self.entities: dict[str, Entity] = {}
        self.users: dict[str, User] = {}
        self.organisations: list[Organisation] = []
        self.defenders: list[Defender] = []
        self.relatives: list[list[Person]] = []
        self.counts: Counter[str] = Counter()

    def run(self) -> Counter[str]:
        for slug, name, kind, country in ENTITIES:
            self.entities[slug] = entity_create(
                actor=self.actor, slug=slug, name=name, kind=kind, country=country
            )
        for username, role, entity_slug in DEMO_USERS:
            if role != Role.DEFENDER:
                self._user(username, role, self.entities.get(entity_slug or ""))
        self._organisations()
        self._defenders()
        self._teams()
        self._incidents()
        self._events()
        self._defender_account()
        load_coordination_demo(self)
        load_risk_demo(self)
        load_measures_demo(self)
        load_communications_demo(self)
        load_investigations_demo(self)
        return self.counts

    def _user(self, username: str, role: str, entity: Entity | None, **extra: object) -> None:
        self.users[username], _device = user_create(
            actor=self.actor,
            username=username,
            role=role,
            password=DEMO_PASSWORD,
            entity=entity,
            validate=False,
            **extra,
        )
        self.counts["users"] += 1

    def _organisations(self) -> None:
        for plan in self.plan.organisations:
            self.organisations.append(
                organisation_create(
                    actor=self.actor,
                    data=OrganisationData(
                        plan.name, plan.kind, plan.region.country, plan.subdivision
                    ),
                    entity=self.entities[plan.region.entity],
                )
            )
        self.counts["organisations"] = len(self.organisations)

    def _defenders(self) -> None:
        collective_cases: dict[int, Case] = {}
        for number, plan in enumerate(self.plan.defenders, start=1):
            entity = self.entities[plan.region.entity]
            case = None
            if plan.collective is not None:
                case = collective_cases.get(plan.collective)
                if case is None:
                    case = collective_cases[plan.collective] = case_open(
                        actor=self.actor, entity=entity, kind=Case.Kind.COLLECTIVE
                    )
            defender = defender_register(
                actor=self.actor,
                case=case,
                entity=entity,
                data=DefenderData(
                    name=plan.name,
                    country=plan.region.country,
                    subdivision=plan.subdivision,
                    categories=plan.categories,
                    alias=plan.alias,
                    gender=plan.gender,
                    birth_year=plan.birth_year,
                    locality=plan.locality,
                    contacts=plan.contacts,
                    organisations=[self.organisations[i] for i in plan.organisations],
                    status=plan.status,
                    registered_on=plan.registered_on,
                    consent_register=True,
                    consent_share_with_state=plan.consent_share_with_state,
                ),
            )
            self.defenders.append(defender)
            self.relatives.append(
                [
                    person_create(
                        actor=self.actor,
                        defender=defender,
                        data=PersonData(
                            name=name,
                            relation=relation,
                            country=plan.region.country,
                            subdivision=plan.subdivision,
                        ),
                    )
                    for name, relation in plan.relatives
                ]
            )
            if number % 100 == 0:
                self.progress(f"  {number} defenders")
        self.counts["defenders"] = len(self.defenders)
        self.counts["relatives"] = sum(len(r) for r in self.relatives)
        self.counts["collective cases"] = len(collective_cases)

    def _teams(self) -> None:
        cases = {d.case_id: d.case for d in self.defenders}
        journey_cases = {
            d.case_id
            for d, plan in zip(self.defenders, self.plan.defenders, strict=True)
            if plan.on_officer_team
        }
        officers = [self.users["officer"], self.users["officer2"]]
        for case in cases.values():
            slug = next(s for s, e in self.entities.items() if e.pk == case.lead_entity_id)
            restricted = self.rng.random() < 0.05 and case.pk not in journey_cases
            if case.pk in journey_cases:
                team = [officers[0]]
            elif slug == "demo-desk-co":
                draw = self.rng.random()
                team = (
                    [officers[0]]
                    if draw < 0.55 or restricted
                    else ([officers[1]] if draw < 0.85 else officers)
                )
            else:
                team = [self.users[f"coordinator_{'mx' if slug == 'demo-mechanism-mx' else 'net'}"]]
            case_set_team(actor=self.actor, case=case, members=team)
            if restricted:
                case_set_restricted(actor=self.actor, case=case, restricted=True)
                self.counts["restricted cases"] += 1
        self.counts["cases"] = len(cases)

    def _incidents(self) -> None:
        for number, plan in enumerate(self.plan.incidents, start=1):
            defenders, persons, organisations = [], [], []
            if plan.defender is not None:
                if plan.relative is not None:
                    persons = [self.relatives[plan.defender][plan.relative]]
                else:
                    defenders = [self.defenders[plan.defender]]
                    defenders += [self.defenders[i] for i in plan.co_victims]
            if plan.organisation is not None:
                organisations = [self.organisations[plan.organisation]]
            incident_record(
                actor=self.actor,
                entity=organisations[0].lead_entity if organisations else None,
                data=IncidentData(
                    date=plan.date,
                    date_precision=plan.date_precision,
                    reported_on=plan.reported_on,
                    country=plan.country,
                    subdivision=plan.subdivision,
                    locality=plan.locality,
                    violations=plan.violations,
                    perpetrators=plan.perpetrators,
                    perpetrator_detail=plan.perpetrator_detail,
                    contexts=plan.contexts,
                    state_acquiescence=plan.state_acquiescence,
                    narrative=plan.narrative,
                    sources=plan.sources,
                    verification=plan.verification,
                    victim_defenders=defenders,
                    victim_persons=persons,
                    organisations=organisations,
                ),
            )
            if number % 500 == 0:
                self.progress(f"  {number} incidents")
        self.counts["incidents"] = len(self.plan.incidents)

    def _events(self) -> None:
        entity_for = {region.country: region.entity for region in REGIONS}
        for kind, country, start, title, categories in words.CALENDAR:
            event_create(
                actor=self.actor,
                entity=self.entities[entity_for[country]],
                data=EventData(
                    kind=kind,
                    start=datetime.date.fromisoformat(start),
                    country=country,
                    title=title,
                    categories=list(categories),
                ),
            )
            self.counts["events"] += 1
        personal = [
            ("publication", "Publication of an investigative report", "journalist", 20),
            ("judicial_proceeding", "Hearing in the case against the defender", "", 35),
            ("travel_abroad", "Advocacy visit to Geneva", "", 50),
        ]
        for kind, title, category, in_days in personal:
            defender = next(
                (
                    d
                    for d in self.defenders
                    if d.status == "active"
                    and d.country == "CO"
                    and (not category or category in d.category_codes)
                ),
                None,
            )
            if defender is None:
                continue
            starts_on = self.today + datetime.timedelta(days=in_days)
            event_create(
                actor=self.actor,
                entity=self.entities["demo-desk-co"],
                data=EventData(
                    kind=kind,
                    start=starts_on,
                    country="CO",
                    title=title,
                    subdivision=defender.subdivision,
                    defenders=[defender],
                ),
            )
            self.counts["events"] += 1

    def _defender_account(self) -> None:
        """The defender persona speaks for Tomás (journeys 1 and 5) or, in a demo too small to
        hold him, for the first active defender."""
        defender = next((d for d in self.defenders if d.status == "active"), self.defenders[0])
        self._user("defender", Role.DEFENDER, None, defender=defender)


def load_demo(
    *,
    size: DemoSize | None = None,
    seed: int = DEMO_SEED,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Load the demo unless it is there already; all or nothing."""
    if demo_loaded():
        return DemoResult(loaded=False)
    started = timezone.now()
    today = today or timezone.localdate()
    rng = random.Random(seed)
    plan = Planner(rng, today, size or DemoSize()).plan()
    with transaction.atomic():
        counts = Writer(plan, today, rng, progress or (lambda message: None)).run()
    return DemoResult(True, dict(counts), (timezone.now() - started).total_seconds())
