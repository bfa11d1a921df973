"""Files, command runs and database snapshots for the interchange tests."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from amparo.audit.models import AuditEvent
from amparo.core.models import DataKey
from amparo.earlywarning.models import Event
from amparo.incidents.models import Incident
from amparo.registry.models import Case, Defender, Organisation, Person

DOMAIN_MODELS = (Organisation, Defender, Person, Event, Incident, Case)


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    """Each item is a dict (written as JSON) or a str (written as is)."""
    text = "".join(
        (item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)) + "\n"
        for item in lines
    )
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Run:
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("line ")]


def run_import(path: Path, *args: str) -> Run:
    out, err = StringIO(), StringIO()
    call_command("import", str(path), *args, stdout=out, stderr=err)
    return Run(out.getvalue(), err.getvalue())


def run_import_failing(path: Path, *args: str) -> Run:
    """Run an import that must fail; returns what it reported."""
    from django.core.management.base import CommandError

    out, err = StringIO(), StringIO()
    try:
        call_command("import", str(path), *args, stdout=out, stderr=err)
    except CommandError:
        return Run(out.getvalue(), err.getvalue())
    raise AssertionError(f"The import succeeded:\n{out.getvalue()}\n{err.getvalue()}")


def run_export(*args: str) -> str:
    out = StringIO()
    call_command("export", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in DOMAIN_MODELS}
    counts["AuditEvent"] = AuditEvent.objects.count()
    return counts


def delete_domain_rows() -> None:
    """Empty the domain tables (the audit table is append-only and stays)."""
    Incident.objects.all().delete()
    Event.objects.all().delete()
    Person.objects.all().delete()
    Defender.objects.all().delete()
    Case.objects.all().delete()
    Organisation.objects.all().delete()
    DataKey.objects.filter(purpose=DataKey.Purpose.SUBJECT).delete()


def sample_records() -> list[dict[str, Any]]:
    """One record of each type with every field the contract defines."""
    return [
        {
            "type": "organisation",
            "id": "org-1",
            "name": "Colectivo Tierra Libre",
            "kind": "community",
            "country": "CO",
            "subdivision": "CO-CAU",
        },
        {
            "type": "organisation",
            "id": "org-2",
            "name": "Sindicato Nacional",
            "kind": "union",
            "country": "CO",
        },
        {
            "type": "defender",
            "id": "hrd-1",
            "name": "Tomás Pérez Quintero",
            "alias": "El Profe",
            "gender": "man",
            "birth_year": 1978,
            "categories": ["land_environment", "community_leader"],
            "country": "CO",
            "subdivision": "CO-CAU",
            "locality": "Vereda La Esperanza",
            "organisations": ["org-1", "org-2"],
            "contacts": {"phone": "+57 310 555 0101", "signal": "+57 310 555 0102"},
            "registered_on": "2024-03-01",
            "status": "active",
            "consent": {"register": True, "share_with_state": False},
        },
        {
            "type": "person",
            "id": "rel-1",
            "name": "Ana María Pérez",
            "related_to": "hrd-1",
            "relation": "spouse",
            "country": "CO",
            "subdivision": "CO-CAU",
        },
        {
            "type": "event",
            "id": "ev-1",
            "kind": "election",
            "title": "Regional elections",
            "start": "2027-10-29",
            "end": "2027-10-30",
            "country": "CO",
            "subdivision": "CO-CAU",
            "categories": ["community_leader"],
            "defenders": ["hrd-1"],
            "lead_days": 120,
            "tail_days": 0,
        },
        {
            "type": "incident",
            "id": "inc-1",
            "date": "2025-02-03",
            "date_precision": "day",
            "end_date": "2025-02-05",
            "reported_on": "2025-02-04",
            "country": "CO",
            "subdivision": "CO-CAU",
            "locality": "Camino a Toribío",
            "victims": ["hrd-1", "rel-1"],
            "organisations": ["org-1"],
            "violations": ["death_threat", "surveillance"],
            "perpetrators": ["armed_group"],
            "perpetrator_detail": "Frente Dagoberto Ramos",
            "context": ["publication"],
            "narrative": "A pamphlet named him and his wife.",
            "sources": ["phone call", "pamphlet photo"],
            "verification": "corroborated",
            "state_acquiescence": True,
        },
    ]


SENSITIVE_VALUES = [
    "Colectivo Tierra Libre",
    "Tomás Pérez Quintero",
    "El Profe",
    "Vereda La Esperanza",
    "+57 310 555 0101",
    "+57 310 555 0102",
    "Ana María Pérez",
    "Camino a Toribío",
    "Frente Dagoberto Ramos",
    "A pamphlet named him and his wife.",
    "phone call",
    "pamphlet photo",
]

_FIRST = ["Ana", "Luis", "Marta", "Jorge", "Rosa", "Iván", "Lucía", "Pedro", "Nidia", "Óscar"]
_LAST = ["Pérez", "Gómez", "Quintero", "Rojas", "Mejía", "Díaz", "Tascón", "Ulcué", "Yule"]
_SUBDIVISIONS = ["CO-CAU", "CO-ANT", "CO-NAR", "CO-CHO", "CO-VAC", ""]
_CATEGORIES = [
    "land_environment",
    "community_leader",
    "indigenous_peoples",
    "journalist",
    "women_rights",
    "trade_unionist",
    "lawyer",
]
_VIOLATIONS = [
    "killing",
    "death_threat",
    "threat",
    "harassment",
    "surveillance",
    "stigmatisation",
    "judicial_harassment",
    "physical_attack",
]
_PERPETRATORS = ["armed_group", "paramilitary", "police", "military", "unknown", "private_company"]


def generated_records(seed: int = 7, scale: int = 1) -> list[dict[str, Any]]:
    """About 200 × scale records shaped like a real programme's: 20 organisations, 60
    defenders, 40 relatives, 20 calendar events and 60 incidents per unit of scale."""
    rng = random.Random(seed)

    def name() -> str:
        return f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {rng.choice(_LAST)}"

    def place() -> dict[str, str]:
        subdivision = rng.choice(_SUBDIVISIONS)
        return {"country": "CO", **({"subdivision": subdivision} if subdivision else {})}

    def day(year_from: int = 2019) -> str:
        return f"{rng.randint(year_from, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    records: list[dict[str, Any]] = []
    orgs = [f"org-{n}" for n in range(20 * scale)]
    defenders = [f"hrd-{n}" for n in range(60 * scale)]
    persons = [f"rel-{n}" for n in range(40 * scale)]
    for org in orgs:
        records.append(
            {
                "type": "organisation",
                "id": org,
                "name": f"Asociación {name()}",
                "kind": rng.choice(["ngo", "community", "union", "media"]),
                **place(),
            }
        )
    for defender in defenders:
        record: dict[str, Any] = {
            "type": "defender",
            "id": defender,
            "name": name(),
            "categories": rng.sample(_CATEGORIES, rng.randint(1, 2)),
            **place(),
            "registered_on": day(),
            "gender": rng.choice(["woman", "man", "unknown"]),
            "consent": {"register": True, "share_with_state": rng.random() < 0.3},
        }
        if rng.random() < 0.5:
            record["organisations"] = rng.sample(orgs, rng.randint(1, 2))
        if rng.random() < 0.6:
            record["contacts"] = {
                "phone": f"+57 3{rng.randint(10, 99)} 555 {rng.randint(0, 9999):04d}"
            }
        if rng.random() < 0.4:
            record["locality"] = f"Vereda {rng.choice(_LAST)}"
        if rng.random() < 0.3:
            record["birth_year"] = rng.randint(1950, 2000)
        records.append(record)
    for person in persons:
        records.append(
            {
                "type": "person",
                "id": person,
                "name": name(),
                "related_to": rng.choice(defenders),
                "relation": rng.choice(["spouse", "child", "parent", "sibling"]),
            }
        )
    for n in range(20 * scale):
        start = day(2024)
        records.append(
            {
                "type": "event",
                "id": f"ev-{n}",
                "kind": rng.choice(["election", "demonstration", "publication"]),
                "title": f"Event {n}",
                "start": start,
                **place(),
                "categories": rng.sample(_CATEGORIES, rng.randint(0, 2)),
                "defenders": rng.sample(defenders, rng.randint(0, 2)),
            }
        )
    for n in range(60 * scale):
        victims = rng.sample(defenders, rng.randint(1, 2))
        if rng.random() < 0.2:
            victims.append(rng.choice(persons))
        record = {
            "type": "incident",
            "id": f"inc-{n}",
            "date": day(),
            **place(),
            "victims": victims,
            "violations": rng.sample(_VIOLATIONS, rng.randint(1, 2)),
            "perpetrators": rng.sample(_PERPETRATORS, 1),
            "verification": rng.choice(["unverified", "corroborated", "verified"]),
        }
        if rng.random() < 0.5:
            record["narrative"] = f"Narrative {n}: {name()} was followed."
        if rng.random() < 0.3:
            record["context"] = ["publication"]
        records.append(record)
    return records
