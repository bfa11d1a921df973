"""The regional spike status as a tile-grid map: one square per ISO 3166-2 subdivision.

The project holds no subdivision shapes, so the map is a grid of equal tiles in the order of
their codes (pycountry is the authority on which subdivisions exist). It shows no geography:
it answers "which places have an open regional alert, and how grave" at a glance, drawn as SVG
by the server. Each status has a colour and a text mark, so it never rests on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pycountry
from django.utils.translation import gettext as _

from amparo.core.places import country_name
from amparo.earlywarning.models import AlertLevel
from amparo.earlywarning.selectors import RegionalRow

TILE_WIDTH = 48
TILE_HEIGHT = 40
GAP = 4
MAX_COLUMNS = 12

# The text mark of each level (the legend explains them); "" for no open alert.
MARKS: dict[str, str] = {
    AlertLevel.WATCH.value: "•",
    AlertLevel.WARNING.value: "!",
    AlertLevel.URGENT.value: "!!",
}
_RANK: dict[str, int] = {level: rank for rank, level in enumerate(MARKS, start=1)}


@dataclass(frozen=True)
class Tile:
    code: str  # ISO 3166-2, e.g. CO-CAU
    label: str  # the part after the country, e.g. CAU
    name: str
    x: int
    y: int
    level: str  # "" when no regional alert is open there
    level_label: str
    mark: str


@dataclass(frozen=True)
class CountryMap:
    country: str
    name: str
    width: int
    height: int
    tiles: list[Tile]
    level: str  # of the alerts about the whole country
    level_label: str
    mark: str

    tile_width: int = TILE_WIDTH
    tile_height: int = TILE_HEIGHT

    @property
    def tile_middle(self) -> int:
        return self.tile_width // 2

    @property
    def alerted(self) -> int:
        return sum(1 for tile in self.tiles if tile.level)


def _levels(rows: Iterable[RegionalRow]) -> dict[str, str]:
    """The highest level of the open regional alerts per place (subdivision or country)."""
    levels: dict[str, str] = {}
    for row in rows:
        level = row.alert.level
        if _RANK.get(level, 0) > _RANK.get(levels.get(row.place, ""), 0):
            levels[row.place] = level
    return levels


def _level_label(level: str) -> str:
    return str(AlertLevel(level).label) if level else _("No open alert")


def _columns(count: int) -> int:
    # Wider than tall, like a page: about 4 columns for 3 rows.
    return max(1, min(MAX_COLUMNS, math.ceil(math.sqrt(count * 4 / 3))))


def country_map(country: str, levels: dict[str, str]) -> CountryMap:
    subdivisions = sorted(
        pycountry.subdivisions.get(country_code=country) or [], key=lambda s: s.code
    )
    columns = _columns(len(subdivisions))
    tiles = []
    for index, subdivision in enumerate(subdivisions):
        row, column = divmod(index, columns)
        level = levels.get(subdivision.code, "")
        tiles.append(
            Tile(
                code=subdivision.code,
                label=subdivision.code.split("-", 1)[1],
                name=subdivision.name,
                x=column * (TILE_WIDTH + GAP),
                y=row * (TILE_HEIGHT + GAP),
                level=level,
                level_label=_level_label(level),
                mark=MARKS.get(level, ""),
            )
        )
    rows = math.ceil(len(subdivisions) / columns) if subdivisions else 0
    whole = levels.get(country, "")
    return CountryMap(
        country=country,
        name=country_name(country),
        width=max(columns * (TILE_WIDTH + GAP) - GAP, 0),
        height=max(rows * (TILE_HEIGHT + GAP) - GAP, 0),
        tiles=tiles,
        level=whole,
        level_label=_level_label(whole),
        mark=MARKS.get(whole, ""),
    )


def regional_maps(rows: Sequence[RegionalRow], countries: Iterable[str]) -> list[CountryMap]:
    """One map per country in scope, with the status of the rows' alerts."""
    levels = _levels(rows)
    return [country_map(code, levels) for code in sorted(set(countries)) if code]


def legend() -> list[tuple[str, str, str]]:
    """(level, label, mark) for the legend, no alert first."""
    return [("", _level_label(""), "")] + [
        (level, _level_label(level), MARKS[level]) for level in MARKS
    ]
