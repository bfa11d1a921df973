"""iCalendar (RFC 5545) files: each VEVENT becomes calendar `event` records.

- id: `ical:<UID>` (a digest of the UID when it is long); each occurrence of a recurring event
  is `ical:<UID>:<YYYY-MM-DD>`, and a VEVENT with RECURRENCE-ID replaces that occurrence.
- kind: the first CATEGORIES value that names an event kind (table below), else `--kind`.
  CATEGORIES values that are defender category codes become the event's categories.
- country: `X-AMPARO-COUNTRY` (code or name), else the last part of LOCATION that names a
  country, else `--country`. Subdivision: `X-AMPARO-SUBDIVISION` (ISO 3166-2 code or name).
- dates: an all-day event ends the day before its DTEND (RFC 5545: DTEND is exclusive); a timed
  event covers the days of its own time zone (UTC when it gives none) from DTSTART to the
  instant before DTEND (or DTSTART + DURATION).
- RRULE/RDATE/EXDATE: occurrences from DTSTART up to the horizon (`--until`, default one year
  after today), at most MAX_OCCURRENCES per event.
- STATUS:CANCELLED events are ignored (reported).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
from dateutil.rrule import rruleset, rrulestr
from django.utils import timezone

from amparo.core.places import country_code, fold, is_subdivision_of, subdivision_code
from amparo.core.vocab import Category, Context, codes
from amparo.interchange.sources.base import Mapping, Options, Record, Row

# CATEGORIES words (folded) → event kind; the codes themselves are accepted too.
KINDS = {
    **{code: code for code in codes(Context)},
    "election": "election",
    "elections": "election",
    "elecciones": "election",
    "electoral": "election",
    "referendum": "election",
    "vote": "election",
    "demonstration": "demonstration",
    "protest": "demonstration",
    "march": "demonstration",
    "marcha": "demonstration",
    "protesta": "demonstration",
    "manifestacion": "demonstration",
    "publication": "publication",
    "report launch": "publication",
    "publicacion": "publication",
    "travel": "travel_abroad",
    "viaje": "travel_abroad",
    "trial": "judicial_proceeding",
    "hearing": "judicial_proceeding",
    "court": "judicial_proceeding",
    "audiencia": "judicial_proceeding",
    "juicio": "judicial_proceeding",
    "un": "un_engagement",
    "upr": "un_engagement",
    "human rights council": "un_engagement",
    "epu": "un_engagement",
    "summit": "major_event",
    "anniversary": "major_event",
    "aniversario": "major_event",
    "investigation": "investigation",
    "armed conflict": "armed_conflict",
}
MAX_OCCURRENCES = 1000
HORIZON_DAYS = 365
MAX_UID = 100


def event_id(uid: str, occurrence: datetime.date | None = None) -> str:
    base = uid if len(uid) <= MAX_UID and uid.isprintable() and " " not in uid else None
    base = base or hashlib.sha256(uid.encode("utf-8")).hexdigest()[:32]
    return f"ical:{base}" + (f":{occurrence.isoformat()}" if occurrence else "")


def _lines_of_events(data: bytes) -> list[int]:
    return [
        number
        for number, line in enumerate(data.splitlines(), start=1)
        if line.strip().upper() == b"BEGIN:VEVENT"
    ]


def _day(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _span(component: Any, start: Any) -> tuple[datetime.date, datetime.date]:
    """First and last day of one occurrence starting at `start`."""
    first = _day(start)
    original = component.decoded("dtstart")
    if "dtend" in component:
        length = component.decoded("dtend") - original
    elif "duration" in component:
        length = component.decoded("duration")
    else:
        return first, first
    if not isinstance(start, datetime.datetime):
        return first, max(first, _day(start + length) - datetime.timedelta(days=1))
    end = start + length
    return first, max(first, _day(end - datetime.timedelta(microseconds=1)))


def _categories(component: Any) -> list[str]:
    values: list[str] = []
    found = component.get("categories")
    for item in found if isinstance(found, list) else [found] if found is not None else []:
        values += [str(value).strip() for value in getattr(item, "cats", [])]
    return [value for value in values if value]


class ICalendar:
    name = "ical"
    label = "iCalendar (RFC 5545) events"

    def rows(self, path: Path, mapping: Mapping, options: Options) -> Iterator[Row]:
        data = path.read_bytes()
        lines = _lines_of_events(data)
        try:
            calendar = icalendar.Calendar.from_ical(data)
        except ValueError:
            # The parser's message may quote a line of the file (a summary, a name): not shown.
            yield Row(1).refuse("(file)", "Not an iCalendar file: it could not be parsed.")
            return
        events = list(calendar.walk("VEVENT"))
        overridden: dict[str, set[datetime.date]] = {}
        for component in events:
            if "recurrence-id" in component:
                uid = str(component.get("uid", ""))
                overridden.setdefault(uid, set()).add(_day(component.decoded("recurrence-id")))
        until = options.until or timezone.localdate() + datetime.timedelta(days=HORIZON_DAYS)
        for index, component in enumerate(events):
            line = lines[index] if index < len(lines) else 1
            yield self.row(line, component, mapping, options, until, overridden)

    def row(
        self,
        line: int,
        component: Any,
        mapping: Mapping,
        options: Options,
        until: datetime.date,
        overridden: dict[str, set[datetime.date]],
    ) -> Row:
        row = Row(line)
        uid = str(component.get("uid", "")).strip()
        if not uid:
            return row.refuse("UID", "No UID: the event has no stable id.")
        if str(component.get("status", "")).upper() == "CANCELLED":
            row.ignored = "cancelled event (STATUS:CANCELLED)"
            return row
        if "dtstart" not in component:
            return row.refuse("DTSTART", "No start date.")
        categories = _categories(component)
        kind = next((KINDS[fold(c)] for c in categories if fold(c) in KINDS), options.kind)
        if not kind:
            row.refuse("CATEGORIES", "No event kind: give a known CATEGORIES value or --kind.")
        country = self._country(component, options)
        if not country:
            row.refuse(
                "X-AMPARO-COUNTRY",
                "No country: give X-AMPARO-COUNTRY, a LOCATION "
                "ending with a country, or --country.",
            )
        if row.problems:
            return row
        subdivision = self._subdivision(component, country, mapping)
        base: Record = {"type": "event", "kind": kind, "country": country}
        if component.get("summary"):
            base["title"] = str(component.get("summary")).strip()[:300]
        if subdivision:
            base["subdivision"] = subdivision
        exposed = sorted({c for c in categories if c in codes(Category)})
        if exposed:
            base["categories"] = exposed
        starts: list[tuple[Any, datetime.date | None]]
        if "recurrence-id" in component:
            replaced = _day(component.decoded("recurrence-id"))
            starts = [(component.decoded("dtstart"), replaced)]
        elif "rrule" in component or "rdate" in component:
            found = self._occurrences(component, until)
            if found is None:
                return row.refuse(
                    "RRULE", f"More than {MAX_OCCURRENCES} occurrences: narrow with --until."
                )
            skip = overridden.get(uid, set())
            starts = [(start, _day(start)) for start in found if _day(start) not in skip]
        else:
            starts = [(component.decoded("dtstart"), None)]
        for start, occurrence in starts:
            first, last = _span(component, start)
            row.records.append(
                {
                    **base,
                    "id": event_id(uid, occurrence),
                    "start": first.isoformat(),
                    "end": last.isoformat(),
                }
            )
        if not row.records:
            row.ignored = "recurring event with no occurrence before the horizon"
        return row

    def _country(self, component: Any, options: Options) -> str:
        given = str(component.get("x-amparo-country", "")).strip()
        if given:
            return country_code(given)
        location = str(component.get("location", ""))
        for part in reversed(location.split(",")):
            if part.strip() and (found := country_code(part)):
                return found
        return country_code(options.country) if options.country else ""

    def _subdivision(self, component: Any, country: str, mapping: Mapping) -> str:
        given = str(component.get("x-amparo-subdivision", "")).strip()
        if not given:
            return ""
        if is_subdivision_of(given, country):
            return given.upper()
        found = subdivision_code(country, given)
        if not found:
            mapping.not_resolved("X-AMPARO-SUBDIVISION")
        return found

    def _occurrences(self, component: Any, until: datetime.date) -> list[Any] | None:
        start = component.decoded("dtstart")
        timed = isinstance(start, datetime.datetime)
        anchor = start if timed else datetime.datetime.combine(start, datetime.time())
        rules = rruleset()
        for rule in _as_list(component.get("rrule")):
            rules.rrule(
                rrulestr(rule.to_ical().decode(), dtstart=anchor, ignoretz=anchor.tzinfo is None)
            )
        if "rrule" not in component:
            rules.rdate(anchor)
        for name, add in (("rdate", rules.rdate), ("exdate", rules.exdate)):
            for value in _as_list(component.get(name)):
                for item in value.dts:
                    moment = item.dt
                    if not isinstance(moment, datetime.datetime):
                        moment = datetime.datetime.combine(moment, anchor.timetz())
                    add(moment)
        found: list[Any] = []
        for moment in rules:
            if _day(moment) > until:
                break
            if len(found) == MAX_OCCURRENCES:
                return None
            found.append(moment if timed else moment.date())
        return found


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
