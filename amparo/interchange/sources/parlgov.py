"""ParlGov `view_election`: party results of parliamentary and European Parliament elections.

The file is Latin-1 (Windows-1252) and has one row per party and election; the rows of one
`election_id` fold into one calendar event `parlgov:<election_id>` (kind `election`, country
from the ISO 3166-1 alpha-3 code). See docs/importers.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from amparo.core.places import country_code
from amparo.interchange.sources.base import Mapping, Options, Row, read_csv
from amparo.interchange.sources.dates import DateProblem, parse_source_date

TITLES = {"parliament": "Parliamentary election", "ep": "European Parliament election"}
ENCODING = "cp1252"


class ParlGov:
    name = "parlgov"
    label = "ParlGov election results (view_election CSV, Latin-1)"

    def rows(self, path: Path, mapping: Mapping, options: Options) -> Iterator[Row]:
        seen: dict[str, tuple[str, str, str]] = {}
        for line, data in read_csv(path, encoding=ENCODING):
            reference = data.get("election_id", "").strip()
            election = (
                data.get("country_name_short", "").strip(),
                data.get("election_type", "").strip(),
                data.get("election_date", "").strip(),
            )
            if reference in seen:
                row = Row(line, ignored="another party's result in an election already read")
                if seen[reference] != election:
                    row.refuse("election_id", f"Election {reference} differs from its first row.")
                yield row
                continue
            seen[reference] = election
            yield self.row(line, reference, election, mapping)

    def row(
        self, line: int, reference: str, election: tuple[str, str, str], mapping: Mapping
    ) -> Row:
        row = Row(line)
        alpha_3, kind, date = election
        if not reference:
            row.refuse("election_id", "No ParlGov election id.")
        country = country_code(alpha_3)
        if not country:
            row.refuse("country_name_short", f"Unknown country code {alpha_3!r}.")
        try:
            when = parse_source_date(date)
        except DateProblem as problem:
            row.refuse("election_date", str(problem))
        if row.problems:
            return row
        row.records.append(
            {
                "type": "event",
                "id": f"parlgov:{reference}",
                "kind": "election",
                "title": mapping.code(TITLES, "election_type", kind, "Election"),
                "start": when.date.isoformat(),
                "country": country,
            }
        )
        return row
