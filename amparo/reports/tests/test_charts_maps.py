"""The server-made SVG charts and the country map: accessible, escaped, no style attribute."""

import re

import pytest

from amparo.core.charts import bar_chart_svg, line_chart_svg
from amparo.core.maps import class_breaks, countries, country_choropleth_svg, robinson


def _clean(svg: str) -> None:
    assert not re.search(r"\sstyle=", svg)
    assert "<script" not in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_bar_chart_writes_every_value_and_escapes_labels():
    svg = bar_chart_svg([("Killing", 12), ("<b>Threat</b>", None), ("Raid", 0)], title="By <kind>")
    _clean(svg)
    assert 'role="img"' in svg
    assert "<title" in svg and "By &lt;kind&gt;" in svg
    assert "&lt;b&gt;Threat&lt;/b&gt;" in svg and "<b>" not in svg
    assert ">12</text>" in svg and ">&lt;3</text>" in svg and ">0</text>" in svg
    assert "Killing: 12; &lt;b&gt;Threat&lt;/b&gt;: &lt;3; Raid: 0" in svg  # the description


def test_line_chart_distinguishes_series_by_marker_and_dash():
    svg = line_chart_svg(
        ["2023", "2024", "2025"], [("All", [4, None, 9]), ("Grave", [1, 2, 3])], title="Trend"
    )
    _clean(svg)
    assert (
        "<circle" in svg and "<rect" in svg
    )  # circle markers for one series, squares for the other
    assert 'stroke-dasharray="6 3"' in svg
    assert "All: 2023 4, 2024 &lt;3, 2025 9" in svg


def test_the_shipped_shapes_include_the_minus_99_countries():
    shapes = countries()
    for code in ("FR", "NO", "XK", "CO", "MX", "CY", "SO"):
        assert shapes[code]["rings"], code
    assert "AQ" not in shapes
    assert len(shapes) >= 170


def test_robinson_projection_reference_points():
    assert robinson(0, 0) == (0.0, 0.0)
    x, y = robinson(180, 90)
    assert x == pytest.approx(0.8487 * 0.5322 * 3.14159265, rel=1e-6)
    assert y == pytest.approx(1.3523)
    assert robinson(-74, -4)[1] < 0


def test_choropleth_classes_legend_and_titles():
    assert class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == [2, 4, 6, 8, 10]
    assert class_breaks([0, 0]) == []
    svg = country_choropleth_svg({"co": 12, "FR": None, "NO": 0}, title="Incidents")
    _clean(svg)
    assert "<title>Colombia: 12</title>" in svg
    assert "<title>France: fewer than 3 (suppressed)</title>" in svg
    assert "<title>Norway: 0</title>" in svg
    assert "<title>Brazil: no data</title>" in svg
    assert "url(#map-" in svg  # the hatch of the suppressed value
    assert ">1–12</text>" in svg  # the legend writes the class as text
