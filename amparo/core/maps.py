"""A choropleth map of countries as server-made SVG, drawn from local data only.

The shapes are Natural Earth's 1:110m admin-0 countries (public domain), simplified into
amparo/core/data/countries.json by scripts/build_country_shapes.py, keyed by ISO 3166-1
alpha-2 (France, Norway and Kosovo, whose ISO_A2 is "-99" in the source, are keyed by their
ADM0_A3). The projection is Robinson; Antarctica is left out.

Accessible: <title> and a <desc> listing every country's value in words, a <title> on each
country (its name and value), a legend whose classes are written as ranges, and suppressed
values drawn with a hatch pattern and labelled as such, so no information is colour-only.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.utils.html import escape

DATA = Path(__file__).resolve().parent / "data" / "countries.json"
LEFT_OUT = frozenset({"AQ"})
# Robinson's table: (X, Y) every 5 degrees of latitude from 0 to 90.
_ROBINSON = (
    (1.0000, 0.0000), (0.9986, 0.0620), (0.9954, 0.1240), (0.9900, 0.1860), (0.9822, 0.2480),
    (0.9730, 0.3100), (0.9600, 0.3720), (0.9427, 0.4340), (0.9216, 0.4958), (0.8962, 0.5571),
    (0.8679, 0.6176), (0.8350, 0.6769), (0.7986, 0.7346), (0.7597, 0.7903), (0.7186, 0.8435),
    (0.6732, 0.8936), (0.6213, 0.9394), (0.5722, 0.9761), (0.5322, 1.0000),
)  # fmt: skip
NO_DATA = "#f0f2f4"
ZERO = "#ffffff"
SHADES = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
OUTLINE = "#7b8794"
FONT = "DejaVu Sans, Arial, sans-serif"


def robinson(lon: float, lat: float) -> tuple[float, float]:
    """Robinson's projection, in units of the earth's radius (x in ±2.666, y in ±1.352)."""
    a = min(abs(lat), 90.0) / 5
    i = min(int(a), 17)
    f = a - i
    x_factor = _ROBINSON[i][0] + (_ROBINSON[i + 1][0] - _ROBINSON[i][0]) * f
    y_factor = _ROBINSON[i][1] + (_ROBINSON[i + 1][1] - _ROBINSON[i][1]) * f
    return 0.8487 * x_factor * math.radians(lon), math.copysign(1.3523 * y_factor, lat)


@functools.cache
def countries() -> dict[str, dict[str, Any]]:
    """{ISO2: {"name": str, "rings": [[[lon, lat], ...], ...]}} from the shipped file."""
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return {code: c for code, c in data["countries"].items() if code not in LEFT_OUT}


@functools.cache
def _paths(width: int) -> tuple[int, dict[str, str]]:
    """The SVG path of every country at this width, and the map's height."""
    x_min, x_max = -0.8487 * math.pi, 0.8487 * math.pi
    y_max = robinson(0, 84)[1]
    y_min = robinson(0, -58)[1]
    scale = width / (x_max - x_min)
    height = round((y_max - y_min) * scale)
    paths = {}
    for code, country in countries().items():
        commands = []
        for ring in country["rings"]:
            points = [robinson(lon, lat) for lon, lat in ring]
            xy = [f"{(x - x_min) * scale:.1f} {(y_max - y) * scale:.1f}" for x, y in points]
            commands.append("M" + " L".join(xy) + " Z")
        paths[code] = "".join(commands)
    return height, paths


def class_breaks(values: list[int], classes: int = len(SHADES)) -> list[int]:
    """Upper bounds of up to `classes` classes of the positive values (quantiles, distinct)."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return []
    bounds: list[int] = []
    for k in range(1, classes + 1):
        bound = positive[min(len(positive) - 1, math.ceil(k * len(positive) / classes) - 1)]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def _legend_ranges(bounds: list[int]) -> list[str]:
    ranges, low = [], 1
    for bound in bounds:
        ranges.append(f"{low}" if low == bound else f"{low}–{bound}")
        low = bound + 1
    return ranges


def country_choropleth_svg(
    values: Mapping[str, int | None],
    *,
    title: str,
    desc: str = "",
    width: int = 720,
    suppressed_label: str = "fewer than 3 (suppressed)",
    no_data_label: str = "no data",
) -> str:
    """Shade each country by its value; None marks a suppressed count (hatched); countries
    absent from `values` are "no data". Keys are ISO 3166-1 alpha-2 codes."""
    height, paths = _paths(width)
    known = {code.upper(): value for code, value in values.items()}
    bounds = class_breaks([v for v in known.values() if v is not None])
    names = {code: country["name"] for code, country in countries().items()}
    chart_id = (
        "map-" + hashlib.sha256(f"{title}|{sorted(known.items())!r}".encode()).hexdigest()[:10]
    )

    def shown(code: str) -> str:
        value = known[code]
        return suppressed_label if value is None else str(value)

    listed = sorted(known, key=lambda c: (-(known[c] or 0), c))
    words = "; ".join(f"{names.get(code, code)}: {shown(code)}" for code in listed)
    legend_h = 22 * (len(bounds) + 3)
    total_h = height + legend_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" role="img" '
        f'viewBox="0 0 {width} {total_h}" width="{width}" height="{total_h}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape((desc + " " + words).strip())}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{SHADES[0]}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{OUTLINE}" stroke-width="2"/></pattern></defs>',
    ]

    def fill(code: str) -> str:
        if code not in known:
            return NO_DATA
        value = known[code]
        if value is None:
            return f"url(#{chart_id}-hatch)"
        if value == 0:
            return ZERO
        index = next(i for i, bound in enumerate(bounds) if value <= bound)
        return SHADES[index + len(SHADES) - len(bounds)]

    for code in sorted(paths):
        label = f"{names.get(code, code)}: {shown(code) if code in known else no_data_label}"
        parts.append(
            f'<path d="{paths[code]}" fill="{fill(code)}" stroke="{OUTLINE}" stroke-width="0.5">'
            f"<title>{escape(label)}</title></path>"
        )
    entries = [
        (NO_DATA, no_data_label),
        (f"url(#{chart_id}-hatch)", suppressed_label),
        (ZERO, "0"),
    ]
    entries += [
        (SHADES[i + len(SHADES) - len(bounds)], text)
        for i, text in enumerate(_legend_ranges(bounds))
    ]
    for index, (colour, text) in enumerate(entries):
        y = height + 8 + index * 22
        parts.append(
            f'<rect x="8" y="{y}" width="16" height="14" fill="{colour}" stroke="{OUTLINE}"/>'
            f'<text x="30" y="{y + 11}" fill="#1f2933">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
