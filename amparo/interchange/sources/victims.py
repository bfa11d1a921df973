"""The records a killed person becomes: a deceased defender and the killing, linked.

The datasets of killings name people who were killed for their work. Each becomes a `defender`
(status `deceased`, consent flags false: nobody consented, the record exists to document) and
an `incident` with violation `killing` naming them as victim, so the registry, the incident
statistics and the early-warning detectors see them as they see any other defender. The name
and everything that could identify or locate them (locality, narrative, sources) are sensitive
fields: encrypted, never logged, left out of pseudonymised exports.
"""

from __future__ import annotations

import datetime
from typing import Any

from amparo.interchange.sources.base import Record
from amparo.interchange.sources.dates import SourceDate


def deceased_defender(
    record_id: str,
    *,
    name: str,
    categories: list[str],
    country: str,
    gender: str = "unknown",
    subdivision: str = "",
    birth_year: int | None = None,
    organisations: list[str] | None = None,
) -> Record:
    record: dict[str, Any] = {
        "type": "defender",
        "id": record_id,
        "name": " ".join(name.split()),
        "gender": gender,
        "categories": sorted(set(categories)),
        "country": country,
        "status": "deceased",
    }
    if subdivision:
        record["subdivision"] = subdivision
    if birth_year is not None:
        record["birth_year"] = birth_year
    if organisations:
        record["organisations"] = sorted(set(organisations))
    return record


def killing(
    record_id: str,
    *,
    when: SourceDate,
    country: str,
    victims: list[str] | None = None,
    organisations: list[str] | None = None,
    violations: tuple[str, ...] = ("killing",),
    subdivision: str = "",
    locality: str = "",
    perpetrators: tuple[str, ...] = (),
    context: tuple[str, ...] = (),
    narrative: str = "",
    sources: list[str] | None = None,
    end_date: datetime.date | None = None,
) -> Record:
    record: dict[str, Any] = {
        "type": "incident",
        "id": record_id,
        "date": when.date.isoformat(),
        "date_precision": when.precision,
        "country": country,
        "violations": sorted(set(violations)),
        "perpetrators": sorted(set(perpetrators)) or ["unknown"],
    }
    optional: dict[str, Any] = {
        "end_date": end_date.isoformat() if end_date and end_date != when.date else None,
        "subdivision": subdivision,
        "locality": locality,
        "victims": victims,
        "organisations": sorted(set(organisations or [])),
        "context": sorted(set(context)),
        "narrative": narrative,
        "sources": [source for source in sources or [] if source],
    }
    record.update({name: value for name, value in optional.items() if value})
    return record


def birth_year(age: str, year: int) -> int | None:
    """The birth year implied by an age at death (the year of death minus the age: one year late
    for a person killed before their birthday)."""
    try:
        years = int(age.strip())
    except ValueError:
        return None
    return year - years if 0 < years < 120 else None
