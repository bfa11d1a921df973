"""Server-made SVG charts: horizontal bar charts and line charts for trends.

Accessible by construction: each chart is an <svg role="img"> labelled by its <title> and a
<desc> that states every value in words; every bar and point carries its value as text; series
of a line chart differ by marker shape and dash pattern as well as by shade, so no information
is carried by colour alone. Presentation attributes only (fill=, stroke=): no style attribute,
so the charts pass the Content-Security-Policy. A suppressed count (None) is drawn as no bar
with the suppression label in place of the number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.utils.html import escape

INK = "#1f2933"
MUTED = "#52606d"
GRID = "#cbd2d9"
BAR = "#2f6690"
# Shades for the series of a line chart; each also has its own marker and dash (see above).
SERIES = (
    ("#2f6690", "circle", ""),
    ("#b3541e", "square", "6 3"),
    ("#3a7d44", "triangle", "2 3"),
    ("#6c4f77", "diamond", "8 3 2 3"),
)
FONT = "DejaVu Sans, Arial, sans-serif"
SUPPRESSED = "<3"


def _id(kind: str, title: str, payload: object) -> str:
    digest = hashlib.sha256(f"{kind}|{title}|{payload!r}".encode()).hexdigest()[:10]
    return f"{kind}-{digest}"


def _shown(value: int | float | None, suppressed_label: str) -> str:
    return suppressed_label if value is None else f"{value:g}"


def _open_svg(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def bar_chart_svg(
    rows: Sequence[tuple[str, int | float | None]],
    *,
    title: str,
    desc: str = "",
    width: int = 640,
    suppressed_label: str = SUPPRESSED,
) -> str:
    """One horizontal bar per (label, value), in the order given, the value written after it."""
    bar_height, gap, value_width, top = 18, 6, 50, 8
    # Wide enough for the longest label (about 6.6 px a character at the chart's font size),
    # up to half the chart: "Reprisal for cooperation with the UN" must not be cut.
    longest = max((len(str(label)) for label, _value in rows), default=0)
    label_width = min(max(120, round(longest * 6.6) + 12), width // 2)
    height = top * 2 + max(1, len(rows)) * (bar_height + gap)
    plot = width - label_width - value_width
    largest = max((v for _label, v in rows if v is not None), default=0) or 1
    words = "; ".join(f"{label}: {_shown(v, suppressed_label)}" for label, v in rows)
    chart_id = _id("bar", title, rows)
    parts = _open_svg(chart_id, width, height, title, f"{desc} {words}".strip())
    parts.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - top}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    )
    for index, (label, value) in enumerate(rows):
        y = top + index * (bar_height + gap)
        middle = y + bar_height / 2 + 4
        length = 0.0 if value is None else plot * value / largest
        parts.append(
            f'<text x="{label_width - 6}" y="{middle:.1f}" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
        )
        if length > 0:
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                f'fill="{BAR}"/>'
            )
        parts.append(
            f'<text x="{label_width + length + 4:.1f}" y="{middle:.1f}" fill="{INK}">'
            f"{escape(_shown(value, suppressed_label))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart_svg(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | float | None]]],
    *,
    title: str,
    desc: str = "",
    width: int = 640,
    height: int = 260,
    suppressed_label: str = SUPPRESSED,
) -> str:
    """Lines over the periods `labels`, one per (name, values); a None value breaks the line
    and is written as the suppression label. Up to four series (markers and dashes differ)."""
    left, right, top, bottom, legend = 48, 16, 16, 44, 22 * len(series)
    plot_w, plot_h = width - left - right, height - top - bottom - legend
    largest = max((v for _n, vs in series for v in vs if v is not None), default=0) or 1
    step = plot_w / max(1, len(labels) - 1)

    def x_of(i: int) -> float:
        return left + (i * step if len(labels) > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return top + plot_h - plot_h * v / largest

    words = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{lab} {_shown(v, suppressed_label)}" for lab, v in zip(labels, vs, strict=False)
        )
        for name, vs in series
    )
    chart_id = _id("line", title, (labels, series))
    parts = _open_svg(chart_id, width, height, title, f"{desc} {words}".strip())
    for fraction in (0, 0.5, 1):
        y = top + plot_h - plot_h * fraction
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{largest * fraction:g}</text>"
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    for index, (name, values) in enumerate(series):
        colour, shape, dash = SERIES[index % len(SERIES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        for i, value in enumerate(values):
            if value is None:
                if len(run) > 1:
                    parts.append(_polyline(run, colour, dash_attr))
                run = []
                parts.append(
                    f'<text x="{x_of(i):.1f}" y="{top + plot_h - 4}" text-anchor="middle" '
                    f'fill="{colour}">{escape(suppressed_label)}</text>'
                )
                continue
            run.append(f"{x_of(i):.1f},{y_of(value):.1f}")
        if len(run) > 1:
            parts.append(_polyline(run, colour, dash_attr))
        for i, value in enumerate(values):
            if value is None:
                continue
            x, y = x_of(i), y_of(value)
            parts.append(_marker(shape, x, y, colour))
            parts.append(
                f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" fill="{INK}">'
                f"{value:g}</text>"
            )
        legend_y = height - legend + index * 22 + 6
        parts.append(
            f'<line x1="{left}" y1="{legend_y}" x2="{left + 28}" y2="{legend_y}" '
            f'stroke="{colour}" stroke-width="2"{dash_attr}/>'
            + _marker(shape, left + 14, legend_y, colour)
            + f'<text x="{left + 36}" y="{legend_y + 4}" fill="{INK}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _polyline(points: list[str], colour: str, dash_attr: str) -> str:
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
        f'stroke-width="2"{dash_attr}/>'
    )
