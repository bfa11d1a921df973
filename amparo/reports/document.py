"""The annual report as a document: numbered paragraphs, tables, charts and the map, read the
way a UN report reads. Built from the figures (amparo.reports.figures) and nothing else, so
the page, the HTML file and the PDF say exactly what the JSON says.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from amparo.core.charts import bar_chart_svg, line_chart_svg
from amparo.core.maps import country_choropleth_svg
from amparo.core.places import country_name
from amparo.core.vocab import (
    Category,
    CommunicationKind,
    Gender,
    InvestigationStage,
    Violation,
    VisitStatus,
)
from amparo.earlywarning.models import AlertKind, AlertLevel
from amparo.measures.models import MeasureKind

GROUP_LABELS = {"state": "State actors", "non_state": "Non-State actors", "unknown": "Unknown"}


@dataclass
class Table:
    caption: str
    head: list[str]
    rows: list[list[Any]]


@dataclass
class Section:
    anchor: str
    numeral: str
    title: str
    paragraphs: list[tuple[int, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[SafeString] = field(default_factory=list)


def _label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _n(value: int | None, threshold: int) -> str:
    return f"<{threshold}" if value is None else str(value)


def _pct(value: int | float | None, threshold: int) -> str:
    return _("a share too small to publish") if value is None else f"{value:g} per cent"


def _day(iso: str) -> str:
    return datetime.date.fromisoformat(iso).strftime("%d %B %Y").lstrip("0")


def _period_label(start: str, end: str) -> str:
    """2024 for a calendar year, 2024-03 for a month, else the first day's month and year."""
    if start[5:] == "01-01" and end[5:] == "12-31" and start[:4] == end[:4]:
        return start[:4]
    return start[:7]


class _Numbering:
    def __init__(self) -> None:
        self.next = 1

    def add(self, section: Section, text: str) -> None:
        section.paragraphs.append((self.next, text))
        self.next += 1


def _counts_table(caption: str, head: str, counts: dict[str, Any], choices: Any, k: int) -> Table:
    rows = [[_label(choices, code) if choices else code, _n(n, k)] for code, n in counts.items()]
    return Table(caption, [head, _("Incidents")], rows)


def _bar(title: str, counts: dict[str, Any], choices: Any, k: int) -> SafeString:
    rows = [(_label(choices, code) if choices else code, n) for code, n in counts.items()]
    return mark_safe(bar_chart_svg(rows, title=title, suppressed_label=f"<{k}"))  # noqa: S308


def communications_section(report: dict[str, Any], number: _Numbering) -> Section:
    c = report["communications"]
    section = Section("communications", "II", _("Communications"))
    number.add(
        section,
        _("During the period under review, %(sent)s communications were sent to %(states)s States.")
        % {"sent": c["sent"], "states": c["states"]},
    )
    rate = c["response_rate_percent"]
    if c["sent"]:
        number.add(
            section,
            _(
                "By the end of the period, %(replied)s of these communications had received at "
                "least one reply, a response rate of %(rate)s per cent."
            )
            % {"replied": c["replied"], "rate": rate},
        )
    number.add(
        section,
        _("%(women)s communications concerned women defenders.") % {"women": c["women_defenders"]},
    )
    section.tables.append(
        Table(
            _("Communications by kind"),
            [_("Kind"), _("Sent")],
            [[_label(CommunicationKind, kind), n] for kind, n in c["by_kind"].items()],
        )
    )
    section.tables.append(
        Table(
            _("Communications by State"),
            [_("State"), _("Sent"), _("With a reply"), _("Response rate (%)")],
            [
                [
                    country_name(row["state"]),
                    row["sent"],
                    row["replied"],
                    row["response_rate_percent"],
                ]
                for row in c["by_state"]
            ],
        )
    )
    if c["by_state"]:
        section.figures.append(
            mark_safe(  # noqa: S308 (built by amparo.core.maps from escaped text)
                country_choropleth_svg(
                    {row["state"]: row["sent"] for row in c["by_state"]},
                    title=_("Communications sent, by State"),
                )
            )
        )
    return section


