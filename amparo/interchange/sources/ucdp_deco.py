"""UCDP DECO: deadly electoral violence events, 1989–2017 (UCDP GED column layout).

Each event becomes the incident `deco:<id>` (violation `killing`, context `election`, plus
`armed_conflict` for UCDP's state-based and non-state conflict violence). Perpetrators come from
the side-A categories; the targets, which DECO gives only as categories, become one organisation
per target category and country (`deco-target:<country>:<category>`, kind `other`), so the
incident has the targeted group the contract asks for without inventing people. DECO's numeric
codes (electoral type, timing, perpetrator, targets) and the death counts are kept in the
narrative: their codebook labels are not in the file. See docs/importers.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from amparo.core.places import country_code, country_name, fold
from amparo.interchange.sources.base import Mapping, Options, Record, Row, read_csv
from amparo.interchange.sources.dates import DateProblem, parse_source_date
from amparo.interchange.sources.victims import killing

# Side-A (perpetrator) categories. "Politicians" are government officials only when DECO marks
# the side as the incumbent's (electoral_side_a_inc = 1); otherwise unknown.
PERPETRATORS = {
    "Security forces": "police",
    "Political supporters": "community_member",
    "Rebel group": "armed_group",
    "Milita": "armed_group",
    "Public officials": "government_official",
    "Civilians": "community_member",
    "External actors": "military",
    "Politicians": "unknown",
    "Political figures": "unknown",
    "Other": "unknown",
    "Unclear": "unknown",
}
INCUMBENT_POLITICIANS = "government_official"

# UCDP type_of_violence: 1 state-based, 2 non-state conflict, 3 one-sided, 4 electoral only.
CONTEXTS: dict[str, tuple[str, ...]] = {
    "1": ("election", "armed_conflict"),
    "2": ("election", "armed_conflict"),
    "3": ("election",),
    "4": ("election",),
}

SOURCE = "UCDP Deadly Electoral Conflict dataset (DECO) v1.0, CC BY 4.0"


def target_group(category: str, country: str) -> Record:
    slug = "-".join(fold(category).split())
    return {
        "type": "organisation",
        "id": f"deco-target:{country}:{slug}",
        "name": f"{category} in {country_name(country)} (UCDP DECO target category)",
        "kind": "other",
        "country": country,
    }


def _perpetrator(category: str, incumbent: str, mapping: Mapping) -> str:
    if category in {"Politicians", "Political figures"} and incumbent == "1":
        return INCUMBENT_POLITICIANS
    return mapping.code(PERPETRATORS, "electoral_side_a", category, "unknown")


class UcdpDeco:
    name = "ucdp-deco"
    label = "UCDP DECO deadly electoral violence events (CSV)"

    def rows(self, path: Path, mapping: Mapping, options: Options) -> Iterator[Row]:
        for line, data in read_csv(path):
            yield self.row(line, data, mapping)

    def row(self, line: int, data: dict[str, str], mapping: Mapping) -> Row:
        row = Row(line)
        reference = data.get("id", "").strip()
        if not reference:
            row.refuse("id", "No DECO event id.")
        country = country_code(data.get("country", ""))
        if not country:
            row.refuse("country", f"Not an ISO 3166-1 country: {data.get('country', '')!r}.")
        try:
            when = parse_source_date(data.get("date_start", ""))
            end = parse_source_date(data.get("date_end", "") or data.get("date_start", ""))
        except DateProblem as problem:
            row.refuse("date_start", str(problem))
        if row.problems:
            return row
        sides_a = [data.get("electoral_side_a", ""), data.get("electoral_side_a_2", "")]
        perpetrators = tuple(
            _perpetrator(side.strip(), data.get("electoral_side_a_inc", ""), mapping)
            for side in sides_a
            if side.strip()
        )
        targets = sorted(
            {
                side.strip()
                for side in (data.get("electoral_side_b", ""), data.get("electoral_side_b_2", ""))
                if side.strip()
            }
        )
        groups = [target_group(category, country) for category in targets]
        latitude, longitude = data.get("latitude", "").strip(), data.get("longitude", "").strip()
        row.records += [
            *groups,
            killing(
                f"deco:{reference}",
                when=when,
                end_date=end.date if end.date > when.date else None,
                country=country,
                organisations=[group["id"] for group in groups],
                locality=f"{latitude}, {longitude}" if latitude and longitude else "",
                perpetrators=perpetrators,
                context=CONTEXTS.get(data.get("type_of_violence", "").strip(), ("election",)),
                narrative=_narrative(data),
                sources=[
                    data.get("source_article", "").strip(),
                    f"{SOURCE}, event {reference} ({data.get('relid', '').strip()})",
                ],
            ),
        ]
        if not groups:
            row.refuse("electoral_side_b", "No target category: the event has no victim.")
            row.records.clear()
        return row


def _narrative(data: dict[str, str]) -> str:
    fields = [
        ("deaths (best, low, high)", f"{data.get('best')}, {data.get('low')}, {data.get('high')}"),
        ("conflict", data.get("conflict_name", "")),
        ("side A", data.get("side_a", "")),
        ("side B", data.get("side_b", "")),
        ("electoral purpose", data.get("electoral_purpose", "")),
        ("perpetrator category", data.get("electoral_side_a", "")),
        ("perpetrator is incumbent", data.get("electoral_side_a_inc", "")),
        ("target category", data.get("electoral_side_b", "")),
        ("target is incumbent", data.get("electoral_side_b_inc", "")),
        ("electoral_perpetrator code", data.get("electoral_perpetrator", "")),
        ("electoral_targets code", data.get("electoral_targets", "")),
        ("electoral_type code", data.get("electoral_type", "")),
        ("electoral_timing code", data.get("electoral_timing", "")),
        ("electoral violence uncertainty", data.get("electoral_vio_uncertainty", "")),
        ("electoral violence source", data.get("electoral_vio_source", "")),
    ]
    return "UCDP DECO: " + "; ".join(
        f"{label}: {' '.join(value.split())}"
        for label, value in fields
        if value and value.strip() not in {"", "NA"}
    )
