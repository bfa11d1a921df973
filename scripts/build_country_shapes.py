"""Build amparo/core/data/countries.json from Natural Earth's admin-0 countries (1:110m).

    python scripts/build_country_shapes.py [SOURCE.geojson] [OUT.json]

Natural Earth is public domain. The output keeps, per ISO 3166-1 alpha-2 code, the country's
name and its outer rings (holes are dropped: at this scale they are lakes), simplified with
Douglas-Peucker and rounded to 0.01 degree. Features whose ISO_A2 is "-99" get their code from
ISO_A2_EH when the file has it, else from ADM0_A3 (France, Norway, Kosovo); Northern Cyprus
and Somaliland are drawn as parts of Cyprus and Somalia, the States the UN addresses.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/work/shared/data/natural-earth-countries/ne_110m_admin_0_countries.geojson")
OUT = ROOT / "amparo" / "core" / "data" / "countries.json"
TOLERANCE = 0.25  # degrees
MIN_RING_POINTS = 4
ADM0_A3_TO_ISO2 = {"FRA": "FR", "NOR": "NO", "KOS": "XK", "CYN": "CY", "SOL": "SO"}

Point = tuple[float, float]


def _distance(p: Point, a: Point, b: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative (rings of the 1:110m file are short, but recursion is not
    needed)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, worst = 0, 0.0
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > worst:
                index, worst = i, d
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def iso2(properties: dict) -> str:
    for key in ("ISO_A2", "ISO_A2_EH"):
        code = properties.get(key) or ""
        if len(code) == 2 and code.isalpha():
            return code.upper()
    return ADM0_A3_TO_ISO2.get(properties.get("ADM0_A3", ""), "")


def build(source: Path) -> dict:
    features = json.loads(source.read_text(encoding="utf-8"))["features"]
    countries: dict[str, dict] = {}
    for feature in features:
        code = iso2(feature["properties"])
        if not code:
            continue
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        entry = countries.setdefault(code, {"name": feature["properties"]["NAME"], "rings": []})
        for polygon in polygons:
            outer = [(float(x), float(y)) for x, y in polygon[0]]
            ring = simplify(outer, TOLERANCE)
            if len(ring) >= MIN_RING_POINTS:
                entry["rings"].append([[round(x, 2), round(y, 2)] for x, y in ring])
    return {
        "source": "Natural Earth 1:110m admin-0 countries (public domain)",
        "countries": {
            code: countries[code] for code in sorted(countries) if countries[code]["rings"]
        },
    }


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT
    data = build(source)
    out.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    points = sum(len(r) for c in data["countries"].values() for r in c["rings"])
    sys.stdout.write(
        f"{out}: {len(data['countries'])} countries, {points} points, {out.stat().st_size} bytes\n"
    )


if __name__ == "__main__":
    main()
