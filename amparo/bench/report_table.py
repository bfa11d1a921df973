"""The bench's figures as a plain-text table, one row per measured figure."""

from __future__ import annotations

from typing import Any

HEADER = ("database", "step", "figure", "value", "limit", "ratio", "peak RSS MiB")


def rows(figures: dict[str, Any]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for vendor, db in figures["databases"].items():

        def add(
            step: str, figure: str, value: Any, limit: Any = "", ratio: Any = "", rss: Any = ""
        ) -> None:
            out.append((vendor, step, figure, *(_fmt(x) for x in (value, limit, ratio, rss))))  # noqa: B023

        if "import" in db:  # a --web-only run measured nothing else
            imp = db["import"]
            for stage in imp["stages"]:
                add(
                    "import",
                    f"stage {stage['stage']} records/s",
                    stage["records_per_second"],
                    rss=stage["peak_rss_mib"],
                )
            add(
                "import",
                "incidents/s (stage 3)",
                imp["incidents_per_second"],
                imp["raw"]["rows_per_second"],
                imp["ratio_to_raw"],
                imp["stages"][-1]["peak_rss_mib"],
            )
            for scan in db["scan"]["stages"]:
                add(
                    "scan",
                    f"s at {scan['share']:.0%} ({scan['incidents']} inc.)",
                    scan["seconds"],
                    rss=scan["peak_rss_mib"],
                )
            add("scan", "100 % / 10 %", db["scan"]["growth_100_over_10"])
            rep = db["report"]
            add(
                "report",
                "annual JSON s",
                rep["seconds"],
                rep["duckdb"]["seconds"],
                rep["ratio_to_duckdb"],
                rep["peak_rss_mib"],
            )
        web = db["web"]
        for result in web["results"]:
            add(
                "web",
                f"{result['page']} c={result['clients']} rps",
                result["throughput_rps"],
                "",
                result.get("throughput_over_bare", ""),
            )
            add(
                "web",
                f"{result['page']} c={result['clients']} p50/p95/p99 ms err",
                f"{result['p50_ms']}/{result['p95_ms']}/{result['p99_ms']} {result['errors']}",
            )
        add("web", f"server ({web['workers']} workers)", "", rss=web["server_peak_rss_mib"])
        for run in db.get("export", {}).get("runs", []):
            add(
                "export",
                f"{run['format']} {run['rows']} rows/s",
                run["rows_per_second"],
                rss=run["peak_rss_mib"],
            )
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render(figures: dict[str, Any]) -> str:
    table = [HEADER, *rows(figures)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    lines = [
        f"scale {figures['scale']}: {figures['defenders']:,} defenders, "
        f"{figures.get('incidents', 0):,} incidents; {figures['machine']['cores']} cores, "
        f"load {figures['load_average_start']} -> {figures['load_average_end']}"
    ]
    for row in table:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return "\n".join(lines)
