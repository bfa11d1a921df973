"""An alert's evidence as plain sentences for the reader, with links to the records they may open.

The engine stores evidence as data (rules, statistics, windows, incident codes). What a reader
is shown is filtered first: incidents, defenders and events they may not open are not named,
counted or hinted at (a finding resting only on such records is left out, and no total that
includes them is shown). The sentences hold codes, dates, counts, places of events and
statistics, never a name, narrative or locality. The same filtered view feeds the pages and the
API.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.contrib.humanize.templatetags.humanize import apnumber
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from amparo.core.places import country_name, subdivision_name
from amparo.core.policy import sees_identities
from amparo.core.vocab import Category, Context, Violation
from amparo.earlywarning.models import Alert, AlertKind, Event
from amparo.earlywarning.policies import covered_defender_scope, event_scope
from amparo.incidents.models import Incident
from amparo.incidents.policies import incident_scope


@dataclass(frozen=True)
class RecordLink:
    """A record the reader may open: its code, and its page when there is one for them."""

    code: str
    url: str = ""


@dataclass(frozen=True)
class EvidenceLine:
    text: str
    records: tuple[RecordLink, ...] = ()


@dataclass
class AlertEvidence:
    """What the reader is shown: one line per finding, a summary, and the filtered data."""

    summary: str
    lines: list[EvidenceLine] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]


@dataclass(frozen=True)
class _Incident:
    code: str
    date: datetime.date
    violations: tuple[str, ...]


def _day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _number(value: Any, decimals: int = 1) -> str:
    try:
        return str(number_format(float(value), decimal_pos=decimals))
    except (TypeError, ValueError):
        return "—"


def _label(choices: Any, code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


def place_name(country: str, subdivision: str) -> str:
    """The name of a subdivision, or of the country when there is none."""
    return subdivision_name(subdivision) if subdivision else country_name(country)


def _summary(kind: str) -> str:
    """Why, in one line, from the alert's kind alone: nothing the evidence filter may hide."""
    summaries: dict[str, str] = {
        AlertKind.CALENDAR: _("A calendar event opens a period of expected exposure."),
        AlertKind.ESCALATION: _("Recent incidents point to an escalating risk."),
        AlertKind.NETWORK: _("Attacks on connected people raise the risk."),
        AlertKind.REGIONAL: _("More incidents than expected in this place."),
        AlertKind.REVIEW_DUE: _("The risk review is overdue."),
        AlertKind.UNPROTECTED: _("High or extreme risk with no protection measure in place."),
    }
    return summaries.get(kind, _("See the evidence below."))