def visits_section(report: dict[str, Any], number: _Numbering) -> Section:
    v = report["visits"]
    section = Section("visits", "III", _("Country visits"))
    pending = v["pending_requests"]
    number.add(
        section,
        _("At the end of the period, %(n)s requests for country visits were pending.")
        % {"n": len(pending)},
    )
    section.tables.append(
        Table(
            _("Pending requests for visits, oldest first"),
            [_("State"), _("Status"), _("Years requested")],
            [
                [
                    country_name(row["state"]),
                    _label(VisitStatus, row["status"]),
                    ", ".join(str(y) for y in row["years_requested"]),
                ]
                for row in pending
            ],
        )
    )
    return section


def incidents_section(report: dict[str, Any], number: _Numbering, k: int) -> Section:
    i = report["incidents"]
    section = Section("incidents", "IV", _("Attacks against defenders"))
    number.add(
        section,
        _("%(total)s incidents were documented in the period, %(grave)s of them grave.")
        % {"total": _n(i["total"], k), "grave": _n(i["grave"], k)},
    )
    section.figures.append(_bar(_("Incidents by violation"), i["by_violation"], Violation, k))
    groups = {GROUP_LABELS.get(key, key): n for key, n in i["by_perpetrator_group"].items()}
    section.figures.append(_bar(_("Incidents by alleged perpetrator"), groups, None, k))
    section.figures.append(_bar(_("Incidents by defender category"), i["by_category"], Category, k))
    section.tables.append(
        _counts_table(
            _("Incidents by gender of the victims"), _("Gender"), i["by_gender"], Gender, k
        )
    )
    section.tables.append(
        Table(
            _("Incidents by country"),
            [_("Country"), _("Incidents")],
            [[country_name(code), _n(n, k)] for code, n in i["by_country"].items()],
        )
    )
    trend = i["trend"]
    labels = [f"{row['from']} – {row['to']}" for row in trend]
    section.figures.append(
        mark_safe(  # noqa: S308 (built by amparo.core.charts from escaped text)
            line_chart_svg(
                [_period_label(row["from"], row["to"]) for row in trend],
                [
                    (_("All incidents"), [row["total"] for row in trend]),
                    (_("Grave incidents"), [row["grave"] for row in trend]),
                ],
                title=_("Incidents in this and the previous periods"),
                desc=" ".join(labels),
                suppressed_label=f"<{k}",
            )
        )
    )
    if i["by_country"]:
        section.figures.append(
            mark_safe(  # noqa: S308
                country_choropleth_svg(
                    dict(i["by_country"]),
                    title=_("Incidents by country"),
                    suppressed_label=_("fewer than %(k)s (suppressed)") % {"k": k},
                )
            )
        )
    return section


def measures_section(report: dict[str, Any], number: _Numbering, k: int) -> Section:
    m = report["measures"]
    section = Section("measures", "V", _("Protective measures"))
    if m["granted"] == 0:
        number.add(
            section,
            _("No protective measure was granted in the period (%(requested)s were requested).")
            % {"requested": _n(m["requested"], k)},
        )
        return section
    number.add(
        section,
        _(
            "%(granted)s protective measures were granted in the period (%(requested)s were "
            "requested). The median time from request to decision was %(decision)s days; "
            "%(within)s were decided within %(target)s days."
        )
        % {
            "granted": _n(m["granted"], k),
            "requested": _n(m["requested"], k),
            "decision": m["decision_days_median"] if m["decision_days_median"] is not None else "—",
            "within": _pct(m["decided_within_target_percent"], k),
            "target": m["targets"]["decision_days"],
        },
    )
    number.add(
        section,
        _(
            "The median time from request to protection in place was %(days)s days; "
            "%(within)s were in place within %(target)s days."
        )
        % {
            "days": m["protection_days_median"] if m["protection_days_median"] is not None else "—",
            "within": _pct(m["in_place_within_target_percent"], k),
            "target": m["targets"]["protection_days"],
        },
    )
    section.tables.append(
        _counts_table(_("Measures granted, by kind"), _("Measure"), m["by_kind"], MeasureKind, k)
    )
    section.tables[-1].head[1] = _("Granted")
    return section


