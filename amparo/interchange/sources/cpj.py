"""Committee to Protect Journalists: journalists killed, in either of CPJ's two layouts.

* the database export (`fullName, organizations, location, …, Date, mtpage, …`), 1992–2025,
  motive confirmed: the id is a keyed digest of the CPJ profile address (`cpj:<digest>`);
* the Kaggle release (`Type, Date, Name, Sex, Country_killed, …, Source_fire, …`), 1992–2016,
  with free-text dates and CRLF line ends: the id is a keyed digest of name, date text and
  country (`cpj-kaggle:<digest>`).

The layout is told by the header. Each row becomes a deceased journalist, the killing, and one
media organisation per outlet named (per outlet and country, since CPJ gives no outlet country:
`cpj-org:<country>:<outlet>`). The two files overlap for 1992–2016 and are not merged: matching
the same person across them is a de-duplication task. See docs/importers.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from amparo.core.places import country_code, fold
from amparo.interchange.sources.base import Mapping, Options, Record, Row, read_csv, source_id
from amparo.interchange.sources.dates import DateProblem, SourceDate, parse_source_date
from amparo.interchange.sources.victims import deceased_defender, killing

# CPJ's place names that are not ISO names. The combined Israel/OPT location is mostly Gaza.
COUNTRIES = {
    "Israel and the Occupied Palestinian Territory": "PS",
    "Yugoslavia": "RS",
}

DEATH_CONTEXT: dict[str, tuple[str, ...]] = {
    "Murder": (),
    "Dangerous Assignment": (),
    "Crossfire": ("armed_conflict",),
    "Crossfire / Combat Related": ("armed_conflict",),
    "Crossfire/Combat-Related": ("armed_conflict",),
    "Unknown": (),
    "": (),
}

SOURCE_FIRE = {
    "Political Group": "armed_group",
    "Military Officials": "military",
    "Government Officials": "government_official",
    "Criminal Group": "criminal_group",
    "Paramilitary Group": "paramilitary",
    "Local Residents": "community_member",
    "Mob Violence": "community_member",
    "Unknown Fire": "unknown",
}

GENDERS = {"Male": "man", "Female": "woman", "": "unknown"}
NOT_AN_OUTLET = {"freelance", "independent", ""}

SOURCE_CONFIRMED = "CPJ, journalists killed 1992–2025, motive confirmed (CPJ database export)"
SOURCE_KAGGLE = "CPJ, journalists killed since 1992 (CPJ Kaggle release, 2016)"


def _country(name: str) -> str:
    name = name.strip()
    return COUNTRIES.get(name) or country_code(name)


def outlets(text: str, country: str) -> list[Record]:
    """One media organisation per outlet named (comma-separated)."""
    records = []
    for outlet in (" ".join(part.split()) for part in text.split(",")):
        slug = "-".join(fold(outlet).split())[:96]
        if fold(outlet) in NOT_AN_OUTLET or not slug:
            continue
        records.append(
            {
                "type": "organisation",
                "id": f"cpj-org:{country}:{slug}",
                "name": outlet[:300],
                "kind": "media",
                "country": country,
            }
        )
    return records


class Cpj:
    name = "cpj"
    label = "CPJ journalists killed (database export or Kaggle CSV)"

    def rows(self, path: Path, mapping: Mapping, options: Options) -> Iterator[Row]:
        for line, data in read_csv(path):
            if "fullName" in data:
                yield self.confirmed_row(line, data, mapping)
            else:
                yield self.kaggle_row(line, data, mapping)

    def _start(
        self, row: Row, data: dict[str, str], *, name: str, place: str, date: str
    ) -> tuple[str, SourceDate | None]:
        if not data.get(name, "").strip():
            row.refuse(name, "No name: the row cannot be told apart from others.")
        country = _country(data.get(place, ""))
        if not country:
            row.refuse(place, f"Unknown country {data.get(place, '').strip()!r}.")
        try:
            return country, parse_source_date(data.get(date, ""))
        except DateProblem as problem:
            row.refuse(date, str(problem))
            return country, None

    def confirmed_row(self, line: int, data: dict[str, str], mapping: Mapping) -> Row:
        row = Row(line)
        if not data.get("mtpage", "").strip():
            row.refuse("mtpage", "No CPJ profile address: no stable id.")
        country, when = self._start(row, data, name="fullName", place="location", date="Date")
        if row.problems or when is None:
            return row
        record_id = source_id("cpj", data["mtpage"].strip())
        media = outlets(data.get("organizations", ""), country)
        death = data.get("typeOfDeath", "")
        row.records += [
            *media,
            deceased_defender(
                record_id,
                name=data["fullName"],
                categories=["journalist"],
                country=country,
                organisations=[organisation["id"] for organisation in media],
            ),
            killing(
                record_id,
                when=when,
                country=country,
                victims=[record_id],
                context=mapping.codes(DEATH_CONTEXT, "typeOfDeath", death),
                narrative=f"CPJ: type of death: {death or 'not given'}; motive confirmed.",
                sources=[data["mtpage"].strip(), SOURCE_CONFIRMED],
            ),
        ]
        return row

    def kaggle_row(self, line: int, data: dict[str, str], mapping: Mapping) -> Row:
        row = Row(line)
        country, when = self._start(row, data, name="Name", place="Country_killed", date="Date")
        if row.problems or when is None:
            return row
        date_text = " ".join(data["Date"].split())
        record_id = source_id("cpj-kaggle", fold(data["Name"]), date_text, country)
        media = outlets(data.get("Organization", ""), country)
        fire = [part.strip() for part in data.get("Source_fire", "").split(",") if part.strip()]
        violations = ["killing"]
        if data.get("Tortured", "").strip() == "Yes":
            violations.append("torture")
        if data.get("Taken_captive", "").strip() == "Yes":
            violations.append("abduction")
        details = [
            ("CPJ type", "Type"),
            ("type of death", "Type_death"),
            ("medium", "Medium"),
            ("job", "Job"),
            ("coverage", "Coverage"),
            ("freelance", "Freelance"),
            ("local or foreign", "Local_Foreign"),
            ("source of fire", "Source_fire"),
            ("threatened before", "Threatened"),
            ("taken captive", "Taken_captive"),
            ("tortured", "Tortured"),
            ("impunity", "Impunity_for_murder"),
            ("nationality", "Nationality"),
        ]
        narrative = "; ".join(
            f"{label}: {' '.join(data[column].split())}"
            for label, column in details
            if data.get(column, "").strip()
        )
        row.records += [
            *media,
            deceased_defender(
                record_id,
                name=data["Name"],
                gender=mapping.code(GENDERS, "Sex", data.get("Sex", ""), "unknown"),
                categories=["journalist"],
                country=country,
                organisations=[organisation["id"] for organisation in media],
            ),
            killing(
                record_id,
                when=when,
                country=country,
                victims=[record_id],
                violations=tuple(violations),
                perpetrators=tuple(
                    mapping.code(SOURCE_FIRE, "Source_fire", part, "unknown") for part in fire
                ),
                context=mapping.codes(DEATH_CONTEXT, "Type_death", data.get("Type_death", "")),
                narrative=f"{narrative}. Date as given: {date_text}.",
                sources=[SOURCE_KAGGLE],
            ),
        ]
        return row