class _Reader:
    """The records one actor may open, looked up once (for one alert or a page of alerts)."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self._incidents: dict[str, _Incident | None] = {}

    def load(self, codes: Iterable[str]) -> None:
        missing = sorted({str(code) for code in codes} - set(self._incidents))
        if not missing:
            return
        self._incidents.update(dict.fromkeys(missing))
        rows = Incident.objects.filter(incident_scope(self.actor), code__in=missing)
        for row in rows.prefetch_related("violation_rows"):
            self._incidents[row.code] = _Incident(
                code=row.code,
                date=row.date,
                violations=tuple(sorted(r.code for r in row.violation_rows.all())),
            )

    def incidents(self, codes: Iterable[str]) -> dict[str, _Incident]:
        """The incidents among these codes that the actor may open, by code."""
        wanted = [str(code) for code in codes]
        self.load(wanted)
        return {code: found for code in wanted if (found := self._incidents.get(code))}

    def incident_link(self, code: str) -> RecordLink:
        return RecordLink(code, reverse("incidents:incident_detail", args=[code]))

    def defender_links(self, alert: Alert) -> tuple[RecordLink, ...]:
        shown = alert.defenders.filter(covered_defender_scope(self.actor)).order_by("code")
        pages = sees_identities(self.actor)
        return tuple(
            RecordLink(d.code, reverse("registry:defender_detail", args=[d.code]) if pages else "")
            for d in shown.only("code")
        )

    def event(self, event_id: Any) -> Event | None:
        if not event_id:
            return None
        try:
            return Event.objects.filter(event_scope(self.actor), pk=event_id).first()
        except (ValueError, TypeError):
            return None  # not an event id at all

    def event_link(self, event: Event) -> RecordLink:
        url = f"{reverse('earlywarning:calendar')}#event-{quote(event.external_id, safe='')}"
        return RecordLink(event.external_id, url)


# --- Calendar ------------------------------------------------------------------------------


def _window(evidence: dict[str, Any]) -> tuple[datetime.date, datetime.date] | None:
    try:
        opens, closes = evidence["window"]
        return datetime.date.fromisoformat(opens), datetime.date.fromisoformat(closes)
    except (KeyError, TypeError, ValueError):
        return None


def _calendar(reader: _Reader, alert: Alert, evidence: dict[str, Any]) -> AlertEvidence:
    window = _window(evidence)
    event = reader.event(evidence.get("event"))
    result = AlertEvidence(_summary(alert.kind), data={"rule": "calendar"})
    if window is None:
        return result
    opens, closes = window
    result.data["window"] = [opens.isoformat(), closes.isoformat()]
    params = {"opens": _day(opens), "closes": _day(closes)}
    if event is None:
        # An event the reader may not open is not described, only the period it opens.
        text = _("A period of expected exposure runs from %(opens)s to %(closes)s.") % params
        result.lines.append(EvidenceLine(text))
        return result
    params |= {
        "kind": _label(Context, event.kind),
        "place": place_name(event.country, event.subdivision),
        "start": _day(event.start),
        "end": _day(event.end),
    }
    if event.start == event.end:
        text = _(
            "%(kind)s in %(place)s on %(start)s opens a window of exposure from %(opens)s "
            "to %(closes)s."
        )
    else:
        text = _(
            "%(kind)s in %(place)s from %(start)s to %(end)s opens a window of exposure from "
            "%(opens)s to %(closes)s."
        )
    result.lines.append(EvidenceLine(text % params, (reader.event_link(event),)))
    result.data |= {"event": event.external_id, "event_kind": event.kind}
    return result


# --- Escalation ----------------------------------------------------------------------------

# Per finding, its sentence for a number of incidents: %(count)s, %(first)s and %(latest)s.
_FINDINGS: dict[str, Callable[[int], str]] = {
    "death_threat": lambda n: ngettext(
        "%(count)s death threat was reported against this defender, on %(latest)s.",
        "%(count)s death threats were reported against this defender, between %(first)s and "
        "%(latest)s.",
        n,
    ),
    "threat_after_exposure": lambda n: ngettext(
        "%(count)s threat against this defender followed a publication, a testimony or UN "
        "engagement, on %(latest)s.",
        "%(count)s threats against this defender followed a publication, a testimony or UN "
        "engagement, between %(first)s and %(latest)s.",
        n,
    ),
    "threat": lambda n: ngettext(
        "%(count)s threat was reported against this defender, on %(latest)s.",
        "%(count)s threats were reported against this defender, between %(first)s and %(latest)s.",
        n,
    ),
    "grave_attack": lambda n: ngettext(
        "%(count)s grave attack was reported against this defender, on %(latest)s.",
        "%(count)s grave attacks were reported against this defender, between %(first)s and "
        "%(latest)s.",
        n,
    ),
    "repeated_incidents": lambda n: ngettext(
        "%(count)s incident was reported against this defender, on %(latest)s.",
        "%(count)s incidents were reported against this defender, between %(first)s and "
        "%(latest)s.",
        n,
    ),
    "relative_targeted": lambda n: ngettext(
        "%(count)s incident targeted a relative of this defender, on %(latest)s.",
        "%(count)s incidents targeted relatives of this defender, between %(first)s and "
        "%(latest)s.",
        n,
    ),
}


def _finding_text(rule: str, incidents: list[_Incident]) -> str:
    dates = sorted(i.date for i in incidents)
    params = {
        "count": capfirst(str(apnumber(len(incidents)))),
        "first": _day(dates[0]),
        "latest": _day(dates[-1]),
    }
    return _FINDINGS[rule](len(incidents)) % params


def _escalation(reader: _Reader, alert: Alert, evidence: dict[str, Any]) -> AlertEvidence:
    findings = [f for f in evidence.get("findings") or [] if isinstance(f, dict)]
    visible = reader.incidents(code for f in findings for code in f.get("incidents") or [])
    result = AlertEvidence(_summary(alert.kind), data={"rule": "escalation", "findings": []})
    for finding in findings:
        rule = str(finding.get("rule", ""))
        codes = [str(c) for c in finding.get("incidents") or [] if str(c) in visible]
        if rule not in _FINDINGS or not codes:
            continue  # resting only on records the reader may not open: not even mentioned
        incidents = sorted((visible[c] for c in codes), key=lambda i: (i.date, i.code))
        links = tuple(reader.incident_link(i.code) for i in incidents)
        result.lines.append(EvidenceLine(_finding_text(rule, incidents), links))
        result.data["findings"].append(
            {
                "rule": rule,
                "level": finding.get("level", ""),
                "incidents": [i.code for i in incidents],
            }
        )
    return result


# --- Network -------------------------------------------------------------------------------

# Per link (engine.network_links), its sentence: %(what)s, %(date)s and %(weight)s.
_LINKS: dict[str, str] = {
    "organisation": gettext_noop(
        "%(what)s against a member of this defender's organisation on %(date)s (weight %(weight)s)."
    ),
    "relative": gettext_noop(
        "%(what)s against a relative of this defender on %(date)s (weight %(weight)s)."
    ),
    "co_victim": gettext_noop(
        "%(what)s against this defender together with others on %(date)s (weight %(weight)s)."
    ),
    "perpetrator": gettext_noop(
        "%(what)s on %(date)s by the same kind of perpetrator who attacked this defender "
        "earlier in the same place (weight %(weight)s)."
    ),
}


def _violations_text(codes: tuple[str, ...]) -> str:
    labels = [_label(Violation, code) for code in codes] or [_("An incident")]
    return capfirst(", ".join(str(label).lower() for label in labels))


def _network(reader: _Reader, alert: Alert, evidence: dict[str, Any]) -> AlertEvidence:
    links = [link for link in evidence.get("links") or [] if isinstance(link, dict)]
    visible = reader.incidents(str(link.get("incident", "")) for link in links)
    result = AlertEvidence(_summary(alert.kind), data={"rule": "network", "links": []})
    shown = [
        link
        for link in links
        if str(link.get("incident")) in visible and link.get("link") in _LINKS
    ]
    shown.sort(key=lambda link: (visible[str(link["incident"])].date, str(link["incident"])))
    for link in shown:
        incident = visible[str(link["incident"])]
        params = {
            "what": _violations_text(incident.violations),
            "date": _day(incident.date),
            "weight": _number(link.get("weight"), 2),
        }
        text = _(_LINKS[str(link["link"])]) % params
        result.lines.append(EvidenceLine(text, (reader.incident_link(incident.code),)))
        result.data["links"].append(
            {"incident": incident.code, "link": link["link"], "weight": link.get("weight")}
        )
    if shown:
        # No total: it would count incidents the reader may not open.
        result.lines.append(
            EvidenceLine(
                _(
                    "A weight combines how close the link is, how grave the incident was and how "
                    "long ago it happened; it halves with time."
                )
            )
        )
    return result


# --- Regional ------------------------------------------------------------------------------

_METHODS = {"C1": "EARS C1", "C2": "EARS C2", "C3": "EARS C3", "CUSUM": "CUSUM"}


def method_label(method: str) -> str:
    """A regional detector's name: 'EARS C2', 'CUSUM'."""
    return _METHODS.get(method, method)


