"""Global Witness: killings of land and environmental defenders (one victim per row).

Columns: id, date, name, gender, age, person_characteristics, industry_driver,
perpetrator_type, continent, country, country_numeric, local_region, number_of_victims.
Each row becomes the deceased defender `gw:<id>` and the killing `gw:<id>`. See
docs/importers.md for the mapping tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pycountry

from amparo.core.places import country_code, subdivision_code
from amparo.interchange.sources.base import Mapping, Options, Row, read_csv
from amparo.interchange.sources.dates import DateProblem, parse_source_date
from amparo.interchange.sources.victims import birth_year, deceased_defender, killing

GENDERS = {"Male": "man", "Female": "woman", "Unknown": "unknown", "": "unknown"}

# Every victim is a land and environment defender (the dataset's scope); these add to it.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "Indigenous peoples": ("indigenous_peoples",),
    "Journalist": ("journalist",),
    "Lawyer": ("lawyer",),
    "Small-scale farmer": (),
    "Afrodescendant": (),
    "Park ranger": (),
    "State official": (),
    "Demonstrators": (),
    "Children": (),
    "Relatives of persons targeted for repression": (),
    "Police": (),
    "Fishery observer": (),
    "Other": (),
    "": (),
}

PERPETRATORS = {
    "Unspecified": "unknown",
    "Hitmen": "criminal_group",
    "Private military actors": "paramilitary",
    "Police": "police",
    "Armed forces": "military",
    "Organised crime / mafias": "criminal_group",
    "Landowners": "private_company",
    "Poachers": "criminal_group",
    "Private security guards": "private_security",
    "Government officials/entities": "government_official",
    "Corporations": "private_company",
    "": "unknown",
}

# Region names Global Witness writes in English (or in a local form) that pycountry spells
# otherwise. Parks, islands and island groups (Virunga, Mindanao, Luzon) are not subdivisions:
# they stay in the locality.
REGIONS = {
    ("CD", "North Kivu"): "CD-NK",
    ("CD", "South Kivu"): "CD-SK",
    ("NI", "Región Autónoma de la Costa Caribe Norte"): "NI-AN",
    ("NI", "Región Autónoma del Caribe Norte"): "NI-AN",
    ("NI", "Región Autónoma Caribe Norte"): "NI-AN",
    ("NI", "North Caribbean Coast Autonomous Region"): "NI-AN",
    ("NI", "North Caribbean Autonomous Region"): "NI-AN",
    ("NI", "Caribe Norte"): "NI-AN",
    ("IR", "Kurdistan Province"): "IR-12",
    ("ID", "North Sumatra"): "ID-SU",
    ("ID", "South Kalimantan"): "ID-KS",
    ("ID", "Central Kalimantan"): "ID-KT",
    ("ES", "Catalonia"): "ES-CT",
    ("UA", "Kharkiv Oblast"): "UA-63",
    ("UA", "Kiev"): "UA-30",
    ("GT", "El Quiché"): "GT-14",
    ("CO", "Guajira"): "CO-LAG",
    ("PH", "North Cotabato"): "PH-NCO",
    ("PH", "Compostela Valley"): "PH-COM",
    ("BD", "Chittagong"): "BD-B",
}

SOURCE = "Global Witness, land and environmental defenders data (download of 2022-09-22)"


def _country(row: dict[str, str]) -> str:
    numeric = row.get("country_numeric", "").strip()
    found = pycountry.countries.get(numeric=numeric.zfill(3)) if numeric.isdigit() else None
    return found.alpha_2 if found else country_code(row.get("country", ""))


class GlobalWitness:
    name = "global-witness"
    label = "Global Witness killings of land and environmental defenders (CSV)"

    def rows(self, path: Path, mapping: Mapping, options: Options) -> Iterator[Row]:
        for line, data in read_csv(path):
            yield self.row(line, data, mapping)

    def row(self, line: int, data: dict[str, str], mapping: Mapping) -> Row:
        row = Row(line)
        reference = data.get("id", "").strip()
        if not reference:
            return row.refuse("id", "No Global Witness record id.")
        country = _country(data)
        if not country:
            row.refuse("country", f"Unknown country {data.get('country', '')!r}.")
        try:
            when = parse_source_date(data.get("date", ""))
        except DateProblem as problem:
            row.refuse("date", str(problem))
        if row.problems:
            return row
        region = data.get("local_region", "").strip()
        subdivision = REGIONS.get((country, region)) or (
            subdivision_code(country, region) if region else ""
        )
        if region and not subdivision:
            mapping.not_resolved("local_region")
        characteristics = data.get("person_characteristics", "")
        sector, perpetrator = data.get("industry_driver", ""), data.get("perpetrator_type", "")
        record_id = f"gw:{reference}"
        defender = deceased_defender(
            record_id,
            name=data.get("name", "") or record_id,
            gender=mapping.code(GENDERS, "gender", data.get("gender", ""), "unknown"),
            categories=[
                "land_environment",
                *mapping.codes(CATEGORIES, "person_characteristics", characteristics),
            ],
            country=country,
            subdivision=subdivision,
            birth_year=birth_year(data.get("age", ""), when.date.year),
        )
        incident = killing(
            record_id,
            when=when,
            country=country,
            subdivision=subdivision,
            locality="" if subdivision else region,
            victims=[record_id],
            perpetrators=(mapping.code(PERPETRATORS, "perpetrator_type", perpetrator, "unknown"),),
            narrative=(
                f"Global Witness: victim characteristics: {characteristics or 'not given'}; "
                f"sector: {sector or 'not given'}; perpetrator type: {perpetrator or 'not given'}."
            ),
            sources=[f"{SOURCE}, record {reference}"],
        )
        row.records += [defender, incident]
        return row