def investigations_section(report: dict[str, Any], number: _Numbering, k: int) -> Section:
    v = report["investigations"]
    section = Section("investigations", "VI", _("Investigations and impunity"))
    for months, row in v["uninvestigated"].items():
        if row["grave_incidents"] == 0:
            number.add(
                section,
                _("No grave incident reached %(months)s months in the period.")
                % {"months": months},
            )
            continue
        number.add(
            section,
            _(
                "Of the %(cohort)s grave incidents that reached %(months)s months in the period, "
                "%(without)s had no investigation opened by then (%(pct)s)."
            )
            % {
                "cohort": _n(row["grave_incidents"], k),
                "months": months,
                "without": _n(row["without_investigation"], k),
                "pct": _pct(row["percent"], k),
            },
        )
    conv = v["convictions"]
    number.add(
        section,
        _("%(convicted)s of %(grave)s grave incidents known by %(day)s ended in a conviction.")
        % {
            "convicted": _n(conv["convicted"], k),
            "grave": _n(conv["grave_incidents"], k),
            "day": _day(v["as_of"]),
        },
    )
    head = [_("Group"), _("Grave incidents"), _("Investigated"), _("Convicted"), _("Impunity (%)")]
    section.tables.append(
        Table(
            _("Impunity by alleged perpetrator"),
            head,
            [
                [
                    GROUP_LABELS.get(r["key"], r["key"]),
                    _n(r["grave_incidents"], k),
                    _n(r["investigated"], k),
                    _n(r["convicted"], k),
                    r["impunity_percent"] if r["impunity_percent"] is not None else "—",
                ]
                for r in v["by_perpetrator_group"]
            ],
        )
    )
    section.tables.append(
        Table(
            _("Impunity by country"),
            [_("Country"), *head[1:]],
            [
                [
                    country_name(r["key"]),
                    _n(r["grave_incidents"], k),
                    _n(r["investigated"], k),
                    _n(r["convicted"], k),
                    r["impunity_percent"] if r["impunity_percent"] is not None else "—",
                ]
                for r in v["by_country"]
            ],
        )
    )
    section.tables.append(
        _counts_table(
            _("Stage of the investigations at the end of the period"),
            _("Stage"),
            v["stages"],
            InvestigationStage,
            k,
        )
    )
    return section


def alerts_section(report: dict[str, Any], number: _Numbering, k: int) -> Section:
    a = report["alerts"]
    section = Section("alerts", "VII", _("Early warning"))
    if a["raised"] == 0:
        number.add(section, _("No early-warning alert was raised in the period."))
        return section
    number.add(
        section,
        _(
            "%(raised)s early-warning alerts were raised in the period; %(acted)s were acted "
            "on (%(pct)s)."
        )
        % {
            "raised": _n(a["raised"], k),
            "acted": _n(a["acted"], k),
            "pct": _pct(a["acted_percent"], k),
        },
    )
    section.tables.append(_counts_table(_("Alerts by rule"), _("Rule"), a["by_kind"], AlertKind, k))
    section.tables.append(
        _counts_table(_("Alerts by level"), _("Level"), a["by_level"], AlertLevel, k)
    )
    for table in section.tables:
        table.head[1] = _("Alerts")
    return section


def build_document(report: dict[str, Any]) -> dict[str, Any]:
    """The report's sections, each with its numbered paragraphs, tables and figures."""
    k = report["min_count"]
    number = _Numbering()
    period = report["period"]
    intro = Section("introduction", "I", _("Introduction"))
    number.add(
        intro,
        _(
            "This report covers the period from %(start)s to %(end)s. Counts below %(k)s that "
            "concern people are suppressed and shown as “<%(k)s”; no name or other identifying "
            "detail appears in it."
        )
        % {"start": _day(period["from"]), "end": _day(period["to"]), "k": k},
    )
    sections = [
        intro,
        communications_section(report, number),
        visits_section(report, number),
        incidents_section(report, number, k),
        measures_section(report, number, k),
        investigations_section(report, number, k),
        alerts_section(report, number, k),
    ]
    return {"report": report, "sections": sections, "period": period}