def regional_group(alert: Alert) -> str:
    """The violation group of a regional alert ('grave', 'other'), from its dedupe key
    regional:<place>:<category>:<group>:<ISO week>."""
    parts = alert.dedupe_key.split(":")
    return parts[3] if len(parts) == 5 and parts[0] == "regional" else ""


def _week_start(iso_week: str) -> datetime.date | None:
    try:
        year, week = iso_week.split("-W")
        return datetime.date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, AttributeError):
        return None


def regional_what(alert: Alert) -> str:
    """What was counted: 'grave attacks on journalists', 'other incidents', ..."""
    group = regional_group(alert)
    category = str(alert.categories[0]) if alert.categories else ""
    if category:
        params = {"category": _label(Category, category).lower()}
        if group == "grave":
            return _("grave attacks on defenders of %(category)s") % params
        if group == "other":
            return _("other incidents against defenders of %(category)s") % params
        return _("incidents against defenders of %(category)s") % params
    if group == "grave":
        return _("grave attacks on defenders")
    if group == "other":
        return _("other incidents against defenders")
    return _("incidents against defenders")


def _regional(reader: _Reader, alert: Alert, evidence: dict[str, Any]) -> AlertEvidence:
    # Counts of the whole network, no record named: nothing to filter.
    result = AlertEvidence(_summary(alert.kind), data=dict(evidence))
    method = str(evidence.get("method", ""))
    week = _week_start(str(evidence.get("week", "")))
    if method not in _METHODS or week is None or "observed" not in evidence:
        return result
    params = {
        "what": regional_what(alert),
        "place": place_name(alert.country, alert.subdivision),
        "week": _day(week),
        "observed": evidence["observed"],
        "expected": _number(evidence.get("expected")),
        "method": _METHODS[method],
        "statistic": _number(evidence.get("statistic")),
        "threshold": _number(evidence.get("threshold")),
    }
    text = _(
        "Weekly %(what)s in %(place)s: %(observed)s in the week of %(week)s against an expected "
        "%(expected)s (%(method)s statistic %(statistic)s, threshold %(threshold)s)."
    )
    result.lines.append(EvidenceLine(capfirst(text % params)))
    also = [_METHODS[m] for m in evidence.get("also_alarmed") or [] if m in _METHODS]
    if also:
        result.lines.append(
            EvidenceLine(_("Also signalled by %(methods)s.") % {"methods": ", ".join(also)})
        )
    return result


