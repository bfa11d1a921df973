"""Datasketch: Colombian social leaders killed, June 2016 – October 2017 (Spanish CSV).

Columns: Nombre, Género, Fecha, Municipio, Departamento, Tipo de líder, Cargo, Móvil, Otros,
Link, Longitud, Latitud. The file has no record id: the id is a keyed digest of name and date
(`co-lideres:<digest>`), stable within a deployment and meaningless outside it. Each row becomes
a deceased defender and the killing. See docs/importers.md for the mapping tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from amparo.core.places import fold, subdivision_code
from amparo.interchange.sources.base import Mapping, Options, Row, read_csv, source_id
from amparo.interchange.sources.dates import DateProblem, parse_source_date
from amparo.interchange.sources.victims import deceased_defender, killing

GENDERS = {"M": "man", "F": "woman"}

# Words of "Tipo de líder" (folded: lower case, no accents) → defender categories. A type with
# none of these words becomes community_leader and is reported as not mapped.
LEADER_TYPES: tuple[tuple[str, str], ...] = (
    ("comunal", "community_leader"),
    ("comunitari", "community_leader"),
    ("juvenil", "community_leader"),
    ("afro", "community_leader"),
    ("indigena", "indigenous_peoples"),
    ("campesin", "land_environment"),
    ("agrari", "land_environment"),
    ("lgbti", "lgbti_rights"),
    ("mujeres", "women_rights"),
    ("sindical", "trade_unionist"),
    ("desca", "esc_rights"),
    ("abogad", "lawyer"),
    ("comunicador", "journalist"),
)
DEFAULT_CATEGORY = "community_leader"

# Departments whose usual name is not their ISO 3166-2 name.
DEPARTMENTS = {"bogota": "CO-DC", "bogota d c": "CO-DC", "san andres": "CO-SAP"}

# Coordinates outside this box are not Colombian (mainland and San Andrés).
LATITUDES, LONGITUDES = (-4.3, 13.6), (-82.0, -66.8)

SOURCE = "Datasketch, líderes sociales asesinados (ds-specials, 2017-11-21)"


def leader_categories(text: str, mapping: Mapping) -> list[str]:
    words = fold(text)
    found = sorted({category for word, category in LEADER_TYPES if word in words})
    if not found:
        mapping.unmapped[("Tipo de líder", text.strip() or "(empty)")] += 1
    return found or [DEFAULT_CATEGORY]


def _coordinates(data: dict[str, str], mapping: Mapping) -> str:
    try:
        latitude, longitude = float(data.get("Latitud", "")), float(data.get("Longitud", ""))
    except ValueError:
        mapping.not_resolved("Latitud/Longitud")
        return ""
    if not (
        LATITUDES[0] <= latitude <= LATITUDES[1] and LONGITUDES[0] <= longitude <= LONGITUDES[1]
    ):
        mapping.not_resolved("Latitud/Longitud")
        return ""
    return f"{latitude:.6f}, {longitude:.6f}"


class ColombiaLeaders:
    name = "colombia-leaders"
    label = "Datasketch Colombian social leaders killed 2016–17 (CSV, Spanish)"

    def rows(self, path: Path, mapping: Mapping, options: Options) -> Iterator[Row]:
        for line, data in read_csv(path):
            yield self.row(line, data, mapping)

    def row(self, line: int, data: dict[str, str], mapping: Mapping) -> Row:
        row = Row(line)
        name = " ".join(data.get("Nombre", "").split())
        if not name:
            row.refuse("Nombre", "No name: the row cannot be told apart from others.")
        try:
            when = parse_source_date(data.get("Fecha", ""))
        except DateProblem as problem:
            row.refuse("Fecha", str(problem))
        if row.problems:
            return row
        department = data.get("Departamento", "").strip()
        subdivision = DEPARTMENTS.get(fold(department)) or subdivision_code("CO", department)
        if department and not subdivision:
            mapping.not_resolved("Departamento")
        municipality = " ".join(data.get("Municipio", "").split())
        coordinates = _coordinates(data, mapping)
        locality = ", ".join(part for part in (municipality, department) if part)
        if coordinates:
            locality = f"{locality} ({coordinates})" if locality else coordinates
        record_id = source_id("co-lideres", fold(name), when.date.isoformat())
        parts = [
            data.get("Móvil", "").strip(),
            f"Cargo: {data['Cargo'].strip()}" if data.get("Cargo", "").strip() else "",
            f"Otros: {data['Otros'].strip()}" if data.get("Otros", "").strip() else "",
            f"Tipo de líder: {data['Tipo de líder'].strip()}"
            if data.get("Tipo de líder", "").strip()
            else "",
        ]
        links = data.get("Link", "").split()
        row.records += [
            deceased_defender(
                record_id,
                name=name,
                gender=mapping.code(GENDERS, "Género", data.get("Género", ""), "unknown"),
                categories=leader_categories(data.get("Tipo de líder", ""), mapping),
                country="CO",
                subdivision=subdivision,
            ),
            killing(
                record_id,
                when=when,
                country="CO",
                subdivision=subdivision,
                locality=locality,
                victims=[record_id],
                narrative="\n\n".join(part for part in parts if part),
                sources=[*links, f"{SOURCE}, line {line}"],
            ),
        ]
        return row