# --- Status of one defender ----------------------------------------------------------------


def _review_due(reader: _Reader, alert: Alert, evidence: dict[str, Any]) -> AlertEvidence:
    result = AlertEvidence(_summary(alert.kind), data={"rule": "review_due"})
    try:
        due = datetime.date.fromisoformat(str(evidence.get("due")))
    except ValueError:
        return result
    result.data["due"] = due.isoformat()
    text = _("The risk review of this defender was due on %(due)s.") % {"due": _day(due)}
    result.lines.append(EvidenceLine(text, reader.defender_links(alert)))
    return result


def _unprotected(reader: _Reader, alert: Alert, evidence: dict[str, Any]) -> AlertEvidence:
    from amparo.risk.models import RiskLevel

    result = AlertEvidence(_summary(alert.kind), data={"rule": "unprotected"})
    level = str(evidence.get("risk_level", ""))
    if level not in RiskLevel.values:
        return result
    result.data["risk_level"] = level
    text = _(
        "This defender is assessed at %(level)s risk and has no protection measure in place or "
        "under review."
    ) % {"level": _label(RiskLevel, level).lower()}
    result.lines.append(EvidenceLine(text, reader.defender_links(alert)))
    return result


_RENDERERS: dict[str, Callable[[_Reader, Alert, dict[str, Any]], AlertEvidence]] = {
    AlertKind.CALENDAR: _calendar,
    AlertKind.ESCALATION: _escalation,
    AlertKind.NETWORK: _network,
    AlertKind.REGIONAL: _regional,
    AlertKind.REVIEW_DUE: _review_due,
    AlertKind.UNPROTECTED: _unprotected,
}


def _render(reader: _Reader, alert: Alert) -> AlertEvidence:
    evidence = alert.evidence if isinstance(alert.evidence, dict) else {}
    render = _RENDERERS.get(alert.kind)
    if render is None:
        return AlertEvidence(_summary(alert.kind))
    return render(reader, alert, evidence)


def _incident_codes(alert: Alert) -> list[str]:
    evidence = alert.evidence if isinstance(alert.evidence, dict) else {}
    codes = [str(link.get("incident", "")) for link in evidence.get("links") or []]
    for finding in evidence.get("findings") or []:
        codes += [str(code) for code in finding.get("incidents") or []]
    return codes


def alert_evidence(*, actor: Any, alert: Alert) -> AlertEvidence:
    """The alert's evidence as this actor may read it."""
    return _render(_Reader(actor), alert)


def alerts_evidence(*, actor: Any, alerts: Iterable[Alert]) -> dict[Any, AlertEvidence]:
    """The evidence of a page of alerts by alert id, the incidents looked up at once."""
    alerts = list(alerts)
    reader = _Reader(actor)
    reader.load(code for alert in alerts for code in _incident_codes(alert))
    return {alert.pk: _render(reader, alert) for alert in alerts}
